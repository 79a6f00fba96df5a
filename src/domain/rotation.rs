//! Question rotation: which question a server or a member gets next, with randomness injected.
//!
//! A server works through its pool in cycles: no question repeats until every question has
//! been asked, then a new cycle starts. The caller keeps the set of ids asked in the current
//! cycle and passes it in; this module only decides, so it stays pure and testable with a
//! seeded random number generator.

use std::collections::HashSet;

use rand::Rng;
use rand::seq::IndexedRandom;

/// Below this many questions left in the current cycle, admins are told the pool is running
/// low: fewer than a week of daily prompts remain before questions start repeating.
pub const RUNNING_LOW_BELOW: usize = 7;

/// The outcome of picking a server's next question.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pick<'a> {
    /// The chosen question's id, borrowed from the pool.
    pub question_id: &'a str,
    /// True when every question had been asked, so this pick starts a new cycle. The caller
    /// then resets its asked set to just this question.
    pub new_cycle: bool,
    /// How many questions of the pool have not yet been asked in the cycle after this pick.
    pub remaining_after: usize,
    /// True when `remaining_after` is below [`RUNNING_LOW_BELOW`]: time to warn the admins.
    pub running_low: bool,
}

/// Picks a server's next question uniformly among those not yet asked in this cycle.
///
/// Ids in `asked_this_cycle` that are no longer in the pool (removed questions) are ignored.
/// When the cycle is exhausted a new one starts, and `last_asked` is excluded from its first
/// pick if the pool has another question, so members never see the same prompt twice in a
/// row. Duplicate ids in `pool_ids` count once. Returns `None` only for an empty pool.
pub fn pick_next<'a, R: Rng + ?Sized>(
    pool_ids: &'a [String],
    asked_this_cycle: &HashSet<String>,
    last_asked: Option<&str>,
    rng: &mut R,
) -> Option<Pick<'a>> {
    let pool = unique(pool_ids);
    if pool.is_empty() {
        return None;
    }
    let unasked: Vec<&str> = pool
        .iter()
        .copied()
        .filter(|id| !asked_this_cycle.contains(*id))
        .collect();
    let (candidates, new_cycle, remaining_after) = if unasked.is_empty() {
        let fresh: Vec<&str> = if pool.len() > 1 {
            pool.iter()
                .copied()
                .filter(|id| Some(*id) != last_asked)
                .collect()
        } else {
            pool.clone()
        };
        (fresh, true, pool.len() - 1)
    } else {
        let remaining = unasked.len() - 1;
        (unasked, false, remaining)
    };
    let question_id = *candidates.choose(rng)?;
    Some(Pick {
        question_id,
        new_cycle,
        remaining_after,
        running_low: remaining_after < RUNNING_LOW_BELOW,
    })
}

/// Picks a practice question for one member, uniformly among those they have never answered.
/// Returns `None` when they have answered the whole pool (or the pool is empty).
pub fn pick_for_member<'a, R: Rng + ?Sized>(
    pool_ids: &'a [String],
    answered_by_member: &HashSet<String>,
    rng: &mut R,
) -> Option<&'a str> {
    let unanswered: Vec<&str> = unique(pool_ids)
        .into_iter()
        .filter(|id| !answered_by_member.contains(*id))
        .collect();
    unanswered.choose(rng).copied()
}

/// The pool's ids in their original order with repeats dropped, so a duplicated id is not
/// twice as likely to be picked. The order is kept so a seeded generator gives stable picks.
fn unique(pool_ids: &[String]) -> Vec<&str> {
    let mut seen = HashSet::new();
    pool_ids
        .iter()
        .map(String::as_str)
        .filter(|id| seen.insert(*id))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    const SEEDS: u64 = 500;

    fn pool(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("q-{i:02}")).collect()
    }

    fn set(ids: &[&str]) -> HashSet<String> {
        ids.iter().map(|s| (*s).to_owned()).collect()
    }

    /// Runs a server through `days` picks, as the bot would, returning every pick made.
    fn simulate(pool_ids: &[String], days: usize, seed: u64) -> Vec<Pick<'_>> {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut asked = HashSet::new();
        let mut last: Option<&str> = None;
        let mut picks = Vec::new();
        for _ in 0..days {
            let pick = pick_next(pool_ids, &asked, last, &mut rng).expect("non-empty pool");
            if pick.new_cycle {
                asked.clear();
            }
            asked.insert(pick.question_id.to_owned());
            last = Some(pick.question_id);
            picks.push(pick);
        }
        picks
    }

    #[test]
    fn an_empty_pool_yields_no_pick() {
        let mut rng = StdRng::seed_from_u64(1);
        assert_eq!(pick_next(&[], &HashSet::new(), None, &mut rng), None);
        assert_eq!(pick_for_member(&[], &HashSet::new(), &mut rng), None);
    }

    #[test]
    fn a_full_cycle_visits_every_question_exactly_once_for_every_seed() {
        for size in [1, 2, 7, 8, 61] {
            let ids = pool(size);
            for seed in 0..SEEDS {
                let picks = simulate(&ids, size, seed);
                let mut seen: Vec<&str> = picks.iter().map(|p| p.question_id).collect();
                seen.sort_unstable();
                let expected: Vec<&str> = ids.iter().map(String::as_str).collect();
                assert_eq!(seen, expected, "pool of {size}, seed {seed}");
                // Only the very first pick of a fresh server starts a cycle (its asked set is
                // empty, so nothing is exhausted yet).
                assert!(
                    picks.iter().all(|p| !p.new_cycle),
                    "pool of {size}, seed {seed}"
                );
            }
        }
    }

    #[test]
    fn remaining_after_counts_down_and_running_low_is_true_exactly_below_seven() {
        let ids = pool(20);
        for seed in 0..SEEDS {
            for (day, pick) in simulate(&ids, 60, seed).iter().enumerate() {
                let expected_remaining = 20 - 1 - day % 20;
                assert_eq!(
                    pick.remaining_after, expected_remaining,
                    "seed {seed}, day {day}"
                );
                assert_eq!(
                    pick.running_low,
                    expected_remaining < 7,
                    "seed {seed}, day {day}"
                );
                assert_eq!(
                    pick.new_cycle,
                    day > 0 && day % 20 == 0,
                    "seed {seed}, day {day}"
                );
            }
        }
    }

    #[test]
    fn a_new_cycle_never_starts_with_the_question_just_asked() {
        for size in [2, 3, 10] {
            let ids = pool(size);
            for seed in 0..SEEDS {
                let picks = simulate(&ids, size * 4, seed);
                for pair in picks.windows(2) {
                    assert_ne!(pair[0].question_id, pair[1].question_id, "seed {seed}");
                }
            }
        }
    }

    #[test]
    fn a_pool_of_one_repeats_its_only_question_in_each_new_cycle() {
        let ids = pool(1);
        let mut rng = StdRng::seed_from_u64(3);
        let pick = pick_next(&ids, &set(&["q-01"]), Some("q-01"), &mut rng).unwrap();
        assert_eq!(
            pick,
            Pick {
                question_id: "q-01",
                new_cycle: true,
                remaining_after: 0,
                running_low: true
            }
        );
    }

    #[test]
    fn questions_removed_from_the_pool_do_not_count_as_asked() {
        let ids = pool(3);
        let asked = set(&["q-01", "gone-01", "gone-02"]);
        for seed in 0..SEEDS {
            let mut rng = StdRng::seed_from_u64(seed);
            let pick = pick_next(&ids, &asked, Some("gone-02"), &mut rng).unwrap();
            assert!(["q-02", "q-03"].contains(&pick.question_id));
            assert_eq!((pick.new_cycle, pick.remaining_after), (false, 1));
        }
    }

    #[test]
    fn a_duplicated_id_is_counted_and_picked_once() {
        let ids = vec!["a-1".to_owned(), "a-1".to_owned(), "b-1".to_owned()];
        let mut rng = StdRng::seed_from_u64(9);
        let pick = pick_next(&ids, &HashSet::new(), None, &mut rng).unwrap();
        assert_eq!(pick.remaining_after, 1);
        let picks = simulate(&ids, 2, 9);
        assert_ne!(picks[0].question_id, picks[1].question_id);
    }

    #[test]
    fn every_question_can_open_a_cycle_so_the_choice_is_not_biased_to_the_pool_order() {
        let ids = pool(10);
        let firsts: HashSet<&str> = (0..SEEDS)
            .map(|seed| simulate(&ids, 1, seed)[0].question_id)
            .collect();
        assert_eq!(firsts.len(), 10);
    }

    #[test]
    fn the_same_seed_gives_the_same_sequence() {
        let ids = pool(15);
        let ids_of = |seed| -> Vec<String> {
            simulate(&ids, 40, seed)
                .iter()
                .map(|p| p.question_id.to_owned())
                .collect()
        };
        assert_eq!(ids_of(42), ids_of(42));
        assert_ne!(ids_of(42), ids_of(43));
    }

    #[test]
    fn practice_never_offers_a_question_the_member_has_answered() {
        let ids = pool(12);
        for seed in 0..SEEDS {
            let mut rng = StdRng::seed_from_u64(seed);
            let mut answered = HashSet::new();
            while let Some(id) = pick_for_member(&ids, &answered, &mut rng) {
                assert!(
                    answered.insert(id.to_owned()),
                    "{id} offered twice, seed {seed}"
                );
            }
            assert_eq!(answered.len(), 12, "seed {seed}");
        }
    }

    #[test]
    fn practice_offers_nothing_once_every_question_is_answered() {
        let ids = pool(4);
        let answered: HashSet<String> = ids.iter().cloned().collect();
        let mut rng = StdRng::seed_from_u64(5);
        assert_eq!(pick_for_member(&ids, &answered, &mut rng), None);
    }
}
