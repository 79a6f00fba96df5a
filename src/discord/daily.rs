//! The daily loop's commands: `/setup`, `/settings`, `/pause`, `/resume`, `/post-now` (admins),
//! `/today` and `/practice` (everyone), and the Answer button under each prompt.

use chrono::Utc;
use poise::serenity_prelude as serenity;

use super::commands::{AnswerTarget, answer_reply, show_answer_form};
use super::poster::{ANSWER_BUTTON, answer_button};
use super::{Bot, Context, Error, UserFacing, private, render};
use crate::domain::answer::AnswerSource;
use crate::domain::schedule::{self, Schedule};
use crate::domain::{digest, rotation, voting};
use crate::scheduler::{PostNowError, schedule_of};
use crate::store::{ServerOptions, Setup, StoreError};

/// Set the daily prompt: where, when (local time, IANA time zone), which days, and whom to ping.
#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_GUILD",
    required_permissions = "MANAGE_GUILD"
)]
pub async fn setup(
    ctx: Context<'_>,
    #[description = "The channel for the daily prompt"]
    #[channel_types("Text", "News")]
    channel: serenity::ChannelId,
    #[description = "Local time, e.g. 09:00 or 9:30am"] time: String,
    #[description = "IANA time zone, e.g. Europe/Berlin or America/New_York"] timezone: String,
    #[description = "Days, e.g. mon-fri, daily, mon,wed,fri (default: every day)"] days: Option<
        String,
    >,
    #[description = "A role to ping with each prompt (optional)"] role: Option<serenity::Role>,
) -> Result<(), Error> {
    let guild_id = ctx.guild_id().expect("guild_only").get();
    let user_error = |e: schedule::ScheduleError| UserFacing(e.to_string());
    let schedule = Schedule {
        time: schedule::parse_time(&time).map_err(user_error)?,
        tz: schedule::parse_timezone(&timezone).map_err(user_error)?,
        days: match days.as_deref() {
            Some(days) => schedule::parse_days(days).map_err(user_error)?,
            None => schedule::WeekdaySet::EVERY_DAY,
        },
    };
    if let Some(role) = &role {
        // The @everyone role shares the server's id; pinging it is what allowed mentions exist
        // to prevent, so it cannot be chosen here.
        if role.id.get() == guild_id {
            return Err(UserFacing(
                "I won't ping @everyone. Create a role for the prep group (e.g. @interview-prep) and choose that.".into(),
            )
            .into());
        }
    }
    let now = Utc::now();
    let saved = ctx
        .data()
        .store
        .save_setup(&Setup {
            guild_id,
            channel_id: channel.get(),
            post_time: schedule.time,
            timezone: schedule.tz.name().to_owned(),
            days: schedule.days.bits(),
            role_id: role.as_ref().map(|r| r.id.get()),
            admin_user_id: ctx.author().id.get(),
            last_scheduled_date: schedule::last_due_date(&schedule, now),
        })
        .await?;
    let next = schedule::next_occurrence_after(&schedule, now);
    let ping = match saved.role_id {
        Some(role) => format!(", pinging <@&{role}>"),
        None => String::new(),
    };
    ctx.send(private(format!(
        "✅ Daily prompt set: {schedule} in <#{}>{ping}. The next one is <t:{}:F>. Use /post-now to post one right away.",
        channel.get(),
        next.timestamp()
    )))
    .await?;
    Ok(())
}

/// Voting and digest options: how long voting stays open, who may vote, the weekly digest.
#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_GUILD",
    required_permissions = "MANAGE_GUILD"
)]
pub async fn settings(
    ctx: Context<'_>,
    #[description = "Hours voting stays open after answers are revealed (1 to 168; default 24)"]
    #[min = 1]
    #[max = 168]
    voting_hours: Option<i64>,
    #[description = "Only members who answered a prompt may vote on its answers"]
    answered_only: Option<bool>,
    #[description = "Post the week's top answers in the prompt channel every Monday"]
    weekly_digest: Option<bool>,
) -> Result<(), Error> {
    let guild_id = ctx.guild_id().expect("guild_only").get();
    // Discord enforces the range too, but a client may send anything.
    if let Some(hours) = voting_hours {
        if !voting::VOTING_HOURS.contains(&hours) {
            return Err(UserFacing(format!(
                "Voting can stay open for {} to {} hours (a week); {hours} is outside that.",
                voting::VOTING_HOURS.start(),
                voting::VOTING_HOURS.end()
            ))
            .into());
        }
    }
    let store = &ctx.data().store;
    let options = ServerOptions {
        voting_hours: voting_hours.map(|hours| hours as i32),
        votes_require_answer: answered_only,
        weekly_digest,
    };
    let (settings, digest_was_on) = match store.save_server_options(guild_id, options).await {
        Ok(saved) => saved,
        Err(StoreError::NotFound) => {
            return Err(
                UserFacing("This server has no schedule yet: run /setup first.".into()).into(),
            );
        }
        Err(other) => return Err(other.into()),
    };
    let schedule = schedule_of(&settings);
    let now = Utc::now();
    let turned_on = settings.weekly_digest && !digest_was_on;
    if let (true, Some(schedule)) = (turned_on, &schedule) {
        // The first digest covers the week that ends next: a week that ended before the digest
        // was turned on is not posted after the fact.
        store
            .skip_digest(guild_id, digest::due_week(schedule, now), now)
            .await?;
    }
    let who = if settings.votes_require_answer {
        "only members who answered that prompt"
    } else {
        "every member (never on their own answer)"
    };
    let digest_line = match (&schedule, settings.weekly_digest) {
        (Some(schedule), true) => format!(
            "on: the week's top answers in <#{}>, next <t:{}:F>",
            settings.channel_id,
            digest::next_digest_at(schedule, now).timestamp()
        ),
        _ => "off".to_owned(),
    };
    ctx.send(private(format!(
        "⚙️ **Settings**\n• Voting stays open **{} hour{}** after answers are revealed (a change applies to the next reveal).\n• Who may vote: **{who}**.\n• Weekly digest: **{digest_line}**.",
        settings.voting_hours,
        if settings.voting_hours == 1 { "" } else { "s" },
    )))
    .await?;
    Ok(())
}

/// Pause the daily prompt until /resume.
#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_GUILD",
    required_permissions = "MANAGE_GUILD"
)]
pub async fn pause(ctx: Context<'_>) -> Result<(), Error> {
    set_paused(ctx, true).await
}

/// Resume the daily prompt.
#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_GUILD",
    required_permissions = "MANAGE_GUILD"
)]
pub async fn resume(ctx: Context<'_>) -> Result<(), Error> {
    set_paused(ctx, false).await
}

async fn set_paused(ctx: Context<'_>, paused: bool) -> Result<(), Error> {
    let guild_id = ctx.guild_id().expect("guild_only").get();
    match ctx.data().store.set_paused(guild_id, paused).await {
        Ok(()) => {
            let text = if paused {
                "⏸️ Paused: no daily prompt until /resume."
            } else {
                "▶️ Resumed: the daily prompt is back on schedule."
            };
            ctx.send(private(text.to_owned())).await?;
            Ok(())
        }
        Err(StoreError::NotFound) => {
            Err(UserFacing("This server has no schedule yet: run /setup first.".into()).into())
        }
        Err(other) => Err(other.into()),
    }
}

/// Post the next prompt now (this also closes the current one).
#[poise::command(
    slash_command,
    rename = "post-now",
    guild_only,
    default_member_permissions = "MANAGE_GUILD",
    required_permissions = "MANAGE_GUILD"
)]
pub async fn post_now(ctx: Context<'_>) -> Result<(), Error> {
    ctx.defer_ephemeral().await?;
    let guild_id = ctx.guild_id().expect("guild_only").get();
    let scheduler = ctx.data().scheduler()?;
    match scheduler.post_now(guild_id, Utc::now()).await {
        Ok(prompt) => {
            ctx.send(private(format!(
                "📣 Posted in <#{}>: {}",
                prompt.channel_id,
                render::shorten(&prompt.question_text, 200)
            )))
            .await?;
            Ok(())
        }
        Err(PostNowError::Store(error)) => Err(error.into()),
        Err(user_facing) => Err(UserFacing(user_facing.to_string()).into()),
    }
}

/// Show today's prompt with an Answer button.
#[poise::command(slash_command, guild_only)]
pub async fn today(ctx: Context<'_>) -> Result<(), Error> {
    let guild_id = ctx.guild_id().expect("guild_only").get();
    let store = &ctx.data().store;
    let Some(prompt) = store.open_prompt(guild_id).await? else {
        let hint = match store.server_settings(guild_id).await? {
            Some(settings) => match schedule_of(&settings) {
                Some(schedule) => format!(
                    "No prompt is open right now. The next one is <t:{}:F>; /practice gives you a question meanwhile.",
                    schedule::next_occurrence_after(&schedule, Utc::now()).timestamp()
                ),
                None => "No prompt is open right now; /practice gives you a question.".into(),
            },
            None => "This server has no daily prompt yet: an admin can run /setup. Meanwhile, /practice gives you a question.".into(),
        };
        ctx.send(private(hint)).await?;
        return Ok(());
    };
    store
        .set_current_prompt(ctx.author().id.get(), prompt.id)
        .await?;
    let mut text = format!("**Today's question**\n{}", prompt.question_text);
    if let Some(closes) = prompt.closes_at {
        text.push_str(&format!("\n-# Answers close <t:{}:R>.", closes.timestamp()));
    }
    let reply = private(text).components(vec![serenity::CreateActionRow::Buttons(vec![
        answer_button(prompt.id),
    ])]);
    ctx.send(reply).await?;
    Ok(())
}

/// Get a practice question you have never answered.
#[poise::command(slash_command)]
pub async fn practice(ctx: Context<'_>) -> Result<(), Error> {
    let store = &ctx.data().store;
    let user_id = ctx.author().id.get();
    // In a direct message there is no server: the shared pool alone.
    let pool = store
        .rotation_pool(ctx.guild_id().map_or(0, |g| g.get()))
        .await?;
    let answered: std::collections::HashSet<String> = store
        .answered_question_ids(user_id)
        .await?
        .into_iter()
        .map(|id| id.to_string())
        .collect();
    let ids: Vec<String> = pool.iter().map(|q| q.id.to_string()).collect();
    let picked = rotation::pick_for_member(&ids, &answered, &mut rand::rng()).map(str::to_owned);
    let Some(question) = picked.and_then(|id| pool.into_iter().find(|q| q.id.to_string() == id))
    else {
        ctx.send(private(
            "You have answered every question in the pool. Impressive! Revisit one with /history, or ask an admin to /question add more.".into(),
        ))
        .await?;
        return Ok(());
    };
    store.set_current_question(user_id, question.id).await?;
    ctx.send(private(format!(
        "**Practice question**\n{}\n-# Answer with /answer, or send me your answer in a direct message.",
        question.text
    )))
    .await?;
    Ok(())
}

/// Handles a click on a prompt's Answer button: opens the form, then scores and saves.
pub async fn on_answer_button(
    ctx: &serenity::Context,
    bot: &Bot,
    click: &serenity::ComponentInteraction,
) -> Result<(), Error> {
    let Some(prompt_id) = click
        .data
        .custom_id
        .strip_prefix(ANSWER_BUTTON)
        .and_then(|id| id.parse::<i64>().ok())
    else {
        return Ok(());
    };
    let user_id = click.user.id.get();
    let Some(prompt) = bot.store.prompt(prompt_id).await? else {
        let message = serenity::CreateInteractionResponseMessage::new()
            .content("That prompt no longer exists. /today shows the current one.")
            .ephemeral(true)
            .allowed_mentions(serenity::CreateAllowedMentions::new());
        click
            .create_response(ctx, serenity::CreateInteractionResponse::Message(message))
            .await?;
        return Ok(());
    };
    bot.store.set_current_prompt(user_id, prompt.id).await?;
    let form = super::commands::answer_form(click.id, Some(&prompt.question_text));
    let Some((text, submitted)) = show_answer_form(ctx, form, click.id, |response| {
        click.create_response(ctx, response)
    })
    .await?
    else {
        return Ok(());
    };
    submitted.defer_ephemeral(ctx).await?;
    let reply = answer_reply(
        bot,
        user_id,
        click.guild_id.map(|g| g.get()),
        AnswerTarget::Prompt(prompt),
        &text,
        AnswerSource::Modal,
    )
    .await;
    let components = reply.components();
    submitted
        .create_followup(
            ctx,
            super::commands::private_followup(reply.text).components(components),
        )
        .await?;
    Ok(())
}
