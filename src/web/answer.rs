//! The search page: a labelled box for a pasted error, log or code (a plain GET form), and the
//! answer below it: the best guide with its numbered resolution steps, alternatives, "did you
//! mean" suggestions, and Microsoft's lookup link.

use maud::{Markup, html};

use super::guide;
use crate::answer::{Answer, Hit, MAX_QUESTION_CHARS, Outcome};

fn form(q: &str) -> Markup {
    html! {
        form class="search" method="get" action="/" role="search" {
            label for="q" { "Paste an error message, a log or a code" }
            textarea id="q" name="q" rows="4" spellcheck="false" autocapitalize="off"
                placeholder="AADSTS7000215: Invalid client secret provided…" { (q) }
            p class="hint" id="q-hint" { "Secrets, e-mail addresses and IDs are masked before anything is logged." }
            button class="primary" type="submit" { "Explain" }
        }
    }
}

/// The search page with `answer` below the form (none for an empty query).
pub fn search_page(q: &str, answer: Option<&Answer>, base: &str) -> Markup {
    html! {
        h1 { "Explain an error" }
        (form(q))
        @if let Some(answer) = answer {
            section aria-live="polite" aria-label="Answer" {
                @if q.chars().count() > MAX_QUESTION_CHARS {
                    p class="notice" { "Only the first " (MAX_QUESTION_CHARS) " characters were read." }
                }
                (outcome(answer, base))
            }
        }
    }
}

/// The answer part of the search page as an HTML fragment (what snapshots and tests look at).
pub fn answer_html(answer: &Answer, base: &str) -> String {
    outcome(answer, base).into_string()
}

fn outcome(answer: &Answer, base: &str) -> Markup {
    html! {
        @match &answer.outcome {
            Outcome::Found { best, alternatives } => {
                @if let Some(why) = answer.why() { p class="why" { (why) } }
                (best_card(best))
            (super::feedback::form(best.guide.code.as_str(), &answer.query))
                @if !alternatives.is_empty() { h2 { "Also relevant" } (hit_list(alternatives)) }
            }
            Outcome::Ambiguous { candidates } => {
                h2 { "Several guides could match" }
                p { "Pick the one that fits:" }
                (hit_list(candidates))
            }
            Outcome::NotFound { code, suggestions } => {
                div class="card" {
                    @match code {
                        Some(code) => h2 { "No guide for " (code) " yet" },
                        None => h2 { "No matching guide" },
                    }
                    @if answer.query.chars().count() > 80 {
                        p { "No guide in this knowledge base matches that message yet; it is listed for the admins as unanswered." }
                    } @else {
                        p { "Try pasting the whole error message, including the code (for example AADSTS50011)." }
                    }
                }
                @if !suggestions.is_empty() { h2 { "Did you mean" } (hit_list(suggestions)) }
            }
        }
        @if let Some(url) = answer.lookup_url() {
            p class="actions" { a href=(url) rel="noopener noreferrer" { "Microsoft's lookup for this code" } }
        }
        p class="meta" { "JSON of this answer: " a href={ (base) "/api/v1/answer?q=" (encode(&answer.query)) } { "/api/v1/answer" } }
    }
}

fn best_card(hit: &Hit) -> Markup {
    let g = &hit.guide;
    let steps = g.steps();
    html! {
        article class="card best" {
            h2 { a href={ "/guides/" (g.code) } { (g.title()) } }
            @if let Some(who) = crate::kb::who_fixes_sentence(g.meta.who_fixes.as_deref()) { p class="meta" { "Who fixes it: " (who) } }
            @if steps.is_empty() {
                @for para in g.intro.iter().take(2) { p { (guide::spans(para)) } }
            } @else {
                h3 { "Steps to resolve" }
                ol class="steps" { @for step in steps { (guide::item(step)) } }
            }
            p class="actions" { a href={ "/guides/" (g.code) } { "Full guide: causes, diagnostics and references" } }
        }
    }
}

fn hit_list(hits: &[Hit]) -> Markup {
    html! {
        ul class="guides" {
            @for hit in hits {
                li {
                    a class="code" href={ "/guides/" (hit.guide.code) } { (hit.guide.code) } " — " (hit.guide.meaning)
                    @if let Some(pick) = &hit.guide.meta.pick_if { br; span class="pick" { "This one if " (pick) } }
                }
            }
        }
    }
}

fn encode(text: &str) -> String {
    let short: String = text.chars().take(300).collect();
    percent_encoding::utf8_percent_encode(&short, percent_encoding::NON_ALPHANUMERIC).to_string()
}
