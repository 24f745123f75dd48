//! Engine benchmarks: loading and indexing the shipped kb/, and answer latency for a code query,
//! a pasted JSON error and a free-text question, on the shipped KB and on a generated 10,000-guide
//! KB. Run with `cargo bench --bench engine`; figures are in the README.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use errkb::answer::{Question, answer};
use errkb::kb::{Guide, load_dir, parse_guide};
use errkb::search::Engine;

fn shipped_kb() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("kb")
}

const WORDS: &[&str] = &[
    "token",
    "secret",
    "certificate",
    "tenant",
    "consent",
    "redirect",
    "policy",
    "device",
    "session",
    "expired",
    "invalid",
    "missing",
    "blocked",
    "federation",
    "password",
    "account",
    "scope",
    "resource",
    "principal",
    "application",
    "grant",
    "refresh",
    "assertion",
    "signature",
    "claim",
    "issuer",
    "audience",
    "endpoint",
    "network",
    "proxy",
    "timeout",
    "throttled",
    "license",
    "role",
    "group",
    "guest",
    "domain",
    "cloud",
];

/// A deterministic pseudo-random guide in the seed's layout.
fn synthetic_guide(n: usize) -> Guide {
    let word = |i: usize| WORDS[(n * 7919 + i * 104_729) % WORDS.len()];
    let sentence = |i: usize| (0..12).map(|k| word(i * 13 + k)).collect::<Vec<_>>().join(" ");
    let template = |i: usize| {
        format!(
            "The {} '{{value}}' was {} for {} {} in {} '{{tenant}}'.",
            word(i),
            word(i + 1),
            word(i + 2),
            word(i + 3),
            word(i + 4)
        )
    };
    let mut md = format!("---\nmessages:\n  - \"{}\"\n  - \"{}\"\n---\n", template(20), template(30));
    md.push_str(&format!("# GEN-{n}: {} {} {}\n\n", word(1), word(2), word(3)));
    md.push_str("#### 1. Initial Diagnostic Steps\n\n");
    for i in 0..3 {
        md.push_str(&format!("- **Check {}**: {}.\n", word(i + 4), sentence(i)));
    }
    md.push_str("\n#### 2. Common Issues that Cause This Error\n\n");
    for i in 3..6 {
        md.push_str(&format!("- **{}**: {}.\n", word(i + 9), sentence(i)));
    }
    md.push_str("\n#### 3. Step-by-Step Resolution Strategies\n\n");
    for i in 6..10 {
        md.push_str(&format!("{}. **Fix {}**:\n   - {}.\n", i - 5, word(i), sentence(i)));
    }
    parse_guide(&md, Path::new("generated.md")).expect("generated guide parses")
}

fn generated_engine(count: usize) -> Engine {
    Engine::build((0..count).map(synthetic_guide).collect()).expect("index builds")
}

fn bench_build(c: &mut Criterion) {
    let dir = shipped_kb();
    c.bench_function("shipped kb: load + parse + index in RAM", |b| {
        b.iter(|| {
            let report = load_dir(&dir).unwrap();
            black_box(Engine::from_report(report).unwrap())
        })
    });
}

fn bench_queries(c: &mut Criterion, label: &str, engine: &Engine, code: &str, text: &str, message: &str) {
    let pasted = r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 0b9f2c8e-3f1d-4a52-9a7e-2a1c3b4d5e6f\r\nCorrelation ID: 5d0c7a60-1b2c-4d3e-8f9a-0b1c2d3e4f50\r\nTimestamp: 2025-01-01 12:00:00Z","error_codes":[7000215]}"#;
    let cases = [
        ("code query", code),
        ("pasted JSON error", pasted),
        ("free-text query", text),
        ("message without code", message),
    ];
    for (name, query) in cases {
        let q = Question::parse(query).unwrap();
        c.bench_function(&format!("{label}: {name}"), |b| b.iter(|| black_box(answer(engine, &q, 3))));
    }
}

fn bench_shipped_queries(c: &mut Criterion) {
    let report = load_dir(&shipped_kb()).unwrap();
    let engine = Engine::from_report(report).unwrap();
    let message = "Sign-in failed. Reason: The redirect URI 'https://app.contoso.com/signin-oidc' specified in the request \
                   does not match the redirect URIs configured for the application 'c3f1a8e2-1b2c-4d5e-8f90-123456789abc'.";
    bench_queries(c, "shipped kb", &engine, "AADSTS50011", "redirect uri doesnt match the one registered", message);
}

fn bench_generated(c: &mut Criterion) {
    let mut group = c.benchmark_group("10k guides");
    group.sample_size(10);
    group.bench_function("build index in RAM", |b| b.iter(|| black_box(generated_engine(10_000))));
    group.finish();
    let engine = generated_engine(10_000);
    let message =
        engine.get("GEN-4242").map(|g| g.meta.messages[0].replace("{value}", "abc").replace("{tenant}", "contoso"));
    let message = format!("sign-in log: {}", message.expect("generated guide has messages"));
    bench_queries(c, "10k guides", &engine, "GEN-4242", "expired client secret certificate for tenant", &message);
}

criterion_group!(benches, bench_build, bench_shipped_queries, bench_generated);
criterion_main!(benches);
