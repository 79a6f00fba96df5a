//! `/question add|list|remove`: admins manage the server's own questions, which the daily
//! rotation asks along with the shared pool.

use super::render::{MESSAGE_LIMIT, shorten};
use super::{Bot, Context, Error, UserFacing, private};
use crate::domain::questions::MAX_TEXT_CHARS;
use crate::store::{PoolQuestion, StoreError};

/// The `/question` command with its subcommands, for `commands::all()`.
pub fn command() -> poise::Command<Bot, Error> {
    question()
}

/// Manage this server's own interview questions.
///
/// Discord never invokes a parent of subcommands itself, so the body is never run. Permission
/// checks declared here apply to every subcommand: poise checks the whole command tree.
#[poise::command(
    slash_command,
    subcommands("question_add", "question_list", "question_remove"),
    subcommand_required,
    guild_only,
    default_member_permissions = "MANAGE_GUILD",
    required_permissions = "MANAGE_GUILD"
)]
async fn question(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Add a question of this server's own to the daily rotation.
#[poise::command(slash_command, rename = "add")]
async fn question_add(
    ctx: Context<'_>,
    // Discord's own limit is kept above MAX_TEXT_CHARS so that a long question reaches the bot
    // and gets a reply that names the limit, instead of a bare refusal in the client.
    #[description = "The question, e.g. Tell me about a time you changed a plan for a customer."]
    #[max_length = 1000]
    text: String,
) -> Result<(), Error> {
    let guild_id = guild_id(ctx)?;
    let text = validate_question_text(&text).map_err(|e| UserFacing(e.to_string()))?;
    // Acknowledge first: Discord allows three seconds, and a save retried across a database
    // restart can take longer.
    ctx.defer_ephemeral().await?;
    let store = &ctx.data().store;
    let added = match store
        .add_server_question(guild_id, &text, ctx.author().id.get())
        .await
    {
        Ok(added) => added,
        Err(StoreError::Conflict { constraint }) if constraint == "questions_text_duplicate" => {
            return Err(UserFacing(
                "That question is already in the rotation (this server's own questions or the shared pool), so nothing was added. /question list shows this server's own."
                    .into(),
            )
            .into());
        }
        Err(error) => return Err(error.into()),
    };
    let own = store.server_questions(guild_id).await?.len();
    ctx.send(private(format!(
        "✅ Added `{}`: {}\nThe daily prompt now draws from this server's {own} own question{} and the shared pool. Remove it with /question remove id:{}.",
        added.slug,
        added.text,
        plural(own),
        added.slug
    )))
    .await?;
    Ok(())
}

/// List this server's own questions with their ids.
#[poise::command(slash_command, rename = "list")]
async fn question_list(
    ctx: Context<'_>,
    #[description = "Which page, when the list is long (default: 1)"]
    #[min = 1]
    page: Option<u32>,
) -> Result<(), Error> {
    let guild_id = guild_id(ctx)?;
    let store = &ctx.data().store;
    let own = store.server_questions(guild_id).await?;
    let shared = store.shared_pool_size().await?;
    if own.is_empty() {
        ctx.send(private(format!(
            "This server has no questions of its own yet; the daily prompt draws from the {shared} shared-pool question{}. Add one with /question add text:Tell me about a time you…",
            plural(shared)
        )))
        .await?;
        return Ok(());
    }
    let pages = list_pages(&own, shared);
    let page = page.unwrap_or(1).max(1) as usize;
    let Some(content) = pages.get(page - 1) else {
        return Err(UserFacing(format!(
            "There is no page {page}: the list has {} page{}.",
            pages.len(),
            plural(pages.len())
        ))
        .into());
    };
    ctx.send(private(content.clone())).await?;
    Ok(())
}

/// Remove one of this server's own questions from the rotation (answers to it are kept).
#[poise::command(slash_command, rename = "remove")]
async fn question_remove(
    ctx: Context<'_>,
    #[description = "The question's id from /question list, e.g. srv-3"]
    #[max_length = 100]
    id: String,
) -> Result<(), Error> {
    let guild_id = guild_id(ctx)?;
    let slug = parse_slug(&id);
    if slug.is_empty() {
        return Err(UserFacing(
            "Give the id of the question to remove, e.g. srv-3; /question list shows them.".into(),
        )
        .into());
    }
    if ctx
        .data()
        .store
        .remove_server_question(guild_id, &slug)
        .await?
    {
        ctx.send(private(format!(
            "🗑️ Removed `{slug}` from this server's rotation. Answers already given to it are kept."
        )))
        .await?;
        Ok(())
    } else {
        Err(UserFacing(format!(
            "This server has no question `{}`. /question list shows the ids of this server's own questions; shared-pool questions cannot be removed.",
            shorten(&slug, 40)
        ))
        .into())
    }
}

fn guild_id(ctx: Context<'_>) -> Result<u64, Error> {
    ctx.guild_id().map(|g| g.get()).ok_or_else(|| {
        UserFacing("Use /question in a server, not in a direct message.".into()).into()
    })
}

/// Why a new question's text cannot be taken, worded for the admin.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuestionTextError {
    #[error(
        "The question is empty. Write the question members should answer, e.g. \"Tell me about a time you changed a plan for a customer.\""
    )]
    Empty,
    #[error(
        "The question is {chars} characters; the limit is {MAX_TEXT_CHARS}, so that it reads as one question in the daily post. Shorten it and add it again."
    )]
    TooLong { chars: usize },
}

/// Cleans a new question's text as the pool files' questions are: surrounding space trimmed, and
/// runs of white space and control characters (a NUL cannot even be stored) made one space, so
/// the stored text is one tidy line. The same limit as the pool files applies.
pub fn validate_question_text(raw: &str) -> Result<String, QuestionTextError> {
    let spaced: String = raw
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let text = spaced.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return Err(QuestionTextError::Empty);
    }
    let chars = text.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Err(QuestionTextError::TooLong { chars });
    }
    Ok(text)
}

/// The slug an admin means: ids are shown as `srv-3`, but `3` or `SRV-3 ` mean the same.
fn parse_slug(raw: &str) -> String {
    let slug = raw.trim().trim_matches('`').to_lowercase();
    if !slug.is_empty() && slug.chars().all(|c| c.is_ascii_digit()) {
        format!("srv-{slug}")
    } else {
        slug
    }
}

/// Room kept on each page for the last lines (which page this is and how to remove), so that
/// the packing below need not know their exact length.
const FOOTER_RESERVE: usize = 200;

/// `/question list` as pages that each fit one Discord message: a header, one line per question
/// with its id, and a footer saying how to remove one and where the next page is.
fn list_pages(own: &[PoolQuestion], shared: usize) -> Vec<String> {
    let header = format!(
        "**This server's questions** ({}, asked along with the {shared} shared-pool question{})\n",
        own.len(),
        plural(shared)
    );
    let budget = MESSAGE_LIMIT - header.chars().count() - FOOTER_RESERVE;
    let mut bodies: Vec<(String, usize)> = Vec::new();
    let mut body = String::new();
    let mut count = 0;
    for question in own {
        // A stored text is at most MAX_TEXT_CHARS when added here; shortening anyway keeps every
        // line within a page whatever the row holds.
        let line = format!(
            "`{}` {}\n",
            question.slug,
            shorten(&question.text, MAX_TEXT_CHARS)
        );
        if count > 0 && body.chars().count() + line.chars().count() > budget {
            bodies.push((std::mem::take(&mut body), count));
            count = 0;
        }
        body.push_str(&line);
        count += 1;
    }
    bodies.push((body, count));

    let total = bodies.len();
    let mut shown = 0;
    bodies
        .into_iter()
        .enumerate()
        .map(|(index, (body, count))| {
            shown += count;
            let mut page = format!("{header}{body}");
            if index + 1 < total {
                page.push_str(&format!(
                    "… and {} more. Page {} of {total}: see the next with /question list page:{}.\n",
                    own.len() - shown,
                    index + 1,
                    index + 2
                ));
            } else if total > 1 {
                page.push_str(&format!("Page {total} of {total}.\n"));
            }
            page.push_str("-# Remove one with /question remove id:<id>.");
            page
        })
        .collect()
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn question_text_is_validated_as_the_table_says() {
        let longest = "é".repeat(MAX_TEXT_CHARS);
        let too_long = "é".repeat(MAX_TEXT_CHARS + 1);
        let cases: &[(&str, Result<&str, QuestionTextError>)] = &[
            ("", Err(QuestionTextError::Empty)),
            ("  \t ", Err(QuestionTextError::Empty)),
            ("\0\0", Err(QuestionTextError::Empty)),
            ("  Tell me   about a\ttime.  ", Ok("Tell me about a time.")),
            ("Tell\0me\nwhy?", Ok("Tell me why?")),
            ("<@123> @everyone 🚀 ñ?", Ok("<@123> @everyone 🚀 ñ?")),
            (&longest, Ok(&longest)),
            (
                &too_long,
                Err(QuestionTextError::TooLong {
                    chars: MAX_TEXT_CHARS + 1,
                }),
            ),
        ];
        for (raw, expected) in cases {
            let got = validate_question_text(raw);
            assert_eq!(got.as_deref(), expected.as_ref().map(|s| *s), "for {raw:?}");
        }
    }

    #[test]
    fn the_too_long_message_names_the_length_and_the_limit() {
        let message = QuestionTextError::TooLong { chars: 301 }.to_string();
        assert!(message.contains("301 characters"), "{message}");
        assert!(
            message.contains(&format!("limit is {MAX_TEXT_CHARS}")),
            "{message}"
        );
    }

    #[test]
    fn slugs_are_read_as_admins_type_them() {
        let cases = [
            ("srv-3", "srv-3"),
            ("  SRV-3 ", "srv-3"),
            ("3", "srv-3"),
            ("`srv-12`", "srv-12"),
            ("co-root-cause-01", "co-root-cause-01"),
            ("   ", ""),
        ];
        for (raw, expected) in cases {
            assert_eq!(parse_slug(raw), expected, "for {raw:?}");
        }
    }

    fn questions(n: usize, chars: usize) -> Vec<PoolQuestion> {
        (1..=n)
            .map(|i| PoolQuestion {
                id: i as i64,
                slug: format!("srv-{i}"),
                guild_id: Some(200),
                text: format!("{i} {}", "x".repeat(chars)),
                probes: Vec::new(),
            })
            .collect()
    }

    #[test]
    fn every_list_page_fits_a_message_and_every_question_is_on_exactly_one() {
        // (questions, characters per text, expected pages)
        let cases = [
            (1, 20, 1),
            (5, 20, 1),
            (12, 295, 3),
            (40, 295, 8),
            (100, 10, 2),
        ];
        for (n, chars, expected_pages) in cases {
            let pages = list_pages(&questions(n, chars), 66);
            assert_eq!(
                pages.len(),
                expected_pages,
                "{n} questions of {chars} chars"
            );
            for page in &pages {
                assert!(page.chars().count() <= MESSAGE_LIMIT, "{n}×{chars}: {page}");
                assert!(page.contains("66 shared-pool questions"), "{page}");
            }
            for i in 1..=n {
                let tag = format!("`srv-{i}` ");
                let on = pages.iter().filter(|p| p.contains(&tag)).count();
                assert_eq!(on, 1, "srv-{i} is on {on} pages");
            }
        }
    }

    #[test]
    fn a_long_list_says_how_many_more_and_how_to_see_them() {
        let pages = list_pages(&questions(12, 295), 1);
        assert!(pages[0].contains("shared-pool question)"), "{}", pages[0]);
        let shown = pages[0].matches("`srv-").count();
        assert!(
            pages[0].contains(&format!("… and {} more. Page 1 of 3", 12 - shown)),
            "{}",
            pages[0]
        );
        assert!(pages[0].contains("/question list page:2"), "{}", pages[0]);
        assert!(pages[2].contains("Page 3 of 3."), "{}", pages[2]);
        assert!(!pages[2].contains("more."), "{}", pages[2]);
    }
}
