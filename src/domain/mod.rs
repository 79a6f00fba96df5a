//! The pure domain: rules that take time and randomness as arguments and never do I/O.

pub mod answer;
pub mod digest;
pub mod points;
pub mod questions;
pub mod rotation;
pub mod rubric;
pub mod schedule;
pub mod streak;
pub mod voting;
