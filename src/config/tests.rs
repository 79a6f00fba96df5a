use std::collections::HashMap;

use super::*;

fn config_from(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let vars: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::from_lookup(|key| vars.get(key).cloned())
}

#[test]
fn a_token_alone_gives_a_local_database_and_default_questions() {
    let config = config_from(&[("DISCORD_TOKEN", "abc.def.ghi")]).unwrap();
    assert_eq!(config.expose_token(), "abc.def.ghi");
    assert!(
        matches!(&config.database, DatabaseConfig::Local { data_dir } if data_dir == &PathBuf::from("data"))
    );
    assert_eq!(config.questions_dir, PathBuf::from("questions"));
    assert!(config.discord_api_base.is_none());
}

#[test]
fn configuration_errors_name_the_variable_and_the_problem() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[], "DISCORD_TOKEN is not set"),
        (&[("DISCORD_TOKEN", "   ")], "DISCORD_TOKEN is not set"),
        (
            &[("DISCORD_TOKEN", "abc def")],
            "DISCORD_TOKEN contains spaces",
        ),
        (
            &[("DISCORD_TOKEN", "t"), ("DATABASE_URL", "not a url")],
            "DATABASE_URL is not a valid PostgreSQL URL",
        ),
        (
            &[("DISCORD_TOKEN", "t"), ("DATABASE_URL", "mysql://u:p@h/db")],
            "DATABASE_URL is not a valid PostgreSQL URL (the scheme is \"mysql\"",
        ),
        (
            &[("DISCORD_TOKEN", "t"), ("DISCORD_API_BASE", "ftp://x")],
            "DISCORD_API_BASE is not a usable base URL",
        ),
        (
            &[
                ("DISCORD_TOKEN", "t"),
                ("DISCORD_API_BASE", "http://x/?a=b"),
            ],
            "DISCORD_API_BASE is not a usable base URL (a base URL takes no query",
        ),
    ];
    for (vars, expected) in cases {
        let message = config_from(vars).unwrap_err().to_string();
        assert!(
            message.starts_with(expected),
            "for {vars:?} expected {expected:?}, got {message:?}"
        );
        assert!(!message.contains('\n'), "errors are one line: {message:?}");
    }
}

#[test]
fn the_token_never_appears_in_debug_output() {
    let config = config_from(&[("DISCORD_TOKEN", "super-secret-token-123")]).unwrap();
    let shown = format!("{config:?}");
    assert!(!shown.contains("super-secret-token-123"), "{shown}");
}

#[test]
fn a_password_in_a_malformed_database_url_is_not_echoed() {
    let err = config_from(&[
        ("DISCORD_TOKEN", "t"),
        ("DATABASE_URL", "postgres://me:hunter2@host:notaport/db"),
    ])
    .unwrap_err();
    assert!(!err.to_string().contains("hunter2"), "{err}");
}

#[test]
fn blank_optional_variables_mean_unset() {
    let config = config_from(&[
        ("DISCORD_TOKEN", "t"),
        ("DATABASE_URL", " "),
        ("DISCORD_API_BASE", ""),
        ("QUESTIONS_DIR", ""),
    ])
    .unwrap();
    assert!(matches!(config.database, DatabaseConfig::Local { .. }));
    assert!(config.discord_api_base.is_none());
    assert_eq!(config.questions_dir, PathBuf::from("questions"));
}

#[test]
fn a_bot_prefix_pasted_with_the_token_is_refused_with_a_hint() {
    // "Bot abc" contains a space, so the user is told to paste the token alone.
    let err = config_from(&[("DISCORD_TOKEN", "Bot abc")]).unwrap_err();
    assert!(err.to_string().contains("without the word Bot"));
}
