//! Proves the fake Discord: every payload it builds parses in serenity 0.12.5, and a small poise
//! bot, built exactly the way bar-raiser builds its client, works end to end against it.

use std::time::Duration;

use poise::serenity_prelude as serenity;
use serde_json::{Value, json};
use serenity::{
    ChannelId, ComponentInteractionDataKind, CreateActionRow, CreateButton,
    CreateInteractionResponse, CreateInteractionResponseMessage, CreateMessage, CreateSelectMenu,
    CreateSelectMenuKind, CreateSelectMenuOption, CreateThread, Event, FullEvent, GatewayEvent,
    GatewayIntents, GuildId, Interaction as SerenityInteraction, UserId,
};

use super::payloads::{self, Place};
use super::{APP_ID, CHANNEL_ID, CHANNEL_NAME, FakeDiscord, FakeUser, GUILD_ID, ReplyKind};

type Error = Box<dyn std::error::Error + Send + Sync>;
type Ctx<'a> = poise::Context<'a, (), Error>;

const TOKEN: &str = "fake-token";

fn alice() -> FakeUser {
    FakeUser::member(400, "alice")
}

// ----- payload unit tests -------------------------------------------------------------------

fn parse_dispatch(t: &str, d: Value) -> Event {
    match serde_json::from_value::<GatewayEvent>(payloads::dispatch(7, t, d)) {
        Ok(GatewayEvent::Dispatch(7, event)) => event,
        other => panic!("{t} did not parse as a dispatch: {other:?}"),
    }
}

fn parse_interaction(d: Value) -> SerenityInteraction {
    match parse_dispatch("INTERACTION_CREATE", d) {
        Event::InteractionCreate(e) => e.interaction,
        other => panic!("INTERACTION_CREATE parsed as {other:?}"),
    }
}

fn bot_message_with_components() -> Value {
    let body = json!({
        "content": "press it",
        "components": [
            {"type": 1, "components": [{"type": 2, "style": 1, "label": "Go", "custom_id": "btn-go"}]},
            {"type": 1, "components": [{"type": 3, "custom_id": "pick-one", "options": [
                {"label": "Alpha", "value": "a"}, {"label": "Beta", "value": "b"}
            ]}]}
        ]
    });
    payloads::message(600, CHANNEL_ID, payloads::bot_user(), &body, vec![])
}

#[test]
fn every_gateway_payload_the_fake_builds_parses_as_the_intended_serenity_event() {
    let alice = alice();
    let guild = Place::Guild {
        channel: payloads::text_channel(CHANNEL_ID, CHANNEL_NAME, 0),
    };
    let dm = Place::Dm {
        channel_id: 9_000_000_400,
    };

    assert!(
        matches!(parse_dispatch("READY", payloads::ready("s", "ws://x/ws")), Event::Ready(r) if r.ready.user.id.get() == APP_ID)
    );

    let members = vec![payloads::bot_member(), payloads::guild_member(&alice)];
    match parse_dispatch(
        "GUILD_CREATE",
        payloads::guild(
            vec![payloads::text_channel(CHANNEL_ID, CHANNEL_NAME, 0)],
            members,
        ),
    ) {
        Event::GuildCreate(g) => {
            assert_eq!(g.guild.id.get(), GUILD_ID);
            assert!(
                g.guild.channels.contains_key(&ChannelId::new(CHANNEL_ID)),
                "the text channel was skipped"
            );
            assert_eq!(g.guild.roles.len(), 2, "a role failed to parse");
            assert_eq!(g.guild.members.len(), 2, "a member failed to parse");
        }
        other => panic!("GUILD_CREATE parsed as {other:?}"),
    }

    // A guild command with a user option, whose `resolved` entry poise needs.
    let options = json!([{"name": "text", "type": 3, "value": "hi"}, {"name": "who", "type": 6, "value": "400"}]);
    let resolved = json!({
        "users": {"400": payloads::user(400, "alice")},
        "members": {"400": {"roles": [], "joined_at": payloads::JOINED_AT, "deaf": false, "mute": false, "flags": 0, "permissions": "0"}}
    });
    let data = payloads::command_data(500, "echo", options, Some(resolved));
    match parse_interaction(payloads::interaction(
        1001,
        "t1",
        2,
        &guild,
        &alice,
        data.clone(),
    )) {
        SerenityInteraction::Command(c) => {
            assert_eq!(c.guild_id, Some(GuildId::new(GUILD_ID)));
            let member = c.member.expect("guild commands carry the member");
            assert!(
                member.permissions.is_some(),
                "poise expects member.permissions"
            );
            assert!(c.app_permissions.is_some(), "poise expects app_permissions");
            assert_eq!(c.user.id.get(), 400);
            assert_eq!(c.data.options().len(), 2, "the user option did not resolve");
        }
        other => panic!("a guild command parsed as {other:?}"),
    }

    match parse_interaction(payloads::interaction(1002, "t2", 2, &dm, &alice, data)) {
        SerenityInteraction::Command(c) => {
            assert_eq!(c.guild_id, None);
            assert!(c.member.is_none());
            assert_eq!(
                c.user.id.get(),
                400,
                "a DM command must carry `user`, or serenity says UserId(1)"
            );
        }
        other => panic!("a DM command parsed as {other:?}"),
    }

    let mut button = payloads::interaction(
        1003,
        "t3",
        3,
        &guild,
        &alice,
        payloads::button_data("btn-go"),
    );
    button["message"] = bot_message_with_components();
    match parse_interaction(button) {
        SerenityInteraction::Component(c) => {
            assert_eq!(c.data.custom_id, "btn-go");
            assert!(matches!(c.data.kind, ComponentInteractionDataKind::Button));
            assert_eq!(c.message.components.len(), 2);
        }
        other => panic!("a button click parsed as {other:?}"),
    }

    let mut select = payloads::interaction(
        1004,
        "t4",
        3,
        &dm,
        &alice,
        payloads::string_select_data("pick-one", &["a", "b"]),
    );
    select["message"] = bot_message_with_components();
    match parse_interaction(select) {
        SerenityInteraction::Component(c) => match &c.data.kind {
            ComponentInteractionDataKind::StringSelect { values } => {
                assert_eq!(values, &["a", "b"])
            }
            other => panic!("a string select parsed as {other:?}"),
        },
        other => panic!("a string select parsed as {other:?}"),
    }

    let fields = vec![("text".to_string(), "great bot".to_string())];
    match parse_interaction(payloads::interaction(
        1005,
        "t5",
        5,
        &guild,
        &alice,
        payloads::modal_data("1001", &fields),
    )) {
        SerenityInteraction::Modal(m) => {
            assert_eq!(m.data.custom_id, "1001");
            assert_eq!(m.data.components.len(), 1);
        }
        other => panic!("a modal submit parsed as {other:?}"),
    }

    match parse_dispatch(
        "MESSAGE_CREATE",
        payloads::user_message(1006, 9_000_000_400, &alice, "hello", false),
    ) {
        Event::MessageCreate(m) => {
            assert_eq!(m.message.guild_id, None);
            assert_eq!(m.message.content, "hello");
        }
        other => panic!("a DM MESSAGE_CREATE parsed as {other:?}"),
    }
    match parse_dispatch(
        "MESSAGE_CREATE",
        payloads::user_message(1007, CHANNEL_ID, &alice, "hi all", true),
    ) {
        Event::MessageCreate(m) => assert_eq!(m.message.guild_id, Some(GuildId::new(GUILD_ID))),
        other => panic!("a guild MESSAGE_CREATE parsed as {other:?}"),
    }

    assert!(matches!(
        parse_dispatch(
            "CHANNEL_DELETE",
            payloads::text_channel(CHANNEL_ID, CHANNEL_NAME, 0)
        ),
        Event::ChannelDelete(_)
    ));
    let thread_delete = json!({"id": "700", "guild_id": GUILD_ID.to_string(), "parent_id": CHANNEL_ID.to_string(), "type": 11});
    assert!(matches!(
        parse_dispatch("THREAD_DELETE", thread_delete),
        Event::ThreadDelete(_)
    ));

    for frame in [
        payloads::hello(),
        payloads::heartbeat_ack(),
        payloads::invalid_session(),
    ] {
        assert!(
            serde_json::from_value::<GatewayEvent>(frame.clone()).is_ok(),
            "{frame} does not parse"
        );
    }
}

#[test]
fn a_malformed_event_is_caught_before_serenity_can_drop_it() {
    let mut d = payloads::interaction(
        1,
        "t",
        2,
        &Place::Dm {
            channel_id: 9_000_000_400,
        },
        &alice(),
        payloads::command_data(2, "echo", json!([]), None),
    );
    d.as_object_mut()
        .expect("object")
        .remove("attachment_size_limit");
    let problem = super::event_problem("INTERACTION_CREATE", &d)
        .expect("an interaction serenity would drop is flagged");
    assert!(
        problem.contains("attachment_size_limit"),
        "the reason names the missing key: {problem}"
    );
}

#[test]
fn messages_are_delivered_only_with_the_intents_discord_requires() {
    use super::gate_message;
    let alice = alice();
    let dm = payloads::user_message(1, 9_000_000_400, &alice, "hello", false);
    let guild = payloads::user_message(2, CHANNEL_ID, &alice, "hi all", true);
    let guilds = GatewayIntents::GUILDS.bits();
    let direct = GatewayIntents::DIRECT_MESSAGES.bits();
    let guild_messages = GatewayIntents::GUILD_MESSAGES.bits();
    let content = GatewayIntents::MESSAGE_CONTENT.bits();

    assert!(
        gate_message(None, dm.clone()).is_some(),
        "before IDENTIFY everything is delivered"
    );
    assert!(gate_message(Some(guilds), dm.clone()).is_none());
    assert_eq!(
        gate_message(Some(direct), dm).expect("a DM")["content"],
        "hello",
        "DM content needs no MESSAGE_CONTENT"
    );
    assert!(gate_message(Some(direct), guild.clone()).is_none());
    assert_eq!(
        gate_message(Some(guild_messages), guild.clone()).expect("delivered")["content"],
        ""
    );
    assert_eq!(
        gate_message(Some(guild_messages | content), guild).expect("delivered")["content"],
        "hi all"
    );
    let own = payloads::message(
        3,
        CHANNEL_ID,
        payloads::bot_user(),
        &json!({"content": "mine"}),
        vec![],
    );
    let mut own = own;
    own["guild_id"] = json!(GUILD_ID.to_string());
    assert_eq!(
        gate_message(Some(guild_messages), own).expect("delivered")["content"],
        "mine",
        "a bot always sees its own content"
    );
}

#[test]
fn every_rest_payload_the_fake_returns_parses_as_the_serenity_type() {
    fn parse<T: serde::de::DeserializeOwned>(what: &str, v: Value) -> T {
        serde_json::from_value(v.clone())
            .unwrap_or_else(|e| panic!("{what} does not parse: {e}\n{v}"))
    }
    let alice = alice();
    let msg: serenity::Message = parse("a channel message", bot_message_with_components());
    assert_eq!(msg.components.len(), 2);
    let with_file = payloads::message(
        601,
        CHANNEL_ID,
        payloads::bot_user(),
        &json!({"content": "f"}),
        vec![payloads::attachment(602, "a.csv", 3)],
    );
    let _: serenity::Message = parse("a message with an attachment", with_file);
    let text: serenity::GuildChannel = parse(
        "a text channel",
        payloads::text_channel(CHANNEL_ID, CHANNEL_NAME, 0),
    );
    assert_eq!(text.kind, serenity::ChannelType::Text);
    let thread: serenity::GuildChannel = parse(
        "a thread",
        payloads::thread_channel(700, "t", CHANNEL_ID, 11, 1440),
    );
    assert_eq!(thread.kind, serenity::ChannelType::PublicThread);
    assert_eq!(thread.parent_id, Some(ChannelId::new(CHANNEL_ID)));
    let dm: serenity::PrivateChannel = parse(
        "a DM channel",
        payloads::dm_channel(9_000_000_400, payloads::user(400, "alice")),
    );
    assert_eq!(dm.recipient.id.get(), 400);
    let _: serenity::Channel = parse(
        "a DM channel as Channel",
        payloads::dm_channel(9_000_000_400, payloads::user(400, "alice")),
    );
    let guild = payloads::guild(
        vec![payloads::text_channel(CHANNEL_ID, CHANNEL_NAME, 0)],
        vec![payloads::bot_member()],
    );
    let partial: serenity::PartialGuild = parse("a guild", guild);
    assert_eq!(partial.roles.len(), 2);
    let member: serenity::Member = parse("a member", payloads::guild_member(&alice));
    assert_eq!(member.user.name, "alice");
    let _: serenity::Member = parse("the bot member", payloads::bot_member());
    let _: Vec<serenity::Role> = parse("the roles", payloads::roles());
    let app: serenity::CurrentApplicationInfo =
        parse("the application info", payloads::application_info());
    assert!(
        app.owner.is_some(),
        "poise reads the owner from the application info"
    );
    let _: serenity::CurrentUser = parse("the current user", payloads::bot_user());
    let _: serenity::BotGateway = parse("the bot gateway", payloads::bot_gateway("ws://x/ws"));
    let _: serenity::Gateway = parse("the gateway", payloads::gateway("ws://x/ws"));
    let poise_style = json!({"name": "echo", "description": "Echoes", "options": [
        {"type": 3, "name": "text", "description": "Text", "required": true}
    ], "integration_types": null, "contexts": null});
    let cmd: serenity::Command = parse(
        "a registered command",
        payloads::registered_command(poise_style, 501, 502, None),
    );
    assert_eq!(cmd.options.len(), 1);
}

// ----- the poise bot ------------------------------------------------------------------------

/// Echoes the text back to the caller only.
#[poise::command(slash_command)]
async fn echo(ctx: Ctx<'_>, #[description = "Text to echo"] text: String) -> Result<(), Error> {
    let reply = poise::CreateReply::default()
        .content(format!("echo: {text} ({})", ctx.author().name))
        .ephemeral(true);
    ctx.send(reply).await?;
    Ok(())
}

#[derive(Debug, poise::Modal)]
#[name = "Feedback"]
struct Feedback {
    #[name = "Your feedback"]
    text: String,
}

/// Asks for feedback in a modal.
#[poise::command(slash_command)]
async fn modal(ctx: poise::ApplicationContext<'_, (), Error>) -> Result<(), Error> {
    use poise::Modal as _;
    let answer = Feedback::execute(ctx).await?;
    let text = match answer {
        Some(f) => format!("thanks: {}", f.text),
        None => "the modal timed out".to_string(),
    };
    poise::Context::Application(ctx).say(text).await?;
    Ok(())
}

/// Replies with a button.
#[poise::command(slash_command)]
async fn button(ctx: Ctx<'_>) -> Result<(), Error> {
    let row = CreateActionRow::Buttons(vec![CreateButton::new("btn-go").label("Go")]);
    ctx.send(
        poise::CreateReply::default()
            .content("press it")
            .components(vec![row]),
    )
    .await?;
    Ok(())
}

/// Posts a select menu to the prep channel.
#[poise::command(slash_command, guild_only)]
async fn pick(ctx: Ctx<'_>) -> Result<(), Error> {
    let options = vec![
        CreateSelectMenuOption::new("Alpha", "a"),
        CreateSelectMenuOption::new("Beta", "b"),
    ];
    let menu =
        CreateSelectMenu::new("pick-one", CreateSelectMenuKind::String { options }).max_values(2);
    ChannelId::new(CHANNEL_ID)
        .send_message(
            ctx.serenity_context(),
            CreateMessage::new().content("choose").select_menu(menu),
        )
        .await?;
    ctx.send(
        poise::CreateReply::default()
            .content("menu posted")
            .ephemeral(true),
    )
    .await?;
    Ok(())
}

/// Posts the daily prompt and opens a discussion thread on it.
#[poise::command(slash_command, guild_only)]
async fn post(ctx: Ctx<'_>) -> Result<(), Error> {
    ctx.defer_ephemeral().await?;
    let channel = ChannelId::new(CHANNEL_ID);
    let sc = ctx.serenity_context();
    let prompt = channel
        .send_message(sc, CreateMessage::new().content("daily prompt"))
        .await?;
    let thread = channel
        .create_thread_from_message(sc, prompt.id, CreateThread::new("discussion"))
        .await?;
    thread.id.say(sc, "first in thread").await?;
    ctx.say(format!("posted in {}", thread.id)).await?;
    Ok(())
}

/// Sends the caller a DM.
#[poise::command(slash_command)]
async fn dmme(ctx: Ctx<'_>) -> Result<(), Error> {
    ctx.author()
        .direct_message(ctx.serenity_context(), CreateMessage::new().content("psst"))
        .await?;
    ctx.say("sent").await?;
    Ok(())
}

/// Server managers only.
#[poise::command(slash_command, guild_only, required_permissions = "MANAGE_GUILD")]
async fn config(ctx: Ctx<'_>) -> Result<(), Error> {
    ctx.say("configured").await?;
    Ok(())
}

// poise 0.7 passes the framework context (which holds serenity's) and the event only.
async fn on_event(
    framework: poise::FrameworkContext<'_, (), Error>,
    event: &FullEvent,
) -> Result<(), Error> {
    let ctx = framework.serenity_context;
    match event {
        FullEvent::InteractionCreate {
            interaction: SerenityInteraction::Component(c),
        } => match &c.data.kind {
            ComponentInteractionDataKind::Button if c.data.custom_id == "btn-go" => {
                let update = CreateInteractionResponseMessage::new()
                    .content(format!("pressed by {}", c.user.name))
                    .components(vec![]);
                c.create_response(&ctx.http, CreateInteractionResponse::UpdateMessage(update))
                    .await?;
            }
            ComponentInteractionDataKind::StringSelect { values }
                if c.data.custom_id == "pick-one" =>
            {
                let msg = CreateInteractionResponseMessage::new()
                    .content(format!("picked {}", values.join(",")))
                    .ephemeral(true);
                c.create_response(&ctx.http, CreateInteractionResponse::Message(msg))
                    .await?;
            }
            _ => {}
        },
        FullEvent::Message { new_message }
            if new_message.guild_id.is_none() && !new_message.author.bot =>
        {
            new_message
                .channel_id
                .say(&ctx.http, format!("pong: {}", new_message.content))
                .await?;
        }
        _ => {}
    }
    Ok(())
}

fn intents() -> GatewayIntents {
    GatewayIntents::GUILDS
        | GatewayIntents::GUILD_MESSAGES
        | GatewayIntents::DIRECT_MESSAGES
        | GatewayIntents::MESSAGE_CONTENT
}

/// The running bot; dropping it stops the client.
struct Bot {
    handle: tokio::task::JoinHandle<Result<(), serenity::Error>>,
}

impl Drop for Bot {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

/// Builds the client exactly as bar-raiser does: proxy plus disabled ratelimiter on the Http,
/// `new_with_http`, and `register_globally` in setup.
async fn start_bot(fake: &FakeDiscord) -> Bot {
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: vec![echo(), modal(), button(), pick(), post(), dmme(), config()],
            event_handler: |framework, event| Box::pin(on_event(framework, event)),
            ..Default::default()
        })
        .setup(|ctx, _ready, framework| {
            Box::pin(async move {
                poise::builtins::register_globally(ctx, &framework.options().commands).await?;
                Ok(())
            })
        })
        .build();
    let http = serenity::HttpBuilder::new(TOKEN)
        .proxy(fake.api_base())
        .ratelimiter_disabled(true)
        .build();
    let mut client = serenity::ClientBuilder::new_with_http(http, intents())
        .framework(framework)
        .await
        .expect("the client builds against the fake");
    Bot {
        handle: tokio::spawn(async move { client.start().await }),
    }
}

async fn ready_bot() -> (FakeDiscord, Bot) {
    let fake = FakeDiscord::start().await;
    let bot = start_bot(&fake).await;
    fake.wait_until_ready().await;
    (fake, bot)
}

fn assert_no_unknown_routes(fake: &FakeDiscord) {
    let unknown: Vec<String> = fake.unknown_routes().iter().map(|r| r.short()).collect();
    assert!(
        unknown.is_empty(),
        "the bot hit routes the fake does not implement: {unknown:#?}"
    );
}

#[tokio::test]
async fn a_poise_bot_connects_identifies_and_registers_its_commands() {
    let fake = FakeDiscord::start().await;
    let _bot = start_bot(&fake).await;
    let identify = fake.wait_until_ready().await;

    assert_eq!(identify["token"], json!(format!("Bot {TOKEN}")));
    assert_eq!(identify["intents"].as_u64(), Some(intents().bits()));
    let requests = fake.requests();
    assert_eq!(
        requests[0].route(),
        "/gateway",
        "the gateway URL must come from the fake"
    );
    assert_eq!(requests[0].auth.as_deref(), Some("Bot fake-token"));
    let mut names: Vec<String> = fake
        .registered_commands()
        .iter()
        .map(|c| c["name"].as_str().unwrap_or_default().to_string())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["button", "config", "dmme", "echo", "modal", "pick", "post"]
    );
    assert_eq!(fake.identify_count(), 1);
    assert_no_unknown_routes(&fake);
}

#[tokio::test]
async fn a_slash_command_gets_an_ephemeral_reply_in_a_guild_and_in_a_dm() {
    let (fake, _bot) = ready_bot().await;

    let ix = fake
        .slash(
            &alice(),
            "echo",
            json!([{"name": "text", "type": 3, "value": "hi there"}]),
        )
        .await;
    let cb = fake.callback(&ix).await;
    assert_eq!(cb["type"], 4);
    assert_eq!(cb["data"]["flags"], 64);
    let reply = fake.reply(&ix).await;
    assert_eq!(reply.kind, ReplyKind::Message);
    assert_eq!(reply.content, "echo: hi there (alice)");
    assert!(reply.ephemeral);

    let bob = FakeUser::member(401, "bob");
    let dm = fake
        .slash_in_dm(
            &bob,
            "echo",
            json!([{"name": "text", "type": 3, "value": "psst"}]),
        )
        .await;
    assert!(dm.payload.get("guild_id").is_none() && dm.payload.get("member").is_none());
    let reply = fake.reply(&dm).await;
    assert_eq!(
        reply.content, "echo: psst (bob)",
        "the DM's `user` must reach the bot"
    );
    assert!(reply.ephemeral);
    assert_no_unknown_routes(&fake);
}

#[tokio::test]
async fn a_modal_opened_by_a_command_is_submitted_and_answered_with_a_followup() {
    let (fake, _bot) = ready_bot().await;
    let alice = alice();

    let ix = fake.slash(&alice, "modal", json!([])).await;
    let opened = fake.callback(&ix).await;
    assert_eq!(opened["type"], 9);
    assert_eq!(opened["data"]["title"], "Feedback");
    let submit = fake
        .submit_modal(&alice, &ix, &[("text", "great bot")])
        .await;
    assert_eq!(
        fake.callback(&submit).await["type"],
        6,
        "poise acknowledges the submit with a deferred update"
    );

    // poise answers on the command's token: the modal was its initial response.
    let reply = fake.reply(&ix).await;
    assert_eq!(reply.kind, ReplyKind::Followup);
    assert_eq!(reply.content, "thanks: great bot");
    assert_no_unknown_routes(&fake);
}

#[tokio::test]
async fn a_button_on_a_reply_can_be_clicked_and_updates_the_message() {
    let (fake, _bot) = ready_bot().await;
    let alice = alice();

    let ix = fake.slash(&alice, "button", json!([])).await;
    let reply = fake.reply(&ix).await;
    assert_eq!(reply.content, "press it");
    assert_eq!(reply.custom_ids(), ["btn-go"]);
    assert!(!reply.ephemeral);

    let click = fake.click(&alice, &reply.message, "btn-go").await;
    assert_eq!(fake.callback(&click).await["type"], 7);
    let update = fake.reply(&click).await;
    assert_eq!(update.kind, ReplyKind::Update);
    assert_eq!(update.content, "pressed by alice");
    assert_eq!(
        update.message["id"], reply.message["id"],
        "type 7 edits the clicked message"
    );
    assert_eq!(update.message["components"], json!([]));
    assert_no_unknown_routes(&fake);
}

#[tokio::test]
async fn a_select_menu_on_a_channel_message_reaches_the_bot() {
    let (fake, _bot) = ready_bot().await;
    let alice = alice();

    let ix = fake.slash(&alice, "pick", json!([])).await;
    assert_eq!(fake.reply(&ix).await.content, "menu posted");
    let menu = fake
        .wait_for_channel_message(CHANNEL_ID, |m| m["content"] == "choose")
        .await;
    let choice = fake.select(&alice, &menu, "pick-one", &["a", "b"]).await;
    let reply = fake.reply(&choice).await;
    assert_eq!(reply.content, "picked a,b");
    assert!(reply.ephemeral);
    assert_no_unknown_routes(&fake);
}

#[tokio::test]
async fn a_dm_to_the_bot_is_answered_in_the_dm_channel() {
    let (fake, _bot) = ready_bot().await;
    let alice = alice();

    fake.send_dm(&alice, "hello").await;
    let pong = fake
        .wait_for_dm(alice.id, |m| m["content"] == "pong: hello")
        .await;
    assert_eq!(
        pong["channel_id"],
        json!(fake.dm_channel_id(alice.id).to_string())
    );
    assert_eq!(pong["author"]["id"], json!(APP_ID.to_string()));
    assert_no_unknown_routes(&fake);
}

#[tokio::test]
async fn a_deferred_command_posts_to_the_channel_creates_a_thread_and_follows_up_ephemerally() {
    let (fake, _bot) = ready_bot().await;

    let ix = fake.slash(&alice(), "post", json!([])).await;
    let cb = fake.callback(&ix).await;
    assert_eq!(cb["type"], 5);
    assert_eq!(cb["data"]["flags"], 64);
    let reply = fake.reply(&ix).await;
    assert_eq!(reply.kind, ReplyKind::Followup);
    assert!(
        reply.ephemeral,
        "the first followup after an ephemeral deferral is ephemeral"
    );

    let prompt = fake
        .wait_for_channel_message(CHANNEL_ID, |m| m["content"] == "daily prompt")
        .await;
    let thread_id: u64 = prompt["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("message id");
    assert_eq!(
        reply.content,
        format!("posted in {thread_id}"),
        "a thread started from a message has its id"
    );
    let created = fake
        .wait_for_request(|r| {
            r.route() == format!("/channels/{CHANNEL_ID}/messages/{thread_id}/threads")
        })
        .await;
    assert_eq!(created.body["name"], "discussion");
    let in_thread = fake.channel_messages(thread_id);
    assert_eq!(in_thread.len(), 1);
    assert_eq!(in_thread[0]["content"], "first in thread");
    assert_eq!(fake.channel_messages(CHANNEL_ID).len(), 1);
    assert_no_unknown_routes(&fake);
}

#[tokio::test]
async fn a_command_can_dm_its_caller() {
    let (fake, _bot) = ready_bot().await;
    let alice = alice();

    let ix = fake.slash(&alice, "dmme", json!([])).await;
    assert_eq!(fake.reply(&ix).await.content, "sent");
    fake.wait_for_dm(alice.id, |m| m["content"] == "psst").await;
    let open = fake
        .wait_for_request(|r| r.route() == "/users/@me/channels")
        .await;
    assert_eq!(open.body["recipient_id"], json!(alice.id.to_string()));
    assert_no_unknown_routes(&fake);
}

#[tokio::test]
async fn an_injected_403_reaches_the_bot_as_an_error() {
    let (fake, _bot) = ready_bot().await;
    fake.fail_next(
        "POST",
        "/channels/300/messages",
        403,
        json!({"message": "Missing Access", "code": 50001}),
    );

    let ix = fake.slash(&alice(), "post", json!([])).await;
    let reply = fake.reply(&ix).await;
    assert!(
        reply.content.contains("Missing Access"),
        "poise's default error handler reports it: {}",
        reply.content
    );
    assert!(fake.channel_messages(CHANNEL_ID).is_empty());
    assert!(fake.requests().iter().any(|r| r.status == 403));
    assert_no_unknown_routes(&fake);
}

#[tokio::test]
async fn required_permissions_are_checked_against_the_members_permissions() {
    let (fake, _bot) = ready_bot().await;

    let denied = fake.slash(&alice(), "config", json!([])).await;
    let reply = fake.reply(&denied).await;
    assert!(
        reply
            .content
            .starts_with("You're lacking permissions for `/config`"),
        "{}",
        reply.content
    );
    assert!(reply.ephemeral);
    let allowed = fake
        .slash(&FakeUser::admin(402, "carol"), "config", json!([]))
        .await;
    assert_eq!(fake.reply(&allowed).await.content, "configured");
    assert_no_unknown_routes(&fake);
}

#[tokio::test]
async fn the_bot_identifies_again_after_the_gateway_closes_and_keeps_working() {
    let (fake, _bot) = ready_bot().await;

    fake.close_gateway(4000).await;
    // serenity first tries to RESUME; the fake refuses, so it identifies again. Its shard
    // queuer waits 5 s between IDENTIFYs, which makes this test take about 5 s.
    fake.wait_for_identify(2).await;
    assert_eq!(fake.resume_count(), 1);
    let ix = fake
        .slash(
            &alice(),
            "echo",
            json!([{"name": "text", "type": 3, "value": "again"}]),
        )
        .await;
    assert_eq!(fake.reply(&ix).await.content, "echo: again (alice)");
    assert_no_unknown_routes(&fake);
}

#[tokio::test]
async fn a_bad_token_close_code_makes_client_start_return_an_error() {
    let (fake, mut bot) = ready_bot().await;

    fake.close_gateway(4004).await;
    let result = tokio::time::timeout(Duration::from_secs(10), &mut bot.handle)
        .await
        .expect("client.start() returns after close code 4004")
        .expect("the client task did not panic");
    assert!(
        result.is_err(),
        "client.start() must fail on an authentication close: {result:?}"
    );
}

#[tokio::test]
async fn rest_routes_answer_serenitys_own_http_calls() {
    let fake = FakeDiscord::start().await;
    let http = serenity::HttpBuilder::new(TOKEN)
        .proxy(fake.api_base())
        .ratelimiter_disabled(true)
        .application_id(APP_ID.into())
        .build();
    let alice = alice();
    fake.add_user(&alice);

    assert_eq!(
        http.get_gateway().await.expect("gateway").url,
        fake.gateway_url()
    );
    assert_eq!(http.get_bot_gateway().await.expect("bot gateway").shards, 1);
    assert_eq!(
        http.get_current_user()
            .await
            .expect("current user")
            .id
            .get(),
        APP_ID
    );
    let app = http
        .get_current_application_info()
        .await
        .expect("application info");
    assert_eq!(app.owner.expect("owner").id.get(), super::OWNER_ID);
    assert_eq!(
        http.get_guild(GuildId::new(GUILD_ID))
            .await
            .expect("guild")
            .id
            .get(),
        GUILD_ID
    );
    assert_eq!(
        http.get_member(GuildId::new(GUILD_ID), UserId::new(alice.id))
            .await
            .expect("member")
            .user
            .name,
        "alice"
    );
    assert_eq!(
        http.get_guild_roles(GuildId::new(GUILD_ID))
            .await
            .expect("roles")
            .len(),
        2
    );
    assert_eq!(
        http.get_channels(GuildId::new(GUILD_ID))
            .await
            .expect("channels")
            .len(),
        1
    );
    let channel = http
        .get_channel(ChannelId::new(CHANNEL_ID))
        .await
        .expect("channel");
    assert_eq!(channel.guild().expect("a guild channel").name, CHANNEL_NAME);
    let dm = UserId::new(alice.id)
        .create_dm_channel(&http)
        .await
        .expect("dm channel");
    assert_eq!(dm.id.get(), fake.dm_channel_id(alice.id));
    assert!(
        http.get_channel(dm.id)
            .await
            .expect("dm channel")
            .private()
            .is_some()
    );

    let sent = ChannelId::new(CHANNEL_ID)
        .say(&http, "first")
        .await
        .expect("send");
    let edited = ChannelId::new(CHANNEL_ID)
        .edit_message(
            &http,
            sent.id,
            serenity::EditMessage::new().content("second"),
        )
        .await
        .expect("edit");
    assert_eq!(edited.content, "second");
    assert_eq!(
        ChannelId::new(CHANNEL_ID)
            .message(&http, sent.id)
            .await
            .expect("get")
            .content,
        "second"
    );

    // Uploads arrive as multipart: the fake records `payload_json` as the body, plus the files.
    let upload =
        CreateMessage::new()
            .content("export")
            .add_file(serenity::CreateAttachment::bytes(
                b"a,b".to_vec(),
                "votes.csv",
            ));
    let uploaded = ChannelId::new(CHANNEL_ID)
        .send_message(&http, upload)
        .await
        .expect("upload");
    assert_eq!(uploaded.attachments.len(), 1);
    assert_eq!(uploaded.attachments[0].filename, "votes.csv");
    let recorded = fake
        .request_for_message(&json!({"id": uploaded.id.to_string()}))
        .expect("the upload was recorded");
    assert_eq!(recorded.body["content"], "export");
    assert_eq!(recorded.files, [("votes.csv".to_string(), b"a,b".to_vec())]);

    fake.fail_next(
        "POST",
        "/api/v10/channels/300/messages",
        403,
        json!({"message": "Missing Access", "code": 50001}),
    );
    let err = ChannelId::new(CHANNEL_ID)
        .say(&http, "x")
        .await
        .expect_err("the injected failure");
    assert!(err.to_string().contains("Missing Access"), "{err}");
    ChannelId::new(CHANNEL_ID)
        .say(&http, "y")
        .await
        .expect("only one request fails");

    fake.delete_channel(CHANNEL_ID);
    let err = http
        .get_channel(ChannelId::new(CHANNEL_ID))
        .await
        .expect_err("deleted");
    assert!(err.to_string().contains("Unknown Channel"), "{err}");

    assert!(fake.unknown_routes().is_empty());
    http.get_guild_webhooks(GuildId::new(GUILD_ID))
        .await
        .expect_err("not implemented by the fake");
    let unknown = fake.unknown_routes();
    assert_eq!(unknown.len(), 1);
    assert_eq!(unknown[0].route(), format!("/guilds/{GUILD_ID}/webhooks"));
}

/// The modal race (doc §7) shows up under load; run many bots at once on two threads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn modal_flows_in_many_parallel_bots_all_complete() {
    let mut runs = Vec::new();
    for i in 0..12 {
        runs.push(tokio::spawn(async move {
            let (fake, _bot) = ready_bot().await;
            let user = FakeUser::member(500 + i, &format!("user{i}"));
            let ix = fake.slash(&user, "modal", json!([])).await;
            let submit = fake.submit_modal(&user, &ix, &[("text", "ok")]).await;
            fake.callback(&submit).await;
            assert_eq!(fake.reply(&ix).await.content, "thanks: ok");
        }));
    }
    for run in runs {
        run.await.expect("a parallel modal flow failed");
    }
}
