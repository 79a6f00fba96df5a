//! `bar-raiser score`: scores one answer (a readable report or `--json`) or a JSONL batch.
//!
//! Ids in JSON output: a single answer read from a file gets the file's path as given on the command
//! line; one read from standard input gets "-". In `--jsonl` mode each line keeps its own `id`.

use crate::domain::rubric::{self, RubricError, Score};
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufWriter, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit code for usage errors and empty input.
const EXIT_USAGE: u8 = 2;

/// Lines scored per batch in `--jsonl` mode; each batch is split across the available cores.
const BATCH_LINES: usize = 4096;

#[derive(clap::Args, Debug)]
pub struct ScoreArgs {
    /// The answer to score: a file, or "-" for standard input (the default).
    #[arg(value_name = "FILE", conflicts_with = "jsonl")]
    pub file: Option<PathBuf>,
    /// The question the answer responds to (optional; used to ignore a restated question).
    #[arg(long, short)]
    pub question: Option<String>,
    /// Print one JSON object instead of the readable report.
    #[arg(long)]
    pub json: bool,
    /// Score every line `{"id", "answer", "question"?}` of FILE ("-" for stdin), one JSON object per line.
    #[arg(long, value_name = "FILE")]
    pub jsonl: Option<PathBuf>,
}

pub fn run(args: &ScoreArgs) -> Result<ExitCode> {
    if let Some(path) = &args.jsonl {
        return run_jsonl(path);
    }
    let (id, text) = match &args.file {
        None => ("-".to_string(), read_stdin()?),
        Some(p) if p.as_os_str() == "-" => ("-".to_string(), read_stdin()?),
        Some(p) => (
            p.display().to_string(),
            std::fs::read_to_string(p)
                .with_context(|| format!("reading the answer from {}", p.display()))?,
        ),
    };
    let score = match rubric::score(&text, args.question.as_deref()) {
        Ok(s) => s,
        Err(RubricError::Empty) => {
            eprintln!("error: the answer in {id} is empty; write the story, then score it");
            return Ok(ExitCode::from(EXIT_USAGE));
        }
    };
    let stdout = std::io::stdout();
    let colour = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut out = stdout.lock();
    if args.json {
        let line = with_id(&id, &score).context("encoding the score as JSON")?;
        writeln!(out, "{line}").context("writing the score to stdout")?;
    } else {
        out.write_all(report(&score, colour).as_bytes())
            .context("writing the report to stdout")?;
    }
    out.flush().context("flushing stdout")?;
    Ok(ExitCode::SUCCESS)
}

fn read_stdin() -> Result<String> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .context("reading the answer from standard input")?;
    Ok(text)
}

/// The Score's JSON object with `"id"` first. Splicing the id into the serialized Score is much
/// cheaper than `#[serde(flatten)]`, which goes through an intermediate map.
fn with_id(id: &str, score: &Score) -> Result<String, serde_json::Error> {
    let body = serde_json::to_string(score)?;
    let id = serde_json::to_string(id)?;
    Ok(format!("{{\"id\":{id},{}", &body[1..]))
}

#[derive(Serialize)]
struct Failed<'a> {
    id: Option<&'a str>,
    error: String,
}

#[derive(Deserialize)]
struct Line {
    id: String,
    answer: String,
    #[serde(default)]
    question: Option<String>,
}

#[derive(Deserialize)]
struct IdOnly {
    id: serde_json::Value,
}

/// Scores one JSONL line into its output line (without the newline). Never fails: problems with a
/// line become an `"error"` field on that line so that the rest of the batch is still scored.
fn score_line(raw: &str) -> String {
    let encode = |r: Result<String, serde_json::Error>| {
        r.unwrap_or_else(|e| {
            format!("{{\"id\":null,\"error\":\"could not encode the result: {e}\"}}")
        })
    };
    match serde_json::from_str::<Line>(raw) {
        Ok(line) => match rubric::score(&line.answer, line.question.as_deref()) {
            Ok(score) => encode(with_id(&line.id, &score)),
            Err(e) => encode(serde_json::to_string(&Failed {
                id: Some(&line.id),
                error: e.to_string(),
            })),
        },
        Err(e) => {
            // Keep the id when the line is valid JSON with an id but lacks or mistypes other fields.
            let id = serde_json::from_str::<IdOnly>(raw)
                .ok()
                .map(|v| match v.id {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                });
            encode(serde_json::to_string(&Failed {
                id: id.as_deref(),
                error: format!("unreadable line: {e}"),
            }))
        }
    }
}

fn run_jsonl(path: &PathBuf) -> Result<ExitCode> {
    let reader: Box<dyn BufRead> = if path.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let file =
            std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
        Box::new(std::io::BufReader::with_capacity(1 << 16, file))
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 16);
    let mut batch: Vec<String> = Vec::with_capacity(BATCH_LINES);
    let mut lines = reader.lines();
    let mut line_no = 0usize;
    loop {
        batch.clear();
        for line in lines.by_ref() {
            line_no += 1;
            let line =
                line.with_context(|| format!("reading line {line_no} of {}", path.display()))?;
            if line.trim().is_empty() {
                continue;
            }
            batch.push(line);
            if batch.len() == BATCH_LINES {
                break;
            }
        }
        if batch.is_empty() {
            break;
        }
        for scored in score_batch(&batch, workers) {
            out.write_all(scored.as_bytes())
                .context("writing scores to stdout")?;
            out.write_all(b"\n").context("writing scores to stdout")?;
        }
    }
    out.flush().context("flushing stdout")?;
    Ok(ExitCode::SUCCESS)
}

/// Scores a batch on several threads; chunks are contiguous, so joining them keeps input order.
fn score_batch(batch: &[String], workers: usize) -> Vec<String> {
    if workers <= 1 || batch.len() < 64 {
        return batch.iter().map(|l| score_line(l)).collect();
    }
    let chunk = batch.len().div_ceil(workers);
    std::thread::scope(|s| {
        let handles: Vec<_> = batch
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().map(|l| score_line(l)).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// The readable report. Colour codes are plain ANSI and only used on a terminal.
fn report(score: &Score, colour: bool) -> String {
    let paint = |code: &str, s: &str| {
        if colour {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let band_code = match score.band {
        rubric::Band::StronglyDemonstrated => "1;32",
        rubric::Band::Demonstrated => "1;33",
        rubric::Band::NotYet => "1;31",
    };
    let mut r = String::new();
    r.push_str(&format!(
        "{}  {}  (rubric {})\n\n",
        paint("1", &format!("{}/100", score.total)),
        paint(band_code, score.band.label()),
        score.rubric_version
    ));
    for (name, d) in score.dimensions.iter() {
        let filled = usize::from(d.score) * 10 / usize::from(d.max.max(1));
        let bar = format!("{}{}", "#".repeat(filled), ".".repeat(10 - filled));
        r.push_str(&format!(
            "  {:<15} {:>2}/{:<2} {}\n",
            name.replace('_', " "),
            d.score,
            d.max,
            paint("36", &bar)
        ));
        for e in &d.evidence {
            let flat: Vec<&str> = e.split_whitespace().collect();
            r.push_str(&format!("      \"{}\"\n", flat.join(" ")));
        }
    }
    if !score.flags.is_empty() {
        r.push_str(&format!("\n{}\n", paint("1", "Red flags")));
        for f in &score.flags {
            r.push_str(&format!("  - {}\n", paint("31", f.label())));
        }
    }
    r.push_str(&format!("\n{}\n", paint("1", "Tips")));
    for t in score.tips() {
        r.push_str(&format!("  * {t}\n"));
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(line: &str) -> serde_json::Value {
        serde_json::from_str(line).expect("every output line is JSON")
    }

    #[test]
    fn jsonl_lines_report_errors_per_line_and_keep_ids_and_order() {
        let answer = "Last year I called 12 sellers, found the broken fee setting and fixed it; complaints fell from 80 to 9 a week.";
        let input: Vec<String> = vec![
            serde_json::json!({"id": "a", "answer": answer}).to_string(),
            serde_json::json!({"id": "empty", "answer": "   "}).to_string(),
            r#"{"id": "no-answer"}"#.to_string(),
            "not json at all".to_string(),
            serde_json::json!({"id": 7, "answer": answer}).to_string(),
            serde_json::json!({"id": "q", "answer": answer, "question": "Tell me about a customer."}).to_string(),
        ];
        let out: Vec<serde_json::Value> =
            score_batch(&input, 1).iter().map(|l| parsed(l)).collect();
        let table: [(&str, Option<&str>, bool); 6] = [
            ("a", Some("a"), false),
            ("empty", Some("empty"), true),
            ("no-answer", Some("no-answer"), true),
            ("not json", None, true),
            ("numeric id", Some("7"), true),
            ("question", Some("q"), false),
        ];
        for ((name, id, error), got) in table.iter().zip(&out) {
            assert_eq!(got["id"].as_str(), *id, "{name}");
            assert_eq!(got.get("error").is_some(), *error, "{name}: {got}");
            if !error {
                assert!(got["total"].as_u64().is_some(), "{name}");
            }
        }
    }

    #[test]
    fn parallel_scoring_keeps_the_input_order() {
        let input: Vec<String> = (0..300)
            .map(|i| serde_json::json!({"id": format!("n{i}"), "answer": format!("I fixed bug {i} for a customer.")}).to_string())
            .collect();
        let ids: Vec<String> = score_batch(&input, 4)
            .iter()
            .map(|l| parsed(l)["id"].as_str().unwrap_or("").to_string())
            .collect();
        let expected: Vec<String> = (0..300).map(|i| format!("n{i}")).collect();
        assert_eq!(ids, expected);
    }

    #[test]
    fn single_answer_json_puts_the_id_first_and_keeps_the_score_fields() {
        let score =
            rubric::score("I called the customer and fixed her order.", None).expect("scores");
        let line = with_id("answer.txt", &score).expect("encodes");
        assert!(
            line.starts_with(r#"{"id":"answer.txt","rubric_version""#),
            "{line}"
        );
        let back: Score = serde_json::from_str(&line).expect("the rest is the Score");
        assert_eq!(back, score);
    }

    #[test]
    fn the_plain_report_has_no_colour_codes_and_the_coloured_one_does() {
        let score =
            rubric::score("I called the customer and fixed her order.", None).expect("scores");
        assert!(!report(&score, false).contains('\x1b'));
        assert!(report(&score, true).contains('\x1b'));
        assert!(report(&score, false).contains("/100"));
    }
}
