//! Pure rendering of domain values into Discord message text, within Discord's limits.

use crate::domain::rubric::Score;
use crate::store::SavedAnswer;

/// Discord's limit on a message's content, in characters.
pub const MESSAGE_LIMIT: usize = 2000;
/// A quoted tip longer than this is shortened so that the whole reply fits one message.
const TIP_LIMIT: usize = 500;

/// The reply to `/score`: the verdict, the breakdown, the red flags and the tips.
pub fn score_reply(score: &Score) -> String {
    let mut out = verdict(score);
    out.push_str("\n-# Not saved: use /answer to keep it in your history.");
    fit(out)
}

/// The reply to a saved answer: the verdict, then what was saved and how the score moved.
pub fn answer_reply(score: &Score, saved: &SavedAnswer, daily: bool) -> String {
    let mut out = verdict(score);
    out.push('\n');
    match saved.previous_total {
        Some(previous) => {
            let change = i32::from(score.total) - i32::from(previous);
            out.push_str(&format!(
                "✅ Saved revision {} ({previous} → {}, {change:+}).",
                saved.revision, score.total
            ));
        }
        None if daily => out.push_str("✅ Saved as your answer to today's prompt. Revise it any time before the window closes."),
        None => out.push_str("✅ Saved as a practice answer."),
    }
    fit(out)
}

fn verdict(score: &Score) -> String {
    let mut out = format!("**{}/100** · {}\n", score.total, score.band.label());
    let breakdown: Vec<String> = score
        .dimensions
        .iter()
        .map(|(name, dimension)| {
            format!(
                "{} {}/{}",
                dimension_label(name),
                dimension.score,
                dimension.max
            )
        })
        .collect();
    out.push_str(&breakdown.join(" · "));
    out.push('\n');
    if !score.flags.is_empty() {
        let flags: Vec<&str> = score.flags.iter().map(|flag| flag.label()).collect();
        out.push_str(&format!("⚠️ Red flags: {}\n", flags.join("; ")));
    }
    for tip in score.tips() {
        out.push_str(&format!("💡 {}\n", shorten(tip, TIP_LIMIT)));
    }
    out.push_str(&format!("-# rubric {}", score.rubric_version));
    out
}

/// A dimension's key as members read it.
pub fn dimension_label(key: &str) -> &str {
    match key {
        "customer_focus" => "Customer focus",
        "ownership" => "Ownership",
        "action" => "Action",
        "result" => "Result",
        "structure" => "Structure",
        "authenticity" => "Authenticity",
        "reflection" => "Reflection",
        other => other,
    }
}

/// Shortens to at most `limit` characters, ending with an ellipsis when cut.
pub fn shorten(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_owned();
    }
    let kept: String = text.chars().take(limit.saturating_sub(1)).collect();
    format!("{}…", kept.trim_end())
}

fn fit(text: String) -> String {
    shorten(&text, MESSAGE_LIMIT)
}

/// A thread name from the question: Discord allows 100 characters.
pub fn thread_name(question: &str) -> String {
    shorten(question, 90)
}
