//! Specification of the streak rule: runs, forgiven misses, breaks, and local dates.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use super::*;

/// Day `n` of November 2026 (day 0 is 31 October), so that tables read as day numbers.
fn day(n: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, 31).expect("valid date") + Duration::days(n)
}

fn days(numbers: &[i64]) -> Vec<NaiveDate> {
    numbers.iter().copied().map(day).collect()
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("test instants are valid RFC 3339")
        .with_timezone(&Utc)
}

const fn expect(current: u32, best: u32, forgiven_in_current: u32) -> Streak {
    Streak {
        current,
        best,
        forgiven_in_current,
    }
}

#[test]
fn streaks_follow_the_rule_table() {
    // (what the row says, answered days, today, expected current/best/forgiven)
    // Kept one row per line so that the table reads as a table.
    #[rustfmt::skip]
    let cases: &[(&str, &[i64], i64, Streak)] = &[
        ("no answers give no streak", &[], 10, expect(0, 0, 0)),
        ("an answer today starts a streak of one", &[10], 10, expect(1, 1, 0)),
        ("an answer yesterday with today still open keeps a streak of one", &[9], 10, expect(1, 1, 0)),
        ("five days in a row ending today are a streak of five", &[6, 7, 8, 9, 10], 10, expect(5, 5, 0)),
        ("five days ending yesterday stay alive while today is open", &[5, 6, 7, 8, 9], 10, expect(5, 5, 0)),
        ("a missed yesterday is forgiven while today is open", &[5, 6, 7, 8], 10, expect(4, 4, 1)),
        ("a missed yesterday then an answer today bridges the day", &[5, 6, 8], 8, expect(3, 3, 1)),
        ("two missed days before today break the streak", &[5, 6, 7, 8], 11, expect(0, 4, 0)),
        ("one missed day inside a run is forgiven and not counted", &[1, 2, 3, 5, 6], 6, expect(5, 5, 1)),
        ("two consecutive missed days break the run", &[1, 2, 3, 6, 7], 7, expect(2, 3, 0)),
        ("three consecutive missed days break the run", &[1, 2, 3, 7, 8], 8, expect(2, 3, 0)),
        (
            "a second miss six days after a forgiven one breaks the run",
            &[1, 2, 3, 5, 6, 7, 8, 9, 11, 12],
            12,
            expect(2, 8, 0),
        ),
        (
            "a second miss seven days after a forgiven one is forgiven too",
            &[1, 2, 3, 5, 6, 7, 8, 9, 10, 12, 13],
            13,
            expect(11, 11, 2),
        ),
        (
            "a miss every seventh day is forgiven every time",
            &[1, 2, 3, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16, 17, 19, 20],
            20,
            expect(17, 17, 3),
        ),
        (
            "a missed yesterday six days after a forgiven miss has already broken the streak",
            &[1, 2, 4, 5, 6, 7, 8],
            10,
            expect(0, 7, 0),
        ),
        (
            "a missed yesterday seven days after a forgiven miss is forgiven",
            &[1, 2, 4, 5, 6, 7, 8, 9],
            11,
            expect(8, 8, 2),
        ),
        (
            "a miss forgiven before a break still counts against the next six days",
            &[1, 2, 4, 6, 8],
            8,
            expect(1, 3, 0),
        ),
        (
            "a double miss does not use up the week's forgiveness",
            &[1, 2, 5, 6, 8],
            8,
            expect(3, 3, 1),
        ),
        ("repeated dates count once", &[5, 5, 6, 6, 6], 6, expect(2, 2, 0)),
        ("unsorted dates are fine", &[8, 6, 7, 5], 8, expect(4, 4, 0)),
        ("dates after today are ignored", &[9, 10, 11, 12], 10, expect(2, 2, 0)),
        ("the best streak remembers an earlier, longer run", &[1, 2, 3, 4, 5, 6, 10, 11], 11, expect(2, 6, 0)),
        ("an old run long ago leaves only the best", &[1], 100, expect(0, 1, 0)),
    ];
    for (says, answered, today, expected) in cases {
        assert_eq!(streak(&days(answered), day(*today)), *expected, "{says}");
    }
}

#[test]
fn streaks_are_counted_on_the_members_local_dates() {
    // (instant, zone, local date): answers near midnight count for the member's own calendar day.
    // Kept one row per line so that the table reads as a table.
    #[rustfmt::skip]
    let cases = [
        ("2026-11-24T19:00:00Z", Tz::Pacific__Kiritimati, "2026-11-25"),
        ("2026-11-28T07:00:00Z", Tz::Pacific__Pago_Pago, "2026-11-27"),
        ("2026-11-24T18:29:59Z", Tz::Asia__Kolkata, "2026-11-24"),
        ("2026-11-24T18:30:00Z", Tz::Asia__Kolkata, "2026-11-25"),
        ("2026-10-24T22:30:00Z", Tz::Europe__Berlin, "2026-10-25"),
        ("2026-10-25T22:30:00Z", Tz::Europe__Berlin, "2026-10-25"),
        ("2026-11-25T12:00:00Z", Tz::UTC, "2026-11-25"),
    ];
    for (at, tz, expected) in cases {
        let expected = NaiveDate::parse_from_str(expected, "%Y-%m-%d").expect("valid date");
        assert_eq!(local_date(utc(at), tz), expected, "{at} in {tz}");
    }
}

#[test]
fn answers_late_at_night_and_early_in_the_morning_in_the_members_zone_make_a_two_day_streak() {
    // 23:50 and 00:10 in Kolkata are twenty minutes apart but on two local dates.
    let answers = [utc("2026-11-24T18:20:00Z"), utc("2026-11-24T18:40:00Z")]
        .map(|at| local_date(at, Tz::Asia__Kolkata));
    let today = local_date(utc("2026-11-25T06:00:00Z"), Tz::Asia__Kolkata);
    assert_eq!(streak(&answers, today), expect(2, 2, 0));
    // In UTC both answers fall on the same date, which would count only once.
    let in_utc = [utc("2026-11-24T18:20:00Z"), utc("2026-11-24T18:40:00Z")]
        .map(|at| local_date(at, Tz::UTC));
    assert_eq!(
        streak(&in_utc, local_date(utc("2026-11-25T06:00:00Z"), Tz::UTC)),
        expect(1, 1, 0)
    );
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config {
        // Failures print their inputs; persisting them would write files next to the source.
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    })]

    #[test]
    fn the_streak_ignores_order_and_repeats_and_never_exceeds_its_bounds(
        numbers in proptest::collection::vec(0i64..60, 0..40),
        today in 0i64..70,
    ) {
        let answered = days(&numbers);
        let result = streak(&answered, day(today));
        let mut reordered = answered.clone();
        reordered.reverse();
        reordered.extend_from_slice(&answered);
        proptest::prop_assert_eq!(streak(&reordered, day(today)), result);
        proptest::prop_assert!(result.current <= result.best);
        proptest::prop_assert!(result.forgiven_in_current <= result.current);
        // Answering today keeps the streak alive and never lowers it.
        let mut with_today = answered.clone();
        with_today.push(day(today));
        let after = streak(&with_today, day(today));
        proptest::prop_assert!(after.current >= 1 && after.current >= result.current);
        proptest::prop_assert!(after.best >= result.best);
    }
}
