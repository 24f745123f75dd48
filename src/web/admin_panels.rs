//! The admin page's support panels: per guide (shown, solved, escalated, helpful rate, link
//! clicks, with a solved-versus-stuck bar), per channel (questions, automatic answers,
//! escalations, median time to "Solved") and the 20 guides with the most "Still stuck", the ones
//! to improve next, as server-rendered SVG like the rest of the page.
//!
//! Pure rendering of the store's [`SupportStats`]; knows no SQL, no chat platform's payloads.

use maud::{Markup, html};

use super::admin::bars;
use crate::store::{ChannelSupport, GuideSupport, SupportStats};

/// The three panels for the last `days` days.
pub fn panels(s: &SupportStats, days: i64) -> Markup {
    html! {
        section class="card" id="support-guides" {
            h2 { "Guides in support" }
            p class="meta" { "Last " (days) " days: how often each guide was the answer, and what people did next." }
            @if s.guides.is_empty() { p class="meta" { "Nothing yet." } } @else { div class="scroll" { (guides(&s.guides)) } }
        }
        section class="card" id="support-channels" {
            h2 { "Support channels" }
            p class="meta" { "Answers errkb posted in channels and group chats, and how long people took to say Solved." }
            @if s.channels.is_empty() { p class="meta" { "Nothing yet." } } @else { div class="scroll" { (channels(&s.channels)) } }
        }
        section class="card" id="support-stuck" {
            h2 { "Still stuck: the guides to improve next" }
            p class="meta" { "The guides people were still stuck after, most first." }
            (bars(&stuck_rows(&s.most_stuck), "bar gap", None, 760.0))
        }
    }
}

fn stuck_rows(rows: &[(String, i64)]) -> Vec<(String, f64, String)> {
    rows.iter().map(|(code, n)| (code.clone(), *n as f64, n.to_string())).collect()
}

fn guides(rows: &[GuideSupport]) -> Markup {
    html! {
        table class="stats" {
            thead { tr {
                th { "Guide" } th { "Shown" } th { "Solved" } th { "Still stuck" } th { "Helpful" } th { "Link clicks" }
                th { "Solved / stuck" }
            } }
            tbody { @for g in rows { tr {
                td { a href={ "/guides/" (g.guide_code) } { (g.guide_code) } }
                td class="n" { (g.shown) }
                td class="n" { (g.solved) }
                td class="n" { (g.escalated) }
                td class="n" { @match g.helpful_rate() { Some(rate) => { (format!("{:.0}%", rate * 100.0)) " of " (g.votes) }, None => { "–" } } }
                td class="n" { (g.link_clicks) }
                td { (split_bar(g.solved, g.escalated)) }
            } } }
        }
    }
}

fn channels(rows: &[ChannelSupport]) -> Markup {
    html! {
        table class="stats" {
            thead { tr {
                th { "Channel" } th { "Platform" } th { "Questions" } th { "Automatic" } th { "Escalations" }
                th { "Median time to Solved" }
            } }
            tbody { @for c in rows { tr {
                td { (label(c)) }
                td { (c.platform) }
                td class="n" { (c.questions) }
                td class="n" { (c.auto_answers) }
                td class="n" { (c.escalations) }
                td class="n" { @match c.median_solve_secs { Some(secs) => { (duration(secs)) " (" (c.solved) ")" }, None => { "–" } } }
            } } }
        }
    }
}

/// `#name` for a Slack channel whose name is known, the name for Teams, else the id.
fn label(c: &ChannelSupport) -> String {
    match (&c.channel_name, c.platform.as_str()) {
        (Some(name), "slack") => format!("#{name}"),
        (Some(name), _) => name.clone(),
        (None, _) => c.channel_id.chars().take(40).collect(),
    }
}

/// Solved (green) against Still stuck (red), 120 px wide.
fn split_bar(solved: i64, stuck: i64) -> Markup {
    let total = (solved + stuck).max(1) as f64;
    let ok = 120.0 * solved as f64 / total;
    html! {
        svg class="chart mini" width="120" height="14" viewBox="0 0 120 14" role="img" aria-label={ (solved) " solved, " (stuck) " still stuck" } {
            @if solved + stuck > 0 {
                rect class="bar ok" x="0" y="2" width=(ok) height="10" { title { (solved) " solved" } }
                rect class="bar gap" x=(ok) y="2" width=(120.0 - ok) height="10" { title { (stuck) " still stuck" } }
            }
        }
    }
}

/// `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`.
pub fn duration(secs: i64) -> String {
    match secs.max(0) {
        s if s < 60 => format!("{s} s"),
        s if s < 3_600 => format!("{} min", s / 60),
        s if s < 86_400 => format!("{} h {} min", s / 3_600, s % 3_600 / 60),
        s => format!("{} d {} h", s / 86_400, s % 86_400 / 3_600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(45), "45 s");
        assert_eq!(duration(720), "12 min");
        assert_eq!(duration(11_100), "3 h 5 min");
        assert_eq!(duration(187_200), "2 d 4 h");
    }

    #[test]
    fn channel_names_and_user_text_are_escaped() {
        let stats = SupportStats {
            channels: vec![ChannelSupport {
                platform: "slack".into(),
                channel_id: "C1".into(),
                channel_name: Some("<script>".into()),
                questions: 3,
                ..Default::default()
            }],
            ..Default::default()
        };
        let html = panels(&stats, 14).into_string();
        assert!(html.contains("#&lt;script&gt;") && !html.contains("<script>"), "{html}");
    }
}
