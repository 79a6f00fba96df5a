//! Points: what a daily answer earns on the leaderboard.
//!
//! # The formula
//!
//! Points = rubric score + 10 per peer vote + 5 per streak day, the streak bonus capped at 50:
//!
//! * the rubric score is the total (0–100) of the answer's latest scored revision, so revising an
//!   answer moves its points with its score;
//! * each peer vote the answer received is worth 10, and a vote taken back takes its 10 away;
//! * the streak bonus is 5 × the member's current streak in days on the day of the answer (see
//!   [`crate::domain::streak`]), counting at most 10 days. It is fixed when the answer is first
//!   saved and never recomputed, so a later broken streak does not rewrite history.
//!
//! Practice answers earn no points; they appear in the member's history only.
//!
//! The database keeps the same formula in the generated column `answers.points`
//! (`migrations/0003_leaderboard.sql`); the integration tests check that the two agree.

/// The one-line summary shown in the leaderboard's footer.
pub const FORMULA: &str = "Points = rubric score + 10 per peer vote + 5 per streak day (max 50)";

/// Points for each peer vote received.
pub const POINTS_PER_VOTE: i64 = 10;
/// Points for each day of the streak on the day of the answer.
pub const POINTS_PER_STREAK_DAY: u32 = 5;
/// The longest streak that still adds to the bonus; longer streaks earn the same.
pub const MAX_STREAK_DAYS: u32 = 10;

/// The streak bonus for an answer given on a day when the member's streak was `streak_days`.
#[must_use]
pub fn streak_bonus(streak_days: u32) -> u8 {
    // At most 10 × 5 = 50, which always fits.
    (streak_days.min(MAX_STREAK_DAYS) * POINTS_PER_STREAK_DAY) as u8
}

/// The points of a daily answer with rubric total `score`, `votes` peer votes and the stored
/// `streak_bonus`.
#[must_use]
pub fn points(score: u8, votes: u32, streak_bonus: u8) -> i64 {
    i64::from(score) + POINTS_PER_VOTE * i64::from(votes) + i64::from(streak_bonus)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_streak_bonus_is_five_per_day_up_to_ten_days() {
        let cases: &[(u32, u8)] = &[
            (0, 0),
            (1, 5),
            (2, 10),
            (7, 35),
            (9, 45),
            (10, 50),
            (11, 50),
            (365, 50),
            (u32::MAX, 50),
        ];
        for &(days, expected) in cases {
            assert_eq!(streak_bonus(days), expected, "a streak of {days} days");
        }
    }

    #[test]
    fn points_add_the_score_ten_per_vote_and_the_streak_bonus() {
        // (score, votes, streak days, expected points)
        let cases: &[(u8, u32, u32, i64)] = &[
            (0, 0, 0, 0),
            (73, 0, 0, 73),
            (73, 1, 0, 83),
            (73, 3, 0, 103),
            (73, 0, 1, 78),
            (73, 2, 4, 113),
            (100, 5, 10, 200),
            (100, 5, 30, 200),
            (0, 12, 0, 120),
        ];
        for &(score, votes, days, expected) in cases {
            assert_eq!(
                points(score, votes, streak_bonus(days)),
                expected,
                "score {score}, {votes} votes, a {days}-day streak"
            );
        }
    }

    #[test]
    fn the_footer_names_every_part_of_the_formula() {
        for part in [
            "rubric score",
            "10 per peer vote",
            "5 per streak day",
            "max 50",
        ] {
            assert!(FORMULA.contains(part), "{FORMULA:?} lacks {part:?}");
        }
    }
}
