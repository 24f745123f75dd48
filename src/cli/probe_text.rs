//! The probe outcome as terminal text (no secret or token is ever part of an outcome).

use std::fmt::Write;

use crate::probe::{EntraError, Outcome};

pub fn outcome(outcome: &Outcome) -> String {
    let mut s = String::new();
    let mark = if matches!(outcome, Outcome::Valid(_)) { "OK" } else { "FAILED" };
    let _ = writeln!(s, "{mark}: {}", outcome.summary());
    match outcome {
        Outcome::Valid(v) => {
            let field = |s: &mut String, k: &str, v: &Option<String>| {
                if let Some(v) = v {
                    let _ = writeln!(s, "  {k:<22}{v}");
                }
            };
            field(&mut s, "App (client) ID", &v.app_id);
            field(&mut s, "Tenant ID", &v.tenant_id);
            field(&mut s, "Resource", &v.audience);
            let _ = writeln!(s, "  {:<22}{}", "Authenticated with", v.authenticated_with);
            if let Some(secs) = v.expires_in {
                let _ = writeln!(s, "  {:<22}{} minutes", "Token lifetime", secs / 60);
            }
            let roles = if v.roles.is_empty() { "none".to_string() } else { v.roles.join(", ") };
            let _ = writeln!(s, "  {:<22}{roles}", "Application permissions");
            for w in &v.warnings {
                let _ = writeln!(s, "  Warning: {w}");
            }
        }
        Outcome::Rejected(e) => entra(&mut s, e),
        Outcome::Unreachable { entra: Some(e), .. } => entra(&mut s, e),
        Outcome::Unreachable { entra: None, .. } => {}
    }
    s
}

fn entra(s: &mut String, e: &EntraError) {
    let _ = writeln!(s, "  {:<16}{}", "OAuth error", e.error);
    let _ = writeln!(s, "  {:<16}{}", "Message", e.message);
    for (k, v) in [("Trace ID", &e.trace_id), ("Correlation ID", &e.correlation_id), ("Timestamp", &e.timestamp)] {
        if let Some(v) = v {
            let _ = writeln!(s, "  {k:<16}{v}");
        }
    }
    for h in &e.hints {
        let _ = writeln!(s, "  Hint: {h}");
    }
}
