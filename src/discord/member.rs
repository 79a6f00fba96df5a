//! A member's own settings: `/privacy` and `/timezone`.

use super::{Context, Error, UserFacing, private};
use crate::domain::schedule;

/// Whether you appear on leaderboards, and whether your answers are shared for peer voting.
#[poise::command(slash_command)]
pub async fn privacy(
    ctx: Context<'_>,
    #[description = "Appear on the public leaderboard?"] leaderboard: Option<bool>,
    #[description = "Share your daily answers (anonymously) for peer voting by default?"]
    share_answers: Option<bool>,
) -> Result<(), Error> {
    // With no options, /privacy is the one-click way off the leaderboard it is documented as.
    let leaderboard = match (leaderboard, share_answers) {
        (None, None) => Some(false),
        (shown, _) => shown,
    };
    let (opted_out, shares) = ctx
        .data()
        .store
        .set_privacy(
            ctx.author().id.get(),
            leaderboard.map(|shown| !shown),
            share_answers,
        )
        .await?;
    let board = if opted_out {
        "🙈 You are left out of leaderboards (your answers and scores are still saved for you)."
    } else {
        "🏆 You appear on leaderboards."
    };
    let sharing = if shares {
        "🗳️ Your daily answers are shared anonymously for peer voting unless you keep one private."
    } else {
        "🔒 Your daily answers stay private unless you share one."
    };
    ctx.send(private(format!(
        "{board}\n{sharing}\n-# Change either with /privacy leaderboard:… share_answers:…"
    )))
    .await?;
    Ok(())
}

/// Set your time zone, so streaks count your own days.
#[poise::command(slash_command)]
pub async fn timezone(
    ctx: Context<'_>,
    #[description = "IANA time zone, e.g. Europe/Berlin or America/New_York"] zone: String,
) -> Result<(), Error> {
    let tz = schedule::parse_timezone(&zone).map_err(|e| UserFacing(e.to_string()))?;
    ctx.data()
        .store
        .set_member_timezone(ctx.author().id.get(), tz.name())
        .await?;
    ctx.send(private(format!(
        "🕘 Your time zone is now {}. Streaks count your days there.",
        tz.name()
    )))
    .await?;
    Ok(())
}
