//! The JSON contract of `errkb ask --json` and `GET /api/v1/answer` (DESIGN.md):
//! `{"query", "detected_codes", "results": [{"code", "title", "score", "matched", "url"}], "lookup_url"}`.

use serde::Serialize;

use super::{Answer, Match};

#[derive(Debug, Serialize)]
pub struct AnswerJson {
    pub query: String,
    pub detected_codes: Vec<String>,
    pub results: Vec<ResultJson>,
    pub lookup_url: Option<String>,
    /// `found`, `ambiguous` or `not_found`.
    pub answer: &'static str,
}

#[derive(Debug, Serialize)]
pub struct ResultJson {
    pub code: String,
    pub title: String,
    pub score: f32,
    pub matched: Match,
    /// The guide's own page on this errkb (`{base}/guides/{code}`).
    pub url: String,
    /// True for a short catalog entry rather than a full guide.
    pub short: bool,
}

impl AnswerJson {
    /// `base_url` is errkb's public URL; guide pages live under `{base_url}/guides/`.
    pub fn new(answer: &Answer, base_url: &str) -> AnswerJson {
        let base = base_url.trim_end_matches('/');
        let results = answer
            .hits()
            .into_iter()
            .map(|hit| ResultJson {
                code: hit.guide.code.to_string(),
                title: hit.guide.title(),
                score: (hit.score * 1000.0).round() / 1000.0,
                matched: hit.matched,
                url: format!("{base}/guides/{}", hit.guide.code),
                short: hit.guide.is_short(),
            })
            .collect();
        AnswerJson {
            query: answer.query.clone(),
            detected_codes: answer.detected.iter().map(ToString::to_string).collect(),
            results,
            lookup_url: answer.lookup_url(),
            answer: answer.kind(),
        }
    }
}
