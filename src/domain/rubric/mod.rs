//! The Customer Obsession rubric: scores a behavioral answer on seven dimensions, deterministically.
//!
//! The engine is pure (no I/O, clock or randomness). It reads the answer as a story: sentences and
//! clauses (`analysis`), cue words and phrases (`lexicon`), then turns what it found into dimension
//! scores, flags, evidence and tips (`scoring`). `docs/rubric.md` explains the weights, bands and caps.

mod analysis;
mod lexicon;
mod scoring;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

/// Version of the scoring rules; stored with every score so that old scores can be told apart.
pub const RUBRIC_VERSION: &str = "co-1.4";

/// Why an answer could not be scored.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum RubricError {
    /// The answer is empty or only whitespace.
    #[error("the answer is empty")]
    Empty,
}

/// The full result of scoring one answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    pub rubric_version: String,
    /// 0–100: the sum of the dimension scores after any caps.
    pub total: u8,
    pub band: Band,
    pub dimensions: Dimensions,
    pub flags: Vec<Flag>,
}

/// The seven dimensions, serialized as a JSON object in this order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dimensions {
    pub customer_focus: Dimension,
    pub ownership: Dimension,
    pub action: Dimension,
    pub result: Dimension,
    pub structure: Dimension,
    pub authenticity: Dimension,
    pub reflection: Dimension,
}

/// One dimension's score, its maximum, quoted evidence and a tip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dimension {
    pub score: u8,
    pub max: u8,
    /// Exact substrings of the answer that earned (or cost) points.
    pub evidence: Vec<String>,
    pub tip: String,
}

/// Red flags from the product contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    Hypothetical,
    WeNotI,
    NoMetric,
    NoCustomer,
    PersonalWin,
    Blame,
    EscalationOnly,
    Vague,
    MissingProblem,
    MissingAction,
    MissingResult,
    TooShort,
    TooLong,
    KeywordStuffing,
}

impl Flag {
    /// Plain words for members.
    pub fn label(&self) -> &'static str {
        match self {
            Flag::Hypothetical => "hypothetical or general, not one real past event",
            Flag::WeNotI => "\"we\" hides what you did",
            Flag::NoMetric => "result not measured",
            Flag::NoCustomer => "no customer in the story",
            Flag::PersonalWin => "about your own win, not the customer's",
            Flag::Blame => "blames customers or colleagues",
            Flag::EscalationOnly => "escalation or hand-off presented as ownership",
            Flag::Vague => "vague, few concrete details",
            Flag::MissingProblem => "no clear problem",
            Flag::MissingAction => "no clear action of yours",
            Flag::MissingResult => "no clear result",
            Flag::TooShort => "too short",
            Flag::TooLong => "too long",
            Flag::KeywordStuffing => "buzzwords or numbers without a story",
        }
    }
}

/// How well the answer demonstrates the principle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    StronglyDemonstrated,
    Demonstrated,
    NotYet,
}

impl Band {
    /// Plain words for members.
    pub fn label(&self) -> &'static str {
        match self {
            Band::StronglyDemonstrated => "Strongly demonstrated",
            Band::Demonstrated => "Demonstrated",
            Band::NotYet => "Not yet",
        }
    }

    /// The band a total falls in; `docs/rubric.md` gives the reasoning for the cut points.
    pub fn from_total(total: u8) -> Band {
        match total {
            75.. => Band::StronglyDemonstrated,
            50..=74 => Band::Demonstrated,
            _ => Band::NotYet,
        }
    }
}

impl Dimensions {
    /// The dimensions with their contract names, in contract order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &Dimension)> {
        [
            ("customer_focus", &self.customer_focus),
            ("ownership", &self.ownership),
            ("action", &self.action),
            ("result", &self.result),
            ("structure", &self.structure),
            ("authenticity", &self.authenticity),
            ("reflection", &self.reflection),
        ]
        .into_iter()
    }
}

impl Score {
    /// The one or two tips most worth acting on: the dimensions that lost the most points, with a
    /// boost for dimensions behind a raised flag, because flags are what interviewers notice first.
    pub fn tips(&self) -> Vec<&str> {
        let mut ranked: Vec<(i32, usize, &Dimension)> = self
            .dimensions
            .iter()
            .enumerate()
            .map(|(k, (name, d))| {
                let lost = i32::from(d.max) - i32::from(d.score);
                let flagged = self
                    .flags
                    .iter()
                    .any(|f| scoring::flag_dimension(*f) == name);
                (
                    lost * 10 / i32::from(d.max.max(1)) + lost / 2 + if flagged { 6 } else { 0 },
                    k,
                    d,
                )
            })
            .collect();
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let worth: Vec<&str> = ranked
            .iter()
            .filter(|(rank, _, d)| *rank > 2 && d.score < d.max)
            .take(2)
            .map(|(_, _, d)| d.tip.as_str())
            .collect();
        if worth.is_empty() {
            ranked
                .iter()
                .take(1)
                .map(|(_, _, d)| d.tip.as_str())
                .collect()
        } else {
            worth
        }
    }
}

/// A dimension's key as members read it: `customer_focus` → `Customer focus`. Keys stored by
/// another rubric version are shown the same way, so old scores still read well.
pub fn dimension_label(key: &str) -> String {
    let spaced = key.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The most a dimension can score (its weight), by its contract key; `None` for an unknown key.
pub fn dimension_max(key: &str) -> Option<u8> {
    scoring::MAX
        .iter()
        .find(|(name, _)| *name == key)
        .map(|(_, max)| *max)
}

/// Scores an answer, optionally knowing the question it answers (used to ignore a restated question).
pub fn score(answer: &str, question: Option<&str>) -> Result<Score, RubricError> {
    if answer.trim().is_empty() {
        return Err(RubricError::Empty);
    }
    let doc = analysis::Doc::parse(answer, question);
    Ok(scoring::score_doc(&doc))
}
