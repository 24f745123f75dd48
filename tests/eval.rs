//! Retrieval quality on tests/eval/queries.jsonl: top-1 accuracy per kind of query, through the
//! answer layer, against the shipped kb/. Prints every miss.

use std::collections::BTreeMap;
use std::path::Path;

use errkb::answer::{Question, answer};
use errkb::kb::load_dir;
use errkb::search::Engine;

#[derive(serde::Deserialize)]
struct Case {
    kind: String,
    query: String,
    expect: String,
}

const THRESHOLDS: [(&str, f64); 3] = [("pasted", 0.97), ("slash", 0.97), ("described", 0.85)];

#[test]
fn shipped_kb_answers_the_eval_set_at_the_required_top1_accuracy() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let report = load_dir(&root.join("kb")).expect("kb loads");
    let engine = Engine::build(report.guides).expect("index builds");
    let text = std::fs::read_to_string(root.join("tests/eval/queries.jsonl")).expect("eval set");
    let mut totals: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let case: Case = serde_json::from_str(line).unwrap_or_else(|e| panic!("line {}: {e}", n + 1));
        let q = Question::parse(&case.query).expect("non-empty query");
        let a = answer(&engine, &q, 3);
        let top = a.hits().first().map(|h| h.guide.code.to_string()).unwrap_or_default();
        let entry = totals.entry(case.kind.clone()).or_default();
        entry.1 += 1;
        if top == case.expect {
            entry.0 += 1;
        } else {
            let shown: String = case.query.chars().take(110).collect();
            println!(
                "MISS [{}] line {}: expected {} got {:?} ({}) :: {}",
                case.kind,
                n + 1,
                case.expect,
                top,
                a.kind(),
                shown.replace('\n', " ")
            );
        }
    }
    let mut failed = Vec::new();
    for (kind, min) in THRESHOLDS {
        let (ok, total) = totals.get(kind).copied().unwrap_or((0, 0));
        assert!(total > 0, "no {kind} queries in the eval set");
        let acc = ok as f64 / total as f64;
        println!("{kind}: {ok}/{total} = {:.1}% (minimum {:.0}%)", acc * 100.0, min * 100.0);
        if acc < min {
            failed.push(kind);
        }
    }
    let total: usize = totals.values().map(|t| t.1).sum();
    assert!(total >= 200, "the eval set needs at least 200 queries, has {total}");
    assert!(failed.is_empty(), "top-1 accuracy below the threshold for {failed:?}");
}
