//! When a server's daily prompt is due: parsing `/setup` input and deciding, from the clock reading
//! the caller passes in, whether to post now or how long to wait.
//!
//! Everything here is pure. The scheduler loop owns the clock and the store; it calls [`decide`]
//! with the current instant and the local date of the last scheduled post it recorded, posts when
//! told to, records the returned `local_date`, and sleeps until the returned instant otherwise.
//!
//! The rules, in short:
//! - A post is due for local date `D` when `D` is one of the schedule's weekdays and the clock has
//!   reached [`occurrence`]`(D)`, the schedule's local time on `D` in the schedule's time zone.
//! - Only the most recent due date is ever posted. After downtime the bot posts the missed day once
//!   (marked late when it is more than [`LATE_GRACE`] behind) and never works through a backlog.
//! - Each local date is posted at most once: the caller's `last_posted` date and anything before it
//!   are never posted again, even when `last_posted` lies ahead of the clock.
//! - Daylight saving time: a local time that does not exist that day (the spring-forward gap) is
//!   shifted forward by the length of the gap (02:30 becomes 03:30); a local time that happens twice
//!   (the autumn overlap) is posted at its first, earlier instant only.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

/// How long after its due instant a post still counts as on time.
///
/// A scheduler tick, a restart or a slow gateway reconnect can delay a post by a few minutes; that
/// is not worth flagging to members. Anything later is marked late so the caller can say so.
pub const LATE_GRACE: Duration = Duration::minutes(15);

/// How far [`decide`] and [`next_occurrence_after`] look ahead when a schedule has no weekdays.
///
/// Such a schedule never posts, but the caller still needs an instant to sleep until (and the
/// answer window of a `/post-now` prompt still needs a closing time), so they get one a week out.
pub const NO_DAYS_HORIZON: Duration = Duration::days(7);

/// Inputs longer than this are not worth echoing back in full or comparing against zone names.
const MAX_SHOWN_CHARS: usize = 40;

/// A server's posting schedule: a local wall-clock time in an IANA time zone on chosen weekdays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Schedule {
    /// The local wall-clock time of the post, for example 09:00.
    pub time: NaiveTime,
    /// The IANA time zone the time is read in, for example `Europe/Berlin`.
    pub tz: Tz,
    /// The local weekdays on which a prompt is posted.
    pub days: WeekdaySet,
}

impl fmt::Display for Schedule {
    /// Shows the schedule the way `/setup` confirms it, for example `09:00 Europe/Berlin, Mon–Fri`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}, {}",
            self.time.format("%H:%M"),
            self.tz.name(),
            self.days
        )
    }
}

/// A set of weekdays, one bit per day with Monday as bit 0.
///
/// Parse it from user input with [`parse_days`] (or `str::parse`); it displays compactly, for
/// example `Mon–Fri`, `every day` or `Mon, Wed, Fri`, and the displayed form parses back to the
/// same set. Store it with [`WeekdaySet::bits`] and load it with [`WeekdaySet::from_bits`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct WeekdaySet(u8);

impl WeekdaySet {
    /// No days at all: a schedule with this set never posts.
    pub const EMPTY: WeekdaySet = WeekdaySet(0);
    /// Every day of the week.
    pub const EVERY_DAY: WeekdaySet = WeekdaySet(0b111_1111);
    /// Monday to Friday.
    pub const WEEKDAYS: WeekdaySet = WeekdaySet(0b001_1111);
    /// Saturday and Sunday.
    pub const WEEKENDS: WeekdaySet = WeekdaySet(0b110_0000);

    /// Rebuilds a set from [`WeekdaySet::bits`]; the unused eighth bit is ignored.
    #[must_use]
    pub const fn from_bits(bits: u8) -> WeekdaySet {
        WeekdaySet(bits & Self::EVERY_DAY.0)
    }

    /// The stored form: bit `n` is set when the day `n` days after Monday is in the set.
    #[must_use]
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// Whether `day` is in the set.
    #[must_use]
    pub const fn contains(self, day: Weekday) -> bool {
        self.0 & Self::bit(day) != 0
    }

    /// The set with `day` added.
    #[must_use]
    pub const fn with(self, day: Weekday) -> WeekdaySet {
        WeekdaySet(self.0 | Self::bit(day))
    }

    /// The days in either set.
    #[must_use]
    pub const fn union(self, other: WeekdaySet) -> WeekdaySet {
        WeekdaySet(self.0 | other.0)
    }

    /// Whether the set has no days.
    #[must_use]
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// How many days the set has.
    #[must_use]
    pub const fn len(self) -> u32 {
        self.0.count_ones()
    }

    /// The days in the set, Monday first.
    pub fn iter(self) -> impl Iterator<Item = Weekday> {
        ALL_DAYS.into_iter().filter(move |day| self.contains(*day))
    }

    const fn bit(day: Weekday) -> u8 {
        1 << day.num_days_from_monday()
    }
}

const ALL_DAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

fn short_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Mon",
        Weekday::Tue => "Tue",
        Weekday::Wed => "Wed",
        Weekday::Thu => "Thu",
        Weekday::Fri => "Fri",
        Weekday::Sat => "Sat",
        Weekday::Sun => "Sun",
    }
}

impl fmt::Display for WeekdaySet {
    /// Runs of three or more days (counted Monday to Sunday) are shown as ranges such as `Mon–Fri`;
    /// shorter runs are listed, because `Sat–Sun` reads worse than `Sat, Sun`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == Self::EVERY_DAY {
            return f.write_str("every day");
        }
        if self.is_empty() {
            return f.write_str("no days");
        }
        let mut parts: Vec<String> = Vec::new();
        let mut index = 0;
        while index < ALL_DAYS.len() {
            if !self.contains(ALL_DAYS[index]) {
                index += 1;
                continue;
            }
            let start = index;
            while index + 1 < ALL_DAYS.len() && self.contains(ALL_DAYS[index + 1]) {
                index += 1;
            }
            let (first, last) = (short_name(ALL_DAYS[start]), short_name(ALL_DAYS[index]));
            match index - start {
                0 => parts.push(first.to_owned()),
                1 => parts.extend([first.to_owned(), last.to_owned()]),
                _ => parts.push(format!("{first}–{last}")),
            }
            index += 1;
        }
        f.write_str(&parts.join(", "))
    }
}

impl FromStr for WeekdaySet {
    type Err = ScheduleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_days(s)
    }
}

/// Why a `/setup` value was not accepted. Each message is one friendly line that says how to fix
/// the input, so the bot can show it to the admin as it is.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum ScheduleError {
    /// The time was blank.
    #[error("Please give a time, for example 09:00, 21:30 or 9:30 pm.")]
    EmptyTime,
    /// The time was not in any form we read.
    #[error("I can't read `{input}` as a time; write it like 09:00, 21:30, 9am or 9:30 pm.")]
    UnreadableTime {
        /// The input as shown back to the user (shortened and made safe to quote).
        input: String,
    },
    /// A bare hour such as `9`, which could mean morning or evening.
    #[error("`{input}` could mean morning or evening; write 09:00, 21:00, 9am or 9pm.")]
    AmbiguousHour {
        /// The input as shown back to the user.
        input: String,
    },
    /// The hour was past 23 (or outside 1–12 with am/pm).
    #[error(
        "`{input}` has no such hour: use 00:00 to 23:59 (midnight is 00:00), or 1 to 12 with am/pm, for example 21:30 or 9:30 pm."
    )]
    HourOutOfRange {
        /// The input as shown back to the user.
        input: String,
    },
    /// The minutes were past 59.
    #[error("`{input}` has no such minute: minutes go from 00 to 59, for example 12:45.")]
    MinuteOutOfRange {
        /// The input as shown back to the user.
        input: String,
    },
    /// The time zone was blank.
    #[error(
        "Please give a time zone as an IANA name, for example Europe/Berlin or America/New_York."
    )]
    EmptyTimeZone,
    /// A time zone abbreviation such as `CEST` or `IST`, which several regions share.
    #[error(
        "`{input}` is an abbreviation that several places share and that changes with daylight saving time; use an IANA name such as {example}."
    )]
    TimeZoneAbbreviation {
        /// The input as shown back to the user.
        input: String,
        /// An IANA name the abbreviation most often stands for.
        example: String,
    },
    /// A fixed UTC offset such as `GMT+2`, which would drift at every daylight saving change.
    #[error(
        "`{input}` is a fixed offset, which would be an hour off after daylight saving changes; use an IANA name such as Europe/Berlin (or UTC)."
    )]
    TimeZoneOffset {
        /// The input as shown back to the user.
        input: String,
    },
    /// A name that is not an IANA time zone we know, with the closest known name when one is close.
    #[error("I don't know the time zone `{input}`; {}", match suggestion {
        Some(name) => format!("did you mean {name}?"),
        None => "use an IANA name such as Europe/Berlin, America/New_York or Asia/Kolkata.".to_owned(),
    })]
    UnknownTimeZone {
        /// The input as shown back to the user.
        input: String,
        /// The closest known IANA name, when one is close enough to be a likely typo.
        suggestion: Option<String>,
    },
    /// The days were blank.
    #[error(
        "Please give the days to post on, for example mon-fri, daily, weekends or mon,wed,fri."
    )]
    EmptyDays,
    /// One of the listed days was not a day name, range or keyword.
    #[error(
        "I don't know the day `{input}`; use day names like mon or tuesday, ranges like mon-fri, or daily, weekdays or weekends."
    )]
    UnknownDay {
        /// The part of the input that was not understood, as shown back to the user.
        input: String,
    },
}

/// Shortens user input and makes it safe to quote inside backticks on one line, so that an error
/// message stays one readable line whatever was typed.
fn shown(input: &str) -> String {
    let mut out: String = input
        .chars()
        .take(MAX_SHOWN_CHARS)
        .map(|c| match c {
            '`' => '\'',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    if input.chars().count() > MAX_SHOWN_CHARS {
        out.push('…');
    }
    out
}

/// Parses a local time of day from `/setup`.
///
/// Accepts 24-hour `HH:MM` or `H:MM` (`09:00`, `9:00`, `21:30`), 12-hour forms with `am`/`pm` in
/// any case and with or without a space or dots (`9am`, `9:30 pm`, `12 a.m.`), and the words
/// `noon` and `midnight`. Rejects everything else with a message that shows an example, including
/// `24:00` (midnight is `00:00`, which keeps the post on the day it is scheduled for) and a bare
/// hour such as `9` (morning or evening?). Only ASCII digits count, so full-width digits are
/// rejected rather than guessed at.
///
/// # Errors
///
/// A [`ScheduleError`] whose message names the problem and shows an example of a valid time.
pub fn parse_time(s: &str) -> Result<NaiveTime, ScheduleError> {
    let trimmed = s.trim();
    if trimmed.is_empty() {
        return Err(ScheduleError::EmptyTime);
    }
    let unreadable = || ScheduleError::UnreadableTime {
        input: shown(trimmed),
    };
    let lower = trimmed.to_ascii_lowercase();
    match lower.as_str() {
        "noon" | "midday" => return Ok(NaiveTime::MIN + Duration::hours(12)),
        "midnight" => return Ok(NaiveTime::MIN),
        _ => {}
    }

    // Split off a trailing am/pm marker; what remains is the clock reading.
    let compact = lower.replace('.', "");
    let (clock, meridiem) = if let Some(rest) = compact.strip_suffix("am") {
        (rest.trim_end(), Some(false))
    } else if let Some(rest) = compact.strip_suffix("pm") {
        (rest.trim_end(), Some(true))
    } else {
        (compact.as_str(), None)
    };
    // Dots are only allowed inside the marker ("a.m."), not in the clock reading ("9.30").
    if meridiem.is_none() && compact.len() != lower.len() {
        return Err(unreadable());
    }

    let (hour_text, minute_text) = match clock.split_once(':') {
        Some((hour, minute)) => (hour, Some(minute)),
        None => (clock, None),
    };
    let is_digits = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    if !is_digits(hour_text) || hour_text.len() > 2 {
        return Err(unreadable());
    }
    let minute = match minute_text {
        Some(text) if is_digits(text) && text.len() == 2 => {
            text.parse::<u32>().map_err(|_| unreadable())?
        }
        Some(_) => return Err(unreadable()),
        None if meridiem.is_some() => 0,
        None => {
            return Err(ScheduleError::AmbiguousHour {
                input: shown(trimmed),
            });
        }
    };
    let hour = hour_text.parse::<u32>().map_err(|_| unreadable())?;

    let hour = match meridiem {
        None if hour <= 23 => hour,
        // 12am is midnight and 12pm is noon; the other hours shift by twelve in the afternoon.
        Some(pm) if (1..=12).contains(&hour) => hour % 12 + if pm { 12 } else { 0 },
        _ => {
            return Err(ScheduleError::HourOutOfRange {
                input: shown(trimmed),
            });
        }
    };
    if minute > 59 {
        return Err(ScheduleError::MinuteOutOfRange {
            input: shown(trimmed),
        });
    }
    NaiveTime::from_hms_opt(hour, minute, 0).ok_or_else(unreadable)
}

/// Whether a zone may be chosen by name.
///
/// Only `Area/Location` names (including legacy links such as `US/Eastern`) and UTC itself are
/// offered. Bare legacy names such as `EST` or `CET` are abbreviations in disguise, and the
/// `Etc/GMT+2` family is a fixed offset whose sign is the opposite of what people expect.
fn is_selectable(tz: Tz) -> bool {
    let name = tz.name();
    name == "UTC" || name == "Etc/UTC" || (name.contains('/') && !name.starts_with("Etc/"))
}

/// Parses an IANA time zone name from `/setup` or `/timezone`.
///
/// Matching ignores case and surrounding space, and treats spaces inside the name as underscores
/// (`america/new york` is `America/New_York`). `UTC` is accepted. Abbreviations (`CEST`, `EST`,
/// `IST`) and fixed offsets (`GMT+2`, `UTC+05:30`, `+02:00`) are rejected with a hint, because an
/// abbreviation can name several zones and an offset ignores daylight saving time, so either would
/// post at the wrong hour for half the year. For an unknown name, the error suggests the closest
/// known name when one is close enough to be a typo (or when the input is a city such as `Tokyo`).
///
/// # Errors
///
/// A [`ScheduleError`] whose message names the problem and an IANA name to use instead.
pub fn parse_timezone(s: &str) -> Result<Tz, ScheduleError> {
    let trimmed = s.trim();
    if trimmed.is_empty() {
        return Err(ScheduleError::EmptyTimeZone);
    }
    let wanted = trimmed.replace(' ', "_").to_ascii_lowercase();
    let selectable = || {
        chrono_tz::TZ_VARIANTS
            .iter()
            .copied()
            .filter(|tz| is_selectable(*tz))
    };

    if let Some(tz) = selectable().find(|tz| tz.name().eq_ignore_ascii_case(&wanted)) {
        return Ok(tz);
    }
    if looks_like_offset(&wanted) {
        return Err(ScheduleError::TimeZoneOffset {
            input: shown(trimmed),
        });
    }
    // A bare city name is the commonest near miss; it has one obvious fix, so suggest it first.
    if !wanted.contains('/') {
        let city = selectable().find(|tz| {
            tz.name()
                .rsplit('/')
                .next()
                .is_some_and(|last| last.eq_ignore_ascii_case(&wanted))
        });
        if let Some(tz) = city {
            return Err(ScheduleError::UnknownTimeZone {
                input: shown(trimmed),
                suggestion: Some(tz.name().to_owned()),
            });
        }
    }
    if let Some(example) = abbreviation_example(trimmed) {
        return Err(ScheduleError::TimeZoneAbbreviation {
            input: shown(trimmed),
            example: example.to_owned(),
        });
    }
    Err(ScheduleError::UnknownTimeZone {
        input: shown(trimmed),
        suggestion: closest_zone(&wanted),
    })
}

/// Whether the input is a UTC offset such as `GMT+2`, `UTC-05:30`, `+0200` or `Etc/GMT+2`.
/// The input has already had its spaces turned into underscores, so `utc -3` arrives as `utc_-3`.
fn looks_like_offset(wanted: &str) -> bool {
    let rest = wanted
        .strip_prefix("etc/")
        .unwrap_or(wanted)
        .trim_start_matches("utc")
        .trim_start_matches("gmt")
        .trim_start_matches('_');
    let mut chars = rest.chars();
    matches!(chars.next(), Some('+' | '-' | '−'))
        && chars.next().is_some_and(|c| c.is_ascii_digit())
}

/// The IANA name a time zone abbreviation most often stands for, or `None` when the input does not
/// look like an abbreviation. Unlisted all-capital words of two to five letters are treated as
/// abbreviations too, with Europe/Berlin as the example.
fn abbreviation_example(input: &str) -> Option<&'static str> {
    const KNOWN: &[(&[&str], &str)] = &[
        (&["cet", "cest", "met", "mest"], "Europe/Berlin"),
        (&["gmt", "bst", "wet", "west"], "Europe/London"),
        (&["eet", "eest"], "Europe/Athens"),
        (&["msk"], "Europe/Moscow"),
        (&["est", "edt", "et"], "America/New_York"),
        (&["cst", "cdt", "ct"], "America/Chicago"),
        (&["mst", "mdt", "mt"], "America/Denver"),
        (&["pst", "pdt", "pt"], "America/Los_Angeles"),
        (&["akst", "akdt"], "America/Anchorage"),
        (&["hst"], "Pacific/Honolulu"),
        (&["brt"], "America/Sao_Paulo"),
        (&["ist"], "Asia/Kolkata"),
        (&["sgt"], "Asia/Singapore"),
        (&["jst"], "Asia/Tokyo"),
        (&["kst"], "Asia/Seoul"),
        (&["aest", "aedt"], "Australia/Sydney"),
        (&["nzst", "nzdt"], "Pacific/Auckland"),
    ];
    let lower = input.to_ascii_lowercase();
    if let Some((_, example)) = KNOWN
        .iter()
        .find(|(names, _)| names.contains(&lower.as_str()))
    {
        return Some(example);
    }
    let all_capitals = input.chars().all(|c| c.is_ascii_uppercase());
    (all_capitals && (2..=5).contains(&input.len())).then_some("Europe/Berlin")
}

/// The selectable zone name closest to the input by edit distance, compared both with the full
/// name and with its city part, when the distance is small enough to be a typo.
fn closest_zone(wanted: &str) -> Option<String> {
    // Long input is not a typo of a zone name, and comparing it would only cost time.
    if wanted.chars().count() > 40 {
        return None;
    }
    let limit = (1 + wanted.chars().count() / 5).min(3);
    chrono_tz::TZ_VARIANTS
        .iter()
        .copied()
        .filter(|tz| is_selectable(*tz))
        .filter_map(|tz| {
            let name = tz.name().to_ascii_lowercase();
            let city = name.rsplit('/').next().unwrap_or(&name).to_owned();
            let distance = edit_distance(wanted, &name).min(edit_distance(wanted, &city));
            (distance <= limit).then_some((distance, tz.name()))
        })
        .min()
        .map(|(_, name)| name.to_owned())
}

/// The Levenshtein distance between two strings, counted in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = Vec::with_capacity(b.len() + 1);
        current.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// Parses the weekdays to post on from `/setup`.
///
/// Accepts the keywords `daily`, `every day`, `everyday`, `weekdays`, `workdays`, `weekends` and
/// `weekend`; day names, short or long (`mon`, `tues`, `wednesday`), separated by commas and/or
/// spaces (`mon,wed,fri`, `Mon Wed Fri`, `mon and fri`); and ranges with a hyphen, en dash or `to`
/// (`mon-fri`, `Mon–Fri`, `mon to fri`), which may wrap around the weekend (`fri-mon`). Case is
/// ignored. Blank input is an error: a schedule that never posts should be paused instead.
///
/// # Errors
///
/// A [`ScheduleError`] for blank input or the first part that is not a day, a range or a keyword.
pub fn parse_days(s: &str) -> Result<WeekdaySet, ScheduleError> {
    let lower = s.trim().to_lowercase();
    if lower.is_empty() {
        return Err(ScheduleError::EmptyDays);
    }
    // Normalise range markers to a bare hyphen so that "mon - fri" and "Mon–Fri" are one token.
    let normalised = lower
        .replace(['–', '—'], "-")
        .replace(" to ", "-")
        .replace("every day", "daily");
    let mut glued = String::with_capacity(normalised.len());
    for (index, part) in normalised.split('-').enumerate() {
        if index > 0 {
            glued.push('-');
        }
        glued.push_str(if index == 0 {
            part.trim_end()
        } else {
            part.trim()
        });
    }

    let mut set = WeekdaySet::EMPTY;
    for token in glued
        .split([',', ' ', ';', '/', '&'])
        .filter(|t| !t.is_empty() && *t != "and")
    {
        set = set.union(parse_day_token(token)?);
    }
    if set.is_empty() {
        return Err(ScheduleError::EmptyDays);
    }
    Ok(set)
}

/// Parses one comma- or space-separated part of a day list: a keyword, a day or a range of days.
fn parse_day_token(token: &str) -> Result<WeekdaySet, ScheduleError> {
    let unknown = || ScheduleError::UnknownDay {
        input: shown(token),
    };
    match token {
        "daily" | "everyday" | "all" => return Ok(WeekdaySet::EVERY_DAY),
        "weekdays" | "workdays" | "weekday" => return Ok(WeekdaySet::WEEKDAYS),
        "weekends" | "weekend" => return Ok(WeekdaySet::WEEKENDS),
        _ => {}
    }
    match token.split_once('-') {
        None => day_from_name(token)
            .map(|day| WeekdaySet::EMPTY.with(day))
            .ok_or_else(unknown),
        Some((from, to)) => {
            let from = day_from_name(from).ok_or_else(unknown)?;
            let to = day_from_name(to).ok_or_else(unknown)?;
            // Walk forward from the first day so that "fri-mon" means Fri, Sat, Sun, Mon.
            let mut set = WeekdaySet::EMPTY.with(from);
            let mut day = from;
            while day != to {
                day = day.succ();
                set = set.with(day);
            }
            Ok(set)
        }
    }
}

/// The weekday for an English day name or one of its common abbreviations.
fn day_from_name(name: &str) -> Option<Weekday> {
    let day = match name {
        "mon" | "monday" | "mo" => Weekday::Mon,
        "tue" | "tues" | "tuesday" | "tu" => Weekday::Tue,
        "wed" | "weds" | "wednesday" | "we" => Weekday::Wed,
        "thu" | "thur" | "thurs" | "thursday" | "th" => Weekday::Thu,
        "fri" | "friday" | "fr" => Weekday::Fri,
        "sat" | "saturday" | "sa" => Weekday::Sat,
        "sun" | "sunday" | "su" => Weekday::Sun,
        _ => return None,
    };
    Some(day)
}

/// What the scheduler should do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Post the prompt for `local_date` now, then record `local_date` as the last posted date.
    Post {
        /// The schedule's local date the post belongs to; record it as `last_posted`.
        local_date: NaiveDate,
        /// When the post was due.
        due_at: DateTime<Utc>,
        /// Whether the post is more than [`LATE_GRACE`] behind `due_at`, for example after downtime.
        late: bool,
    },
    /// Nothing to post; ask again at `until` (or earlier, for example after the schedule changed).
    Wait {
        /// The next instant something may be due; always after the `now` that was passed in.
        until: DateTime<Utc>,
    },
}

/// The local date `/post-now` takes as its scheduled slot: today's, when today is a scheduled day
/// whose prompt has not been posted yet, so the schedule does not post a second prompt later
/// today. Otherwise `None`: the early prompt is an extra one and the schedule carries on.
pub fn post_now_slot(
    schedule: &Schedule,
    last_posted: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Option<NaiveDate> {
    let today = now.with_timezone(&schedule.tz).date_naive();
    let taken = last_posted.is_some_and(|date| date >= today);
    (schedule.days.contains(today.weekday()) && !taken).then_some(today)
}

/// The UTC instant of the post on `local_date`, whether or not that date is a scheduled weekday.
///
/// When the schedule's time does not exist on that date (the spring-forward gap), the post moves
/// forward by the length of the gap, as a wall clock that was not changed would show it: 02:30 in
/// Europe/Berlin on 2026-03-29 becomes 03:30 CEST. When the time happens twice (the autumn
/// overlap), the post is at the first, earlier instant; [`decide`] keeps it from posting again at
/// the second.
#[must_use]
pub fn occurrence(schedule: &Schedule, local_date: NaiveDate) -> DateTime<Utc> {
    let local = local_date.and_time(schedule.time);
    if let Some(first) = schedule.tz.from_local_datetime(&local).earliest() {
        return first.with_timezone(&Utc);
    }
    // The local time falls in a gap. Reading it with the offset in force just before the gap gives
    // the instant that shifts it forward by the gap's length. Gaps last at most a day (Samoa
    // skipped 2011-12-30), so stepping back an hour at a time finds that offset within 25 steps.
    for hours_back in 1..=48 {
        let before = local - Duration::hours(hours_back);
        if let Some(just_before) = schedule.tz.from_local_datetime(&before).latest() {
            let offset = just_before.naive_local() - just_before.naive_utc();
            return Utc.from_utc_datetime(&(local - offset));
        }
    }
    // Unreachable with real tz data; reading the time as UTC at least keeps the answer total.
    Utc.from_utc_datetime(&local)
}

/// The local dates that could have an occurrence at or around `at`, most recent first.
///
/// A date's occurrence falls on that local date or, when pushed out of a gap that ends after
/// midnight, on the next one; and a fall-back at midnight can make the local date step backwards.
/// Running from the day after `at`'s local date back to seven days before it covers all of that
/// plus the same weekday a week earlier.
fn candidate_dates(schedule: &Schedule, at: DateTime<Utc>) -> impl Iterator<Item = NaiveDate> {
    let today = local_date_of(schedule.tz, at);
    let days = schedule.days;
    (-1..=7)
        .filter_map(move |back| today.checked_sub_signed(Duration::days(back)))
        .filter(move |date| days.contains(date.weekday()))
}

fn local_date_of(tz: Tz, at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// The most recent scheduled local date whose post was due at or before `now`, looking back at
/// most a week, or `None` when the schedule has no weekdays.
///
/// Use it when a server is set up (or its schedule changes): store
/// `last_posted = last_due_date(&schedule, now)` so that [`decide`] waits for the next occurrence
/// instead of immediately posting a late prompt for a time that had already passed when the admin
/// ran `/setup`. This is the chosen way to treat a fresh setup, because it keeps [`decide`] a
/// single rule with no special case, and `/post-now` is there when the admin wants a prompt at once.
#[must_use]
pub fn last_due_date(schedule: &Schedule, now: DateTime<Utc>) -> Option<NaiveDate> {
    candidate_dates(schedule, now).find(|date| occurrence(schedule, *date) <= now)
}

/// The first post strictly after `after`: when the next prompt is due, and so when the current
/// answer window closes. A schedule with no weekdays gives `after + NO_DAYS_HORIZON`.
#[must_use]
pub fn next_occurrence_after(schedule: &Schedule, after: DateTime<Utc>) -> DateTime<Utc> {
    if schedule.days.is_empty() {
        return after + NO_DAYS_HORIZON;
    }
    let start = local_date_of(schedule.tz, after) - Duration::days(1);
    // Nine days from the day before cover a full week of weekdays plus a gap pushing a post past
    // midnight; the minimum is taken because occurrences need not increase with the date in
    // pathological zone histories.
    (0..=9)
        .filter_map(|ahead| start.checked_add_signed(Duration::days(ahead)))
        .filter(|date| schedule.days.contains(date.weekday()))
        .map(|date| occurrence(schedule, date))
        .filter(|instant| *instant > after)
        .min()
        .unwrap_or(after + NO_DAYS_HORIZON)
}

/// Decides whether to post now, given the local date of the last scheduled post.
///
/// Returns [`Decision::Post`] for the most recent due date (see [`last_due_date`]) when it is after
/// `last_posted` or nothing has been posted yet, and [`Decision::Wait`] until the next occurrence
/// otherwise. Missed days are never posted as a backlog: after a three-day outage, only the latest
/// due date is posted (marked late), and the next post is the next scheduled one. A `last_posted`
/// ahead of the computed dates (clock skew, or a `/post-now` recorded for an upcoming date)
/// suppresses every date up to and including it.
///
/// With `last_posted = None` and the time already passed today, this posts today's prompt late; a
/// freshly set up server should store [`last_due_date`] instead of `None` to avoid that.
#[must_use]
pub fn decide(schedule: &Schedule, last_posted: Option<NaiveDate>, now: DateTime<Utc>) -> Decision {
    if let Some(local_date) = last_due_date(schedule, now) {
        if last_posted.is_none_or(|last| local_date > last) {
            let due_at = occurrence(schedule, local_date);
            return Decision::Post {
                local_date,
                due_at,
                late: now > due_at + LATE_GRACE,
            };
        }
    }
    Decision::Wait {
        until: next_occurrence_after(schedule, now),
    }
}

#[cfg(test)]
// The path is spelled out because this file is also mounted with `#[path]` in a scratch crate,
// where the default location of a child module would differ.
#[path = "schedule/tests.rs"]
mod tests;
