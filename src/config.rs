//! Configuration: where the knowledge base is and how errkb is reached from outside.
//!
//! Owns defaults and the lookup order for the shipped kb/ (flag, `ERRKB_KB_DIR`, the working
//! directory, then beside the binary). Knows nothing of how the values are used.

use std::path::{Path, PathBuf};

/// The public URL guide links point at when none is configured.
pub const DEFAULT_PUBLIC_URL: &str = "http://localhost:3000";

/// Finds the knowledge base: an explicit directory wins, then `ERRKB_KB_DIR` (read by clap into
/// `explicit`), then `./kb`, then `kb/` beside the binary or up to two levels above it (so
/// `target/release/errkb` finds the repository's kb/).
pub fn resolve_kb_dir(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(dir) = explicit {
        return Some(dir.to_path_buf());
    }
    let cwd = PathBuf::from("kb");
    if cwd.is_dir() {
        return Some(cwd);
    }
    let exe = std::env::current_exe().ok()?;
    exe.ancestors().skip(1).take(3).map(|dir| dir.join("kb")).find(|dir| dir.is_dir())
}

/// errkb's public base URL from `ERRKB_PUBLIC_URL`, or the default.
pub fn public_url_from_env() -> String {
    std::env::var("ERRKB_PUBLIC_URL")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_PUBLIC_URL.to_string())
}
