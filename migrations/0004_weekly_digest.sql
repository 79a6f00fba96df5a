-- The weekly digest: once a week, a server that turned it on (`servers.weekly_digest`, set with
-- /settings) gets the past week's top answers in its prompt channel.
--
-- One row per server and week, claimed before posting: the primary key is what makes the digest
-- exactly-once across ticks, restarts and two bot processes, as `prompts_one_per_local_date` is for
-- prompts. `week_start` is the local Monday the week began on (the server's time zone).
create table weekly_digests (
    guild_id    bigint not null references servers (guild_id) on delete cascade,
    week_start  date not null check (extract(isodow from week_start) = 1),
    claimed_at  timestamptz not null,
    -- Null while claimed, and for a week with nothing to show (no digest is posted then).
    posted_at   timestamptz,
    message_id  bigint,
    primary key (guild_id, week_start)
);

-- The digest reads one server's daily answers of one local week.
create index answers_daily_by_guild_day on answers (guild_id, local_day) where kind = 'daily';
