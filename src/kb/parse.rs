//! Markdown → [`Guide`]: front matter, title, sections, lists with nested items, inline spans.
//!
//! The only module that knows pulldown-cmark. It accepts the user's own layout (the seed guide) and
//! looser ones: sections are recognised by heading words at whatever level the author used. It
//! never rejects a guide for a missing optional section; only a missing title code or broken
//! front matter is an error. Knows nothing of files on disk or of the index.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::code::Code;
use super::model::{Block, FrontMatter, Guide, GuideKind, Item, Section, SectionKind, Span};
use super::mojibake;

/// Why a guide could not be parsed; `line` is 1-based in the source file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("line {line}: no `# CODE: meaning` title found")]
    NoTitle { line: usize },
    #[error("line {line}: the title {title:?} does not start with an error code followed by `:`")]
    NoCode { line: usize, title: String },
    #[error("line {line}: front matter: {message}")]
    FrontMatter { line: usize, message: String },
}

impl ParseError {
    pub fn line(&self) -> usize {
        match self {
            ParseError::NoTitle { line } | ParseError::NoCode { line, .. } | ParseError::FrontMatter { line, .. } => {
                *line
            }
        }
    }
}

/// Parses one guide. `source` is recorded on the guide; mojibake is repaired.
pub fn parse_guide(text: &str, source: &std::path::Path) -> Result<Guide, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (meta, body, body_line) = split_front_matter(text)?;
    let body = mojibake::repair(body);
    let raw = RawDoc::build(&body, body_line);
    let (title, title_line) = raw.title.clone().ok_or(ParseError::NoTitle { line: body_line })?;
    let (code, meaning) =
        split_title(&title).ok_or_else(|| ParseError::NoCode { line: title_line, title: title.clone() })?;
    let (intro, sections) = raw.fold_sections();
    Ok(Guide {
        code,
        meaning,
        kind: GuideKind::Full,
        intro,
        sections,
        meta,
        source: source.to_path_buf(),
        line: title_line,
    })
}

/// Splits `CODE: meaning`. The code must parse; the meaning may be empty.
pub fn split_title(title: &str) -> Option<(Code, String)> {
    let (head, rest) = match title.split_once(':') {
        Some((head, rest)) => (head, rest),
        None => (title.split_whitespace().next()?, ""),
    };
    let code = Code::parse(head)?;
    Some((code, rest.trim().to_string()))
}

/// Returns the front matter, the body and the 1-based line the body starts on.
fn split_front_matter(text: &str) -> Result<(FrontMatter, &str, usize), ParseError> {
    let Some(rest) = text.strip_prefix("---\n").or_else(|| text.strip_prefix("---\r\n")) else {
        return Ok((FrontMatter::default(), text, 1));
    };
    let mut offset = 0;
    for (i, line) in rest.split_inclusive('\n').enumerate() {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            let yaml = &rest[..offset];
            let meta = parse_yaml(yaml)?;
            return Ok((meta, &rest[offset + line.len()..], i + 3));
        }
        offset += line.len();
    }
    Err(ParseError::FrontMatter { line: 1, message: "opened with `---` but never closed".into() })
}

fn parse_yaml(yaml: &str) -> Result<FrontMatter, ParseError> {
    if yaml.trim().is_empty() {
        return Ok(FrontMatter::default());
    }
    serde_yaml_ng::from_str(yaml)
        .map_err(|e| ParseError::FrontMatter { line: e.location().map_or(1, |l| l.line() + 1), message: e.to_string() })
}

/// A heading-delimited chunk before sections are folded by level.
struct RawSection {
    level: usize,
    heading: String,
    line: usize,
    blocks: Vec<Block>,
}

#[derive(Default)]
struct RawDoc {
    title: Option<(String, usize)>,
    /// Blocks before any heading below the title.
    lead: Vec<Block>,
    parts: Vec<RawSection>,
}

/// Inline formatting state while walking events.
#[derive(Default)]
struct Inline {
    strong: usize,
    emphasis: usize,
    link: Option<(String, String)>,
}

struct Walker<'a> {
    lines: LineIndex<'a>,
    doc: RawDoc,
    inline: Inline,
    heading: Option<(usize, usize, Vec<Span>)>,
    paragraph: Option<Vec<Span>>,
    lists: Vec<(bool, Vec<Item>)>,
    items: Vec<Item>,
    code: Option<(Option<String>, String)>,
}

impl RawDoc {
    fn build(body: &str, first_line: usize) -> RawDoc {
        let mut walker = Walker {
            lines: LineIndex::new(body, first_line),
            doc: RawDoc::default(),
            inline: Inline::default(),
            heading: None,
            paragraph: None,
            lists: Vec::new(),
            items: Vec::new(),
            code: None,
        };
        for (event, range) in Parser::new_ext(body, Options::empty()).into_offset_iter() {
            let line = walker.lines.line_of(range.start);
            walker.event(event, line);
        }
        walker.doc
    }

    /// Decides which headings are sections: the shallowest level holding a recognised kind.
    /// Shallower headings are wrappers (their text joins the intro); deeper ones become bold
    /// paragraphs inside the section above them.
    fn fold_sections(self) -> (Vec<Vec<Span>>, Vec<Section>) {
        let known = |p: &RawSection| SectionKind::classify(&p.heading) != SectionKind::Generic;
        let level = self
            .parts
            .iter()
            .filter(|p| known(p))
            .map(|p| p.level)
            .min()
            .or_else(|| self.parts.iter().map(|p| p.level).max())
            .unwrap_or(2);
        let mut intro = paragraphs(&self.lead);
        let mut sections: Vec<Section> = Vec::new();
        for part in self.parts {
            if part.level < level || (part.level > level && sections.is_empty()) {
                intro.extend(paragraphs(&part.blocks));
            } else if part.level > level {
                let last = sections.last_mut().expect("checked non-empty");
                let heading = vec![Span::Strong { text: part.heading }];
                last.blocks.push(Block::Paragraph { spans: heading });
                last.blocks.extend(part.blocks);
            } else {
                let anchor = unique_anchor(&part.heading, &sections);
                sections.push(Section {
                    kind: SectionKind::classify(&part.heading),
                    heading: strip_numbering(&part.heading),
                    anchor,
                    line: part.line,
                    blocks: part.blocks,
                });
            }
        }
        (intro, sections)
    }
}

fn paragraphs(blocks: &[Block]) -> Vec<Vec<Span>> {
    blocks
        .iter()
        .filter_map(|b| match b {
            Block::Paragraph { spans } => Some(spans.clone()),
            _ => None,
        })
        .collect()
}

/// `1. Initial Diagnostic Steps` → `Initial Diagnostic Steps`.
fn strip_numbering(heading: &str) -> String {
    let trimmed = heading.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ')');
    let trimmed = trimmed.trim();
    if trimmed.is_empty() { heading.trim().to_string() } else { trimmed.to_string() }
}

fn unique_anchor(heading: &str, sections: &[Section]) -> String {
    let mut slug = String::new();
    for c in strip_numbering(heading).chars() {
        if c.is_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let base = slug.trim_end_matches('-').to_string();
    let base = if base.is_empty() { "section".to_string() } else { base };
    let mut candidate = base.clone();
    let mut n = 2;
    while sections.iter().any(|s| s.anchor == candidate) {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    candidate
}

impl Walker<'_> {
    fn event(&mut self, event: Event<'_>, line: usize) {
        match event {
            Event::Start(tag) => self.start(tag, line),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => self.text(&text),
            Event::Code(text) => self.push_span(Span::Code { text: text.to_string() }),
            Event::SoftBreak | Event::HardBreak => self.text(" "),
            _ => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>, line: usize) {
        match tag {
            Tag::Heading { level, .. } => self.heading = Some((heading_level(level), line, Vec::new())),
            Tag::Paragraph => self.paragraph = Some(Vec::new()),
            Tag::List(start) => self.lists.push((start.is_some(), Vec::new())),
            Tag::Item => self.items.push(Item { line, ..Item::default() }),
            Tag::Strong => self.inline.strong += 1,
            Tag::Emphasis => self.inline.emphasis += 1,
            Tag::Link { dest_url, .. } => self.inline.link = Some((dest_url.to_string(), String::new())),
            Tag::CodeBlock(kind) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(lang) if !lang.is_empty() => Some(lang.to_string()),
                    _ => None,
                };
                self.code = Some((lang, String::new()));
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Heading(_) => self.end_heading(),
            TagEnd::Paragraph => self.end_paragraph(),
            TagEnd::List(_) => self.end_list(),
            TagEnd::Item => {
                if let Some(item) = self.items.pop() {
                    if let Some((_, items)) = self.lists.last_mut() {
                        items.push(item);
                    }
                }
            }
            TagEnd::Strong => self.inline.strong = self.inline.strong.saturating_sub(1),
            TagEnd::Emphasis => self.inline.emphasis = self.inline.emphasis.saturating_sub(1),
            TagEnd::Link => {
                if let Some((url, text)) = self.inline.link.take() {
                    self.push_span(Span::Link { text, url });
                }
            }
            TagEnd::CodeBlock => self.end_code(),
            _ => {}
        }
    }

    fn end_heading(&mut self) {
        let Some((level, line, spans)) = self.heading.take() else { return };
        let text = super::model::plain(&spans);
        if level == 1 && self.doc.title.is_none() {
            self.doc.title = Some((text, line));
        } else {
            self.doc.parts.push(RawSection { level, heading: text, line, blocks: Vec::new() });
        }
    }

    fn end_paragraph(&mut self) {
        let Some(spans) = self.paragraph.take() else { return };
        if let Some(item) = self.items.last_mut() {
            if !item.spans.is_empty() {
                item.spans.push(Span::Text { text: " ".into() });
            }
            item.spans.extend(spans);
        } else if !spans.is_empty() {
            self.push_block(Block::Paragraph { spans });
        }
    }

    fn end_list(&mut self) {
        let Some((ordered, items)) = self.lists.pop() else { return };
        if let Some(parent) = self.items.last_mut() {
            parent.ordered_children = ordered;
            parent.children.extend(items);
        } else {
            self.push_block(Block::List { ordered, items });
        }
    }

    fn end_code(&mut self) {
        let Some((lang, text)) = self.code.take() else { return };
        let text = text.trim_end().to_string();
        if let Some(item) = self.items.last_mut() {
            item.code.push(text);
        } else {
            self.push_block(Block::Code { lang, text });
        }
    }

    fn push_block(&mut self, block: Block) {
        match self.doc.parts.last_mut() {
            Some(part) => part.blocks.push(block),
            None => self.doc.lead.push(block),
        }
    }

    fn text(&mut self, text: &str) {
        if let Some((_, code)) = self.code.as_mut() {
            code.push_str(text);
            return;
        }
        if let Some((_, link_text)) = self.inline.link.as_mut() {
            link_text.push_str(text);
            return;
        }
        let text = text.to_string();
        let span = if self.inline.strong > 0 {
            Span::Strong { text }
        } else if self.inline.emphasis > 0 {
            Span::Emphasis { text }
        } else {
            Span::Text { text }
        };
        self.push_span(span);
    }

    fn push_span(&mut self, span: Span) {
        let sink = if let Some((_, _, spans)) = self.heading.as_mut() {
            spans
        } else if let Some(spans) = self.paragraph.as_mut() {
            spans
        } else if let Some(item) = self.items.last_mut() {
            &mut item.spans
        } else {
            return;
        };
        merge_push(sink, span);
    }
}

/// Appends a span, merging it into the previous one when both are the same plain kind.
fn merge_push(spans: &mut Vec<Span>, span: Span) {
    match (spans.last_mut(), &span) {
        (Some(Span::Text { text: a }), Span::Text { text: b })
        | (Some(Span::Strong { text: a }), Span::Strong { text: b })
        | (Some(Span::Emphasis { text: a }), Span::Emphasis { text: b }) => a.push_str(b),
        _ => spans.push(span),
    }
}

fn heading_level(level: HeadingLevel) -> usize {
    level as usize
}

/// Byte offset → 1-based line number.
struct LineIndex<'a> {
    starts: Vec<usize>,
    first_line: usize,
    _text: std::marker::PhantomData<&'a str>,
}

impl LineIndex<'_> {
    fn new(text: &str, first_line: usize) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts, first_line, _text: std::marker::PhantomData }
    }

    fn line_of(&self, offset: usize) -> usize {
        let idx = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        idx + self.first_line
    }
}
