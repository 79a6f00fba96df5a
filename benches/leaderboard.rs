//! The performance proof for `/leaderboard` and `/history`: seeds 1,000 servers, 100,000 members
//! and about 1,000,000 answers, then times the real store functions.
//!
//! `cargo bench --bench leaderboard` runs it on a database of its own: a new database on
//! `DATABASE_URL` when that is set (dropped afterwards), else a throwaway private cluster in a
//! temporary directory. The target is p99 ≤ 5 ms per query.
//!
//! The data is skewed the way real use is: server sizes fall off as 1/rank^0.8 (the biggest has
//! about 6,500 members, the smallest a few dozen), a fifth of members are in a second server, each
//! membership has its own activity rate, answers span the four months up to the bench's "now", a
//! third of answers were revised, every revision has a full rubric breakdown, and answers have
//! about 1.5 peer votes each. Seeding loads the base tables with the leaderboard triggers switched
//! off and then computes every maintained value with `leaderboard_rebuild()`, the migration's own
//! backfill, which is far faster than a million trigger calls and yields the same tallies (the
//! integration tests check that a rebuild reproduces what the triggers keep).

use std::time::{Duration, Instant};

use bar_raiser::local_pg::LocalPostgres;
use bar_raiser::store::{Period, Store};
use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, Executor, PgConnection};

const SERVERS: i64 = 1_000;
const MEMBERS: i64 = 100_000;
const TARGET_ANSWERS: f64 = 1_000_000.0;
/// The clock the leaderboards are read at: late on the last seeded day.
const NOW: &str = "2026-11-25T21:00:00Z";
const WARM_UP_CALLS: usize = 500;
const MEASURED_CALLS: usize = 3_000;
const TARGET_P99: Duration = Duration::from_millis(5);

/// The seed, one statement at a time so that progress and timings can be printed.
const SEED: &[(&str, &str)] = &[
    (
        "servers",
        "insert into servers (guild_id, channel_id, post_time, timezone)
         select g, 10000 + g, time '09:00',
                (array['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'UTC',
                       'America/Los_Angeles', 'Europe/London', 'Asia/Tokyo',
                       'Australia/Sydney'])[1 + g % 8]
         from generate_series(1, 1000) g",
    ),
    (
        "questions",
        "insert into questions (slug, text)
         select 'bench-' || q, 'Tell me about a time you went beyond for customer #' || q || '.'
         from generate_series(1, 200) q",
    ),
    (
        "prompts",
        "insert into prompts (guild_id, question_id, question_text, scheduled_for, channel_id,
                              posted_at)
         select s.guild_id, q.id, q.text, d::date, s.channel_id, d
         from servers s
         cross join generate_series(date '2026-08-01', date '2026-11-25', interval '1 day') d
         join questions q on q.slug = 'bench-' || (1 + (s.guild_id * 31 + extract(doy from d)::int) % 200)",
    ),
    (
        "members",
        "insert into members (user_id, timezone, leaderboard_opt_out)
         select u,
                case when u % 10 < 3 then (array['Europe/Paris', 'America/Chicago',
                                                 'Asia/Singapore'])[1 + u % 3] end,
                u % 50 = 0
         from generate_series(1, 100000) u",
    ),
    (
        "memberships (server sizes ∝ 1/rank^0.8, a fifth of members in two servers)",
        "create unlogged table bench_memberships as
         with weights as (
             select g, power(g, -0.8) as w from generate_series(1, 1000) g
         ),
         spans as (
             select g,
                    floor(100000 * coalesce(sum(w) over (order by g rows between unbounded preceding
                                                                   and 1 preceding), 0)
                          / sum(w) over ())::bigint as lo,
                    floor(100000 * sum(w) over (order by g) / sum(w) over ())::bigint as hi
             from weights
         )
         select g as guild_id, u as user_id, 0.2166 * power(random(), 2) as rate
         from spans, generate_series(lo + 1, hi) u
         union all
         select 1 + (u * 7919) % 1000, u, 0.2166 * power(random(), 2)
         from generate_series(1, 100000) u
         where u % 5 = 0 and 1 + (u * 7919) % 1000 <> (select g from spans where u > lo and u <= hi)",
    ),
    (
        "answers",
        "insert into answers (user_id, guild_id, prompt_id, question_id, question_text, kind,
                              created_at, updated_at, streak_bonus)
         select m.user_id, m.guild_id, p.id, p.question_id, p.question_text, 'daily', t.at, t.at,
                5 * least(10, 1 + floor(12 * random() * random()))::smallint
         from bench_memberships m
         cross join generate_series(date '2026-08-01', date '2026-11-25', interval '1 day') d
         join prompts p on p.guild_id = m.guild_id and p.scheduled_for = d::date
         cross join lateral (
             select (d::date + time '09:00' + random() * interval '14 hours')
                    at time zone (select timezone from servers where guild_id = m.guild_id) as at
         ) t
         where random() < m.rate
         order by t.at",
    ),
    (
        "answer revisions (a third revised)",
        "insert into answer_revisions (answer_id, revision, body, source, created_at)
         select a.id, r, 'Revision ' || r || ' of answer ' || a.id || ': ' ||
                repeat('I read the tickets, found the root cause and fixed it for the customer. ', 3),
                (array['slash', 'modal', 'dm'])[1 + (a.id % 3)::int],
                a.created_at + (r - 1) * interval '20 minutes'
         from answers a
         cross join lateral generate_series(1, case when a.id % 20 = 0 then 3
                                                    when a.id % 3 = 0 then 2 else 1 end) r",
    ),
    (
        "scores with full breakdowns",
        "insert into scores (revision_id, rubric_version, total, band, dimensions, flags)
         select r.id, 'bench-1', t.total,
                case when t.total >= 80 then 'strong' when t.total >= 60 then 'solid'
                     when t.total >= 40 then 'developing' else 'weak' end,
                (select jsonb_object_agg(dim, jsonb_build_object(
                     'score', (t.total * max / 100), 'max', max,
                     'evidence', jsonb_build_array('I read the tickets', 'fixed it for the customer'),
                     'tip', 'Name the number your customer would notice first.'))
                 from (values ('customer_focus', 20), ('ownership', 15), ('action', 20),
                              ('result', 20), ('structure', 10), ('authenticity', 10),
                              ('reflection', 5)) dims (dim, max)),
                case when t.total < 50 then array['no_metric'] else '{}' end
         from answer_revisions r
         cross join lateral (select least(100, 25 + floor(random() * 70) + r.revision * 3)::smallint as total) t",
    ),
    (
        "votes (about 1.5 per answer)",
        "insert into votes (answer_id, voter_id, created_at)
         select a.id, 1 + (a.user_id + k * 7919) % 100000, a.created_at + interval '1 day'
         from answers a
         cross join lateral generate_series(1, floor(random() * 4)::int) k",
    ),
];

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let (admin, _cluster) = server().await?;
    let name = format!("bar_raiser_bench_{}", std::process::id());
    let mut conn = PgConnection::connect_with(&admin).await?;
    conn.execute(format!(r#"create database "{name}""#).as_str())
        .await?;
    conn.close().await?;
    let options = admin.clone().database(&name);
    let store = Store::connect(options.clone(), Duration::from_secs(10)).await?;
    store.migrate().await?;

    let seeding = seed(&options).await?;
    let result = measure(&store).await;

    store.close().await;
    let mut conn = PgConnection::connect_with(&admin).await?;
    conn.execute(format!(r#"drop database "{name}" with (force)"#).as_str())
        .await?;
    conn.close().await?;
    if let Some((cluster, _dir)) = _cluster {
        cluster.stop().await?;
    }
    println!("seeding took {:.1} s", seeding.as_secs_f64());
    result
}

/// The server to bench on and, for a private cluster, the cluster and its directory.
async fn server() -> anyhow::Result<(PgConnectOptions, Option<(LocalPostgres, tempfile::TempDir)>)>
{
    if let Ok(url) = std::env::var("DATABASE_URL") {
        if !url.trim().is_empty() {
            return Ok((url.parse()?, None));
        }
    }
    let dir = tempfile::Builder::new()
        .prefix("bar-raiser-bench-")
        .tempdir()?;
    // As root the cluster runs as the postgres user, which must reach the directory.
    std::fs::set_permissions(
        dir.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )?;
    let cluster = LocalPostgres::start(&dir.path().join("pg")).await?;
    Ok((cluster.connect_options("postgres"), Some((cluster, dir))))
}

async fn seed(options: &PgConnectOptions) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let mut conn = PgConnection::connect_with(options).await?;
    conn.execute(
        "set synchronous_commit = off; set work_mem = '256MB';
         set maintenance_work_mem = '512MB';
         alter table answers disable trigger user;
         alter table scores disable trigger user;
         alter table votes disable trigger user;
         alter table members disable trigger user;",
    )
    .await?;
    for (what, statement) in SEED {
        let step = Instant::now();
        let done = conn.execute(*statement).await?;
        println!(
            "seeded {what}: {} rows in {:.1} s",
            done.rows_affected(),
            step.elapsed().as_secs_f64()
        );
    }
    let step = Instant::now();
    conn.execute(
        "alter table answers enable trigger user;
         alter table scores enable trigger user;
         alter table votes enable trigger user;
         alter table members enable trigger user;
         drop table bench_memberships;
         select leaderboard_rebuild();",
    )
    .await?;
    println!(
        "computed the maintained tallies: {:.1} s",
        step.elapsed().as_secs_f64()
    );
    let step = Instant::now();
    conn.execute("vacuum analyze").await?;
    println!("vacuum analyze: {:.1} s", step.elapsed().as_secs_f64());
    let (answers, members, servers, votes, revisions): (i64, i64, i64, i64, i64) = sqlx::query_as(
        "select (select count(*) from answers), (select count(*) from members),
                (select count(*) from servers), (select count(*) from votes),
                (select count(*) from answer_revisions)",
    )
    .fetch_one(&mut conn)
    .await?;
    println!(
        "data: {answers} answers, {revisions} revisions, {votes} votes, {members} members, \
         {servers} servers (target {TARGET_ANSWERS} answers, {MEMBERS} members, {SERVERS} servers)"
    );
    conn.close().await?;
    Ok(started.elapsed())
}

/// Servers with their daily-answer counts, biggest first.
async fn server_sizes(store: &Store) -> anyhow::Result<Vec<(u64, i64)>> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "select guild_id, count(*) from answers where kind = 'daily'
         group by guild_id order by 2 desc",
    )
    .fetch_all(store.pool())
    .await?;
    Ok(rows.into_iter().map(|(g, n)| (g as u64, n)).collect())
}

async fn measure(store: &Store) -> anyhow::Result<()> {
    let now: DateTime<Utc> = NOW.parse()?;
    let mut rng = StdRng::seed_from_u64(5);
    let sizes = server_sizes(store).await?;
    let total: i64 = sizes.iter().map(|(_, n)| n).sum();
    let (biggest, biggest_answers) = sizes[0];
    let members: Vec<(i64,)> = sqlx::query_as(
        "select user_id from members m where exists (select 1 from answers a where a.user_id = m.user_id)",
    )
    .fetch_all(store.pool())
    .await?;
    println!(
        "{} servers with answers; the biggest, {biggest}, has {biggest_answers} answers",
        sizes.len()
    );

    // Servers drawn in proportion to their answers, so big servers are asked most, as in use.
    let weighted = |rng: &mut StdRng| {
        let mut pick = rng.random_range(0..total);
        for &(guild, n) in &sizes {
            if pick < n {
                return guild;
            }
            pick -= n;
        }
        sizes[0].0
    };
    let periods = [Period::Week, Period::Month, Period::All];

    let mut report = Vec::new();
    for (label, only_biggest) in [
        ("leaderboard, servers weighted by size", false),
        ("leaderboard, biggest server only", true),
    ] {
        let mut by_period: Vec<Vec<Duration>> = vec![Vec::new(); 3];
        let mut all = Vec::new();
        for call in 0..WARM_UP_CALLS + MEASURED_CALLS {
            let guild = if only_biggest {
                biggest
            } else {
                weighted(&mut rng)
            };
            let which = rng.random_range(0..3);
            // Learn the page count from page 0 (not timed), then ask for a random page.
            let pages = store
                .leaderboard(guild, periods[which], 0, now)
                .await?
                .pages;
            let page = rng.random_range(0..pages.max(1));
            let started = Instant::now();
            let board = store.leaderboard(guild, periods[which], page, now).await?;
            let took = started.elapsed();
            std::hint::black_box(board);
            if call >= WARM_UP_CALLS {
                by_period[which].push(took);
                all.push(took);
            }
        }
        report.push(summary(&format!("{label}, all periods"), all));
        for (which, times) in by_period.into_iter().enumerate() {
            report.push(summary(&format!("{label}, {:?}", periods[which]), times));
        }
    }

    let mut first_pages = Vec::new();
    let mut next_pages = Vec::new();
    let mut series = Vec::new();
    for call in 0..WARM_UP_CALLS + MEASURED_CALLS {
        let (user,) = members[rng.random_range(0..members.len())];
        let started = Instant::now();
        let page = store.history(user as u64, 10, None).await?;
        let first = started.elapsed();
        let cursor = page.last().map(|entry| entry.answer_id);
        let started = Instant::now();
        std::hint::black_box(store.history(user as u64, 10, cursor).await?);
        let next = started.elapsed();
        let started = Instant::now();
        std::hint::black_box(store.history_series(user as u64).await?);
        let chart = started.elapsed();
        if call >= WARM_UP_CALLS {
            first_pages.push(first);
            next_pages.push(next);
            series.push(chart);
        }
    }
    report.push(summary("history, first page", first_pages));
    report.push(summary("history, next page (cursor)", next_pages));
    report.push(summary("history_series (chart)", series));

    println!(
        "\n{:<58} {:>6} {:>8} {:>8} {:>8} {:>8}",
        "query", "calls", "p50 ms", "p95 ms", "p99 ms", "max ms"
    );
    let mut missed = Vec::new();
    for line in &report {
        println!("{}", line.0);
        if !line.1 {
            missed.push(line.0.clone());
        }
    }
    if missed.is_empty() {
        println!("\nevery query met p99 ≤ {TARGET_P99:?}");
        Ok(())
    } else {
        anyhow::bail!("{} queries missed p99 ≤ {TARGET_P99:?}", missed.len())
    }
}

/// A printed line of percentiles, and whether p99 met the target.
fn summary(label: &str, mut times: Vec<Duration>) -> (String, bool) {
    times.sort_unstable();
    let at = |q: f64| {
        let index = ((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1;
        times[index].as_secs_f64() * 1000.0
    };
    let p99 = at(0.99);
    (
        format!(
            "{label:<58} {:>6} {:>8.3} {:>8.3} {:>8.3} {:>8.3}",
            times.len(),
            at(0.50),
            at(0.95),
            p99,
            at(1.0)
        ),
        p99 <= TARGET_P99.as_secs_f64() * 1000.0,
    )
}
