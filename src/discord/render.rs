//! Pure rendering of domain values into Discord message text, within Discord's limits.

use chrono::{DateTime, Utc};

use crate::domain::rubric::Score;
use crate::domain::voting::{self, Standing};
use crate::store::{Digest, Results, SavedAnswer};

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

/// A dimension's key as members read it (the rubric owns the names).
pub use crate::domain::rubric::dimension_label;

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

/// How much of an answer a reveal shows before "Full answer".
pub const EXCERPT_CHARS: usize = 900;

/// The start of a revealed answer, and whether it was cut.
pub fn excerpt(body: &str) -> (String, bool) {
    let cut = body.chars().count() > EXCERPT_CHARS;
    (shorten(body, EXCERPT_CHARS), cut)
}

/// The message that opens a reveal.
pub fn reveal_header(answers: usize, voting_closes_at: DateTime<Utc>) -> String {
    match answers {
        0 => {
            "🗳️ The answer window has closed. Nobody shared an answer for voting this time.".into()
        }
        n => format!(
            "🗳️ The answer window has closed. Here {} {n} shared answer{}, anonymised. Vote for the ones that would convince an interviewer: one vote per answer, click again to take it back, and not your own. Voting closes <t:{}:R>.",
            if n == 1 { "is" } else { "are" },
            if n == 1 { "" } else { "s" },
            voting_closes_at.timestamp()
        ),
    }
}

/// The results, most votes first, then the best answer and what made it strong; split into
/// messages that each fit Discord's limit. Authors are mentioned, which shows their names;
/// the caller sends with no allowed mentions, so nobody is pinged.
pub fn results_messages(results: &Results) -> Vec<String> {
    let mut rows: Vec<_> = results.rows.iter().collect();
    rows.sort_by(|a, b| (b.votes, b.total, a.answer_id).cmp(&(a.votes, a.total, b.answer_id)));
    let mut lines = vec![format!(
        "📊 **Voting has closed.** Results for: {}",
        shorten(&results.question_text, 200)
    )];
    if rows.is_empty() {
        lines.push("No answers were shared for voting.".into());
    }
    for row in &rows {
        lines.push(format!(
            "**{}** by <@{}> · {}/100 · {} vote{}",
            row.label,
            row.user_id,
            row.total,
            row.votes,
            if row.votes == 1 { "" } else { "s" }
        ));
    }
    let standings: Vec<Standing> = results
        .rows
        .iter()
        .map(|row| Standing::new(row.answer_id, row.votes, row.total))
        .collect();
    if let Some(best) = voting::best(&standings) {
        let row = results
            .rows
            .iter()
            .find(|row| row.answer_id == best.answer_id)
            .expect("the best answer is one of the rows");
        lines.push(format!(
            "🏆 **Best answer: {}** by <@{}>. {}",
            row.label,
            row.user_id,
            strengths(&row.dimensions)
        ));
    }
    pack(&lines)
}

/// The weekly digest: the week's numbers, then its top answers (ranked by the scheduler, best
/// first) with what made each strong; split into messages that fit Discord's limit. Authors are
/// mentioned by name only: the caller sends with no allowed mentions.
pub fn digest_messages(digest: &Digest) -> Vec<String> {
    let mut lines = vec![format!(
        "📰 **Weekly digest**, week of {}: {} answer{} from {} member{}.",
        digest.week_start.format("%-d %b %Y"),
        digest.answers,
        if digest.answers == 1 { "" } else { "s" },
        digest.members,
        if digest.members == 1 { "" } else { "s" },
    )];
    if digest.candidates.is_empty() {
        lines.push(
            "None of them were shared for voting, so there are no top answers to show this time."
                .into(),
        );
    } else {
        lines.push("**Top answers** (most votes, then the rubric's score):".into());
    }
    for (place, answer) in digest.candidates.iter().enumerate() {
        let medal = ["🥇", "🥈", "🥉"].get(place).copied().unwrap_or("🏅");
        lines.push(format!(
            "{medal} <@{}> · {}/100 · {} vote{} · “{}”\n> {}",
            answer.user_id,
            answer.total,
            answer.votes,
            if answer.votes == 1 { "" } else { "s" },
            shorten(&answer.question_text, 120),
            strengths(&answer.dimensions),
        ));
    }
    lines.push("-# A new week starts: /today shows the current prompt.".into());
    pack(&lines)
}

/// What the rubric saw as an answer's strongest dimensions, with a quote for each.
fn strengths(dimensions: &serde_json::Value) -> String {
    let Some(map) = dimensions.as_object() else {
        return String::new();
    };
    let mut ranked: Vec<(&str, f64, Option<&str>)> = map
        .iter()
        .filter_map(|(key, d)| {
            let score = d["score"].as_f64()?;
            let max = d["max"].as_f64().filter(|m| *m > 0.0)?;
            Some((key.as_str(), score / max, d["evidence"][0].as_str()))
        })
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    let parts: Vec<String> = ranked
        .iter()
        .take(2)
        .map(|(key, _, quote)| match quote {
            Some(quote) => format!("{} (“{}”)", dimension_label(key), shorten(quote, 120)),
            None => dimension_label(key).to_owned(),
        })
        .collect();
    if parts.is_empty() {
        return String::new();
    }
    format!("What made it strong: {}.", parts.join("; "))
}

/// Joins lines into as few messages as fit Discord's limit, never splitting a line.
fn pack(lines: &[String]) -> Vec<String> {
    let mut messages = Vec::new();
    let mut current = String::new();
    for line in lines {
        let line = shorten(line, MESSAGE_LIMIT);
        if !current.is_empty() && current.chars().count() + 1 + line.chars().count() > MESSAGE_LIMIT
        {
            messages.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push('\n');
        }
        current.push_str(&line);
    }
    if !current.is_empty() {
        messages.push(current);
    }
    messages
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ResultRow;

    fn row(answer_id: i64, votes: i64, total: i16) -> ResultRow {
        ResultRow {
            answer_id,
            user_id: 1000 + answer_id,
            label: voting::label(answer_id as usize),
            total,
            band: "demonstrated".into(),
            votes,
            dimensions: serde_json::json!({
                "result": {"score": 18, "max": 20, "evidence": ["cut refunds from nine days to one"]},
                "reflection": {"score": 1, "max": 5, "evidence": []}
            }),
        }
    }

    #[test]
    fn results_for_any_number_of_answers_fit_in_messages_under_the_limit() {
        for n in [0, 1, 5, 60, 400] {
            let results = Results {
                prompt_id: 1,
                channel_id: 2,
                thread_id: None,
                question_text: "Tell me about a time… ".repeat(30),
                rows: (0..n).map(|i| row(i, i % 7, 50)).collect(),
            };
            let messages = results_messages(&results);
            assert!(!messages.is_empty());
            assert!(
                messages.iter().all(|m| m.chars().count() <= MESSAGE_LIMIT),
                "n = {n}"
            );
            let text = messages.join("\n");
            assert_eq!(
                text.matches(" vote").count(),
                n as usize,
                "every answer is listed"
            );
        }
    }

    fn digest(candidates: usize, question: &str) -> Digest {
        Digest {
            guild_id: 1,
            channel_id: 2,
            week_start: chrono::NaiveDate::from_ymd_opt(2026, 11, 16).unwrap(),
            answers: 7,
            members: 4,
            candidates: (0..candidates as i64)
                .map(|i| {
                    let row = row(i, 3 - i, 80);
                    crate::store::DigestAnswer {
                        answer_id: row.answer_id,
                        user_id: row.user_id,
                        question_text: question.into(),
                        total: row.total,
                        band: row.band,
                        votes: row.votes,
                        dimensions: row.dimensions,
                    }
                })
                .collect(),
        }
    }

    #[test]
    fn a_digest_names_the_week_its_top_answers_in_order_and_why_within_the_limit() {
        // (top answers, question, expected in the text)
        let long = "Tell me about a time… ".repeat(200);
        let cases = [
            (
                3,
                "Q",
                vec![
                    "week of 16 Nov 2026",
                    "7 answers from 4 members",
                    "🥇 <@1000>",
                    "🥉 <@1002>",
                    "What made it strong: Result",
                ],
            ),
            (1, "Q", vec!["🥇 <@1000> · 80/100 · 3 votes"]),
            (0, "Q", vec!["None of them were shared"]),
            (3, long.as_str(), vec!["🥈 <@1001>"]),
        ];
        for (n, question, expected) in cases {
            let messages = digest_messages(&digest(n, question));
            assert!(messages.iter().all(|m| m.chars().count() <= MESSAGE_LIMIT));
            let text = messages.join("\n");
            for part in expected {
                assert!(text.contains(part), "{part:?} in {text}");
            }
            assert_eq!(text.matches("What made it strong").count(), n);
        }
    }

    #[test]
    fn the_best_answer_is_named_with_the_rubrics_reasons() {
        let results = Results {
            prompt_id: 1,
            channel_id: 2,
            thread_id: None,
            question_text: "Q".into(),
            rows: vec![row(0, 1, 90), row(1, 4, 60)],
        };
        let text = results_messages(&results).join("\n");
        assert!(text.contains("Best answer: Answer B"), "{text}");
        assert!(
            text.contains("Result (“cut refunds from nine days to one”)"),
            "{text}"
        );
        let first = text.find("**Answer B**").unwrap();
        let second = text.find("**Answer A**").unwrap();
        assert!(first < second, "most votes first: {text}");
    }

    #[test]
    fn long_answers_are_excerpted_and_marked_cut() {
        let (short, cut) = excerpt("I fixed it.");
        assert_eq!((short.as_str(), cut), ("I fixed it.", false));
        let (long, cut) = excerpt(&"é".repeat(4000));
        assert!(cut && long.chars().count() <= EXCERPT_CHARS);
    }
}
