//! Answer streaks: how many days in a row a member has answered, counted in the member's own time
//! zone, with one missed day forgiven per rolling week.
//!
//! # The rule
//!
//! Days are the member's local calendar dates (see [`local_date`]). A day is *answered* when the
//! member gave at least one answer that day; several answers on one day count once.
//!
//! A *streak* is a run of answered days in which every gap is a single missed day that is
//! *forgiven*. A single missed day is forgiven when no other miss was forgiven in the six days
//! before it, so that any seven consecutive days hold at most one forgiven miss: misses seven days
//! apart (two Mondays in a row) are both forgiven, misses six days apart are not, and the second
//! one breaks the streak. Two or more consecutive missed days always break the streak, and
//! neither of them counts as forgiven. Forgiveness is tracked across the member's whole history,
//! so a miss forgiven just before a break still counts against the following six days.
//!
//! Today is still open: not having answered yet today never breaks anything, and a missed
//! yesterday is judged like any other single miss (forgiven if the week allows, otherwise the
//! streak is already broken). Dates after `today` (clock skew between machines) are ignored.
//!
//! [`Streak::current`] counts the answered days of the streak that is still alive today, never the
//! forgiven days; [`Streak::best`] is the longest streak ever, counted the same way.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

/// How many days must separate two forgiven misses: at most one in any seven consecutive days.
const FORGIVENESS_SPACING_DAYS: i64 = 7;

/// The calendar date `at` falls on in the time zone `tz`; streaks are counted in these dates so
/// that an answer at 23:30 local time counts for that day wherever the member lives.
#[must_use]
pub fn local_date(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// A member's streak as of one day; see the module documentation for the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Streak {
    /// Answered days in the streak that is still alive today; 0 when it is broken.
    pub current: u32,
    /// Answered days in the longest streak so far, including the current one.
    pub best: u32,
    /// Missed days forgiven inside the current streak; 0 when it is broken.
    pub forgiven_in_current: u32,
}

/// Computes the streak as of `today` from the local dates of a member's answers.
///
/// `answer_dates` may be in any order and may repeat a date; dates after `today` are ignored.
#[must_use]
pub fn streak(answer_dates: &[NaiveDate], today: NaiveDate) -> Streak {
    let mut dates: Vec<NaiveDate> = answer_dates
        .iter()
        .copied()
        .filter(|date| *date <= today)
        .collect();
    dates.sort_unstable();
    dates.dedup();

    let mut result = Streak::default();
    let mut last_forgiven: Option<NaiveDate> = None;
    let mut previous: Option<NaiveDate> = None;
    for date in dates {
        if let Some(previous) = previous {
            let missed = (date - previous).num_days() - 1;
            bridge_or_break(&mut result, &mut last_forgiven, previous, missed);
        }
        result.current += 1;
        result.best = result.best.max(result.current);
        previous = Some(date);
    }
    // The days after the last answer, up to but not including today, which is still open.
    if let Some(previous) = previous {
        let missed = (today - previous).num_days() - 1;
        bridge_or_break(&mut result, &mut last_forgiven, previous, missed);
    }
    result
}

/// Applies a gap of `missed` days after the answered day `previous`: nothing when there is no
/// gap, forgiveness for one miss the week allows, and a break otherwise.
fn bridge_or_break(
    result: &mut Streak,
    last_forgiven: &mut Option<NaiveDate>,
    previous: NaiveDate,
    missed: i64,
) {
    if missed <= 0 {
        return;
    }
    let miss = previous + chrono::Duration::days(1);
    let week_allows = last_forgiven
        .is_none_or(|forgiven| (miss - forgiven).num_days() >= FORGIVENESS_SPACING_DAYS);
    if missed == 1 && week_allows {
        *last_forgiven = Some(miss);
        result.forgiven_in_current += 1;
    } else {
        result.current = 0;
        result.forgiven_in_current = 0;
    }
}

#[cfg(test)]
// The path is spelled out because this file is also mounted with `#[path]` in a scratch crate,
// where the default location of a child module would differ.
#[path = "streak/tests.rs"]
mod tests;
