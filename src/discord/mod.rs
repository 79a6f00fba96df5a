//! The Discord layer: the only code that imports serenity or poise. It parses what Discord sends,
//! calls the domain and the store, and renders replies.

mod commands;
mod daily;
mod member;
pub mod poster;
mod progress;
mod questions;
pub mod render;
mod voting;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use poise::serenity_prelude as serenity;
use tokio::sync::Notify;

use crate::config::Config;
use crate::scheduler::Scheduler;
use crate::store::Store;

/// The scheduler as the bot runs it.
pub type BotScheduler = Scheduler<poster::DiscordPoster, rand::rngs::StdRng>;

pub type Error = anyhow::Error;
pub type Context<'a> = poise::Context<'a, Bot, Error>;

/// The gateway intents the bot needs: guild metadata and direct messages. Bots receive the
/// content of direct messages without the privileged message-content intent, so none is asked.
pub const INTENTS: serenity::GatewayIntents =
    serenity::GatewayIntents::GUILDS.union(serenity::GatewayIntents::DIRECT_MESSAGES);

/// State shared by every handler.
#[derive(Clone)]
pub struct Bot {
    pub store: Store,
    /// Set once the client (and so its HTTP handle) exists, before any event is handled.
    scheduler: Arc<OnceLock<Arc<BotScheduler>>>,
    in_flight: Arc<InFlight>,
    started: Instant,
}

#[derive(Default)]
struct InFlight {
    count: AtomicUsize,
    idle: Notify,
}

/// Held while an interaction or message is being handled: counts it as in flight for shutdown,
/// and logs one line with its latency when dropped, whichever way the handler ended.
pub struct InFlightGuard {
    in_flight: Arc<InFlight>,
    what: String,
    user: u64,
    started: Instant,
}

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        tracing::info!(
            what = %self.what,
            user = self.user,
            latency_ms = self.started.elapsed().as_millis() as u64,
            "handled"
        );
        if self.in_flight.count.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.in_flight.idle.notify_waiters();
        }
    }
}

impl Bot {
    pub fn new(store: Store, started: Instant) -> Self {
        Bot {
            store,
            scheduler: Arc::default(),
            in_flight: Arc::default(),
            started,
        }
    }

    /// Hands the bot its scheduler (for `/post-now`); called once, right after the client is built.
    pub fn set_scheduler(&self, scheduler: Arc<BotScheduler>) {
        let _ = self.scheduler.set(scheduler);
    }

    fn scheduler(&self) -> Result<&Arc<BotScheduler>, Error> {
        self.scheduler
            .get()
            .ok_or_else(|| anyhow::anyhow!("the scheduler is not running yet"))
    }

    fn track(&self, what: String, user: u64) -> InFlightGuard {
        self.in_flight.count.fetch_add(1, Ordering::SeqCst);
        InFlightGuard {
            in_flight: Arc::clone(&self.in_flight),
            what,
            user,
            started: Instant::now(),
        }
    }

    /// Waits until no interaction is in flight, or `timeout` passes; true when all finished.
    pub async fn drain(&self, timeout: Duration) -> bool {
        let wait = async {
            loop {
                let idle = self.in_flight.idle.notified();
                if self.in_flight.count.load(Ordering::SeqCst) == 0 {
                    return;
                }
                idle.await;
            }
        };
        tokio::time::timeout(timeout, wait).await.is_ok()
    }
}

/// Builds the client. With `DISCORD_API_BASE`, REST goes there and the gateway URL comes from
/// that base's `GET /api/v10/gateway`; serenity only honours the proxy with its ratelimiter off.
pub async fn build_client(config: &Config, bot: Bot) -> serenity::Result<serenity::Client> {
    // Never call ClientBuilder::token after this: it would replace the Http and drop the proxy.
    serenity::ClientBuilder::new_with_http(http(config), INTENTS)
        .framework(framework(bot))
        .await
}

/// The REST client for the configured token and API base.
fn http(config: &Config) -> serenity::Http {
    let mut http = serenity::HttpBuilder::new(config.expose_token());
    if let Some(base) = &config.discord_api_base {
        http = http
            .proxy(base.as_str().trim_end_matches('/'))
            .ratelimiter_disabled(true);
    }
    http.build()
}

fn framework(bot: Bot) -> poise::Framework<Bot, Error> {
    poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: commands::all(),
            // Replies never ping anyone: an answer quoting "@everyone" or a role stays inert.
            allowed_mentions: Some(serenity::CreateAllowedMentions::new()),
            pre_command: |ctx| {
                Box::pin(async move {
                    let guard = ctx.data().track(
                        format!("/{}", ctx.command().qualified_name),
                        ctx.author().id.get(),
                    );
                    ctx.set_invocation_data(guard).await;
                })
            },
            on_error: |error| Box::pin(on_error(error)),
            event_handler: |framework, event| {
                Box::pin(commands::on_event(
                    framework.serenity_context,
                    event,
                    framework.user_data,
                ))
            },
            ..Default::default()
        })
        .setup(move |ctx, ready, framework| {
            Box::pin(async move {
                poise::builtins::register_globally(ctx, &framework.options().commands).await?;
                tracing::info!(
                    user = %ready.user.name,
                    guilds = ready.guilds.len(),
                    startup_ms = bot.started.elapsed().as_millis() as u64,
                    "connected to Discord and registered commands"
                );
                Ok(bot)
            })
        })
        .initialize_owners(false)
        .build()
}

/// A private (ephemeral) reply that pings nobody: scores, history and settings are shown only to
/// the member who asked.
fn private(content: String) -> poise::CreateReply {
    poise::CreateReply::default()
        .content(content)
        .ephemeral(true)
        .allowed_mentions(serenity::CreateAllowedMentions::new())
}

/// A failure the member caused and can fix: shown to them as is, not logged as a bot error.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UserFacing(pub String);

async fn on_error(error: poise::FrameworkError<'_, Bot, Error>) {
    match error {
        poise::FrameworkError::Command { error, ctx, .. } => {
            let message = match error.downcast_ref::<UserFacing>() {
                Some(user_facing) => user_facing.0.clone(),
                None => {
                    tracing::error!(command = %ctx.command().qualified_name, error = ?error, "command failed");
                    "Sorry, something went wrong on my side and nothing was saved. Please try again in a minute.".to_owned()
                }
            };
            let reply = poise::CreateReply::default()
                .content(message)
                .ephemeral(true)
                .allowed_mentions(serenity::CreateAllowedMentions::new());
            if let Err(e) = ctx.send(reply).await {
                tracing::warn!(error = %e, "could not report an error to the member");
            }
        }
        poise::FrameworkError::MissingUserPermissions { ctx, .. } => {
            let reply = poise::CreateReply::default()
                .content(format!(
                    "Only members who can manage this server can use /{}.",
                    ctx.command().qualified_name
                ))
                .ephemeral(true)
                .allowed_mentions(serenity::CreateAllowedMentions::new());
            if let Err(e) = ctx.send(reply).await {
                tracing::warn!(error = %e, "could not refuse a command");
            }
        }
        poise::FrameworkError::ArgumentParse { ctx, error, .. } => {
            // poise's default posts the input publicly; it may be someone's answer, so the
            // reply is private and does not echo it.
            tracing::warn!(command = %ctx.command().qualified_name, error = %error, "unreadable options");
            let reply = poise::CreateReply::default()
                .content(format!(
                    "I could not read the options of /{}: {error}. Please try again.",
                    ctx.command().qualified_name
                ))
                .ephemeral(true)
                .allowed_mentions(serenity::CreateAllowedMentions::new());
            if let Err(e) = ctx.send(reply).await {
                tracing::warn!(error = %e, "could not report an option error");
            }
        }
        poise::FrameworkError::CommandStructureMismatch {
            ctx, description, ..
        } => {
            // Discord sent options in a shape this version does not register: most often a
            // command cached from an older version. Say so privately instead of staying silent.
            tracing::warn!(command = %ctx.command().qualified_name, description, "options do not match the command");
            let reply = poise::CreateReply::default()
                .content(format!(
                    "I could not read the options of /{}: my commands may have just been updated. Please run it again.",
                    ctx.command().qualified_name
                ))
                .ephemeral(true)
                .allowed_mentions(serenity::CreateAllowedMentions::new());
            if let Err(e) = poise::Context::Application(ctx).send(reply).await {
                tracing::warn!(error = %e, "could not report an option mismatch");
            }
        }
        poise::FrameworkError::UnknownInteraction {
            framework,
            interaction,
            ..
        } => {
            // Usually a command registered by an older version of the bot: answer rather than
            // leave the member with "the application did not respond".
            tracing::warn!(command = %interaction.data.name, "unknown command");
            let message = serenity::CreateInteractionResponseMessage::new()
                .content(format!(
                    "I don't know /{} (any more). Type / to see my current commands.",
                    interaction.data.name
                ))
                .ephemeral(true)
                .allowed_mentions(serenity::CreateAllowedMentions::new());
            let response = serenity::CreateInteractionResponse::Message(message);
            if let Err(e) = interaction
                .create_response(framework.serenity_context, response)
                .await
            {
                tracing::warn!(error = %e, "could not answer an unknown command");
            }
        }
        poise::FrameworkError::Setup {
            error, framework, ..
        } => {
            // Without setup the framework never handles an event: a bot that looks alive but
            // ignores everyone is worse than one that stops, so stop and let `serve` report it.
            tracing::error!(error = ?error, "setup failed: commands are not registered");
            framework.shard_manager().shutdown_all().await;
        }
        other => {
            if let Err(e) = poise::builtins::on_error(other).await {
                tracing::warn!(error = %e, "the default error handler failed");
            }
        }
    }
}
