//! The numbers behind the admin page's support panels: per guide (shown, solved, escalated,
//! helpful rate, link clicks), per channel (questions, auto-answers, escalations, median time to
//! "Solved") and the guides with the most "Still stuck". Plain SQL that both SQLite and
//! PostgreSQL accept; medians and merging are done here, in Rust.

use std::collections::BTreeMap;

use super::{Db, Store, StoreError, with_pool};

/// One guide's support numbers over the window.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GuideSupport {
    pub guide_code: String,
    /// Answers that led with this guide (every surface).
    pub shown: i64,
    pub solved: i64,
    /// "Still stuck" clicks (whether or not someone could be called in).
    pub escalated: i64,
    pub helpful: i64,
    pub votes: i64,
    pub link_clicks: i64,
}

impl GuideSupport {
    /// Share of helpful votes, `None` without votes.
    pub fn helpful_rate(&self) -> Option<f64> {
        (self.votes > 0).then(|| self.helpful as f64 / self.votes as f64)
    }
}

/// One channel's support numbers over the window.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChannelSupport {
    pub platform: String,
    pub channel_id: String,
    pub channel_name: Option<String>,
    /// Answers posted in the channel (asked or automatic).
    pub questions: i64,
    pub auto_answers: i64,
    pub escalations: i64,
    pub solved: i64,
    /// Median seconds from the question to "Solved".
    pub median_solve_secs: Option<i64>,
}

/// Everything the support panels show.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SupportStats {
    pub guides: Vec<GuideSupport>,
    pub channels: Vec<ChannelSupport>,
    /// `(guide, Still stuck clicks)`, most first: the guides to improve next.
    pub most_stuck: Vec<(String, i64)>,
}

type Counts = Vec<(String, i64)>;
type ChannelKey = (String, String);

impl Store {
    /// Support statistics over the last `days` days, at most `top` guides and channels per list.
    pub async fn support_stats(&self, days: i64, top: usize) -> Result<SupportStats, StoreError> {
        let since = self.now() - days.max(1) * 86_400;
        let guides = self.guide_support(since, top).await?;
        let channels = self.channel_support(since, top).await?;
        let stuck_sql = "SELECT guide_code, COUNT(*) AS n FROM resolutions WHERE at > $1 AND outcome = 'stuck' \
                         AND guide_code IS NOT NULL GROUP BY guide_code ORDER BY n DESC, guide_code LIMIT $2";
        let most_stuck: Counts = with_pool!(&self.db, pool =>
            sqlx::query_as(stuck_sql).bind(since).bind(top as i64).fetch_all(pool).await?);
        Ok(SupportStats { guides, channels, most_stuck })
    }

    async fn guide_support(&self, since: i64, top: usize) -> Result<Vec<GuideSupport>, StoreError> {
        let shown_sql = "SELECT guide_code, CAST(SUM(hits) AS BIGINT) FROM query_log WHERE at > $1 \
                         AND guide_code IS NOT NULL GROUP BY guide_code";
        let outcome_sql = "SELECT guide_code, outcome, COUNT(*) FROM resolutions WHERE at > $1 \
                           AND guide_code IS NOT NULL GROUP BY guide_code, outcome";
        let votes_sql = "SELECT guide_code, COUNT(CASE WHEN vote > 0 THEN 1 END), COUNT(*) FROM feedback \
                         WHERE at > $1 AND guide_code <> '' GROUP BY guide_code";
        let clicks_sql = "SELECT guide_code, COUNT(*) FROM link_clicks WHERE at > $1 GROUP BY guide_code";
        type Outcomes = Vec<(String, String, i64)>;
        type Votes = Vec<(String, i64, i64)>;
        let (shown, outcomes, votes, clicks): (Counts, Outcomes, Votes, Counts) = with_pool!(&self.db, pool => (
            sqlx::query_as(shown_sql).bind(since).fetch_all(pool).await?,
            sqlx::query_as(outcome_sql).bind(since).fetch_all(pool).await?,
            sqlx::query_as(votes_sql).bind(since).fetch_all(pool).await?,
            sqlx::query_as(clicks_sql).bind(since).fetch_all(pool).await?,
        ));
        let mut by: BTreeMap<String, GuideSupport> = BTreeMap::new();
        shown.iter().for_each(|(c, n)| guide(&mut by, c).shown = *n);
        for (code, outcome, n) in &outcomes {
            match outcome.as_str() {
                "solved" => guide(&mut by, code).solved = *n,
                "stuck" => guide(&mut by, code).escalated = *n,
                _ => {}
            }
        }
        for (code, helpful, n) in &votes {
            let g = guide(&mut by, code);
            (g.helpful, g.votes) = (*helpful, *n);
        }
        clicks.iter().for_each(|(c, n)| guide(&mut by, c).link_clicks = *n);
        let mut out: Vec<GuideSupport> = by.into_values().collect();
        out.sort_by(|a, b| {
            let activity = |g: &GuideSupport| g.solved + g.escalated + g.votes + g.link_clicks;
            (b.shown, activity(b)).cmp(&(a.shown, activity(a))).then_with(|| a.guide_code.cmp(&b.guide_code))
        });
        out.truncate(top);
        Ok(out)
    }

    async fn channel_support(&self, since: i64, top: usize) -> Result<Vec<ChannelSupport>, StoreError> {
        let answers_sql = "SELECT platform, channel_id, COUNT(*), CAST(SUM(auto) AS BIGINT) FROM channel_answers \
                           WHERE at > $1 GROUP BY platform, channel_id";
        let stuck_sql = "SELECT platform, channel_id, COUNT(*) FROM resolutions WHERE at > $1 AND outcome = 'stuck' \
                         GROUP BY platform, channel_id";
        let solved_sql = "SELECT platform, channel_id, COALESCE(seconds, 0) FROM resolutions WHERE at > $1 \
                          AND outcome = 'solved'";
        let names_sql =
            "SELECT platform, channel_id, channel_name FROM channel_settings WHERE channel_name IS NOT NULL";
        type Answers = Vec<(String, String, i64, i64)>;
        type Triples = Vec<(String, String, i64)>;
        let (answers, stuck, solved, names): (Answers, Triples, Triples, Vec<(String, String, String)>) = with_pool!(&self.db, pool => (
            sqlx::query_as(answers_sql).bind(since).fetch_all(pool).await?,
            sqlx::query_as(stuck_sql).bind(since).fetch_all(pool).await?,
            sqlx::query_as(solved_sql).bind(since).fetch_all(pool).await?,
            sqlx::query_as(names_sql).fetch_all(pool).await?,
        ));
        let mut by: BTreeMap<ChannelKey, ChannelSupport> = BTreeMap::new();
        for (p, c, n, auto) in &answers {
            let ch = channel(&mut by, p, c);
            (ch.questions, ch.auto_answers) = (*n, *auto);
        }
        stuck.iter().for_each(|(p, c, n)| channel(&mut by, p, c).escalations = *n);
        let mut seconds: BTreeMap<ChannelKey, Vec<i64>> = BTreeMap::new();
        for (p, c, s) in solved {
            channel(&mut by, &p, &c).solved += 1;
            seconds.entry((p, c)).or_default().push(s.max(0));
        }
        for ((p, c), mut list) in seconds {
            channel(&mut by, &p, &c).median_solve_secs = median(&mut list);
        }
        let mut out: Vec<ChannelSupport> = by.into_values().collect();
        for ch in &mut out {
            ch.channel_name =
                names.iter().find(|(p, c, _)| *p == ch.platform && *c == ch.channel_id).map(|n| n.2.clone());
        }
        out.sort_by_key(|c| std::cmp::Reverse((c.questions, c.escalations)));
        out.truncate(top);
        Ok(out)
    }
}

fn guide<'a>(by: &'a mut BTreeMap<String, GuideSupport>, code: &str) -> &'a mut GuideSupport {
    by.entry(code.to_string()).or_insert_with(|| GuideSupport { guide_code: code.to_string(), ..Default::default() })
}

fn channel<'a>(by: &'a mut BTreeMap<ChannelKey, ChannelSupport>, p: &str, c: &str) -> &'a mut ChannelSupport {
    by.entry((p.to_string(), c.to_string())).or_insert_with(|| ChannelSupport {
        platform: p.to_string(),
        channel_id: c.to_string(),
        ..Default::default()
    })
}

/// The middle value (for an even count, the mean of the two middle ones, rounded down).
fn median(values: &mut [i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len();
    Some(if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2 })
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn the_median_is_the_middle_value() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [30]), Some(30));
        assert_eq!(median(&mut [300, 10, 60]), Some(60));
        assert_eq!(median(&mut [40, 10, 20, 30]), Some(25));
    }
}
