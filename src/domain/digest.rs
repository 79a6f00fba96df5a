//! The weekly digest's rules: which week a server's digest is due for, when the next one comes,
//! and which answers top a week. Pure: the caller passes the time and the facts.
//!
//! A week runs Monday to Sunday in the server's time zone. Its digest is due from the following
//! Monday at the server's prompt time, whichever weekdays the prompt itself is posted on, so the
//! digest arrives with the start of a new week and members can plan the next one.

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};

use super::schedule::{Schedule, occurrence};
use super::voting::Standing;

/// How many answers a digest shows.
pub const TOP_ANSWERS: usize = 3;

/// The Monday of the local week that `date` falls in.
#[must_use]
pub fn week_start(date: NaiveDate) -> NaiveDate {
    date - Days::new(u64::from(date.weekday().num_days_from_monday()))
}

/// The local Monday starting the latest complete week whose digest is due at `now`. The caller
/// compares it with the last week it posted: the database's unique key on (server, week) makes
/// posting it exactly-once, and a bot that was down for weeks posts only the latest one.
#[must_use]
pub fn due_week(schedule: &Schedule, now: DateTime<Utc>) -> NaiveDate {
    let this_monday = week_start(now.with_timezone(&schedule.tz).date_naive());
    let previous = this_monday - Days::new(7);
    if now >= occurrence(schedule, this_monday) {
        previous
    } else {
        previous - Days::new(7)
    }
}

/// When the digest after `now` becomes due: the next Monday's prompt time (today's, if today is
/// Monday and it is still to come).
#[must_use]
pub fn next_digest_at(schedule: &Schedule, now: DateTime<Utc>) -> DateTime<Utc> {
    let this_monday = week_start(now.with_timezone(&schedule.tz).date_naive());
    let at = occurrence(schedule, this_monday);
    if at > now {
        at
    } else {
        occurrence(schedule, this_monday + Days::new(7))
    }
}

/// The week's top answers, best first: most votes, then the higher rubric score, then the
/// earlier answer, the same order that crowns a prompt's best answer.
#[must_use]
pub fn top(standings: &[Standing]) -> Vec<&Standing> {
    let mut ranked: Vec<&Standing> = standings.iter().collect();
    ranked.sort_by(|a, b| super::voting::compare(b, a));
    ranked.truncate(TOP_ANSWERS);
    ranked
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveTime, TimeZone};
    use chrono_tz::Tz;

    use super::*;
    use crate::domain::schedule::WeekdaySet;

    fn schedule(zone: &str, time: &str, days: WeekdaySet) -> Schedule {
        Schedule {
            time: NaiveTime::parse_from_str(time, "%H:%M").unwrap(),
            tz: zone.parse::<Tz>().unwrap(),
            days,
        }
    }

    fn local(zone: &str, at: &str) -> DateTime<Utc> {
        let tz: Tz = zone.parse().unwrap();
        let naive = chrono::NaiveDateTime::parse_from_str(at, "%Y-%m-%d %H:%M").unwrap();
        tz.from_local_datetime(&naive)
            .earliest()
            .unwrap()
            .with_timezone(&Utc)
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_week_starts_on_its_monday() {
        for (day, monday) in [
            ("2026-11-23", "2026-11-23"),
            ("2026-11-25", "2026-11-23"),
            ("2026-11-29", "2026-11-23"),
            ("2026-11-30", "2026-11-30"),
            ("2027-01-01", "2026-12-28"),
        ] {
            assert_eq!(week_start(date(day)), date(monday), "{day}");
        }
    }

    #[test]
    fn the_digest_for_a_week_is_due_from_the_next_mondays_prompt_time() {
        let every_day = WeekdaySet::EVERY_DAY;
        let weekdays = WeekdaySet::from_bits(0b001_1111);
        let wednesdays = WeekdaySet::from_bits(0b000_0100);
        // (zone, prompt time, days, local now, week due)
        let cases = [
            // Just before and at Monday's prompt time.
            (
                "Europe/Berlin",
                "09:00",
                every_day,
                "2026-11-23 08:59",
                "2026-11-09",
            ),
            (
                "Europe/Berlin",
                "09:00",
                every_day,
                "2026-11-23 09:00",
                "2026-11-16",
            ),
            // Later in the week the same week stays due.
            (
                "Europe/Berlin",
                "09:00",
                every_day,
                "2026-11-29 23:59",
                "2026-11-16",
            ),
            // The digest comes on Monday whatever days the prompt is posted on.
            (
                "America/New_York",
                "07:30",
                weekdays,
                "2026-11-23 07:30",
                "2026-11-16",
            ),
            (
                "America/New_York",
                "07:30",
                wednesdays,
                "2026-11-23 07:30",
                "2026-11-16",
            ),
            (
                "America/New_York",
                "07:30",
                wednesdays,
                "2026-11-23 07:29",
                "2026-11-09",
            ),
            // The Monday after Europe's spring change and after America's autumn change.
            (
                "Europe/Berlin",
                "09:00",
                every_day,
                "2026-03-30 09:00",
                "2026-03-23",
            ),
            (
                "America/New_York",
                "09:00",
                every_day,
                "2026-11-02 08:59",
                "2026-10-19",
            ),
            // A zone ahead of UTC by more than half a day: it is already Monday there.
            (
                "Pacific/Kiritimati",
                "06:00",
                every_day,
                "2026-11-23 06:00",
                "2026-11-16",
            ),
            // Across a year end.
            (
                "Asia/Kolkata",
                "09:00",
                every_day,
                "2027-01-04 09:00",
                "2026-12-28",
            ),
        ];
        for (zone, time, days, now, expected) in cases {
            let schedule = schedule(zone, time, days);
            assert_eq!(
                due_week(&schedule, local(zone, now)),
                date(expected),
                "{zone} {time} at {now}"
            );
        }
    }

    #[test]
    fn the_next_digest_is_the_coming_mondays_prompt_time() {
        let schedule = schedule("Europe/Berlin", "09:00", WeekdaySet::EVERY_DAY);
        let cases = [
            ("2026-11-23 08:00", "2026-11-23 09:00"),
            ("2026-11-23 09:00", "2026-11-30 09:00"),
            ("2026-11-25 12:00", "2026-11-30 09:00"),
            // Berlin springs forward on Sunday 2026-03-29; Monday 09:00 is CEST.
            ("2026-03-27 12:00", "2026-03-30 09:00"),
        ];
        for (now, expected) in cases {
            let now = local("Europe/Berlin", now);
            let next = next_digest_at(&schedule, now);
            assert_eq!(next, local("Europe/Berlin", expected), "after {now}");
            // The week it opens is exactly the one after the week due now.
            assert_eq!(
                due_week(&schedule, next),
                due_week(&schedule, now) + Days::new(7)
            );
        }
    }

    #[test]
    fn the_top_answers_have_most_votes_then_the_higher_score_then_came_first() {
        let standing = |answer_id, votes, total| Standing {
            answer_id,
            votes,
            total,
        };
        let standings = [
            standing(1, 2, 60),
            standing(2, 5, 40),
            standing(3, 2, 90),
            standing(4, 0, 99),
            standing(5, 2, 60),
        ];
        let ids: Vec<i64> = top(&standings).iter().map(|s| s.answer_id).collect();
        assert_eq!(ids, vec![2, 3, 1]);
        assert!(top(&[]).is_empty());
        assert_eq!(top(&standings[..1]).len(), 1);
    }
}
