//! The guide model: what a troubleshooting guide is once parsed, independent of Markdown.
//!
//! Owns the types every other part renders from (sections, list items, inline spans, links,
//! front matter). Knows nothing of files, pulldown-cmark, the index or any chat platform.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::code::Code;

/// One parsed guide: a full troubleshooting guide or a short catalog entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Guide {
    pub code: Code,
    /// The one-line meaning after the code in the title.
    pub meaning: String,
    pub kind: GuideKind,
    /// Paragraphs before the first section.
    pub intro: Vec<Vec<Span>>,
    pub sections: Vec<Section>,
    pub meta: FrontMatter,
    /// Where the guide came from (relative to the KB root when possible) and its title line.
    pub source: PathBuf,
    pub line: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GuideKind {
    /// A guide in the six-section layout.
    Full,
    /// A short catalog entry: meaning, who fixes it, first steps.
    Short,
}

/// Metadata from the optional YAML front matter (or a catalog entry).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FrontMatter {
    /// Phrasings people use for this error.
    pub aliases: Vec<String>,
    /// Older codes that now mean this one.
    pub legacy_codes: Vec<Code>,
    pub related: Vec<Code>,
    pub tags: Vec<String>,
    pub category: Option<String>,
    pub who_fixes: Option<String>,
    /// Entra's own message texts for this code, quoted verbatim with `{placeholder}` holes
    /// (`The redirect URI '{redirectUri}' specified in the request does not match ...`). They are
    /// the server's output, matched in pastes with or without the code.
    pub messages: Vec<String>,
    /// One line telling this guide apart from its neighbours: "this one if ..." (shown when an
    /// answer offers several candidates).
    pub pick_if: Option<String>,
    /// Where the code was seen (for codes outside Microsoft's error-code page): a doc, a library
    /// source, an issue thread.
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub kind: SectionKind,
    pub heading: String,
    /// A URL fragment for the section, unique within the guide.
    pub anchor: String,
    pub line: usize,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    Diagnostics,
    Causes,
    Resolution,
    Notes,
    References,
    DataCollection,
    Generic,
}

impl SectionKind {
    /// Recognises a section by the words of its heading.
    pub fn classify(heading: &str) -> SectionKind {
        let h = heading.to_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| h.contains(w));
        if has(&["data collection", "collect", "gather", "logs to"]) {
            SectionKind::DataCollection
        } else if has(&["reference", "documentation", "further reading", "see also", "links"]) {
            SectionKind::References
        } else if has(&["diagnos", "symptom", "investigat", "check first"]) {
            SectionKind::Diagnostics
        } else if has(&["cause", "common issue", "why ", "reason"]) {
            SectionKind::Causes
        } else if has(&["resolution", "resolve", "fix", "solution", "remediat", "workaround", "first step"]) {
            SectionKind::Resolution
        } else if has(&["note", "consideration", "tip", "caveat"]) {
            SectionKind::Notes
        } else {
            SectionKind::Generic
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SectionKind::Diagnostics => "diagnostics",
            SectionKind::Causes => "causes",
            SectionKind::Resolution => "resolution",
            SectionKind::Notes => "notes",
            SectionKind::References => "references",
            SectionKind::DataCollection => "data_collection",
            SectionKind::Generic => "generic",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    Paragraph { spans: Vec<Span> },
    List { ordered: bool, items: Vec<Item> },
    Code { lang: Option<String>, text: String },
}

/// A list item: its own text, and nested items kept as children.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub spans: Vec<Span>,
    /// Code blocks written inside the item.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub code: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Item>,
    pub ordered_children: bool,
    pub line: usize,
}

/// Inline text with the formatting renderers care about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Span {
    Text { text: String },
    Strong { text: String },
    Emphasis { text: String },
    Code { text: String },
    Link { text: String, url: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub text: String,
    pub url: String,
    pub line: usize,
}

impl Span {
    pub fn text(&self) -> &str {
        match self {
            Span::Text { text }
            | Span::Strong { text }
            | Span::Emphasis { text }
            | Span::Code { text }
            | Span::Link { text, .. } => text,
        }
    }
}

/// Plain text of a run of spans.
pub fn plain(spans: &[Span]) -> String {
    spans.iter().map(Span::text).collect::<String>().trim().to_string()
}

impl Item {
    /// The item's plain text, without its children.
    pub fn text(&self) -> String {
        plain(&self.spans)
    }

    /// A leading bold label without its trailing colon (`**Check the secret**: ...`).
    pub fn label(&self) -> Option<String> {
        match self.spans.iter().find(|s| !s.text().trim().is_empty())? {
            Span::Strong { text } => Some(text.trim().trim_end_matches(':').trim().to_string()),
            _ => None,
        }
    }

    /// The text after the bold label, with leading `:` or `-` removed.
    pub fn body(&self) -> String {
        let text = self.text();
        match self.label() {
            Some(label) => {
                let rest = text.split_once(label.as_str()).map_or("", |(_, rest)| rest);
                rest.trim_start_matches([':', ' ', '-', '\u{2013}']).trim().to_string()
            }
            None => text,
        }
    }

    /// This item's text and all descendants', one per line.
    pub fn all_text(&self) -> String {
        let mut out = self.text();
        for child in &self.children {
            out.push('\n');
            out.push_str(&child.all_text());
        }
        out
    }
}

impl Section {
    /// The top-level list items of the section, in order.
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.blocks.iter().flat_map(|b| match b {
            Block::List { items, .. } => items.as_slice(),
            _ => &[],
        })
    }

    /// Every link in the section, including nested items.
    pub fn links(&self) -> Vec<Link> {
        let mut out = Vec::new();
        for block in &self.blocks {
            match block {
                Block::Paragraph { spans } => collect_links(spans, 0, &mut out),
                Block::List { items, .. } => items.iter().for_each(|i| item_links(i, &mut out)),
                Block::Code { .. } => {}
            }
        }
        out
    }

    /// The section's plain text (paragraphs, items and code), for indexing.
    pub fn text(&self) -> String {
        let mut parts = Vec::new();
        for block in &self.blocks {
            match block {
                Block::Paragraph { spans } => parts.push(plain(spans)),
                Block::List { items, .. } => parts.extend(items.iter().map(Item::all_text)),
                Block::Code { text, .. } => parts.push(text.clone()),
            }
        }
        parts.join("\n")
    }
}

fn item_links(item: &Item, out: &mut Vec<Link>) {
    collect_links(&item.spans, item.line, out);
    item.children.iter().for_each(|c| item_links(c, out));
}

fn collect_links(spans: &[Span], line: usize, out: &mut Vec<Link>) {
    for span in spans {
        if let Span::Link { text, url } = span {
            out.push(Link { text: text.clone(), url: url.clone(), line });
        }
    }
}

impl Guide {
    /// `AADSTS50011: The redirect URI ... does not match`.
    pub fn title(&self) -> String {
        format!("{}: {}", self.code, self.meaning)
    }

    pub fn section(&self, kind: SectionKind) -> Option<&Section> {
        self.sections.iter().find(|s| s.kind == kind)
    }

    /// Resolution steps: the items of the resolution section.
    pub fn steps(&self) -> Vec<&Item> {
        self.sections.iter().filter(|s| s.kind == SectionKind::Resolution).flat_map(|s| s.items()).collect()
    }

    /// Every link in the guide, in order.
    pub fn links(&self) -> Vec<Link> {
        let mut out = Vec::new();
        for spans in &self.intro {
            collect_links(spans, self.line, &mut out);
        }
        for section in &self.sections {
            out.extend(section.links());
        }
        out
    }

    /// Links of the references section, or every link when there is none.
    pub fn reference_links(&self) -> Vec<Link> {
        match self.section(SectionKind::References) {
            Some(section) => section.links(),
            None => self.links(),
        }
    }

    /// The official lookup URL for this guide's code, when its family has one.
    pub fn lookup_url(&self) -> Option<String> {
        self.code.lookup_url()
    }

    pub fn is_short(&self) -> bool {
        self.kind == GuideKind::Short
    }
}
