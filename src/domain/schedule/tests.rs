//! Specification of the schedule rules: parsing, DST-safe occurrences, and when to post.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use proptest::prelude::*;

use super::*;

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("test instants are valid RFC 3339")
        .with_timezone(&Utc)
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test dates are valid")
}

fn hm(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).expect("test times are valid")
}

fn schedule(time: &str, zone: &str, days: &str) -> Schedule {
    Schedule {
        time: parse_time(time).expect("test times parse"),
        tz: parse_timezone(zone).expect("test zones parse"),
        days: parse_days(days).expect("test day sets parse"),
    }
}

fn local(schedule: &Schedule, at: DateTime<Utc>) -> String {
    at.with_timezone(&schedule.tz)
        .format("%Y-%m-%d %H:%M %Z")
        .to_string()
}

fn post(local_date: &str, due_at: &str, late: bool) -> Decision {
    Decision::Post {
        local_date: date(local_date),
        due_at: utc(due_at),
        late,
    }
}

fn wait(until: &str) -> Decision {
    Decision::Wait { until: utc(until) }
}

// ---------------------------------------------------------------------------------------------
// Occurrences across daylight saving time changes
// ---------------------------------------------------------------------------------------------

#[test]
fn a_nine_oclock_post_is_at_nine_local_time_on_both_sides_of_every_dst_change() {
    // (zone, local date, expected UTC instant, what the member's clock shows)
    // Kept one row per line so that the table reads as a table.
    #[rustfmt::skip]
    let cases = [
        ("Europe/Berlin", "2026-03-28", "2026-03-28T08:00:00Z", "2026-03-28 09:00 CET"),
        ("Europe/Berlin", "2026-03-29", "2026-03-29T07:00:00Z", "2026-03-29 09:00 CEST"),
        ("Europe/Berlin", "2026-03-30", "2026-03-30T07:00:00Z", "2026-03-30 09:00 CEST"),
        ("Europe/Berlin", "2026-10-24", "2026-10-24T07:00:00Z", "2026-10-24 09:00 CEST"),
        ("Europe/Berlin", "2026-10-25", "2026-10-25T08:00:00Z", "2026-10-25 09:00 CET"),
        ("Europe/Berlin", "2026-10-26", "2026-10-26T08:00:00Z", "2026-10-26 09:00 CET"),
        ("America/New_York", "2026-03-07", "2026-03-07T14:00:00Z", "2026-03-07 09:00 EST"),
        ("America/New_York", "2026-03-08", "2026-03-08T13:00:00Z", "2026-03-08 09:00 EDT"),
        ("America/New_York", "2026-03-09", "2026-03-09T13:00:00Z", "2026-03-09 09:00 EDT"),
        ("America/New_York", "2026-10-31", "2026-10-31T13:00:00Z", "2026-10-31 09:00 EDT"),
        ("America/New_York", "2026-11-01", "2026-11-01T14:00:00Z", "2026-11-01 09:00 EST"),
        ("America/New_York", "2026-11-02", "2026-11-02T14:00:00Z", "2026-11-02 09:00 EST"),
        ("Australia/Lord_Howe", "2026-04-04", "2026-04-03T22:00:00Z", "2026-04-04 09:00 +11"),
        ("Australia/Lord_Howe", "2026-04-05", "2026-04-04T22:30:00Z", "2026-04-05 09:00 +1030"),
        ("Australia/Lord_Howe", "2026-10-03", "2026-10-02T22:30:00Z", "2026-10-03 09:00 +1030"),
        ("Australia/Lord_Howe", "2026-10-04", "2026-10-03T22:00:00Z", "2026-10-04 09:00 +11"),
    ];
    for (zone, day, expected, shown_locally) in cases {
        let schedule = schedule("09:00", zone, "daily");
        let at = occurrence(&schedule, date(day));
        assert_eq!(at, utc(expected), "09:00 in {zone} on {day}");
        assert_eq!(
            local(&schedule, at),
            shown_locally,
            "09:00 in {zone} on {day}"
        );
    }
}

#[test]
fn a_time_inside_the_spring_forward_gap_moves_forward_by_the_length_of_the_gap() {
    // (schedule time, zone, local date, expected UTC instant, what the member's clock shows)
    // Kept one row per line so that the table reads as a table.
    #[rustfmt::skip]
    let cases = [
        ("02:30", "Europe/Berlin", "2026-03-29", "2026-03-29T01:30:00Z", "2026-03-29 03:30 CEST"),
        ("02:00", "Europe/Berlin", "2026-03-29", "2026-03-29T01:00:00Z", "2026-03-29 03:00 CEST"),
        ("02:59", "Europe/Berlin", "2026-03-29", "2026-03-29T01:59:00Z", "2026-03-29 03:59 CEST"),
        ("02:30", "America/New_York", "2026-03-08", "2026-03-08T07:30:00Z", "2026-03-08 03:30 EDT"),
        // Lord Howe's gap is only thirty minutes long (02:00 to 02:30), so 02:15 moves to 02:45.
        ("02:15", "Australia/Lord_Howe", "2026-10-04", "2026-10-03T15:45:00Z", "2026-10-04 02:45 +11"),
    ];
    for (time, zone, day, expected, shown_locally) in cases {
        let schedule = schedule(time, zone, "daily");
        let at = occurrence(&schedule, date(day));
        assert_eq!(at, utc(expected), "{time} in {zone} on {day}");
        assert_eq!(
            local(&schedule, at),
            shown_locally,
            "{time} in {zone} on {day}"
        );
    }
}

#[test]
fn a_time_inside_the_autumn_overlap_is_posted_at_the_earlier_of_its_two_instants() {
    // (schedule time, zone, local date, expected UTC instant, what the member's clock shows)
    // Kept one row per line so that the table reads as a table.
    #[rustfmt::skip]
    let cases = [
        ("02:30", "Europe/Berlin", "2026-10-25", "2026-10-25T00:30:00Z", "2026-10-25 02:30 CEST"),
        ("01:30", "America/New_York", "2026-11-01", "2026-11-01T05:30:00Z", "2026-11-01 01:30 EDT"),
        ("01:45", "Australia/Lord_Howe", "2026-04-05", "2026-04-04T14:45:00Z", "2026-04-05 01:45 +11"),
    ];
    for (time, zone, day, expected, shown_locally) in cases {
        let schedule = schedule(time, zone, "daily");
        let at = occurrence(&schedule, date(day));
        assert_eq!(at, utc(expected), "{time} in {zone} on {day}");
        assert_eq!(
            local(&schedule, at),
            shown_locally,
            "{time} in {zone} on {day}"
        );
    }
}

#[test]
fn times_next_to_a_gap_or_an_overlap_are_not_moved() {
    // New York falls back from 02:00 EDT to 01:00 EST, so 02:30 happens once, in EST; Berlin
    // springs forward at 02:00, so 01:59 still exists in CET.
    // Kept one row per line so that the table reads as a table.
    #[rustfmt::skip]
    let cases = [
        ("02:30", "America/New_York", "2026-11-01", "2026-11-01T07:30:00Z"),
        ("01:59", "Europe/Berlin", "2026-03-29", "2026-03-29T00:59:00Z"),
        ("03:00", "Europe/Berlin", "2026-03-29", "2026-03-29T01:00:00Z"),
        ("03:00", "Europe/Berlin", "2026-10-25", "2026-10-25T02:00:00Z"),
    ];
    for (time, zone, day, expected) in cases {
        let schedule = schedule(time, zone, "daily");
        assert_eq!(
            occurrence(&schedule, date(day)),
            utc(expected),
            "{time} in {zone} on {day}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// decide: one table of ticks, each row a sentence
// ---------------------------------------------------------------------------------------------

struct Tick {
    says: &'static str,
    time: &'static str,
    zone: &'static str,
    days: &'static str,
    last_posted: Option<&'static str>,
    now: &'static str,
    expect: Decision,
}

// Kept one tick per three lines so that the table reads as a table.
#[rustfmt::skip]
fn tick_cases() -> Vec<Tick> {
    let tick = |says, time, zone, days, last_posted, now, expect| {
        Tick { says, time, zone, days, last_posted, now, expect }
    };
    vec![
        // The due instant and the grace period (Wednesday 2026-11-25, Berlin is UTC+1).
        tick(
            "one second before the due instant it waits for exactly that instant",
            "09:00", "Europe/Berlin", "daily", Some("2026-11-24"), "2026-11-25T07:59:59Z",
            wait("2026-11-25T08:00:00Z"),
        ),
        tick(
            "at the due instant it posts on time",
            "09:00", "Europe/Berlin", "daily", Some("2026-11-24"), "2026-11-25T08:00:00Z",
            post("2026-11-25", "2026-11-25T08:00:00Z", false),
        ),
        tick(
            "at the end of the grace period the post still counts as on time",
            "09:00", "Europe/Berlin", "daily", Some("2026-11-24"), "2026-11-25T08:15:00Z",
            post("2026-11-25", "2026-11-25T08:00:00Z", false),
        ),
        tick(
            "one second past the grace period the post is late",
            "09:00", "Europe/Berlin", "daily", Some("2026-11-24"), "2026-11-25T08:15:01Z",
            post("2026-11-25", "2026-11-25T08:00:00Z", true),
        ),
        // Exactly once per local date.
        tick(
            "once today is posted it waits for tomorrow, even at the same instant",
            "09:00", "Europe/Berlin", "daily", Some("2026-11-25"), "2026-11-25T08:00:00Z",
            wait("2026-11-26T08:00:00Z"),
        ),
        tick(
            "a date recorded ahead of the clock is not posted again when it comes",
            "09:00", "Europe/Berlin", "daily", Some("2026-11-26"), "2026-11-26T08:00:00Z",
            wait("2026-11-27T08:00:00Z"),
        ),
        tick(
            "a date recorded ahead of the clock also suppresses today",
            "09:00", "Europe/Berlin", "daily", Some("2026-11-26"), "2026-11-25T12:00:00Z",
            wait("2026-11-26T08:00:00Z"),
        ),
        // Downtime.
        tick(
            "after a three-day outage it posts only today, late",
            "09:00", "Europe/Berlin", "daily", Some("2026-11-21"), "2026-11-25T11:00:00Z",
            post("2026-11-25", "2026-11-25T08:00:00Z", true),
        ),
        tick(
            "after an outage ending before today's time it posts only yesterday, late",
            "09:00", "Europe/Berlin", "daily", Some("2026-11-21"), "2026-11-25T07:00:00Z",
            post("2026-11-24", "2026-11-24T08:00:00Z", true),
        ),
        tick(
            "an outage longer than a week still posts only the latest due date",
            "09:00", "Europe/Berlin", "daily", Some("2026-10-01"), "2026-11-25T11:00:00Z",
            post("2026-11-25", "2026-11-25T08:00:00Z", true),
        ),
        tick(
            "with no post on record it posts the most recent due date, late if the time has passed",
            "09:00", "Europe/Berlin", "daily", None, "2026-11-25T10:00:00Z",
            post("2026-11-25", "2026-11-25T08:00:00Z", true),
        ),
        // Weekday cadence: Friday 2026-11-27, Saturday 28, Sunday 29, Monday 30.
        tick(
            "on Saturday a Monday-to-Friday schedule waits for Monday",
            "09:00", "Europe/Berlin", "mon-fri", Some("2026-11-27"), "2026-11-28T09:00:00Z",
            wait("2026-11-30T08:00:00Z"),
        ),
        tick(
            "on Sunday evening a Monday-to-Friday schedule still waits for Monday",
            "09:00", "Europe/Berlin", "mon-fri", Some("2026-11-27"), "2026-11-29T20:00:00Z",
            wait("2026-11-30T08:00:00Z"),
        ),
        tick(
            "on Monday a Monday-to-Friday schedule posts on time",
            "09:00", "Europe/Berlin", "mon-fri", Some("2026-11-27"), "2026-11-30T08:00:00Z",
            post("2026-11-30", "2026-11-30T08:00:00Z", false),
        ),
        tick(
            "after Monday's post a Monday-to-Friday schedule waits for Tuesday",
            "09:00", "Europe/Berlin", "mon-fri", Some("2026-11-30"), "2026-11-30T08:00:01Z",
            wait("2026-12-01T08:00:00Z"),
        ),
        tick(
            "an outage over a weekend posts Friday's missed prompt, not Saturday's or Sunday's",
            "09:00", "Europe/Berlin", "mon-fri", Some("2026-11-26"), "2026-11-29T12:00:00Z",
            post("2026-11-27", "2026-11-27T08:00:00Z", true),
        ),
        tick(
            "a Monday, Wednesday and Friday schedule waits from Monday to Wednesday",
            "09:00", "Europe/Berlin", "mon,wed,fri", Some("2026-11-30"), "2026-11-30T12:00:00Z",
            wait("2026-12-02T08:00:00Z"),
        ),
        // Daylight saving time, nine o'clock.
        tick(
            "on the Berlin spring-forward day nine o'clock is an hour earlier in UTC",
            "09:00", "Europe/Berlin", "daily", Some("2026-03-28"), "2026-03-29T06:59:59Z",
            wait("2026-03-29T07:00:00Z"),
        ),
        tick(
            "on the Berlin fall-back day nine o'clock is an hour later in UTC",
            "09:00", "Europe/Berlin", "daily", Some("2026-10-24"), "2026-10-25T07:30:00Z",
            wait("2026-10-25T08:00:00Z"),
        ),
        tick(
            "on the New York spring-forward day nine o'clock posts at 13:00 UTC",
            "09:00", "America/New_York", "daily", Some("2026-03-07"), "2026-03-08T13:00:00Z",
            post("2026-03-08", "2026-03-08T13:00:00Z", false),
        ),
        tick(
            "on the New York fall-back day nine o'clock posts at 14:00 UTC and not an hour early",
            "09:00", "America/New_York", "daily", Some("2026-10-31"), "2026-11-01T13:00:00Z",
            wait("2026-11-01T14:00:00Z"),
        ),
        // Daylight saving time, inside the gap.
        tick(
            "in the Berlin gap it waits for the shifted time",
            "02:30", "Europe/Berlin", "daily", Some("2026-03-28"), "2026-03-29T01:29:59Z",
            wait("2026-03-29T01:30:00Z"),
        ),
        tick(
            "in the Berlin gap it posts at the shifted time on time",
            "02:30", "Europe/Berlin", "daily", Some("2026-03-28"), "2026-03-29T01:30:00Z",
            post("2026-03-29", "2026-03-29T01:30:00Z", false),
        ),
        tick(
            "in the New York gap it posts at 03:30 EDT",
            "02:30", "America/New_York", "daily", Some("2026-03-07"), "2026-03-08T07:30:00Z",
            post("2026-03-08", "2026-03-08T07:30:00Z", false),
        ),
        tick(
            "after the gap day it is back to 02:30 local the next night",
            "02:30", "Europe/Berlin", "daily", Some("2026-03-29"), "2026-03-29T01:30:00Z",
            wait("2026-03-30T00:30:00Z"),
        ),
        // Daylight saving time, inside the overlap.
        tick(
            "in the Berlin overlap it posts at the first 02:30",
            "02:30", "Europe/Berlin", "daily", Some("2026-10-24"), "2026-10-25T00:30:00Z",
            post("2026-10-25", "2026-10-25T00:30:00Z", false),
        ),
        tick(
            "in the Berlin overlap the second 02:30 does not post again",
            "02:30", "Europe/Berlin", "daily", Some("2026-10-25"), "2026-10-25T01:30:00Z",
            wait("2026-10-26T01:30:00Z"),
        ),
        tick(
            "in the New York overlap it posts at the first 01:30",
            "01:30", "America/New_York", "daily", Some("2026-10-31"), "2026-11-01T05:30:00Z",
            post("2026-11-01", "2026-11-01T05:30:00Z", false),
        ),
        tick(
            "in the New York overlap the second 01:30 does not post again",
            "01:30", "America/New_York", "daily", Some("2026-11-01"), "2026-11-01T06:30:00Z",
            wait("2026-11-02T06:30:00Z"),
        ),
        // Zones far from UTC, where the local date differs from the UTC date.
        tick(
            "in Kiritimati (UTC+14) Wednesday's post is due on Tuesday in UTC",
            "09:00", "Pacific/Kiritimati", "mon-fri", Some("2026-11-24"), "2026-11-24T19:00:00Z",
            post("2026-11-25", "2026-11-24T19:00:00Z", false),
        ),
        tick(
            "in Kiritimati a Friday in UTC is already Saturday, so a weekday schedule waits",
            "09:00", "Pacific/Kiritimati", "mon-fri", Some("2026-11-27"), "2026-11-27T19:00:00Z",
            wait("2026-11-29T19:00:00Z"),
        ),
        tick(
            "in Pago Pago (UTC-11) Friday evening's post is due on Saturday in UTC",
            "20:00", "Pacific/Pago_Pago", "mon-fri", Some("2026-11-26"), "2026-11-28T07:00:00Z",
            post("2026-11-27", "2026-11-28T07:00:00Z", false),
        ),
        tick(
            "in Pago Pago after Friday's post a weekday schedule waits for Monday evening",
            "20:00", "Pacific/Pago_Pago", "mon-fri", Some("2026-11-27"), "2026-11-28T07:00:00Z",
            wait("2026-12-01T07:00:00Z"),
        ),
        tick(
            "in Kolkata (UTC+5:30) two in the morning is half past eight the evening before in UTC",
            "02:00", "Asia/Kolkata", "daily", Some("2026-11-24"), "2026-11-24T20:29:59Z",
            wait("2026-11-24T20:30:00Z"),
        ),
        tick(
            "in Kolkata the early-morning post belongs to the local date",
            "02:00", "Asia/Kolkata", "daily", Some("2026-11-24"), "2026-11-24T20:30:00Z",
            post("2026-11-25", "2026-11-24T20:30:00Z", false),
        ),
        tick(
            "on Lord Howe the half-hour spring-forward moves nine o'clock by thirty minutes in UTC",
            "09:00", "Australia/Lord_Howe", "daily", Some("2026-10-03"), "2026-10-03T21:59:59Z",
            wait("2026-10-03T22:00:00Z"),
        ),
        tick(
            "on Lord Howe a time in the half-hour gap posts thirty minutes later",
            "02:15", "Australia/Lord_Howe", "daily", Some("2026-10-03"), "2026-10-03T15:45:00Z",
            post("2026-10-04", "2026-10-03T15:45:00Z", false),
        ),
        tick(
            "on Lord Howe the second 01:45 of the fall-back night does not post again",
            "01:45", "Australia/Lord_Howe", "daily", Some("2026-04-05"), "2026-04-04T15:15:00Z",
            wait("2026-04-05T15:15:00Z"),
        ),
    ]
}

#[test]
fn decide_follows_the_tick_table() {
    for case in tick_cases() {
        let schedule = schedule(case.time, case.zone, case.days);
        let decision = decide(&schedule, case.last_posted.map(date), utc(case.now));
        assert_eq!(decision, case.expect, "{}", case.says);
    }
}

#[test]
fn a_three_day_outage_posts_one_late_prompt_for_the_latest_day_then_resumes_the_daily_cadence() {
    let schedule = schedule("09:00", "Europe/Berlin", "daily");
    // The last post was on Saturday; the bot comes back on Wednesday at noon, local time.
    let back_at = utc("2026-11-25T11:00:00Z");
    let first = decide(&schedule, Some(date("2026-11-21")), back_at);
    assert_eq!(first, post("2026-11-25", "2026-11-25T08:00:00Z", true));

    let second = decide(&schedule, Some(date("2026-11-25")), back_at);
    assert_eq!(
        second,
        wait("2026-11-26T08:00:00Z"),
        "no backlog of Sunday to Tuesday follows"
    );

    let next_day = decide(
        &schedule,
        Some(date("2026-11-25")),
        utc("2026-11-26T08:00:00Z"),
    );
    assert_eq!(next_day, post("2026-11-26", "2026-11-26T08:00:00Z", false));
}

#[test]
fn a_schedule_without_weekdays_never_posts_and_waits_a_week_at_a_time() {
    let schedule = Schedule {
        days: WeekdaySet::EMPTY,
        ..schedule("09:00", "Europe/Berlin", "daily")
    };
    let now = utc("2026-11-25T08:00:00Z");
    assert_eq!(
        decide(&schedule, None, now),
        Decision::Wait {
            until: now + NO_DAYS_HORIZON
        }
    );
    assert_eq!(next_occurrence_after(&schedule, now), now + NO_DAYS_HORIZON);
    assert_eq!(last_due_date(&schedule, now), None);
}

// ---------------------------------------------------------------------------------------------
// Setting up a server, and the answer window's closing time
// ---------------------------------------------------------------------------------------------

#[test]
fn a_server_set_up_after_todays_time_waits_for_tomorrow_instead_of_posting_late() {
    let schedule = schedule("09:00", "Europe/Berlin", "daily");
    let setup_at = utc("2026-11-25T08:05:00Z");
    let last_posted = last_due_date(&schedule, setup_at);
    assert_eq!(last_posted, Some(date("2026-11-25")));
    assert_eq!(
        decide(&schedule, last_posted, setup_at),
        wait("2026-11-26T08:00:00Z")
    );
}

#[test]
fn a_server_set_up_before_todays_time_posts_today_on_time() {
    let schedule = schedule("09:00", "Europe/Berlin", "daily");
    let last_posted = last_due_date(&schedule, utc("2026-11-25T07:55:00Z"));
    assert_eq!(last_posted, Some(date("2026-11-24")));
    let at_nine = utc("2026-11-25T08:00:00Z");
    assert_eq!(
        decide(&schedule, last_posted, at_nine),
        post("2026-11-25", "2026-11-25T08:00:00Z", false)
    );
}

#[test]
fn last_due_date_skips_days_that_are_not_scheduled() {
    let schedule = schedule("09:00", "Europe/Berlin", "mon-fri");
    // Sunday 2026-11-29: the most recent due date is Friday.
    assert_eq!(
        last_due_date(&schedule, utc("2026-11-29T12:00:00Z")),
        Some(date("2026-11-27"))
    );
    let weekly = self::schedule("09:00", "Europe/Berlin", "wed");
    // Wednesday before nine: last week's Wednesday, seven days back, is still found.
    assert_eq!(
        last_due_date(&weekly, utc("2026-11-25T07:00:00Z")),
        Some(date("2026-11-18"))
    );
}

#[test]
fn the_next_occurrence_is_strictly_after_the_given_instant() {
    let weekdays = schedule("09:00", "Europe/Berlin", "mon-fri");
    // Kept one row per line so that the table reads as a table.
    #[rustfmt::skip]
    let cases = [
        ("Friday a second before nine gives Friday", "2026-11-27T07:59:59Z", "2026-11-27T08:00:00Z"),
        ("Friday at nine gives Monday", "2026-11-27T08:00:00Z", "2026-11-30T08:00:00Z"),
        ("Saturday gives Monday", "2026-11-28T12:00:00Z", "2026-11-30T08:00:00Z"),
        ("the Friday before spring-forward gives Monday in CEST", "2026-03-27T09:00:00Z", "2026-03-30T07:00:00Z"),
        ("the Friday before fall-back gives Monday in CET", "2026-10-23T09:00:00Z", "2026-10-26T08:00:00Z"),
    ];
    for (says, after, expected) in cases {
        assert_eq!(
            next_occurrence_after(&weekdays, utc(after)),
            utc(expected),
            "{says}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

#[test]
fn parse_time_accepts_the_usual_ways_of_writing_a_time() {
    // Kept one row per line so that the table reads as a table.
    #[rustfmt::skip]
    let cases = [
        ("09:00", hm(9, 0)),
        ("9:00", hm(9, 0)),
        ("  07:05  ", hm(7, 5)),
        ("21:30", hm(21, 30)),
        ("00:00", hm(0, 0)),
        ("23:59", hm(23, 59)),
        ("9am", hm(9, 0)),
        ("9 AM", hm(9, 0)),
        ("9:30 pm", hm(21, 30)),
        ("9:30PM", hm(21, 30)),
        ("12am", hm(0, 0)),
        ("12pm", hm(12, 0)),
        ("12:30 a.m.", hm(0, 30)),
        ("noon", hm(12, 0)),
        ("Midnight", hm(0, 0)),
    ];
    for (input, expected) in cases {
        assert_eq!(parse_time(input), Ok(expected), "{input:?}");
    }
}

#[test]
fn parse_time_rejects_impossible_or_unclear_times_with_a_one_line_hint() {
    let unreadable = |input: &str| ScheduleError::UnreadableTime {
        input: input.to_owned(),
    };
    let hour = |input: &str| ScheduleError::HourOutOfRange {
        input: input.to_owned(),
    };
    let long = "9".repeat(10_000);
    // Kept one row per line so that the table reads as a table.
    #[rustfmt::skip]
    let cases = [
        ("", ScheduleError::EmptyTime),
        ("   ", ScheduleError::EmptyTime),
        ("25:00", hour("25:00")),
        ("24:00", hour("24:00")),
        ("13pm", hour("13pm")),
        ("0am", hour("0am")),
        ("21:30pm", hour("21:30pm")),
        ("12:60", ScheduleError::MinuteOutOfRange { input: "12:60".to_owned() }),
        ("9", ScheduleError::AmbiguousHour { input: "9".to_owned() }),
        ("-1:00", unreadable("-1:00")),
        ("noonish", unreadable("noonish")),
        ("９:００", unreadable("９:００")),
        ("9:5", unreadable("9:5")),
        ("9.30", unreadable("9.30")),
        ("09:00:00", unreadable("09:00:00")),
        ("🕘", unreadable("🕘")),
        ("9`am", unreadable("9'am")),
        (long.as_str(), unreadable(&format!("{}…", "9".repeat(40)))),
    ];
    for (input, expected) in cases {
        let error = parse_time(input).expect_err(input);
        assert_eq!(error, expected, "{input:?}");
        let message = error.to_string();
        assert!(
            !message.contains('\n') && message.chars().count() < 200,
            "one short line: {message}"
        );
        assert!(
            message.contains("21:30") || message.contains("09:00") || message.contains("12:45"),
            "shows an example: {message}"
        );
    }
}

#[test]
fn parse_timezone_accepts_iana_names_in_any_case_and_utc() {
    // Kept one row per line so that the table reads as a table.
    #[rustfmt::skip]
    let cases = [
        ("Europe/Berlin", Tz::Europe__Berlin),
        ("europe/berlin", Tz::Europe__Berlin),
        ("  America/New_York ", Tz::America__New_York),
        ("america/new york", Tz::America__New_York),
        ("UTC", Tz::UTC),
        ("utc", Tz::UTC),
        ("Etc/UTC", Tz::Etc__UTC),
        ("Asia/Kolkata", Tz::Asia__Kolkata),
        ("Pacific/Kiritimati", Tz::Pacific__Kiritimati),
        ("australia/lord_howe", Tz::Australia__Lord_Howe),
    ];
    for (input, expected) in cases {
        assert_eq!(parse_timezone(input), Ok(expected), "{input:?}");
    }
}

#[test]
fn every_offered_zone_name_parses_back_to_itself() {
    let offered = chrono_tz::TZ_VARIANTS
        .iter()
        .copied()
        .filter(|tz| is_selectable(*tz));
    let mut count = 0;
    for tz in offered {
        assert_eq!(parse_timezone(tz.name()), Ok(tz));
        assert_eq!(parse_timezone(&tz.name().to_uppercase()), Ok(tz));
        count += 1;
    }
    assert!(count > 300, "only {count} zones are offered");
}

#[test]
fn parse_timezone_rejects_abbreviations_offsets_and_typos_with_a_fix() {
    let abbreviation = |input: &str, example: &str| ScheduleError::TimeZoneAbbreviation {
        input: input.to_owned(),
        example: example.to_owned(),
    };
    let offset = |input: &str| ScheduleError::TimeZoneOffset {
        input: input.to_owned(),
    };
    let unknown = |input: &str, suggestion: Option<&str>| ScheduleError::UnknownTimeZone {
        input: input.to_owned(),
        suggestion: suggestion.map(str::to_owned),
    };
    let long = "Europe/".repeat(1_000);
    // Kept one row per line so that the table reads as a table.
    #[rustfmt::skip]
    let cases = [
        ("", ScheduleError::EmptyTimeZone),
        (" ", ScheduleError::EmptyTimeZone),
        ("CEST", abbreviation("CEST", "Europe/Berlin")),
        ("cet", abbreviation("cet", "Europe/Berlin")),
        ("EST", abbreviation("EST", "America/New_York")),
        ("PDT", abbreviation("PDT", "America/Los_Angeles")),
        ("IST", abbreviation("IST", "Asia/Kolkata")),
        ("GMT", abbreviation("GMT", "Europe/London")),
        ("XYZ", abbreviation("XYZ", "Europe/Berlin")),
        ("GMT+2", offset("GMT+2")),
        ("UTC+05:30", offset("UTC+05:30")),
        ("utc -3", offset("utc -3")),
        ("+02:00", offset("+02:00")),
        ("Etc/GMT+2", offset("Etc/GMT+2")),
        ("Europe/Berln", unknown("Europe/Berln", Some("Europe/Berlin"))),
        ("America/NewYork", unknown("America/NewYork", Some("America/New_York"))),
        ("Berlin", unknown("Berlin", Some("Europe/Berlin"))),
        ("tokyo", unknown("tokyo", Some("Asia/Tokyo"))),
        ("new york", unknown("new york", Some("America/New_York"))),
        ("Kolkatta", unknown("Kolkatta", Some("Asia/Kolkata"))),
        ("Mars/Olympus_Mons", unknown("Mars/Olympus_Mons", None)),
        ("noonish", unknown("noonish", None)),
        ("🌍", unknown("🌍", None)),
        (long.as_str(), unknown(&format!("{}…", &long[..40]), None)),
    ];
    for (input, expected) in cases {
        let error = parse_timezone(input).expect_err(input);
        assert_eq!(error, expected, "{input:?}");
        let message = error.to_string();
        assert!(
            !message.contains('\n') && message.chars().count() < 200,
            "one short line: {message}"
        );
        assert!(
            message.contains('/'),
            "names an IANA zone to use: {message}"
        );
    }
}

#[test]
fn parse_days_accepts_keywords_lists_and_ranges() {
    use Weekday::*;
    let set = |days: &[Weekday]| {
        days.iter()
            .fold(WeekdaySet::EMPTY, |set, day| set.with(*day))
    };
    // Kept one row per line so that the table reads as a table.
    #[rustfmt::skip]
    let cases = [
        ("mon-fri", WeekdaySet::WEEKDAYS),
        ("Mon–Fri", WeekdaySet::WEEKDAYS),
        ("mon - fri", WeekdaySet::WEEKDAYS),
        ("monday to friday", WeekdaySet::WEEKDAYS),
        ("weekdays", WeekdaySet::WEEKDAYS),
        ("daily", WeekdaySet::EVERY_DAY),
        ("every day", WeekdaySet::EVERY_DAY),
        ("Every Day", WeekdaySet::EVERY_DAY),
        ("mon,wed,fri", set(&[Mon, Wed, Fri])),
        ("Mon Wed Fri", set(&[Mon, Wed, Fri])),
        ("mon, wed and fri", set(&[Mon, Wed, Fri])),
        ("sat-sun", WeekdaySet::WEEKENDS),
        ("weekends", WeekdaySet::WEEKENDS),
        ("fri-mon", set(&[Fri, Sat, Sun, Mon])),
        ("tue-thu, sat", set(&[Tue, Wed, Thu, Sat])),
        ("Sunday", set(&[Sun])),
        ("mon,mon", set(&[Mon])),
        ("weekdays, sat", set(&[Mon, Tue, Wed, Thu, Fri, Sat])),
    ];
    for (input, expected) in cases {
        assert_eq!(parse_days(input), Ok(expected), "{input:?}");
        assert_eq!(
            input.parse::<WeekdaySet>(),
            Ok(expected),
            "{input:?} through FromStr"
        );
    }
}

#[test]
fn parse_days_rejects_blank_and_unknown_days_with_a_hint() {
    let unknown = |input: &str| ScheduleError::UnknownDay {
        input: input.to_owned(),
    };
    let long = "x".repeat(5_000);
    // Kept one row per line so that the table reads as a table.
    #[rustfmt::skip]
    let cases = [
        ("", ScheduleError::EmptyDays),
        (" , ", ScheduleError::EmptyDays),
        ("funday", unknown("funday")),
        ("mon-funday", unknown("mon-funday")),
        ("mon-wed-fri", unknown("mon-wed-fri")),
        ("mon-", unknown("mon-")),
        ("１", unknown("１")),
        ("🎉", unknown("🎉")),
        (long.as_str(), unknown(&format!("{}…", "x".repeat(40)))),
    ];
    for (input, expected) in cases {
        let error = parse_days(input).expect_err(input);
        assert_eq!(error, expected, "{input:?}");
        let message = error.to_string();
        assert!(
            !message.contains('\n') && message.contains("mon-fri"),
            "one line with an example: {message}"
        );
    }
}

#[test]
fn a_weekday_set_displays_compactly() {
    use Weekday::*;
    let set = |days: &[Weekday]| {
        days.iter()
            .fold(WeekdaySet::EMPTY, |set, day| set.with(*day))
    };
    // Kept one row per line so that the table reads as a table.
    #[rustfmt::skip]
    let cases = [
        (WeekdaySet::EVERY_DAY, "every day"),
        (WeekdaySet::WEEKDAYS, "Mon–Fri"),
        (WeekdaySet::WEEKENDS, "Sat, Sun"),
        (WeekdaySet::EMPTY, "no days"),
        (set(&[Mon, Wed, Fri]), "Mon, Wed, Fri"),
        (set(&[Mon, Tue]), "Mon, Tue"),
        (set(&[Mon, Tue, Wed, Sat]), "Mon–Wed, Sat"),
        (set(&[Fri, Sat, Sun, Mon]), "Mon, Fri–Sun"),
    ];
    for (days, expected) in cases {
        assert_eq!(days.to_string(), expected);
    }
}

#[test]
fn every_non_empty_weekday_set_parses_back_from_its_display_and_its_bits() {
    for bits in 1..=0b111_1111u8 {
        let days = WeekdaySet::from_bits(bits);
        assert_eq!(parse_days(&days.to_string()), Ok(days), "{days}");
        assert_eq!(WeekdaySet::from_bits(days.bits()), days);
        assert_eq!(days.len() as usize, days.iter().count());
    }
    assert_eq!(
        WeekdaySet::from_bits(0b1111_1111),
        WeekdaySet::EVERY_DAY,
        "the eighth bit is ignored"
    );
}

#[test]
fn a_schedule_displays_as_setup_confirms_it() {
    assert_eq!(
        schedule("9am", "europe/berlin", "mon-fri").to_string(),
        "09:00 Europe/Berlin, Mon–Fri"
    );
}

// ---------------------------------------------------------------------------------------------
// Properties over random zones and instants in 2026 and 2027
// ---------------------------------------------------------------------------------------------

const START_2026: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z
const END_2027: i64 = 1_830_297_600; // 2028-01-01T00:00:00Z

fn any_zone() -> impl Strategy<Value = Tz> {
    (0..chrono_tz::TZ_VARIANTS.len()).prop_map(|index| chrono_tz::TZ_VARIANTS[index])
}

fn any_schedule() -> impl Strategy<Value = Schedule> {
    (0u32..24, 0u32..60, any_zone(), 1u8..=0b111_1111).prop_map(|(hour, minute, tz, bits)| {
        Schedule {
            time: hm(hour, minute),
            tz,
            days: WeekdaySet::from_bits(bits),
        }
    })
}

fn config() -> ProptestConfig {
    // Failures print their inputs; persisting them would write files next to the source.
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn deciding_with_its_own_output_never_posts_a_local_date_twice(
        schedule in any_schedule(),
        start in START_2026..END_2027,
        // Each step either sleeps until the instant the last Wait named (None) or ticks early,
        // after an arbitrary pause of up to three days (an outage, a slow tick, a fast tick).
        steps in prop::collection::vec(prop::option::of(1i64..=3 * 86_400), 1..40),
    ) {
        let mut now = Utc.timestamp_opt(start, 0).single().expect("in range");
        let mut last_posted: Option<NaiveDate> = None;
        let mut posted = std::collections::HashSet::new();
        for step in steps {
            let until = match decide(&schedule, last_posted, now) {
                Decision::Post { local_date, due_at, late } => {
                    prop_assert!(posted.insert(local_date), "{local_date} posted twice");
                    prop_assert!(last_posted.is_none_or(|last| local_date > last));
                    prop_assert!(schedule.days.contains(local_date.weekday()));
                    prop_assert!(due_at <= now);
                    prop_assert_eq!(late, now > due_at + LATE_GRACE);
                    last_posted = Some(local_date);
                    match decide(&schedule, last_posted, now) {
                        Decision::Wait { until } => until,
                        again => return Err(TestCaseError::fail(format!("posted again at once: {again:?}"))),
                    }
                }
                Decision::Wait { until } => until,
            };
            prop_assert!(until > now, "waits until {until}, not after {now}");
            now = match step {
                None => until,
                Some(seconds) => now + Duration::seconds(seconds),
            };
        }
    }

    #[test]
    fn every_occurrence_shows_the_schedule_time_unless_it_falls_in_a_gap(
        schedule in any_schedule(),
        day in 0i64..730,
    ) {
        let local_date = date("2026-01-01") + Duration::days(day);
        check_occurrence(&schedule, local_date).map_err(TestCaseError::fail)?;
    }
}

/// Checks the occurrence rule for one date: a time that exists is shown exactly, at its first
/// instant if it happens twice; a skipped time is shown later by exactly the size of the jump.
fn check_occurrence(schedule: &Schedule, local_date: NaiveDate) -> Result<(), String> {
    let naive = local_date.and_time(schedule.time);
    let at = occurrence(schedule, local_date);
    let shown = at.with_timezone(&schedule.tz).naive_local();
    let context = || format!("{} in {} on {local_date}", schedule.time, schedule.tz);
    match schedule.tz.from_local_datetime(&naive).earliest() {
        Some(first) if shown == naive && at == first.with_timezone(&Utc) => Ok(()),
        Some(first) => Err(format!(
            "{}: posted at {at} ({shown} local), not {first}",
            context()
        )),
        None => {
            // The jump is the difference between the offsets a day after and a day before.
            let offset_at = |instant: DateTime<Utc>| {
                let local = instant.with_timezone(&schedule.tz);
                local.naive_local() - local.naive_utc()
            };
            let jump = offset_at(at + Duration::days(1)) - offset_at(at - Duration::days(1));
            if jump > Duration::zero() && shown == naive + jump {
                Ok(())
            } else {
                Err(format!(
                    "{}: in a gap of {jump} but shown as {shown}",
                    context()
                ))
            }
        }
    }
}

/// The local dates in 2026 and 2027 on which `tz` changes its UTC offset.
fn offset_change_dates(tz: Tz) -> Vec<NaiveDate> {
    let offset_at = |instant: DateTime<Utc>| {
        let local = instant.with_timezone(&tz);
        local.naive_local() - local.naive_utc()
    };
    let start = utc("2026-01-01T00:00:00Z");
    let mut dates = Vec::new();
    for day in 0..730 {
        let (from, to) = (start + Duration::days(day), start + Duration::days(day + 1));
        if offset_at(from) != offset_at(to) {
            dates.extend([from, to].map(|at| at.with_timezone(&tz).date_naive()));
        }
    }
    dates.dedup();
    dates
}

#[test]
fn on_every_offset_change_in_every_zone_each_quarter_hour_is_posted_at_its_time_or_after_the_gap() {
    let mut checked_days = 0;
    for tz in chrono_tz::TZ_VARIANTS {
        for local_date in offset_change_dates(tz) {
            checked_days += 1;
            for quarter in 0..96 {
                let time = hm(quarter / 4, quarter % 4 * 15);
                let schedule = Schedule {
                    time,
                    tz,
                    days: WeekdaySet::EVERY_DAY,
                };
                if let Err(problem) = check_occurrence(&schedule, local_date) {
                    panic!("{problem}");
                }
            }
        }
    }
    assert!(
        checked_days > 500,
        "only {checked_days} offset-change days were found"
    );
}

#[test]
fn a_scheduler_ticking_every_quarter_hour_across_a_dst_change_posts_each_day_once_and_on_time() {
    // Each named change, from the day before to the day after, for every quarter-hour of the day.
    let changes = [
        ("Europe/Berlin", "2026-03-29"),
        ("Europe/Berlin", "2026-10-25"),
        ("America/New_York", "2026-03-08"),
        ("America/New_York", "2026-11-01"),
        ("Australia/Lord_Howe", "2026-04-05"),
        ("Australia/Lord_Howe", "2026-10-04"),
    ];
    for (zone, change_day) in changes {
        let change_day = date(change_day);
        let days = [
            change_day - Duration::days(1),
            change_day,
            change_day + Duration::days(1),
        ];
        for quarter in 0..96 {
            let time = hm(quarter / 4, quarter % 4 * 15);
            let schedule = Schedule {
                time,
                ..schedule("09:00", zone, "daily")
            };
            let mut last_posted = Some(days[0] - Duration::days(1));
            let mut posted = Vec::new();
            let end = occurrence(&schedule, days[2]) + Duration::hours(1);
            let mut now = occurrence(&schedule, days[0]) - Duration::hours(1);
            while now <= end {
                if let Decision::Post {
                    local_date, late, ..
                } = decide(&schedule, last_posted, now)
                {
                    assert!(!late, "{time} in {zone}: {local_date} posted late at {now}");
                    posted.push(local_date);
                    last_posted = Some(local_date);
                }
                now += Duration::minutes(15);
            }
            assert_eq!(posted, days, "{time} in {zone} around {change_day}");
        }
    }
}

#[test]
fn scheduled_weekdays_are_the_local_weekdays_of_the_posts() {
    // Kiritimati is fourteen hours ahead, so every post happens on the previous UTC weekday.
    let schedule = schedule("09:00", "Pacific/Kiritimati", "mon");
    let at = next_occurrence_after(&schedule, utc("2026-11-25T00:00:00Z"));
    assert_eq!(at, utc("2026-11-29T19:00:00Z"));
    assert_eq!(at.weekday(), Weekday::Sun);
    assert_eq!(at.with_timezone(&schedule.tz).weekday(), Weekday::Mon);
}
