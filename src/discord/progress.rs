//! A member's progress and data: `/leaderboard`, `/history`, `/export` and `/forget-me`, and the
//! buttons and menu that belong to them. Every reply is private.

use chrono::Utc;
use poise::serenity_prelude as serenity;

use super::{Bot, Context, Error, UserFacing, private, render};
use crate::domain::{points, rubric};
use crate::report::{chart, export};
use crate::store::{LeaderboardPage, Period};

/// Leaderboard page buttons: `lb:<period>:<page>`.
pub const LEADERBOARD_BUTTON: &str = "lb:";
/// The history menu: its value is an answer id.
pub const HISTORY_MENU: &str = "history-answer";
/// The `/forget-me` confirmation button.
pub const FORGET_BUTTON: &str = "forget-me:confirm";

#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum PeriodChoice {
    #[name = "week"]
    Week,
    #[name = "month"]
    Month,
    #[name = "all"]
    All,
}

impl From<PeriodChoice> for Period {
    fn from(choice: PeriodChoice) -> Period {
        match choice {
            PeriodChoice::Week => Period::Week,
            PeriodChoice::Month => Period::Month,
            PeriodChoice::All => Period::All,
        }
    }
}

/// The server's leaderboard: points, answers, average score and streak.
#[poise::command(slash_command, guild_only)]
pub async fn leaderboard(
    ctx: Context<'_>,
    #[description = "week, month or all (default: week)"] period: Option<PeriodChoice>,
) -> Result<(), Error> {
    let guild_id = ctx.guild_id().expect("guild_only").get();
    let period: Period = period.unwrap_or(PeriodChoice::Week).into();
    let page = ctx
        .data()
        .store
        .leaderboard(guild_id, period, 0, Utc::now())
        .await?;
    let reply = poise::CreateReply::default()
        .content(leaderboard_text(period, &page))
        .components(leaderboard_buttons(period, &page))
        .ephemeral(true)
        .allowed_mentions(serenity::CreateAllowedMentions::new());
    ctx.send(reply).await?;
    Ok(())
}

/// The leaderboard page as text: members are mentioned (shown as names, never pinged).
pub fn leaderboard_text(period: Period, page: &LeaderboardPage) -> String {
    let title = match period {
        Period::Week => "this week",
        Period::Month => "this month",
        Period::All => "all time",
    };
    let mut out = format!("🏆 **Leaderboard, {title}**\n");
    if page.rows.is_empty() {
        out.push_str("No points yet. Answer the daily prompt to get on the board!\n");
    }
    for row in &page.rows {
        out.push_str(&format!(
            "{}. <@{}> · {} points · {} answer{} · average {:.0}/100{}\n",
            row.rank,
            row.user_id,
            row.points,
            row.answers,
            if row.answers == 1 { "" } else { "s" },
            row.average_score,
            if row.streak > 0 {
                format!(" · 🔥 {}", row.streak)
            } else {
                String::new()
            }
        ));
    }
    if page.pages > 1 {
        out.push_str(&format!("-# Page {} of {}\n", page.page + 1, page.pages));
    }
    out.push_str(&format!(
        "-# {}. Members who chose /privacy are not listed.",
        points::FORMULA
    ));
    render::shorten(&out, render::MESSAGE_LIMIT)
}

fn leaderboard_buttons(period: Period, page: &LeaderboardPage) -> Vec<serenity::CreateActionRow> {
    if page.pages <= 1 {
        return Vec::new();
    }
    let button = |label: &str, target: u32, disabled: bool| {
        serenity::CreateButton::new(format!("{LEADERBOARD_BUTTON}{}:{target}", period.as_str()))
            .label(label)
            .style(serenity::ButtonStyle::Secondary)
            .disabled(disabled)
    };
    vec![serenity::CreateActionRow::Buttons(vec![
        button("◀ Previous", page.page.saturating_sub(1), page.page == 0),
        button("Next ▶", page.page + 1, page.page + 1 >= page.pages),
    ])]
}

/// Your answers, scores and trend, with a chart (only you can see it).
#[poise::command(slash_command)]
pub async fn history(ctx: Context<'_>) -> Result<(), Error> {
    ctx.defer_ephemeral().await?;
    let store = &ctx.data().store;
    let user_id = ctx.author().id.get();
    let entries = store.history(user_id, 10, None).await?;
    if entries.is_empty() {
        ctx.send(private(
            "You have no answers yet. Try /practice or the daily prompt, then come back here."
                .into(),
        ))
        .await?;
        return Ok(());
    }
    // Dates and the chart read in the member's own zone (/timezone), else UTC, so an answer
    // given late in the evening shows on the day the member gave it.
    let tz = store
        .member_timezone(user_id)
        .await?
        .and_then(|zone| zone.parse::<chrono_tz::Tz>().ok())
        .unwrap_or(chrono_tz::UTC);
    let mut text = String::from("📈 **Your answers** (newest first)\n");
    for entry in &entries {
        text.push_str(&format!(
            "{} · **{}/100** {} · {} vote{} · {}\n",
            entry.answered_at.with_timezone(&tz).format("%Y-%m-%d"),
            entry.total,
            band_label(&entry.band),
            entry.votes,
            if entry.votes == 1 { "" } else { "s" },
            render::shorten(
                entry.question_text.as_deref().unwrap_or("free practice"),
                80
            ),
        ));
    }
    text.push_str("-# Pick an answer below to see its full feedback.");
    let options: Vec<serenity::CreateSelectMenuOption> = entries
        .iter()
        .map(|entry| {
            serenity::CreateSelectMenuOption::new(
                render::shorten(
                    &format!(
                        "{} · {}/100 · {}",
                        entry.answered_at.with_timezone(&tz).format("%Y-%m-%d"),
                        entry.total,
                        entry.question_text.as_deref().unwrap_or("free practice")
                    ),
                    100,
                ),
                entry.answer_id.to_string(),
            )
        })
        .collect();
    let menu = serenity::CreateSelectMenu::new(
        HISTORY_MENU,
        serenity::CreateSelectMenuKind::String { options },
    )
    .placeholder("See an answer's full feedback");
    let mut reply = private(render::shorten(&text, render::MESSAGE_LIMIT))
        .components(vec![serenity::CreateActionRow::SelectMenu(menu)]);

    // The chart is CPU work (tens of milliseconds); keep it off the async workers.
    let series = store.history_series(user_id).await?;
    let points: Vec<chart::ChartPoint> = series
        .into_iter()
        .map(|(at, total, dimensions)| chart::ChartPoint {
            at,
            total,
            dimensions: dimensions
                .as_object()
                .map(|map| {
                    map.iter()
                        .filter_map(|(key, score)| {
                            let max = rubric::dimension_max(key)?;
                            Some((key.clone(), score.as_u64()?.min(255) as u8, max))
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect();
    let png = tokio::task::spawn_blocking(move || chart::history_chart(&points, tz)).await?;
    match png {
        Ok(png) => {
            reply = reply.attachment(serenity::CreateAttachment::bytes(png, "history.png"));
        }
        Err(error) => tracing::warn!(error = %error, "could not draw the history chart"),
    }
    ctx.send(reply).await?;
    Ok(())
}

fn band_label(band: &str) -> &str {
    match band {
        "strongly_demonstrated" => "Strongly demonstrated",
        "demonstrated" => "Demonstrated",
        "not_yet" => "Not yet",
        other => other,
    }
}

/// Sends you a file with all your answers, scores, revisions and votes (JSON and Markdown).
#[poise::command(slash_command)]
pub async fn export(ctx: Context<'_>) -> Result<(), Error> {
    ctx.defer_ephemeral().await?;
    let data = ctx
        .data()
        .store
        .member_export(ctx.author().id.get(), Utc::now())
        .await?;
    let count = data.answers.len();
    let reply = private(format!(
        "📦 Here is everything I keep about you: {count} answer{} with every revision, score and vote.",
        if count == 1 { "" } else { "s" }
    ))
    .attachment(serenity::CreateAttachment::bytes(
        export::to_json(&data).into_bytes(),
        "bar-raiser-export.json",
    ))
    .attachment(serenity::CreateAttachment::bytes(
        export::to_markdown(&data).into_bytes(),
        "bar-raiser-export.md",
    ));
    ctx.send(reply).await?;
    Ok(())
}

/// Delete all your answers, scores, votes and settings (asks first).
#[poise::command(slash_command, rename = "forget-me")]
pub async fn forget_me(ctx: Context<'_>) -> Result<(), Error> {
    let confirm = serenity::CreateButton::new(FORGET_BUTTON)
        .label("Yes, delete everything")
        .style(serenity::ButtonStyle::Danger);
    ctx.send(
        private(
            "This deletes all your answers, scores, votes and settings, everywhere, for good. Use /export first if you want a copy.".into(),
        )
        .components(vec![serenity::CreateActionRow::Buttons(vec![confirm])]),
    )
    .await?;
    Ok(())
}

/// Handles the leaderboard page buttons, the history menu and the forget-me confirmation.
pub async fn on_click(
    ctx: &serenity::Context,
    bot: &Bot,
    click: &serenity::ComponentInteraction,
) -> Result<bool, Error> {
    let custom_id = click.data.custom_id.as_str();
    let user_id = click.user.id.get();
    let response = if let Some(rest) = custom_id.strip_prefix(LEADERBOARD_BUTTON) {
        let (period, page) = rest.split_once(':').unwrap_or(("week", "0"));
        let period = match period {
            "month" => Period::Month,
            "all" => Period::All,
            _ => Period::Week,
        };
        let Some(guild_id) = click.guild_id else {
            return Ok(false);
        };
        let page = bot
            .store
            .leaderboard(
                guild_id.get(),
                period,
                page.parse().unwrap_or(0),
                Utc::now(),
            )
            .await?;
        serenity::CreateInteractionResponse::UpdateMessage(
            serenity::CreateInteractionResponseMessage::new()
                .content(leaderboard_text(period, &page))
                .components(leaderboard_buttons(period, &page))
                .allowed_mentions(serenity::CreateAllowedMentions::new()),
        )
    } else if custom_id == HISTORY_MENU {
        let selected = match &click.data.kind {
            serenity::ComponentInteractionDataKind::StringSelect { values } => {
                values.first().and_then(|v| v.parse::<i64>().ok())
            }
            _ => None,
        };
        let text = match selected {
            Some(answer_id) => feedback_text(bot, user_id, answer_id).await?,
            None => "Pick one of your answers.".into(),
        };
        serenity::CreateInteractionResponse::Message(
            serenity::CreateInteractionResponseMessage::new()
                .content(text)
                .ephemeral(true)
                .allowed_mentions(serenity::CreateAllowedMentions::new()),
        )
    } else if custom_id == FORGET_BUTTON {
        let forgotten = bot.store.forget_member(user_id).await?;
        let text = if forgotten {
            "🧹 Done: your answers, scores, votes and settings are deleted, and leaderboards already reflect it."
        } else {
            "There was nothing to delete: I keep nothing about you."
        };
        serenity::CreateInteractionResponse::UpdateMessage(
            serenity::CreateInteractionResponseMessage::new()
                .content(text)
                .components(Vec::new())
                .allowed_mentions(serenity::CreateAllowedMentions::new()),
        )
    } else {
        return Ok(false);
    };
    click.create_response(ctx, response).await?;
    Ok(true)
}

/// An answer's full feedback from its latest revision: only for its author.
async fn feedback_text(bot: &Bot, user_id: u64, answer_id: i64) -> Result<String, Error> {
    let Some(entry) = bot.store.answer_feedback(user_id, answer_id).await? else {
        return Err(UserFacing("That answer is not in your history.".into()).into());
    };
    let mut out = format!(
        "**{}/100** · {} · {}\n",
        entry.total,
        band_label(&entry.band),
        render::shorten(
            entry.question_text.as_deref().unwrap_or("free practice"),
            150
        )
    );
    if let Some(map) = entry.dimensions.as_object() {
        for (key, dimension) in map {
            out.push_str(&format!(
                "**{}** {}/{}",
                render::dimension_label(key),
                dimension["score"].as_u64().unwrap_or(0),
                dimension["max"].as_u64().unwrap_or(0)
            ));
            if let Some(quote) = dimension["evidence"][0].as_str() {
                out.push_str(&format!(" · “{}”", render::shorten(quote, 120)));
            }
            if let Some(tip) = dimension["tip"].as_str().filter(|t| !t.is_empty()) {
                out.push_str(&format!("\n💡 {}", render::shorten(tip, 200)));
            }
            out.push('\n');
        }
    }
    Ok(render::shorten(&out, render::MESSAGE_LIMIT))
}
