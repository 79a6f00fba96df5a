//! Pure renderings of a member's history for `/history` and `/export`: no Discord and no
//! database, only values in and bytes or text out.
//!
//! [`chart`] draws the score-over-time picture; [`export`] writes the member's data as JSON and as
//! Markdown for reading.

pub mod chart;
pub mod export;
