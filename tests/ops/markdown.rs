//! Just enough Markdown and shell for the docs tests: fenced blocks, links outside code, heading
//! anchors as GitHub makes them, tables under a heading, and `sh` lines split into words.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One documentation file, read.
pub struct Doc {
    pub path: PathBuf,
    pub text: String,
}

impl Doc {
    pub fn read(relative: &str) -> Doc {
        let path = repo().join(relative);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{relative}: {e}"));
        Doc { path, text }
    }

    pub fn name(&self) -> String {
        self.path.strip_prefix(repo()).unwrap_or(&self.path).display().to_string()
    }
}

/// The README, CONTRIBUTING.md, every docs/*.md and kb/README.md.
pub fn docs() -> Vec<Doc> {
    let mut names = vec!["README.md".to_string(), "CONTRIBUTING.md".to_string(), "kb/README.md".to_string()];
    for entry in std::fs::read_dir(repo().join("docs")).expect("docs/") {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            names.push(format!("docs/{}", path.file_name().unwrap().to_string_lossy()));
        }
    }
    names.sort();
    names.iter().map(|n| Doc::read(n)).collect()
}

/// A fenced code block: its info string, its body and the line it starts on.
pub struct Block {
    pub info: String,
    pub body: String,
    pub line: usize,
}

pub fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        match (&mut open, trimmed.strip_prefix("```")) {
            (None, Some(info)) => {
                open = Some(Block { info: info.trim().to_string(), body: String::new(), line: i + 1 })
            }
            (Some(_), Some(rest)) if rest.trim().is_empty() => out.extend(open.take()),
            (Some(block), _) => {
                block.body.push_str(line);
                block.body.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

/// The text outside fenced blocks, with inline code spans blanked, line by line.
fn prose(text: &str) -> Vec<(usize, String)> {
    let mut fenced = false;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if !fenced {
            let mut kept = String::new();
            for (n, part) in line.split('`').enumerate() {
                kept.push_str(if n % 2 == 0 { part } else { "" });
            }
            out.push((i + 1, kept));
        }
    }
    out
}

/// Every `[text](target)` and `![alt](target)` target outside code, with its line.
pub fn links(text: &str) -> Vec<(usize, String)> {
    let pattern = regex::Regex::new(r"\]\(([^)\s]+)\)").unwrap();
    prose(text)
        .into_iter()
        .flat_map(|(n, line)| pattern.captures_iter(&line).map(|c| (n, c[1].to_string())).collect::<Vec<_>>())
        .collect()
}

/// The anchors GitHub gives the headings of a Markdown text.
pub fn anchors(text: &str) -> BTreeSet<String> {
    prose_with_code(text)
        .into_iter()
        .filter_map(|line| line.strip_prefix('#').map(|h| h.trim_start_matches('#').trim().to_string()))
        .map(|heading| slug(&heading))
        .collect()
}

fn prose_with_code(text: &str) -> Vec<String> {
    let mut fenced = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced {
            out.push(line.to_string());
        }
    }
    out
}

pub fn slug(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The rows (cells trimmed) of the first table after the heading line `heading`.
pub fn table(text: &str, heading: &str) -> Vec<Vec<String>> {
    let start = text.find(heading).unwrap_or_else(|| panic!("no heading {heading:?}"));
    let rows: Vec<Vec<String>> = text[start..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .map(split_row)
        .collect();
    rows.into_iter().skip(2).collect()
}

/// A table row's cells; `\|` inside a cell is a literal bar.
fn split_row(line: &str) -> Vec<String> {
    let line = line.trim().trim_start_matches('|').trim_end_matches('|').replace("\\|", "\u{1}");
    line.split('|').map(|c| c.trim().replace('\u{1}', "|")).collect()
}

/// The backticked words of a table cell.
pub fn code_spans(cell: &str) -> Vec<String> {
    cell.split('`').enumerate().filter(|(n, _)| n % 2 == 1).map(|(_, s)| s.to_string()).collect()
}

/// The commands of a `sh` block: continuation lines joined, comments and blank lines dropped.
pub fn commands(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in body.lines() {
        let line = line.trim();
        if current.is_empty() && (line.is_empty() || line.starts_with('#')) {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(head) => current.push_str(head),
            None => {
                current.push_str(line);
                out.push(std::mem::take(&mut current));
            }
        }
    }
    out
}

/// A command line split into words as a shell would (quotes removed), up to the first pipe,
/// redirection, `&&`, `&` or comment.
pub fn words(command: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut in_word = false;
    for c in command.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, ' ' | '\t') => {
                if in_word {
                    out.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(word);
    }
    let stop = out.iter().position(|w| ["|", ">", "2>", "&&", "&", "#", "<"].contains(&w.as_str()));
    out.truncate(stop.unwrap_or(out.len()));
    out
}

/// `NAME=value` assignments at the start of a command, and the words after them.
pub fn split_env(words: &[String]) -> (Vec<(String, String)>, Vec<String>) {
    let is_assignment = |w: &String| {
        w.split_once('=').is_some_and(|(k, _)| !k.is_empty() && k.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
    };
    let n = words.iter().take_while(|w| is_assignment(w)).count();
    let env = words[..n].iter().map(|w| w.split_once('=').map(|(k, v)| (k.into(), v.into())).unwrap()).collect();
    (env, words[n..].to_vec())
}

/// True when `path` is inside the repository once `..` are resolved.
pub fn inside_repo(path: &Path) -> bool {
    let root = repo().canonicalize().unwrap();
    path.canonicalize().is_ok_and(|p| p.starts_with(root))
}
