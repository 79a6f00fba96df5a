//! Slash commands and the direct-message handler. Each one parses its input, calls the rubric and
//! the store, and replies with what `render` makes; no rules live here.

use std::time::Duration;

use poise::serenity_prelude as serenity;

use super::{Bot, Context, Error, UserFacing, daily, private, render};
use crate::domain::answer::{AnswerSource, AnswerText, MAX_ANSWER_CHARS};
use crate::domain::{rotation, rubric};
use crate::store::{MemberCurrent, NewAnswer, Prompt, ScoreRecord};

/// How long a member may keep the answer form open before it expires.
const MODAL_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// Every slash command, in the order Discord lists them.
pub fn all() -> Vec<poise::Command<Bot, Error>> {
    vec![
        answer(),
        daily::today(),
        daily::practice(),
        score(),
        daily::setup(),
        daily::settings(),
        daily::post_now(),
        daily::pause(),
        daily::resume(),
        super::questions::command(),
        super::member::privacy(),
        super::member::timezone(),
        super::progress::leaderboard(),
        super::progress::history(),
        super::progress::export(),
        super::progress::forget_me(),
    ]
}

/// What an answer answers.
#[derive(Debug, Clone)]
pub enum AnswerTarget {
    /// A server's prompt; answers after its window closed are kept as practice.
    Prompt(Prompt),
    /// A practice question the member was given.
    Question { question_id: i64, text: String },
    /// Nothing in particular: kept as a practice answer.
    Free,
}

/// Answer the current prompt; without text, opens a form for a long answer.
#[poise::command(slash_command)]
async fn answer(
    ctx: Context<'_>,
    #[description = "Your story: the problem, what you did, and the result"]
    #[max_length = 6000]
    text: Option<String>,
) -> Result<(), Error> {
    let poise::Context::Application(app) = ctx else {
        return Err(UserFacing("Use /answer as a slash command.".into()).into());
    };
    let user_id = ctx.author().id.get();
    let guild_id = ctx.guild_id().map(|g| g.get());
    let target = current_target(ctx.data(), user_id, guild_id).await?;
    match text {
        Some(text) => {
            // Acknowledge first: Discord allows three seconds, and a save retried across a
            // database restart can take longer.
            ctx.defer_ephemeral().await?;
            let reply = answer_reply(
                ctx.data(),
                user_id,
                guild_id,
                target,
                &text,
                AnswerSource::Slash,
            )
            .await;
            let components = reply.components();
            ctx.send(private(reply.text).components(components)).await?;
        }
        None => {
            let question = match &target {
                AnswerTarget::Prompt(prompt) => Some(prompt.question_text.as_str()),
                AnswerTarget::Question { text, .. } => Some(text.as_str()),
                AnswerTarget::Free => None,
            };
            let form = answer_form(app.interaction.id, question);
            let Some((text, submitted)) = show_answer_form(
                ctx.serenity_context(),
                form,
                app.interaction.id,
                |response| app.interaction.create_response(ctx, response),
            )
            .await?
            else {
                return Ok(());
            };
            submitted.defer_ephemeral(ctx).await?;
            let reply = answer_reply(
                ctx.data(),
                user_id,
                guild_id,
                target,
                &text,
                AnswerSource::Modal,
            )
            .await;
            let components = reply.components();
            submitted
                .create_followup(ctx, private_followup(reply.text).components(components))
                .await?;
        }
    }
    Ok(())
}

/// What `/answer` answers: in a server, its open prompt; otherwise (or when none is open) the
/// member's current prompt or practice question; otherwise nothing in particular.
async fn current_target(
    bot: &Bot,
    user_id: u64,
    guild_id: Option<u64>,
) -> Result<AnswerTarget, Error> {
    if let Some(guild_id) = guild_id {
        if let Some(prompt) = bot.store.open_prompt(guild_id).await? {
            bot.store.set_current_prompt(user_id, prompt.id).await?;
            return Ok(AnswerTarget::Prompt(prompt));
        }
    }
    Ok(match bot.store.member_current(user_id).await? {
        MemberCurrent::Prompt(prompt) => AnswerTarget::Prompt(prompt),
        MemberCurrent::Question { question_id, text } => {
            AnswerTarget::Question { question_id, text }
        }
        MemberCurrent::Nothing => AnswerTarget::Free,
    })
}

/// The custom id of the answer form's text field.
const ANSWER_FIELD: &str = "answer";

/// The answer form. The question goes in the field's label and placeholder (Discord allows 45
/// and 100 characters), so the member sees what they are answering.
pub(super) fn answer_form(
    form_id: serenity::InteractionId,
    question: Option<&str>,
) -> serenity::CreateInteractionResponse {
    let label = question.map_or_else(
        || "Problem → what you did → result".to_owned(),
        |q| render::shorten(q, 45),
    );
    let placeholder = question.map_or_else(
        || "One real story, in the first person, with a measurable result.".to_owned(),
        |q| render::shorten(q, 100),
    );
    let field =
        serenity::CreateInputText::new(serenity::InputTextStyle::Paragraph, label, ANSWER_FIELD)
            .placeholder(placeholder)
            .min_length(1)
            .max_length(MAX_ANSWER_CHARS as u16)
            .required(true);
    let modal = serenity::CreateModal::new(form_id.to_string(), "Your answer")
        .components(vec![serenity::CreateActionRow::InputText(field)]);
    serenity::CreateInteractionResponse::Modal(modal)
}

/// Shows the answer form and waits for the member to submit it. The collector is subscribed
/// before the form is shown, so a quick submission cannot slip past it. `None` when the member
/// closed the form or let it expire, which is not an error.
pub(super) async fn show_answer_form<F>(
    ctx: &serenity::Context,
    form: serenity::CreateInteractionResponse,
    form_id: serenity::InteractionId,
    show: impl FnOnce(serenity::CreateInteractionResponse) -> F,
) -> Result<Option<(String, serenity::ModalInteraction)>, Error>
where
    F: Future<Output = serenity::Result<()>>,
{
    use serenity::futures::StreamExt as _;
    let mut submissions = Box::pin(
        serenity::ModalInteractionCollector::new(ctx)
            .custom_ids(vec![form_id.to_string()])
            .timeout(MODAL_TIMEOUT)
            .stream(),
    );
    show(form).await?;
    let Some(submitted) = submissions.next().await else {
        return Ok(None);
    };
    let text = submitted
        .data
        .components
        .iter()
        .flat_map(|row| &row.components)
        .find_map(|component| match component {
            serenity::ActionRowComponent::InputText(input) if input.custom_id == ANSWER_FIELD => {
                input.value.clone()
            }
            _ => None,
        })
        .unwrap_or_default();
    Ok(Some((text, submitted)))
}

/// The reply to an answer: its text, and for a saved daily answer the share toggle.
pub(super) struct AnswerReply {
    pub text: String,
    /// The answer id and whether it is shared for peer voting.
    pub share: Option<(i64, bool)>,
}

impl AnswerReply {
    /// The share toggle, when the answer is one that can be revealed.
    pub fn components(&self) -> Vec<serenity::CreateActionRow> {
        self.share
            .map(|(answer_id, shared)| vec![share_row(answer_id, shared)])
            .unwrap_or_default()
    }
}

/// The custom id prefix of the share toggle: `share:<answer id>:<1 to share, 0 to keep private>`.
pub(super) const SHARE_BUTTON: &str = "share:";

/// A button that flips whether an answer is revealed for peer voting.
pub(super) fn share_row(answer_id: i64, shared: bool) -> serenity::CreateActionRow {
    let button = if shared {
        serenity::CreateButton::new(format!("{SHARE_BUTTON}{answer_id}:0"))
            .label("Keep this answer out of peer voting")
            .style(serenity::ButtonStyle::Secondary)
    } else {
        serenity::CreateButton::new(format!("{SHARE_BUTTON}{answer_id}:1"))
            .label("Share this answer for peer voting")
            .style(serenity::ButtonStyle::Primary)
    };
    serenity::CreateActionRow::Buttons(vec![button])
}

/// Validates, scores and saves an answer, and words the outcome for the member, whether it was
/// saved or why not.
pub(super) async fn answer_reply(
    bot: &Bot,
    user_id: u64,
    guild_id: Option<u64>,
    target: AnswerTarget,
    text: &str,
    source: AnswerSource,
) -> AnswerReply {
    let outcome = async {
        let body = AnswerText::parse(text).map_err(|e| UserFacing(e.to_string()))?;
        save_and_score(bot, user_id, guild_id, target, &body, source).await
    };
    outcome.await.unwrap_or_else(|error| AnswerReply {
        text: user_message(&error),
        share: None,
    })
}

/// What to tell the member about a failure: their own mistake as is, anything else as a
/// generic apology (logged in full).
fn user_message(error: &Error) -> String {
    match error.downcast_ref::<UserFacing>() {
        Some(user_facing) => user_facing.0.clone(),
        None => {
            tracing::error!(error = ?error, "handling an answer failed");
            "Sorry, something went wrong on my side and your answer was not saved. Please send it again in a minute.".to_owned()
        }
    }
}

/// Score any text with the rubric, without saving it.
#[poise::command(slash_command)]
async fn score(
    ctx: Context<'_>,
    #[description = "The answer to score (it is not saved)"]
    #[max_length = 6000]
    text: String,
) -> Result<(), Error> {
    let body = AnswerText::parse(&text).map_err(|e| UserFacing(e.to_string()))?;
    let score = rubric::score(body.as_str(), None)?;
    ctx.send(private(render::score_reply(&score))).await?;
    Ok(())
}

/// Handles gateway events that are not slash commands: a direct message is an answer.
pub async fn on_event(
    ctx: &serenity::Context,
    event: &serenity::FullEvent,
    bot: &Bot,
) -> Result<(), Error> {
    if let serenity::FullEvent::InteractionCreate {
        interaction: serenity::Interaction::Component(click),
    } = event
    {
        let _guard = bot.track(
            format!("button {}", click.data.custom_id),
            click.user.id.get(),
        );
        let handled = if click
            .data
            .custom_id
            .starts_with(super::poster::ANSWER_BUTTON)
        {
            daily::on_answer_button(ctx, bot, click)
                .await
                .map(|()| true)
        } else {
            match super::voting::on_click(ctx, bot, click).await {
                Ok(false) => super::progress::on_click(ctx, bot, click).await,
                other => other,
            }
        };
        if let Err(error) = handled {
            tracing::error!(error = ?error, "handling a button failed");
            let sorry = serenity::CreateInteractionResponseMessage::new()
                .content("Sorry, something went wrong on my side. Please try again in a minute.")
                .ephemeral(true)
                .allowed_mentions(serenity::CreateAllowedMentions::new());
            let _ = click
                .create_response(ctx, serenity::CreateInteractionResponse::Message(sorry))
                .await;
        }
    }
    if let serenity::FullEvent::Message { new_message } = event {
        if new_message.guild_id.is_none() && !new_message.author.bot {
            let _guard = bot.track("direct message".into(), new_message.author.id.get());
            let reply = direct_message_reply(bot, new_message)
                .await
                .unwrap_or_else(|error| AnswerReply {
                    text: user_message(&error),
                    share: None,
                });
            let message = serenity::CreateMessage::new()
                .content(&reply.text)
                .components(reply.components())
                .allowed_mentions(serenity::CreateAllowedMentions::new());
            new_message
                .channel_id
                .send_message(&ctx.http, message)
                .await?;
        }
    }
    Ok(())
}

/// A direct message answers the member's current prompt or practice question. A member with
/// neither is given a practice question first: their message stays in the conversation above.
async fn direct_message_reply(
    bot: &Bot,
    message: &serenity::Message,
) -> Result<AnswerReply, Error> {
    let user_id = message.author.id.get();
    let target = match bot.store.member_current(user_id).await? {
        MemberCurrent::Prompt(prompt) => AnswerTarget::Prompt(prompt),
        MemberCurrent::Question { question_id, text } => {
            AnswerTarget::Question { question_id, text }
        }
        MemberCurrent::Nothing => {
            let pool = bot.store.rotation_pool(0).await?;
            let ids: Vec<String> = pool.iter().map(|q| q.id.to_string()).collect();
            let picked = rotation::pick_for_member(&ids, &Default::default(), &mut rand::rng())
                .map(str::to_owned);
            let Some(question) =
                picked.and_then(|id| pool.into_iter().find(|q| q.id.to_string() == id))
            else {
                return Ok(AnswerReply {
                    text: "Hi! I have no questions loaded yet, so I cannot take answers right now."
                        .into(),
                    share: None,
                });
            };
            bot.store.set_current_question(user_id, question.id).await?;
            return Ok(AnswerReply {
                text: format!(
                    "Hi! You have no question yet, so here is one to practise with (I did not save your message):\n**{}**\nReply with your answer: one real story, the problem, what you did, and the result.",
                    question.text
                ),
                share: None,
            });
        }
    };
    Ok(answer_reply(
        bot,
        user_id,
        None,
        target,
        &message.content,
        AnswerSource::Dm,
    )
    .await)
}

/// Scores the answer and saves it with its score; returns only after the database committed it.
async fn save_and_score(
    bot: &Bot,
    user_id: u64,
    guild_id: Option<u64>,
    target: AnswerTarget,
    body: &AnswerText,
    source: AnswerSource,
) -> Result<AnswerReply, Error> {
    // The window may have closed while the member was writing: look again now.
    let target = match target {
        AnswerTarget::Prompt(prompt) => match bot.store.prompt(prompt.id).await? {
            Some(fresh) => AnswerTarget::Prompt(fresh),
            None => AnswerTarget::Question {
                question_id: prompt.question_id,
                text: prompt.question_text,
            },
        },
        other => other,
    };
    let (prompt_id, question_id, question_text, guild_id, note) = match &target {
        AnswerTarget::Prompt(prompt) if prompt.closed_at.is_none() => (
            Some(prompt.id),
            Some(prompt.question_id),
            Some(prompt.question_text.as_str()),
            Some(prompt.guild_id as u64),
            None,
        ),
        AnswerTarget::Prompt(prompt) => (
            None,
            Some(prompt.question_id),
            Some(prompt.question_text.as_str()),
            guild_id,
            Some("That prompt's answer window has closed, so I saved this as a practice answer."),
        ),
        AnswerTarget::Question { question_id, text } => (
            None,
            Some(*question_id),
            Some(text.as_str()),
            guild_id,
            None,
        ),
        AnswerTarget::Free => (None, None, None, guild_id, None),
    };
    let score = rubric::score(body.as_str(), question_text)?;
    let record = ScoreRecord::from_score(&score);
    let saved = bot
        .store
        .save_answer(&NewAnswer {
            user_id,
            guild_id,
            prompt_id,
            question_id,
            question_text,
            body,
            source,
            score: &record,
        })
        .await?;
    let mut reply = render::answer_reply(&score, &saved, prompt_id.is_some());
    if let Some(note) = note {
        reply = format!("{note}\n{reply}");
    }
    Ok(AnswerReply {
        text: render::shorten(&reply, render::MESSAGE_LIMIT),
        // Only answers to an open prompt are revealed, so only they get the toggle.
        share: prompt_id.map(|_| (saved.answer_id, saved.shared)),
    })
}

/// A private followup (after a deferral) that pings nobody.
pub(super) fn private_followup(content: String) -> serenity::CreateInteractionResponseFollowup {
    serenity::CreateInteractionResponseFollowup::new()
        .content(content)
        .ephemeral(true)
        .allowed_mentions(serenity::CreateAllowedMentions::new())
}
