//! Reads an answer: tokens, sentences, clause subjects and tense, and per-sentence cues.
//!
//! Everything here is linear in the input and ignores whitespace entirely (a run of spaces, tabs or
//! newlines is never a token), so reformatting an answer cannot change what the rubric sees. Token
//! positions are byte offsets into the original answer, so evidence is always an exact substring.

use super::lexicon::{cat::*, phrases_starting, word_cats};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Kind {
    Word,
    Num,
    Punct,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Tok {
    pub start: usize,
    pub end: usize,
    ls: usize,
    le: usize,
    pub kind: Kind,
    pub cats: u64,
    pub cap: bool,
    pub ch: char,
    /// A number that measures something (not a year, not a step label).
    pub metric: bool,
}

/// Where a sentence sits in the problem, action, result, reflection arc.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(super) enum Role {
    #[default]
    Problem,
    Action,
    Result,
    Reflect,
}

/// A half-open range of token indices.
pub(super) type Span = (usize, usize);

/// Cue counts for one sentence; the scorer sums them over parts of the answer.
#[derive(Default, Debug, Clone)]
pub(super) struct Feat {
    pub i_act: u32,
    /// First-person actions that only communicate ("I told", "I apologised").
    pub i_comm: u32,
    pub we_act: u32,
    pub other_act: u32,
    pub i_state: u32,
    pub we_state: u32,
    pub hyp: u32,
    pub general: u32,
    pub present: u32,
    pub you: u32,
    pub assigned: u32,
    pub customer: f32,
    pub root: u32,
    /// Root-cause work that heard the customer directly: calls, visits, interviews, shadowing.
    pub voice: u32,
    pub result_cue: u32,
    pub problem_cue: u32,
    /// Problem cues that name a pain by themselves ("complained", "broken", "late"), unlike
    /// generic ones ("didn't", "still", "needed") that only do so next to a customer.
    pub pain: u32,
    pub outcome: u32,
    pub second_order: u32,
    pub reflect: u32,
    pub buzz: u32,
    pub artifact: u32,
    pub tradeoff: u32,
    pub time_anchor: u32,
    pub vague: u32,
    pub weak_verb: u32,
    /// Hand-offs by the candidate or their team ("escalated to", "pinged my lead", "logged a ticket"):
    /// they earn no action credit.
    pub escalate: u32,
    /// Claims about oneself told as if they were acts ("I took ownership", "I took it seriously").
    pub claim: u32,
    /// Fixes or deliveries done by someone else ("the platform team deployed a patch").
    pub other_fix: u32,
    /// First-person actions told in the present tense ("so I sit with the seller"): narration of a
    /// real event when the story is anchored in the past, a habit otherwise (decided in `scoring`).
    pub i_present: u32,
    /// Process steps that deliver nothing by themselves ("put it on the roadmap").
    pub process: u32,
    /// Work told in the passive with no actor ("a fix was deployed"): whose it was stays hidden.
    pub passive: u32,
    /// First-person actions that are effort or a vague verb rather than a step ("I stayed late",
    /// "I worked on", "I kept chasing").
    pub i_weak: u32,
    /// The candidate does not know the outcome ("I'm not sure it helped", "never heard back").
    pub unknown: u32,
    /// Turns away from what came before ("Instead", "that wasn't fair").
    pub reject: u32,
    /// "Billing would contact her": a promise about what someone else will do is not a result.
    pub other_modal: u32,
    /// First-person verbs of change ("I increased", "I cut"): in a sentence with a number they
    /// claim a result rather than tell a step.
    pub i_change: u32,
    pub blame: u32,
    /// Sizes without a measure ("went down a lot", "much happier", "significantly"): an
    /// unmeasured result told this way is a vague result.
    pub vague_size: u32,
    pub gain: u32,
    pub beyond: u32,
    pub empathy: u32,
    pub metrics: f32,
    pub numbers: u32,
    pub numwords: u32,
    pub before_after: bool,
    pub proper: u32,
    pub i_spans: Vec<Span>,
    pub ip_spans: Vec<Span>,
    pub we_spans: Vec<Span>,
    pub hyp_spans: Vec<Span>,
    pub flag_spans: Vec<(u64, Span)>,
}

#[derive(Debug)]
pub(super) struct Sent {
    pub t0: usize,
    pub t1: usize,
    pub heading: Option<Role>,
    pub words: u32,
    pub role: Role,
    pub is_problem: bool,
    pub is_action: bool,
    pub is_result: bool,
    pub is_reflect: bool,
    pub restates_question: bool,
    pub f: Feat,
}

pub(super) struct Doc<'a> {
    pub text: &'a str,
    lower: String,
    pub toks: Vec<Tok>,
    pub sents: Vec<Sent>,
    pub words: usize,
}

impl<'a> Doc<'a> {
    pub fn low(&self, i: usize) -> &str {
        let t = &self.toks[i];
        &self.lower[t.ls..t.le]
    }

    /// The exact substring of the answer covered by a token span.
    pub fn slice(&self, s: Span) -> &'a str {
        if s.0 >= s.1 || s.1 > self.toks.len() {
            return "";
        }
        &self.text[self.toks[s.0].start..self.toks[s.1 - 1].end]
    }

    pub fn parse(text: &'a str, question: Option<&str>) -> Doc<'a> {
        let (toks, lower) = tokenize(text);
        // Length counts every word said, fillers included: they take the listener's time too.
        let words = toks.iter().filter(|t| t.kind != Kind::Punct).count();
        let toks = drop_fillers(toks, &lower);
        let mut doc = Doc {
            text,
            lower,
            toks,
            sents: Vec::new(),
            words,
        };
        doc.classify_numbers();
        doc.split_sentences();
        let mut subj = Subj::None;
        for k in 0..doc.sents.len() {
            let (t0, t1) = (doc.sents[k].t0, doc.sents[k].t1);
            let (mut f, s) = analyse_sentence(&doc, t0, t1, subj);
            f.vague_size = vague_sizes(&doc, t0, t1);
            subj = s;
            doc.sents[k].f = f;
        }
        if let Some(q) = question {
            doc.mark_restatements(q);
        }
        doc.assign_roles();
        doc
    }

    fn classify_numbers(&mut self) {
        for i in 0..self.toks.len() {
            if self.toks[i].kind != Kind::Num {
                continue;
            }
            let low = self.low(i).as_bytes();
            let has_suffix = low
                .iter()
                .any(|c| !c.is_ascii_digit() && *c != b'.' && *c != b',');
            let money = i > 0 && matches!(self.toks[i - 1].ch, '$' | '€' | '£');
            let year = !has_suffix
                && !money
                && low.len() == 4
                && (low.starts_with(b"19") || low.starts_with(b"20"));
            // Step and version labels ("step 2", "v2", "P1") and list markers are not measurements.
            let label = i > 0
                && self.toks[i - 1].kind == Kind::Word
                && matches!(
                    self.low(i - 1),
                    "step"
                        | "version"
                        | "v"
                        | "p"
                        | "sev"
                        | "phase"
                        | "level"
                        | "tier"
                        | "round"
                        | "sprint"
                );
            let list_marker = i + 1 < self.toks.len()
                && matches!(self.toks[i + 1].ch, ')' | '.')
                && (i == 0 || self.toks[i - 1].kind == Kind::Punct);
            self.toks[i].metric = !year && !label && !list_marker && !self.period(i);
        }
    }

    /// "over the three years", "for 2 weeks", "after six months": a stretch of time the story
    /// spans, not a measured result (unlike "fixed within 2 days").
    fn period(&self, i: usize) -> bool {
        let unit = self.toks.get(i + 1).is_some_and(|n| {
            n.kind == Kind::Word
                && matches!(
                    self.low(i + 1),
                    "day"
                        | "days"
                        | "week"
                        | "weeks"
                        | "month"
                        | "months"
                        | "year"
                        | "years"
                        | "quarter"
                        | "quarters"
                )
        });
        let mut j = i;
        while j > 0
            && matches!(
                self.low(j - 1),
                "the" | "about" | "nearly" | "almost" | "roughly"
            )
        {
            j -= 1;
        }
        unit && j > 0
            && matches!(
                self.low(j - 1),
                "over" | "for" | "after" | "during" | "throughout"
            )
    }

    fn split_sentences(&mut self) {
        let n = self.toks.len();
        let mut start = 0;
        let mut heading: Option<Role> = None;
        let mut i = 0;
        // Whether only punctuation (bullets, quotes) came since the sentence began.
        let mut at_start = true;
        while i < n {
            let t = self.toks[i];
            if i == start {
                at_start = true;
            }
            if t.kind == Kind::Word
                && t.cap
                && let Some((role, skip)) = self.heading_at(i, at_start)
            {
                if start < i {
                    self.push_sent(start, i, heading.take());
                }
                heading = Some(role);
                i += skip;
                start = i;
                continue;
            }
            if t.kind != Kind::Punct {
                at_start = false;
            }
            if t.kind == Kind::Punct && is_sentence_end(self, i) {
                let mut j = i + 1;
                while j < n && self.toks[j].kind == Kind::Punct && is_terminal(self.toks[j].ch) {
                    j += 1;
                }
                self.push_sent(start, j, heading.take());
                start = j;
                i = j;
                continue;
            }
            i += 1;
        }
        if start < n {
            self.push_sent(start, n, heading.take());
        }
    }

    /// A heading such as "Situation:" or "Result -" (or "Action I called...", newlines being
    /// invisible here) opens a labelled part. Returns the part and the tokens it spans.
    fn heading_at(&self, i: usize, at_start: bool) -> Option<(Role, usize)> {
        let c = self.toks[i].cats;
        let role = if c & HEAD_PROBLEM != 0 {
            Role::Problem
        } else if c & HEAD_ACTION != 0 {
            Role::Action
        } else if c & HEAD_RESULT != 0 {
            Role::Result
        } else if c & HEAD_REFLECT != 0 {
            Role::Reflect
        } else {
            return None;
        };
        let single = self.toks[i].end - self.toks[i].start == 1;
        let mut j = i + 1;
        while j < self.toks.len() && matches!(self.toks[j].ch, '*' | '_' | ')' | ']') {
            j += 1;
        }
        let next = self.toks.get(j)?;
        if next.kind == Kind::Punct && matches!(next.ch, ':' | '-' | '–' | '—') {
            if single && !at_start {
                return None;
            }
            return Some((role, j + 1 - i));
        }
        // Without a colon, a heading is recognised by what follows it: a pronoun or a number anywhere
        // ("... as PM Action I interviewed"), or any capitalised word at the start of a sentence.
        if single {
            return None;
        }
        let pronoun_or_number = next.kind == Kind::Num
            || next.kind == Kind::Word
                && next.cats & (I_SUBJ | WE_SUBJ) != 0
                && self.low(j) != "i'd";
        if pronoun_or_number || at_start && next.kind == Kind::Word && next.cap {
            return Some((role, j - i));
        }
        None
    }

    fn push_sent(&mut self, t0: usize, t1: usize, heading: Option<Role>) {
        let words = self.toks[t0..t1]
            .iter()
            .filter(|t| t.kind != Kind::Punct)
            .count() as u32;
        if words == 0 && heading.is_none() {
            return;
        }
        self.sents.push(Sent {
            t0,
            t1,
            heading,
            words,
            role: Role::Problem,
            is_problem: false,
            is_action: false,
            is_result: false,
            is_reflect: false,
            restates_question: false,
            f: Feat::default(),
        });
    }

    fn mark_restatements(&mut self, question: &str) {
        let (qt, ql) = tokenize(question);
        let qwords: Vec<&str> = qt
            .iter()
            .filter(|t| t.kind == Kind::Word && t.le - t.ls > 3)
            .map(|t| &ql[t.ls..t.le])
            .collect();
        if qwords.len() < 3 {
            return;
        }
        for k in 0..self.sents.len() {
            let s = &self.sents[k];
            let mut long = 0;
            let mut shared = 0;
            for i in s.t0..s.t1 {
                if self.toks[i].kind == Kind::Word && self.toks[i].le - self.toks[i].ls > 3 {
                    long += 1;
                    if qwords.contains(&self.low(i)) {
                        shared += 1;
                    }
                }
            }
            let restates = long >= 3 && shared * 10 >= long * 7 && s.f.i_act == 0;
            self.sents[k].restates_question = restates;
        }
    }

    fn assign_roles(&mut self) {
        let n = self.sents.len().max(1) as f32;
        // A lone "Context:" heading labels the setting only: once the candidate starts acting,
        // the rest of the story is read by its content.
        // A closing "Lesson:" heading does not split the story itself into parts.
        let later_headings = self
            .sents
            .iter()
            .any(|s| matches!(s.heading, Some(Role::Action | Role::Result)));
        let mut section: Option<Role> = None;
        let mut prev = Role::Problem;
        let mut acted = false;
        for k in 0..self.sents.len() {
            let pos = (k as f32 + 0.5) / n;
            let s = &mut self.sents[k];
            if s.heading.is_some() {
                section = s.heading;
            } else if section == Some(Role::Problem)
                && !later_headings
                && s.f.i_act + s.f.we_act > 0
            {
                section = None;
            }
            let f = &s.f;
            // A result told in the conditional ("they would be happy") is not a result. Whether a
            // sentence can be a result depends only on what came before it (an action, or two
            // sentences of setup), so cutting the end of an answer never turns setup into results.
            // In a sentence that narrates the candidate's own step, a change verb alone ("found that
            // 45% dropped off") is more often diagnosis than outcome: it needs a before/after or an
            // outcome word to count as a result.
            // A lasting change told after the candidate acted ("It is now standard in our office
            // that…") is a result too.
            // After the work, "crash rate went back under 0.5%, and I replied to every review"
            // leads with a measured change that is not the candidate's own clause.
            let cue = if f.i_act > 0 {
                f.outcome > 0
                    || f.before_after
                    || acted && f.result_cue > 0 && f.metrics > 0.0 && f.other_act > 0
            } else {
                f.result_cue > 0 || f.outcome > 0 || f.before_after || acted && f.second_order > 0
            };
            let resultish = cue && f.hyp == 0 && f.other_modal == 0;
            let setup_pain = !acted && f.problem_cue > f.result_cue + f.outcome;
            s.is_reflect = (f.reflect > 0 && pos >= 0.4) || section == Some(Role::Reflect);
            s.is_result = section == Some(Role::Result)
                || (section.is_none()
                    && resultish
                    && (acted || k >= 2 && (f.outcome > 0 || f.before_after))
                    && !setup_pain);
            s.is_action =
                section == Some(Role::Action) || f.i_act + f.we_act + f.escalate + f.i_present > 0;
            s.is_problem = section == Some(Role::Problem)
                || (section.is_none()
                    && pos < 0.5
                    && !s.is_result
                    && (f.problem_cue > 0 || f.customer > 0.0 || k == 0));
            if s.restates_question {
                s.is_problem = false;
                s.is_action = false;
                s.is_result = false;
                s.is_reflect = false;
            }
            // "I worked at a utility" introduces the candidate; it is not a step that a result
            // could follow.
            acted |= s.is_action
                && section != Some(Role::Problem)
                && (f.i_act > f.i_weak + f.i_comm
                    || f.we_act + f.escalate + f.i_present > 0
                    || section == Some(Role::Action));
            s.role = match section {
                Some(Role::Result) if s.is_reflect && f.reflect > 0 => Role::Reflect,
                Some(r) => r,
                None if s.is_reflect => Role::Reflect,
                None if s.is_result && (f.i_act == 0 || f.metrics > 0.0) => Role::Result,
                None if s.is_action => Role::Action,
                None if s.is_problem => Role::Problem,
                None => prev,
            };
            prev = s.role;
        }
    }
}

fn is_terminal(c: char) -> bool {
    matches!(
        c,
        '.' | '!' | '?' | '…' | ';' | '•' | '·' | '。' | '！' | '？'
    )
}

fn is_sentence_end(doc: &Doc, i: usize) -> bool {
    let t = doc.toks[i];
    if !is_terminal(t.ch) {
        return false;
    }
    // "one a.m.": the "a." of a time, not the article ending a sentence.
    if t.ch == '.'
        && i > 0
        && doc.low(i - 1) == "a"
        && doc.toks.get(i + 1).is_some_and(|n| n.kind == Kind::Word)
        && doc.low(i + 1) == "m"
    {
        return false;
    }
    if t.ch == '.'
        && i > 0
        && doc.toks[i - 1].kind == Kind::Word
        && doc.toks[i - 1].cats & ABBREV != 0
    {
        // "e.g." or "Dr." end a sentence only when a capitalised word follows.
        return doc
            .toks
            .get(i + 1)
            .is_none_or(|n| n.cap && n.end - n.start > 1);
    }
    true
}

/// Splits text into word, number and punctuation tokens, and builds the lower-case copy they index.
/// Removes what a speaker says while thinking ("um", "uh") and asides set off by commas
/// (", like,", ", you know,", ", I think,"), so that a transcript reads like the story it tells.
fn drop_fillers(toks: Vec<Tok>, lower: &str) -> Vec<Tok> {
    let low = |t: &Tok| &lower[t.ls..t.le];
    let comma = |t: Option<&Tok>| t.is_some_and(|t| t.kind == Kind::Punct && t.ch == ',');
    let mut keep = vec![true; toks.len()];
    for (k, t) in toks.iter().enumerate() {
        if t.kind != Kind::Word {
            continue;
        }
        let before = k.checked_sub(1).and_then(|j| toks.get(j));
        match low(t) {
            "um" | "umm" | "uh" | "uhh" | "uhm" | "erm" => keep[k] = false,
            "like" if comma(before) && comma(toks.get(k + 1)) => keep[k] = false,
            "you" | "i" if comma(before) && comma(toks.get(k + 2)) => {
                let next = toks.get(k + 1).map_or("", low);
                if matches!(
                    (low(t), next),
                    ("you", "know") | ("i", "mean" | "think" | "guess")
                ) {
                    keep[k] = false;
                    keep[k + 1] = false;
                }
            }
            _ => {}
        }
    }
    toks.into_iter()
        .zip(keep)
        .filter_map(|(t, k)| k.then_some(t))
        .collect()
}

/// The apostrophe form of a contraction typed without one, for words that are nothing else.
fn contraction(w: &str) -> Option<&'static str> {
    Some(match w {
        "didnt" => "didn't",
        "dont" => "don't",
        "doesnt" => "doesn't",
        "wasnt" => "wasn't",
        "werent" => "weren't",
        "isnt" => "isn't",
        "arent" => "aren't",
        "cant" => "can't",
        "couldnt" => "couldn't",
        "wouldnt" => "wouldn't",
        "shouldnt" => "shouldn't",
        "wont" => "won't",
        "hadnt" => "hadn't",
        "havent" => "haven't",
        "hasnt" => "hasn't",
        "ive" => "i've",
        "im" => "i'm",
        "thats" => "that's",
        "theyre" => "they're",
        "youre" => "you're",
        "weve" => "we've",
        "theyve" => "they've",
        _ => return None,
    })
}

fn tokenize(text: &str) -> (Vec<Tok>, String) {
    let mut toks = Vec::with_capacity(text.len() / 5 + 1);
    let mut lower = String::with_capacity(text.len() + 8);
    let mut it = text.char_indices().peekable();
    while let Some((start, c)) = it.next() {
        // Zero-width spaces and joiners are invisible formatting, so they count as whitespace too.
        if c.is_whitespace()
            || matches!(
                c,
                '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}'
            )
        {
            continue;
        }
        let ls = lower.len();
        let mut end = start + c.len_utf8();
        if c.is_alphabetic() {
            push_lower(&mut lower, c);
            let mut ascii = c.is_ascii();
            while let Some(&(j, d)) = it.peek() {
                if d.is_alphanumeric() {
                    ascii &= d.is_ascii();
                    push_lower(&mut lower, d);
                    end = j + d.len_utf8();
                    it.next();
                } else if matches!(d, '\'' | '’' | '-') {
                    // Keep an apostrophe or hyphen only when a letter follows ("didn't", "re-ran").
                    let mut look = it.clone();
                    look.next();
                    match look.peek() {
                        Some(&(_, e)) if e.is_alphabetic() => {
                            lower.push(if d == '-' { '-' } else { '\'' });
                            end = j + d.len_utf8();
                            it.next();
                        }
                        _ => break,
                    }
                } else {
                    break;
                }
            }
            // Typed answers drop the apostrophe ("didnt", "dont", "ive"): restore it so that a
            // contraction reads the same however it was typed.
            if let Some(full) = contraction(&lower[ls..]) {
                lower.truncate(ls);
                lower.push_str(full);
            }
            let w = &lower[ls..];
            let cats = if ascii { word_cats(w) } else { 0 };
            toks.push(Tok {
                start,
                end,
                ls,
                le: lower.len(),
                kind: Kind::Word,
                cats,
                cap: c.is_uppercase(),
                ch: c,
                metric: false,
            });
        } else if c.is_ascii_digit() {
            lower.push(c);
            while let Some(&(j, d)) = it.peek() {
                let keep = if d.is_ascii_digit() {
                    true
                } else if matches!(d, '.' | ',' | ':') {
                    let mut look = it.clone();
                    look.next();
                    matches!(look.peek(), Some(&(_, e)) if e.is_ascii_digit())
                } else {
                    d == '%' || d.is_ascii_alphabetic()
                };
                if !keep {
                    break;
                }
                lower.push(d.to_ascii_lowercase());
                end = j + d.len_utf8();
                it.next();
            }
            toks.push(Tok {
                start,
                end,
                ls,
                le: lower.len(),
                kind: Kind::Num,
                cats: 0,
                cap: false,
                ch: c,
                metric: false,
            });
        } else {
            toks.push(Tok {
                start,
                end,
                ls,
                le: ls,
                kind: Kind::Punct,
                cats: 0,
                cap: false,
                ch: c,
                metric: false,
            });
        }
    }
    (toks, lower)
}

fn push_lower(lower: &mut String, c: char) {
    if c.is_ascii() {
        lower.push(c.to_ascii_lowercase());
    } else if c == '’' {
        lower.push('\'');
    } else {
        lower.extend(c.to_lowercase());
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Subj {
    None,
    I,
    We,
    You,
    Other,
}

fn is_past(doc: &Doc, i: usize) -> bool {
    let t = &doc.toks[i];
    if t.kind != Kind::Word {
        return false;
    }
    if t.cats & PAST != 0 {
        return true;
    }
    let w = doc.low(i);
    let last = w.rsplit('-').next().unwrap_or(w);
    last.len() >= 4 && last.ends_with("ed") && t.cats & NOT_PAST == 0
}

fn is_clause_break(t: &Tok) -> bool {
    t.kind == Kind::Punct
        && matches!(
            t.ch,
            ',' | ':' | '(' | ')' | '-' | '–' | '—' | '"' | '“' | '”'
        )
}

fn skippable(doc: &Doc, i: usize) -> bool {
    let t = &doc.toks[i];
    t.kind == Kind::Word
        && (t.cats & SKIP != 0 || {
            let w = doc.low(i);
            w.len() > 4 && w.ends_with("ly") && t.cats & (CUSTOMER | PAST) == 0
        })
}

/// The index of the next token after `i` that is not an adverb-like filler, within the sentence.
fn next_content(doc: &Doc, i: usize, t1: usize) -> Option<usize> {
    let mut j = i + 1;
    let mut hops = 0;
    while j < t1 && hops < 4 {
        if !skippable(doc, j) {
            return Some(j);
        }
        j += 1;
        hops += 1;
    }
    None
}

fn clause_end(doc: &Doc, from: usize, t1: usize) -> usize {
    let mut j = from + 1;
    while j < t1 && j < from + 14 {
        let t = &doc.toks[j];
        if is_clause_break(t) || (t.kind == Kind::Punct && is_terminal(t.ch)) {
            break;
        }
        if t.kind == Kind::Word
            && matches!(
                doc.low(j),
                "and" | "but" | "so" | "because" | "which" | "while"
            )
        {
            break;
        }
        j += 1;
    }
    j
}

/// Whether a cue at `i` is someone else's words: a reporting verb not said by the candidate
/// ("he said", "they assumed") comes before it, or it sits inside quotation marks. Only the last
/// `LOOK_BACK` tokens are read, so a run-on "sentence" of any length still costs linear time.
fn reported(doc: &Doc, i: usize, t0: usize) -> bool {
    let said = (i.saturating_sub(LOOK_BACK).max(t0)..i)
        .any(|j| doc.toks[j].cats & REPORT != 0 && !(j > t0 && doc.toks[j - 1].cats & I_SUBJ != 0));
    let quotes = (i.saturating_sub(LOOK_BACK).max(t0)..i)
        .filter(|&j| matches!(doc.toks[j].ch, '"' | '“' | '”'))
        .count();
    said || quotes % 2 == 1
}

/// How far back the context checks look, in tokens.
const LOOK_BACK: usize = 60;

fn negated_before(doc: &Doc, i: usize, t0: usize) -> bool {
    let lo = i.saturating_sub(3).max(t0);
    (lo..i).any(|j| doc.toks[j].cats & NEGATION != 0 || doc.low(j).ends_with("n't"))
}

/// Reads one sentence: phrase cues, single-word cues, numbers, and who did what in which tense.
/// Whether token `j` is a number, in digits or in words (absent tokens are not).
fn is_number(doc: &Doc, j: usize) -> bool {
    doc.toks
        .get(j)
        .is_some_and(|t| t.kind == Kind::Num || t.cats & NUMWORD != 0)
}

/// Whether the words from `at` open a relative clause ("people who don't read the bill"): the
/// clause describes the people named before it rather than faulting them.
fn relative_clause(doc: &Doc, at: usize, t0: usize) -> bool {
    at > t0 && matches!(doc.low(at - 1), "who" | "that")
}

/// Whether tokens `lo..hi` hold a hedge that often comes before faulting someone politely.
fn hedge_in(doc: &Doc, lo: usize, hi: usize) -> bool {
    (lo..hi).any(|j| {
        let next = |k: usize| doc.toks.get(j + k).map_or("", |_| doc.low(j + k));
        matches!(doc.low(j), "honestly" | "frankly" | "candidly")
            || (doc.low(j) == "to"
                && next(1) == "be"
                && matches!(next(2), "honest" | "frank" | "fair"))
            || (doc.low(j) == "in" && next(1) == "fairness")
            || (matches!(doc.low(j), "all" | "due") && next(1) == "respect")
    })
}

/// Counts sizes told without a measure: intensifiers ("significantly"), "a lot" closing a
/// clause, "much"/"way" before a comparison, and "very"/"really" before being pleased.
fn vague_sizes(doc: &Doc, t0: usize, t1: usize) -> u32 {
    let word = |j: usize| {
        if j < t1 && doc.toks[j].kind == Kind::Word {
            doc.low(j)
        } else {
            ""
        }
    };
    (t0..t1)
        .filter(|&j| match doc.low(j) {
            "significantly" | "substantially" | "considerably" | "dramatically" | "greatly"
            | "hugely" | "massively" | "noticeably" | "tremendously" | "drastically" => true,
            // "went down a lot", not "a lot of tickets".
            "lot" => j > t0 && word(j - 1) == "a" && word(j + 1) != "of",
            "much" | "way" | "far" => {
                (j + 1 < t1 && doc.toks[j + 1].cats & COMPARATIVE != 0)
                    || matches!(
                        word(j + 1),
                        "happier" | "easier" | "calmer" | "quieter" | "smoother" | "stronger"
                    )
                    || doc.low(j) == "way" && matches!(word(j + 1), "down" | "up")
            }
            "very" | "really" | "super" | "extremely" => matches!(
                word(j + 1),
                "happy"
                    | "pleased"
                    | "positive"
                    | "satisfied"
                    | "grateful"
                    | "thankful"
                    | "well"
                    | "smooth"
                    | "smoothly"
                    | "good"
                    | "great"
            ),
            _ => false,
        })
        .count() as u32
}

fn analyse_sentence(doc: &Doc, t0: usize, t1: usize, inherited: Subj) -> (Feat, Subj) {
    let mut f = Feat::default();
    let mut subj = inherited;
    let mut subj_tok = t0;
    let mut clause_start = true;
    let mut expect_verb = inherited != Subj::None;
    let mut possessive = false;
    let mut covered = t0;
    let mut first_word = true;
    // "Every Monday we'd get a wave of tickets": a habit set in the past is scene-setting, not a
    // hypothetical, when it is someone other than the candidate who "would" do it.
    let habitual = (t0..t1).any(|j| {
        let w = doc.low(j);
        (matches!(w, "every" | "each")
            && doc
                .toks
                .get(j + 1)
                .is_some_and(|n| n.cats & (UNIT | TIME_ANCHOR) != 0))
            || w == "whenever"
    });
    // "To be honest, he hadn't read the terms", "with all respect to the surgeons, they didn't
    // explain": a hedge before faulting someone is how blame is said politely, and it widens what
    // counts as faulting them from not reading or listening to not explaining, updating or wanting.
    let hedged = hedge_in(doc, t0, t1);
    let mut i = t0;
    while i < t1 {
        let t = doc.toks[i];
        match t.kind {
            Kind::Punct => {
                if is_clause_break(&t) || t.ch == ';' {
                    clause_start = true;
                    expect_verb = subj != Subj::None;
                }
                i += 1;
                continue;
            }
            Kind::Num => {
                first_word = false;
                f.numbers += 1;
                let low = doc.low(i).as_bytes();
                if !t.metric && low.len() == 4 && (low.starts_with(b"19") || low.starts_with(b"20"))
                {
                    // A year ("in 2022") dates the story.
                    f.time_anchor += 1;
                }
                if t.metric {
                    f.metrics += 1.0;
                    let next_comp =
                        (i + 1..(i + 3).min(t1)).any(|j| doc.toks[j].cats & COMPARATIVE != 0);
                    let by = i > t0 && matches!(doc.low(i - 1), "by" | "to");
                    if next_comp || by {
                        f.before_after = true;
                    }
                }
                if clause_start {
                    subj = Subj::Other;
                    subj_tok = i;
                    clause_start = false;
                    expect_verb = true;
                }
                i += 1;
                continue;
            }
            Kind::Word => {}
        }
        let w = doc.low(i);
        let c = t.cats;
        // "Logged a ticket. Called the customer back.": a sentence (or a bullet) that opens on a
        // past-tense verb leaves out its subject, and in an answer about oneself that is "I".
        if first_word && c & (HEAD_PROBLEM | HEAD_ACTION | HEAD_RESULT | HEAD_REFLECT) == 0 {
            first_word = false;
            if subj != Subj::I
                && is_past(doc, i)
                && c & (STATE | AUX_BE | AUX_HAVE | AUX_DO | MODAL | I_SUBJ | WE_SUBJ | OTHER_SUBJ)
                    == 0
                // A verb takes an object ("Logged a ticket", "Flagged it", "Set up 3 alerts");
                // "Lost orders fell" opens on an adjective.
                && doc.toks.get(i + 1).is_some_and(|n| {
                    n.kind == Kind::Num
                        || n.cats & DET != 0
                        || matches!(
                            doc.low(i + 1),
                            "it" | "them" | "him" | "her" | "up" | "back" | "myself"
                        )
                })
            {
                subj = Subj::I;
                subj_tok = i;
                expect_verb = true;
                clause_start = false;
            }
        }

        // Phrases first; single-word cues inside a matched phrase are not counted twice.
        if i >= covered && c & STARTS_PHRASE != 0 {
            for (words, pc) in phrases_starting(w) {
                let len = words.len();
                if i + len > t1 {
                    continue;
                }
                if (1..len)
                    .all(|k| doc.toks[i + k].kind == Kind::Word && doc.low(i + k) == words[k])
                {
                    count_cues(doc, &mut f, *pc, (i, i + len), t0, subj, true);
                    covered = i + len;
                    break;
                }
            }
        }
        if i >= covered {
            count_cues(doc, &mut f, c, (i, i + 1), t0, subj, false);
            // "He didn't really understand the data", "they never read the guide": faulting a person
            // for not understanding or not reading, rather than describing the gap.
            if subj == Subj::Other
                && (matches!(
                    w,
                    "understand"
                        | "read"
                        | "reading"
                        | "listen"
                        | "listening"
                        | "listened"
                        | "follow"
                        | "followed"
                        | "bother"
                        | "bothered"
                        | "care"
                        | "cared"
                        | "check"
                        | "checked"
                ) || hedged
                    && matches!(
                        w,
                        "explain"
                            | "tell"
                            | "update"
                            | "test"
                            | "respond"
                            | "answer"
                            | "want"
                            | "prioritize"
                            | "prioritise"
                            | "communicate"
                            | "document"
                            | "train"
                    ))
                // "Didn't read" faults them; "wouldn't understand" or "couldn't follow" is a worry
                // or a gap in the product.
                && (i.saturating_sub(3).max(t0)..i).any(|j| {
                    matches!(
                        doc.low(j),
                        "didn't"
                            | "don't"
                            | "doesn't"
                            | "hadn't"
                            | "haven't"
                            | "hasn't"
                            | "never"
                            | "not"
                            | "won't"
                            | "refused"
                    ) || doc.low(j) == "wouldn't" && w != "understand"
                })
                // "Elderly people who don't read the bill", "ten who didn't bother": a relative
                // clause describes who was affected, unless a hedge makes it a complaint. "I
                // found that they didn't read it" is no relative clause.
                && (hedged
                    || !(i.saturating_sub(3).max(t0)..i).any(|j| {
                        doc.low(j).ends_with("n't") && relative_clause(doc, j, t0)
                    }))
                // "So she didn't have to check": spared a chore, not faulted for skipping it.
                && !(i.saturating_sub(3).max(t0)..i).any(|j| {
                    doc.low(j) == "to"
                        && (i.saturating_sub(3).max(t0)..j).any(|k| doc.low(k).ends_with("n't"))
                })
                // The people faulted are named just before the verb ("a lot of these clients
                // don't read"), not necessarily by the clause's first word.
                && (i.saturating_sub(7).max(t0)..i).any(|j| {
                    // "Many customers did not understand the 24-hour rule" is a gap in the
                    // product when told of the event; said of one person, with a hedge, or as a
                    // general truth ("customers don't understand their own tooling"), it faults.
                    let crowd = (doc.toks[j].cats & CUSTOMER != 0 && doc.low(j).ends_with('s')
                        || matches!(doc.low(j), "people" | "folks"))
                        && (j..i).any(|k| matches!(doc.low(k), "didn't" | "did" | "hadn't"));
                    doc.toks[j].kind == Kind::Word
                        && (doc.toks[j].cats & (OTHER_SUBJ | CUSTOMER | TEAM | ROLE) != 0
                            || matches!(doc.low(j), "people" | "folks"))
                        && !matches!(
                            doc.low(j),
                            "it" | "it's" | "nobody" | "everyone" | "him" | "her" | "them"
                        )
                        && !(w == "understand" && crowd && !hedged)
                })
                && !reported(doc, i, t0)
            {
                f.blame += 1;
                if f.flag_spans.iter().filter(|(b, _)| *b == BLAME).count() < 2 {
                    f.flag_spans.push((BLAME, (subj_tok, i + 1)));
                }
            }
        }
        if t.cap
            && i > t0
            && c & (I_SUBJ | DET | CONJ | HEAD_PROBLEM | HEAD_ACTION | HEAD_RESULT) == 0
        {
            let prev = doc.toks[i - 1];
            if !(prev.kind == Kind::Punct && (is_terminal(prev.ch) || prev.ch == ':')) {
                f.proper += 1;
            }
        }
        // "compared with about two a week before": a comparison closed by "before"; and
        // "Before, he couldn't add a single one": the other side of a change just told.
        if w == "before"
            && (i + 1 == t1 || doc.toks[i + 1].kind == Kind::Punct)
            && ((i.saturating_sub(LOOK_BACK).max(t0)..i).any(|j| is_number(doc, j)) || i == t0)
        {
            f.before_after = true;
        }
        // "went from several a week to almost none", "from about one a week to one in three
        // months": a change stated by its two ends, in words or figures.
        if w == "from"
            && i > t0
            && (i.saturating_sub(3).max(t0)..i).any(|j| doc.toks[j].cats & RESULT_CUE != 0)
        {
            let quantity = |j: usize| {
                let t = &doc.toks[j];
                t.kind == Kind::Num
                    || t.cats & NUMWORD != 0
                    || matches!(
                        doc.low(j),
                        "none"
                            | "nothing"
                            | "one"
                            | "several"
                            | "few"
                            | "handful"
                            | "once"
                            | "most"
                            | "all"
                            | "rarely"
                    )
            };
            // "went from timing out to under a minute": the new end measured is enough.
            if let Some(to) = (i + 1..(i + 10).min(t1)).find(|&j| doc.low(j) == "to")
                && (to + 1..(to + 5).min(t1)).any(|j| quantity(j) || doc.toks[j].cats & UNIT != 0)
                && ((i + 1..to).any(quantity)
                    || (to + 1..(to + 5).min(t1)).any(|j| is_number(doc, j))
                    // "to under a minute", but not "to tickets a week" (a rate whose figure is
                    // gone).
                    || (to + 1..(to + 4).min(t1)).any(|j| {
                        matches!(doc.low(j), "a" | "an" | "one")
                            && doc.toks.get(j + 1).is_some_and(|n| n.cats & UNIT != 0)
                            && !(to + 1..j).any(|k| doc.toks[k].cats & UNIT != 0)
                    }))
            {
                f.before_after = true;
            }
        }
        // "6% above last year instead of 42%": a comparison with what would have been.
        if w == "instead"
            && i + 1 < t1
            && doc.low(i + 1) == "of"
            && (i + 2..(i + 5).min(t1)).any(|j| doc.toks[j].kind == Kind::Num)
        {
            f.before_after = true;
        }
        // "No samples were lost.": a result stated as the absence of the harm.
        if w == "no"
            && i == t0
            && doc.toks.get(i + 1).is_some_and(|n| {
                n.kind == Kind::Word && !matches!(doc.low(i + 1), "one" | "matter")
            })
        {
            f.metrics += 1.0;
            f.before_after = true;
        }
        if w == "from" {
            // "from 40 to 12", "from two days to an hour": a before/after comparison.
            let a = (i + 1..(i + 4).min(t1)).find(|&j| is_number(doc, j));
            if let Some(a) = a
                && (a + 1..(a + 6).min(t1)).any(|j| doc.low(j) == "to")
            {
                f.before_after = true;
            }
        }

        // Who is acting, and in which tense.
        if c & I_SUBJ != 0 || c & WE_SUBJ != 0 || c & YOU != 0 && w != "your" {
            subj = if c & I_SUBJ != 0 {
                Subj::I
            } else if c & WE_SUBJ != 0 {
                Subj::We
            } else {
                Subj::You
            };
            subj_tok = i;
            clause_start = false;
            possessive = false;
            if matches!(w, "i'd" | "we'd" | "you'd" | "i'll" | "we'll" | "you'll") {
                // "we'd fixed", "we'd been seeing": "had", not "would".
                // An irregular participle ("we'd built", "I'd found", "I'd done") is "had" too,
                // unless the word is also a base form ("I'd put", "I'd read") or only a simple
                // past.
                let perfect = w.ends_with("'d")
                    && next_content(doc, i, t1).is_some_and(|j| {
                        is_past(doc, j) && doc.toks[j].cats & PAST == 0
                            || matches!(
                                doc.low(j),
                                "been"
                                    | "done"
                                    | "gone"
                                    | "seen"
                                    | "taken"
                                    | "given"
                                    | "written"
                                    | "known"
                                    | "shown"
                                    | "gotten"
                                    | "forgotten"
                                    | "begun"
                                    | "chosen"
                                    | "spoken"
                                    | "broken"
                                    | "driven"
                                    | "grown"
                            )
                            || doc.toks[j].cats & PAST != 0
                                && !matches!(
                                    doc.low(j),
                                    "put"
                                        | "set"
                                        | "cut"
                                        | "hit"
                                        | "let"
                                        | "quit"
                                        | "read"
                                        | "shut"
                                        | "split"
                                        | "went"
                                        | "saw"
                                        | "took"
                                        | "gave"
                                        | "wrote"
                                        | "ran"
                                        | "began"
                                        | "came"
                                        | "became"
                                        | "knew"
                                        | "did"
                                        | "was"
                                        | "were"
                                        | "had"
                                        | "used"
                                        | "spun"
                                        | "rerun"
                                )
                    });
                if perfect {
                    record_action(doc, &mut f, subj, subj_tok, i + 1, t1);
                } else {
                    record_hyp(doc, &mut f, t0, subj, i, t1, habitual);
                }
                expect_verb = false;
            } else if matches!(w, "i'm" | "we're") {
                record_present(doc, &mut f, subj, i, None, t1);
                expect_verb = false;
            } else if matches!(w, "i've" | "we've") {
                if next_content(doc, i, t1).is_some_and(|j| doc.toks[j].cats & GENERAL != 0) {
                    f.general += 1;
                } else {
                    record_action(doc, &mut f, subj, subj_tok, i + 1, t1);
                }
                expect_verb = false;
            } else {
                expect_verb = true;
            }
            i += 1;
            continue;
        }
        if c & OTHER_SUBJ != 0 {
            subj = Subj::Other;
            subj_tok = i;
            clause_start = false;
            expect_verb = true;
            i += 1;
            continue;
        }
        if c & RELATIVE != 0 && w != "that" {
            subj = Subj::Other;
            subj_tok = i;
            clause_start = true;
            expect_verb = true;
            i += 1;
            continue;
        }
        if c & CONJ != 0 && c & DET == 0 {
            clause_start = true;
            expect_verb = subj != Subj::None;
            i += 1;
            continue;
        }
        if w == "that" {
            clause_start = true;
            expect_verb = false;
            i += 1;
            continue;
        }
        if c & DET != 0 {
            possessive |= matches!(w, "my" | "our");
            i += 1;
            continue;
        }
        if skippable(doc, i) && c & (MODAL | GENERAL) == 0 {
            i += 1;
            continue;
        }
        // "A new registration flow was designed": a passive further from its subject.
        if !expect_verb
            && c & AUX_BE != 0
            && matches!(subj, Subj::Other | Subj::None)
            && next_content(doc, i, t1).is_some_and(|j| {
                doc.toks[j].cats & DEED != 0
                    && !(j + 1..(j + 6).min(t1))
                        .any(|k| doc.low(k) == "by" && k + 1 < t1 && doc.low(k + 1) == "me")
            })
        {
            f.passive += 1;
            i += 1;
            continue;
        }
        if expect_verb {
            expect_verb = false;
            if c & MODAL != 0 {
                // "Billing would contact her", "they will fix it": a promise, not a result.
                // "It should never have happened" looks back instead.
                if matches!(subj, Subj::Other | Subj::None)
                    && !habitual
                    && matches!(w, "would" | "will" | "won't" | "wouldn't")
                    && next_content(doc, i, t1).is_none_or(|j| doc.low(j) != "have")
                {
                    f.other_modal += 1;
                }
                record_hyp(doc, &mut f, t0, subj, subj_tok, t1, habitual);
            } else if c & GENERAL != 0 {
                if matches!(subj, Subj::I | Subj::We | Subj::You) {
                    f.general += 1;
                }
            } else if c & AUX_BE != 0 {
                match next_content(doc, i, t1) {
                    Some(j) if doc.low(j) == "able" => {
                        record_action(doc, &mut f, subj, subj_tok, j, t1)
                    }
                    Some(j) if doc.toks[j].cats & ASSIGNED != 0 && subj == Subj::I => {
                        f.assigned += 1
                    }
                    Some(j)
                        if doc.toks[j].cats & DEED != 0
                            && matches!(subj, Subj::Other | Subj::None) =>
                    {
                        // "The report was rebuilt by me" is the candidate's; without an actor the
                        // work is nobody's in particular.
                        let by_me = (j + 1..(j + 6).min(t1))
                            .any(|k| doc.low(k) == "by" && k + 1 < t1 && doc.low(k + 1) == "me");
                        if by_me {
                            record_action(doc, &mut f, Subj::I, subj_tok, j, t1);
                        } else {
                            f.passive += 1;
                        }
                    }
                    Some(j) if doc.low(j) == "going" => {
                        record_hyp(doc, &mut f, t0, subj, subj_tok, t1, habitual)
                    }
                    _ => record_state(&mut f, subj),
                }
            } else if c & AUX_HAVE != 0 {
                match next_content(doc, i, t1) {
                    Some(j) if doc.toks[j].cats & GENERAL != 0 => {
                        if matches!(subj, Subj::I | Subj::We | Subj::You) {
                            f.general += 1;
                        }
                    }
                    Some(j) if is_past(doc, j) || doc.low(j) == "to" => {
                        record_action(doc, &mut f, subj, subj_tok, j, t1)
                    }
                    _ if w == "had" => record_state(&mut f, subj),
                    _ => record_present(doc, &mut f, subj, subj_tok, Some(i), t1),
                }
            } else if c & AUX_DO != 0 {
                record_state(&mut f, subj);
            } else if is_past(doc, i) {
                if c & STATE != 0 {
                    record_state(&mut f, subj);
                } else {
                    record_action(doc, &mut f, subj, subj_tok, i, t1);
                }
            } else if c & PRESENT_AUX != 0 || w == "can" {
                if w == "am" && next_content(doc, i, t1).is_some_and(|j| doc.low(j) == "going") {
                    record_hyp(doc, &mut f, t0, subj, subj_tok, t1, habitual);
                } else {
                    record_present(doc, &mut f, subj, subj_tok, Some(i), t1);
                }
            } else if subj == Subj::Other && c & TEAM != 0 && i == subj_tok + 1 {
                // "The engineering team integrated…": a team, not the candidate, did the work,
                // which hides the candidate's part as "we" does.
                subj = Subj::We;
                subj_tok = i;
                expect_verb = true;
            } else if clause_start {
                // A noun opening a clause is its subject: "the customer", "our team", "40 tickets".
                subj = if c & TEAM != 0 && (possessive || w == "team") {
                    Subj::We
                } else {
                    Subj::Other
                };
                subj_tok = i;
                expect_verb = true;
            } else if matches!(subj, Subj::I | Subj::We | Subj::You) && w.len() > 2 {
                // "I call the customer": a present-tense verb straight after a pronoun.
                record_present(doc, &mut f, subj, subj_tok, Some(i), t1);
            }
        } else if clause_start {
            subj = if c & TEAM != 0 && (possessive || w == "team") {
                Subj::We
            } else {
                Subj::Other
            };
            subj_tok = i;
            expect_verb = true;
        }
        clause_start = false;
        possessive = false;
        i += 1;
    }
    (f, subj)
}

/// Whether the verb at `verb` passes the work on: an escalation verb or phrase ("escalated",
/// "logged a ticket", "handed it over"), or a nudge aimed at a person or team ("pinged my lead").
fn handoff(doc: &Doc, verb: usize, t1: usize) -> bool {
    let c = doc.toks[verb].cats;
    if c & ESCALATE != 0 {
        return true;
    }
    if c & STARTS_PHRASE != 0 && phrase_at(doc, verb, t1) & ESCALATE != 0 {
        return true;
    }
    // Opening a ticket is handing the work to whoever picks it up.
    let ticket = matches!(
        doc.low(verb),
        "created"
            | "opened"
            | "raised"
            | "filed"
            | "logged"
            | "submitted"
            | "cut"
            | "filled"
            | "put" // "I logged every wheelchair request for two weeks": counting them is research.
    ) && !matches!(
        doc.toks.get(verb + 1).map_or("", |_| doc.low(verb + 1)),
        "every" | "each" | "all"
    ) && (verb + 1..(verb + 6).min(t1)).any(|j| {
        matches!(
            doc.low(j),
            "ticket" | "case" | "jira" | "request" | "bug" | "form" | "tracker"
        )
    });
    // "sent an email to the network team lead", "passed the notes to engineering".
    let sent_to_team = matches!(
        doc.low(verb),
        "sent"
            | "wrote"
            | "posted"
            | "passed"
            | "reported"
            | "forwarded"
            | "handed"
            | "gave"
            | "transferred"
            | "walked"
    ) && (verb + 1..(verb + 7).min(t1)).any(|j| {
        doc.low(j) == "to"
            && (j + 1..(j + 5).min(t1)).any(|k| {
                doc.toks[k].kind == Kind::Word
                    && doc.toks[k].cats & (ROLE | TEAM) != 0
                    && !matches!(doc.low(k), "him" | "her" | "them" | "it")
            })
    });
    if ticket || sent_to_team {
        return true;
    }
    // A pronoun ("I told her what we found") may well be the customer: only a named role or team
    // makes it a hand-off.
    // "asked two of my senior agents to…": the people asked may sit a few words on. Asking
    // someone to walk me through their work is research, not a hand-off.
    c & NUDGE != 0
        && (verb + 1..(verb + 6).min(t1)).any(|j| {
            doc.toks[j].kind == Kind::Word
                && doc.toks[j].cats & (ROLE | TEAM) != 0
                && !matches!(doc.low(j), "him" | "her" | "them" | "it")
        })
        && !(verb + 1..(verb + 9).min(t1)).any(|j| matches!(doc.low(j), "me" | "us"))
}

/// The categories of the longest phrase starting at `i` (0 when none).
fn phrase_at(doc: &Doc, i: usize, t1: usize) -> u64 {
    for (words, pc) in phrases_starting(doc.low(i)) {
        let len = words.len();
        if i + len <= t1
            && (1..len).all(|k| doc.toks[i + k].kind == Kind::Word && doc.low(i + k) == words[k])
        {
            return *pc;
        }
    }
    0
}

fn record_action(doc: &Doc, f: &mut Feat, subj: Subj, subj_tok: usize, verb: usize, t1: usize) {
    let span = (subj_tok.min(verb), clause_end(doc, verb, t1));
    if matches!(subj, Subj::I | Subj::We) {
        if handoff(doc, verb, t1) {
            f.escalate += 1;
            if f.flag_spans.iter().filter(|(b, _)| *b == ESCALATE).count() < 2 {
                f.flag_spans.push((ESCALATE, span));
            }
            return;
        }
        if doc.toks[verb].cats & STARTS_PHRASE != 0 && phrase_at(doc, verb, t1) & SELF_CLAIM != 0 {
            f.claim += 1;
            return;
        }
    }
    if matches!(subj, Subj::Other | Subj::None) && doc.toks[verb].cats & FIX != 0 {
        f.other_fix += 1;
    }
    match subj {
        Subj::I => {
            f.i_act += 1;
            let mut c = doc.toks[verb].cats;
            if c & STARTS_PHRASE != 0 {
                c |= phrase_at(doc, verb, t1) & EFFORT;
            }
            // "fixed all 57", "refunded every customer", "processed four months of expenses": a
            // remedy completed, with its scope, is an outcome even told as the candidate's act.
            if matches!(
                doc.low(verb),
                "fixed"
                    | "resolved"
                    | "repaired"
                    | "restored"
                    | "corrected"
                    | "solved"
                    | "refunded"
                    | "replaced"
                    | "reversed"
                    | "cleared"
                    | "approved"
                    | "waived"
                    | "processed"
                    | "reinstated"
                    | "recovered"
                    | "credited"
            ) && (verb + 1..(verb + 4).min(t1)).any(|j| {
                doc.toks[j].kind == Kind::Num
                    || doc.toks[j].cats & NUMWORD != 0
                    || matches!(doc.low(j), "all" | "every" | "each")
            }) {
                f.outcome += 1;
            }
            if c & COMM != 0 {
                f.i_comm += 1;
            } else if c & (WEAK_VERB | EFFORT) != 0 {
                f.i_weak += 1;
            } else if c & RESULT_CUE != 0
                && matches!(
                    doc.low(verb),
                    "reduced"
                        | "increased"
                        | "improved"
                        | "cut"
                        | "grew"
                        | "decreased"
                        | "lowered"
                        | "raised"
                        | "boosted"
                        | "doubled"
                        | "halved"
                        | "tripled"
                        | "shortened"
                        | "saved"
                )
            {
                // "I increased retention from 94% to 112%" claims a result; "I fixed 43
                // profiles" is a step with its scope.
                f.i_change += 1;
            }
            if f.i_spans.len() < 3 {
                f.i_spans.push(span);
            }
        }
        Subj::We => {
            f.we_act += 1;
            if f.we_spans.len() < 3 {
                f.we_spans.push(span);
            }
        }
        Subj::You => f.you += 1,
        Subj::Other | Subj::None => f.other_act += 1,
    }
}

fn record_state(f: &mut Feat, subj: Subj) {
    match subj {
        Subj::I => f.i_state += 1,
        Subj::We => f.we_state += 1,
        _ => {}
    }
}

fn record_hyp(
    doc: &Doc,
    f: &mut Feat,
    t0: usize,
    subj: Subj,
    subj_tok: usize,
    t1: usize,
    habitual: bool,
) {
    if habitual && subj == Subj::We {
        record_state(f, subj);
        return;
    }
    // "I built a model of how much revenue we'd lose", "I asked them what they'd pay": a
    // conditional inside a question the candidate worked on in the past is analysis, not a
    // hypothetical answer. "What I would do is…" opens the sentence and stays hypothetical.
    // "I said plainly that we would not make the date": the future seen from the past.
    let embedded = (subj_tok.saturating_sub(8).max(t0 + 1)..subj_tok)
        .find(|&j| matches!(doc.low(j), "how" | "whether" | "what" | "that"));
    if embedded.is_some_and(|j| {
        (t0..j).any(|k| is_past(doc, k)) && !(j..subj_tok).any(|k| is_clause_break(&doc.toks[k]))
    }) {
        return;
    }
    if matches!(subj, Subj::I | Subj::We | Subj::You) {
        f.hyp += 1;
        if f.hyp_spans.len() < 2 {
            f.hyp_spans.push((subj_tok, clause_end(doc, subj_tok, t1)));
        }
    }
}

fn record_present(
    doc: &Doc,
    f: &mut Feat,
    subj: Subj,
    subj_tok: usize,
    verb: Option<usize>,
    t1: usize,
) {
    // "I sit with the seller, I rebuild the report": a content verb after "I" may narrate an event.
    if subj == Subj::I
        && let Some(v) = verb
        && doc.toks[v].cats & (STANCE | GENERAL | MODAL) == 0
        && !doc.low(v).ends_with("ing")
    {
        if handoff(doc, v, t1) {
            return;
        }
        f.i_present += 1;
        if f.ip_spans.len() < 3 {
            f.ip_spans.push((subj_tok.min(v), clause_end(doc, v, t1)));
        }
        return;
    }
    if matches!(subj, Subj::I | Subj::We | Subj::You) {
        f.present += 1;
        if f.hyp_spans.len() < 2 && subj != Subj::I {
            f.hyp_spans.push((subj_tok, clause_end(doc, subj_tok, t1)));
        }
    }
}

/// Adds the cue categories of one word or phrase to the sentence's counts.
fn count_cues(doc: &Doc, f: &mut Feat, c: u64, span: Span, t0: usize, subj: Subj, phrase: bool) {
    if c == 0 {
        return;
    }
    // Negation only matters for a few categories, and looking back costs, so check it only then.
    let negated =
        c & (OUTCOME | ESCALATE | BLAME | GAIN | BEYOND) != 0 && negated_before(doc, span.0, t0);
    let flag = |bit: u64, f: &mut Feat| {
        if f.flag_spans.iter().filter(|(b, _)| *b == bit).count() < 2 {
            f.flag_spans.push((bit, span));
        }
    };
    // "The returns team", "another team": a named team other than the candidate's own is a partner
    // team, an internal customer.
    let partner_team = !phrase
        && matches!(doc.low(span.0), "team" | "teams")
        && span.0 >= t0 + 2
        && doc.toks[span.0 - 1].kind == Kind::Word
        && doc.toks[span.0 - 1].cats & (DET | TEAM) == 0
        && matches!(
            doc.low(span.0 - 2),
            "the" | "their" | "another" | "other" | "a" | "each" | "every"
        );
    if c & CUSTOMER != 0 {
        f.customer += 1.0;
        flag(CUSTOMER, f);
    } else if c & CUSTOMER_WEAK != 0 || partner_team {
        f.customer += 0.5;
        flag(CUSTOMER, f);
    }
    if c & ROOT != 0 {
        f.root += 1;
        if matches!(
            doc.low(span.0),
            "talked"
                | "spoke"
                | "met"
                | "sat"
                | "called"
                | "listened"
                | "visited"
                | "asked"
                | "rode"
                | "went"
                | "interviewed"
                | "surveyed"
                | "shadowed"
                | "interviews"
                | "survey"
                | "surveys"
                | "recordings"
        ) {
            f.voice += 1;
        }
        flag(ROOT, f);
    }
    if c & RESULT_CUE != 0 {
        f.result_cue += 1;
    }
    if c & PROBLEM_CUE != 0 {
        f.problem_cue += 1;
        // "The pendant didn't connect", "he couldn't wash": something failing someone else is a
        // pain; "I didn't wait" is the candidate's own choice.
        let failing_other = matches!(subj, Subj::Other | Subj::None)
            && matches!(
                doc.low(span.0),
                "couldn't" | "wasn't" | "weren't" | "didn't" | "can't" | "cannot"
            );
        if failing_other
            || !matches!(
                doc.low(span.0),
                "couldn't"
                    | "can't"
                    | "cannot"
                    | "wasn't"
                    | "weren't"
                    | "didn't"
                    | "kept"
                    | "still"
                    | "noticed"
                    | "needed"
                    | "wanted"
                    | "requested"
                    | "high"
                    | "low"
                    | "hard"
                    | "difficult"
                    | "deadline"
                    | "risk"
                    | "wait"
                    | "miss"
            )
        {
            f.pain += 1;
        }
    }
    if c & OUTCOME != 0 && !negated {
        f.outcome += 1;
    }
    if c & SECOND_ORDER != 0 {
        f.second_order += 1;
        flag(SECOND_ORDER, f);
    }
    if c & REFLECT != 0 {
        f.reflect += 1;
        flag(REFLECT, f);
    }
    if c & BUZZ != 0 {
        f.buzz += 1;
        flag(BUZZ, f);
    }
    if c & ARTIFACT != 0 {
        f.artifact += 1;
    }
    if c & TRADEOFF != 0 {
        f.tradeoff += 1;
        flag(TRADEOFF, f);
    }
    if c & TIME_ANCHOR != 0 {
        f.time_anchor += 1;
    }
    if c & PROCESS != 0 {
        f.process += 1;
    }
    // "I think it was about a dozen": a spoken answer hedges a figure it remembers, which is
    // knowing the outcome, not doubting it.
    if c & UNKNOWN != 0 && !(span.1..(span.1 + 4).min(doc.toks.len())).any(|j| is_number(doc, j)) {
        f.unknown += 1;
    }
    if c & REJECT != 0 {
        f.reject += 1;
    }
    if c & ABSOLUTE != 0 && !negated {
        // An outcome told in words ("no complaints for the rest of the year") is as concrete
        // as a number, if less precise. In the candidate's own clause it describes the step.
        if subj != Subj::I {
            f.outcome += 1;
        }
        f.metrics += 1.0;
        if matches!(
            doc.low(span.0),
            "no" | "never" | "stopped" | "went" | "disappeared"
        ) {
            f.before_after = true;
        }
    }
    if c & FRACTION != 0 && !phrase {
        // "about a quarter fewer returns", "cut it to a third", "by half": a result in words.
        let i = span.0;
        let next_comp = doc
            .toks
            .get(i + 1)
            .is_some_and(|n| n.cats & COMPARATIVE != 0);
        let to_a = i >= t0 + 2
            && matches!(doc.low(i - 1), "a" | "one" | "two")
            && matches!(
                doc.low(i - 2),
                "to" | "by" | "about" | "nearly" | "almost" | "roughly"
            );
        if next_comp || to_a {
            f.metrics += 0.75;
            f.before_after = true;
        }
    }
    if c & VAGUE != 0 {
        f.vague += 1;
        flag(VAGUE, f);
    }
    if c & WEAK_VERB != 0 && matches!(subj, Subj::I | Subj::We) {
        f.weak_verb += 1;
        flag(WEAK_VERB, f);
    }
    if c & EMPATHY != 0 {
        f.empathy += 1;
    }
    if c & GENERAL != 0 && phrase {
        f.general += 1;
        flag(GENERAL, f);
    }
    if c & HYPO_MARK != 0 {
        f.hyp += 1;
        if f.hyp_spans.len() < 2 {
            f.hyp_spans.push((
                span.0,
                clause_end(doc, span.0, doc.toks.len().min(span.0 + 14)),
            ));
        }
    }
    if c & NUMWORD != 0 {
        // A number in words ("ten customers", "one in five") is a concrete detail.
        f.numwords += 1;
        let w = doc.low(span.0);
        // "cut by half", "in half" are changes; "the second half of the year" is a date.
        let half_change = w == "half"
            && span.0 > t0
            && matches!(
                doc.low(span.0 - 1),
                "by" | "in" | "to" | "than" | "nearly" | "almost" | "about" | "roughly" | "over"
            )
            && (span.1 >= doc.toks.len() || doc.low(span.1) != "of");
        let change_word =
            half_change || matches!(w, "doubled" | "halved" | "tripled" | "quadrupled" | "zero");
        // "ten customers", and a rate: "two a week", "three per day".
        let unit_at = |k: usize| doc.toks.get(k).is_some_and(|n| n.cats & UNIT != 0);
        let with_unit = unit_at(span.1)
            || (span.1 < doc.toks.len()
                && matches!(doc.low(span.1), "a" | "per")
                && unit_at(span.1 + 1));
        // A rate in words: "one in four", "three out of ten".
        let rate = span.0 >= t0 + 2
            && matches!(
                (doc.low(span.0 - 2), doc.low(span.0 - 1)),
                ("one" | "1", "in") | ("out", "of")
            );
        // "From sixty-eight to eighty-one percent": the first end of a change said in words
        // measures it like its digits would (the "from" rule has already marked the change).
        let from_to = (span.0.saturating_sub(3).max(t0)..span.0).any(|j| doc.low(j) == "from")
            && (span.1..(span.1 + 3).min(doc.toks.len()))
                .any(|j| doc.low(j) == "to" && (is_number(doc, j + 1) || is_number(doc, j + 2)));
        // Said or written in words, a count with its unit is as much a measure as the digits:
        // style guides spell small numbers out, and spoken answers say "about thirty percent".
        if (with_unit && !doc.period(span.0)) || rate || from_to {
            f.metrics += 1.0;
        } else if change_word {
            f.metrics += 0.75;
        }
        if change_word {
            f.before_after = true;
        }
    }
    if negated {
        return;
    }
    if c & BLAME != 0 {
        // Owning a mistake ("I dropped the ball", "it was my fault") is accountability, not blame.
        // "my model's fault", "our mistake": owning it.
        let own = matches!(subj, Subj::I)
            || (matches!(doc.low(span.0), "fault" | "mistake")
                && (span.0.saturating_sub(3).max(t0)..span.0)
                    .any(|j| matches!(doc.low(j), "my" | "our")));
        // Blame someone else voiced ("he said the customers were lazy") or put in quotes is
        // reported, often to be rejected; it is not the candidate's.
        // "Most people blamed patients": telling whom others blamed reports their view.
        let others_blaming =
            !phrase && matches!(doc.low(span.0), "blamed" | "blaming") && subj != Subj::I;
        // "Whose fault it is", "nobody's fault": asking or denying, not faulting anyone.
        // "I didn't argue about whether it was the plugin's fault": a question left open.
        let nobody = matches!(doc.low(span.0), "fault")
            && span.0 > t0
            && (matches!(
                doc.low(span.0 - 1),
                "whose" | "nobody's" | "anyone's" | "anybody's" | "someone's"
            ) || (span.0.saturating_sub(6).max(t0)..span.0).any(|j| doc.low(j) == "whether"));
        // "The customer didn't care about three days, they cared that nothing was lost": what
        // the customer valued, set against what did not matter to them.
        let contrast = phrase
            && matches!(doc.low(span.0), "didn't" | "did")
            && (span.1..(span.1 + 12).min(doc.toks.len())).any(|j| doc.low(j) == "cared");
        // "Tubs that would have been useless for him": a thing unfit for someone, not a person
        // faulted.
        let unfit = !phrase
            && doc.low(span.0) == "useless"
            && doc
                .toks
                .get(span.1)
                .is_some_and(|_| doc.low(span.1) == "for");
        // "The easy thing was to blame them": a temptation named in order to resist it.
        let tempted = (span.0.saturating_sub(6).max(t0)..span.0).any(|j| {
            doc.low(j) == "easy"
                && doc.toks.get(j + 1).is_some_and(|_| {
                    matches!(
                        doc.low(j + 1),
                        "thing" | "answer" | "explanation" | "move" | "way"
                    )
                })
        });
        // "Elderly people who don't read the bill": a relative clause describes who was
        // affected, unless a hedge before it makes it a complaint.
        let describes = phrase && relative_clause(doc, span.0, t0) && !hedge_in(doc, t0, span.0);
        // "The fault was in the firmware": a defect, unless it is someone's ("the driver's fault",
        // "at fault", "the fault of the vendor").
        // "the weeks they were entitled to": a right, not a sneer.
        let right = !phrase
            && doc.low(span.0) == "entitled"
            && span.1 < doc.toks.len()
            && doc.low(span.1) == "to";
        let defect = !phrase
            && doc.low(span.0) == "fault"
            && !(span.0 > t0 && {
                let prev = doc.low(span.0 - 1);
                prev.ends_with("'s") || matches!(prev, "his" | "her" | "their" | "your" | "at")
            })
            && (span.1 >= doc.toks.len() || doc.low(span.1) != "of");
        if !own
            && !others_blaming
            && !nobody
            && !contrast
            && !defect
            && !right
            && !describes
            && !unfit
            && !tempted
            && !reported(doc, span.0, t0)
        {
            f.blame += 1;
            flag(BLAME, f);
        }
    }
    if c & GAIN != 0 {
        let w = doc.low(span.0);
        // "raise" only counts as pay ("a raise" is a phrase); "praise" for the product is an outcome.
        let plain_raise = !phrase && w == "raise";
        // "Revenue recognition", "the recognition schedule": a process, not praise.
        let technical = !phrase
            && w == "recognition"
            && (span.0 > t0
                && matches!(
                    doc.low(span.0 - 1),
                    "revenue"
                        | "speech"
                        | "voice"
                        | "image"
                        | "face"
                        | "facial"
                        | "text"
                        | "pattern"
                        | "character"
                        | "object"
                        | "entity"
                        | "handwriting"
                        | "optical"
                        | "brand"
                )
                || span.1 < doc.toks.len()
                    && matches!(
                        doc.low(span.1),
                        "schedule"
                            | "schedules"
                            | "rules"
                            | "rule"
                            | "policy"
                            | "model"
                            | "software"
                            | "engine"
                            | "system"
                            | "accuracy"
                            | "rate"
                            | "date"
                    ));
        let praise_of_work = !phrase && matches!(w, "praise" | "praised") && subj == Subj::Other;
        // Praise for the team ("the team got a shout-out") is shared, not a personal win.
        let team = subj == Subj::We;
        // "I missed quota that quarter", "I was under quota": a gain given up for the customer.
        let forgone = (span.0.saturating_sub(3).max(t0)..span.0).any(|j| {
            matches!(
                doc.low(j),
                "missed" | "miss" | "under" | "below" | "lost" | "sacrificed" | "without"
            )
        });
        // "Something else stood out": a thing noticed; only the candidate standing out is a win.
        let noticed = phrase && matches!(w, "stood" | "stand") && subj != Subj::I;
        if !plain_raise && !technical && !praise_of_work && !team && !forgone && !noticed {
            f.gain += 1;
            flag(GAIN, f);
        }
    }
    if c & BEYOND != 0 {
        f.beyond += 1;
        flag(BEYOND, f);
    }
}
