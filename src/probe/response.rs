//! Reading the token endpoint's answer: the success body (its access token decoded for display
//! only, then dropped) or the error body (`error`, `error_codes`, `error_description` in both
//! line-break styles, trace and correlation ids, timestamp, `suberror`, `claims`), per the
//! research notes, section (a). Unknown fields are ignored; nothing here panics on any bytes.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::Value;

use super::outcome::{EntraError, Outcome, Valid};

#[derive(Deserialize, Default)]
#[serde(default)]
struct ErrorBody {
    error: String,
    error_description: String,
    error_codes: Vec<Value>,
    timestamp: Option<String>,
    trace_id: Option<String>,
    correlation_id: Option<String>,
    suberror: Option<String>,
    claims: Option<String>,
}

#[derive(Deserialize)]
struct TokenBody {
    access_token: String,
    #[serde(default)]
    expires_in: Option<Value>,
}

/// The outcome for an HTTP answer with `status`, `retry_after` and `body`. `secret` (when a
/// secret was sent) is redacted from any text Entra echoed, as a last line of defence.
pub fn interpret(status: u16, retry_after: Option<&str>, body: &[u8], secret: Option<&str>) -> Outcome {
    if status == 200 {
        return match serde_json::from_slice::<TokenBody>(body) {
            Ok(token) => Outcome::Valid(valid(&token)),
            Err(_) => Outcome::Unreachable { reason: "HTTP 200 without a token in the body".into(), entra: None },
        };
    }
    let entra = parse_error(status, body, secret);
    if (300..400).contains(&status) {
        let reason = format!("Entra answered with a redirect (HTTP {status}); errkb never follows redirects");
        return Outcome::Unreachable { reason, entra: None };
    }
    if status == 429 || status >= 500 {
        let wait = retry_after.map(|s| format!("; retry after {} s", s.trim())).unwrap_or_default();
        let what = if status == 429 { "Entra is throttling requests" } else { "Entra had trouble" };
        return Outcome::Unreachable { reason: format!("{what} (HTTP {status}{wait})"), entra };
    }
    match entra {
        Some(e) => Outcome::Rejected(e),
        None => Outcome::Unreachable {
            reason: format!("HTTP {status} without an Entra error body (is the authority host right?)"),
            entra: None,
        },
    }
}

/// The Entra error in `body`, if it is one.
pub fn parse_error(status: u16, body: &[u8], secret: Option<&str>) -> Option<EntraError> {
    let raw: ErrorBody = serde_json::from_slice(body).ok()?;
    if raw.error.is_empty() && raw.error_description.is_empty() {
        return None;
    }
    let scrub = |s: String| match secret {
        Some(secret) if !secret.is_empty() => s.replace(secret, "[redacted]"),
        _ => s,
    };
    let description = scrub(raw.error_description);
    let code = raw
        .error_codes
        .iter()
        .find_map(Value::as_u64)
        .and_then(|c| u32::try_from(c).ok())
        .or_else(|| description_code(&description));
    let mut e = EntraError {
        code,
        error: scrub(raw.error),
        message: message_of(&description),
        trace_id: raw.trace_id.or_else(|| labelled(&description, "Trace ID:")),
        correlation_id: raw.correlation_id.or_else(|| labelled(&description, "Correlation ID:")),
        timestamp: raw.timestamp.or_else(|| labelled(&description, "Timestamp:")),
        suberror: raw.suberror,
        claims: raw.claims,
        http_status: status,
        hints: Vec::new(),
    };
    e.hints = hints(&e);
    Some(e)
}

/// `AADSTS<digits>` at the start of the description (a whole number).
fn description_code(description: &str) -> Option<u32> {
    let rest = description.trim_start().strip_prefix("AADSTS")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The message between `AADSTSn: ` and the first of `Trace ID:` / `Correlation ID:` /
/// `Timestamp:`, whichever line-break style separates them.
fn message_of(description: &str) -> String {
    let d = description.trim_start();
    let d = match d.strip_prefix("AADSTS") {
        Some(rest) => rest.trim_start_matches(|c: char| c.is_ascii_digit()).trim_start_matches(':').trim_start(),
        None => d,
    };
    let end = ["Trace ID:", "Correlation ID:", "Timestamp:"].iter().filter_map(|m| d.find(m)).min().unwrap_or(d.len());
    d[..end].split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The value after `label` in the description, up to the next whitespace.
fn labelled(description: &str, label: &str) -> Option<String> {
    let at = description.find(label)? + label.len();
    let rest = description[at..].trim_start();
    let value = if label == "Timestamp:" {
        rest.lines().next().unwrap_or_default().trim().to_string()
    } else {
        rest.split_whitespace().next().unwrap_or_default().to_string()
    };
    (!value.is_empty()).then_some(value)
}

/// Pointers that the code alone does not give.
fn hints(e: &EntraError) -> Vec<String> {
    let mut out = Vec::new();
    let lower = e.message.to_ascii_lowercase();
    if e.code == Some(7000215) && lower.contains("secret id") {
        out.push("Entra's own message says it: send the secret's Value, not its Secret ID.".to_string());
    }
    if let Some(start) = e.message.find("[Reason - ") {
        let reason = &e.message[start + 10..];
        let reason = reason.split(']').next().unwrap_or(reason).trim();
        out.push(format!("Entra's reason: {reason}"));
    }
    if e.claims.is_some() {
        out.push(
            "Entra sent a claims challenge: a Conditional Access policy for workload identities applied; \
             the sign-in logs (service principal sign-ins) name the policy."
                .to_string(),
        );
    }
    out
}

fn valid(token: &TokenBody) -> Valid {
    let claims = decode_claims(&token.access_token).unwrap_or(Value::Null);
    let text = |k: &str| claims.get(k).and_then(Value::as_str).map(str::to_string);
    let roles: Vec<String> = claims
        .get("roles")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default();
    let acr = text("appidacr").or_else(|| text("azpacr"));
    let audience = text("aud");
    let mut warnings = Vec::new();
    if roles.is_empty() {
        warnings.push(format!(
            "The token has no application permissions (roles) for {}: the app signs in, but API calls will fail \
             with 401 or 403 until an admin grants application permissions and consents to them.",
            audience.as_deref().unwrap_or("this resource")
        ));
    }
    Valid {
        app_id: text("appid").or_else(|| text("azp")),
        tenant_id: text("tid"),
        object_id: text("oid"),
        audience,
        roles,
        expires_in: token.expires_in.as_ref().and_then(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok())),
        authenticated_with: match acr.as_deref() {
            Some("1") => "secret",
            Some("2") => "certificate",
            _ => "unknown",
        }
        .into(),
        token_version: text("ver"),
        warnings,
    }
}

/// The JWT's payload as JSON, without verifying anything.
fn decode_claims(jwt: &str) -> Option<Value> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_description_styles_yield_the_same_parts() {
        let crlf = br#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.\r\nTrace ID: t-1\r\nCorrelation ID: c-1\r\nTimestamp: 2025-01-01 12:00:00Z","error_codes":[7000215]}"#;
        let spaces = br#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. Trace ID: t-1 Correlation ID: c-1 Timestamp: 2025-01-01 12:00:00Z"}"#;
        for body in [&crlf[..], &spaces[..]] {
            let e = parse_error(401, body, None).unwrap();
            assert_eq!(e.code, Some(7000215));
            assert_eq!(e.message, "Invalid client secret provided.");
            assert_eq!(e.trace_id.as_deref(), Some("t-1"));
            assert_eq!(e.correlation_id.as_deref(), Some("c-1"));
            assert!(e.timestamp.unwrap().starts_with("2025-01-01 12:00:00Z"));
        }
    }

    #[test]
    fn junk_bodies_are_not_errors_and_never_panic() {
        for body in [&b""[..], b"<html>", b"{}", b"[1,2]", b"{\"error\":5}", &[0xff, 0xfe]] {
            assert_eq!(parse_error(400, body, None), None);
            let _ = interpret(400, None, body, None);
            let _ = interpret(200, None, body, None);
        }
    }
}
