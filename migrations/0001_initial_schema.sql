-- The initial schema, designed for the whole daily loop: servers and their schedules, the question
-- pool, daily prompts with their answer and vote windows, answers with every revision, scores with
-- the rubric version and per-dimension breakdown, votes, and member settings.
--
-- Rules that must hold whatever the code does are constraints here, so that a second bot process,
-- a retried request or a double click cannot break them:
--   * one scheduled prompt per server per local date (prompts_one_per_local_date);
--   * one answer per member per prompt, revisions numbered 1, 2, 3 … (answers_one_per_prompt,
--     answer_revisions_numbered);
--   * one vote per member per answer (votes primary key);
--   * answer bodies are never empty and never longer than 4,000 characters.
-- Never edit this file once applied; add a new numbered migration instead.

-- A Discord server (guild) and its schedule. Ids are Discord snowflakes stored as bigint.
create table servers (
    guild_id              bigint primary key,
    channel_id            bigint,
    post_time             time,
    timezone              text,
    -- Weekdays as a bit set, Monday = bit 0 … Sunday = bit 6; 127 is every day.
    days                  smallint not null default 127 check (days between 0 and 127),
    role_id               bigint,
    paused                boolean not null default false,
    -- The local date of the most recent scheduled prompt; the scheduler's only memory.
    last_scheduled_date   date,
    voting_hours          integer not null default 24 check (voting_hours between 1 and 168),
    votes_require_answer  boolean not null default false,
    weekly_digest         boolean not null default false,
    created_at            timestamptz not null default now(),
    updated_at            timestamptz not null default now(),
    constraint servers_schedule_complete check (
        (channel_id is null and post_time is null and timezone is null)
        or (channel_id is not null and post_time is not null and timezone is not null)
    )
);

-- Questions: the shared pool from questions/*.toml (guild_id null) and each server's own.
create table questions (
    id          bigint generated always as identity primary key,
    -- The stable id from the pool file, or a generated one for a server's own question.
    slug        text not null check (slug ~ '^[a-z0-9][a-z0-9_-]*$'),
    guild_id    bigint references servers (guild_id) on delete cascade,
    text        text not null check (length(btrim(text)) > 0),
    customers   text[] not null default '{}',
    themes      text[] not null default '{}',
    probes      text[] not null default '{}',
    -- A question removed from the pool stays here so that old prompts and answers keep it.
    active      boolean not null default true,
    created_by  bigint,
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    constraint questions_slug_unique unique nulls not distinct (guild_id, slug)
);

-- A question posted in a server: the daily prompt, or one posted early with /post-now.
create table prompts (
    id                 bigint generated always as identity primary key,
    guild_id           bigint not null references servers (guild_id) on delete cascade,
    question_id        bigint not null references questions (id),
    -- The wording as posted: editing a question later does not rewrite what members answered.
    question_text      text not null,
    -- Set for scheduled prompts only; the unique key below is what makes posting exactly-once.
    scheduled_for      date,
    -- Which rotation cycle the question was drawn in (no repeats within a cycle).
    cycle              integer not null default 1 check (cycle >= 1),
    channel_id         bigint not null,
    message_id         bigint,
    thread_id          bigint,
    late               boolean not null default false,
    claimed_at         timestamptz not null default now(),
    posted_at          timestamptz,
    post_error         text,
    -- The answer window: open from posted_at until closes_at (the next prompt by default).
    closes_at          timestamptz,
    closed_at          timestamptz,
    revealed_at        timestamptz,
    voting_closes_at   timestamptz,
    results_posted_at  timestamptz,
    created_at         timestamptz not null default now(),
    constraint prompts_one_per_local_date unique (guild_id, scheduled_for)
);
create index prompts_guild_recent on prompts (guild_id, id desc);

-- Everyone who has used the bot, with their own settings.
create table members (
    user_id               bigint primary key,
    timezone              text,
    -- /privacy: left out of public leaderboards.
    leaderboard_opt_out   boolean not null default false,
    -- Whether answers are revealed (anonymised) for peer voting unless chosen otherwise.
    share_by_default      boolean not null default true,
    -- The member's current prompt, which a direct message answers: the latest daily prompt or
    -- practice question they were shown.
    current_prompt_id     bigint references prompts (id) on delete set null,
    current_question_id   bigint references questions (id) on delete set null,
    current_set_at        timestamptz,
    created_at            timestamptz not null default now()
);

-- One answer per member per prompt (or per practice question); the text lives in revisions.
create table answers (
    id                    bigint generated always as identity primary key,
    user_id               bigint not null references members (user_id) on delete cascade,
    -- The server it counts for; null for practice answers given in a direct message.
    guild_id              bigint references servers (guild_id) on delete cascade,
    prompt_id             bigint references prompts (id) on delete cascade,
    question_id           bigint references questions (id),
    question_text         text,
    kind                  text not null check (kind in ('daily', 'practice')),
    share                 boolean not null default true,
    -- The revision shown to voters; it stays fixed if the author edits after the reveal.
    revealed_revision_id  bigint,
    reveal_label          text,
    created_at            timestamptz not null default now(),
    updated_at            timestamptz not null default now(),
    constraint answers_daily_has_prompt check (kind <> 'daily' or prompt_id is not null),
    constraint answers_one_per_prompt unique (prompt_id, user_id)
);
create unique index answers_one_per_practice_question
    on answers (user_id, question_id) where prompt_id is null and question_id is not null;
create index answers_by_member on answers (user_id, created_at desc);
create index answers_by_guild on answers (guild_id, created_at desc);

-- Every version of an answer, numbered from 1; never updated, never deleted on edit.
create table answer_revisions (
    id          bigint generated always as identity primary key,
    answer_id   bigint not null references answers (id) on delete cascade,
    revision    integer not null check (revision >= 1),
    body        text not null check (length(btrim(body)) > 0 and char_length(body) <= 4000),
    source      text not null check (source in ('slash', 'modal', 'dm')),
    created_at  timestamptz not null default now(),
    constraint answer_revisions_numbered unique (answer_id, revision)
);

alter table answers
    add constraint answers_revealed_revision_fk
    foreign key (revealed_revision_id) references answer_revisions (id) on delete set null;

-- The rubric's verdict on one revision, with the version of the rubric that gave it.
create table scores (
    revision_id     bigint primary key references answer_revisions (id) on delete cascade,
    rubric_version  text not null,
    total           smallint not null check (total between 0 and 100),
    band            text not null,
    -- The full per-dimension breakdown (score, max, evidence, tip) as the rubric returned it.
    dimensions      jsonb not null,
    flags           text[] not null default '{}',
    created_at      timestamptz not null default now()
);

-- Peer votes: one per member per answer; taking a vote back deletes the row.
create table votes (
    answer_id   bigint not null references answers (id) on delete cascade,
    voter_id    bigint not null,
    created_at  timestamptz not null default now(),
    primary key (answer_id, voter_id)
);
create index votes_by_voter on votes (voter_id);
