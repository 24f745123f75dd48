//! DESIGN.md's dependency rule, checked on the source: the core imports no web, database or
//! template crate; each third-party crate lives in its one module; adapters never import each
//! other.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

fn src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Files under `src/` (outside `allowed_dirs`) whose code mentions `needle` as a path.
fn offenders(needle: &str, allowed_dirs: &[&str]) -> Vec<String> {
    let pattern = format!("{needle}::");
    let use_pattern = format!("use {needle}");
    rust_files(&src())
        .into_iter()
        .filter(|p| {
            let rel = p.strip_prefix(src()).unwrap_or(p).to_string_lossy().replace('\\', "/");
            !allowed_dirs.iter().any(|d| rel.starts_with(d))
        })
        .filter(|p| {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            text.lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .any(|l| l.contains(&pattern) || l.contains(&use_pattern))
        })
        .map(|p| p.display().to_string())
        .collect()
}

#[test]
fn the_core_imports_no_web_database_or_template_crate() {
    let mut checked = 0;
    for dir in ["kb", "search", "answer", "probe"] {
        for file in rust_files(&src().join(dir)) {
            checked += 1;
            let text = std::fs::read_to_string(&file).unwrap();
            for banned in [
                "axum",
                "sqlx",
                "maud",
                "tower_http",
                "crate::http",
                "crate::web",
                "crate::store",
                "crate::slack",
                "crate::teams",
                "crate::app",
                "crate::config",
            ] {
                let hit = text
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("//"))
                    .any(|l| l.contains(&format!("{banned}::")) || l.contains(&format!("use {banned}")));
                assert!(!hit, "{} uses {banned}", file.display());
            }
        }
    }
    assert!(checked >= 10, "only {checked} core files found");
}

#[test]
fn sqlx_lives_in_store_and_maud_in_web() {
    assert!(!offenders("axum", &[]).is_empty(), "the detector finds axum in http/");
    assert_eq!(offenders("sqlx", &["store/"]), Vec::<String>::new());
    assert_eq!(offenders("maud", &["web/"]), Vec::<String>::new());
    assert_eq!(offenders("tantivy", &["search/"]), Vec::<String>::new());
    assert_eq!(offenders("x509_parser", &["probe/cert.rs"]), Vec::<String>::new());
    assert_eq!(offenders("p12_keystore", &["probe/cert.rs"]), Vec::<String>::new());
    for ring in ["ring::signature", "ring::rand"] {
        assert_eq!(offenders(ring, &["probe/cert.rs"]), Vec::<String>::new());
    }
    assert_eq!(offenders("rpassword", &["cli/probe.rs"]), Vec::<String>::new());
}

#[test]
fn slack_and_teams_never_import_each_other() {
    for (dir, other) in [("slack", "crate::teams"), ("teams", "crate::slack")] {
        for file in rust_files(&src().join(dir)) {
            let text = std::fs::read_to_string(&file).unwrap();
            assert!(!text.contains(other), "{} imports {other}", file.display());
        }
    }
}
