-- Points, the leaderboard and history, kept fast with maintained data.
--
-- Target: `/leaderboard` and `/history` in at most 5 ms at p99 with 1,000,000 answers, 100,000
-- members and 1,000 servers. Summing answers at read time cannot meet that for a big server (a
-- month of a busy server is tens of thousands of answers to add up and sort), so the numbers are
-- maintained as the data changes:
--
--   * each answer carries its own tallies: the local date it counts for in its server
--     (`local_day`), the latest scored revision and its total, the per-dimension scores for the
--     chart, the number of peer votes, the streak bonus and the resulting `points` (a generated
--     column, so the formula lives in one place in SQL and mirrors `domain::points`);
--   * `leaderboard_totals` holds one row per (server, member, period bucket): the ISO week that
--     starts on a local Monday, the month that starts on a local 1st, and all time. A leaderboard
--     page is then an index range scan of one bucket in rank order, and its page count is an
--     index-only count of that bucket.
--
-- Why triggers rather than calls from the store's write paths: answers, revisions, scores and
-- votes are written by different store modules (and by `/forget-me` deletes and foreign-key
-- cascades), and every one of them must move the tallies in the same transaction. Triggers make
-- that impossible to forget, keep the tallies right for cascaded deletes the store never sees,
-- and let the vote and answer code stay unaware of the leaderboard. The one input SQL cannot
-- compute is the streak bonus, because the streak rule lives in `domain::streak`: the store
-- records it once per answer (`record_answer_points`) in the transaction that saves the answer,
-- and the same triggers carry it into the totals.
--
-- Rules:
--   * only daily answers in a server earn points and count on the leaderboard; practice answers
--     appear in history only;
--   * an answer counts for the bucket of the local date (server time zone, UTC if unset or
--     unknown) on which it was first saved, fixed at insert: changing a server's time zone later
--     does not move old answers between weeks;
--   * votes count for the answer's bucket, whenever they are cast;
--   * members who chose `/privacy` keep their rows, marked `opted_out` so the read skips them and
--     coming back restores them at once;
--   * a bucket row disappears when its last answer is deleted, so a forgotten member leaves no
--     trace and page counts stay exact.
-- `leaderboard_rebuild()` recomputes everything but the streak bonuses from the base tables; this
-- migration runs it once for answers saved before it.

-- The local calendar date of `at` in `zone`. An unknown or missing zone falls back to UTC rather
-- than failing, because an answer must never be lost over a time-zone name.
create function leaderboard_local_day(at timestamptz, zone text) returns date
    language plpgsql stable
as $$
begin
    return (at at time zone coalesce(zone, 'UTC'))::date;
exception when invalid_parameter_value then
    return (at at time zone 'UTC')::date;
end;
$$;

-- The first day of the bucket that `day` falls in: Monday for a week, the 1st for a month, and
-- '-infinity' for all time.
create function leaderboard_period_start(period text, day date) returns date
    language sql immutable
as $$
    select case period
        when 'week' then day - (extract(isodow from day)::integer - 1)
        when 'month' then day - (extract(day from day)::integer - 1)
        else '-infinity'::date
    end;
$$;

alter table answers
    add column local_day date,
    add column scored_revision integer,
    add column scored_revision_id bigint,
    add column latest_total smallint check (latest_total between 0 and 100),
    add column latest_dimension_scores jsonb,
    add column vote_count integer not null default 0 check (vote_count >= 0),
    -- Null until the store records it when the answer is first saved; never recomputed.
    add column streak_bonus smallint check (streak_bonus between 0 and 50),
    add column points integer generated always as (
        case when kind = 'daily'
             then coalesce(latest_total, 0) + 10 * vote_count + coalesce(streak_bonus, 0)
             else 0
        end
    ) stored;

-- The streak of a member is computed over their daily answer dates; this index answers that
-- without reading the answers themselves.
create index answers_daily_by_member on answers (user_id, created_at) where kind = 'daily';

create table leaderboard_totals (
    guild_id      bigint not null references servers (guild_id) on delete cascade,
    user_id       bigint not null references members (user_id) on delete cascade,
    period        text not null check (period in ('week', 'month', 'all')),
    period_start  date not null,
    points        bigint not null default 0,
    answers       integer not null default 0,
    score_sum     bigint not null default 0,
    opted_out     boolean not null default false,
    primary key (guild_id, period, period_start, user_id)
);
-- Rank order within a bucket, ties broken by user id, members who opted out left out.
create index leaderboard_totals_rank
    on leaderboard_totals (guild_id, period, period_start, points desc, user_id)
    include (answers, score_sum)
    where not opted_out;
-- For `/privacy`, which flips a member's rows in every server.
create index leaderboard_totals_by_member on leaderboard_totals (user_id);

-- Adds deltas to a member's three buckets for one answer date. Only a newly counted answer
-- (answers > 0) may create rows; other changes update existing rows, so a cascade that deletes a
-- server or member can never re-create a row for it.
create function leaderboard_apply(
    p_guild bigint, p_user bigint, p_day date,
    d_points bigint, d_answers integer, d_score bigint
) returns void
    language plpgsql
as $$
begin
    if d_points = 0 and d_answers = 0 and d_score = 0 then
        return;
    end if;
    if d_answers > 0 then
        insert into leaderboard_totals as t
            (guild_id, user_id, period, period_start, points, answers, score_sum, opted_out)
        select p_guild, p_user, p.period, leaderboard_period_start(p.period, p_day),
               d_points, d_answers, d_score,
               coalesce((select leaderboard_opt_out from members where user_id = p_user), false)
        from (values ('week'), ('month'), ('all')) as p (period)
        on conflict (guild_id, period, period_start, user_id) do update
            set points = t.points + excluded.points,
                answers = t.answers + excluded.answers,
                score_sum = t.score_sum + excluded.score_sum;
    else
        update leaderboard_totals
            set points = points + d_points,
                answers = answers + d_answers,
                score_sum = score_sum + d_score
        where guild_id = p_guild and user_id = p_user
          and (period, period_start) in (
              ('week', leaderboard_period_start('week', p_day)),
              ('month', leaderboard_period_start('month', p_day)),
              ('all', '-infinity'::date));
        if d_answers < 0 then
            delete from leaderboard_totals
            where guild_id = p_guild and user_id = p_user and answers <= 0
              and (period, period_start) in (
                  ('week', leaderboard_period_start('week', p_day)),
                  ('month', leaderboard_period_start('month', p_day)),
                  ('all', '-infinity'::date));
        end if;
    end if;
end;
$$;

-- An answer fixes its local day when inserted, in its server's time zone at that moment.
create function leaderboard_answer_local_day() returns trigger
    language plpgsql
as $$
begin
    if new.guild_id is not null and new.local_day is null then
        new.local_day := leaderboard_local_day(
            new.created_at, (select timezone from servers where guild_id = new.guild_id));
    end if;
    return new;
end;
$$;
create trigger answers_local_day before insert on answers
    for each row execute function leaderboard_answer_local_day();

-- Moves an answer's contribution into (or out of, or between) buckets.
create function leaderboard_answer_changed() returns trigger
    language plpgsql
as $$
declare
    old_counts boolean := tg_op <> 'INSERT' and old.kind = 'daily'
        and old.guild_id is not null and old.local_day is not null;
    new_counts boolean := tg_op <> 'DELETE' and new.kind = 'daily'
        and new.guild_id is not null and new.local_day is not null;
begin
    if old_counts and new_counts and old.guild_id = new.guild_id
       and old.user_id = new.user_id and old.local_day = new.local_day then
        perform leaderboard_apply(new.guild_id, new.user_id, new.local_day,
            new.points - old.points, 0,
            coalesce(new.latest_total, 0) - coalesce(old.latest_total, 0));
        return null;
    end if;
    if old_counts then
        perform leaderboard_apply(old.guild_id, old.user_id, old.local_day,
            -old.points, -1, -coalesce(old.latest_total, 0));
    end if;
    if new_counts then
        perform leaderboard_apply(new.guild_id, new.user_id, new.local_day,
            new.points, 1, coalesce(new.latest_total, 0));
    end if;
    return null;
end;
$$;
create trigger answers_leaderboard_insert after insert on answers
    for each row execute function leaderboard_answer_changed();
create trigger answers_leaderboard_delete after delete on answers
    for each row execute function leaderboard_answer_changed();
-- Most updates (`updated_at` on every revision, the reveal) change nothing that counts.
create trigger answers_leaderboard_update after update on answers
    for each row
    when (old.points is distinct from new.points
          or old.latest_total is distinct from new.latest_total
          or old.kind is distinct from new.kind
          or old.guild_id is distinct from new.guild_id
          or old.user_id is distinct from new.user_id
          or old.local_day is distinct from new.local_day)
    execute function leaderboard_answer_changed();

-- A score for the newest revision so far becomes the answer's score. Revisions are numbered, so
-- a late score for an older revision never overrides a newer one.
create function leaderboard_score_saved() returns trigger
    language plpgsql
as $$
declare
    v_answer bigint;
    v_revision integer;
begin
    select answer_id, revision into v_answer, v_revision
    from answer_revisions where id = new.revision_id;
    update answers
        set scored_revision = v_revision,
            scored_revision_id = new.revision_id,
            latest_total = new.total,
            latest_dimension_scores = (
                select coalesce(jsonb_object_agg(key, value -> 'score'), '{}'::jsonb)
                from jsonb_each(case when jsonb_typeof(new.dimensions) = 'object'
                                     then new.dimensions else '{}'::jsonb end))
    where id = v_answer
      and (scored_revision is null or scored_revision <= v_revision);
    return null;
end;
$$;
create trigger scores_leaderboard after insert or update of total, dimensions on scores
    for each row execute function leaderboard_score_saved();

-- A vote added or taken back moves the answer's count (and through it, the points). When the
-- answer itself is being deleted the update finds no row, which is right: the answer's delete
-- already took all of its points away.
create function leaderboard_vote_changed() returns trigger
    language plpgsql
as $$
begin
    if tg_op = 'INSERT' then
        update answers set vote_count = vote_count + 1 where id = new.answer_id;
    else
        update answers set vote_count = greatest(vote_count - 1, 0) where id = old.answer_id;
    end if;
    return null;
end;
$$;
create trigger votes_leaderboard after insert or delete on votes
    for each row execute function leaderboard_vote_changed();

-- `/privacy` marks the member's rows in every server; the read skips them.
create function leaderboard_opt_out_changed() returns trigger
    language plpgsql
as $$
begin
    update leaderboard_totals set opted_out = new.leaderboard_opt_out
    where user_id = new.user_id and opted_out is distinct from new.leaderboard_opt_out;
    return null;
end;
$$;
create trigger members_leaderboard_opt_out after update of leaderboard_opt_out on members
    for each row
    when (old.leaderboard_opt_out is distinct from new.leaderboard_opt_out)
    execute function leaderboard_opt_out_changed();

-- Recomputes every maintained value except the stored streak bonuses from the base tables: for
-- answers saved before this migration, for bulk loads, and as a repair tool. The per-row update
-- trigger is switched off meanwhile (the totals are rebuilt from scratch at the end anyway), which
-- locks `answers` until the calling transaction ends.
create function leaderboard_rebuild() returns void
    language plpgsql
as $$
begin
    alter table answers disable trigger answers_leaderboard_update;

    update answers a
        set local_day = leaderboard_local_day(a.created_at, s.timezone)
    from servers s
    where s.guild_id = a.guild_id and a.local_day is null;

    update answers a
        set scored_revision = l.revision,
            scored_revision_id = l.revision_id,
            latest_total = l.total,
            latest_dimension_scores = l.dimension_scores
    from (
        select distinct on (r.answer_id)
               r.answer_id, r.revision, r.id as revision_id, s.total,
               (select coalesce(jsonb_object_agg(key, value -> 'score'), '{}'::jsonb)
                from jsonb_each(case when jsonb_typeof(s.dimensions) = 'object'
                                     then s.dimensions else '{}'::jsonb end)) as dimension_scores
        from answer_revisions r
        join scores s on s.revision_id = r.id
        order by r.answer_id, r.revision desc
    ) l
    where l.answer_id = a.id
      and (a.scored_revision_id is distinct from l.revision_id
           or a.latest_total is distinct from l.total
           or a.latest_dimension_scores is null);

    update answers a
        set vote_count = v.n
    from (select answer_id, count(*)::integer as n from votes group by answer_id) v
    where v.answer_id = a.id and a.vote_count <> v.n;
    update answers a
        set vote_count = 0
    where a.vote_count <> 0 and not exists (select 1 from votes v where v.answer_id = a.id);

    alter table answers enable trigger answers_leaderboard_update;

    delete from leaderboard_totals;
    insert into leaderboard_totals
        (guild_id, user_id, period, period_start, points, answers, score_sum, opted_out)
    select a.guild_id, a.user_id, p.period, leaderboard_period_start(p.period, a.local_day),
           sum(a.points), count(*), sum(coalesce(a.latest_total, 0)), bool_or(m.leaderboard_opt_out)
    from answers a
    join members m on m.user_id = a.user_id
    cross join (values ('week'), ('month'), ('all')) as p (period)
    where a.kind = 'daily' and a.guild_id is not null and a.local_day is not null
    group by 1, 2, 3, 4;
end;
$$;

select leaderboard_rebuild();
