//! `errkb probe`: the live credential check from a shell. The secret comes from
//! `ERRKB_PROBE_SECRET`, a no-echo prompt, or standard input, never from argv; a certificate from
//! `--cert` (PEM with `--key`, or a .pfx/.p12 whose password comes from
//! `ERRKB_PROBE_CERT_PASSWORD` or a prompt). Prints the outcome and the matching guide, or the
//! mistakes found before anything was sent; `--quick` needs no secret. Exit codes: 0 the credential works, 1 Entra refused
//! it or could not be reached, 2 nothing was sent (a mistake or a usage error).
//!
//! This is the user's own process with their own secret, so the service's guards (allowed users,
//! shared rate limits, audit) do not apply; `ERRKB_PROBE_AUTHORITY_OVERRIDE` (test only) does.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use secrecy::{SecretSlice, SecretString};
use serde_json::json;
use zeroize::Zeroizing;

use super::{KbArgs, load_engine, render};
use crate::answer::{Question, answer};
use crate::probe::{
    AppStatus, Cloud, CredentialInput, Mistake, Outcome, ProbeInput, Prober, ProberOptions, check_app, preflight,
};

#[derive(Debug, Args)]
pub struct ProbeArgs {
    #[command(flatten)]
    kb: KbArgs,
    /// Directory (tenant) ID or a verified domain of the app's tenant.
    #[arg(long)]
    tenant: String,
    /// The app's Application (client) ID.
    #[arg(long = "client-id")]
    client_id: String,
    /// Which cloud's authority to ask.
    #[arg(long, default_value = "public", value_parser = parse_cloud)]
    cloud: Cloud,
    /// The scope to ask for (default: Microsoft Graph's /.default in that cloud).
    #[arg(long)]
    scope: Option<String>,
    /// Use a certificate instead of a secret: PEM (certificate, and key unless --key) or .pfx/.p12.
    #[arg(long, value_name = "PATH")]
    cert: Option<PathBuf>,
    /// The PEM private key, when it is not in the --cert file.
    #[arg(long, value_name = "PATH", requires = "cert")]
    key: Option<PathBuf>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// No secret: only check that the tenant exists in the cloud and the app is registered in it
    /// (shows as one failed sign-in in the app's sign-in logs).
    #[arg(long, conflicts_with_all = ["cert", "key", "scope"])]
    quick: bool,
}

fn parse_cloud(s: &str) -> Result<Cloud, String> {
    s.parse().map_err(|e: crate::probe::cloud::UnknownCloud| e.to_string())
}

pub fn run(args: ProbeArgs) -> anyhow::Result<ExitCode> {
    if args.quick {
        return quick(&args);
    }
    let credential = credential(&args)?;
    let input = ProbeInput {
        cloud: args.cloud,
        tenant: args.tenant.clone(),
        client_id: args.client_id.clone(),
        credential,
        scope: args.scope.clone(),
    };
    let now = crate::store::system_clock()();
    let ready = match preflight(input, now) {
        Ok(ready) => ready,
        Err(mistakes) => return refused(&mistakes, args.json),
    };
    let prober = prober()?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let outcome = runtime.block_on(prober.probe(&ready, now));
    let what = json!({"cloud": ready.cloud, "tenant": ready.tenant.as_str(), "client_id": ready.client_id, "credential": ready.credential.kind()});
    drop(ready);
    report(&args, &outcome, what)?;
    Ok(if matches!(outcome, Outcome::Valid(_)) { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn prober() -> anyhow::Result<Prober> {
    let options = ProberOptions {
        authority_override: std::env::var("ERRKB_PROBE_AUTHORITY_OVERRIDE").ok().filter(|v| !v.trim().is_empty()),
        ..Default::default()
    };
    Ok(Prober::new(&options)?)
}

/// `--quick`: tenant discovery and the app check, no secret. Exit 0 when the app is registered.
fn quick(args: &ProbeArgs) -> anyhow::Result<ExitCode> {
    let (tenant, client_id) = match check_app(&args.tenant, &args.client_id) {
        Ok(app) => app,
        Err(mistakes) => return refused(&mistakes, args.json),
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let report = runtime.block_on(prober()?.quick_check(args.cloud, &tenant, &client_id));
    let mut out = std::io::stdout().lock();
    if args.json {
        let mut body = serde_json::to_value(&report)?;
        body["lines"] = json!(report.lines());
        body["guide"] = json!(report.guide_code());
        writeln!(out, "{body}")?;
    } else {
        for line in report.lines() {
            writeln!(out, "{line}")?;
        }
        if let Some(code) = report.guide_code() {
            writeln!(out, "More: errkb ask {code}")?;
        }
    }
    Ok(if matches!(report.app_status, AppStatus::Registered) { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn credential(args: &ProbeArgs) -> anyhow::Result<CredentialInput> {
    let Some(path) = &args.cert else { return Ok(CredentialInput::Secret(read_secret("Client secret")?)) };
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let is_pem = bytes.windows(11).any(|w| w == b"-----BEGIN ");
    if !is_pem {
        let bytes = Zeroizing::new(bytes);
        let password = match std::env::var("ERRKB_PROBE_CERT_PASSWORD") {
            Ok(p) => SecretString::from(Zeroizing::new(p).as_str()),
            Err(_) if std::io::stdin().is_terminal() => prompt(".pfx password")?,
            Err(_) => SecretString::from(""),
        };
        return Ok(CredentialInput::Pkcs12 { data: SecretSlice::from(bytes.to_vec()), password });
    }
    // The PEM file may hold the private key too.
    let bytes = Zeroizing::new(bytes);
    let cert = SecretString::from(std::str::from_utf8(&bytes).context("the certificate file is not text")?);
    let key = match &args.key {
        Some(k) => {
            let text = Zeroizing::new(std::fs::read_to_string(k).with_context(|| format!("reading {}", k.display()))?);
            Some(SecretString::from(text.as_str()))
        }
        None => None,
    };
    Ok(CredentialInput::Pem { cert, key })
}

/// `ERRKB_PROBE_SECRET`, else a no-echo prompt on a terminal, else standard input (one trailing
/// line break removed; anything else is kept so the pre-flight checks can name it).
fn read_secret(what: &str) -> anyhow::Result<SecretString> {
    if let Ok(secret) = std::env::var("ERRKB_PROBE_SECRET") {
        return Ok(SecretString::from(Zeroizing::new(secret).as_str()));
    }
    if std::io::stdin().is_terminal() {
        return prompt(what);
    }
    // Read into a buffer of its final size up front, so growing it leaves no unwiped copies.
    let mut raw = Zeroizing::new(String::with_capacity(64 * 1024));
    std::io::stdin().take(64 * 1024).read_to_string(&mut raw).context("reading the secret from standard input")?;
    let trimmed = raw.strip_suffix('\n').map(|s| s.strip_suffix('\r').unwrap_or(s)).unwrap_or(&raw);
    Ok(SecretString::from(trimmed))
}

fn prompt(what: &str) -> anyhow::Result<SecretString> {
    let typed = Zeroizing::new(
        rpassword::prompt_password(format!("{what} (input hidden): ")).context("reading from the terminal")?,
    );
    Ok(SecretString::from(typed.as_str()))
}

fn refused(mistakes: &[Mistake], json: bool) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    if json {
        let list: Vec<_> = mistakes
            .iter()
            .map(|m| json!({"code": m.code(), "field": m.field().as_str(), "message": m.to_string()}))
            .collect();
        writeln!(out, "{}", json!({"outcome": "refused", "sent": false, "mistakes": list}))?;
    } else {
        writeln!(out, "Nothing was sent to Entra. Fix this first:")?;
        for m in mistakes {
            writeln!(out, "  - {m}")?;
        }
    }
    Ok(ExitCode::from(2))
}

fn report(args: &ProbeArgs, outcome: &Outcome, what: serde_json::Value) -> anyhow::Result<()> {
    let code = outcome.guide_code();
    let engine = match &code {
        Some(_) => load_engine(&args.kb).ok(),
        None => None,
    };
    let guide = engine.as_ref().zip(code.as_deref()).and_then(|(e, c)| e.get(c));
    let base = crate::config::public_url_from_env();
    let mut out = std::io::stdout().lock();
    if args.json {
        let mut body = serde_json::to_value(outcome)?;
        body["request"] = what;
        body["guide"] = guide.map_or(
            serde_json::Value::Null,
            |g| json!({"code": g.code.to_string(), "title": g.title(), "url": format!("{base}/guides/{}", g.code)}),
        );
        writeln!(out, "{body}")?;
        return Ok(());
    }
    write!(out, "{}", super::probe_text::outcome(outcome))?;
    if let (Some(engine), Some(code)) = (&engine, &code)
        && let Ok(q) = Question::parse(code)
    {
        let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        writeln!(out)?;
        write!(out, "{}", render::answer(&answer(engine, &q, 1), &base, color))?;
    }
    Ok(())
}
