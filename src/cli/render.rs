//! Terminal rendering of an answer: headings, bullets, numbered steps with sub-steps, links.
//! Colour (bold headings, dim notes) only when the caller says so (a TTY without NO_COLOR).

use std::fmt::Write;

use crate::answer::{Answer, Hit, Match, Outcome};
use crate::kb::{Block, Guide, Item, Section, Span, plain};

struct Style {
    color: bool,
}

impl Style {
    fn bold(&self, text: &str) -> String {
        if self.color { format!("\x1b[1m{text}\x1b[0m") } else { text.to_string() }
    }
    fn dim(&self, text: &str) -> String {
        if self.color { format!("\x1b[2m{text}\x1b[0m") } else { text.to_string() }
    }
}

/// The whole answer as terminal text.
pub fn answer(answer: &Answer, base_url: &str, color: bool) -> String {
    let style = Style { color };
    let base = base_url.trim_end_matches('/');
    let mut out = String::new();
    match &answer.outcome {
        Outcome::Found { best, alternatives } => {
            if let Some(why) = answer.why() {
                let _ = writeln!(out, "{}\n", style.dim(&why));
            }
            guide(&mut out, best, base, &style);
            if !alternatives.is_empty() {
                let _ = writeln!(out, "\n{}", style.bold("Also relevant"));
                list_hits(&mut out, alternatives, base);
            }
        }
        Outcome::Ambiguous { candidates } => {
            let _ = writeln!(out, "{}", style.bold("Several guides match; did you mean:"));
            list_hits(&mut out, candidates, base);
        }
        Outcome::NotFound { code, suggestions } => {
            match code {
                Some(code) => {
                    let _ = writeln!(out, "{}", style.bold(&format!("No guide for {code} in this knowledge base.")));
                }
                None => {
                    let _ = writeln!(out, "{}", style.bold("No guide matches that question."));
                }
            }
            if let Some(url) = answer.lookup_url() {
                let _ = writeln!(out, "Official lookup: {url}");
            }
            if !suggestions.is_empty() {
                let _ = writeln!(out, "\n{}", style.bold("Did you mean"));
                list_hits(&mut out, suggestions, base);
            }
        }
    }
    out
}

fn list_hits(out: &mut String, hits: &[Hit], base: &str) {
    for hit in hits {
        let short = if hit.guide.is_short() { " (short entry)" } else { "" };
        let _ = writeln!(out, "  - {}{short}\n    {base}/guides/{}", hit.guide.title(), hit.guide.code);
        if let Some(pick) = &hit.guide.meta.pick_if {
            let _ = writeln!(out, "    this one if {pick}");
        }
    }
}

fn guide(out: &mut String, hit: &Hit, base: &str, style: &Style) {
    let g: &Guide = &hit.guide;
    let _ = writeln!(out, "{}", style.bold(&g.title()));
    let how = match hit.matched {
        Match::Code => "matched by code",
        Match::Legacy => "matched by an older code this guide now covers",
        Match::Message => "matched by Entra's own message",
        Match::Text => "best match for your words",
    };
    let short = if g.is_short() { "short entry; " } else { "" };
    let _ = writeln!(out, "{}", style.dim(&format!("({short}{how})")));
    for para in &g.intro {
        let _ = writeln!(out, "\n{}", plain(para));
    }
    for section in &g.sections {
        write_section(out, section, style);
    }
    let _ = writeln!(out);
    if let Some(url) = g.lookup_url() {
        let _ = writeln!(out, "Official lookup: {url}");
    }
    let _ = writeln!(out, "Full guide: {base}/guides/{}", g.code);
}

fn write_section(out: &mut String, section: &Section, style: &Style) {
    let _ = writeln!(out, "\n{}", style.bold(&section.heading));
    for block in &section.blocks {
        match block {
            Block::Paragraph { spans } => {
                let _ = writeln!(out, "  {}", inline(spans));
            }
            Block::List { ordered, items } => write_items(out, items, *ordered, 1),
            Block::Code { text, .. } => {
                for line in text.lines() {
                    let _ = writeln!(out, "      {line}");
                }
            }
        }
    }
}

fn write_items(out: &mut String, items: &[Item], ordered: bool, depth: usize) {
    let pad = "   ".repeat(depth);
    for (i, item) in items.iter().enumerate() {
        let marker = if ordered { format!("{}.", i + 1) } else { "-".to_string() };
        let _ = writeln!(out, "{pad}{marker} {}", inline(&item.spans));
        for code in &item.code {
            for line in code.lines() {
                let _ = writeln!(out, "{pad}      {line}");
            }
        }
        write_items(out, &item.children, item.ordered_children, depth + 1);
    }
}

/// Inline spans as plain terminal text; links show their URL.
fn inline(spans: &[Span]) -> String {
    let mut s = String::new();
    for span in spans {
        match span {
            Span::Link { text, url } if text.trim() != url => {
                let _ = write!(s, "{text} <{url}>");
            }
            Span::Code { text } => {
                let _ = write!(s, "`{text}`");
            }
            other => s.push_str(other.text()),
        }
    }
    s.trim().to_string()
}
