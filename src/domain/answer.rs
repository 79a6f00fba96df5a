//! An answer's text, validated once at the edge: never empty, never over the limit, storable.

use thiserror::Error;

/// Discord's modal paragraph limit, and the limit the database enforces.
pub const MAX_ANSWER_CHARS: usize = 4000;

/// Answer text that is safe to score and to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerText(String);

/// Why an answer cannot be taken, worded for the member.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AnswerError {
    #[error("Your answer is empty. Tell the story: the problem, what you did, and the result.")]
    Empty,
    #[error(
        "Your answer is {chars} characters; the limit is {MAX_ANSWER_CHARS}. Nothing was saved: trim it (the strongest answers are 150–400 words) and send it again."
    )]
    TooLong { chars: usize },
}

impl AnswerText {
    /// Trims surrounding white space and removes NUL characters, which PostgreSQL cannot store
    /// and which no keyboard produces; every other character is kept exactly as typed.
    pub fn parse(raw: &str) -> Result<Self, AnswerError> {
        let cleaned: String = raw.trim().chars().filter(|c| *c != '\0').collect();
        let cleaned = cleaned.trim();
        if cleaned.is_empty() {
            return Err(AnswerError::Empty);
        }
        let chars = cleaned.chars().count();
        if chars > MAX_ANSWER_CHARS {
            return Err(AnswerError::TooLong { chars });
        }
        Ok(AnswerText(cleaned.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How an answer reached the bot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerSource {
    Slash,
    Modal,
    Dm,
}

impl AnswerSource {
    pub fn as_str(self) -> &'static str {
        match self {
            AnswerSource::Slash => "slash",
            AnswerSource::Modal => "modal",
            AnswerSource::Dm => "dm",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answer_text_is_validated_as_the_table_says() {
        let long = "é".repeat(MAX_ANSWER_CHARS);
        let too_long = "é".repeat(MAX_ANSWER_CHARS + 1);
        let cases: &[(&str, Result<&str, AnswerError>)] = &[
            ("", Err(AnswerError::Empty)),
            ("   \n\t  ", Err(AnswerError::Empty)),
            ("\0\0", Err(AnswerError::Empty)),
            ("  I fixed it.  ", Ok("I fixed it.")),
            ("I\0 fixed it", Ok("I fixed it")),
            (
                "<@123> @everyone 🚀 ñ 漢字",
                Ok("<@123> @everyone 🚀 ñ 漢字"),
            ),
            (&long, Ok(&long)),
            (
                &too_long,
                Err(AnswerError::TooLong {
                    chars: MAX_ANSWER_CHARS + 1,
                }),
            ),
        ];
        for (raw, expected) in cases {
            let got = AnswerText::parse(raw);
            match expected {
                Ok(text) => assert_eq!(got.as_ref().map(AnswerText::as_str), Ok(*text)),
                Err(e) => assert_eq!(&got.unwrap_err(), e),
            }
        }
    }

    #[test]
    fn the_limit_counts_characters_not_bytes() {
        // 4,000 four-byte emoji are 16,000 bytes but exactly at the limit.
        assert!(AnswerText::parse(&"🚀".repeat(MAX_ANSWER_CHARS)).is_ok());
    }
}
