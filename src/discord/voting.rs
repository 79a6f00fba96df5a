//! The buttons under revealed answers: vote (click again to take it back) and "Full answer".

use chrono::Utc;
use poise::serenity_prelude as serenity;

use super::poster::{FULL_BUTTON, VOTE_BUTTON};
use super::{Bot, Error};
use crate::store::VoteOutcome;

/// Handles a click on a vote or "Full answer" button; other clicks are not ours.
pub async fn on_click(
    ctx: &serenity::Context,
    bot: &Bot,
    click: &serenity::ComponentInteraction,
) -> Result<bool, Error> {
    let custom_id = click.data.custom_id.as_str();
    if let Some(rest) = custom_id.strip_prefix(super::commands::SHARE_BUTTON) {
        let Some((Ok(answer_id), share)) = rest
            .split_once(':')
            .map(|(id, flag)| (id.parse::<i64>(), flag == "1"))
        else {
            return Ok(false);
        };
        let changed = bot
            .store
            .set_answer_shared(answer_id, click.user.id.get(), share)
            .await?;
        let note = match (changed, share) {
            (true, true) => "🗳️ This answer will be revealed anonymously for peer voting.",
            (true, false) => "🔒 This answer stays private: it will not be revealed for voting.",
            (false, _) => "That answer was already revealed, so it stays as voters saw it.",
        };
        // Update the reply in place: the toggle flips, and the note says what now holds.
        let shared_now = if changed { share } else { !share };
        let update = serenity::CreateInteractionResponseMessage::new()
            .content(format!("{}\n{note}", click.message.content))
            .components(vec![super::commands::share_row(answer_id, shared_now)])
            .allowed_mentions(serenity::CreateAllowedMentions::new());
        click
            .create_response(
                ctx,
                serenity::CreateInteractionResponse::UpdateMessage(update),
            )
            .await?;
        return Ok(true);
    }
    let reply = if let Some(id) = custom_id.strip_prefix(VOTE_BUTTON) {
        let Ok(answer_id) = id.parse::<i64>() else {
            return Ok(false);
        };
        let outcome = bot
            .store
            .toggle_vote(answer_id, click.user.id.get(), Utc::now())
            .await?;
        let text = match outcome {
            VoteOutcome::Added { label } => {
                format!("✅ Your vote for {label} is counted. Click again to take it back.")
            }
            VoteOutcome::Removed { label } => format!("↩️ Your vote for {label} is taken back."),
            VoteOutcome::Refused(refusal) => refusal.to_string(),
        };
        serenity::CreateInteractionResponseMessage::new().content(text)
    } else if let Some(id) = custom_id.strip_prefix(FULL_BUTTON) {
        let Ok(answer_id) = id.parse::<i64>() else {
            return Ok(false);
        };
        match bot.store.revealed_answer(answer_id).await? {
            // An answer is at most 4,000 characters, which fits one embed (4,096).
            Some((label, body)) => serenity::CreateInteractionResponseMessage::new()
                .embed(serenity::CreateEmbed::new().title(label).description(body)),
            None => serenity::CreateInteractionResponseMessage::new()
                .content("That answer is no longer available."),
        }
    } else {
        return Ok(false);
    };
    let reply = reply
        .ephemeral(true)
        .allowed_mentions(serenity::CreateAllowedMentions::new());
    click
        .create_response(ctx, serenity::CreateInteractionResponse::Message(reply))
        .await?;
    Ok(true)
}
