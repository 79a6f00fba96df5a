//! The `questions` subcommand: `bar-raiser questions lint [DIR]` validates a question pool.
//!
//! Output contract: on success a short coverage summary and a last line `N questions OK`, exit
//! 0; on problems one `file:line: reason` line per problem on stdout, exit 1; when the
//! directory cannot be read, a message on stderr, exit 2.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::domain::questions::{CustomerType, Question, Theme};
use crate::question_files::{LoadError, load_dir};

/// The pool directory when neither an argument nor `QUESTIONS_DIR` names one.
pub use crate::config::DEFAULT_QUESTIONS_DIR as DEFAULT_DIR;

/// Subcommands for managing the question pool.
#[derive(clap::Subcommand, Debug)]
pub enum QuestionsCommand {
    /// Validate a question pool
    Lint {
        /// The directory (default `questions`, or QUESTIONS_DIR)
        dir: Option<PathBuf>,
    },
}

/// Runs a `questions` subcommand, printing its report.
pub fn run(cmd: &QuestionsCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        QuestionsCommand::Lint { dir } => {
            let dir = resolve_dir(dir.as_deref(), std::env::var_os("QUESTIONS_DIR"));
            let (lines, code) = lint_report(&dir);
            // Exit code 2 means the tool could not do its job, which belongs on stderr; lint
            // findings are the tool's output and go to stdout.
            let to_stderr = code == ExitCode::from(2);
            for line in lines {
                if to_stderr {
                    eprintln!("{line}");
                } else {
                    println!("{line}");
                }
            }
            Ok(code)
        }
    }
}

/// The directory to lint: the argument if given, else a non-empty `QUESTIONS_DIR`, else
/// `questions`. An empty variable counts as unset, as a blank line in `.env` often leaves it.
pub fn resolve_dir(arg: Option<&Path>, env_value: Option<OsString>) -> PathBuf {
    match (arg, env_value) {
        (Some(dir), _) => dir.to_path_buf(),
        (None, Some(value)) if !value.is_empty() => PathBuf::from(value),
        (None, _) => PathBuf::from(DEFAULT_DIR),
    }
}

/// Lints the pool in `dir` and returns the report lines and the exit code, without printing.
/// For exit code 2 the lines belong on stderr; otherwise on stdout.
pub fn lint_report(dir: &Path) -> (Vec<String>, ExitCode) {
    match load_dir(dir) {
        Ok(questions) => {
            let mut lines = coverage(&questions);
            lines.push(format!("{} questions OK", questions.len()));
            (lines, ExitCode::SUCCESS)
        }
        Err(LoadError::Invalid(errors)) => (
            errors.iter().map(ToString::to_string).collect(),
            ExitCode::FAILURE,
        ),
        Err(err @ LoadError::Io { .. }) => (
            vec![format!(
                "error: {:#}; pass the question directory as DIR or set QUESTIONS_DIR",
                anyhow::Error::from(err)
            )],
            ExitCode::from(2),
        ),
    }
}

/// How many questions carry each customer type and theme, so an author sees thin spots.
fn coverage(questions: &[Question]) -> Vec<String> {
    let count =
        |matches: &dyn Fn(&Question) -> bool| questions.iter().filter(|q| matches(q)).count();
    let customers: Vec<String> = CustomerType::ALL
        .iter()
        .map(|c| format!("{c} {}", count(&|q| q.customers.contains(c))))
        .collect();
    let themes: Vec<String> = Theme::ALL
        .iter()
        .map(|t| format!("{t} {}", count(&|q| q.themes.contains(t))))
        .collect();
    vec![
        format!("customers: {}", customers.join(", ")),
        format!("themes: {}", themes.join(", ")),
    ]
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    const QUESTION: &str = "[[question]]\nid = \"co-x-01\"\ntext = \"Tell me about a time.\"\ncustomers = [\"seller\", \"end_user\"]\nthemes = [\"feedback\"]\nprobes = [\"Why?\"]\n";

    fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        for (name, contents) in files {
            fs::write(dir.path().join(name), contents).expect("write");
        }
        dir
    }

    #[test]
    fn a_valid_pool_prints_coverage_then_the_count_on_the_last_line_and_exits_0() {
        let dir = dir_with(&[("a.toml", QUESTION)]);
        let (lines, code) = lint_report(dir.path());
        assert_eq!(code, ExitCode::SUCCESS);
        assert_eq!(
            lines,
            [
                "customers: end_user 1, seller 1, partner_team 0, internal_stakeholder 0",
                "themes: root_cause 0, pushing_back 0, balancing_goals 0, unexpected_solution 0, \
                 feedback 1, beyond_scope 0, earning_trust 0",
                "1 questions OK",
            ]
        );
    }

    #[test]
    fn an_invalid_pool_prints_one_file_line_reason_per_problem_and_exits_1() {
        let broken = QUESTION
            .replace("co-x-01", "Bad Id")
            .replace("\"feedback\"", "\"fun\"");
        let dir = dir_with(&[("a.toml", &broken)]);
        let (lines, code) = lint_report(dir.path());
        let file = dir.path().join("a.toml").display().to_string();
        assert_eq!(code, ExitCode::FAILURE);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(
            lines[0].starts_with(&format!("{file}:2: invalid id `Bad Id`")),
            "{lines:?}"
        );
        assert!(
            lines[1].starts_with(&format!("{file}:5: unknown theme `fun`")),
            "{lines:?}"
        );
    }

    #[test]
    fn an_unreadable_directory_exits_2_with_a_message_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        let (lines, code) = lint_report(&missing);
        assert_eq!(code, ExitCode::from(2));
        assert_eq!(lines.len(), 1);
        assert!(lines[0].starts_with(&format!("error: cannot read {}: ", missing.display())));
    }

    #[test]
    fn the_directory_comes_from_the_argument_then_the_environment_then_the_default() {
        let cases: [(Option<&str>, Option<&str>, &str); 5] = [
            (Some("mine"), Some("env"), "mine"),
            (Some("mine"), None, "mine"),
            (None, Some("env"), "env"),
            (None, Some(""), "questions"),
            (None, None, "questions"),
        ];
        for (arg, env, expected) in cases {
            let got = resolve_dir(arg.map(Path::new), env.map(OsString::from));
            assert_eq!(got, PathBuf::from(expected), "arg {arg:?}, env {env:?}");
        }
    }

    #[test]
    fn the_lint_subcommand_parses_an_optional_directory() {
        use clap::Parser;

        #[derive(clap::Parser)]
        struct Cli {
            #[command(subcommand)]
            command: QuestionsCommand,
        }
        let parse = |args: &[&str]| match Cli::try_parse_from(args).map(|c| c.command) {
            Ok(QuestionsCommand::Lint { dir }) => dir,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(parse(&["x", "lint"]), None);
        assert_eq!(parse(&["x", "lint", "pool"]), Some(PathBuf::from("pool")));
    }
}
