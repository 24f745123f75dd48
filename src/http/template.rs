//! JSON templates: a JSON value rendered once with marker characters standing for the text one
//! request adds (the question echoed back, who shared an answer), then filled per request, as a
//! value or straight as serialized bytes, without rendering or serializing the rest again.
//!
//! Owns the markers, where they sit and the filling. Knows serde_json only: the adapters decide
//! what their parts are, render with [`marker`]s in their place, and check that a filled template
//! is what a fresh rendering gives before they cache it.

use std::sync::Arc;

use serde_json::Value;

use super::Cache;

/// Rendered answers as templates by the adapter's shape key (`slack|…`, `teams|…`), per engine
/// generation (a hot reload empties it); `None` for a shape that is rendered afresh every time.
pub type Renderings = Cache<Arc<Option<JsonTemplate>>>;

/// Serialized chat acknowledgements (a slash command's ephemeral reply, the outgoing webhook's
/// card) keyed by their route and question, for one index: a repeated question is answered with
/// the same bytes, shared by reference count, without filling a template again. Only replies
/// that depend on nothing but the question and the process's settings go here.
pub type Replies = Cache<axum::body::Bytes>;

/// Shapes kept at most (a template is some tens of kilobytes).
pub const MAX_RENDERINGS: usize = 1024;

/// The characters standing for part 0, 1, 2 (private-use code points, which serde_json writes
/// as they are).
const MARKERS: [char; 3] = ['\u{E000}', '\u{E001}', '\u{E002}'];

/// The marker standing for part `i` (`i` < 3).
pub fn marker(i: usize) -> String {
    MARKERS[i.min(MARKERS.len() - 1)].to_string()
}

/// One piece of the serialized template: JSON text as is, or a part to put in.
#[derive(Debug)]
enum Piece {
    Json(String),
    Part(usize),
}

/// A JSON value with markers, where they sit, and its serialization cut at them.
#[derive(Debug)]
pub struct JsonTemplate {
    value: Value,
    slots: Vec<String>,
    pieces: Vec<Piece>,
    json_len: usize,
}

impl JsonTemplate {
    pub fn new(value: Value) -> JsonTemplate {
        let mut slots = Vec::new();
        find_slots(&value, &mut String::new(), &mut slots);
        let json = serde_json::to_string(&value).unwrap_or_default();
        JsonTemplate { pieces: pieces(&json), json_len: json.len(), value, slots }
    }

    /// JSON pointers (`/blocks/2/text/text`) of the strings holding a marker, in document order.
    pub fn slots(&self) -> &[String] {
        &self.slots
    }

    /// The value with each marker replaced by its part (a missing part is empty). The parts
    /// themselves are not scanned for markers.
    pub fn value_with(&self, parts: &[&str]) -> Value {
        let mut value = self.value.clone();
        for pointer in &self.slots {
            if let Some(Value::String(s)) = value.pointer_mut(pointer) {
                *s = fill(s, parts);
            }
        }
        value
    }

    /// `serde_json::to_vec(&self.value_with(parts))`, without serializing anything but the parts.
    pub fn bytes_with(&self, parts: &[&str]) -> Vec<u8> {
        // JSON escapes a string character by character, so a part escaped alone is what it
        // would be inside the whole string.
        let escaped: Vec<String> = parts
            .iter()
            .map(|p| {
                let quoted = serde_json::to_string(p).unwrap_or_else(|_| "\"\"".into());
                quoted[1..quoted.len() - 1].to_string()
            })
            .collect();
        let mut out = Vec::with_capacity(self.json_len + escaped.iter().map(String::len).sum::<usize>());
        for piece in &self.pieces {
            match piece {
                Piece::Json(s) => out.extend_from_slice(s.as_bytes()),
                Piece::Part(i) => out.extend_from_slice(escaped.get(*i).map_or("", String::as_str).as_bytes()),
            }
        }
        out
    }
}

fn part<'a>(parts: &[&'a str], c: char) -> Option<&'a str> {
    let i = MARKERS.iter().position(|&m| m == c)?;
    Some(parts.get(i).copied().unwrap_or_default())
}

fn fill(template: &str, parts: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + parts.iter().map(|p| p.len()).sum::<usize>());
    for c in template.chars() {
        match part(parts, c) {
            Some(p) => out.push_str(p),
            None => out.push(c),
        }
    }
    out
}

fn pieces(json: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut rest = json;
    while let Some((at, c)) = rest.char_indices().find(|(_, c)| MARKERS.contains(c)) {
        out.push(Piece::Json(rest[..at].to_string()));
        out.push(Piece::Part(MARKERS.iter().position(|&m| m == c).unwrap_or_default()));
        rest = &rest[at + c.len_utf8()..];
    }
    out.push(Piece::Json(rest.to_string()));
    out
}

fn find_slots(value: &Value, pointer: &mut String, out: &mut Vec<String>) {
    let mut descend = |key: &str, child: &Value| {
        let len = pointer.len();
        pointer.push('/');
        pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
        find_slots(child, pointer, out);
        pointer.truncate(len);
    };
    match value {
        Value::String(s) if s.contains(MARKERS) => out.push(pointer.clone()),
        Value::Array(items) => items.iter().enumerate().for_each(|(i, v)| descend(&i.to_string(), v)),
        Value::Object(map) => map.iter().for_each(|(k, v)| descend(k, v)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_filled_template_is_the_value_rendered_with_the_parts_as_a_value_and_as_bytes() {
        let render = |q: &str, who: &str| json!({"a": [{"t": format!("asked _{q}_")}, {"v": q, "w": who}], "n": 1});
        let template = JsonTemplate::new(render(&marker(0), &marker(1)));
        assert_eq!(template.slots(), ["/a/0/t", "/a/1/v", "/a/1/w"]);
        for (q, who) in [("plain", "<@U1>"), ("\"quotes\" \\ and \n\u{1} controls", ""), ("é ✓ \u{E001}", "x")] {
            let fresh = render(q, who);
            assert_eq!(template.value_with(&[q, who]), fresh);
            assert_eq!(template.bytes_with(&[q, who]), serde_json::to_vec(&fresh).unwrap());
        }
    }

    #[test]
    fn a_template_without_markers_is_its_value() {
        let value = json!({"type": "message", "text": "no parts"});
        let template = JsonTemplate::new(value.clone());
        assert!(template.slots().is_empty());
        assert_eq!(template.value_with(&[]), value);
        assert_eq!(template.bytes_with(&["unused"]), serde_json::to_vec(&value).unwrap());
    }
}
