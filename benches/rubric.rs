//! Criterion bench of the rubric on representative answers, plus a generator for throughput runs.
//!
//! `cargo bench --bench rubric` times `score` on three corpus answers (strong, middling, weak) and on
//! a batch of generated 150–250-word answers. `cargo bench --bench rubric -- --write-jsonl FILE [N]`
//! instead writes N (default 20,000) generated answers as JSONL for timing `bar-raiser score --jsonl`.

use bar_raiser::domain::rubric::score;
use criterion::{Criterion, Throughput, black_box};

/// Sentence fragments the generator combines; every answer gets a problem, actions and a result.
const OPENINGS: &[&str] = &[
    "Last year I was the on-call engineer for our checkout service",
    "In 2023 I worked as a support lead for a marketplace that served small sellers",
    "At my previous company I managed onboarding for new merchants",
    "Two years ago I was a data analyst supporting the warehouse team",
    "When I joined the partner team, our internal customers were the billing analysts",
];
const PROBLEMS: &[&str] = &[
    "and customers kept writing in because their orders were stuck for days",
    "and sellers complained that their payouts arrived late and nobody owned the problem",
    "and the drivers were losing time at closed loading docks every week",
    "and our stakeholders ignored the forecast because it was often wrong on busy days",
];
const ACTIONS: &[&str] = &[
    "I read 80 support tickets and talked to six customers to find the real cause",
    "I pulled three months of logs and traced the failures to one slow query",
    "I wrote a script that checked every order overnight and flagged the stuck ones",
    "we discussed the options as a team and we agreed on a plan",
    "I pushed back on the quick fix because it would have hidden the problem from users",
    "I sat with two analysts for a day and rebuilt the report around what they used",
    "I escalated the billing part to my manager while I fixed the rest myself",
    "I would normally wait for the next sprint, but I fixed it that weekend",
];
const RESULTS: &[&str] = &[
    "Within a month stuck orders dropped from 300 a week to 12 and complaints fell by 60%",
    "Payout delays went from five days to one and the sellers thanked us in the forum",
    "Wait times fell by 35% and the other sites adopted the checklist",
    "Things got better and people were happier with the outcome",
];
const LESSONS: &[&str] = &[
    "I learned to read the tickets myself before deciding what to build",
    "Since then I add an alert for every new job I ship",
    "The lesson was that communication is important",
];

/// A deterministic 150–250-word answer for index `i`.
fn generated_answer(i: usize) -> String {
    let mut state = (i as u64)
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = |n: usize| {
        state ^= state >> 33;
        state = state.wrapping_mul(0xff51afd7ed558ccd);
        state ^= state >> 29;
        (state % n as u64) as usize
    };
    let mut text = format!(
        "{} {}. ",
        OPENINGS[next(OPENINGS.len())],
        PROBLEMS[next(PROBLEMS.len())]
    );
    let target = 150 + next(101);
    while text.split_whitespace().count() + 40 < target {
        text.push_str(ACTIONS[next(ACTIONS.len())]);
        text.push_str(". ");
    }
    text.push_str(RESULTS[next(RESULTS.len())]);
    text.push_str(". ");
    text.push_str(LESSONS[next(LESSONS.len())]);
    text.push('.');
    while text.split_whitespace().count() < 150 {
        text.push_str(
            " I also checked the dashboard every morning for two weeks to be sure it held.",
        );
    }
    text
}

fn corpus_answer(id: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/answers/{id}.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    let value: toml::Value =
        toml::from_str(&text).unwrap_or_else(|e| panic!("parsing {path}: {e}"));
    value["answer"].as_str().expect("answer field").to_string()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("score");
    for id in [
        "eng-checkout-latency",
        "support-no-metric-mid",
        "we-not-i-weak",
    ] {
        let answer = corpus_answer(id);
        group.throughput(Throughput::Elements(1));
        group.bench_function(id, |b| b.iter(|| score(black_box(&answer), None)));
    }
    let batch: Vec<String> = (0..100).map(generated_answer).collect();
    group.throughput(Throughput::Elements(batch.len() as u64));
    group.bench_function("generated_150_250_words_x100", |b| {
        b.iter(|| {
            for a in &batch {
                black_box(score(black_box(a), None).ok());
            }
        })
    });
    group.finish();
}

fn write_jsonl(path: &str, n: usize) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for i in 0..n {
        let line = serde_json::json!({"id": format!("gen-{i}"), "answer": generated_answer(i)});
        writeln!(out, "{line}")?;
    }
    out.flush()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(pos) = args.iter().position(|a| a == "--write-jsonl") {
        let path = args.get(pos + 1).expect("--write-jsonl needs a file");
        let n = args
            .get(pos + 2)
            .and_then(|n| n.parse().ok())
            .unwrap_or(20_000);
        write_jsonl(path, n).unwrap_or_else(|e| panic!("writing {path}: {e}"));
        eprintln!("wrote {n} answers to {path}");
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
}
