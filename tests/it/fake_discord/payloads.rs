//! Pure JSON builders for everything the fake Discord sends, over the gateway or as REST
//! responses.
//!
//! They take every varying value as an argument so that the self-test can build each payload
//! on its own and check that serenity 0.12.5 parses it into the intended type. serenity drops a
//! gateway event that fails to parse without any warning, so a wrong key here would otherwise
//! show up only as a bot that silently never reacts.

use serde_json::{Value, json};

use super::{
    APP_ID, BOT_PERMISSIONS, BOT_ROLE_ID, FakeUser, GUILD_ID, MEMBER_PERMISSIONS, OWNER_ID,
};

/// The bot's username as the fake reports it.
pub const BOT_NAME: &str = "bar-raiser-test";
/// A fixed join date for every member; nothing in a bot should depend on it.
pub const JOINED_AT: &str = "2026-01-01T00:00:00.000000+00:00";
/// The limit Discord sends on every interaction (25 MiB); serenity 0.12.5 requires the key.
pub const ATTACHMENT_SIZE_LIMIT: u64 = 26_214_400;

/// Snowflakes are sent as strings, exactly as Discord does.
pub fn sf(id: u64) -> Value {
    Value::String(id.to_string())
}

/// The current time in RFC 3339, the only timestamp format serenity accepts.
pub fn now() -> String {
    serenity::model::Timestamp::now().to_string()
}

pub fn user(id: u64, name: &str) -> Value {
    json!({
        "id": sf(id), "username": name, "global_name": name, "discriminator": "0",
        "avatar": null, "bot": false, "public_flags": 0
    })
}

pub fn bot_user() -> Value {
    json!({
        "id": sf(APP_ID), "username": BOT_NAME, "global_name": null, "discriminator": "0",
        "avatar": null, "bot": true, "verified": true, "mfa_enabled": false, "flags": 0
    })
}

/// A member as it appears in an interaction: it carries the member's computed `permissions`,
/// which poise `expect`s whenever a command declares required permissions.
pub fn interaction_member(u: &FakeUser) -> Value {
    let mut m = guild_member(u);
    m["permissions"] = Value::String(u.permissions.to_string());
    m
}

/// A member as REST and GUILD_CREATE return it (no `permissions`).
pub fn guild_member(u: &FakeUser) -> Value {
    json!({
        "user": user(u.id, &u.name), "nick": null, "avatar": null, "roles": [],
        "joined_at": JOINED_AT, "premium_since": null, "deaf": false, "mute": false,
        "flags": 0, "pending": false
    })
}

pub fn bot_member() -> Value {
    json!({
        "user": bot_user(), "nick": null, "avatar": null, "roles": [sf(BOT_ROLE_ID)],
        "joined_at": JOINED_AT, "premium_since": null, "deaf": false, "mute": false,
        "flags": 0, "pending": false
    })
}

/// A role; `colors` became required in serenity 0.12.5.
pub fn role(id: u64, name: &str, permissions: u64, position: u64, managed: bool) -> Value {
    json!({
        "id": sf(id), "name": name, "color": 0,
        "colors": {"primary_color": 0, "secondary_color": null, "tertiary_color": null},
        "hoist": false, "icon": null, "unicode_emoji": null, "position": position,
        "permissions": permissions.to_string(), "managed": managed, "mentionable": false, "flags": 0
    })
}

/// The guild's roles: `@everyone` (whose id is the guild id) and the bot's managed role.
pub fn roles() -> Value {
    json!([
        role(GUILD_ID, "@everyone", MEMBER_PERMISSIONS, 0, false),
        role(BOT_ROLE_ID, BOT_NAME, BOT_PERMISSIONS, 1, true),
    ])
}

pub fn text_channel(id: u64, name: &str, position: u64) -> Value {
    json!({
        "id": sf(id), "type": 0, "guild_id": sf(GUILD_ID), "name": name, "position": position,
        "permission_overwrites": [], "nsfw": false, "topic": null, "parent_id": null,
        "rate_limit_per_user": 0, "last_message_id": null, "flags": 0
    })
}

/// A thread channel (`kind` 11 public, 12 private) created by the bot.
pub fn thread_channel(id: u64, name: &str, parent_id: u64, kind: u64, auto_archive: u64) -> Value {
    json!({
        "id": sf(id), "type": kind, "guild_id": sf(GUILD_ID), "parent_id": sf(parent_id),
        "owner_id": sf(APP_ID), "name": name, "last_message_id": null, "rate_limit_per_user": 0,
        "message_count": 0, "member_count": 1, "total_message_sent": 0, "flags": 0,
        "thread_metadata": {
            "archived": false, "auto_archive_duration": auto_archive,
            "archive_timestamp": now(), "locked": false
        }
    })
}

/// A DM channel as `POST /users/@me/channels` and `GET /channels/{id}` return it.
pub fn dm_channel(id: u64, recipient: Value) -> Value {
    json!({"id": sf(id), "type": 1, "recipients": [recipient], "last_message_id": null, "flags": 0})
}

/// The full guild object. GUILD_CREATE needs every key below; `GET /guilds/{id}` returns the same
/// object, which also parses as serenity's `PartialGuild`.
pub fn guild(channels: Vec<Value>, members: Vec<Value>) -> Value {
    let member_count = members.len();
    // Built in two halves: one `json!` this large exceeds the default macro recursion limit.
    let mut g = json!({
        "id": sf(GUILD_ID), "name": "Bar Raiser Test Guild", "icon": null, "icon_hash": null,
        "splash": null, "discovery_splash": null, "owner_id": sf(OWNER_ID),
        "afk_channel_id": null, "afk_timeout": 300, "widget_enabled": false,
        "verification_level": 0, "default_message_notifications": 0,
        "explicit_content_filter": 0, "roles": roles(), "emojis": [], "features": [],
        "mfa_level": 0, "application_id": null, "system_channel_id": null,
        "system_channel_flags": 0, "rules_channel_id": null, "vanity_url_code": null
    });
    let rest = json!({
        "description": null, "banner": null, "premium_tier": 0,
        "premium_subscription_count": 0, "preferred_locale": "en-US",
        "public_updates_channel_id": null, "nsfw_level": 0, "stickers": [],
        "premium_progress_bar_enabled": false, "joined_at": JOINED_AT, "large": false,
        "unavailable": false, "member_count": member_count, "voice_states": [],
        "members": members, "channels": channels, "threads": [], "presences": [],
        "stage_instances": [], "guild_scheduled_events": []
    });
    if let (Some(g), Value::Object(rest)) = (g.as_object_mut(), rest) {
        g.extend(rest);
    }
    g
}

pub fn hello() -> Value {
    json!({"op": 10, "s": null, "t": null, "d": {"heartbeat_interval": 41_250}})
}

pub fn heartbeat_ack() -> Value {
    json!({"op": 11, "s": null, "t": null, "d": null})
}

/// The reply to RESUME: the session cannot be resumed, so serenity identifies again.
pub fn invalid_session() -> Value {
    json!({"op": 9, "s": null, "t": null, "d": false})
}

pub fn dispatch(seq: u64, t: &str, d: Value) -> Value {
    json!({"op": 0, "s": seq, "t": t, "d": d})
}

pub fn ready(session_id: &str, resume_url: &str) -> Value {
    json!({
        "v": 10, "user": bot_user(), "guilds": [{"id": sf(GUILD_ID), "unavailable": true}],
        "session_id": session_id, "resume_gateway_url": resume_url, "shard": [0, 1],
        "application": {"id": sf(APP_ID), "flags": 0}
    })
}

/// A message. `body` is what was posted (content, embeds, components, flags, ...); the keys
/// serenity requires on every message are filled in around it.
pub fn message(
    id: u64,
    channel_id: u64,
    author: Value,
    body: &Value,
    attachments: Vec<Value>,
) -> Value {
    let embeds: Vec<Value> = body["embeds"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|mut e| {
            // Discord marks every embed a bot sends as "rich".
            if e.get("type").is_none() {
                e["type"] = json!("rich");
            }
            e
        })
        .collect();
    json!({
        "id": sf(id), "channel_id": sf(channel_id), "author": author,
        "content": body["content"].as_str().unwrap_or(""),
        "timestamp": now(), "edited_timestamp": null,
        "tts": body["tts"].as_bool().unwrap_or(false), "mention_everyone": false,
        "mentions": [], "mention_roles": [], "mention_channels": [],
        "attachments": attachments, "embeds": embeds,
        "components": body["components"].as_array().cloned().unwrap_or_default(),
        "reactions": [], "pinned": false, "type": 0,
        "flags": body["flags"].as_u64().unwrap_or(0)
    })
}

/// An attachment as Discord reports it on a message the bot uploaded a file with.
pub fn attachment(id: u64, filename: &str, size: usize) -> Value {
    json!({
        "id": sf(id), "filename": filename, "size": size,
        "url": format!("http://127.0.0.1/attachments/{id}/{filename}"),
        "proxy_url": format!("http://127.0.0.1/attachments/{id}/{filename}")
    })
}

/// Where an interaction happens.
#[derive(Clone, Debug)]
pub enum Place {
    /// A guild channel (text channel or thread) of `GUILD_ID`.
    Guild { channel: Value },
    /// The user's DM channel with the bot.
    Dm { channel_id: u64 },
}

/// The envelope common to every interaction. Guild interactions carry `member` (with
/// `permissions`) and `guild_id`; DM interactions carry `user` instead, because serenity
/// defaults a missing `user` to id 1 without complaint.
pub fn interaction(
    id: u64,
    token: &str,
    kind: u64,
    place: &Place,
    u: &FakeUser,
    data: Value,
) -> Value {
    let mut d = json!({
        "id": sf(id), "application_id": sf(APP_ID), "type": kind, "data": data, "token": token,
        "version": 1, "locale": "en-US", "entitlements": [],
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        "app_permissions": BOT_PERMISSIONS.to_string()
    });
    match place {
        Place::Guild { channel } => {
            d["guild_id"] = sf(GUILD_ID);
            d["guild_locale"] = json!("en-US");
            d["channel_id"] = channel["id"].clone();
            d["channel"] = partial_channel(channel);
            d["member"] = interaction_member(u);
            d["context"] = json!(0);
            d["authorizing_integration_owners"] = json!({"0": sf(GUILD_ID)});
        }
        Place::Dm { channel_id } => {
            d["channel_id"] = sf(*channel_id);
            d["channel"] = json!({"id": sf(*channel_id), "type": 1});
            d["user"] = user(u.id, &u.name);
            d["context"] = json!(1);
            d["authorizing_integration_owners"] = json!({"0": sf(u.id)});
        }
    }
    d
}

/// The `channel` object of an interaction (and of resolved channel options).
pub fn partial_channel(channel: &Value) -> Value {
    let mut c = json!({
        "id": channel["id"], "type": channel["type"], "name": channel["name"],
        "permissions": BOT_PERMISSIONS.to_string()
    });
    if let Some(p) = channel.get("parent_id").filter(|p| !p.is_null()) {
        c["parent_id"] = p.clone();
    }
    if let Some(m) = channel.get("thread_metadata") {
        c["thread_metadata"] = m.clone();
    }
    c
}

/// `data` of a slash command. `resolved` is filled in by the caller for user, channel, role and
/// mentionable options, which poise reads through `CommandData::options()`.
pub fn command_data(command_id: u64, name: &str, options: Value, resolved: Option<Value>) -> Value {
    let mut data = json!({"id": sf(command_id), "name": name, "type": 1, "options": options});
    if let Some(r) = resolved {
        data["resolved"] = r;
    }
    data
}

pub fn button_data(custom_id: &str) -> Value {
    json!({"custom_id": custom_id, "component_type": 2})
}

pub fn string_select_data(custom_id: &str, values: &[&str]) -> Value {
    json!({"custom_id": custom_id, "component_type": 3, "values": values})
}

/// `data` of a modal submit: one action row per text input, in the modal's order.
pub fn modal_data(custom_id: &str, fields: &[(String, String)]) -> Value {
    let rows: Vec<Value> = fields
        .iter()
        .map(|(id, value)| json!({"type": 1, "components": [{"type": 4, "custom_id": id, "value": value}]}))
        .collect();
    json!({"custom_id": custom_id, "components": rows})
}

/// A message a user sent, as MESSAGE_CREATE delivers it. Without `guild_id` it is a DM.
pub fn user_message(id: u64, channel_id: u64, u: &FakeUser, content: &str, guild: bool) -> Value {
    let mut m = message(
        id,
        channel_id,
        user(u.id, &u.name),
        &json!({"content": content}),
        vec![],
    );
    if guild {
        m["guild_id"] = sf(GUILD_ID);
        let mut member = guild_member(u);
        if let Some(o) = member.as_object_mut() {
            o.remove("user");
        }
        m["member"] = member;
    }
    m
}

pub fn application_info() -> Value {
    json!({
        "id": sf(APP_ID), "name": BOT_NAME, "icon": null, "description": "fake application",
        "bot_public": true, "bot_require_code_grant": false, "verify_key": "00",
        "flags": 0, "team": null, "owner": user(OWNER_ID, "owner"), "bot": bot_user()
    })
}

pub fn gateway(ws_url: &str) -> Value {
    json!({"url": ws_url})
}

pub fn bot_gateway(ws_url: &str) -> Value {
    json!({
        "url": ws_url, "shards": 1,
        "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
    })
}

/// One registered command as Discord echoes it back from a bulk overwrite.
pub fn registered_command(mut cmd: Value, id: u64, version: u64, guild_id: Option<u64>) -> Value {
    cmd["id"] = sf(id);
    cmd["application_id"] = sf(APP_ID);
    cmd["version"] = sf(version);
    if let Some(g) = guild_id {
        cmd["guild_id"] = sf(g);
    }
    // Discord fills in every field the bot left out; serenity requires `type`, `description`
    // and `version` on each returned command.
    for (key, default) in [
        ("type", json!(1)),
        ("description", json!("")),
        ("default_member_permissions", Value::Null),
        ("nsfw", json!(false)),
        ("options", json!([])),
        // Discord reports guild install (0) when the bot set no integration types; serenity
        // rejects a null here.
        ("integration_types", json!([0])),
    ] {
        if cmd.get(key).is_none() || (cmd[key].is_null() && !default.is_null()) {
            cmd[key] = default;
        }
    }
    cmd
}

/// Discord's error body.
pub fn error(message: &str, code: u64) -> Value {
    json!({"message": message, "code": code})
}
