//! Loading a knowledge base from disk: walk the directory, parse each file, report what failed.
//!
//! Owns file discovery, decoding, duplicate handling and the [`Finding`] type shared with lint. A
//! broken file is reported (path, line, reason) and skipped; the rest loads. Knows nothing of the
//! index or of answers.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::catalog::parse_catalog;
use super::model::{Guide, GuideKind};
use super::mojibake;
use super::parse::parse_guide;
use super::thesaurus::Thesaurus;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// One lint or load finding at a place in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub path: PathBuf,
    pub line: usize,
    pub severity: Severity,
    pub rule: &'static str,
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}:{}: {level}[{}]: {}", self.path.display(), self.line, self.rule, self.message)
    }
}

impl Finding {
    pub fn error(path: &Path, line: usize, rule: &'static str, message: impl Into<String>) -> Self {
        Finding { path: path.to_path_buf(), line, severity: Severity::Error, rule, message: message.into() }
    }

    pub fn warning(path: &Path, line: usize, rule: &'static str, message: impl Into<String>) -> Self {
        Finding { path: path.to_path_buf(), line, severity: Severity::Warning, rule, message: message.into() }
    }
}

/// The knowledge base could not be read at all (as opposed to one broken file).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("knowledge base directory {path} cannot be read: {source}")]
    Unreadable { path: PathBuf, source: std::io::Error },
}

/// The guides that loaded, and what went wrong with the rest.
#[derive(Debug, Default)]
pub struct LoadReport {
    pub guides: Vec<Guide>,
    pub findings: Vec<Finding>,
    /// Every `thesaurus.yaml` (or `*.thesaurus.yaml`) under the root, merged.
    pub thesaurus: Thesaurus,
}

impl LoadReport {
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.severity == Severity::Error)
    }
}

/// Loads every guide under `root`, recursively, in a stable order.
pub fn load_dir(root: &Path) -> Result<LoadReport, LoadError> {
    let mut files = Vec::new();
    collect_files(root, &mut files).map_err(|source| LoadError::Unreadable { path: root.to_path_buf(), source })?;
    files.sort();
    let mut report = LoadReport::default();
    for path in files {
        load_file(root, &path, &mut report);
    }
    dedupe(&mut report);
    Ok(report)
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || name.starts_with('_') {
            continue;
        }
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            collect_files(&path, out)?;
        } else if is_guide_file(&name) {
            out.push(path);
        }
    }
    Ok(())
}

fn is_guide_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    (lower.ends_with(".md") && lower != "readme.md")
        || lower.ends_with(".catalog.yaml")
        || lower.ends_with(".catalog.yml")
        || Thesaurus::is_thesaurus_file(Path::new(&lower))
}

fn load_file(root: &Path, path: &Path, report: &mut LoadReport) {
    let shown = path.strip_prefix(root).map(|p| root.join(p)).unwrap_or_else(|_| path.to_path_buf());
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => return report.findings.push(Finding::error(&shown, 1, "unreadable", e.to_string())),
    };
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            let msg = format!("not valid UTF-8 (byte {at}); save the file as UTF-8");
            return report.findings.push(Finding::error(&shown, line, "encoding", msg));
        }
    };
    warn_mojibake(&shown, &text, report);
    if Thesaurus::is_thesaurus_file(path) {
        match Thesaurus::parse(&text) {
            Ok(thesaurus) => report.thesaurus.extend(thesaurus),
            Err(e) => report.findings.push(Finding::error(&shown, e.line, "thesaurus", e.message)),
        }
    } else if path.to_string_lossy().to_ascii_lowercase().ends_with(".md") {
        match parse_guide(&text, &shown) {
            Ok(guide) => report.guides.push(guide),
            Err(e) => report.findings.push(Finding::error(&shown, e.line(), "parse", e.to_string())),
        }
    } else {
        match parse_catalog(&text, &shown) {
            Ok(guides) => report.guides.extend(guides),
            Err(e) => report.findings.push(Finding::error(&shown, e.line, "catalog", e.message)),
        }
    }
}

fn warn_mojibake(path: &Path, text: &str, report: &mut LoadReport) {
    for (i, line) in text.lines().enumerate() {
        if mojibake::has_mojibake(line) {
            let fixed = mojibake::repair(line);
            let msg = format!("mojibake (UTF-8 read as Windows-1252), repaired at load; write it as: {}", fixed.trim());
            report.findings.push(Finding::warning(path, i + 1, "mojibake", msg));
        }
    }
}

/// A full guide wins over a short entry for the same code; two of the same kind is an error and
/// the later one is skipped.
fn dedupe(report: &mut LoadReport) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut keep: Vec<Option<Guide>> = Vec::with_capacity(report.guides.len());
    for guide in std::mem::take(&mut report.guides) {
        let key = guide.code.key().to_string();
        match seen.get(&key).copied() {
            None => {
                seen.insert(key, keep.len());
                keep.push(Some(guide));
            }
            Some(at) => {
                let first = keep[at].as_ref().expect("kept guides stay present");
                if first.kind == GuideKind::Short && guide.kind == GuideKind::Full {
                    keep[at] = Some(guide);
                } else if first.kind == guide.kind {
                    let msg = format!(
                        "duplicate code {} (first defined in {}:{})",
                        guide.code,
                        first.source.display(),
                        first.line
                    );
                    report.findings.push(Finding::error(&guide.source, guide.line, "duplicate-code", msg));
                }
            }
        }
    }
    report.guides = keep.into_iter().flatten().collect();
}
