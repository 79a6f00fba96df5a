//! The `/history` chart: a member's scores over time, drawn as a PNG for a Discord attachment.
//!
//! The image has two panels that share one time axis. The upper panel shows the total score
//! (0–100) with the two band thresholds marked; the lower panel shows each rubric dimension as a
//! percentage of that dimension's maximum, so dimensions with different maxima can be compared on
//! one scale. Colours are chosen for Discord's dark theme, and dates are shown in the member's own
//! time zone, on tick marks aligned to local midnights (or local hours for short histories).
//!
//! Text needs a font, and the machines that run the bot may have none. The chart therefore uses
//! plotters' pure-Rust `ab_glyph` renderer with DejaVu Sans read from a well-known system path
//! (Debian's `fonts-dejavu-core`). When no font is found the chart is still drawn, only without
//! any text, so a missing font package degrades the picture instead of failing the command.

use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use plotters::coord::Shift;
use plotters::coord::combinators::WithKeyPoints;
use plotters::coord::types::{RangedCoordi32, RangedCoordi64};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Width of the image in pixels.
pub const WIDTH: u32 = 1000;
/// Height of the image in pixels.
pub const HEIGHT: u32 = 600;

/// Where common distributions install DejaVu Sans; the first readable one is used.
const FONT_PATHS: &[&str] = &[
    // Debian and Ubuntu: the `fonts-dejavu-core` package.
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    // Fedora: `dejavu-sans-fonts`.
    "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
    // Arch and Alpine.
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
];
const FONT_FAMILY: &str = "sans-serif";

// Discord's dark theme draws attachments on #313338; a slightly darker card keeps the chart's
// edges visible without looking like a white box.
const BACKGROUND: RGBColor = RGBColor(0x2b, 0x2d, 0x31);
const TEXT: RGBColor = RGBColor(0xdb, 0xde, 0xe1);
const MUTED_TEXT: RGBColor = RGBColor(0x94, 0x9b, 0xa4);
const GRID: RGBColor = RGBColor(0x3f, 0x41, 0x47);
const AXIS: RGBColor = RGBColor(0x6d, 0x6f, 0x78);
const TOTAL: RGBColor = RGBColor(0x8e, 0xa1, 0xff);
const DEMONSTRATED: RGBColor = RGBColor(0xf0, 0xb2, 0x32);
const STRONGLY_DEMONSTRATED: RGBColor = RGBColor(0x3b, 0xd1, 0x7f);
/// One colour per dimension, in the order the dimensions first appear; bright enough to read on
/// the dark background and distinct from one another.
const DIMENSION_COLOURS: [RGBColor; 8] = [
    RGBColor(0x57, 0xa5, 0xff),
    RGBColor(0xff, 0x9f, 0x4a),
    RGBColor(0x57, 0xf2, 0x87),
    RGBColor(0xeb, 0x45, 0x9e),
    RGBColor(0xfe, 0xe7, 0x5c),
    RGBColor(0xb3, 0x8c, 0xff),
    RGBColor(0x4d, 0xd0, 0xe1),
    RGBColor(0xe0, 0xe0, 0xe0),
];

/// Height of the upper (total score) panel; the lower panel takes the rest.
const TOP_PANEL_HEIGHT: u32 = 290;
/// Room on the right of both panels for the band names and the legend. Both panels reserve the
/// same width so that their time axes line up.
const SIDE_COLUMN: u32 = 190;
/// Above this many answers the individual markers would merge into a smear, so only lines are
/// drawn. A series with a single point always gets a marker, since a line needs two.
const MARKER_LIMIT: usize = 60;
const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;

/// One scored answer (its latest revision) on the chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartPoint {
    pub at: DateTime<Utc>,
    /// The total score, 0–100.
    pub total: u8,
    /// `(dimension key, score, max)` for each rubric dimension.
    pub dimensions: Vec<(String, u8, u8)>,
}

/// Why no chart could be drawn.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("there is nothing to chart: the history is empty")]
    Empty,
    #[error("drawing the chart failed: {0}")]
    Draw(String),
    #[error("encoding the chart as PNG failed: {0}")]
    Encode(String),
}

/// Draws the member's history as a PNG of [`WIDTH`] × [`HEIGHT`] pixels, with dates in `tz`.
///
/// Points may come in any order and may share timestamps. Scores above their maximum are drawn
/// at the maximum, and a dimension whose maximum is zero is left out of the lower panel.
pub fn history_chart(points: &[ChartPoint], tz: Tz) -> Result<Vec<u8>, ChartError> {
    let text = if font_available() {
        Text::On
    } else {
        Text::Off
    };
    render(points, tz, text)
}

/// Whether labels are drawn. Without a font every text call would fail, so the no-font chart
/// must avoid them all, including the axis labels that plotters draws on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Text {
    On,
    Off,
}

/// Registers the first DejaVu Sans found with plotters, once per process.
fn font_available() -> bool {
    static LOADED: OnceLock<bool> = OnceLock::new();
    *LOADED.get_or_init(|| FONT_PATHS.iter().any(|path| register_font(path)))
}

fn register_font(path: &str) -> bool {
    let Ok(bytes) = std::fs::read(path) else {
        return false;
    };
    // plotters keeps registered fonts in a process-wide table that borrows the bytes for
    // 'static. This runs at most once per candidate path per process, so leaking the file
    // (about 750 KB) is a fixed cost rather than a growing one.
    let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, bytes).is_ok()
}

fn render(points: &[ChartPoint], tz: Tz, text: Text) -> Result<Vec<u8>, ChartError> {
    if points.is_empty() {
        return Err(ChartError::Empty);
    }
    let data = ChartData::new(points);
    let axis = TimeAxis::new(data.first, data.last, tz);
    let mut rgb = vec![0u8; WIDTH as usize * HEIGHT as usize * 3];
    // A chart is a nicety next to the member's history; a bug in the plotting library must cost
    // the picture, not the command, so a panic while drawing becomes an ordinary error.
    let drawn = catch_unwind(AssertUnwindSafe(|| -> Result<(), String> {
        let root = BitMapBackend::with_buffer(&mut rgb, (WIDTH, HEIGHT)).into_drawing_area();
        draw(&root, &data, &axis, text).map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())
    }));
    match drawn {
        Ok(Ok(())) => encode_png(&rgb),
        Ok(Err(message)) => Err(ChartError::Draw(message)),
        Err(_) => Err(ChartError::Draw("the plotting library panicked".to_owned())),
    }
}

/// Chart coordinates: x is seconds since the Unix epoch and y is tenths of a point (or of a
/// percent), 0–1000. Integers rather than floats because plotters only formats tick labels for
/// custom tick positions on integer axes; a tenth is finer than a pixel at this size.
type Coord = (i64, i32);
/// y for 100 points or 100 %.
const FULL: i32 = 1000;

/// The series to draw, in chart coordinates.
struct ChartData {
    first: i64,
    last: i64,
    total: Vec<Coord>,
    /// `(dimension key, points)` in the order the keys first appear.
    dimensions: Vec<(String, Vec<Coord>)>,
}

impl ChartData {
    fn new(points: &[ChartPoint]) -> ChartData {
        let mut sorted: Vec<&ChartPoint> = points.iter().collect();
        // A stable sort keeps answers with identical timestamps in the caller's order.
        sorted.sort_by_key(|point| point.at);
        let first = sorted.first().map_or(0, |p| p.at.timestamp());
        let last = sorted.last().map_or(0, |p| p.at.timestamp());
        let mut total = Vec::with_capacity(sorted.len());
        let mut dimensions: Vec<(String, Vec<Coord>)> = Vec::new();
        for point in sorted {
            let x = point.at.timestamp();
            total.push((x, i32::from(point.total.min(100)) * 10));
            for (key, score, max) in &point.dimensions {
                if *max == 0 {
                    continue;
                }
                let percent = i32::from((*score).min(*max)) * FULL / i32::from(*max);
                match dimensions.iter_mut().find(|(k, _)| k == key) {
                    Some((_, series)) => series.push((x, percent)),
                    None => dimensions.push((key.clone(), vec![(x, percent)])),
                }
            }
        }
        ChartData {
            first,
            last,
            total,
            dimensions,
        }
    }

    fn markers(&self) -> bool {
        self.total.len() <= MARKER_LIMIT
    }
}

/// The shared x axis: its range, tick positions and how ticks are labelled.
struct TimeAxis {
    range: Range<i64>,
    ticks: Vec<i64>,
    format: &'static str,
    tz: Tz,
}

impl TimeAxis {
    fn new(first: i64, last: i64, tz: Tz) -> TimeAxis {
        let span = last.saturating_sub(first);
        // A single answer, or several at the same moment, still needs a non-empty range; half a
        // day either side puts the markers in the middle with a readable date under them.
        let pad = if span < 60 { DAY / 2 } else { span / 25 };
        let lo = first.saturating_sub(pad);
        let hi = last.saturating_add(pad);
        let (ticks, format) = time_ticks(lo, hi, tz);
        TimeAxis {
            range: lo..hi,
            ticks,
            format,
            tz,
        }
    }

    fn label(&self, seconds: i64) -> String {
        // chrono rejects timestamps it cannot represent, so a strange value yields an empty
        // label rather than a panic.
        DateTime::from_timestamp(seconds, 0)
            .map(|t| t.with_timezone(&self.tz).format(self.format).to_string())
            .unwrap_or_default()
    }
}

/// At most this many ticks fit under the plot without labels colliding.
const MAX_TICKS: i64 = 7;

/// Tick positions between `lo` and `hi` (seconds), aligned to local midnights, month starts or
/// whole local hours depending on the span, and the `strftime` format that labels them.
fn time_ticks(lo: i64, hi: i64, tz: Tz) -> (Vec<i64>, &'static str) {
    let span = hi.saturating_sub(lo).max(1);
    let local_lo = tz.timestamp_opt(lo, 0).earliest();
    let local_hi = tz.timestamp_opt(hi, 0).earliest();
    let (Some(local_lo), Some(local_hi)) = (local_lo, local_hi) else {
        return (Vec::new(), "");
    };
    let same_year = local_lo.year() == local_hi.year();

    if span < 3 * DAY {
        let step = [1, 2, 3, 6, 12, 24]
            .into_iter()
            .find(|h| span / (h * HOUR) < MAX_TICKS)
            .unwrap_or(24);
        let start_hour = local_lo.hour() / step as u32 * step as u32;
        let start = local_lo.date_naive().and_hms_opt(start_hour, 0, 0);
        let ticks = walk(start, lo, hi, tz, |t| {
            t.checked_add_signed(chrono::Duration::hours(step))
        });
        return (ticks, "%b %-d %H:%M");
    }

    let days = span / DAY;
    if let Some(step) = [1, 2, 3, 7, 14].into_iter().find(|d| days / d < MAX_TICKS) {
        let start = local_lo.date_naive().and_hms_opt(0, 0, 0);
        let ticks = walk(start, lo, hi, tz, |t| {
            t.checked_add_days(Days::new(step as u64))
        });
        let format = if same_year { "%b %-d" } else { "%b %-d %Y" };
        return (ticks, format);
    }

    let months = days / 30;
    let step = [1, 2, 3, 6, 12]
        .into_iter()
        .find(|m| months / m < MAX_TICKS)
        .unwrap_or_else(|| months / (MAX_TICKS - 1) + 1);
    let start = NaiveDate::from_ymd_opt(local_lo.year(), local_lo.month(), 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0));
    let step = u32::try_from(step).unwrap_or(u32::MAX);
    let ticks = walk(start, lo, hi, tz, |t| {
        t.checked_add_months(Months::new(step))
    });
    (ticks, "%b %Y")
}

/// Steps through local wall-clock times from `start`, keeping those that fall within
/// `lo..=hi` once converted to UTC. A local time skipped by a daylight-saving change is left
/// out; one that occurs twice counts at its first occurrence.
fn walk(
    start: Option<NaiveDateTime>,
    lo: i64,
    hi: i64,
    tz: Tz,
    step: impl Fn(NaiveDateTime) -> Option<NaiveDateTime>,
) -> Vec<i64> {
    let mut ticks = Vec::new();
    let mut next = start;
    // The step sizes above keep the count under MAX_TICKS; the bound only guards the loop.
    for _ in 0..64 {
        let Some(local) = next else { break };
        if let Some(at) = tz.from_local_datetime(&local).earliest() {
            let at = at.timestamp();
            if at > hi {
                break;
            }
            if at >= lo {
                ticks.push(at);
            }
        }
        next = step(local);
    }
    ticks
}

fn font(size: u32, colour: RGBColor) -> TextStyle<'static> {
    (FONT_FAMILY, size).into_font().color(&colour)
}

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
    axis: &TimeAxis,
    text: Text,
) -> DrawResult<DB> {
    root.fill(&BACKGROUND)?;
    let (top, bottom) = root.split_vertically(TOP_PANEL_HEIGHT);
    draw_total_panel(root, &top, data, axis, text)?;
    draw_dimension_panel(root, &bottom, data, axis, text)?;
    if text == Text::On {
        let name = format!("Dates in {}", axis.tz.name());
        root.draw_text(
            &name,
            &font(13, MUTED_TEXT).pos(Pos::new(HPos::Left, VPos::Bottom)),
            ((WIDTH - SIDE_COLUMN + 16) as i32, HEIGHT as i32 - 14),
        )?;
    }
    Ok(())
}

/// A panel's chart: integer axes with tick positions chosen by this module.
type Panel<'a, DB> =
    ChartContext<'a, DB, Cartesian2d<WithKeyPoints<RangedCoordi64>, WithKeyPoints<RangedCoordi32>>>;

/// Builds a panel's chart with the shared axes, grid and (with text) caption and tick labels.
fn panel<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    caption: &str,
    axis: &TimeAxis,
    y_suffix: &str,
    text: Text,
) -> Result<Panel<'a, DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    let label_area = |size: u32| if text == Text::On { size } else { 0 };
    let mut builder = ChartBuilder::on(area);
    builder
        .margin(10)
        .margin_right(SIDE_COLUMN)
        .x_label_area_size(label_area(26))
        .y_label_area_size(label_area(48));
    if text == Text::On {
        builder.caption(caption, font(18, TEXT));
    }
    // A little headroom above 100 and below 0 keeps markers at the extremes whole.
    let y = (-40..FULL + 40).with_key_points(vec![0, 250, 500, 750, FULL]);
    let x = axis.range.clone().with_key_points(axis.ticks.clone());
    let mut chart = builder.build_cartesian_2d(x, y)?;

    let x_label = |v: &i64| axis.label(*v);
    let y_label = |v: &i32| format!("{}{y_suffix}", v / 10);
    chart
        .configure_mesh()
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(AXIS)
        .label_style(font(13, TEXT))
        .x_label_formatter(&x_label)
        .y_label_formatter(&y_label)
        .draw()?;
    Ok(chart)
}

fn draw_total_panel<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    data: &ChartData,
    axis: &TimeAxis,
    text: Text,
) -> DrawResult<DB> {
    let mut chart = panel(area, "Total score", axis, "", text)?;
    let (x0, x1) = (axis.range.start, axis.range.end);

    // Faint bands behind the data, then a line at each threshold, named in the side column.
    let bands = [
        (500, 750, DEMONSTRATED, "Demonstrated"),
        (750, FULL, STRONGLY_DEMONSTRATED, "Strongly demonstrated"),
    ];
    for (from, to, colour, _) in bands {
        chart.draw_series(std::iter::once(Rectangle::new(
            [(x0, from), (x1, to)],
            colour.mix(0.07).filled(),
        )))?;
        chart.draw_series(LineSeries::new(
            [(x0, from), (x1, from)],
            colour.mix(0.8).stroke_width(1),
        ))?;
    }

    let style = TOTAL.stroke_width(2);
    chart.draw_series(LineSeries::new(data.total.iter().copied(), style))?;
    if data.markers() || data.total.len() == 1 {
        chart.draw_series(
            data.total
                .iter()
                .map(|&p| Circle::new(p, 4, TOTAL.filled())),
        )?;
    }

    if text == Text::On {
        for (from, _, colour, name) in bands {
            let (px, py) = chart.backend_coord(&(x1, from));
            root.draw_text(
                name,
                &font(14, colour).pos(Pos::new(HPos::Left, VPos::Center)),
                (px + 8, py),
            )?;
        }
    }
    Ok(())
}

fn draw_dimension_panel<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    data: &ChartData,
    axis: &TimeAxis,
    text: Text,
) -> DrawResult<DB> {
    let mut chart = panel(area, "Each dimension, % of its maximum", axis, "%", text)?;
    for (i, (_, series)) in data.dimensions.iter().enumerate() {
        let colour = DIMENSION_COLOURS[i % DIMENSION_COLOURS.len()];
        chart.draw_series(LineSeries::new(
            series.iter().copied(),
            colour.stroke_width(2),
        ))?;
        if data.markers() || series.len() == 1 {
            chart.draw_series(series.iter().map(|&p| Circle::new(p, 3, colour.filled())))?;
        }
    }

    if text == Text::On {
        // The legend sits in the side column, one row per dimension from the top of the plot,
        // and stops where the plot ends rather than running off the image.
        let (xs, ys) = chart.plotting_area().get_pixel_range();
        let left = xs.end + 16;
        for (i, (key, _)) in data.dimensions.iter().enumerate() {
            let y = ys.start + 8 + 22 * i as i32;
            if y > ys.end {
                break;
            }
            let colour = DIMENSION_COLOURS[i % DIMENSION_COLOURS.len()];
            root.draw(&Rectangle::new(
                [(left, y - 5), (left + 14, y + 5)],
                colour.filled(),
            ))?;
            root.draw_text(
                &crate::domain::rubric::dimension_label(key),
                &font(14, TEXT).pos(Pos::new(HPos::Left, VPos::Center)),
                (left + 22, y),
            )?;
        }
    }
    Ok(())
}

fn encode_png(rgb: &[u8]) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, WIDTH, HEIGHT);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let encode = |e: png::EncodingError| ChartError::Encode(e.to_string());
    let mut writer = encoder.write_header().map_err(encode)?;
    writer.write_image_data(rgb).map_err(encode)?;
    writer.finish().map_err(encode)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    const KEYS: [&str; 7] = [
        "customer_focus",
        "ownership",
        "action",
        "result",
        "structure",
        "authenticity",
        "reflection",
    ];
    const MAXES: [u8; 7] = [20, 15, 20, 20, 10, 10, 5];

    fn start() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-01T08:30:00Z")
            .expect("a valid timestamp")
            .with_timezone(&Utc)
    }

    /// A point whose dimensions score `fraction` of their maxima and whose total is `total`.
    fn point(at: DateTime<Utc>, total: u8, fraction: f64) -> ChartPoint {
        ChartPoint {
            at,
            total,
            dimensions: KEYS
                .iter()
                .zip(MAXES)
                .map(|(key, max)| ((*key).to_owned(), (f64::from(max) * fraction) as u8, max))
                .collect(),
        }
    }

    /// `n` daily answers whose scores wander up and down.
    fn daily(n: usize) -> Vec<ChartPoint> {
        (0..n)
            .map(|i| {
                let wave = (i as f64 / 9.0).sin() * 0.35 + 0.55;
                point(
                    start() + Duration::days(i as i64),
                    (wave * 100.0) as u8,
                    wave,
                )
            })
            .collect()
    }

    fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().expect("the chart is a PNG");
        let mut pixels = vec![0; reader.output_buffer_size().expect("a sane size")];
        let info = reader.next_frame(&mut pixels).expect("the PNG decodes");
        pixels.truncate(info.buffer_size());
        (info.width, info.height, pixels)
    }

    fn tz() -> Tz {
        "Europe/Berlin".parse().expect("a known zone")
    }

    /// Renders in both text modes, checks each PNG, and returns the decoded pixels of each.
    fn render_both(points: &[ChartPoint]) -> Vec<Vec<u8>> {
        let mut modes = vec![Text::Off];
        if font_available() {
            modes.push(Text::On);
        }
        modes
            .into_iter()
            .map(|mode| {
                let png = render(points, tz(), mode)
                    .unwrap_or_else(|e| panic!("{mode:?}: rendering failed: {e}"));
                let (width, height, pixels) = decode(&png);
                assert_eq!((width, height), (WIDTH, HEIGHT), "{mode:?}");
                pixels
            })
            .collect()
    }

    #[test]
    fn an_empty_history_is_an_error_not_a_blank_image() {
        assert!(matches!(history_chart(&[], tz()), Err(ChartError::Empty)));
        assert!(matches!(
            render(&[], tz(), Text::Off),
            Err(ChartError::Empty)
        ));
    }

    #[test]
    fn the_public_entry_point_returns_a_png_of_the_documented_size() {
        let png = history_chart(&daily(10), tz()).expect("a chart");
        let (width, height, _) = decode(&png);
        assert_eq!((width, height), (WIDTH, HEIGHT));
    }

    #[test]
    fn histories_of_every_awkward_shape_render() {
        let same = start();
        let cases: Vec<(&str, Vec<ChartPoint>)> = vec![
            ("one answer", vec![point(same, 62, 0.6)]),
            (
                "two answers at the same instant",
                vec![point(same, 40, 0.4), point(same, 80, 0.8)],
            ),
            ("a year of daily answers", daily(365)),
            (
                "365 answers at the same instant",
                (0..365).map(|_| point(same, 55, 0.5)).collect(),
            ),
            ("answers out of order", {
                let mut v = daily(20);
                v.reverse();
                v
            }),
            (
                "two answers a minute apart",
                vec![
                    point(same, 30, 0.3),
                    point(same + Duration::minutes(1), 90, 0.9),
                ],
            ),
            (
                "two answers years apart",
                vec![
                    point(same, 30, 0.3),
                    point(same + Duration::days(3 * 365), 90, 0.9),
                ],
            ),
            (
                "every score zero",
                vec![point(same, 0, 0.0), point(same + Duration::days(1), 0, 0.0)],
            ),
            (
                "every score full",
                vec![
                    point(same, 100, 1.0),
                    point(same + Duration::days(1), 100, 1.0),
                ],
            ),
            (
                "scores beyond their maximum",
                vec![ChartPoint {
                    at: same,
                    total: 255,
                    dimensions: vec![("ownership".into(), 200, 10)],
                }],
            ),
            (
                "a dimension whose maximum is zero",
                vec![ChartPoint {
                    at: same,
                    total: 50,
                    dimensions: vec![("ownership".into(), 3, 0), ("action".into(), 5, 10)],
                }],
            ),
            (
                "no dimensions at all",
                vec![ChartPoint {
                    at: same,
                    total: 50,
                    dimensions: vec![],
                }],
            ),
            (
                "more dimensions than colours and legend rows",
                vec![ChartPoint {
                    at: same,
                    total: 50,
                    dimensions: (0..20).map(|i| (format!("extra_{i}"), i, 20)).collect(),
                }],
            ),
            (
                "dimensions that change between answers",
                vec![
                    ChartPoint {
                        at: same,
                        total: 40,
                        dimensions: vec![("old_key".into(), 2, 4)],
                    },
                    point(same + Duration::days(2), 70, 0.7),
                ],
            ),
            (
                "the earliest representable instant",
                vec![point(DateTime::<Utc>::MIN_UTC, 50, 0.5)],
            ),
            (
                "the latest representable instant",
                vec![point(DateTime::<Utc>::MAX_UTC, 50, 0.5)],
            ),
        ];
        for (name, points) in cases {
            let result = std::panic::catch_unwind(|| render_both(&points));
            assert!(result.is_ok(), "{name}: rendering panicked or failed");
        }
    }

    #[test]
    fn different_histories_give_different_pictures() {
        let rising: Vec<ChartPoint> = (0..5)
            .map(|i| {
                point(
                    start() + Duration::days(i),
                    20 + 15 * i as u8,
                    0.2 + 0.15 * i as f64,
                )
            })
            .collect();
        let falling: Vec<ChartPoint> = (0..5)
            .map(|i| {
                point(
                    start() + Duration::days(i),
                    80 - 15 * i as u8,
                    0.8 - 0.15 * i as f64,
                )
            })
            .collect();
        for (a, b) in render_both(&rising)
            .iter()
            .zip(render_both(&falling).iter())
        {
            assert_ne!(a, b);
        }
    }

    #[test]
    fn a_single_answer_is_drawn_as_visible_markers() {
        // The total marker is the only thing drawn in the total colour; if it were missing (a
        // one-point line draws nothing), no pixel would have that colour.
        let pixels = &render_both(&[point(start(), 62, 0.6)])[0];
        let has_total_colour = pixels
            .chunks_exact(3)
            .any(|px| px == [TOTAL.0, TOTAL.1, TOTAL.2]);
        assert!(has_total_colour);
    }

    #[test]
    fn the_background_is_dark() {
        let pixels = &render_both(&daily(3))[0];
        let corner = &pixels[0..3];
        assert_eq!(corner, [BACKGROUND.0, BACKGROUND.1, BACKGROUND.2]);
    }

    #[test]
    fn ticks_fall_on_local_midnights_and_hours() {
        let berlin = tz();
        let at = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .expect("a valid timestamp")
                .timestamp()
        };
        // (from, to, expected format, expected local tick labels)
        let cases = [
            (
                "2026-03-01T00:00:00Z",
                "2026-03-06T12:00:00Z",
                "%b %-d",
                vec!["Mar 2", "Mar 3", "Mar 4", "Mar 5", "Mar 6"],
            ),
            (
                "2026-03-28T20:00:00Z",
                "2026-03-29T08:00:00Z",
                "%b %-d %H:%M",
                // The clocks go forward at 02:00 local time on March 29; 02:00 does not exist.
                vec![
                    "Mar 28 22:00",
                    "Mar 29 00:00",
                    "Mar 29 04:00",
                    "Mar 29 06:00",
                    "Mar 29 08:00",
                    "Mar 29 10:00",
                ],
            ),
            (
                "2025-11-01T00:00:00Z",
                "2026-10-31T00:00:00Z",
                "%b %Y",
                vec!["Jan 2026", "Mar 2026", "May 2026", "Jul 2026", "Sep 2026"],
            ),
        ];
        for (from, to, format, expected) in cases {
            let (ticks, got_format) = time_ticks(at(from), at(to), berlin);
            assert_eq!(got_format, format, "{from}..{to}");
            let labels: Vec<String> = ticks
                .iter()
                .map(|t| {
                    DateTime::from_timestamp(*t, 0)
                        .expect("in range")
                        .with_timezone(&berlin)
                        .format(format)
                        .to_string()
                })
                .collect();
            assert_eq!(labels, expected, "{from}..{to}");
        }
    }

    #[test]
    fn dimension_keys_become_readable_names() {
        let cases = [
            ("customer_focus", "Customer focus"),
            ("ownership", "Ownership"),
            ("", ""),
        ];
        for (key, name) in cases {
            assert_eq!(crate::domain::rubric::dimension_label(key), name);
        }
    }
}
