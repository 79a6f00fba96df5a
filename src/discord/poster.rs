//! Posting prompts, reveals, results, digests and admin notes through Discord's REST API for
//! the scheduler.

use std::sync::Arc;

use poise::serenity_prelude as serenity;

use crate::discord::render;
use crate::scheduler::{PostError, Posted, Poster, PromptPost};
use crate::store::{Digest, Results, Reveal};

/// The custom id prefix of a prompt's Answer button: `answer:<prompt id>`.
pub const ANSWER_BUTTON: &str = "answer:";
/// The custom id prefix of a revealed answer's vote button: `vote:<answer id>`.
pub const VOTE_BUTTON: &str = "vote:";
/// The custom id prefix of a revealed answer's "Full answer" button: `full:<answer id>`.
pub const FULL_BUTTON: &str = "full:";
/// Answers per reveal message: Discord allows 10 embeds, 5 rows of buttons and 6,000 embed
/// characters per message, so five excerpts of at most `render::EXCERPT_CHARS` always fit.
const ANSWERS_PER_MESSAGE: usize = 5;

/// The scheduler's poster, backed by serenity's HTTP client.
#[derive(Clone)]
pub struct DiscordPoster {
    http: Arc<serenity::Http>,
}

impl DiscordPoster {
    pub fn new(http: Arc<serenity::Http>) -> Self {
        DiscordPoster { http }
    }

    /// A poster with its own REST client, for a scheduler that runs without the gateway.
    pub fn from_config(config: &crate::config::Config) -> Self {
        DiscordPoster::new(Arc::new(super::http(config)))
    }
}

impl Poster for DiscordPoster {
    async fn post_prompt(&self, post: &PromptPost) -> Result<Posted, PostError> {
        let channel = serenity::ChannelId::new(post.channel_id);
        let mut mentions = serenity::CreateAllowedMentions::new();
        let mut content = String::new();
        if let Some(role) = post.role_id {
            // Only the configured role may be pinged; nothing in the question text can ping.
            mentions = mentions.roles([serenity::RoleId::new(role)]);
            content = format!("<@&{role}>");
        }
        let message = serenity::CreateMessage::new()
            .content(content)
            .embed(prompt_embed(post))
            .components(vec![serenity::CreateActionRow::Buttons(vec![
                answer_button(post.prompt_id),
            ])])
            .allowed_mentions(mentions);
        let sent = channel
            .send_message(&self.http, message)
            .await
            .map_err(classify)?;
        // A thread keeps the day's discussion together; without one the prompt still stands, so
        // a failure here is logged and not fatal.
        let thread = channel
            .create_thread_from_message(
                &self.http,
                sent.id,
                serenity::CreateThread::new(render::thread_name(&post.question_text))
                    .kind(serenity::ChannelType::PublicThread)
                    .auto_archive_duration(serenity::AutoArchiveDuration::OneDay),
            )
            .await;
        let thread_id = match thread {
            Ok(thread) => Some(thread.id.get()),
            Err(error) => {
                tracing::warn!(guild_id = post.guild_id, error = %error, "could not create the prompt's thread");
                None
            }
        };
        Ok(Posted {
            message_id: sent.id.get(),
            thread_id,
        })
    }

    async fn post_reveal(&self, reveal: &Reveal) -> Result<(), PostError> {
        let target = serenity::ChannelId::new(reveal.thread_id.unwrap_or(reveal.channel_id) as u64);
        let header = render::reveal_header(reveal.answers.len(), reveal.voting_closes_at);
        self.say(target, header).await?;
        for chunk in reveal.answers.chunks(ANSWERS_PER_MESSAGE) {
            let mut embeds = Vec::with_capacity(chunk.len());
            let mut rows = Vec::with_capacity(chunk.len());
            for answer in chunk {
                let (excerpt, cut) = render::excerpt(&answer.body);
                embeds.push(
                    serenity::CreateEmbed::new()
                        .title(&answer.label)
                        .description(excerpt)
                        .colour(serenity::Colour::from_rgb(88, 101, 242)),
                );
                let mut buttons = vec![
                    serenity::CreateButton::new(format!("{VOTE_BUTTON}{}", answer.answer_id))
                        .label(format!("Vote for {}", answer.label))
                        .style(serenity::ButtonStyle::Success),
                ];
                if cut {
                    buttons.push(
                        serenity::CreateButton::new(format!("{FULL_BUTTON}{}", answer.answer_id))
                            .label("Full answer")
                            .style(serenity::ButtonStyle::Secondary),
                    );
                }
                rows.push(serenity::CreateActionRow::Buttons(buttons));
            }
            let message = serenity::CreateMessage::new()
                .embeds(embeds)
                .components(rows)
                .allowed_mentions(serenity::CreateAllowedMentions::new());
            target
                .send_message(&self.http, message)
                .await
                .map_err(classify)?;
        }
        Ok(())
    }

    async fn post_results(&self, results: &Results) -> Result<(), PostError> {
        let target =
            serenity::ChannelId::new(results.thread_id.unwrap_or(results.channel_id) as u64);
        for text in render::results_messages(results) {
            self.say(target, text).await?;
        }
        Ok(())
    }

    async fn post_digest(&self, digest: &Digest) -> Result<u64, PostError> {
        let channel = serenity::ChannelId::new(digest.channel_id as u64);
        let mut first = None;
        for text in render::digest_messages(digest) {
            let id = self.say(channel, text).await?;
            first.get_or_insert(id);
        }
        first.ok_or_else(|| PostError::Refused("the digest was empty".into()))
    }

    async fn tell_admin(&self, user_id: u64, text: &str) {
        let message = serenity::CreateMessage::new()
            .content(text)
            .allowed_mentions(serenity::CreateAllowedMentions::new());
        if let Err(error) = serenity::UserId::new(user_id)
            .direct_message(&self.http, message)
            .await
        {
            tracing::warn!(user_id, error = %error, "could not message the admin");
        }
    }
}

impl DiscordPoster {
    /// Sends plain text that pings nobody (member mentions in results render as names).
    /// Returns the message's id.
    async fn say(&self, channel: serenity::ChannelId, text: String) -> Result<u64, PostError> {
        let message = serenity::CreateMessage::new()
            .content(text)
            .allowed_mentions(serenity::CreateAllowedMentions::new());
        channel
            .send_message(&self.http, message)
            .await
            .map(|sent| sent.id.get())
            .map_err(classify)
    }
}

/// The prompt's embed: the question, when answers close, and how to answer.
pub fn prompt_embed(post: &PromptPost) -> serenity::CreateEmbed {
    let mut description = post.question_text.clone();
    if let Some(closes) = post.closes_at {
        description.push_str(&format!("\n\nAnswers close <t:{}:R>.", closes.timestamp()));
    }
    description.push_str("\nAnswer with the button, `/answer`, or a direct message to me.");
    let title = if post.late {
        "Today's question (posted late: I was offline at the usual time)"
    } else {
        "Today's question"
    };
    serenity::CreateEmbed::new()
        .title(title)
        .description(description)
        .colour(serenity::Colour::from_rgb(255, 153, 0))
}

/// The Answer button of a prompt.
pub fn answer_button(prompt_id: i64) -> serenity::CreateButton {
    serenity::CreateButton::new(format!("{ANSWER_BUTTON}{prompt_id}"))
        .label("Answer")
        .style(serenity::ButtonStyle::Primary)
}

/// Discord's "no" (missing access or permissions, unknown channel) is final; anything else may
/// pass.
fn classify(error: serenity::Error) -> PostError {
    if let serenity::Error::Http(serenity::HttpError::UnsuccessfulRequest(response)) = &error {
        let status = response.status_code.as_u16();
        if matches!(status, 403 | 404) {
            return PostError::Refused(match response.error.code {
                50001 => "I cannot see that channel (Missing Access)".to_owned(),
                50013 => "I lack permission to post there (Missing Permissions)".to_owned(),
                10003 => "the channel no longer exists".to_owned(),
                _ => response.error.message.clone(),
            });
        }
    }
    PostError::Unavailable(error.to_string())
}
