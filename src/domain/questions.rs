//! The question pool's types and its linter: pure parsing and validation of question files.
//!
//! A question file is TOML with one `[[question]]` table per question (see `questions/*.toml`).
//! Parsing never stops at the first problem: every mistake in every file is reported as
//! `file:line: reason`, so an author fixes a whole pool in one pass instead of one error per run.
//! This module reads no files itself; `crate::question_files` does the I/O and calls in here.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};
use toml::Spanned;

/// The longest question text, in characters. Questions are posted as the description of a
/// Discord embed; the embed allows far more, but a prompt longer than this stops being one
/// question and reads as a wall of text on a phone. (Modal labels are cut to 45 characters by
/// the bot, so this limit is about the embed, not the modal.)
pub const MAX_TEXT_CHARS: usize = 300;

/// The longest follow-up probe, in characters. Probes are shown as short bullet lines under the
/// question, so they must stay a single spoken sentence.
pub const MAX_PROBE_CHARS: usize = 160;

/// The most follow-up probes one question may carry; an interviewer rarely gets to more.
pub const MAX_PROBES: usize = 3;

/// The longest question id. Ids end up inside Discord component custom ids (100 characters in
/// all, shared with a prefix and other data), so they are kept well below that.
pub const MAX_ID_CHARS: usize = 48;

/// The fields a `[[question]]` table may have, in the order they are documented.
const FIELDS: [&str; 5] = ["id", "text", "customers", "themes", "probes"];

/// One behavioral interview question from the pool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// Stable identifier such as `co-root-cause-01`; never changes once published, because the
    /// rotation and members' histories refer to questions by id.
    pub id: String,
    /// The question as posted, trimmed of surrounding whitespace.
    pub text: String,
    /// Whom the story in the answer is expected to serve; at least one.
    pub customers: Vec<CustomerType>,
    /// What the question probes for; at least one.
    pub themes: Vec<Theme>,
    /// One to three follow-up questions an interviewer would ask.
    pub probes: Vec<String>,
}

/// Who the "customer" of a question is. Amazon uses the word for anyone a person serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerType {
    /// Someone who uses the product directly.
    EndUser,
    /// A business selling through the platform.
    Seller,
    /// Another team that depends on the candidate's team's work.
    PartnerTeam,
    /// A colleague, manager or internal user of a tool.
    InternalStakeholder,
}

/// What aspect of Customer Obsession a question probes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    /// Finding the real problem behind the literal request.
    RootCause,
    /// Saying no, or disagreeing, on the customer's behalf.
    PushingBack,
    /// Weighing customer needs against business, cost or time.
    BalancingGoals,
    /// Solving the need in a way nobody asked for.
    UnexpectedSolution,
    /// Seeking out and acting on what customers say.
    Feedback,
    /// Doing what was not one's job for the customer.
    BeyondScope,
    /// Winning back or keeping a customer's trust.
    EarningTrust,
}

impl CustomerType {
    /// Every customer type, in declaration order.
    pub const ALL: [CustomerType; 4] = [
        CustomerType::EndUser,
        CustomerType::Seller,
        CustomerType::PartnerTeam,
        CustomerType::InternalStakeholder,
    ];

    /// The name used in question files and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerType::EndUser => "end_user",
            CustomerType::Seller => "seller",
            CustomerType::PartnerTeam => "partner_team",
            CustomerType::InternalStakeholder => "internal_stakeholder",
        }
    }

    /// The customer type with this file name, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

impl Theme {
    /// Every theme, in declaration order.
    pub const ALL: [Theme; 7] = [
        Theme::RootCause,
        Theme::PushingBack,
        Theme::BalancingGoals,
        Theme::UnexpectedSolution,
        Theme::Feedback,
        Theme::BeyondScope,
        Theme::EarningTrust,
    ];

    /// The name used in question files and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::RootCause => "root_cause",
            Theme::PushingBack => "pushing_back",
            Theme::BalancingGoals => "balancing_goals",
            Theme::UnexpectedSolution => "unexpected_solution",
            Theme::Feedback => "feedback",
            Theme::BeyondScope => "beyond_scope",
            Theme::EarningTrust => "earning_trust",
        }
    }

    /// The theme with this file name, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

impl fmt::Display for CustomerType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Theme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem in a question file, located by file name and 1-based line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LintError {
    /// The file name as the caller gave it (for example `questions/co_end_user.toml`).
    pub file: String,
    /// The 1-based line of the offending question or field; 0 when the problem concerns the
    /// pool as a whole rather than a place in a file.
    pub line: usize,
    /// What is wrong and how to fix it.
    pub reason: String,
}

impl fmt::Display for LintError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.reason)
        } else {
            write!(f, "{}:{}: {}", self.file, self.line, self.reason)
        }
    }
}

/// Parses one question file, returning the valid questions and every problem found.
///
/// Duplicate ids and texts inside this file are reported too; `check_pool` extends that check
/// across files.
pub fn parse_file(file_name: &str, contents: &str) -> (Vec<Question>, Vec<LintError>) {
    let parsed = parse_located(file_name, contents);
    let mut errors = parsed.errors;
    errors.extend(duplicates(&parsed.seen));
    errors.sort_by_key(|e| e.line);
    (parsed.questions, errors)
}

/// Parses every file, then checks the pool as a whole (duplicate ids and texts across files,
/// an empty pool). Returns the questions in file order, or every problem found, ordered by file
/// (as given) and line.
pub fn check_pool(files: &[(String, String)]) -> Result<Vec<Question>, Vec<LintError>> {
    if files.is_empty() {
        return Err(vec![LintError {
            file: "question pool".to_owned(),
            line: 0,
            reason: "the pool is empty; add a .toml file with at least one [[question]] table"
                .to_owned(),
        }]);
    }
    let mut questions = Vec::new();
    let mut seen = Vec::new();
    let mut errors = Vec::new();
    for (name, contents) in files {
        let parsed = parse_located(name, contents);
        questions.extend(parsed.questions);
        seen.extend(parsed.seen);
        errors.extend(parsed.errors);
    }
    errors.extend(duplicates(&seen));
    if !errors.is_empty() {
        // Group the report by file in the order the files were given, then by line, so it
        // reads top to bottom like the files themselves.
        let order: HashMap<&str, usize> = files
            .iter()
            .enumerate()
            .map(|(i, (name, _))| (name.as_str(), i))
            .collect();
        errors.sort_by_key(|e| (order.get(e.file.as_str()).copied(), e.line));
        return Err(errors);
    }
    Ok(questions)
}

/// Where a question's id and text were written, for the duplicate checks. Recorded even when
/// another field of the question is broken, so a duplicate id is reported in the same run as
/// the other problems instead of only after they are fixed.
struct Seen {
    file: String,
    /// The id and its line, when the id itself is valid.
    id: Option<(String, usize)>,
    /// The trimmed text and its line, when the text itself is valid.
    text: Option<(String, usize)>,
}

/// What one file yielded before the duplicate checks.
struct Parsed {
    /// The questions without any problem.
    questions: Vec<Question>,
    /// Every question's id and text, valid or not.
    seen: Vec<Seen>,
    errors: Vec<LintError>,
}

/// A TOML table whose keys and values remember where they were written.
type SpannedTable = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

/// The shape of a file once its top level is known to be well-formed.
#[derive(Deserialize)]
struct QuestionTables {
    #[serde(default)]
    question: Vec<Spanned<SpannedTable>>,
}

/// Turns byte offsets into 1-based line numbers.
struct Lines<'a>(&'a str);

impl Lines<'_> {
    fn of(&self, offset: usize) -> usize {
        let end = offset.min(self.0.len());
        // A span can in theory point inside a multi-byte character; counting bytes is still
        // right because '\n' is a single byte that never occurs inside another character.
        self.0.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    fn of_span(&self, span: Range<usize>) -> usize {
        self.of(span.start)
    }
}

/// Collects errors for one file with its name filled in.
struct Report<'a> {
    file: &'a str,
    errors: Vec<LintError>,
}

impl Report<'_> {
    fn push(&mut self, line: usize, reason: impl Into<String>) {
        self.errors.push(LintError {
            file: self.file.to_owned(),
            line,
            reason: reason.into(),
        });
    }
}

/// Parses a file without the duplicate checks, which depend on what else is in the pool.
fn parse_located(file_name: &str, contents: &str) -> Parsed {
    let lines = Lines(contents);
    let mut report = Report {
        file: file_name,
        errors: Vec::new(),
    };

    // First pass: the top level only, so syntax errors and stray keys are reported with their
    // lines before any assumption about the shape of `question` is made.
    let top: SpannedTable = match toml::from_str(contents) {
        Ok(top) => top,
        Err(e) => {
            let line = e.span().map_or(1, |s| lines.of_span(s));
            let message = e.message().lines().collect::<Vec<_>>().join("; ");
            report.push(line, format!("TOML syntax error: {message}"));
            return Parsed {
                questions: Vec::new(),
                seen: Vec::new(),
                errors: report.errors,
            };
        }
    };

    let mut tables_ok = false;
    let mut question_line = None;
    for (key, value) in &top {
        let line = lines.of_span(key.span());
        if key.get_ref() == "question" {
            question_line = Some(line);
            match value.get_ref() {
                toml::Value::Array(items) if items.iter().all(toml::Value::is_table) => {
                    tables_ok = true;
                }
                _ => report.push(
                    line,
                    "`question` must be a list of tables; start each question with [[question]] \
                     (double brackets)",
                ),
            }
        } else if key.get_ref().starts_with("question") {
            report.push(
                line,
                format!(
                    "unknown top-level key `{}`; did you mean [[question]]?",
                    key.get_ref()
                ),
            );
        } else {
            report.push(
                line,
                format!(
                    "unknown top-level key `{}`; a question file holds only [[question]] tables \
                     (is a field above its [[question]] header?)",
                    key.get_ref()
                ),
            );
        }
    }

    let mut questions = Vec::new();
    let mut seen = Vec::new();
    if tables_ok {
        // The first pass established that `question` is an array of tables, so this cannot
        // fail; should the toml crate ever disagree, say so rather than panic.
        match toml::from_str::<QuestionTables>(contents) {
            Ok(parsed) => {
                for table in parsed.question {
                    let (question, id_and_text) = check_question(&table, &lines, &mut report);
                    questions.extend(question);
                    seen.push(id_and_text);
                }
            }
            Err(e) => {
                let line = e.span().map_or(1, |s| lines.of_span(s));
                report.push(
                    line,
                    format!("could not read the questions: {}", e.message()),
                );
            }
        }
    }

    let defines_none = seen.is_empty() && report.errors.is_empty();
    if defines_none {
        report.push(
            question_line.unwrap_or(1),
            "no questions in this file; add a [[question]] table or remove the file",
        );
    }
    Parsed {
        questions,
        seen,
        errors: report.errors,
    }
}

/// Validates one `[[question]]` table, reporting every problem. Returns the question only when
/// it has none, and its id and text whenever those are valid on their own.
fn check_question(
    table: &Spanned<SpannedTable>,
    lines: &Lines<'_>,
    report: &mut Report<'_>,
) -> (Option<Question>, Seen) {
    let header_line = lines.of_span(table.span());
    let errors_before = report.errors.len();
    let fields: HashMap<&str, (usize, &toml::Value)> = table
        .get_ref()
        .iter()
        .map(|(k, v)| (k.get_ref().as_str(), (lines.of_span(k.span()), v.get_ref())))
        .collect();

    for key in table.get_ref().keys() {
        let name = key.get_ref();
        if !FIELDS.contains(&name.as_str()) {
            let hint = match suggest_field(name) {
                Some(field) => format!("did you mean `{field}`?"),
                None => format!("allowed fields are {}", FIELDS.join(", ")),
            };
            report.push(
                lines.of_span(key.span()),
                format!("unknown field `{name}`; {hint}"),
            );
        }
    }

    let id = required(
        &fields,
        "id",
        header_line,
        report,
        "id = \"co-root-cause-01\"",
    )
    .and_then(|(line, value)| check_id(line, value, report).map(|id| (line, id)));
    let text = required(
        &fields,
        "text",
        header_line,
        report,
        "text = \"Tell me about ...\"",
    )
    .and_then(|(line, value)| check_text(line, value, report).map(|t| (line, t)));
    let customers = required(
        &fields,
        "customers",
        header_line,
        report,
        "customers = [\"end_user\"]",
    )
    .and_then(|(line, value)| {
        check_tags(
            line,
            value,
            "customers",
            "customer type",
            CustomerType::ALL.map(|c| c.as_str()),
            CustomerType::from_name,
            report,
        )
    });
    let themes = required(
        &fields,
        "themes",
        header_line,
        report,
        "themes = [\"root_cause\"]",
    )
    .and_then(|(line, value)| {
        check_tags(
            line,
            value,
            "themes",
            "theme",
            Theme::ALL.map(|t| t.as_str()),
            Theme::from_name,
            report,
        )
    });
    let probes = required(
        &fields,
        "probes",
        header_line,
        report,
        "probes = [\"What did you learn?\"]",
    )
    .and_then(|(line, value)| check_probes(line, value, report));

    let seen = Seen {
        file: report.file.to_owned(),
        id: id.clone().map(|(line, id)| (id, line)),
        text: text.clone().map(|(line, text)| (text, line)),
    };
    if report.errors.len() != errors_before {
        return (None, seen);
    }
    let question = match (id, text, customers, themes, probes) {
        (Some((_, id)), Some((_, text)), Some(customers), Some(themes), Some(probes)) => {
            Some(Question {
                id,
                text,
                customers,
                themes,
                probes,
            })
        }
        _ => None,
    };
    (question, seen)
}

/// Looks up a required field, reporting it at the question's header line when missing.
fn required<'v>(
    fields: &HashMap<&str, (usize, &'v toml::Value)>,
    name: &str,
    header_line: usize,
    report: &mut Report<'_>,
    example: &str,
) -> Option<(usize, &'v toml::Value)> {
    let found = fields.get(name).copied();
    if found.is_none() {
        report.push(
            header_line,
            format!("question has no `{name}`; add a line like {example}"),
        );
    }
    found
}

/// Names a known field an unknown one was probably meant to be: a singular for a plural, a
/// common synonym, or the same name in another case.
fn suggest_field(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    let synonym = match lower.as_str() {
        "question" | "prompt" | "body" | "title" => Some("text"),
        "tags" | "topics" | "theme" => Some("themes"),
        "customer" | "audience" => Some("customers"),
        "probe" | "follow_ups" | "followups" | "follow_up" | "followup" => Some("probes"),
        "key" | "name" => Some("id"),
        _ => None,
    };
    synonym.or_else(|| FIELDS.into_iter().find(|f| *f == lower))
}

/// A string field, or a report that it has the wrong type.
fn expect_str<'v>(
    line: usize,
    value: &'v toml::Value,
    field: &str,
    report: &mut Report<'_>,
) -> Option<&'v str> {
    match value.as_str() {
        Some(s) => Some(s),
        None => {
            report.push(
                line,
                format!(
                    "`{field}` must be a string in quotes, not {}",
                    describe(value)
                ),
            );
            None
        }
    }
}

/// A list-of-strings field, or a report that it (or one of its items) has the wrong type.
fn expect_str_list<'v>(
    line: usize,
    value: &'v toml::Value,
    field: &str,
    example: &str,
    report: &mut Report<'_>,
) -> Option<Vec<&'v str>> {
    let Some(items) = value.as_array() else {
        report.push(
            line,
            format!(
                "`{field}` must be a list in brackets, like {example}, not {}",
                describe(value)
            ),
        );
        return None;
    };
    let mut strings = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match item.as_str() {
            Some(s) => strings.push(s),
            None => {
                report.push(
                    line,
                    format!(
                        "item {} of `{field}` must be a string in quotes, not {}",
                        i + 1,
                        describe(item)
                    ),
                );
                return None;
            }
        }
    }
    Some(strings)
}

/// How a TOML value looks to an author, for "wrong type" messages.
fn describe(value: &toml::Value) -> &'static str {
    match value {
        toml::Value::String(_) => "a string",
        toml::Value::Integer(_) => "a number",
        toml::Value::Float(_) => "a number",
        toml::Value::Boolean(_) => "true/false",
        toml::Value::Datetime(_) => "a date",
        toml::Value::Array(_) => "a list",
        toml::Value::Table(_) => "a table",
    }
}

/// Whether an id is well-formed: lowercase ASCII words of letters and digits joined by single
/// hyphens, starting with a letter. Such ids are safe in URLs, custom ids and file names.
pub fn is_valid_id(id: &str) -> bool {
    id.len() <= MAX_ID_CHARS
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id.split('-').all(|w| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

fn check_id(line: usize, value: &toml::Value, report: &mut Report<'_>) -> Option<String> {
    let id = expect_str(line, value, "id", report)?;
    if is_valid_id(id) {
        Some(id.to_owned())
    } else {
        report.push(
            line,
            format!(
                "invalid id `{id}`; use lowercase letters, digits and single hyphens, starting \
                 with a letter, at most {MAX_ID_CHARS} characters (like co-root-cause-01)"
            ),
        );
        None
    }
}

fn check_text(line: usize, value: &toml::Value, report: &mut Report<'_>) -> Option<String> {
    let text = expect_str(line, value, "text", report)?.trim();
    let chars = text.chars().count();
    if text.is_empty() {
        report.push(line, "`text` is empty; write the question");
        None
    } else if chars > MAX_TEXT_CHARS {
        report.push(
            line,
            format!(
                "`text` is {chars} characters; shorten it to at most {MAX_TEXT_CHARS} so it fits \
                 the daily post"
            ),
        );
        None
    } else {
        Some(text.to_owned())
    }
}

/// Checks a list of tag names against the known values, reporting unknown, repeated and
/// missing tags.
fn check_tags<T: Copy + PartialEq>(
    line: usize,
    value: &toml::Value,
    field: &str,
    kind: &str,
    known: impl IntoIterator<Item = &'static str>,
    from_name: fn(&str) -> Option<T>,
    report: &mut Report<'_>,
) -> Option<Vec<T>> {
    let known: Vec<&str> = known.into_iter().collect();
    let example = format!("{field} = [\"{}\"]", known[0]);
    let names = expect_str_list(line, value, field, &example, report)?;
    if names.is_empty() {
        report.push(
            line,
            format!(
                "`{field}` is empty; list at least one of {}",
                known.join(", ")
            ),
        );
        return None;
    }
    let mut tags = Vec::with_capacity(names.len());
    let mut ok = true;
    for name in names {
        match from_name(name) {
            Some(tag) if tags.contains(&tag) => {
                report.push(line, format!("`{field}` lists `{name}` twice; remove one"));
                ok = false;
            }
            Some(tag) => tags.push(tag),
            None => {
                report.push(
                    line,
                    format!("unknown {kind} `{name}`; use one of {}", known.join(", ")),
                );
                ok = false;
            }
        }
    }
    ok.then_some(tags)
}

fn check_probes(line: usize, value: &toml::Value, report: &mut Report<'_>) -> Option<Vec<String>> {
    let probes = expect_str_list(line, value, "probes", "probes = [\"Why?\"]", report)?;
    if probes.is_empty() || probes.len() > MAX_PROBES {
        report.push(
            line,
            format!(
                "`probes` has {} entries; give 1 to {MAX_PROBES} follow-up questions",
                probes.len()
            ),
        );
        return None;
    }
    let mut ok = true;
    for (i, probe) in probes.iter().enumerate() {
        let chars = probe.trim().chars().count();
        if chars == 0 {
            report.push(
                line,
                format!("probe {} is empty; write the follow-up or remove it", i + 1),
            );
            ok = false;
        } else if chars > MAX_PROBE_CHARS {
            report.push(
                line,
                format!(
                    "probe {} is {chars} characters; shorten it to at most {MAX_PROBE_CHARS}",
                    i + 1
                ),
            );
            ok = false;
        }
    }
    ok.then(|| probes.iter().map(|p| p.trim().to_owned()).collect())
}

/// Reports ids used more than once and questions whose text repeats another's, each at the
/// later occurrence and naming the earlier one, so both places are in the message.
fn duplicates(seen: &[Seen]) -> Vec<LintError> {
    let mut errors = Vec::new();
    let mut ids: HashMap<&str, (&str, usize)> = HashMap::new();
    let mut texts: HashMap<String, (&str, &str, usize)> = HashMap::new();
    for s in seen {
        if let Some((id, line)) = &s.id {
            if let Some((first_file, first_line)) = ids.get(id.as_str()) {
                errors.push(LintError {
                    file: s.file.clone(),
                    line: *line,
                    reason: format!(
                        "duplicate id `{id}`, already used at {first_file}:{first_line}; give \
                         this question a new id"
                    ),
                });
            } else {
                ids.insert(id, (&s.file, *line));
            }
        }
        if let Some((text, line)) = &s.text {
            // Texts are compared ignoring case and spacing: a reflowed copy is still a copy.
            let normalized = text
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase();
            // Name the earlier question by id when it has a valid one, else by place only.
            let this_id = s.id.as_ref().map_or("", |(id, _)| id.as_str());
            if let Some((first_id, first_file, first_line)) = texts.get(&normalized) {
                let name = if first_id.is_empty() {
                    "another question".to_owned()
                } else {
                    format!("`{first_id}`")
                };
                errors.push(LintError {
                    file: s.file.clone(),
                    line: *line,
                    reason: format!(
                        "same text as {name} at {first_file}:{first_line}; reword one of them \
                         or remove this one"
                    ),
                });
            } else {
                texts.insert(normalized, (this_id, &s.file, *line));
            }
        }
    }
    errors
}

#[cfg(test)]
mod tests;
