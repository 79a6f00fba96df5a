//! `/export`: everything the bot keeps about a member, as JSON for machines and as Markdown for
//! reading.
//!
//! The JSON is the faithful record: every field as stored, in a fixed order, with answer text
//! untouched. The Markdown is a reading copy. Answer text in it is written so that it renders as
//! the member typed it and never as Markdown or HTML: punctuation that could start Markdown
//! syntax is backslash-escaped, each line break is kept as a hard break, and control characters
//! that could hide or reorder text are shown as `�`.
//!
//! Discord ids (member and server) are written as JSON strings, as Discord's own API does: they
//! exceed the 2^53 integers that JavaScript and many JSON tools can hold exactly.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Serialize, Serializer};

/// One member's complete export.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemberExport {
    #[serde(serialize_with = "as_string")]
    pub user_id: u64,
    pub exported_at: DateTime<Utc>,
    pub settings: ExportedSettings,
    pub answers: Vec<ExportedAnswer>,
    pub votes_cast: Vec<ExportedVote>,
}

/// The member's own settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportedSettings {
    /// IANA time zone chosen with `/timezone`, if any.
    pub timezone: Option<String>,
    pub leaderboard_opt_out: bool,
    pub share_by_default: bool,
}

/// One answer with all of its revisions, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportedAnswer {
    pub answer_id: i64,
    /// `daily` or `practice`.
    pub kind: String,
    #[serde(serialize_with = "as_optional_string")]
    pub guild_id: Option<i64>,
    pub question: Option<String>,
    pub created_at: DateTime<Utc>,
    pub shared: bool,
    pub revisions: Vec<ExportedRevision>,
    pub votes_received: i64,
}

/// One revision of an answer and its score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportedRevision {
    pub revision: i32,
    pub body: String,
    /// `slash`, `modal` or `dm`.
    pub source: String,
    pub created_at: DateTime<Utc>,
    pub rubric_version: String,
    pub total: u8,
    /// As stored, e.g. `strongly_demonstrated`.
    pub band: String,
    /// As stored: `{key: {score, max, evidence, tip}}`.
    pub dimensions: serde_json::Value,
    pub flags: Vec<String>,
}

/// A vote the member gave to someone else's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportedVote {
    pub answer_id: i64,
    pub created_at: DateTime<Utc>,
}

fn as_string<S: Serializer>(id: &u64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(id)
}

fn as_optional_string<S: Serializer>(id: &Option<i64>, serializer: S) -> Result<S::Ok, S::Error> {
    match id {
        Some(id) => serializer.collect_str(id),
        None => serializer.serialize_none(),
    }
}

/// Pretty-printed JSON. Fields appear in declaration order and the stored `dimensions` objects
/// are written in serde_json's own (sorted) key order, so two exports of the same data are
/// byte-for-byte equal.
pub fn to_json(export: &MemberExport) -> String {
    // Serialising can only fail for maps with non-string keys or a failing custom serialiser;
    // these types have neither, so an error here is a bug in this module.
    serde_json::to_string_pretty(export).expect("a member export always serialises")
}

/// Markdown for reading: settings, then a section per answer (date and question), each revision's
/// text as a quotation with its score, band, per-dimension table and flags, then votes cast.
/// Dates are in the member's time zone when one is set, otherwise UTC.
pub fn to_markdown(export: &MemberExport) -> String {
    let tz = export
        .settings
        .timezone
        .as_deref()
        .and_then(|name| name.parse::<Tz>().ok());
    let when = |at: &DateTime<Utc>| match tz {
        Some(tz) => at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
        None => at.format("%Y-%m-%d %H:%M UTC").to_string(),
    };
    let day = |at: &DateTime<Utc>| match tz {
        Some(tz) => at.with_timezone(&tz).format("%Y-%m-%d").to_string(),
        None => at.format("%Y-%m-%d").to_string(),
    };

    let mut out = String::new();
    // Writing to a String cannot fail, so the results of writeln! below are ignored.
    let _ = writeln!(out, "# Your bar-raiser export\n");
    let _ = writeln!(
        out,
        "Member {} · exported {}  ",
        export.user_id,
        when(&export.exported_at)
    );
    let settings = &export.settings;
    let zone = match (&settings.timezone, tz) {
        (Some(name), Some(_)) => format!("times below are in {}", inline(name)),
        (Some(name), None) => format!(
            "{} is not a time zone this export knows, so times below are in UTC",
            inline(name)
        ),
        (None, _) => "none set, so times below are in UTC".to_owned(),
    };
    let _ = writeln!(out, "Time zone: {zone}  ");
    let _ = writeln!(
        out,
        "Leaderboard: {}  ",
        if settings.leaderboard_opt_out {
            "you are left out (`/privacy`)"
        } else {
            "you are listed"
        }
    );
    let _ = writeln!(
        out,
        "Sharing your answers for peer votes by default: {}\n",
        if settings.share_by_default {
            "yes"
        } else {
            "no"
        }
    );

    if export.answers.is_empty() {
        let _ = writeln!(
            out,
            "You have no saved answers yet. Answer today's prompt with `/answer` and it will appear \
             in your next export.\n"
        );
    } else {
        let revisions: usize = export.answers.iter().map(|a| a.revisions.len()).sum();
        let _ = writeln!(
            out,
            "{} · {}\n",
            count(len(export.answers.len()), "answer", "answers"),
            count(len(revisions), "revision", "revisions")
        );
    }

    for answer in &export.answers {
        let question = match &answer.question {
            Some(q) => heading(q),
            None => "(no question recorded)".to_owned(),
        };
        let _ = writeln!(out, "## {} · {}\n", day(&answer.created_at), question);
        let kind = match answer.kind.as_str() {
            "daily" => "Daily prompt".to_owned(),
            "practice" => "Practice question".to_owned(),
            other => inline(other),
        };
        let shared = if answer.shared {
            "shared for peer votes"
        } else {
            "not shared"
        };
        let _ = writeln!(
            out,
            "{kind} · {shared} · {} received\n",
            count(answer.votes_received, "vote", "votes")
        );

        let mut previous: Option<u8> = None;
        for revision in &answer.revisions {
            let change = match previous {
                Some(before) if before != revision.total => {
                    format!(
                        " ({:+} from the previous revision)",
                        i16::from(revision.total) - i16::from(before)
                    )
                }
                Some(_) => " (unchanged from the previous revision)".to_owned(),
                None => String::new(),
            };
            previous = Some(revision.total);
            let _ = writeln!(
                out,
                "### Revision {} · {} · {}\n",
                revision.revision,
                when(&revision.created_at),
                source_name(&revision.source)
            );
            let _ = writeln!(out, "{}\n", quote(&revision.body));
            let _ = writeln!(
                out,
                "**Score: {}/100, {}**{}  ",
                revision.total,
                band_name(&revision.band),
                change
            );
            let _ = writeln!(out, "Rubric version {}\n", inline(&revision.rubric_version));
            out.push_str(&dimension_table(&revision.dimensions));
            if revision.flags.is_empty() {
                let _ = writeln!(out, "No red flags.\n");
            } else {
                let _ = writeln!(out, "Red flags:\n");
                for flag in &revision.flags {
                    let _ = writeln!(out, "- {}", flag_words(flag));
                }
                out.push('\n');
            }
        }
        if answer.revisions.is_empty() {
            let _ = writeln!(out, "No revisions were stored for this answer.\n");
        }
    }

    let _ = writeln!(out, "## Votes you cast\n");
    if export.votes_cast.is_empty() {
        let _ = writeln!(out, "You have not voted on anyone's answer yet.");
    } else {
        for vote in &export.votes_cast {
            let _ = writeln!(
                out,
                "- {}: answer #{}",
                when(&vote.created_at),
                vote.answer_id
            );
        }
    }
    out
}

fn count(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn len(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn source_name(source: &str) -> String {
    match source {
        "slash" => "sent with /answer".to_owned(),
        "modal" => "sent with the answer form".to_owned(),
        "dm" => "sent by direct message".to_owned(),
        other => inline(other),
    }
}

fn band_name(band: &str) -> String {
    match band {
        "strongly_demonstrated" => "Strongly demonstrated".to_owned(),
        "demonstrated" => "Demonstrated".to_owned(),
        "not_yet" => "Not yet".to_owned(),
        other => inline(other),
    }
}

/// A flag key in plain words; an unknown key is shown as written, with spaces for underscores.
fn flag_words(flag: &str) -> String {
    let words = match flag {
        "hypothetical" => "Hypothetical or general: not one real event from your past",
        "we_not_i" => "\"We\" hides what you yourself did",
        "no_metric" => "The result has no measure (a number, a before and after)",
        "no_customer" => "No customer appears in the story",
        "personal_win" => "The story is about your own gain rather than the customer's",
        "blame" => "Blames customers or colleagues",
        "escalation_only" => "Escalating or handing off is presented as ownership",
        "vague" => "Vague: few concrete details",
        "missing_problem" => "The problem is not clear",
        "missing_action" => "Your own action is not clear",
        "missing_result" => "The result is not clear",
        "too_short" => "Too short to tell a full story",
        "too_long" => "Too long: tighten it",
        "keyword_stuffing" => "Buzzwords or numbers without a story",
        other => return inline(&other.replace('_', " ")),
    };
    words.to_owned()
}

/// The rubric's dimensions in contract order; any other stored key follows, alphabetically.
const DIMENSION_ORDER: [&str; 7] = [
    "customer_focus",
    "ownership",
    "action",
    "result",
    "structure",
    "authenticity",
    "reflection",
];

/// A table of the stored per-dimension scores. Stored data from any rubric version is accepted:
/// missing fields show as blanks and a value that is not an object gives a sentence instead.
fn dimension_table(dimensions: &serde_json::Value) -> String {
    let Some(map) = dimensions.as_object().filter(|m| !m.is_empty()) else {
        return "No per-dimension breakdown was stored for this revision.\n\n".to_owned();
    };
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort_by_key(|key| {
        let rank = DIMENSION_ORDER
            .iter()
            .position(|known| known == key)
            .unwrap_or(DIMENSION_ORDER.len());
        (rank, key.as_str())
    });

    let mut out = String::from("| Dimension | Score | Evidence | Tip |\n|---|---|---|---|\n");
    for key in keys {
        let value = &map[key];
        let number = |field: &str| {
            value
                .get(field)
                .and_then(serde_json::Value::as_i64)
                .map_or_else(|| "?".to_owned(), |n| n.to_string())
        };
        let evidence = value
            .get("evidence")
            .and_then(serde_json::Value::as_array)
            .map(|spans| {
                spans
                    .iter()
                    .filter_map(serde_json::Value::as_str)
                    .map(|span| format!("“{}”", cell(span)))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default();
        let tip = value
            .get("tip")
            .and_then(serde_json::Value::as_str)
            .map(cell)
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "| {} | {}/{} | {} | {} |",
            cell(&crate::domain::rubric::dimension_label(key)),
            number("score"),
            number("max"),
            evidence,
            tip
        );
    }
    out.push('\n');
    out
}

/// Characters that can start inline Markdown or HTML anywhere in a line (code spans, emphasis,
/// strikethrough, links and images, raw HTML and autolinks, entities, table cells, and `$` for
/// the maths that GitHub renders). Escaping them with a backslash makes each one literal.
const INLINE_SPECIAL: &[char] = &['\\', '`', '*', '_', '~', '[', ']', '<', '>', '&', '|', '$'];

/// Characters that only matter at the start of a line: headings, block quotes, list markers,
/// thematic breaks and setext underlines.
const LINE_START_SPECIAL: &[char] = &['#', '>', '+', '-', '='];

/// Makes member text one line of literal Markdown (see [`escape_line`]) for running text.
fn inline(text: &str) -> String {
    escape_line(&clean(text).replace('\n', " "), &[])
}

/// Text for a heading: one line, literal, with every `#` escaped too, since trailing `#`s would
/// otherwise close the heading.
fn heading(text: &str) -> String {
    escape_line(&clean(text).replace('\n', " "), &['#'])
}

/// Text for a table cell: one line, literal, and `|` is already escaped by [`escape_line`].
fn cell(text: &str) -> String {
    inline(text)
}

/// Shows characters that cannot be displayed faithfully as U+FFFD and normalises line endings.
///
/// Control characters other than tab and newline have no visible form, and the bidirectional
/// embedding, override and isolate controls make a reader display text in a different order
/// from the one it was written in; the JSON keeps the exact text for anyone who needs it.
fn clean(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .map(|c| match c {
            '\r' | '\u{2028}' | '\u{2029}' => '\n',
            '\t' => ' ',
            '\n' => '\n',
            c if c.is_control() => '\u{FFFD}',
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// Escapes one line (no newline inside) so that CommonMark and GitHub render it literally;
/// `also` names characters to escape wherever they appear, beyond the usual ones.
///
/// Leading and trailing spaces are dropped: four leading spaces would start a code block and two
/// trailing ones a line break, and neither is visible in the text as written.
fn escape_line(line: &str, also: &[char]) -> String {
    let line = line.trim_matches(' ');
    let mut out = String::with_capacity(line.len() + line.len() / 8);
    // An ordered list starts with up to nine digits and `.` or `)`; escaping that punctuation
    // is enough to keep "1986. A good year" a sentence. Digits are ASCII, so their count is
    // also the byte index of the character after them.
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    for (i, c) in line.char_indices() {
        let at_start = i == 0;
        let ends_list_number = digits > 0 && i == digits && (c == '.' || c == ')');
        if INLINE_SPECIAL.contains(&c)
            || also.contains(&c)
            || (at_start && LINE_START_SPECIAL.contains(&c))
            || ends_list_number
        {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Member text as a Markdown block quote that renders as written: every line escaped, line
/// breaks kept as hard breaks (a trailing backslash), and blank lines kept as paragraph breaks.
fn quote(text: &str) -> String {
    let cleaned = clean(text);
    let lines: Vec<String> = cleaned
        .split('\n')
        .map(|line| escape_line(line, &[]))
        .collect();
    let first = lines.iter().position(|l| !l.is_empty());
    let last = lines.iter().rposition(|l| !l.is_empty());
    let (Some(first), Some(last)) = (first, last) else {
        return "> (empty)".to_owned();
    };
    let lines = &lines[first..=last];
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if line.is_empty() {
            out.push('>');
            continue;
        }
        out.push_str("> ");
        out.push_str(line);
        // A backslash at the end of a line is a hard line break in CommonMark, so a single
        // newline in the answer stays a new line instead of joining the next one.
        if lines.get(i + 1).is_some_and(|next| !next.is_empty()) {
            out.push('\\');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("a valid timestamp")
            .with_timezone(&Utc)
    }

    fn revision(number: i32, body: &str, total: u8) -> ExportedRevision {
        ExportedRevision {
            revision: number,
            body: body.to_owned(),
            source: "modal".to_owned(),
            created_at: at("2026-11-03T09:14:00Z"),
            rubric_version: "2026.11".to_owned(),
            total,
            band: "demonstrated".to_owned(),
            dimensions: json!({
                "ownership": {"score": 9, "max": 15, "evidence": ["I rewrote | the <b>job</b>"], "tip": "Say what *you* did."},
                "customer_focus": {"score": 14, "max": 20, "evidence": [], "tip": "Name the customer."}
            }),
            flags: vec!["no_metric".to_owned(), "we_not_i".to_owned()],
        }
    }

    fn export_with(answers: Vec<ExportedAnswer>) -> MemberExport {
        MemberExport {
            user_id: 1_234_567_890_123_456_789,
            exported_at: at("2026-11-25T12:00:00Z"),
            settings: ExportedSettings {
                timezone: Some("Europe/Berlin".to_owned()),
                leaderboard_opt_out: false,
                share_by_default: true,
            },
            answers,
            votes_cast: vec![ExportedVote {
                answer_id: 77,
                created_at: at("2026-11-04T10:00:00Z"),
            }],
        }
    }

    fn answer(bodies: &[(&str, u8)]) -> ExportedAnswer {
        ExportedAnswer {
            answer_id: 42,
            kind: "daily".to_owned(),
            guild_id: Some(987_654_321_987_654_321),
            question: Some("Tell me about a time you # went beyond `scope`.".to_owned()),
            created_at: at("2026-11-03T09:14:00Z"),
            shared: true,
            revisions: bodies
                .iter()
                .enumerate()
                .map(|(i, (body, total))| revision(i as i32 + 1, body, *total))
                .collect(),
            votes_received: 3,
        }
    }

    #[test]
    fn json_has_the_expected_keys_and_round_trips_through_a_value() {
        let export = export_with(vec![answer(&[("First try.", 48), ("Second try.", 71)])]);
        let text = to_json(&export);
        let value: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");

        let keys = |v: &serde_json::Value| -> Vec<String> {
            v.as_object().expect("an object").keys().cloned().collect()
        };
        let mut top = keys(&value);
        top.sort();
        assert_eq!(
            top,
            [
                "answers",
                "exported_at",
                "settings",
                "user_id",
                "votes_cast"
            ]
        );
        let mut answer_keys = keys(&value["answers"][0]);
        answer_keys.sort();
        assert_eq!(
            answer_keys,
            [
                "answer_id",
                "created_at",
                "guild_id",
                "kind",
                "question",
                "revisions",
                "shared",
                "votes_received"
            ]
        );
        let mut revision_keys = keys(&value["answers"][0]["revisions"][1]);
        revision_keys.sort();
        assert_eq!(
            revision_keys,
            [
                "band",
                "body",
                "created_at",
                "dimensions",
                "flags",
                "revision",
                "rubric_version",
                "source",
                "total"
            ]
        );
        assert_eq!(keys(&value["settings"]).len(), 3);
        assert_eq!(keys(&value["votes_cast"][0]), ["answer_id", "created_at"]);

        // Values survive, including ids too large for a JavaScript number.
        assert_eq!(value["user_id"], "1234567890123456789");
        assert_eq!(value["answers"][0]["guild_id"], "987654321987654321");
        assert_eq!(value["answers"][0]["revisions"][1]["body"], "Second try.");
        assert_eq!(value["answers"][0]["revisions"][1]["total"], 71);
        assert_eq!(value["exported_at"], "2026-11-25T12:00:00Z");
        assert_eq!(
            value["answers"][0]["revisions"][0]["dimensions"],
            export.answers[0].revisions[0].dimensions
        );
    }

    #[test]
    fn json_fields_come_in_declaration_order() {
        let text = to_json(&export_with(vec![answer(&[("Body.", 60)])]));
        let position = |key: &str| {
            text.find(&format!("\"{key}\":"))
                .unwrap_or_else(|| panic!("{key} is missing from {text}"))
        };
        let orders: [&[&str]; 3] = [
            &[
                "user_id",
                "exported_at",
                "settings",
                "answers",
                "votes_cast",
            ],
            &[
                "answer_id",
                "kind",
                "guild_id",
                "question",
                "shared",
                "revisions",
                "votes_received",
            ],
            &[
                "revision",
                "body",
                "source",
                "rubric_version",
                "total",
                "band",
                "dimensions",
                "flags",
            ],
        ];
        for order in orders {
            let positions: Vec<usize> = order.iter().map(|key| position(key)).collect();
            assert!(positions.is_sorted(), "{order:?} at {positions:?}");
        }
    }

    #[test]
    fn json_writes_a_missing_server_as_null_and_is_stable() {
        let mut practice = answer(&[("Body.", 60)]);
        practice.kind = "practice".to_owned();
        practice.guild_id = None;
        let export = export_with(vec![practice]);
        let value: serde_json::Value = serde_json::from_str(&to_json(&export)).expect("valid");
        assert!(value["answers"][0]["guild_id"].is_null());
        assert_eq!(to_json(&export), to_json(&export.clone()));
    }

    #[test]
    fn an_export_without_answers_says_so_kindly() {
        let mut export = export_with(vec![]);
        export.votes_cast.clear();
        let markdown = to_markdown(&export);
        assert!(
            markdown.contains("You have no saved answers yet."),
            "{markdown}"
        );
        assert!(markdown.contains("You have not voted on anyone's answer yet."));
        assert!(
            !markdown.contains("## 20"),
            "no answer headings: {markdown}"
        );
        let value: serde_json::Value = serde_json::from_str(&to_json(&export)).expect("valid");
        assert_eq!(value["answers"], json!([]));
    }

    #[test]
    fn markdown_shows_scores_bands_changes_dimensions_flags_and_votes() {
        let markdown = to_markdown(&export_with(vec![answer(&[("One.", 48), ("Two.", 71)])]));
        let expected = [
            // The heading has the local date and the question, with its `#` and backticks literal.
            "## 2026-11-03 · Tell me about a time you \\# went beyond \\`scope\\`.",
            "Daily prompt · shared for peer votes · 3 votes received",
            "### Revision 1 · 2026-11-03 10:14 · sent with the answer form",
            "> One.",
            "**Score: 48/100, Demonstrated**  ",
            "**Score: 71/100, Demonstrated** (+23 from the previous revision)",
            "| Dimension | Score | Evidence | Tip |",
            // Dimensions follow the rubric's order, whatever order they were stored in.
            "| Customer focus | 14/20 |  | Name the customer. |\n| Ownership | 9/15 |",
            "“I rewrote \\| the \\<b\\>job\\</b\\>”",
            "Say what \\*you\\* did.",
            "- The result has no measure (a number, a before and after)",
            "- \"We\" hides what you yourself did",
            "- 2026-11-04 11:00: answer #77",
            "Time zone: times below are in Europe/Berlin",
        ];
        for needle in expected {
            assert!(
                markdown.contains(needle),
                "missing {needle:?} in:\n{markdown}"
            );
        }
    }

    #[test]
    fn tricky_answer_text_is_quoted_literally() {
        // (what the member wrote, the quote block it must become)
        let cases: &[(&str, &str)] = &[
            ("Plain text.", "> Plain text."),
            ("# Not a heading", "> \\# Not a heading"),
            ("> not a nested quote", "> \\> not a nested quote"),
            (
                "- not a list\n+ nor this\n* nor this",
                "> \\- not a list\\\n> \\+ nor this\\\n> \\* nor this",
            ),
            (
                "1986. A good year\n2) also fine",
                "> 1986\\. A good year\\\n> 2\\) also fine",
            ),
            ("Title\n===", "> Title\\\n> \\==="),
            ("Title\n---", "> Title\\\n> \\---"),
            (
                "```rust\nfn main() {}\n```",
                "> \\`\\`\\`rust\\\n> fn main() {}\\\n> \\`\\`\\`",
            ),
            (
                "use `code` and ``more``",
                "> use \\`code\\` and \\`\\`more\\`\\`",
            ),
            (
                "**bold** _it_ ~~gone~~",
                "> \\*\\*bold\\*\\* \\_it\\_ \\~\\~gone\\~\\~",
            ),
            (
                "<script>alert(1)</script>",
                "> \\<script\\>alert(1)\\</script\\>",
            ),
            ("&amp; &lt;", "> \\&amp; \\&lt;"),
            (
                "[link](https://x.test) ![img](y.png)",
                "> \\[link\\](https://x.test) !\\[img\\](y.png)",
            ),
            ("a | b\n--|--", "> a \\| b\\\n> \\--\\|--"),
            ("cost $5 and $x$", "> cost \\$5 and \\$x\\$"),
            ("C:\\path\\", "> C:\\\\path\\\\"),
            ("@everyone @here <@123>", "> @everyone @here \\<@123\\>"),
            ("        indented code?", "> indented code?"),
            ("para one\n\n\npara two", "> para one\n>\n>\n> para two"),
            ("windows\r\nline\rends", "> windows\\\n> line\\\n> ends"),
            ("tab\there", "> tab here"),
            ("bell\u{7} nul\u{0}", "> bell\u{FFFD} nul\u{FFFD}"),
            ("abc\u{202E}cba\u{2066}x", "> abc\u{FFFD}cba\u{FFFD}x"),
            (
                "emoji 👩🏽‍💻 and combining é and 日本語",
                "> emoji 👩🏽‍💻 and combining é and 日本語",
            ),
            ("zero\u{200B}width", "> zero\u{200B}width"),
            ("", "> (empty)"),
            ("\n \n", "> (empty)"),
        ];
        for (body, expected) in cases {
            assert_eq!(quote(body), *expected, "body {body:?}");
        }
    }

    #[test]
    fn questions_in_headings_stay_one_literal_line() {
        // (question, heading text)
        let cases = [
            ("# Leading hash", "\\# Leading hash"),
            ("Trailing hashes ##", "Trailing hashes \\#\\#"),
            ("Two\nlines", "Two lines"),
            ("<b>bold</b> *x*", "\\<b\\>bold\\</b\\> \\*x\\*"),
        ];
        for (question, expected) in cases {
            assert_eq!(heading(question), expected, "{question:?}");
        }
    }

    #[test]
    fn a_very_long_line_is_kept_whole_inside_the_quote() {
        let body = "word ".repeat(5_000);
        let quoted = quote(&body);
        assert_eq!(quoted.lines().count(), 1);
        assert_eq!(quoted, format!("> {}", body.trim_end()));
    }

    #[test]
    fn every_quoted_line_stays_inside_the_quote() {
        // Whatever the member writes, no output line may escape the block quote, or the rest of
        // their text would be read as Markdown.
        let bodies = [
            "a\nb\n\nc",
            "\n\n# x\n\n",
            "x\r\n\r\n> y",
            "line\u{2028}separator\u{2029}paragraph",
        ];
        for body in bodies {
            for line in quote(body).lines() {
                assert!(line.starts_with('>'), "{line:?} from {body:?}");
                assert!(!line.starts_with(">>"), "{line:?} from {body:?}");
            }
        }
    }

    #[test]
    fn stored_data_of_unexpected_shapes_still_renders() {
        let mut odd = answer(&[("Body.", 30)]);
        odd.question = None;
        odd.kind = "weekly|special".to_owned();
        odd.revisions[0].dimensions = json!("not an object");
        odd.revisions[0].flags = vec!["brand_new_flag".to_owned()];
        odd.revisions[0].band = "not_yet".to_owned();
        odd.revisions[0].source = "api".to_owned();
        let mut empty = answer(&[]);
        empty.answer_id = 43;
        let mut partial = answer(&[("Body.", 90)]);
        partial.revisions[0].dimensions = json!({"new_dimension": {"score": "seven"}});
        partial.revisions[0].flags.clear();
        let mut export = export_with(vec![odd, empty, partial]);
        export.settings.timezone = Some("Mars/Olympus".to_owned());
        let markdown = to_markdown(&export);
        let expected = [
            "(no question recorded)",
            "weekly\\|special",
            "No per-dimension breakdown was stored for this revision.",
            "- brand new flag",
            "**Score: 30/100, Not yet**",
            "api",
            "No revisions were stored for this answer.",
            "| New dimension | ?/? |  |  |",
            "No red flags.",
            "Mars/Olympus is not a time zone this export knows, so times below are in UTC",
            "### Revision 1 · 2026-11-03 09:14 UTC",
        ];
        for needle in expected {
            assert!(
                markdown.contains(needle),
                "missing {needle:?} in:\n{markdown}"
            );
        }
    }
}
