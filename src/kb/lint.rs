//! `errkb lint`: what a good guide needs, as `path:line` findings.
//!
//! Errors (a guide that misleads or cannot serve): no code in the title, a duplicate code, no
//! resolution steps, a malformed or non-https link. Warnings (a guide that could be better):
//! docs.microsoft.com links, no causes, no references, leftover mojibake. Message templates must
//! parse (`bad-template`) and hold no trace ids; whether one also matches another entry's message
//! is search's to tell (`search::message_overlaps`), added by the `errkb lint` command. Load findings come from
//! the loader; this module adds the per-guide content checks. Knows nothing of the index.

use std::path::Path;

use super::load::{Finding, LoadError, LoadReport, Severity, load_dir};
use super::model::{Guide, GuideKind, Link, SectionKind};
use super::template::MessageTemplate;

/// Loads and lints a whole knowledge base; findings sorted by path and line.
pub fn lint_dir(root: &Path) -> Result<LintReport, LoadError> {
    let report = load_dir(root)?;
    Ok(lint_report(report))
}

/// Adds content checks to a load report.
pub fn lint_report(report: LoadReport) -> LintReport {
    let LoadReport { guides, mut findings, .. } = report;
    for guide in &guides {
        findings.extend(lint_guide(guide));
    }
    findings.sort_by(|a, b| (&a.path, a.line, a.rule).cmp(&(&b.path, b.line, b.rule)));
    LintReport { guides: guides.len(), findings }
}

#[derive(Debug)]
pub struct LintReport {
    /// How many guides loaded.
    pub guides: usize,
    pub findings: Vec<Finding>,
}

impl LintReport {
    pub fn error_count(&self) -> usize {
        self.findings.iter().filter(|f| f.severity == Severity::Error).count()
    }

    pub fn warning_count(&self) -> usize {
        self.findings.len() - self.error_count()
    }
}

/// The content checks for one guide.
pub fn lint_guide(guide: &Guide) -> Vec<Finding> {
    let path = guide.source.as_path();
    let mut out = Vec::new();
    if guide.steps().is_empty() {
        let msg = "no resolution steps: add a section such as `#### 3. Step-by-Step Resolution Strategies` with a list";
        out.push(Finding::error(path, guide.line, "no-steps", msg));
    }
    for link in guide.links() {
        out.extend(lint_link(path, guide.line, &link));
    }
    for message in &guide.meta.messages {
        out.extend(lint_template(path, guide.line, message));
    }
    if guide.kind == GuideKind::Full {
        let wanted = [
            (SectionKind::Causes, "no-causes", "no causes section (`Common Issues that Cause This Error`)"),
            (SectionKind::References, "no-references", "no references section (`Documentation for Reference`)"),
        ];
        for (kind, rule, message) in wanted {
            if guide.section(kind).is_none_or(|s| s.text().trim().is_empty()) {
                out.push(Finding::warning(path, guide.line, rule, message));
            }
        }
    }
    out
}

/// A message template must parse, and should hold the server's message only, not the ids after it.
fn lint_template(path: &Path, line: usize, message: &str) -> Option<Finding> {
    let shown: String = message.chars().take(60).collect();
    if let Err(e) = MessageTemplate::parse(message) {
        return Some(Finding::error(path, line, "bad-template", format!("message template {shown:?}: {e}")));
    }
    let lower = message.to_lowercase();
    ["trace id", "correlation id", "timestamp:"].iter().find(|w| lower.contains(*w)).map(|w| {
        let msg = format!("message template {shown:?} includes {w:?}: keep the server's message only");
        Finding::warning(path, line, "template-ids", msg)
    })
}

fn lint_link(path: &Path, guide_line: usize, link: &Link) -> Option<Finding> {
    let line = if link.line > 0 { link.line } else { guide_line };
    let parsed = match url::Url::parse(&link.url) {
        Ok(url) => url,
        Err(e) => {
            let msg = format!("malformed URL {:?}: {e}", link.url);
            return Some(Finding::error(path, line, "bad-url", msg));
        }
    };
    if parsed.scheme() != "https" {
        let msg = format!("link {:?} is not https", link.url);
        return Some(Finding::error(path, line, "not-https", msg));
    }
    if parsed.host_str().is_some_and(|h| h.eq_ignore_ascii_case("docs.microsoft.com")) {
        let msg = format!("{} moved to learn.microsoft.com: link the current page", link.url);
        return Some(Finding::warning(path, line, "old-docs-host", msg));
    }
    None
}
