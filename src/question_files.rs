//! Loads the question pool from a directory of `*.toml` files: the only I/O around the pool.
//!
//! Both the `questions lint` command and the bot's startup go through [`load_dir`], so a pool
//! that lints clean is exactly a pool the bot accepts.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::domain::questions::{LintError, Question, check_pool};

/// Why a question directory could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The directory or one of its files could not be read.
    #[error("cannot read {}", path.display())]
    Io {
        /// The directory or file that failed.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// The files were read but the pool has problems; every one is listed.
    #[error("{}", invalid_message(.0))]
    Invalid(Vec<LintError>),
}

fn invalid_message(errors: &[LintError]) -> String {
    let mut message = format!(
        "the question pool has {} problem{}:",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    );
    for error in errors {
        message.push_str("\n  ");
        message.push_str(&error.to_string());
    }
    message
}

/// Reads every `*.toml` file directly in `dir` (not in subdirectories), in file-name order, and
/// validates them as one pool. File names in errors are `dir` joined with the file name, as
/// given, so a relative `dir` gives relative names like `questions/co_end_user.toml`.
pub fn load_dir(dir: &Path) -> Result<Vec<Question>, LoadError> {
    let io_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| LoadError::Io { path, source }
    };
    let mut paths = Vec::new();
    for entry in fs::read_dir(dir).map_err(io_error(dir))? {
        let entry = entry.map_err(io_error(dir))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        // Dotfiles are skipped: editors leave lock and swap files such as `.#co.toml` next to
        // the file being edited, and they are not part of the pool.
        if name.starts_with('.') || !name.ends_with(".toml") {
            continue;
        }
        let path = entry.path();
        // `fs::metadata` follows symlinks, so a linked question file counts like a real one.
        if fs::metadata(&path).map_err(io_error(&path))?.is_file() {
            paths.push(path);
        }
    }
    paths.sort_by(|a, b| a.file_name().cmp(&b.file_name()));

    if paths.is_empty() {
        return Err(LoadError::Invalid(vec![LintError {
            file: dir.display().to_string(),
            line: 0,
            reason: "no .toml question files in this directory; add one or point QUESTIONS_DIR \
                     at the pool"
                .to_owned(),
        }]));
    }

    let mut files = Vec::with_capacity(paths.len());
    let mut encoding_errors = Vec::new();
    for path in paths {
        let bytes = fs::read(&path).map_err(io_error(&path))?;
        let name = path.display().to_string();
        match String::from_utf8(bytes) {
            Ok(contents) => files.push((name, contents)),
            Err(e) => {
                // Report the line of the first bad byte instead of failing the whole load, so
                // the author sees this next to any other problems.
                let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
                encoding_errors.push(LintError {
                    file: name,
                    line,
                    reason: "not valid UTF-8; save the file as UTF-8".to_owned(),
                });
            }
        }
    }

    match check_pool(&files) {
        Ok(questions) if encoding_errors.is_empty() => Ok(questions),
        Ok(_) => Err(LoadError::Invalid(encoding_errors)),
        // With no readable file at all, check_pool only reports an empty pool, which would
        // hide the real cause: the encoding.
        Err(_) if files.is_empty() => Err(LoadError::Invalid(encoding_errors)),
        Err(mut errors) => {
            errors.extend(encoding_errors);
            Err(LoadError::Invalid(errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::domain::questions::{CustomerType, MAX_PROBES, Theme};

    const GOOD_A: &str = "[[question]]\nid = \"a-01\"\ntext = \"Tell me about A.\"\ncustomers = [\"seller\"]\nthemes = [\"feedback\"]\nprobes = [\"Why?\"]\n";
    const GOOD_B: &str = "[[question]]\nid = \"b-01\"\ntext = \"Tell me about B.\"\ncustomers = [\"seller\"]\nthemes = [\"feedback\"]\nprobes = [\"Why?\"]\n";

    fn dir_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        for (name, contents) in files {
            fs::write(dir.path().join(name), contents).expect("write");
        }
        dir
    }

    fn lint_lines(result: Result<Vec<Question>, LoadError>) -> Vec<String> {
        match result {
            Err(LoadError::Invalid(errors)) => errors.iter().map(ToString::to_string).collect(),
            other => panic!("expected lint errors, got {other:?}"),
        }
    }

    #[test]
    fn the_shipped_pool_is_valid_large_and_covers_every_tag() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("questions");
        let questions = load_dir(&dir).unwrap_or_else(|e| panic!("{e}"));
        assert!(questions.len() >= 60, "only {} questions", questions.len());
        let ids: HashSet<&str> = questions.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(ids.len(), questions.len(), "ids are not unique");
        for q in &questions {
            assert!((1..=MAX_PROBES).contains(&q.probes.len()), "{}", q.id);
        }
        for customer in CustomerType::ALL {
            let n = questions
                .iter()
                .filter(|q| q.customers.contains(&customer))
                .count();
            assert!(n >= 5, "{customer} is covered by only {n} questions");
        }
        for theme in Theme::ALL {
            let n = questions
                .iter()
                .filter(|q| q.themes.contains(&theme))
                .count();
            assert!(n >= 5, "{theme} is covered by only {n} questions");
        }
    }

    #[test]
    fn the_shipped_pool_includes_questions_that_never_say_customer() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("questions");
        let questions = load_dir(&dir).unwrap_or_else(|e| panic!("{e}"));
        let without = questions
            .iter()
            .filter(|q| !q.text.to_lowercase().contains("customer"))
            .count();
        assert!(without >= 10, "only {without} questions avoid the word");
    }

    #[test]
    fn files_are_read_in_name_order_and_other_files_are_ignored() {
        let dir = dir_with(&[
            ("b.toml", GOOD_B.as_bytes()),
            ("a.toml", GOOD_A.as_bytes()),
            ("notes.md", b"not toml"),
            (".#a.toml", b"editor lock file"),
        ]);
        fs::create_dir(dir.path().join("nested.toml")).unwrap();
        let ids: Vec<String> = load_dir(dir.path())
            .unwrap()
            .into_iter()
            .map(|q| q.id)
            .collect();
        assert_eq!(ids, ["a-01", "b-01"]);
    }

    #[test]
    fn errors_name_the_file_as_the_directory_joined_with_its_name() {
        let dir = dir_with(&[("a.toml", GOOD_A.as_bytes()), ("b.toml", GOOD_A.as_bytes())]);
        let a = dir.path().join("a.toml").display().to_string();
        let b = dir.path().join("b.toml").display().to_string();
        let lines = lint_lines(load_dir(dir.path()));
        assert_eq!(
            lines,
            [
                format!(
                    "{b}:2: duplicate id `a-01`, already used at {a}:2; give this question a new id"
                ),
                format!(
                    "{b}:3: same text as `a-01` at {a}:3; reword one of them or remove this one"
                ),
            ]
        );
    }

    #[test]
    fn a_missing_directory_is_an_io_error_naming_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope");
        let err = load_dir(&missing).unwrap_err();
        assert!(matches!(&err, LoadError::Io { path, .. } if *path == missing));
        assert_eq!(
            err.to_string(),
            format!("cannot read {}", missing.display())
        );
        // The operating system's reason is the error's source, so a chain prints it once.
        let source = std::error::Error::source(&err).expect("the I/O error is the source");
        assert!(source.to_string().contains("No such file"), "{source}");
    }

    #[test]
    fn a_directory_without_question_files_is_reported_as_an_empty_pool() {
        let dir = dir_with(&[("README.md", b"hi")]);
        let lines = lint_lines(load_dir(dir.path()));
        assert_eq!(
            lines,
            [format!(
                "{}: no .toml question files in this directory; add one or point QUESTIONS_DIR at the pool",
                dir.path().display()
            )]
        );
    }

    #[test]
    fn a_file_that_is_not_utf8_is_reported_at_the_line_of_the_bad_byte() {
        let dir = dir_with(&[
            ("a.toml", GOOD_A.as_bytes()),
            ("b.toml", b"# ok\n# caf\xe9\n"),
        ]);
        let b = dir.path().join("b.toml").display().to_string();
        assert_eq!(
            lint_lines(load_dir(dir.path())),
            [format!("{b}:2: not valid UTF-8; save the file as UTF-8")]
        );
    }

    #[test]
    fn invalid_pools_display_every_problem_on_its_own_line() {
        let err = LoadError::Invalid(vec![
            LintError {
                file: "q/a.toml".into(),
                line: 3,
                reason: "one".into(),
            },
            LintError {
                file: "q/b.toml".into(),
                line: 9,
                reason: "two".into(),
            },
        ]);
        assert_eq!(
            err.to_string(),
            "the question pool has 2 problems:\n  q/a.toml:3: one\n  q/b.toml:9: two"
        );
    }
}
