//! Peer-voting rules: who may vote on which answer and when, the anonymous labels, and how the
//! best answer is chosen. Pure: the caller loads the facts and passes the time.

use chrono::{DateTime, Utc};
use thiserror::Error;

/// The facts a vote is judged on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteContext {
    pub voter_id: u64,
    pub author_id: u64,
    /// When voting on the prompt's answers closes; `None` when they were never revealed.
    pub voting_closes_at: Option<DateTime<Utc>>,
    /// Whether results were already posted (voting then counts as closed, whatever the time).
    pub results_posted: bool,
    /// The server's setting: only members who answered the prompt may vote.
    pub votes_require_answer: bool,
    pub voter_answered: bool,
}

/// How long voting may stay open after a reveal, in hours: at least one, at most a week.
pub const VOTING_HOURS: std::ops::RangeInclusive<i64> = 1..=168;

/// Why a vote is refused, worded for the voter.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VoteRefusal {
    #[error("You can't vote for your own answer, but nice try.")]
    OwnAnswer,
    #[error("Voting on these answers has closed; the results are in the thread.")]
    Closed,
    #[error("These answers are not open for voting.")]
    NotRevealed,
    #[error("On this server only members who answered this prompt can vote on its answers.")]
    MustAnswerFirst,
}

/// Checks a vote (or taking one back) against the rules.
pub fn check_vote(context: &VoteContext, now: DateTime<Utc>) -> Result<(), VoteRefusal> {
    if context.voter_id == context.author_id {
        return Err(VoteRefusal::OwnAnswer);
    }
    let Some(closes_at) = context.voting_closes_at else {
        return Err(VoteRefusal::NotRevealed);
    };
    if context.results_posted || now >= closes_at {
        return Err(VoteRefusal::Closed);
    }
    if context.votes_require_answer && !context.voter_answered {
        return Err(VoteRefusal::MustAnswerFirst);
    }
    Ok(())
}

/// The anonymous label of the `index`-th revealed answer: A … Z, then AA, AB, … like
/// spreadsheet columns, so any number of answers gets a distinct label.
pub fn label(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!(
        "Answer {}",
        String::from_utf8(letters).expect("ASCII letters")
    )
}

/// One answer's standing when voting closes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub answer_id: i64,
    pub votes: i64,
    pub total: u8,
}

impl Standing {
    /// A standing from stored values; a score outside 0–100 is clamped.
    pub fn new(answer_id: i64, votes: i64, total: i16) -> Standing {
        Standing {
            answer_id,
            votes,
            total: total.clamp(0, 100) as u8,
        }
    }
}

/// The best answer: most votes, then the higher rubric score, then the earlier answer. `None`
/// when there were no answers.
pub fn best(standings: &[Standing]) -> Option<&Standing> {
    standings.iter().max_by(|a, b| compare(a, b))
}

/// Orders standings from worst to best: fewer votes, then the lower score, then the later answer.
pub fn compare(a: &Standing, b: &Standing) -> std::cmp::Ordering {
    (a.votes, a.total, std::cmp::Reverse(a.answer_id)).cmp(&(
        b.votes,
        b.total,
        std::cmp::Reverse(b.answer_id),
    ))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, hour, 0, 0).unwrap()
    }

    fn context() -> VoteContext {
        VoteContext {
            voter_id: 1,
            author_id: 2,
            voting_closes_at: Some(at(12)),
            results_posted: false,
            votes_require_answer: false,
            voter_answered: false,
        }
    }

    type Case = (
        &'static str,
        VoteContext,
        DateTime<Utc>,
        Result<(), VoteRefusal>,
    );

    #[test]
    fn votes_are_judged_as_the_table_says() {
        let cases: Vec<Case> = vec![
            ("a peer before the close", context(), at(11), Ok(())),
            (
                "one's own answer",
                VoteContext {
                    author_id: 1,
                    ..context()
                },
                at(11),
                Err(VoteRefusal::OwnAnswer),
            ),
            (
                "at the closing instant",
                context(),
                at(12),
                Err(VoteRefusal::Closed),
            ),
            (
                "after the close",
                context(),
                at(13),
                Err(VoteRefusal::Closed),
            ),
            (
                "results already posted",
                VoteContext {
                    results_posted: true,
                    ..context()
                },
                at(11),
                Err(VoteRefusal::Closed),
            ),
            (
                "answers never revealed",
                VoteContext {
                    voting_closes_at: None,
                    ..context()
                },
                at(11),
                Err(VoteRefusal::NotRevealed),
            ),
            (
                "answer required, none given",
                VoteContext {
                    votes_require_answer: true,
                    ..context()
                },
                at(11),
                Err(VoteRefusal::MustAnswerFirst),
            ),
            (
                "answer required and given",
                VoteContext {
                    votes_require_answer: true,
                    voter_answered: true,
                    ..context()
                },
                at(11),
                Ok(()),
            ),
        ];
        for (name, context, now, expected) in cases {
            assert_eq!(check_vote(&context, now), expected, "{name}");
        }
    }

    #[test]
    fn labels_run_a_to_z_then_aa_and_never_repeat() {
        assert_eq!(label(0), "Answer A");
        assert_eq!(label(25), "Answer Z");
        assert_eq!(label(26), "Answer AA");
        assert_eq!(label(27), "Answer AB");
        assert_eq!(label(701), "Answer ZZ");
        assert_eq!(label(702), "Answer AAA");
        let labels: std::collections::HashSet<String> = (0..2000).map(label).collect();
        assert_eq!(labels.len(), 2000);
    }

    #[test]
    fn the_best_answer_has_most_votes_then_the_higher_score_then_came_first() {
        let s = |answer_id, votes, total| Standing {
            answer_id,
            votes,
            total,
        };
        let cases = [
            (vec![], None),
            (vec![s(1, 0, 40)], Some(1)),
            (vec![s(1, 2, 40), s(2, 3, 10)], Some(2)),
            (vec![s(1, 3, 40), s(2, 3, 80)], Some(2)),
            (vec![s(1, 3, 80), s(2, 3, 80)], Some(1)),
        ];
        for (standings, expected) in cases {
            assert_eq!(
                best(&standings).map(|b| b.answer_id),
                expected,
                "{standings:?}"
            );
        }
    }
}
