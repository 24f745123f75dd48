//! slack-morphism's typed Block Kit models as a second judge of what errkb renders, on machines
//! without Python: every block must deserialise into a known [`SlackBlock`] variant (a block
//! whose type is unknown, or whose body does not fit its type, lands in `SlackBlock::Unknown`),
//! keep every field it had when serialised back, and a modal or Home view must deserialise into
//! [`SlackView`].
//!
//! Used by the tests on every message, modal and Home view errkb renders. Knows Block Kit JSON
//! and slack-morphism's models, nothing of answers.

use serde_json::Value;
use slack_morphism::blocks::{SlackBlock, SlackView};

/// Every problem slack-morphism's models find in `blocks`, one line each (empty when none).
pub fn block_problems(blocks: &[Value]) -> Vec<String> {
    blocks.iter().enumerate().filter_map(|(i, raw)| block_problem(raw).map(|p| format!("block {i}: {p}"))).collect()
}

fn block_problem(raw: &Value) -> Option<String> {
    let kind = raw.get("type").and_then(Value::as_str).unwrap_or("?");
    let typed = match serde_json::from_value::<SlackBlock>(raw.clone()) {
        Ok(SlackBlock::Unknown(_)) => return Some(format!("{kind} is not a block slack-morphism knows")),
        Ok(typed) => typed,
        Err(e) => return Some(format!("{kind} does not deserialise: {e}")),
    };
    let back = serde_json::to_value(&typed).unwrap_or(Value::Null);
    lost_fields(raw, &back, kind)
}

/// The first field of `raw` that the typed model dropped or changed, as a JSON path.
fn lost_fields(raw: &Value, back: &Value, path: &str) -> Option<String> {
    match (raw, back) {
        (Value::Object(a), Value::Object(b)) => a.iter().find_map(|(k, v)| match b.get(k) {
            Some(w) => lost_fields(v, w, &format!("{path}.{k}")),
            None => Some(format!("{path}.{k} is dropped by the typed model")),
        }),
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            a.iter().zip(b).enumerate().find_map(|(i, (v, w))| lost_fields(v, w, &format!("{path}[{i}]")))
        }
        _ if raw == back => None,
        _ => Some(format!("{path} changes from {raw} to {back}")),
    }
}

/// Every problem in a modal or Home view (`{"type": "modal"|"home", "blocks": [...], ...}`).
pub fn view_problems(view: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Err(e) = serde_json::from_value::<SlackView>(view.clone()) {
        out.push(format!("the view does not deserialise as a SlackView: {e}"));
    }
    let blocks = view.get("blocks").and_then(Value::as_array).cloned().unwrap_or_default();
    out.extend(block_problems(&blocks));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_known_block_passes_and_a_broken_or_unknown_one_is_reported() {
        let ok = json!({"type": "section", "text": {"type": "mrkdwn", "text": "hi"}});
        assert!(block_problems(&[ok]).is_empty());
        let unknown = json!({"type": "sparkles", "text": "x"});
        assert!(
            block_problems(&[unknown])[0].contains("not a block"),
            "{:?}",
            block_problems(&[json!({"type": "sparkles"})])
        );
        let broken = json!({"type": "header"});
        assert!(!block_problems(&[broken]).is_empty());
    }
}
