//! Guide rendering: inline spans, lists with nested items, code blocks with a copy button, a
//! section per anchor, the guide index by category and the "no such guide" page. Only http(s)
//! and mailto links become links; anything else is shown as text.

use std::collections::BTreeMap;
use std::sync::Arc;

use maud::{Markup, html};

use crate::kb::{Block, Guide, GuideKind, Item, Span};
use crate::search::Engine;

pub fn safe_url(url: &str) -> Option<&str> {
    let lower = url.trim().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:"))
        .then_some(url.trim())
}

pub fn spans(spans: &[Span]) -> Markup {
    html! {
        @for span in spans {
            @match span {
                Span::Text { text } => (text),
                Span::Strong { text } => strong { (text) },
                Span::Emphasis { text } => em { (text) },
                Span::Code { text } => code { (text) },
                Span::Link { text, url } => @match safe_url(url) {
                    Some(href) => a href=(href) rel="noopener noreferrer" { (text) },
                    None => (text),
                },
            }
        }
    }
}

/// A command or code block with a copy button the script reveals.
pub fn code_block(lang: Option<&str>, text: &str) -> Markup {
    html! {
        div class="codeblock" data-copy="" {
            button type="button" class="copy" hidden aria-label="Copy to clipboard" { "Copy" }
            pre { code class=[lang.map(|l| format!("language-{l}"))] { (text) } }
        }
    }
}

pub fn item(item: &Item) -> Markup {
    html! {
        li {
            (spans(&item.spans))
            @for text in &item.code { (code_block(None, text)) }
            @if !item.children.is_empty() { (list(item.ordered_children, &item.children)) }
        }
    }
}

pub fn list(ordered: bool, items: &[Item]) -> Markup {
    html! {
        @if ordered { ol { @for i in items { (item(i)) } } } @else { ul { @for i in items { (item(i)) } } }
    }
}

fn block(block: &Block) -> Markup {
    match block {
        Block::Paragraph { spans: s } => html! { p { (spans(s)) } },
        Block::List { ordered, items } => list(*ordered, items),
        Block::Code { lang, text } => code_block(lang.as_deref(), text),
    }
}

/// The whole guide: title, intro, contents, then every section under its own anchor.
pub fn full(guide: &Guide) -> Markup {
    html! {
        h1 { (guide.title()) }
        p class="meta" {
            @if guide.kind == GuideKind::Short { span class="badge" { "short entry" } " " }
            @if let Some(category) = &guide.meta.category { "Category: " (category_label(category)) ". " }
            @if let Some(url) = guide.lookup_url() { a href=(url) rel="noopener noreferrer" { "Microsoft's lookup for this code" } }
        }
        @for para in &guide.intro { p { (spans(para)) } }
        @if guide.sections.len() > 1 {
            nav class="toc" aria-label="Sections" {
                h2 { "Contents" }
                ol { @for s in &guide.sections { li { a href={ "#" (s.anchor) } { (s.heading) } } } }
            }
        }
        @for section in &guide.sections {
            section id=(section.anchor) class={ "kind-" (section.kind.as_str()) } {
                h2 { (section.heading) a class="anchor" href={ "#" (section.anchor) } aria-label={ "Link to " (section.heading) } { "#" } }
                @for b in &section.blocks { (block(b)) }
            }
        }
        @if !guide.meta.related.is_empty() {
            h2 { "Related codes" }
            ul { @for code in &guide.meta.related { li { a href={ "/guides/" (code) } { (code) } } } }
        }
    }
}

/// `app-registration` → `App registration`.
pub fn category_label(raw: &str) -> String {
    let words = raw.trim().replace(['-', '_'], " ");
    let mut chars = words.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Every guide, grouped by category (guides without one last, under "Other").
pub fn index(guides: &[Arc<Guide>]) -> Markup {
    let mut groups: BTreeMap<(bool, String), Vec<&Arc<Guide>>> = BTreeMap::new();
    for g in guides {
        let key = match &g.meta.category {
            Some(c) if !c.trim().is_empty() => (false, category_label(c)),
            _ => (true, "Other".to_string()),
        };
        groups.entry(key).or_default().push(g);
    }
    for list in groups.values_mut() {
        list.sort_by(|a, b| a.code.as_str().cmp(b.code.as_str()));
    }
    html! {
        h1 { "All guides" }
        p class="meta" { (guides.len()) " guides. Full guides have numbered resolution steps; short entries give the meaning and first steps." }
        @for ((_, category), list) in groups {
            section {
                h2 { (category) }
                ul class="guides" {
                    @for g in list {
                        li {
                            a class="code" href={ "/guides/" (g.code) } { (g.code) } " — " (g.meaning)
                            @if g.kind == GuideKind::Short { " " span class="badge" { "short" } }
                        }
                    }
                }
            }
        }
    }
}

/// The body of the 404 page for a code with no guide: near codes, and a search box.
pub fn unknown(code: &str, engine: &Engine) -> Markup {
    let shown: String = code.chars().take(80).collect();
    let near = crate::kb::Code::parse(code).map(|c| engine.near_codes(&c, 5)).unwrap_or_default();
    html! {
        h1 { "No guide for " code { (shown) } }
        p { "errkb has no guide for this code yet." }
        @if !near.is_empty() {
            h2 { "Did you mean" }
            ul class="guides" { @for g in near { li { a class="code" href={ "/guides/" (g.code) } { (g.code) } " — " (g.meaning) } } }
        }
        p { a href={ "/?q=" (percent_encoding::utf8_percent_encode(&shown, percent_encoding::NON_ALPHANUMERIC)) } { "Search for it" } " or browse " a href="/guides" { "all guides" } "." }
    }
}
