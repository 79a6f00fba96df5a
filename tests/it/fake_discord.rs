//! A fake Discord for end-to-end tests: one axum server on `127.0.0.1:0` that speaks the real
//! REST API under `/api/v10` and the real gateway protocol on `/ws`.
//!
//! The bot under test is pointed at it with
//! `HttpBuilder::new(token).proxy(fake.api_base()).ratelimiter_disabled(true)` (the proxy is
//! ignored while the ratelimiter is on). The fake then answers `GET /gateway` with its own
//! websocket URL, so the bot connects here instead of to Discord.
//!
//! Tests drive the bot by dispatching gateway events (slash commands, button clicks, select
//! menus, modal submits, DMs) and observe it through the REST requests it makes, all of which
//! are recorded. Every wait has a 10 s deadline and panics with a dump of what the bot did, so
//! a failing test explains itself. Each test starts its own fake, so tests can run in parallel.
//!
//! Facts the design relies on are in the team's shared `discord-offline-testing.md`: the
//! required payload keys, the silent dropping of malformed events, and the race between a
//! modal submit and poise's collector.

#![allow(dead_code)]

mod payloads;
mod selftest;

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use tokio::sync::{Notify, mpsc, oneshot};

pub use self::payloads::Place;
use self::payloads::sf;

/// The bot user id, which is also the application id (as for real bots).
pub const APP_ID: u64 = 100;
/// The one guild the bot is in.
pub const GUILD_ID: u64 = 200;
/// The owner of the application and of the guild (drives poise's `owners_only`).
pub const OWNER_ID: u64 = 150;
/// The bot's managed role in the guild.
pub const BOT_ROLE_ID: u64 = 201;
/// A text channel in the guild that the bot can post in.
pub const CHANNEL_ID: u64 = 300;
/// The name of `CHANNEL_ID`.
pub const CHANNEL_NAME: &str = "interview-prep";

/// Discord permission bits used by the fake.
pub mod perms {
    pub const ADMINISTRATOR: u64 = 1 << 3;
    pub const MANAGE_GUILD: u64 = 1 << 5;
    pub const ADD_REACTIONS: u64 = 1 << 6;
    pub const VIEW_CHANNEL: u64 = 1 << 10;
    pub const SEND_MESSAGES: u64 = 1 << 11;
    pub const MANAGE_MESSAGES: u64 = 1 << 13;
    pub const EMBED_LINKS: u64 = 1 << 14;
    pub const ATTACH_FILES: u64 = 1 << 15;
    pub const READ_MESSAGE_HISTORY: u64 = 1 << 16;
    pub const USE_APPLICATION_COMMANDS: u64 = 1 << 31;
    pub const MANAGE_THREADS: u64 = 1 << 34;
    pub const CREATE_PUBLIC_THREADS: u64 = 1 << 35;
    pub const SEND_MESSAGES_IN_THREADS: u64 = 1 << 38;
}

/// What an ordinary member may do in `CHANNEL_ID` (also the `@everyone` role's permissions).
pub const MEMBER_PERMISSIONS: u64 = perms::VIEW_CHANNEL
    | perms::SEND_MESSAGES
    | perms::EMBED_LINKS
    | perms::ATTACH_FILES
    | perms::READ_MESSAGE_HISTORY
    | perms::ADD_REACTIONS
    | perms::USE_APPLICATION_COMMANDS
    | perms::SEND_MESSAGES_IN_THREADS
    | perms::CREATE_PUBLIC_THREADS;
/// The bot's permissions, sent as `app_permissions` on every interaction.
pub const BOT_PERMISSIONS: u64 =
    MEMBER_PERMISSIONS | perms::MANAGE_THREADS | perms::MANAGE_MESSAGES;

/// Gateway intents the fake honours when delivering messages (as Discord does).
const INTENT_GUILD_MESSAGES: u64 = 1 << 9;
const INTENT_DIRECT_MESSAGES: u64 = 1 << 12;
const INTENT_MESSAGE_CONTENT: u64 = 1 << 15;

/// Every wait gives up after this long.
pub const WAIT: Duration = Duration::from_secs(10);
/// How often a modal submit is re-dispatched until the bot acknowledges it.
const MODAL_RETRY: Duration = Duration::from_millis(300);
/// DM channel ids are `DM_CHANNEL_OFFSET + user id`, so they are stable per user.
const DM_CHANNEL_OFFSET: u64 = 9_000_000_000;
/// Discord's epoch (2015-01-01) in Unix milliseconds, for realistic snowflakes.
const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;
/// Message flags.
const EPHEMERAL: u64 = 1 << 6;
const LOADING: u64 = 1 << 7;

/// A user who interacts with the bot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeUser {
    pub id: u64,
    pub name: String,
    /// The member's computed permissions in the interaction's channel.
    pub permissions: u64,
}

impl FakeUser {
    /// An ordinary member: can view, send and use application commands.
    pub fn member(id: u64, name: &str) -> FakeUser {
        FakeUser {
            id,
            name: name.to_string(),
            permissions: MEMBER_PERMISSIONS,
        }
    }

    /// An administrator. Discord sends administrators every permission bit (so Manage Server is
    /// set too), and poise does not special-case Administrator, so this mirrors that.
    pub fn admin(id: u64, name: &str) -> FakeUser {
        FakeUser {
            id,
            name: name.to_string(),
            permissions: serenity::all::Permissions::all().bits(),
        }
    }

    pub fn with_permissions(mut self, permissions: u64) -> FakeUser {
        self.permissions = permissions;
        self
    }
}

/// One REST request the bot made, in arrival order.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    /// The full path as received, e.g. `/api/v10/channels/300/messages`.
    pub path: String,
    /// The raw query string without `?` (serenity sends `&a=b&c=d`), or empty.
    pub query: String,
    /// The JSON body (for multipart requests, the `payload_json` part), or `Null`.
    pub body: Value,
    pub auth: Option<String>,
    /// The status the fake answered with.
    pub status: u16,
    /// The message this request created or changed, as stored right afterwards.
    pub message: Option<Value>,
    /// Files uploaded with a multipart request: (file name, bytes).
    pub files: Vec<(String, Vec<u8>)>,
    /// True when no route matched and the fake answered 404.
    pub unknown_route: bool,
}

impl Recorded {
    /// The path without the `/api/v10` prefix, e.g. `/channels/300/messages`.
    pub fn route(&self) -> &str {
        self.path.strip_prefix("/api/v10").unwrap_or(&self.path)
    }

    /// One line for failure dumps.
    pub fn short(&self) -> String {
        let mut body = self.body.to_string();
        if body.len() > 200 {
            let cut = (0..=200)
                .rev()
                .find(|i| body.is_char_boundary(*i))
                .unwrap_or(0);
            body.truncate(cut);
            body.push('…');
        }
        let query = if self.query.is_empty() {
            String::new()
        } else {
            format!("?{}", self.query)
        };
        format!(
            "{} {}{} -> {} {}",
            self.method, self.path, query, self.status, body
        )
    }
}

/// An interaction the fake dispatched.
#[derive(Clone, Debug)]
pub struct Interaction {
    pub id: u64,
    pub token: String,
    /// 2 command, 3 component, 5 modal submit.
    pub kind: u64,
    pub channel_id: u64,
    pub guild_id: Option<u64>,
    pub user: FakeUser,
    /// The `d` of the INTERACTION_CREATE event.
    pub payload: Value,
}

/// Which request made a reply visible.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplyKind {
    /// Callback type 4 (channel message with source).
    Message,
    /// Callback type 7 (update the component's message).
    Update,
    /// `POST /webhooks/{app}/{token}`.
    Followup,
    /// `PATCH /webhooks/{app}/{token}/messages/@original`.
    EditOriginal,
    /// `PATCH /webhooks/{app}/{token}/messages/{id}`.
    EditFollowup,
}

/// Something the user can see in response to an interaction.
#[derive(Clone, Debug)]
pub struct Reply {
    pub kind: ReplyKind,
    pub content: String,
    pub embeds: Vec<Value>,
    pub components: Vec<Value>,
    /// Whether the resulting message is ephemeral. After a deferral this is the deferral's
    /// state, whatever the followup's own flags say (as on Discord).
    pub ephemeral: bool,
    /// The flags sent in this request (0 if absent).
    pub flags: u64,
    pub allowed_mentions: Option<Value>,
    /// The callback's `data`, or the followup/edit body.
    pub raw: Value,
    /// The message as stored after this reply (pass it to `click`/`select`), or `Null`.
    pub message: Value,
}

impl Reply {
    /// Every component `custom_id` in the reply, depth first.
    pub fn custom_ids(&self) -> Vec<String> {
        let mut out = Vec::new();
        collect_custom_ids(&Value::Array(self.components.clone()), &mut out);
        out
    }
}

fn collect_custom_ids(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Array(items) => items.iter().for_each(|i| collect_custom_ids(i, out)),
        Value::Object(o) => {
            if let Some(Value::String(id)) = o.get("custom_id") {
                out.push(id.clone());
            }
            if let Some(c) = o.get("components") {
                collect_custom_ids(c, out);
            }
        }
        _ => {}
    }
}

/// The fake server. Cheap to clone; all clones share one server.
#[derive(Clone)]
pub struct FakeDiscord {
    sh: Arc<Shared>,
}

struct Shared {
    addr: SocketAddr,
    state: Mutex<St>,
    /// Woken on every state change; waits re-check their condition.
    changed: Notify,
    next_id: AtomicU64,
}

/// Channels the fake knows; requests to any other channel get 404 Unknown Channel.
#[derive(Clone, Debug)]
enum Chan {
    Text {
        name: String,
        position: u64,
    },
    Thread {
        name: String,
        parent: u64,
        kind: u64,
        auto_archive: u64,
    },
    Dm {
        user: u64,
    },
}

/// What the fake tracks per interaction to answer callbacks and followups as Discord would.
#[derive(Clone, Debug)]
struct IxState {
    token: String,
    channel_id: u64,
    /// The message a component (or a modal opened from one) belongs to; type 7 edits it.
    message_id: Option<u64>,
    /// The message created by callback 4 or 5.
    original: Option<u64>,
    acked: bool,
}

struct Failure {
    method: String,
    prefix: String,
    status: u16,
    body: Value,
}

enum WsCmd {
    Dispatch(String, Value),
    Close(u16, oneshot::Sender<()>),
}

#[derive(Default)]
struct St {
    requests: Vec<Recorded>,
    identifies: Vec<Value>,
    resumes: usize,
    connections: usize,
    ready_sent: usize,
    /// The identified socket's queue; `None` while no socket is identified.
    gateway: Option<mpsc::UnboundedSender<WsCmd>>,
    /// Dispatches waiting for a socket to identify.
    pending: Vec<(String, Value)>,
    /// `t` of every frame written, and any events the fake chose not to deliver, for dumps.
    gateway_log: Vec<String>,
    global_commands: Vec<Value>,
    global_registered: bool,
    guild_commands: Vec<Value>,
    command_ids: HashMap<String, u64>,
    users: HashMap<u64, FakeUser>,
    channels: HashMap<u64, Chan>,
    deleted: HashSet<u64>,
    messages: HashMap<u64, Value>,
    /// Ids of messages the bot posted with `POST /channels/{id}/messages`, per channel.
    posts: HashMap<u64, Vec<u64>>,
    interactions: HashMap<u64, IxState>,
    tokens: HashMap<String, u64>,
    failures: Vec<Failure>,
}

fn lock(sh: &Shared) -> MutexGuard<'_, St> {
    // A panicking test must not poison the state for the server tasks that still use it.
    sh.state.lock().unwrap_or_else(|e| e.into_inner())
}

fn id_of(v: &Value) -> Option<u64> {
    match v {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

impl FakeDiscord {
    /// Binds `127.0.0.1:0` and serves REST under `/api/v10/*` and the gateway on `/ws`.
    pub async fn start() -> FakeDiscord {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("fake Discord: bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("fake Discord: local_addr");
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(DISCORD_EPOCH_MS + 1);
        let mut st = St::default();
        st.channels.insert(
            CHANNEL_ID,
            Chan::Text {
                name: CHANNEL_NAME.to_string(),
                position: 0,
            },
        );
        let sh = Arc::new(Shared {
            addr,
            state: Mutex::new(st),
            changed: Notify::new(),
            // Real snowflakes embed a timestamp; bots may derive dates from ids.
            next_id: AtomicU64::new((now_ms.saturating_sub(DISCORD_EPOCH_MS)) << 22),
        });
        let app = Router::new()
            .route("/ws", get(ws_handler))
            .fallback(rest_handler)
            .layer(DefaultBodyLimit::disable())
            .with_state(sh.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeDiscord { sh }
    }

    /// `http://127.0.0.1:PORT`, the value for the bot's `DISCORD_API_BASE`.
    pub fn api_base(&self) -> String {
        format!("http://{}", self.sh.addr)
    }

    /// The gateway URL the fake hands out from `GET /gateway`.
    pub fn gateway_url(&self) -> String {
        format!("ws://{}/ws", self.sh.addr)
    }

    fn next_id(&self) -> u64 {
        self.sh.next_id.fetch_add(1, Ordering::Relaxed)
    }

    fn changed(&self) {
        self.sh.changed.notify_waiters();
    }

    /// Waits until the bot identified, received READY and GUILD_CREATE, and registered its
    /// global commands. Returns the IDENTIFY `d` payload.
    pub async fn wait_until_ready(&self) -> Value {
        self.wait_until(
            "the bot to identify, get READY + GUILD_CREATE and register global commands",
            |st| {
                (st.ready_sent > 0 && st.global_registered)
                    .then(|| st.identifies.last().cloned())
                    .flatten()
            },
        )
        .await
    }

    /// The commands from the last `PUT /applications/{app}/commands`, as the fake echoed them.
    pub fn registered_commands(&self) -> Vec<Value> {
        lock(&self.sh).global_commands.clone()
    }

    /// The commands from the last `PUT /applications/{app}/guilds/{g}/commands`.
    pub fn guild_commands(&self) -> Vec<Value> {
        lock(&self.sh).guild_commands.clone()
    }

    /// Makes a user known to the fake, so `GET /guilds/{g}/members/{id}` and DM creation find
    /// them. Users who interact are added automatically.
    pub fn add_user(&self, user: &FakeUser) {
        lock(&self.sh).users.insert(user.id, user.clone());
    }

    /// Adds a text channel to the guild. Call it before the bot connects for it to be in
    /// GUILD_CREATE; REST sees it at once.
    pub fn add_text_channel(&self, id: u64, name: &str) {
        let mut st = lock(&self.sh);
        let position = st.channels.len() as u64;
        st.channels.insert(
            id,
            Chan::Text {
                name: name.to_string(),
                position,
            },
        );
    }

    // ----- interactions -------------------------------------------------------------------

    /// A slash command by `user` in `CHANNEL_ID`. `options` is the JSON array Discord sends,
    /// e.g. `[{"name":"text","type":3,"value":"hi"}]`; subcommands are type 1 with nested
    /// `options`. User, channel and role options get their `resolved` entries automatically.
    pub async fn slash(&self, user: &FakeUser, name: &str, options: Value) -> Interaction {
        self.slash_in_channel(user, CHANNEL_ID, name, options).await
    }

    /// A slash command in another guild channel the fake knows (e.g. a thread the bot created).
    pub async fn slash_in_channel(
        &self,
        user: &FakeUser,
        channel_id: u64,
        name: &str,
        options: Value,
    ) -> Interaction {
        let channel = {
            let st = lock(&self.sh);
            match st.channels.get(&channel_id) {
                Some(c @ (Chan::Text { .. } | Chan::Thread { .. })) => channel_json(channel_id, c),
                _ => panic!(
                    "fake Discord: slash_in_channel: {channel_id} is not a guild channel the fake knows"
                ),
            }
        };
        self.command(user, name, options, Place::Guild { channel })
            .await
    }

    /// A slash command in `user`'s DM with the bot: `user` instead of `member`, no `guild_id`.
    pub async fn slash_in_dm(&self, user: &FakeUser, name: &str, options: Value) -> Interaction {
        let channel_id = self.dm_channel_id(user.id);
        self.command(user, name, options, Place::Dm { channel_id })
            .await
    }

    async fn command(
        &self,
        user: &FakeUser,
        name: &str,
        options: Value,
        place: Place,
    ) -> Interaction {
        assert!(
            options.is_array() || options.is_null(),
            "fake Discord: slash options must be a JSON array, got {options}"
        );
        let options = if options.is_null() {
            json!([])
        } else {
            options
        };
        let (command_id, resolved) = {
            let mut st = lock(&self.sh);
            st.users.insert(user.id, user.clone());
            let command_id = st.command_ids.get(name).copied();
            let resolved = resolve_options(&st, &options, matches!(place, Place::Guild { .. }));
            (command_id, resolved)
        };
        let command_id = command_id.unwrap_or_else(|| self.next_id());
        let data = payloads::command_data(command_id, name, options, resolved);
        self.interact(user, 2, place, data, None).await
    }

    /// A click on the button `custom_id` of `message` (a message the bot posted, as stored by
    /// the fake, e.g. `Reply::message` or from `wait_for_channel_message`). The interaction
    /// carries the message's current stored state.
    pub async fn click(&self, user: &FakeUser, message: &Value, custom_id: &str) -> Interaction {
        let (message, place) = self.component_context(message, custom_id, 2);
        self.interact(
            user,
            3,
            place,
            payloads::button_data(custom_id),
            Some(message),
        )
        .await
    }

    /// A choice in the string select menu `custom_id` of `message`.
    pub async fn select(
        &self,
        user: &FakeUser,
        message: &Value,
        custom_id: &str,
        values: &[&str],
    ) -> Interaction {
        let (message, place) = self.component_context(message, custom_id, 3);
        let component = find_component(&message["components"], custom_id).unwrap_or(Value::Null);
        let allowed: Vec<&str> = component["options"]
            .as_array()
            .map(|o| o.iter().filter_map(|o| o["value"].as_str()).collect())
            .unwrap_or_default();
        for v in values {
            assert!(
                allowed.contains(v),
                "fake Discord: select `{custom_id}` has no option `{v}`; options are {allowed:?}"
            );
        }
        self.interact(
            user,
            3,
            place,
            payloads::string_select_data(custom_id, values),
            Some(message),
        )
        .await
    }

    /// Submits the modal that the bot opened in reply to `opened_by` (its callback type 9).
    /// `fields` are (text input custom_id, value); inputs not given are sent empty, as Discord
    /// does for optional inputs.
    ///
    /// poise registers its modal collector only after its type-9 callback request returns, and
    /// serenity feeds only collectors that exist when an event arrives, so a submit sent too
    /// early is lost. The fake therefore re-dispatches the same submit (same id and token) every
    /// 300 ms until the bot answers it.
    pub async fn submit_modal(
        &self,
        user: &FakeUser,
        opened_by: &Interaction,
        fields: &[(&str, &str)],
    ) -> Interaction {
        let cb = self.callback(opened_by).await;
        assert_eq!(
            cb["type"].as_u64(),
            Some(9),
            "fake Discord: submit_modal: the bot answered {} with {cb}, not a modal (type 9)",
            opened_by.id
        );
        let modal = &cb["data"];
        let custom_id = modal["custom_id"]
            .as_str()
            .expect("fake Discord: the modal has no custom_id")
            .to_string();
        let inputs: Vec<Value> = modal["components"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
            .collect();
        let input_ids: Vec<&str> = inputs
            .iter()
            .filter_map(|i| i["custom_id"].as_str())
            .collect();
        for (id, _) in fields {
            assert!(
                input_ids.contains(id),
                "fake Discord: the modal `{custom_id}` has no text input `{id}`; it has {input_ids:?}"
            );
        }
        let mut values = Vec::new();
        for input in &inputs {
            let id = input["custom_id"].as_str().unwrap_or_default();
            let given = fields
                .iter()
                .find(|(f, _)| *f == id)
                .map(|(_, v)| v.to_string());
            let required = input["required"].as_bool().unwrap_or(true);
            assert!(
                given.is_some() || !required,
                "fake Discord: the modal's text input `{id}` is required but submit_modal did not fill it"
            );
            values.push((id.to_string(), given.unwrap_or_default()));
        }
        let place = match opened_by.guild_id {
            Some(_) => {
                let st = lock(&self.sh);
                let chan = st
                    .channels
                    .get(&opened_by.channel_id)
                    .cloned()
                    .unwrap_or(Chan::Text {
                        name: CHANNEL_NAME.into(),
                        position: 0,
                    });
                Place::Guild {
                    channel: channel_json(opened_by.channel_id, &chan),
                }
            }
            None => Place::Dm {
                channel_id: opened_by.channel_id,
            },
        };
        let message = opened_by.payload.get("message").cloned();
        let ix = self
            .interact(
                user,
                5,
                place,
                payloads::modal_data(&custom_id, &values),
                message,
            )
            .await;

        let fake = self.clone();
        let resend = ix.clone();
        tokio::spawn(async move {
            let deadline = tokio::time::Instant::now() + WAIT;
            let path = format!(
                "/api/v10/interactions/{}/{}/callback",
                resend.id, resend.token
            );
            loop {
                tokio::time::sleep(MODAL_RETRY).await;
                let answered = lock(&fake.sh).requests.iter().any(|r| r.path == path);
                if answered || tokio::time::Instant::now() > deadline {
                    break;
                }
                fake.dispatch("INTERACTION_CREATE", resend.payload.clone());
            }
        });
        ix
    }

    fn component_context(&self, message: &Value, custom_id: &str, kind: u64) -> (Value, Place) {
        let st = lock(&self.sh);
        let message_id =
            id_of(&message["id"]).expect("fake Discord: the message to interact with has no id");
        // Discord sends the message as it is now, not as the test last saw it.
        let message = st
            .messages
            .get(&message_id)
            .cloned()
            .unwrap_or_else(|| message.clone());
        let channel_id =
            id_of(&message["channel_id"]).expect("fake Discord: the message has no channel_id");
        let Some(component) = find_component(&message["components"], custom_id) else {
            let mut ids = Vec::new();
            collect_custom_ids(&message["components"], &mut ids);
            panic!(
                "fake Discord: message {message_id} has no component `{custom_id}`; it has {ids:?}"
            );
        };
        assert_eq!(
            component["type"].as_u64(),
            Some(kind),
            "fake Discord: component `{custom_id}` is {component}, not of type {kind}"
        );
        assert!(
            !component["disabled"].as_bool().unwrap_or(false),
            "fake Discord: component `{custom_id}` is disabled and cannot be used"
        );
        let place = match st.channels.get(&channel_id) {
            Some(Chan::Dm { .. }) => Place::Dm { channel_id },
            Some(c) => Place::Guild {
                channel: channel_json(channel_id, c),
            },
            None => panic!(
                "fake Discord: message {message_id} is in channel {channel_id}, which the fake does not know (deleted?)"
            ),
        };
        (message, place)
    }

    /// Builds, registers and dispatches one INTERACTION_CREATE with a fresh id and token.
    async fn interact(
        &self,
        user: &FakeUser,
        kind: u64,
        place: Place,
        data: Value,
        message: Option<Value>,
    ) -> Interaction {
        let id = self.next_id();
        let token = format!("fake-interaction-token-{id}");
        let (channel_id, guild_id) = match &place {
            Place::Guild { channel } => {
                (id_of(&channel["id"]).unwrap_or(CHANNEL_ID), Some(GUILD_ID))
            }
            Place::Dm { channel_id } => (*channel_id, None),
        };
        let mut payload = payloads::interaction(id, &token, kind, &place, user, data);
        let message_id = message.as_ref().and_then(|m| id_of(&m["id"]));
        if let Some(m) = message {
            payload["message"] = m;
        }
        {
            let mut st = lock(&self.sh);
            st.users.insert(user.id, user.clone());
            st.tokens.insert(token.clone(), id);
            st.interactions.insert(
                id,
                IxState {
                    token: token.clone(),
                    channel_id,
                    message_id,
                    original: None,
                    acked: false,
                },
            );
        }
        self.dispatch("INTERACTION_CREATE", payload.clone());
        tokio::task::yield_now().await;
        Interaction {
            id,
            token,
            kind,
            channel_id,
            guild_id,
            user: user.clone(),
            payload,
        }
    }

    /// A DM from `user` to the bot (MESSAGE_CREATE without `guild_id`). Returns the message id.
    /// Like Discord, the fake does not deliver it if the bot lacks the DIRECT_MESSAGES intent.
    pub async fn send_dm(&self, user: &FakeUser, content: &str) -> u64 {
        let channel_id = self.dm_channel_id(user.id);
        let id = self.next_id();
        let msg = payloads::user_message(id, channel_id, user, content, false);
        {
            let mut st = lock(&self.sh);
            st.users.insert(user.id, user.clone());
            st.messages.insert(id, msg.clone());
        }
        self.dispatch("MESSAGE_CREATE", msg);
        tokio::task::yield_now().await;
        id
    }

    /// A message from `user` in a guild channel. Like Discord, the fake needs GUILD_MESSAGES to
    /// deliver it, and blanks the content without MESSAGE_CONTENT.
    pub async fn send_channel_message(
        &self,
        user: &FakeUser,
        channel_id: u64,
        content: &str,
    ) -> u64 {
        let id = self.next_id();
        let msg = payloads::user_message(id, channel_id, user, content, true);
        {
            let mut st = lock(&self.sh);
            st.users.insert(user.id, user.clone());
            st.messages.insert(id, msg.clone());
        }
        self.dispatch("MESSAGE_CREATE", msg);
        tokio::task::yield_now().await;
        id
    }

    /// Sends any gateway event. The payload is checked against serenity's model first, because
    /// serenity silently drops an event it cannot parse.
    pub fn dispatch(&self, t: &str, d: Value) {
        check_event(t, &d);
        let mut st = lock(&self.sh);
        if t == "MESSAGE_CREATE" {
            let intents = st.identifies.last().and_then(|i| i["intents"].as_u64());
            let Some(d) = gate_message(intents, d) else {
                st.gateway_log
                    .push("(MESSAGE_CREATE not delivered: the bot lacks the intent)".to_string());
                drop(st);
                self.changed();
                return;
            };
            send_or_queue(&mut st, t, d);
        } else {
            send_or_queue(&mut st, t, d);
        }
    }

    // ----- observing the bot ----------------------------------------------------------------

    /// Waits for the bot's `POST /interactions/{id}/{token}/callback` and returns its body.
    pub async fn callback(&self, ix: &Interaction) -> Value {
        let path = format!("/api/v10/interactions/{}/{}/callback", ix.id, ix.token);
        self.wait_until(&format!("the callback for interaction {}", ix.id), |st| {
            st.requests
                .iter()
                .find(|r| r.method == "POST" && r.path == path)
                .map(|r| r.body.clone())
        })
        .await
    }

    /// Waits for the first visible reply: a type-4 or type-7 callback, or (after a type-5
    /// deferral or type-6 ack) the first followup or edit of the original.
    pub async fn reply(&self, ix: &Interaction) -> Reply {
        self.replies(ix, 1).await.remove(0)
    }

    /// Waits for `n` visible replies (callbacks 4/7, followups, edits), in order.
    pub async fn replies(&self, ix: &Interaction, n: usize) -> Vec<Reply> {
        self.wait_until(
            &format!("{n} visible replies to interaction {}", ix.id),
            |st| {
                let replies = visible_replies(st, ix);
                (replies.len() >= n).then(|| replies.into_iter().take(n).collect())
            },
        )
        .await
    }

    /// Waits for a message the bot posted with `POST /channels/{channel_id}/messages` that
    /// satisfies `pred` (checked against the message's current stored state).
    pub async fn wait_for_channel_message(
        &self,
        channel_id: u64,
        pred: impl Fn(&Value) -> bool,
    ) -> Value {
        self.wait_until(
            &format!("a matching bot message in channel {channel_id}"),
            |st| posts_in(st, channel_id).into_iter().find(|m| pred(m)),
        )
        .await
    }

    /// Messages the bot posted to `channel_id` via REST, oldest first, in their current state.
    pub fn channel_messages(&self, channel_id: u64) -> Vec<Value> {
        posts_in(&lock(&self.sh), channel_id)
    }

    /// Waits for a message the bot sent in `user_id`'s DM channel that satisfies `pred`.
    pub async fn wait_for_dm(&self, user_id: u64, pred: impl Fn(&Value) -> bool) -> Value {
        let channel_id = self.dm_channel_id(user_id);
        self.wait_until(
            &format!("a matching DM from the bot to user {user_id}"),
            |st| posts_in(st, channel_id).into_iter().find(|m| pred(m)),
        )
        .await
    }

    /// The DM channel id between the bot and `user_id`; stable per user.
    pub fn dm_channel_id(&self, user_id: u64) -> u64 {
        let id = DM_CHANNEL_OFFSET + user_id;
        lock(&self.sh)
            .channels
            .insert(id, Chan::Dm { user: user_id });
        id
    }

    /// Every REST request so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.sh).requests.clone()
    }

    /// Waits for a REST request that satisfies `pred` (earlier requests count too).
    pub async fn wait_for_request(&self, pred: impl Fn(&Recorded) -> bool) -> Recorded {
        self.wait_until("a matching REST request", |st| {
            st.requests.iter().find(|r| pred(r)).cloned()
        })
        .await
    }

    /// The request that created `message` (e.g. to check its `allowed_mentions`).
    pub fn request_for_message(&self, message: &Value) -> Option<Recorded> {
        let id = &message["id"];
        lock(&self.sh)
            .requests
            .iter()
            .find(|r| r.message.as_ref().is_some_and(|m| &m["id"] == id))
            .cloned()
    }

    /// Requests answered 404 because no route matched. Tests assert this is empty.
    pub fn unknown_routes(&self) -> Vec<Recorded> {
        lock(&self.sh)
            .requests
            .iter()
            .filter(|r| r.unknown_route)
            .cloned()
            .collect()
    }

    /// Makes the next request with this method whose path starts with `path_prefix` (with or
    /// without `/api/v10`) fail with `status` and `json_body`, e.g.
    /// `fail_next("POST", "/channels/300/messages", 403, json!({"message": "Missing Access", "code": 50001}))`.
    pub fn fail_next(&self, method: &str, path_prefix: &str, status: u16, json_body: Value) {
        let prefix = path_prefix
            .strip_prefix("/api/v10")
            .unwrap_or(path_prefix)
            .to_string();
        lock(&self.sh).failures.push(Failure {
            method: method.to_uppercase(),
            prefix,
            status,
            body: json_body,
        });
    }

    /// Deletes a channel: later requests to it get 404 Unknown Channel (10003). The bot is told
    /// with CHANNEL_DELETE or THREAD_DELETE, as Discord would.
    pub fn delete_channel(&self, channel_id: u64) {
        let removed = {
            let mut st = lock(&self.sh);
            st.deleted.insert(channel_id);
            st.channels.remove(&channel_id)
        };
        match removed {
            Some(c @ Chan::Text { .. }) => self.dispatch("CHANNEL_DELETE", channel_json(channel_id, &c)),
            Some(Chan::Thread { parent, kind, .. }) => self.dispatch(
                "THREAD_DELETE",
                json!({"id": sf(channel_id), "guild_id": sf(GUILD_ID), "parent_id": sf(parent), "type": kind}),
            ),
            _ => self.changed(),
        }
    }

    /// Closes the bot's gateway connection with `code` (4004 = authentication failed, which
    /// makes `client.start()` return an error; 4000 makes serenity reconnect).
    pub async fn close_gateway(&self, code: u16) {
        let tx = self
            .wait_until("an identified gateway connection to close", |st| {
                st.gateway.clone()
            })
            .await;
        lock(&self.sh).gateway = None;
        let (ack_tx, ack_rx) = oneshot::channel();
        if tx.send(WsCmd::Close(code, ack_tx)).is_ok() {
            let _ = tokio::time::timeout(WAIT, ack_rx).await;
        }
        self.changed();
    }

    /// How many times the bot sent IDENTIFY.
    pub fn identify_count(&self) -> usize {
        lock(&self.sh).identifies.len()
    }

    /// How many times the bot sent RESUME.
    pub fn resume_count(&self) -> usize {
        lock(&self.sh).resumes
    }

    /// Waits until the bot has identified `n` times in total (e.g. after a reconnect).
    pub async fn wait_for_identify(&self, n: usize) -> Value {
        self.wait_until(&format!("IDENTIFY number {n} and its READY"), |st| {
            (st.identifies.len() >= n && st.ready_sent >= n).then(|| st.identifies[n - 1].clone())
        })
        .await
    }

    /// The `t` of every gateway frame written so far (and notes on undelivered events).
    pub fn gateway_log(&self) -> Vec<String> {
        lock(&self.sh).gateway_log.clone()
    }

    /// Polls `check` on every state change until it returns `Some`, or panics after `WAIT` with
    /// a dump of everything the bot did.
    async fn wait_until<T>(&self, what: &str, mut check: impl FnMut(&St) -> Option<T>) -> T {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let notified = self.sh.changed.notified();
            tokio::pin!(notified);
            // Registering before checking means a change between the check and the await
            // still wakes this wait.
            notified.as_mut().enable();
            if let Some(v) = check(&lock(&self.sh)) {
                return v;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let dump = {
                    let st = lock(&self.sh);
                    if let Some(v) = check(&st) {
                        return v;
                    }
                    dump(&st)
                };
                panic!(
                    "fake Discord: timed out after {} s waiting for {what}\n{dump}",
                    WAIT.as_secs()
                );
            }
        }
    }
}

/// Everything the bot did, for panic messages.
fn dump(st: &St) -> String {
    let mut out = format!("recorded REST requests ({}):\n", st.requests.len());
    for r in &st.requests {
        out.push_str(&format!("  {}\n", r.short()));
    }
    out.push_str(&format!(
        "gateway: {} connection(s), {} IDENTIFY, {} RESUME, {} READY sent, {} queued\n  frames: {}\n",
        st.connections,
        st.identifies.len(),
        st.resumes,
        st.ready_sent,
        st.pending.len(),
        st.gateway_log.join(", ")
    ));
    out
}

fn channel_json(id: u64, c: &Chan) -> Value {
    match c {
        Chan::Text { name, position } => payloads::text_channel(id, name, *position),
        Chan::Thread {
            name,
            parent,
            kind,
            auto_archive,
        } => payloads::thread_channel(id, name, *parent, *kind, *auto_archive),
        Chan::Dm { .. } => json!({"id": sf(id), "type": 1}),
    }
}

fn user_json(st: &St, id: u64) -> Value {
    if id == APP_ID {
        return payloads::bot_user();
    }
    match st.users.get(&id) {
        Some(u) => payloads::user(u.id, &u.name),
        None => payloads::user(id, &format!("user{id}")),
    }
}

fn posts_in(st: &St, channel_id: u64) -> Vec<Value> {
    st.posts
        .get(&channel_id)
        .into_iter()
        .flatten()
        .filter_map(|id| st.messages.get(id).cloned())
        .collect()
}

fn find_component(components: &Value, custom_id: &str) -> Option<Value> {
    match components {
        Value::Array(items) => items.iter().find_map(|i| find_component(i, custom_id)),
        Value::Object(o) => {
            if o.get("custom_id").and_then(Value::as_str) == Some(custom_id) {
                return Some(components.clone());
            }
            o.get("components")
                .and_then(|c| find_component(c, custom_id))
        }
        _ => None,
    }
}

/// Builds `resolved` for user (6), channel (7), role (8) and mentionable (9) options, walking
/// into subcommands and groups.
fn resolve_options(st: &St, options: &Value, in_guild: bool) -> Option<Value> {
    let mut resolved = json!({});
    let mut any = false;
    let mut stack: Vec<&Value> = options
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    while let Some(opt) = stack.pop() {
        if let Some(nested) = opt["options"].as_array() {
            stack.extend(nested.iter());
        }
        let Some(id) = id_of(&opt["value"]) else {
            continue;
        };
        let key = id.to_string();
        let kind = opt["type"].as_u64().unwrap_or(0);
        let is_role = kind == 8 || (kind == 9 && (id == GUILD_ID || id == BOT_ROLE_ID));
        if kind == 6 || (kind == 9 && !is_role) {
            resolved["users"][&key] = user_json(st, id);
            if in_guild {
                let u = st
                    .users
                    .get(&id)
                    .cloned()
                    .unwrap_or_else(|| FakeUser::member(id, &format!("user{id}")));
                let mut m = payloads::interaction_member(&u);
                if let Some(o) = m.as_object_mut() {
                    o.remove("user");
                }
                resolved["members"][&key] = m;
            }
            any = true;
        } else if kind == 7 {
            let c = st.channels.get(&id).cloned().unwrap_or(Chan::Text {
                name: format!("channel{id}"),
                position: 0,
            });
            resolved["channels"][&key] = payloads::partial_channel(&channel_json(id, &c));
            any = true;
        } else if is_role {
            let role = if id == GUILD_ID {
                payloads::role(GUILD_ID, "@everyone", MEMBER_PERMISSIONS, 0, false)
            } else if id == BOT_ROLE_ID {
                payloads::role(BOT_ROLE_ID, payloads::BOT_NAME, BOT_PERMISSIONS, 1, true)
            } else {
                payloads::role(id, &format!("role{id}"), 0, 1, false)
            };
            resolved["roles"][&key] = role;
            any = true;
        }
    }
    any.then_some(resolved)
}

/// Applies Discord's intent rules to a MESSAGE_CREATE: DMs need DIRECT_MESSAGES, guild messages
/// need GUILD_MESSAGES, and guild message content is blank without MESSAGE_CONTENT (unless the
/// bot is the author). Before any IDENTIFY, everything is delivered.
fn gate_message(intents: Option<u64>, mut d: Value) -> Option<Value> {
    let Some(intents) = intents else {
        return Some(d);
    };
    let in_guild = d.get("guild_id").is_some();
    let needed = if in_guild {
        INTENT_GUILD_MESSAGES
    } else {
        INTENT_DIRECT_MESSAGES
    };
    if intents & needed == 0 {
        return None;
    }
    let from_bot = id_of(&d["author"]["id"]) == Some(APP_ID);
    if in_guild && !from_bot && intents & INTENT_MESSAGE_CONTENT == 0 {
        d["content"] = json!("");
        d["embeds"] = json!([]);
        d["attachments"] = json!([]);
        d["components"] = json!([]);
    }
    Some(d)
}

fn send_or_queue(st: &mut St, t: &str, d: Value) {
    match &st.gateway {
        Some(tx) => {
            if let Err(mpsc::error::SendError(WsCmd::Dispatch(t, d))) =
                tx.send(WsCmd::Dispatch(t.to_string(), d))
            {
                st.gateway = None;
                st.pending.push((t, d));
            }
        }
        None => st.pending.push((t.to_string(), d)),
    }
}

/// Panics unless serenity parses this dispatch into the intended, non-Unknown event.
pub fn check_event(t: &str, d: &Value) {
    if let Some(problem) = event_problem(t, d) {
        panic!("fake Discord: serenity would drop this {t} as unparseable ({problem}): {d}");
    }
}

/// Why serenity would not deliver this dispatch to the bot, or `None` if it would.
pub fn event_problem(t: &str, d: &Value) -> Option<String> {
    use serenity::all::{Event, GatewayEvent};
    let parsed = serde_json::from_value::<GatewayEvent>(payloads::dispatch(1, t, d.clone()));
    match &parsed {
        Ok(GatewayEvent::Dispatch(_, Event::Unknown(_))) => {}
        Ok(GatewayEvent::Dispatch(_, _)) => return None,
        _ => {}
    }
    // A known event whose `d` fails to parse silently becomes `Event::Unknown`; parsing `d`
    // as the event's own type gives the precise reason.
    let reason = match t {
        "INTERACTION_CREATE" => {
            serde_json::from_value::<serenity::all::Interaction>(d.clone()).err()
        }
        "MESSAGE_CREATE" => serde_json::from_value::<serenity::all::Message>(d.clone()).err(),
        "GUILD_CREATE" => serde_json::from_value::<serenity::all::Guild>(d.clone()).err(),
        _ => None,
    };
    Some(
        reason
            .map(|e| e.to_string())
            .unwrap_or_else(|| format!("{parsed:?}")),
    )
}

/// The replies a user could see for `ix`, in order, computed from the recorded requests.
fn visible_replies(st: &St, ix: &Interaction) -> Vec<Reply> {
    let callback = format!("/api/v10/interactions/{}/{}/callback", ix.id, ix.token);
    let hook = format!("/api/v10/webhooks/{APP_ID}/{}", ix.token);
    let hook_messages = format!("{hook}/messages/");
    let mut out = Vec::new();
    for r in st
        .requests
        .iter()
        .filter(|r| (200..300).contains(&r.status))
    {
        let (kind, raw) = if r.method == "POST" && r.path == callback {
            match r.body["type"].as_u64() {
                Some(4) => (ReplyKind::Message, r.body["data"].clone()),
                Some(7) => (ReplyKind::Update, r.body["data"].clone()),
                _ => continue,
            }
        } else if r.method == "POST" && r.path == hook {
            (ReplyKind::Followup, r.body.clone())
        } else if r.method == "PATCH" && r.path.starts_with(&hook_messages) {
            let kind = if r.path.ends_with("/@original") {
                ReplyKind::EditOriginal
            } else {
                ReplyKind::EditFollowup
            };
            (kind, r.body.clone())
        } else {
            continue;
        };
        let flags = raw["flags"].as_u64().unwrap_or(0);
        let message = r.message.clone().unwrap_or(Value::Null);
        let ephemeral = match message["flags"].as_u64() {
            Some(f) => f & EPHEMERAL != 0,
            None => flags & EPHEMERAL != 0,
        };
        out.push(Reply {
            kind,
            content: raw["content"].as_str().unwrap_or_default().to_string(),
            embeds: raw["embeds"].as_array().cloned().unwrap_or_default(),
            components: raw["components"].as_array().cloned().unwrap_or_default(),
            ephemeral,
            flags,
            allowed_mentions: raw.get("allowed_mentions").cloned(),
            raw,
            message,
        });
    }
    out
}

// ----- gateway ------------------------------------------------------------------------------

async fn ws_handler(State(sh): State<Arc<Shared>>, ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(move |socket| gateway_session(sh, socket))
}

async fn send_frame(ws: &mut WebSocket, sh: &Shared, frame: Value) -> bool {
    if let Some(t) = frame["t"].as_str() {
        lock(sh).gateway_log.push(t.to_string());
    }
    ws.send(WsMessage::Text(frame.to_string().into()))
        .await
        .is_ok()
}

/// One gateway connection. Sequence numbers are assigned here, as frames are written, so a
/// test's dispatch can never overtake READY or GUILD_CREATE (serenity warns "Sequence off" and
/// may reconnect when `s` goes backwards).
async fn gateway_session(sh: Arc<Shared>, mut ws: WebSocket) {
    let (tx, mut rx) = mpsc::unbounded_channel::<WsCmd>();
    {
        let mut st = lock(&sh);
        st.connections += 1;
        // A new connection replaces the old one: dropping the old sender ends its session.
        st.gateway = None;
    }
    sh.changed.notify_waiters();
    let mut seq = 0u64;
    if !send_frame(&mut ws, &sh, payloads::hello()).await {
        return;
    }
    loop {
        tokio::select! {
            incoming = ws.recv() => {
                let text = match incoming {
                    Some(Ok(WsMessage::Text(t))) => t.to_string(),
                    Some(Ok(WsMessage::Close(_))) | Some(Err(_)) | None => break,
                    Some(Ok(_)) => continue,
                };
                let Ok(frame) = serde_json::from_str::<Value>(&text) else { continue };
                if !answer_client_frame(&sh, &mut ws, &tx, &mut seq, &frame).await {
                    break;
                }
            }
            cmd = rx.recv() => match cmd {
                Some(WsCmd::Dispatch(t, d)) => {
                    seq += 1;
                    if !send_frame(&mut ws, &sh, payloads::dispatch(seq, &t, d)).await {
                        break;
                    }
                }
                Some(WsCmd::Close(code, ack)) => {
                    lock(&sh).gateway_log.push(format!("(closed with {code})"));
                    let frame = CloseFrame { code, reason: "closed by the fake".into() };
                    let _ = ws.send(WsMessage::Close(Some(frame))).await;
                    let _ = ack.send(());
                    break;
                }
                None => break,
            },
        }
    }
    {
        let mut st = lock(&sh);
        if st.gateway.as_ref().is_some_and(|g| g.same_channel(&tx)) {
            st.gateway = None;
        }
    }
    sh.changed.notify_waiters();
}

/// Answers one frame from the bot. Returns false once the socket is gone.
async fn answer_client_frame(
    sh: &Shared,
    ws: &mut WebSocket,
    tx: &mpsc::UnboundedSender<WsCmd>,
    seq: &mut u64,
    frame: &Value,
) -> bool {
    match frame["op"].as_u64() {
        Some(1) => send_frame(ws, sh, payloads::heartbeat_ack()).await,
        Some(2) => {
            let session = format!(
                "fake-session-{}",
                sh.next_id.fetch_add(1, Ordering::Relaxed)
            );
            let resume_url = format!("ws://{}/ws", sh.addr);
            let guild = {
                let mut st = lock(sh);
                st.identifies.push(frame["d"].clone());
                guild_create(&st)
            };
            *seq += 1;
            let ready = payloads::dispatch(*seq, "READY", payloads::ready(&session, &resume_url));
            if !send_frame(ws, sh, ready).await {
                return false;
            }
            *seq += 1;
            if !send_frame(ws, sh, payloads::dispatch(*seq, "GUILD_CREATE", guild)).await {
                return false;
            }
            {
                let mut st = lock(sh);
                st.ready_sent += 1;
                // Flush what tests dispatched while no socket was identified, then route new
                // dispatches here; both go through the same queue, so their order is kept.
                for (t, d) in std::mem::take(&mut st.pending) {
                    let _ = tx.send(WsCmd::Dispatch(t, d));
                }
                st.gateway = Some(tx.clone());
            }
            sh.changed.notify_waiters();
            true
        }
        Some(6) => {
            lock(sh).resumes += 1;
            sh.changed.notify_waiters();
            send_frame(ws, sh, payloads::invalid_session()).await
        }
        _ => true,
    }
}

fn guild_create(st: &St) -> Value {
    let mut channels: Vec<(u64, Value)> = st
        .channels
        .iter()
        .filter(|(_, c)| matches!(c, Chan::Text { .. }))
        .map(|(id, c)| (*id, channel_json(*id, c)))
        .collect();
    channels.sort_by_key(|(id, _)| *id);
    let mut members = vec![payloads::bot_member()];
    let mut users: Vec<&FakeUser> = st.users.values().collect();
    users.sort_by_key(|u| u.id);
    members.extend(users.into_iter().map(payloads::guild_member));
    payloads::guild(channels.into_iter().map(|(_, c)| c).collect(), members)
}

// ----- REST ---------------------------------------------------------------------------------

/// What a route produced.
struct Answer {
    status: u16,
    body: Option<Value>,
    message: Option<Value>,
    unknown_route: bool,
}

impl Answer {
    fn json(body: Value) -> Answer {
        Answer {
            status: 200,
            body: Some(body),
            message: None,
            unknown_route: false,
        }
    }
    fn message(message: Value) -> Answer {
        Answer {
            status: 200,
            body: Some(message.clone()),
            message: Some(message),
            unknown_route: false,
        }
    }
    fn no_content() -> Answer {
        Answer {
            status: 204,
            body: None,
            message: None,
            unknown_route: false,
        }
    }
    fn error(status: u16, message: &str, code: u64) -> Answer {
        Answer {
            status,
            body: Some(payloads::error(message, code)),
            message: None,
            unknown_route: false,
        }
    }
    fn unknown_channel() -> Answer {
        Answer::error(404, "Unknown Channel", 10003)
    }
    fn unknown_message() -> Answer {
        Answer::error(404, "Unknown Message", 10008)
    }
}

async fn rest_handler(
    State(sh): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (body, files) = parse_body(&headers, &body);
    let path = uri.path().to_string();
    let query = uri.query().unwrap_or_default().to_string();
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let fake = FakeDiscord { sh: sh.clone() };
    let (answer, deliver) = {
        let mut st = lock(&sh);
        let injected = take_failure(&mut st, method.as_str(), &path);
        match injected {
            Some(a) => (a, None),
            None => route(&fake, &mut st, &method, &path, &body, &files),
        }
    };
    {
        let mut st = lock(&sh);
        st.requests.push(Recorded {
            method: method.to_string(),
            path,
            query,
            body,
            auth,
            status: answer.status,
            message: answer.message.clone(),
            files,
            unknown_route: answer.unknown_route,
        });
    }
    // Discord echoes a bot's own channel messages back as MESSAGE_CREATE; a bot that answers
    // its own messages loops, and the fake lets a test see that.
    if let Some(msg) = deliver {
        fake.dispatch("MESSAGE_CREATE", msg);
    }
    sh.changed.notify_waiters();
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match answer.body {
        Some(b) => (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            b.to_string(),
        )
            .into_response(),
        None => status.into_response(),
    }
}

fn take_failure(st: &mut St, method: &str, path: &str) -> Option<Answer> {
    let route = path.strip_prefix("/api/v10").unwrap_or(path);
    let i = st
        .failures
        .iter()
        .position(|f| f.method == method && route.starts_with(&f.prefix))?;
    let f = st.failures.remove(i);
    Some(Answer {
        status: f.status,
        body: Some(f.body),
        message: None,
        unknown_route: false,
    })
}

/// Extracts the JSON body, or for multipart uploads the `payload_json` part plus the files.
fn parse_body(headers: &HeaderMap, body: &[u8]) -> (Value, Vec<(String, Vec<u8>)>) {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if let Some(boundary) = content_type
        .split("boundary=")
        .nth(1)
        .filter(|_| content_type.starts_with("multipart/"))
    {
        let boundary = format!("--{}", boundary.trim_matches('"'));
        let mut json = Value::Null;
        let mut files = Vec::new();
        for part in split_bytes(body, boundary.as_bytes()) {
            let Some(split) = find_bytes(part, b"\r\n\r\n") else {
                continue;
            };
            let head = String::from_utf8_lossy(&part[..split]).to_string();
            let mut content = &part[split + 4..];
            if content.ends_with(b"\r\n") {
                content = &content[..content.len() - 2];
            }
            if head.contains("name=\"payload_json\"") {
                json = serde_json::from_slice(content).unwrap_or(Value::Null);
            } else if let Some(name) = head
                .split("filename=\"")
                .nth(1)
                .and_then(|s| s.split('"').next())
            {
                files.push((name.to_string(), content.to_vec()));
            }
        }
        return (json, files);
    }
    if body.is_empty() {
        return (Value::Null, Vec::new());
    }
    let json = serde_json::from_slice(body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()));
    (json, Vec::new())
}

fn find_bytes(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn split_bytes<'a>(mut hay: &'a [u8], sep: &[u8]) -> Vec<&'a [u8]> {
    let mut parts = Vec::new();
    while let Some(i) = find_bytes(hay, sep) {
        parts.push(&hay[..i]);
        hay = &hay[i + sep.len()..];
    }
    parts.push(hay);
    parts
}

/// Answers one REST request. Returns the answer and, for channel posts, the MESSAGE_CREATE
/// to echo over the gateway.
fn route(
    fake: &FakeDiscord,
    st: &mut St,
    method: &Method,
    path: &str,
    body: &Value,
    files: &[(String, Vec<u8>)],
) -> (Answer, Option<Value>) {
    let Some(rest) = path.strip_prefix("/api/v10/") else {
        return (unknown_route(), None);
    };
    let seg: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let m = method.as_str();
    let num = |s: &str| s.parse::<u64>().ok();
    let answer = match (m, seg.as_slice()) {
        ("GET", ["gateway"]) => Answer::json(payloads::gateway(&fake.gateway_url())),
        ("GET", ["gateway", "bot"]) => Answer::json(payloads::bot_gateway(&fake.gateway_url())),
        ("GET", ["oauth2", "applications", "@me"]) => Answer::json(payloads::application_info()),
        ("GET", ["users", "@me"]) => Answer::json(payloads::bot_user()),
        ("POST", ["users", "@me", "channels"]) => match id_of(&body["recipient_id"]) {
            Some(user) => {
                let id = DM_CHANNEL_OFFSET + user;
                st.channels.insert(id, Chan::Dm { user });
                Answer::json(payloads::dm_channel(id, user_json(st, user)))
            }
            None => Answer::error(400, "Invalid Form Body (recipient_id)", 50035),
        },
        (_, ["applications", app, ..]) if num(app) != Some(APP_ID) => {
            Answer::error(404, "Unknown Application", 10002)
        }
        ("PUT", ["applications", _, "commands"]) => {
            let cmds = register_commands(fake, st, body, None);
            st.global_commands = cmds.clone();
            st.global_registered = true;
            Answer::json(Value::Array(cmds))
        }
        ("GET", ["applications", _, "commands"]) => {
            Answer::json(Value::Array(st.global_commands.clone()))
        }
        ("PUT", ["applications", _, "guilds", g, "commands"]) if num(g) == Some(GUILD_ID) => {
            let cmds = register_commands(fake, st, body, Some(GUILD_ID));
            st.guild_commands = cmds.clone();
            Answer::json(Value::Array(cmds))
        }
        ("GET", ["applications", _, "guilds", g, "commands"]) if num(g) == Some(GUILD_ID) => {
            Answer::json(Value::Array(st.guild_commands.clone()))
        }
        ("POST", ["interactions", id, token, "callback"]) => {
            interaction_callback(fake, st, num(id), token, body, files)
        }
        (_, ["webhooks", app, ..]) if num(app) != Some(APP_ID) => {
            Answer::error(404, "Unknown Webhook", 10015)
        }
        ("POST", ["webhooks", _, token]) => followup(fake, st, token, body, files),
        (_, ["webhooks", _, token, "messages", which])
            if matches!(m, "GET" | "PATCH" | "DELETE") =>
        {
            webhook_message(st, m, token, which, body)
        }
        (_, ["channels", c, ..]) if !channel_exists(st, num(c)) => Answer::unknown_channel(),
        ("GET", ["channels", c]) => {
            let id = num(c).unwrap_or_default();
            match st.channels.get(&id) {
                Some(Chan::Dm { user }) => {
                    Answer::json(payloads::dm_channel(id, user_json(st, *user)))
                }
                Some(chan) => Answer::json(channel_json(id, chan)),
                None => Answer::unknown_channel(),
            }
        }
        ("POST", ["channels", c, "messages"]) => {
            let channel_id = num(c).unwrap_or_default();
            let msg = new_message(fake, st, channel_id, body, files);
            st.posts
                .entry(channel_id)
                .or_default()
                .push(id_of(&msg["id"]).unwrap_or_default());
            let mut echo = msg.clone();
            if !matches!(st.channels.get(&channel_id), Some(Chan::Dm { .. })) {
                echo["guild_id"] = sf(GUILD_ID);
            }
            return (Answer::message(msg), Some(echo));
        }
        ("GET", ["channels", c, "messages"]) => {
            let mut msgs = posts_in(st, num(c).unwrap_or_default());
            msgs.reverse();
            Answer::json(Value::Array(msgs))
        }
        ("GET", ["channels", c, "messages", mid]) => match message_in(st, num(c), num(mid)) {
            Some(msg) => Answer::json(msg),
            None => Answer::unknown_message(),
        },
        ("PATCH", ["channels", c, "messages", mid]) => match message_in(st, num(c), num(mid)) {
            Some(_) => Answer::message(edit_message(st, num(mid).unwrap_or_default(), body)),
            None => Answer::unknown_message(),
        },
        ("DELETE", ["channels", c, "messages", mid]) => match message_in(st, num(c), num(mid)) {
            Some(_) => {
                st.messages.remove(&num(mid).unwrap_or_default());
                Answer::no_content()
            }
            None => Answer::unknown_message(),
        },
        ("PUT" | "DELETE", ["channels", c, "messages", mid, "reactions", _, "@me"]) => {
            match message_in(st, num(c), num(mid)) {
                Some(_) => Answer::no_content(),
                None => Answer::unknown_message(),
            }
        }
        ("POST", ["channels", c, "messages", mid, "threads"]) => {
            thread_from_message(st, num(c), num(mid), body)
        }
        ("POST", ["channels", c, "threads"]) => {
            let parent = num(c).unwrap_or_default();
            if matches!(st.channels.get(&parent), Some(Chan::Dm { .. })) {
                Answer::error(400, "Cannot execute action on a DM channel", 50003)
            } else {
                // Discord (API v9+) makes a private thread when `type` is left out.
                let kind = body["type"].as_u64().unwrap_or(12);
                create_thread(st, fake.next_id(), parent, kind, body)
            }
        }
        ("POST", ["channels", _, "typing"]) => Answer::no_content(),
        (_, ["guilds", g, ..]) if num(g) != Some(GUILD_ID) => {
            Answer::error(404, "Unknown Guild", 10004)
        }
        ("GET", ["guilds", _]) => Answer::json(guild_create(st)),
        ("GET", ["guilds", _, "members", u]) => match num(u) {
            Some(APP_ID) => Answer::json(payloads::bot_member()),
            Some(id) => match st.users.get(&id) {
                Some(user) => Answer::json(payloads::guild_member(user)),
                None => Answer::error(404, "Unknown Member", 10007),
            },
            None => Answer::error(404, "Unknown Member", 10007),
        },
        ("GET", ["guilds", _, "roles"]) => Answer::json(payloads::roles()),
        ("GET", ["guilds", _, "channels"]) => {
            let mut channels: Vec<(u64, Value)> = st
                .channels
                .iter()
                .filter(|(_, c)| matches!(c, Chan::Text { .. }))
                .map(|(id, c)| (*id, channel_json(*id, c)))
                .collect();
            channels.sort_by_key(|(id, _)| *id);
            Answer::json(Value::Array(channels.into_iter().map(|(_, c)| c).collect()))
        }
        _ => unknown_route(),
    };
    (answer, None)
}

fn unknown_route() -> Answer {
    Answer {
        status: 404,
        body: Some(payloads::error("Unknown route (fake)", 0)),
        message: None,
        unknown_route: true,
    }
}

fn channel_exists(st: &St, id: Option<u64>) -> bool {
    id.is_some_and(|id| !st.deleted.contains(&id) && st.channels.contains_key(&id))
}

fn message_in(st: &St, channel: Option<u64>, message: Option<u64>) -> Option<Value> {
    let msg = st.messages.get(&message?)?;
    (id_of(&msg["channel_id"]) == channel).then(|| msg.clone())
}

fn register_commands(
    fake: &FakeDiscord,
    st: &mut St,
    body: &Value,
    guild: Option<u64>,
) -> Vec<Value> {
    let version = fake.next_id();
    body.as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|cmd| {
            let name = cmd["name"].as_str().unwrap_or_default().to_string();
            // Discord keeps a command's id across overwrites; slash() sends it in `data.id`.
            let id = *st.command_ids.entry(name).or_insert_with(|| fake.next_id());
            payloads::registered_command(cmd, id, version, guild)
        })
        .collect()
}

fn new_message(
    fake: &FakeDiscord,
    st: &mut St,
    channel_id: u64,
    body: &Value,
    files: &[(String, Vec<u8>)],
) -> Value {
    let id = fake.next_id();
    let attachments = files
        .iter()
        .map(|(name, bytes)| payloads::attachment(fake.next_id(), name, bytes.len()))
        .collect();
    let msg = payloads::message(id, channel_id, payloads::bot_user(), body, attachments);
    st.messages.insert(id, msg.clone());
    msg
}

/// Applies an edit: the keys present in `body` replace the stored ones.
fn edit_message(st: &mut St, id: u64, body: &Value) -> Value {
    let Some(msg) = st.messages.get_mut(&id) else {
        return Value::Null;
    };
    for key in ["content", "embeds", "components"] {
        if let Some(v) = body.get(key) {
            msg[key] = if v.is_null() && key != "content" {
                json!([])
            } else {
                v.clone()
            };
        }
    }
    if msg["content"].is_null() {
        msg["content"] = json!("");
    }
    if let Some(f) = body["flags"].as_u64() {
        // Ephemerality cannot change after the message exists.
        let eph = msg["flags"].as_u64().unwrap_or(0) & EPHEMERAL;
        msg["flags"] = json!((f & !EPHEMERAL) | eph);
    }
    msg["edited_timestamp"] = json!(payloads::now());
    msg.clone()
}

fn interaction_callback(
    fake: &FakeDiscord,
    st: &mut St,
    id: Option<u64>,
    token: &str,
    body: &Value,
    files: &[(String, Vec<u8>)],
) -> Answer {
    let Some(ix) = id
        .and_then(|id| st.interactions.get(&id))
        .filter(|ix| ix.token == token)
        .cloned()
    else {
        return Answer::error(404, "Unknown interaction", 10062);
    };
    let id = id.unwrap_or_default();
    if ix.acked {
        return Answer::error(400, "Interaction has already been acknowledged.", 40060);
    }
    let data = &body["data"];
    let mut message = None;
    match body["type"].as_u64() {
        Some(4) => {
            let mut msg = new_interaction_message(fake, st, ix.channel_id, data);
            if !files.is_empty() {
                msg["attachments"] = files
                    .iter()
                    .map(|(name, bytes)| payloads::attachment(fake.next_id(), name, bytes.len()))
                    .collect();
                st.messages
                    .insert(id_of(&msg["id"]).unwrap_or_default(), msg.clone());
            }
            message = Some(msg.clone());
            st.interactions.get_mut(&id).expect("interaction").original = id_of(&msg["id"]);
        }
        Some(5) => {
            let flags = (data["flags"].as_u64().unwrap_or(0) & EPHEMERAL) | LOADING;
            let msg = new_interaction_message(
                fake,
                st,
                ix.channel_id,
                &json!({"content": "", "flags": flags}),
            );
            st.interactions.get_mut(&id).expect("interaction").original = id_of(&msg["id"]);
        }
        Some(7) => {
            if let Some(mid) = ix.message_id {
                message = Some(edit_message(st, mid, data));
            }
        }
        Some(1 | 6 | 8 | 9 | 10 | 12) => {}
        other => {
            return Answer::error(
                400,
                &format!("Invalid interaction response type {other:?}"),
                50035,
            );
        }
    }
    st.interactions.get_mut(&id).expect("interaction").acked = true;
    Answer {
        status: 204,
        body: None,
        message,
        unknown_route: false,
    }
}

fn new_interaction_message(
    fake: &FakeDiscord,
    st: &mut St,
    channel_id: u64,
    body: &Value,
) -> Value {
    let id = fake.next_id();
    let mut msg = payloads::message(id, channel_id, payloads::bot_user(), body, vec![]);
    msg["webhook_id"] = sf(APP_ID);
    msg["application_id"] = sf(APP_ID);
    st.messages.insert(id, msg.clone());
    msg
}

fn followup(
    fake: &FakeDiscord,
    st: &mut St,
    token: &str,
    body: &Value,
    files: &[(String, Vec<u8>)],
) -> Answer {
    let Some(ix_id) = st.tokens.get(token).copied() else {
        return Answer::error(404, "Unknown Webhook", 10015);
    };
    let ix = st.interactions[&ix_id].clone();
    if !ix.acked {
        // Discord rejects followups before the interaction is acknowledged.
        return Answer::error(404, "Unknown Webhook", 10015);
    }
    // The first followup after a deferral (type 5) fills the "thinking" message and keeps the
    // deferral's ephemerality, whatever flags the followup carries.
    if let Some(orig) = ix.original {
        let loading = st
            .messages
            .get(&orig)
            .and_then(|m| m["flags"].as_u64())
            .is_some_and(|f| f & LOADING != 0);
        if loading {
            let eph = st.messages[&orig]["flags"].as_u64().unwrap_or(0) & EPHEMERAL;
            let mut msg = edit_message(st, orig, body);
            msg["flags"] =
                json!((body["flags"].as_u64().unwrap_or(0) & !(EPHEMERAL | LOADING)) | eph);
            msg["edited_timestamp"] = Value::Null;
            st.messages.insert(orig, msg.clone());
            return Answer::message(msg);
        }
    }
    let id = fake.next_id();
    let attachments = files
        .iter()
        .map(|(name, bytes)| payloads::attachment(fake.next_id(), name, bytes.len()))
        .collect();
    let mut msg = payloads::message(id, ix.channel_id, payloads::bot_user(), body, attachments);
    msg["webhook_id"] = sf(APP_ID);
    msg["application_id"] = sf(APP_ID);
    st.messages.insert(id, msg.clone());
    Answer::message(msg)
}

fn webhook_message(st: &mut St, method: &str, token: &str, which: &str, body: &Value) -> Answer {
    let Some(ix_id) = st.tokens.get(token).copied() else {
        return Answer::error(404, "Unknown Webhook", 10015);
    };
    let ix = &st.interactions[&ix_id];
    let target = if which == "@original" {
        ix.original
    } else {
        which.parse().ok()
    };
    let Some(mid) = target.filter(|m| st.messages.contains_key(m)) else {
        return Answer::unknown_message();
    };
    match method {
        "GET" => Answer::json(st.messages[&mid].clone()),
        "PATCH" => {
            let mut msg = edit_message(st, mid, body);
            // Editing the deferred "thinking" message ends the loading state.
            if let Some(f) = msg["flags"].as_u64() {
                msg["flags"] = json!(f & !LOADING);
            }
            st.messages.insert(mid, msg.clone());
            Answer::message(msg)
        }
        _ => {
            st.messages.remove(&mid);
            Answer::no_content()
        }
    }
}

fn thread_from_message(
    st: &mut St,
    channel: Option<u64>,
    message: Option<u64>,
    body: &Value,
) -> Answer {
    let parent = channel.unwrap_or_default();
    if matches!(st.channels.get(&parent), Some(Chan::Dm { .. })) {
        return Answer::error(400, "Cannot execute action on a DM channel", 50003);
    }
    let Some(mid) = message_in(st, channel, message).and_then(|m| id_of(&m["id"])) else {
        return Answer::unknown_message();
    };
    if st.channels.contains_key(&mid) || st.deleted.contains(&mid) {
        return Answer::error(
            400,
            "A thread has already been created for this message",
            160004,
        );
    }
    // On Discord a thread started from a message has the message's id.
    create_thread(st, mid, parent, 11, body)
}

fn create_thread(st: &mut St, id: u64, parent: u64, kind: u64, body: &Value) -> Answer {
    let name = body["name"].as_str().unwrap_or("thread").to_string();
    let auto_archive = body["auto_archive_duration"].as_u64().unwrap_or(4320);
    let chan = Chan::Thread {
        name,
        parent,
        kind,
        auto_archive,
    };
    let json = channel_json(id, &chan);
    st.channels.insert(id, chan);
    Answer::json(json)
}
