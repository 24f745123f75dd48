//! Short entries: a `*.catalog.yaml` file lists codes that have no full guide yet.
//!
//! Owns the catalog file format and turns each entry into a [`Guide`] of kind `Short`, so search,
//! answers and renderers treat both alike. Knows nothing of Markdown.

use std::path::Path;

use serde::Deserialize;

use super::code::Code;
use super::model::{Block, FrontMatter, Guide, GuideKind, Item, Section, SectionKind, Span};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    #[serde(default)]
    #[allow(dead_code)]
    family: Option<String>,
    entries: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    code: Code,
    meaning: String,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    who_fixes: Option<String>,
    #[serde(default)]
    first_steps: Vec<String>,
    #[serde(default)]
    related: Vec<Code>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    legacy_codes: Vec<Code>,
    #[serde(default)]
    messages: Vec<String>,
    #[serde(default)]
    pick_if: Option<String>,
    #[serde(default)]
    sources: Vec<String>,
}

/// A catalog file that could not be read; `line` is 1-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct CatalogError {
    pub line: usize,
    pub message: String,
}

/// Parses a catalog file into short guides, with the 1-based line of each entry.
pub fn parse_catalog(text: &str, source: &Path) -> Result<Vec<Guide>, CatalogError> {
    let file: CatalogFile = serde_yaml_ng::from_str(text)
        .map_err(|e| CatalogError { line: e.location().map_or(1, |l| l.line()), message: e.to_string() })?;
    let lines = entry_lines(text);
    Ok(file
        .entries
        .into_iter()
        .enumerate()
        .map(|(i, entry)| entry.into_guide(source, lines.get(i).copied().unwrap_or(1)))
        .collect())
}

/// Line numbers of `- code:` entries, in order.
fn entry_lines(text: &str) -> Vec<usize> {
    text.lines().enumerate().filter(|(_, l)| l.trim_start().starts_with("- code:")).map(|(i, _)| i + 1).collect()
}

impl Entry {
    fn into_guide(self, source: &Path, line: usize) -> Guide {
        let mut sections = Vec::new();
        let who = who_fixes_sentence(self.who_fixes.as_deref());
        if let Some(who) = who {
            sections.push(section(SectionKind::Notes, "Who usually fixes it", line, vec![para(&who)]));
        }
        let steps: Vec<Item> = self.first_steps.iter().map(|s| item(s, line)).collect();
        sections.push(section(
            SectionKind::Resolution,
            "First steps",
            line,
            vec![Block::List { ordered: true, items: steps }],
        ));
        if let Some(url) = self.code.lookup_url() {
            let link = Item {
                spans: vec![Span::Link { text: format!("Official error lookup for {}", self.code), url }],
                line,
                ..Item::default()
            };
            sections.push(section(
                SectionKind::References,
                "Documentation for Reference",
                line,
                vec![Block::List { ordered: false, items: vec![link] }],
            ));
        }
        Guide {
            code: self.code,
            meaning: self.meaning.trim().to_string(),
            kind: GuideKind::Short,
            intro: Vec::new(),
            sections,
            meta: FrontMatter {
                aliases: self.aliases,
                legacy_codes: self.legacy_codes,
                related: self.related,
                tags: Vec::new(),
                category: self.category,
                who_fixes: self.who_fixes,
                messages: self.messages,
                pick_if: self.pick_if,
                sources: self.sources,
            },
            source: source.to_path_buf(),
            line,
        }
    }
}

/// `dev` → "Usually the app's developer (or app registration owner)."
pub fn who_fixes_sentence(who: Option<&str>) -> Option<String> {
    let names: Vec<&str> = who?
        .split([',', '/'])
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(|w| match w.to_ascii_lowercase().as_str() {
            "user" => "the signed-in user",
            "admin" => "a tenant administrator",
            "dev" | "developer" => "the app's developer (app registration owner)",
            "microsoft" => "Microsoft support",
            _ => "the team that owns the app",
        })
        .collect();
    if names.is_empty() {
        return None;
    }
    Some(format!("Usually {}.", names.join(", or ")))
}

fn section(kind: SectionKind, heading: &str, line: usize, blocks: Vec<Block>) -> Section {
    Section { kind, heading: heading.to_string(), anchor: heading.to_lowercase().replace(' ', "-"), line, blocks }
}

fn para(text: &str) -> Block {
    Block::Paragraph { spans: vec![Span::Text { text: text.to_string() }] }
}

fn item(text: &str, line: usize) -> Item {
    Item { spans: vec![Span::Text { text: text.trim().to_string() }], line, ..Item::default() }
}
