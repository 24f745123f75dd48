//! Markup of the `/probe` page: the form (cloud, tenant, client id, scope, and a secret or a
//! certificate as PEM or .pfx), the pre-flight mistakes beside it, the outcome, and the pages for
//! a used, expired or unknown link. Never renders a secret: the secret inputs are always empty.

use maud::{Markup, html};

use crate::probe::{Cloud, Field, Mistake, Outcome, Valid};

/// Values to refill after a pre-flight refusal (never the secret).
#[derive(Debug, Default, Clone)]
pub struct Prefill {
    pub cloud: Cloud,
    pub tenant: String,
    pub client_id: String,
    pub scope: String,
    pub use_certificate: bool,
}

fn errors_for(mistakes: &[Mistake], field: Field) -> Markup {
    html! {
        @for m in mistakes.iter().filter(|m| m.field() == field) {
            p class="field-error" role="alert" data-mistake=(m.code()) { (m.to_string()) }
        }
    }
}

/// The form, with the user the link was issued to and any mistakes found.
pub fn form(user_name: &str, action: &str, prefill: &Prefill, mistakes: &[Mistake]) -> Markup {
    html! {
        h1 { "Live credential check" }
        p { "For " strong { (user_name) } ". This link works once and expires 10 minutes after it was issued." }
        p class="hint" {
            "errkb asks Microsoft Entra for an app-only token with these credentials and tells you what Entra said. "
            "The secret or key is sent only to the Entra authority of the cloud you pick, and is never shown, logged or stored."
        }
        @if !mistakes.is_empty() {
            div class="notice" role="alert" id="mistakes" {
                p { strong { "Nothing was sent to Entra. " } "Fix what is marked below and try again:" }
                ul { @for m in mistakes { li data-mistake=(m.code()) { (m.to_string()) } } }
            }
        }
        form class="probe" method="post" action=(action) enctype="multipart/form-data" autocomplete="off" {
            label for="cloud" { "Cloud" }
            select id="cloud" name="cloud" {
                @for c in Cloud::ALL { option value=(c.as_str()) selected[c == prefill.cloud] { (c.label()) } }
            }
            label for="tenant" { "Tenant: directory (tenant) ID or verified domain" }
            input id="tenant" name="tenant" required value=(prefill.tenant) placeholder="contoso.onmicrosoft.com or a GUID" spellcheck="false";
            (errors_for(mistakes, Field::Tenant))
            label for="client_id" { "Application (client) ID" }
            input id="client_id" name="client_id" required value=(prefill.client_id) placeholder="11111111-2222-3333-4444-555555555555" spellcheck="false";
            (errors_for(mistakes, Field::ClientId))
            label for="scope" { "Scope (optional)" }
            input id="scope" name="scope" value=(prefill.scope) placeholder="https://graph.microsoft.com/.default" spellcheck="false";
            (errors_for(mistakes, Field::Scope))
            fieldset {
                legend { "Credential" }
                label { input type="radio" name="credential" value="secret" checked[!prefill.use_certificate]; " Client secret" }
                label { input type="radio" name="credential" value="certificate" checked[prefill.use_certificate]; " Certificate" }
                label for="secret" { "Secret value (the Value column, not the Secret ID)" }
                input id="secret" name="secret" type="password" autocomplete="off" spellcheck="false";
                (errors_for(mistakes, Field::Secret))
                label for="cert_pem" { "Certificate and private key, PEM (or upload a .pfx below)" }
                textarea id="cert_pem" name="cert_pem" rows="4" spellcheck="false" placeholder="-----BEGIN CERTIFICATE-----" {}
                textarea id="key_pem" name="key_pem" rows="4" spellcheck="false" placeholder="-----BEGIN PRIVATE KEY----- (if not above)" {}
                label for="pfx" { ".pfx / .p12 file" }
                input id="pfx" name="pfx" type="file" accept=".pfx,.p12";
                label for="pfx_password" { ".pfx password" }
                input id="pfx_password" name="pfx_password" type="password" autocomplete="off";
                (errors_for(mistakes, Field::Certificate))
            }
            button class="primary" type="submit" id="run" { "Run live check" }
        }
    }
}

/// The outcome, with the guide that explains it.
pub fn outcome(outcome: &Outcome, guide: Option<(&str, &str)>) -> Markup {
    html! {
        h1 { "Live check result" }
        div class={ "card outcome " (outcome.kind()) } id="outcome" data-outcome=(outcome.kind()) {
            p class="summary" { strong { (outcome.summary()) } }
            @match outcome {
                Outcome::Valid(v) => (valid(v)),
                Outcome::Rejected(e) | Outcome::Unreachable { entra: Some(e), .. } => {
                    @if let Outcome::Unreachable { reason, .. } = outcome { p { (reason) } }
                    dl {
                        @if let Some(code) = e.code { dt { "Code" } dd class="code" { "AADSTS" (code) } }
                        dt { "OAuth error" } dd { (e.error) }
                        dt { "Message" } dd { (e.message) }
                        @if let Some(t) = &e.trace_id { dt { "Trace ID" } dd { code { (t) } } }
                        @if let Some(c) = &e.correlation_id { dt { "Correlation ID" } dd { code { (c) } } }
                        @if let Some(t) = &e.timestamp { dt { "Timestamp" } dd { (t) } }
                    }
                    @for h in &e.hints { p class="hint" { (h) } }
                }
                Outcome::Unreachable { reason, .. } => p { (reason) },
            }
        }
        @if let Some((code, title)) = guide {
            p class="actions" { "What it means and how to fix it: " a id="guide" href={ "/guides/" (code) } { (title) } }
        }
        p class="meta" { "This link is now used. Ask errkb for a new one to check again." }
    }
}

fn valid(v: &Valid) -> Markup {
    html! {
        dl {
            @if let Some(a) = &v.app_id { dt { "App (client) ID" } dd { code { (a) } } }
            @if let Some(t) = &v.tenant_id { dt { "Tenant ID" } dd { code { (t) } } }
            @if let Some(a) = &v.audience { dt { "Resource" } dd { (a) } }
            dt { "Authenticated with" } dd { (v.authenticated_with) }
            @if let Some(s) = v.expires_in { dt { "Token lifetime" } dd { (s / 60) " minutes" } }
            dt { "Application permissions" }
            dd id="roles" { @if v.roles.is_empty() { "none" } @else { (v.roles.join(", ")) } }
        }
        @for w in &v.warnings { p class="notice" role="alert" { (w) } }
        p class="hint" { "The token itself is not shown and was not kept." }
    }
}

/// A link that cannot be used (unknown, used, expired, or the probe is off).
pub fn gone(reason: &str) -> Markup {
    html! {
        h1 { "This live-check link cannot be used" }
        p id="gone" { (reason) }
        p { "Ask errkb for a new link with " strong { "Run live check" } " under an answer in Slack or Teams." }
    }
}
