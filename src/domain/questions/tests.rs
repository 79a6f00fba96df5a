//! Tests for question-file parsing and the pool linter.

use super::*;

/// A valid question whose fields sit on known lines: header 1, id 2, text 3, customers 4,
/// themes 5, probes 6. Cases below break one line at a time.
const VALID: &str = r#"[[question]]
id = "co-root-cause-01"
text = "Tell me about a time you found the real problem behind a request."
customers = ["end_user"]
themes = ["root_cause"]
probes = ["How did you know?"]
"#;

/// `VALID` with the line starting with `prefix` replaced by `line` (or removed if empty).
fn with_line(prefix: &str, line: &str) -> String {
    let mut found = false;
    let lines: Vec<&str> = VALID
        .lines()
        .filter_map(|l| {
            if l.starts_with(prefix) {
                found = true;
                (!line.is_empty()).then_some(line)
            } else {
                Some(l)
            }
        })
        .collect();
    assert!(found, "no line starts with {prefix}");
    lines.join("\n") + "\n"
}

/// Errors as `line: reason`, the part of the report each case pins down.
fn lines_and_reasons(errors: &[LintError]) -> Vec<String> {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.line, e.reason))
        .collect()
}

/// Asserts the errors start with the expected `line: reason` fragments, one for one, in order.
fn assert_errors(case: &str, errors: &[LintError], expected: &[&str]) {
    let got = lines_and_reasons(errors);
    assert_eq!(got.len(), expected.len(), "{case}: got {got:#?}");
    for (got, want) in got.iter().zip(expected) {
        assert!(
            got.starts_with(want),
            "{case}: expected `{want}…`, got `{got}`"
        );
    }
}

#[test]
fn the_valid_example_parses_into_a_question() {
    let (questions, errors) = parse_file("f.toml", VALID);
    assert_eq!(errors, []);
    assert_eq!(
        questions,
        [Question {
            id: "co-root-cause-01".into(),
            text: "Tell me about a time you found the real problem behind a request.".into(),
            customers: vec![CustomerType::EndUser],
            themes: vec![Theme::RootCause],
            probes: vec!["How did you know?".into()],
        }]
    );
}

#[test]
fn each_broken_file_is_reported_at_the_right_line_with_a_reason() {
    let long_text = format!("text = \"{}\"", "a".repeat(MAX_TEXT_CHARS + 1));
    let long_probe = format!("probes = [\"{}\"]", "b".repeat(MAX_PROBE_CHARS + 1));
    let long_id = format!("id = \"co-{}\"", "x".repeat(MAX_ID_CHARS));
    let second = VALID.replace("co-root-cause-01", "co-root-cause-02");
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        (
            "unterminated string",
            with_line("text", "text = \"Tell me"),
            vec!["3: TOML syntax error: invalid basic string"],
        ),
        (
            "field without a value",
            with_line("themes", "themes ="),
            vec!["5: TOML syntax error"],
        ),
        (
            "missing id",
            with_line("id", ""),
            vec!["1: question has no `id`; add a line like id = "],
        ),
        (
            "every field but the id missing",
            "[[question]]\nid = \"co-a-01\"\n".into(),
            vec![
                "1: question has no `text`",
                "1: question has no `customers`",
                "1: question has no `themes`",
                "1: question has no `probes`",
            ],
        ),
        (
            "a field missing from the second question",
            format!("{VALID}\n{}", with_line("probes", "").replace("01", "02").replace("request", "ask")),
            vec!["8: question has no `probes`"],
        ),
        (
            "a forgotten [[question]] header between two questions",
            format!("{VALID}\n{}", VALID.replace("[[question]]\n", "")),
            vec!["8: TOML syntax error: duplicate key `id`"],
        ),
        (
            "unknown field with a likely meaning",
            format!("{VALID}tags = [\"x\"]\n"),
            vec!["7: unknown field `tags`; did you mean `themes`?"],
        ),
        (
            "unknown field without a likely meaning",
            format!("{VALID}colour = \"red\"\n"),
            vec!["7: unknown field `colour`; allowed fields are id, text, customers, themes, probes"],
        ),
        (
            "capitalised field name",
            with_line("text", "Text = \"Tell me about a time.\""),
            vec!["1: question has no `text`", "3: unknown field `Text`; did you mean `text`?"],
        ),
        (
            "id that is a number",
            with_line("id", "id = 7"),
            vec!["2: `id` must be a string in quotes, not a number"],
        ),
        (
            "text that is a list",
            with_line("text", "text = [\"a\"]"),
            vec!["3: `text` must be a string in quotes, not a list"],
        ),
        (
            "customers as a bare string",
            with_line("customers", "customers = \"end_user\""),
            vec!["4: `customers` must be a list in brackets, like customers = [\"end_user\"], not a string"],
        ),
        (
            "customers holding a number",
            with_line("customers", "customers = [1]"),
            vec!["4: item 1 of `customers` must be a string in quotes, not a number"],
        ),
        (
            "probes as a bare string",
            with_line("probes", "probes = \"Why?\""),
            vec!["6: `probes` must be a list in brackets"],
        ),
        (
            "unknown customer type",
            with_line("customers", "customers = [\"buyer\"]"),
            vec!["4: unknown customer type `buyer`; use one of end_user, seller, partner_team, internal_stakeholder"],
        ),
        (
            "unknown theme among known ones",
            with_line("themes", "themes = [\"root_cause\", \"rootcause\", \"fun\"]"),
            vec!["5: unknown theme `rootcause`; use one of root_cause, pushing_back", "5: unknown theme `fun`"],
        ),
        (
            "no customers",
            with_line("customers", "customers = []"),
            vec!["4: `customers` is empty; list at least one of end_user"],
        ),
        (
            "a theme listed twice",
            with_line("themes", "themes = [\"feedback\", \"feedback\"]"),
            vec!["5: `themes` lists `feedback` twice; remove one"],
        ),
        (
            "empty text",
            with_line("text", "text = \"\""),
            vec!["3: `text` is empty; write the question"],
        ),
        (
            "whitespace-only multi-line text",
            with_line("text", "text = \"\"\"\n   \n\t\"\"\""),
            vec!["3: `text` is empty"],
        ),
        (
            "text one character over the limit",
            with_line("text", &long_text),
            vec!["3: `text` is 301 characters; shorten it to at most 300"],
        ),
        ("id with capitals", with_line("id", "id = \"Co-Root-01\""), vec!["2: invalid id `Co-Root-01`; use lowercase"]),
        ("id with a double hyphen", with_line("id", "id = \"co--01\""), vec!["2: invalid id `co--01`"]),
        ("id with a trailing hyphen", with_line("id", "id = \"co-01-\""), vec!["2: invalid id `co-01-`"]),
        ("id with an underscore", with_line("id", "id = \"co_01\""), vec!["2: invalid id `co_01`"]),
        ("id starting with a digit", with_line("id", "id = \"1-co\""), vec!["2: invalid id `1-co`"]),
        ("id with a space", with_line("id", "id = \"co 01\""), vec!["2: invalid id `co 01`"]),
        ("empty id", with_line("id", "id = \"\""), vec!["2: invalid id ``"]),
        ("id over the length limit", with_line("id", &long_id), vec!["2: invalid id `co-xxx"]),
        (
            "no probes",
            with_line("probes", "probes = []"),
            vec!["6: `probes` has 0 entries; give 1 to 3 follow-up questions"],
        ),
        (
            "four probes",
            with_line("probes", "probes = [\"a?\", \"b?\", \"c?\", \"d?\"]"),
            vec!["6: `probes` has 4 entries"],
        ),
        (
            "a blank probe",
            with_line("probes", "probes = [\"Why?\", \"  \"]"),
            vec!["6: probe 2 is empty; write the follow-up or remove it"],
        ),
        (
            "an over-long probe",
            with_line("probes", &long_probe),
            vec!["6: probe 1 is 161 characters; shorten it to at most 160"],
        ),
        (
            "the same id twice in one file",
            format!("{VALID}\n{}", VALID.replace("behind a request", "behind an ask")),
            vec!["9: duplicate id `co-root-cause-01`, already used at f.toml:2; give this question a new id"],
        ),
        (
            "the same text twice, differing only in case and spacing",
            format!("{VALID}\n{}", second.replace("Tell me about", "tell  me\tabout")),
            vec!["10: same text as `co-root-cause-01` at f.toml:3; reword one of them"],
        ),
        (
            "single brackets around the header",
            VALID.replace("[[question]]", "[question]"),
            vec!["1: `question` must be a list of tables; start each question with [[question]]"],
        ),
        (
            "a misspelt header",
            VALID.replace("[[question]]", "[[questions]]"),
            vec!["1: unknown top-level key `questions`; did you mean [[question]]?"],
        ),
        (
            "a field above the first header",
            format!("# pool\nversion = 2\n{VALID}"),
            vec!["2: unknown top-level key `version`; a question file holds only [[question]] tables"],
        ),
        ("an empty file", String::new(), vec!["1: no questions in this file; add a [[question]] table"]),
        ("only comments", "# nothing yet\n# really\n".into(), vec!["1: no questions in this file"]),
        (
            "problems in two questions are all reported",
            format!(
                "{}\n{}",
                with_line("id", "id = \"BAD\""),
                with_line("themes", "themes = [\"nope\"]")
                    .replace("cause-01", "cause-02")
                    .replace("request", "ticket")
            ),
            vec!["2: invalid id `BAD`", "12: unknown theme `nope`"],
        ),
        (
            "a duplicate id in a question with other problems",
            format!(
                "{VALID}\n{}",
                with_line("themes", "themes = [\"nope\"]").replace("request", "ticket")
            ),
            vec![
                "9: duplicate id `co-root-cause-01`, already used at f.toml:2",
                "12: unknown theme `nope`",
            ],
        ),
        (
            "a duplicate text in a question whose id is broken",
            format!("{VALID}\n{}", with_line("id", "id = \"NOPE\"")),
            vec!["9: invalid id `NOPE`", "10: same text as `co-root-cause-01` at f.toml:3"],
        ),
        (
            "a duplicate text whose first occurrence has a broken id",
            format!("{}\n{}", with_line("id", "id = \"NOPE\""), VALID),
            vec!["2: invalid id `NOPE`", "10: same text as another question at f.toml:3"],
        ),
        (
            "several problems in one question are all reported",
            "[[question]]\nid = \"x y\"\ntext = \"\"\ncustomers = [\"ghost\"]\nthemes = []\nprobes = []\nextra = 1\n".into(),
            vec![
                "2: invalid id `x y`",
                "3: `text` is empty",
                "4: unknown customer type `ghost`",
                "5: `themes` is empty",
                "6: `probes` has 0 entries",
                "7: unknown field `extra`",
            ],
        ),
        (
            "line numbers with Windows line endings",
            with_line("themes", "themes = [\"nope\"]").replace('\n', "\r\n"),
            vec!["5: unknown theme `nope`"],
        ),
    ];
    for (case, contents, expected) in cases {
        let (_, errors) = parse_file("f.toml", &contents);
        assert_errors(case, &errors, &expected);
        assert!(errors.iter().all(|e| e.file == "f.toml"), "{case}");
    }
}

#[test]
fn files_at_the_limits_are_accepted() {
    let max_text = format!("text = \"{}\"", "é".repeat(MAX_TEXT_CHARS));
    let max_probe = format!("probes = [\"{}\"]", "b".repeat(MAX_PROBE_CHARS));
    let max_id = format!("id = \"c{}2\"", "-1".repeat((MAX_ID_CHARS - 2) / 2));
    let cases: Vec<(&str, String)> = vec![
        ("text of exactly the maximum length in multi-byte characters", with_line("text", &max_text)),
        ("probe of exactly the maximum length", with_line("probes", &max_probe)),
        ("id of the maximum length", with_line("id", &max_id)),
        ("three probes", with_line("probes", "probes = [\"a?\", \"b?\", \"c?\"]")),
        (
            "every customer type and theme at once",
            with_line(
                "customers",
                "customers = [\"end_user\", \"seller\", \"partner_team\", \"internal_stakeholder\"]",
            )
            .replace(
                "themes = [\"root_cause\"]",
                "themes = [\"root_cause\", \"pushing_back\", \"balancing_goals\", \"unexpected_solution\", \"feedback\", \"beyond_scope\", \"earning_trust\"]",
            ),
        ),
        ("fields in another order", "[[question]]\nprobes = [\"Why?\"]\nthemes = [\"feedback\"]\ncustomers = [\"seller\"]\ntext = \"Hi.\"\nid = \"a\"\n".into()),
        ("inline tables", "question = [{ id = \"a\", text = \"Hi.\", customers = [\"seller\"], themes = [\"feedback\"], probes = [\"Why?\"] }]\n".into()),
    ];
    for (case, contents) in cases {
        let (questions, errors) = parse_file("f.toml", &contents);
        assert_eq!(lines_and_reasons(&errors), Vec::<String>::new(), "{case}");
        assert_eq!(questions.len(), 1, "{case}");
    }
}

#[test]
fn multi_line_text_and_probes_are_trimmed() {
    let contents = with_line(
        "text",
        "text = \"\"\"\n  Tell me about a time\nyou listened.  \n\"\"\"",
    )
    .replace("[\"How did you know?\"]", "[\"  How did you know? \"]");
    let (questions, errors) = parse_file("f.toml", &contents);
    assert_eq!(errors, []);
    assert_eq!(questions[0].text, "Tell me about a time\nyou listened.");
    assert_eq!(questions[0].probes, ["How did you know?"]);
}

#[test]
fn a_question_with_a_problem_is_left_out_while_valid_neighbours_are_kept() {
    let contents = format!(
        "{VALID}\n{}",
        VALID
            .replace("cause-01", "cause-02")
            .replace("request", "ticket")
            .replace("\"end_user\"", "\"robot\"")
    );
    let (questions, errors) = parse_file("f.toml", &contents);
    assert_errors(
        "one bad of two",
        &errors,
        &["11: unknown customer type `robot`"],
    );
    let ids: Vec<&str> = questions.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(ids, ["co-root-cause-01"]);
}

#[test]
fn duplicate_ids_across_files_name_the_lines_of_both() {
    let files = [
        ("q/a.toml".to_owned(), VALID.to_owned()),
        (
            "q/b.toml".to_owned(),
            format!(
                "# second file\n{}",
                VALID.replace("behind a request", "behind a ticket")
            ),
        ),
    ];
    let errors = check_pool(&files).unwrap_err();
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            "q/b.toml:3: duplicate id `co-root-cause-01`, already used at q/a.toml:2; give this question a new id"
        ]
    );
}

#[test]
fn the_pool_report_is_ordered_by_file_as_given_then_by_line() {
    let bad_theme = with_line("themes", "themes = [\"nope\"]");
    let files = [
        (
            "z.toml".to_owned(),
            format!(
                "{bad_theme}\n{}",
                with_line("id", "id = \"X\"").replace("request", "ticket")
            ),
        ),
        ("a.toml".to_owned(), "not toml at all".to_owned()),
    ];
    let shown: Vec<String> = check_pool(&files)
        .unwrap_err()
        .iter()
        .map(|e| format!("{}:{}", e.file, e.line))
        .collect();
    assert_eq!(shown, ["z.toml:5", "z.toml:9", "a.toml:1"]);
}

#[test]
fn a_valid_pool_returns_its_questions_in_file_order() {
    let files = [
        (
            "b.toml".to_owned(),
            VALID.replace("01", "02").replace("request", "ask"),
        ),
        ("a.toml".to_owned(), VALID.to_owned()),
    ];
    let ids: Vec<String> = check_pool(&files)
        .unwrap()
        .into_iter()
        .map(|q| q.id)
        .collect();
    assert_eq!(ids, ["co-root-cause-02", "co-root-cause-01"]);
}

#[test]
fn a_pool_without_files_is_empty_and_says_so() {
    let errors = check_pool(&[]).unwrap_err();
    assert_eq!(
        errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["question pool: the pool is empty; add a .toml file with at least one [[question]] table"]
    );
}

#[test]
fn a_file_without_questions_makes_the_pool_invalid() {
    let files = [
        ("a.toml".to_owned(), VALID.to_owned()),
        ("b.toml".to_owned(), String::new()),
    ];
    let shown: Vec<String> = check_pool(&files)
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        shown,
        ["b.toml:1: no questions in this file; add a [[question]] table or remove the file"]
    );
}

#[test]
fn lint_errors_display_as_file_colon_line_colon_reason() {
    let cases = [
        (
            LintError {
                file: "q/a.toml".into(),
                line: 12,
                reason: "bad".into(),
            },
            "q/a.toml:12: bad",
        ),
        (
            LintError {
                file: "q".into(),
                line: 0,
                reason: "empty".into(),
            },
            "q: empty",
        ),
    ];
    for (error, expected) in cases {
        assert_eq!(error.to_string(), expected);
    }
}

#[test]
fn tag_names_in_files_match_their_serde_names() {
    for c in CustomerType::ALL {
        assert_eq!(toml::Value::try_from(c).unwrap().as_str(), Some(c.as_str()));
        assert_eq!(CustomerType::from_name(c.as_str()), Some(c));
    }
    for t in Theme::ALL {
        assert_eq!(toml::Value::try_from(t).unwrap().as_str(), Some(t.as_str()));
        assert_eq!(Theme::from_name(t.as_str()), Some(t));
    }
    assert_eq!(CustomerType::from_name("EndUser"), None);
    assert_eq!(Theme::from_name("Feedback"), None);
}

#[test]
fn a_serialized_question_reads_back_as_the_same_question() {
    #[derive(Serialize)]
    struct File<'a> {
        question: &'a [Question],
    }
    let (questions, _) = parse_file("f.toml", VALID);
    let written = toml::to_string(&File {
        question: &questions,
    })
    .unwrap();
    let (read_back, errors) = parse_file("g.toml", &written);
    assert_eq!(errors, []);
    assert_eq!(read_back, questions);
}
