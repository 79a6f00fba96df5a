//! Turns what `analysis` read into dimension scores, flags, caps, evidence and tips.
//!
//! Each dimension is computed as a fraction of its maximum from a few named components, so that a
//! change in the story (a number removed, "I" turned into "we") moves the score it should move.

use super::analysis::{Doc, Feat, Role, Span};
use super::lexicon::cat;
use super::{Band, Dimension, Dimensions, Flag, RUBRIC_VERSION, Score};
use std::collections::HashMap;
use std::hash::Hasher;

/// Dimension maxima; they sum to 100.
pub(super) const MAX: [(&str, u8); 7] = [
    ("customer_focus", 20),
    ("ownership", 20),
    ("action", 15),
    ("result", 20),
    ("structure", 10),
    ("authenticity", 10),
    ("reflection", 5),
];

/// Cap on the total when the answer tells no specific past event, or is a pile of keywords.
const CAP_NO_STORY: u32 = 35;
const CAP_STUFFING: u32 = 30;
const CAP_FRAGMENT: u32 = 30;
const CAP_SIZED_BY_WORDS: u32 = 55;

/// Cap for a short answer that also carries another red flag: brevity plus a gap cannot pass.
const CAP_SHORT_AND_FLAGGED: u32 = 45;

/// How much each flag beyond the first lowers the cap.
const FLAG_STEP: u32 = 4;

/// The highest total an answer with this flag can reach (see `docs/rubric.md`).
fn flag_cap(f: Flag) -> u32 {
    match f {
        Flag::KeywordStuffing => 30,
        Flag::Hypothetical | Flag::MissingAction => 40,
        Flag::Blame | Flag::PersonalWin | Flag::EscalationOnly => 45,
        Flag::MissingResult | Flag::NoCustomer => 50,
        Flag::Vague => 45,
        Flag::WeNotI => 60,
        Flag::MissingProblem => 65,
        Flag::TooShort => 55,
        Flag::TooLong => 60,
        Flag::NoMetric => 65,
    }
}

/// Words below which an answer is too short, and above which it rambles.
const SHORT_WORDS: usize = 100;
const LONG_WORDS: usize = 450;

/// The dimension a flag mostly concerns, for ranking tips.
pub(super) fn flag_dimension(f: Flag) -> &'static str {
    match f {
        Flag::Hypothetical => "authenticity",
        Flag::WeNotI | Flag::EscalationOnly => "ownership",
        Flag::NoMetric | Flag::MissingResult => "result",
        Flag::NoCustomer | Flag::PersonalWin | Flag::Blame => "customer_focus",
        Flag::Vague | Flag::MissingAction => "action",
        Flag::MissingProblem | Flag::TooShort | Flag::TooLong | Flag::KeywordStuffing => {
            "structure"
        }
    }
}

/// Sums over the whole answer and over its parts.
#[derive(Default, Debug)]
struct Totals {
    i_act: f32,
    i_comm: f32,
    we_act: f32,
    other_act: f32,
    states: f32,
    hyp: f32,
    hyp_reflect: f32,
    general: f32,
    present: f32,
    you: f32,
    assigned: f32,
    customer: f32,
    customer_problem: f32,
    root: f32,
    voice: f32,
    result_sents: usize,
    metrics_result: f32,
    metrics_all: f32,
    before_after_result: bool,
    /// Whether a result in the second half of the story is measured: the numbers of an early
    /// "result" are usually the baseline of the problem.
    measured_late: bool,
    customer_result: bool,
    customer_result_count: f32,
    second_order: f32,
    reflect_sents: usize,
    reflect_specific: bool,
    reflect_mechanism: bool,
    problem_cue: f32,
    has_problem: bool,
    pain: bool,
    tradeoff: f32,
    time_anchor: f32,
    proper: f32,
    artifact: f32,
    numbers: f32,
    numwords: f32,
    vague: f32,
    weak: f32,
    escalate: f32,
    claim: f32,
    other_fix: f32,
    i_present: f32,
    passive: f32,
    i_weak: f32,
    /// "I increased retention from 94% to 112%": results claimed as the candidate's acts.
    i_claims: f32,
    /// Result sentences that tell an outcome (a number, a change, a customer's reaction, a
    /// lasting fix), not praise for the candidate or an admission that nobody knows.
    result_substance: usize,
    /// The story ends without knowing how it turned out.
    unknown_ending: bool,
    /// The story's last sentence is a process step ("put it on the roadmap") with no outcome.
    process_ending: bool,
    blame: f32,
    /// Sizes without a measure in the result and the ending.
    vague_size: f32,
    gain: f32,
    gain_late: bool,
    beyond: f32,
    empathy: f32,
    buzz: f32,
    concrete_action: f32,
    action_words: f32,
    problem_words: f32,
    dup_words: f32,
    order_ok: bool,
}

fn totals(doc: &Doc) -> Totals {
    let mut t = Totals::default();
    let n = doc.sents.len();
    let mut first_problem = None;
    let mut first_action = None;
    let mut last_result = None;
    let mut seen: HashMap<u64, usize> = HashMap::with_capacity(n);
    let mut keys: Vec<u64> = Vec::with_capacity(n);
    for (k, s) in doc.sents.iter().enumerate() {
        let f = &s.f;
        let reflect = s.role == Role::Reflect;
        t.i_act += f.i_act as f32;
        t.i_comm += f.i_comm as f32;
        t.we_act += f.we_act as f32;
        t.other_act += f.other_act as f32;
        t.states += (f.i_state + f.we_state) as f32;
        if reflect {
            t.hyp_reflect += f.hyp as f32;
        } else {
            t.hyp += f.hyp as f32;
            t.general += f.general as f32;
            t.present += f.present as f32;
        }
        t.you += f.you as f32;
        t.assigned += f.assigned as f32;
        t.customer += f.customer;
        t.root += f.root as f32;
        t.voice += f.voice as f32;
        t.problem_cue += f.problem_cue as f32;
        t.tradeoff += f.tradeoff as f32;
        t.time_anchor += f.time_anchor as f32;
        t.proper += f.proper as f32;
        t.artifact += f.artifact as f32;
        t.numbers += f.numbers as f32;
        t.numwords += f.numwords as f32;
        t.metrics_all += f.metrics;
        t.vague += f.vague as f32;
        t.weak += f.weak_verb as f32;
        t.escalate += f.escalate as f32;
        t.claim += f.claim as f32;
        t.other_fix += f.other_fix as f32;
        t.i_present += f.i_present as f32;
        t.passive += f.passive as f32;
        t.i_weak += f.i_weak as f32;
        if f.metrics > 0.0 {
            t.i_claims += f.i_change as f32;
        }
        // Blame voiced and then turned down ("The easy reading was that he was lazy. Instead I
        // asked him") is the candidate rejecting it, not blaming.
        // A turn that blames in its own words ("I didn't agree, because it was his mistake") turns
        // down someone else's decision, not the blame.
        let turns = |g: &Feat| g.reject > 0 && g.blame == 0;
        let rejected = turns(f) || doc.sents.get(k + 1).is_some_and(|next| turns(&next.f));
        if !rejected {
            t.blame += f.blame as f32;
        }
        if s.is_result || (k + 1) * 5 > n * 3 {
            t.vague_size += f.vague_size as f32;
        }
        // A lesson about what customers don't know is not the candidate not knowing the outcome.
        if f.unknown > 0 && f.metrics == 0.0 && (k + 1) * 5 > n * 3 && !s.is_reflect {
            t.unknown_ending = true;
        }
        t.gain += f.gain as f32;
        t.beyond += f.beyond as f32;
        t.empathy += f.empathy as f32;
        t.buzz += f.buzz as f32;
        if f.gain > 0 && ((k + 1) * 3 > n * 2 || s.is_result) {
            t.gain_late = true;
        }
        if s.is_problem && (f.customer > 0.0 || f.problem_cue > 0) {
            t.customer_problem += f.customer.min(2.0);
        }
        // A problem is a pain point told before the ending, or a labelled situation with content.
        // Naming the customer early, in a story of several sentences, also sets up a situation.
        // The problem is told early: in the first two fifths, or before the candidate's first
        // step or just after it; not found in the middle of a delivery, and not the result's
        // "churn fell".
        // Naming the customer before acting, in a story of several sentences, also sets up a
        // situation.
        let early = first_action.is_none_or(|a| k <= a + 2) || (k + 1) * 5 <= n * 2;
        if s.heading == Some(Role::Problem) && s.words > 5
            || f.problem_cue > 0 && (k + 1) * 3 <= n.max(1) * 2 + 1 && !s.is_result && early
            || f.customer > 0.0 && n >= 3 && !s.is_result && first_action.is_none_or(|a| k <= a)
            // A baseline before the work ("turnout was about 30%") states the problem too.
            || f.metrics > 0.0 && !s.is_result && !s.is_action && early && k + 1 < n
        {
            t.has_problem = true;
        }
        // Whatever sets the scene, a problem needs a pain: something wrong, slow, lost or asked
        // for, or a generic "didn't"/"needed" said of a customer. A launch, a dashboard or a deal
        // told with no pain behind it has no problem to solve.
        if (f.pain > 0 || f.problem_cue > 0 && f.customer > 0.0)
            // Results mention the old pain too ("complaints stopped"), so a result sentence only
            // tells the problem early in the story.
            && (!s.is_result || first_action.is_none_or(|a| k <= a + 1) || (k + 1) * 2 <= n)
            && (k + 1) * 5 <= n * 4 + 1
        {
            t.pain = true;
        }
        if s.is_result {
            t.result_sents += 1;
            t.metrics_result += f.metrics;
            t.before_after_result |= f.before_after;
            t.measured_late |= (f.metrics >= 1.0 || f.before_after) && (k + 1) * 2 > n;
            t.customer_result |= f.customer > 0.0 || f.outcome > 0;
            t.customer_result_count += (f.customer + f.outcome as f32).min(2.0);
            last_result = Some(k);
            let tells_outcome = f.metrics > 0.0
                || f.before_after
                || f.outcome > 0
                || f.result_cue > 0
                || f.second_order > 0;
            let praise_only = f.gain > 0 && f.customer == 0.0 && f.metrics == 0.0;
            if tells_outcome && f.unknown == 0 && !praise_only {
                t.result_substance += 1;
            }
        }
        // A lasting effect (a mechanism, other teams adopting the fix) counts wherever it is told
        // after the candidate started acting.
        if s.is_result || s.is_reflect || first_action.is_some() {
            t.second_order += f.second_order as f32;
        }
        if s.is_reflect {
            t.reflect_sents += 1;
            t.reflect_specific |=
                f.artifact + f.root > 0 || f.metrics > 0.0 || f.i_act > 0 || f.customer > 0.0;
            t.reflect_mechanism |= f.second_order > 0;
        }
        match s.role {
            Role::Action => t.action_words += s.words as f32,
            Role::Problem => t.problem_words += s.words as f32,
            _ => {}
        }
        if s.is_action {
            t.concrete_action +=
                (f.numbers + f.artifact + f.proper + f.time_anchor + f.root) as f32;
            first_action.get_or_insert(k);
        }
        if s.role == Role::Problem || s.is_problem {
            first_problem.get_or_insert(k);
        }
        // Repeated sentences (a pasted answer, a looping story) are found by a hash of their words.
        let mut h = std::hash::DefaultHasher::new();
        for i in (s.t0..s.t1).filter(|&i| doc.toks[i].kind != super::analysis::Kind::Punct) {
            h.write(doc.low(i).as_bytes());
            h.write_u8(b' ');
        }
        keys.push(h.finish());
    }
    for (k, key) in keys.iter().enumerate() {
        if doc.sents[k].words < 4 {
            continue;
        }
        let seen_before = seen.entry(*key).or_insert(0);
        if *seen_before > 0 {
            t.dup_words += doc.sents[k].words as f32;
        }
        *seen_before += 1;
    }
    // The ending: the last sentence that tells the story rather than comments on it ("I think this
    // shows…", a lesson). A process step there, with nothing delivered, means the story stops short.
    if let Some(end) = doc.sents.iter().rev().find(|s| {
        s.role != Role::Reflect && !(s.f.general > 0 && s.f.i_act == 0 && s.f.metrics == 0.0)
    }) {
        let f = &end.f;
        t.process_ending = (f.process > 0 || f.escalate > 0)
            && f.outcome == 0
            && f.metrics == 0.0
            && !f.before_after;
        t.unknown_ending |= f.unknown > 0 && f.metrics == 0.0 && !f.before_after;
    }
    t.order_ok = match (first_problem, first_action, last_result) {
        (Some(p), Some(a), Some(r)) => p <= a && a <= r,
        _ => false,
    };
    t
}

fn clamp01(x: f32) -> f32 {
    x.clamp(0.0, 1.0)
}

fn sat(x: f32, full: f32) -> f32 {
    clamp01(x / full)
}

pub(super) fn score_doc(doc: &Doc) -> Score {
    let mut t = totals(doc);
    let w = doc.words.max(1) as f32;
    // First-person present tense: narration of a real event when the story is anchored in the past
    // (a date, a past-tense action or state) and not framed as a habit or a hypothetical; otherwise
    // it is how the candidate says they usually work.
    if t.i_present > 0.0 {
        // A couple of stray past tenses do not anchor a routine told mostly in the present.
        let past = t.i_act + t.we_act + t.states;
        let anchored = t.time_anchor > 0.0 || past >= 2.0 && past * 2.0 >= t.i_present;
        let habit = t.hyp + t.general;
        if anchored && habit <= 1.0 + 0.25 * (t.i_act + t.i_present) {
            t.i_act += t.i_present;
        } else {
            t.present += t.i_present;
        }
    }
    let past_story = t.i_act + t.we_act + t.states;
    let concreteness = t.numbers + t.proper + t.artifact + t.time_anchor + t.root;

    // Flags first: several dimensions depend on them.
    let stuffing = (t.buzz >= 4.0 && t.buzz >= 0.5 * (t.i_act + t.we_act) && t.buzz * 100.0 >= 5.0 * w)
            || (t.numbers >= 5.0
                && t.numbers * 100.0 >= 10.0 * w
                && t.i_act + t.we_act + t.other_act < t.numbers / 2.0)
            // A résumé of buzzwords and figures with no problem told and no moment in time.
            || (t.buzz >= 3.0
                && t.numbers >= 6.0
                && t.time_anchor == 0.0
                && (t.problem_cue == 0.0 || t.numbers * 100.0 >= 8.0 * w));
    // Hypothetical: the candidate's actions are conditional ("I would") or habitual ("I always",
    // "I usually", "I tend to") rather than one past event.
    let hypothetical = (t.hyp >= 2.0 && t.hyp * 2.0 >= t.i_act)
        || (t.hyp >= 1.0 && t.i_act + t.we_act == 0.0)
        || (t.general + t.present + t.you >= 3.0 && t.i_act + t.we_act <= 1.0)
        || (t.general + t.hyp >= 3.0 && t.general + t.hyp + t.present >= t.i_act + t.we_act)
        // A routine told in the present ("When an escalation comes in, I get on a call…").
        || (t.present >= 4.0 && t.present >= 2.0 * (t.i_act + t.we_act) && t.time_anchor == 0.0);
    // "We" and actor-less passives ("a fix was deployed") both hide what the candidate did.
    let hidden = t.we_act + t.passive;
    // The candidate's own steps, apart from talking and effort ("I told", "I stayed late").
    let i_light = (t.i_comm + t.i_weak + t.i_claims).min(t.i_act);
    let i_steps = t.i_act - i_light;
    let we_not_i = hidden >= 2.0 && hidden > 1.2 * (i_steps + 0.5 * i_light);
    // Only a result told in the second half is the story's result: a figure in an early
    // "result" sentence is the baseline ("the last redesign raised order value by 6%").
    let no_metric = !t.measured_late;
    let no_customer = t.customer < 0.5;
    let personal_win = t.gain >= 2.0 || (t.gain >= 1.0 && (!t.customer_result || t.gain_late));
    let blame = t.blame >= 1.0;
    // Vague: few concrete details for the length, many empty phrases, or actions told mostly with
    // empty verbs ("worked on", "collaborated", "made several changes").
    let concreteness = concreteness + t.numwords;
    // A hypothetical speaks in generalities unless it names specifics.
    let specifics = t.proper + t.artifact + t.time_anchor + t.root;
    // A pile of buzzwords is vague by definition, and a couple of sentences can only be specific
    // if nearly every word is a detail.
    let vague = stuffing
        || doc.words < 25 && concreteness < 3.0
        || doc.words < 50 && concreteness < 2.0
        || doc.words >= 25
            && (hypothetical && specifics * 100.0 / w < 8.0
            // Few details and few events: a story that narrates many happenings (anyone's) is
            // specific even when its details are words the lists do not know.
            || concreteness * 100.0 / w < 3.0
                && (t.i_act + t.we_act + t.other_act) * 100.0 / w < 4.0
                && (t.vague + t.weak >= 2.0 || t.i_act + t.we_act <= 1.0)
            || t.vague >= 3.0 && t.vague * 2.0 >= concreteness
            || t.weak >= 2.0
                && t.weak + t.vague >= 4.0
                && (t.weak + t.vague) * 2.0 >= t.i_act + t.we_act + 1.0);
    // "Complaints went down a lot and customers were much happier": a result whose only sizes
    // are intensifiers is as vague as it gets, whatever detail the story had before it.
    let vague = vague || no_metric && t.vague_size >= 2.0;
    let missing_problem = !t.has_problem || !t.pain;
    // The candidate's own action is missing when they took no step themselves: whatever was done
    // was talk, effort, a hand-off, or told as "we".
    // One step in a story that others acted out ("I got it sorted out", "I took it very
    // seriously") is no action either; in a story told as "we", that one step is the
    // candidate's visible part, which `we_not_i` already questions.
    let missing_action = i_steps == 0.0 && (t.we_act == 0.0 || we_not_i || t.escalate > 0.0)
        || i_steps <= 1.0 && t.we_act <= 1.0;
    // A hypothetical has no real result, and neither has a story that ends before anything
    // changed or without knowing how it ended.
    let missing_result = t.result_sents == 0
        || t.result_substance == 0
        || hypothetical
        || (t.process_ending && !t.measured_late)
        || (t.unknown_ending && !t.before_after_result);
    // Hand-offs earn no action credit (they are not in `i_act`). Escalation is "only" when it is
    // most of what the candidate did; when someone else did the fix and the candidate's own steps
    // are few; or when no result followed (nothing changed, or the candidate never learned what
    // did), whatever else was done around it.
    let escalation_only = t.escalate >= 1.0
        && (i_steps <= t.escalate + 1.0
            || missing_result
            || (t.other_fix >= 1.0 && i_steps <= 2.0 * t.escalate + 1.0));
    let too_short = doc.words < SHORT_WORDS;
    let too_long = doc.words > LONG_WORDS;

    // Customer focus: who the customer is, what they needed, how the candidate learned it, and
    // what changed for them; minus the candidate's own gain and blame of others.
    let mut cf = 0.25 * sat(t.customer, 4.0)
        + if t.customer_problem > 0.0 {
            0.15
        } else if t.customer > 0.0 {
            0.05
        } else {
            0.0
        }
        + 0.20 * sat(t.root, 3.0)
        + 0.10 * sat(t.voice, 1.0)
        + if t.customer_result { 0.20 } else { 0.0 }
        + if t.empathy + t.tradeoff + t.second_order > 0.0 {
            0.10
        } else {
            0.0
        };
    cf -= (0.2 * t.gain).min(0.6) + (0.15 * t.blame).min(0.45);

    // Ownership: clear first-person actions, their share against "we", going beyond one's scope.
    let i_share = if t.i_act + hidden > 0.0 {
        t.i_act / (t.i_act + hidden)
    } else {
        0.0
    };
    let mut own = 0.45 * sat(i_steps + 0.4 * i_light, 5.0)
        + 0.25 * i_share
        + if t.beyond > 0.0 { 0.15 } else { 0.0 }
        + if t.i_act > 0.0 {
            0.15 * sat(t.root, 2.0)
        } else {
            0.0
        };
    own -= if escalation_only {
        0.35
    } else {
        (0.1 * t.escalate).min(0.2)
    };
    own -= 0.05 * t.assigned.min(2.0) + 0.05 * t.claim.min(2.0);

    // Action: several concrete steps, trade-offs weighed, few vague verbs.
    let mut act = if t.i_act + t.we_act > 0.0 { 0.2 } else { 0.0 }
        + 0.35 * sat(i_steps + 0.4 * i_light + 0.5 * t.we_act, 6.0)
        + 0.30 * sat(t.concrete_action, 5.0)
        + 0.15 * sat(t.tradeoff, 1.0);
    act -= 0.3 * (t.weak / (t.i_act + t.we_act + 1.0)).min(1.0);
    if stuffing {
        act *= 0.3;
    }

    // Result: a result part, measured, before/after, for the customer, with a lasting effect.
    let mut res = if t.result_sents > 0 {
        0.1 + 0.1 * sat(t.result_sents as f32, 3.0)
    } else {
        0.0
    } + 0.35 * sat(t.metrics_result, 4.0)
        + if t.before_after_result { 0.10 } else { 0.0 }
        + 0.15 * sat(t.customer_result_count, 2.0)
        + 0.20 * sat(t.second_order, 2.0);

    // Results and customer work told as "we" / "the team" are not the candidate's: when "we" hides
    // what the candidate did, those credits are scaled by the candidate's own share of the actions.
    if we_not_i {
        cf *= 0.5 + 0.5 * i_share;
        res *= 0.35 + 0.65 * i_share;
    }
    if escalation_only {
        // The fix, and so the result, was someone else's.
        res *= 0.6;
    }

    // Structure: all three parts, in order, balanced, of a sensible length, not repeated.
    let parts = if t.has_problem { 0.15 } else { 0.0 }
        + if !missing_action { 0.2 } else { 0.0 }
        + if !missing_result { 0.2 } else { 0.0 };
    let balance = 0.1 * sat(t.action_words / w, 0.3)
        + if t.problem_words / w <= 0.45 {
            0.05
        } else {
            0.0
        };
    let n = doc.words as f32;
    let length = if n < 100.0 {
        0.1 * n / 100.0
    } else if n < 150.0 {
        0.1 + 0.1 * (n - 100.0) / 50.0
    } else if n <= 400.0 {
        0.2
    } else if n <= 550.0 {
        0.2 - 0.15 * (n - 400.0) / 150.0
    } else {
        0.0
    };
    let mut st = parts + if t.order_ok { 0.1 } else { 0.0 } + balance + length;
    if t.dup_words > 0.0 {
        st -= 0.2 + 1.2 * t.dup_words / w;
    }
    if stuffing {
        st *= 0.3;
    }

    // Authenticity: one specific past event, told in the past tense, with checkable details.
    let told = past_story + t.other_act;
    let generic = t.hyp + t.general + t.present + t.you;
    let past_share = if told + generic > 0.0 {
        told / (told + generic)
    } else {
        0.0
    };
    let mut auth = 0.1
        + 0.4 * past_share
        + 0.3 * sat(t.time_anchor + t.proper + t.metrics_all, 4.0)
        + if t.i_act > 0.0 { 0.2 } else { 0.0 };
    auth -= (0.15 * t.hyp).min(0.6)
        + (0.08 * t.general).min(0.4)
        + (0.05 * t.you).min(0.2)
        + 0.03 * t.hyp_reflect;

    // Reflection: a lesson, better a specific one, best turned into a mechanism.
    let refl = if t.reflect_sents > 0 {
        if t.reflect_mechanism {
            1.0
        } else if t.reflect_specific {
            0.8
        } else {
            0.45
        }
    } else if t.second_order > 0.0 {
        0.3
    } else {
        0.0
    };

    let fractions = [cf, own, act, res, st, auth, refl];
    let mut scores: [u32; 7] = [0; 7];
    for (k, frac) in fractions.iter().enumerate() {
        scores[k] = (clamp01(*frac) * f32::from(MAX[k].1)).round() as u32;
    }

    let mut flags = Vec::new();
    for (on, flag) in [
        (hypothetical, Flag::Hypothetical),
        (we_not_i, Flag::WeNotI),
        (no_metric, Flag::NoMetric),
        (no_customer, Flag::NoCustomer),
        (personal_win, Flag::PersonalWin),
        (blame, Flag::Blame),
        (escalation_only, Flag::EscalationOnly),
        (vague, Flag::Vague),
        (missing_problem, Flag::MissingProblem),
        (missing_action, Flag::MissingAction),
        (missing_result, Flag::MissingResult),
        (too_short, Flag::TooShort),
        (too_long, Flag::TooLong),
        (stuffing, Flag::KeywordStuffing),
    ] {
        if on {
            flags.push(flag);
        }
    }

    // Caps: a story with no specific past event, keyword stuffing and fragments stay low whatever
    // else they contain. Dimensions are scaled down so that the total remains their sum.
    let no_story =
        past_story == 0.0 || (hypothetical && t.hyp + t.general + t.present >= past_story);
    let mut cap = 100;
    if no_story {
        cap = cap.min(CAP_NO_STORY);
    }
    if stuffing {
        cap = cap.min(CAP_STUFFING);
    }
    if doc.words < 40 {
        cap = cap.min(CAP_FRAGMENT);
    }
    // One intensifier standing in for the missing measure ("builds felt much more reliable")
    // leaves the result less certain than a plain unmeasured one.
    if no_metric && t.vague_size >= 1.0 {
        cap = cap.min(CAP_SIZED_BY_WORDS);
    }
    // Red flags are what interviewers notice first, so each caps the total: a flagged answer cannot
    // reach the band its other strengths would earn. Each further flag lowers the cap a little more.
    for flag in &flags {
        cap = cap.min(flag_cap(*flag));
    }
    if too_short && flags.len() >= 2 {
        cap = cap.min(CAP_SHORT_AND_FLAGGED);
    }
    let serious = flags.iter().filter(|f| flag_cap(**f) < 100).count() as u32;
    cap = cap
        .saturating_sub(FLAG_STEP * serious.saturating_sub(1))
        .max(10);
    let sum: u32 = scores.iter().sum();
    if sum > cap {
        // Scale every dimension by cap / sum, handing the points lost to rounding down back to
        // the largest remainders (ties to the earlier dimension), so the total is exactly the cap
        // and small differences between answers survive the scaling.
        let mut remainders = [(0u32, 0usize); 7];
        for (k, s) in scores.iter_mut().enumerate() {
            remainders[k] = ((*s * cap) % sum, k);
            *s = *s * cap / sum;
        }
        let short = cap - scores.iter().sum::<u32>();
        remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, k) in remainders.iter().take(short as usize) {
            scores[k] += 1;
        }
    }
    let total: u32 = scores.iter().sum();

    let ev = Evidence::new(doc);
    let dim = |k: usize, evidence: Vec<String>, tip: String| Dimension {
        score: scores[k] as u8,
        max: MAX[k].1,
        evidence,
        tip,
    };
    let full = |k: usize| scores[k] >= u32::from(MAX[k].1);
    let dimensions = Dimensions {
        customer_focus: dim(0, ev.customer(), ev.customer_tip(&flags, full(0), &t)),
        ownership: dim(1, ev.ownership(), ev.ownership_tip(&flags, full(1), &t)),
        action: dim(2, ev.action(), ev.action_tip(&flags, full(2), &t)),
        result: dim(3, ev.result(), ev.result_tip(&flags, full(3), &t)),
        structure: dim(4, ev.structure(), ev.structure_tip(&flags, full(4), &t)),
        authenticity: dim(5, ev.authenticity(), ev.authenticity_tip(&flags, full(5))),
        reflection: dim(6, ev.reflection(), ev.reflection_tip(full(6), &t)),
    };
    Score {
        rubric_version: RUBRIC_VERSION.to_string(),
        total: total as u8,
        band: Band::from_total(total as u8),
        dimensions,
        flags,
    }
}

/// Longest evidence quote and longest quote inside a tip, in words. Counting words rather than bytes
/// keeps quotes identical when only the answer's whitespace changes.
const EVIDENCE_WORDS: usize = 28;
const TIP_WORDS: usize = 12;

/// Cuts a quote to at most `max` words; the result is still a substring of the answer.
fn trim_quote(s: &str, max: usize) -> &str {
    let s = s.trim_matches(|c: char| c.is_whitespace() || c == ',' || c == ';');
    let mut words = 0;
    let mut in_word = false;
    for (i, c) in s.char_indices() {
        if c.is_whitespace() {
            if in_word {
                words += 1;
                if words == max {
                    return s[..i].trim_end_matches([',', ';']);
                }
            }
            in_word = false;
        } else {
            in_word = true;
        }
    }
    s
}

fn quoted(s: &str) -> String {
    let q = trim_quote(s, TIP_WORDS);
    // Quotes in tips are for reading; whitespace runs are collapsed so that a reformatted answer
    // gets the same tip.
    let flat: Vec<&str> = q.split_whitespace().collect();
    let ellipsis = if q.len()
        < s.trim_matches(|c: char| c.is_whitespace() || c == ',' || c == ';')
            .len()
    {
        "…"
    } else {
        ""
    };
    format!("\"{}{}\"", flat.join(" "), ellipsis)
}

/// Finds quotable spans for evidence and tips.
struct Evidence<'d, 'a> {
    doc: &'d Doc<'a>,
}

impl<'d, 'a> Evidence<'d, 'a> {
    fn new(doc: &'d Doc<'a>) -> Self {
        Evidence { doc }
    }

    fn text(&self, s: Span) -> &'a str {
        trim_quote(self.doc.slice(s), EVIDENCE_WORDS)
    }

    fn push(&self, out: &mut Vec<String>, s: &str) {
        if !s.is_empty() && out.len() < 3 && !out.iter().any(|o| o == s) {
            out.push(s.to_string());
        }
    }

    /// The clause around a token: from the previous clause break to the next one.
    fn around(&self, s: Span) -> Span {
        let toks = &self.doc.toks;
        let sent = self.doc.sents.iter().find(|x| x.t0 <= s.0 && s.0 < x.t1);
        let (t0, t1) = sent.map(|x| (x.t0, x.t1)).unwrap_or((0, toks.len()));
        let mut a = s.0;
        while a > t0 && s.0 - a < 8 {
            let p = &toks[a - 1];
            if p.kind == super::analysis::Kind::Punct && !matches!(p.ch, '$' | '%' | '\'' | '/') {
                break;
            }
            a -= 1;
        }
        let mut b = s.1;
        while b < t1 && b - s.1 < 10 {
            let p = &toks[b];
            if p.kind == super::analysis::Kind::Punct && !matches!(p.ch, '$' | '%' | '\'' | '/') {
                break;
            }
            b += 1;
        }
        (a, b)
    }

    fn flag_spans(&self, bit: u64, pred: impl Fn(&super::analysis::Sent) -> bool) -> Vec<Span> {
        self.doc
            .sents
            .iter()
            .filter(|s| pred(s))
            .flat_map(|s| {
                s.f.flag_spans
                    .iter()
                    .filter(|(b, _)| *b == bit)
                    .map(|(_, sp)| *sp)
            })
            .collect()
    }

    fn first_flag(&self, bit: u64) -> Option<&'a str> {
        self.flag_spans(bit, |_| true)
            .first()
            .map(|s| self.text(self.around(*s)))
    }

    fn sentence(&self, k: usize) -> &'a str {
        let s = &self.doc.sents[k];
        self.text((s.t0, s.t1))
    }

    fn customer(&self) -> Vec<String> {
        let mut out = Vec::new();
        for s in self.flag_spans(cat::ROOT, |_| true).into_iter().take(2) {
            self.push(&mut out, self.text(self.around(s)));
        }
        for s in self
            .flag_spans(cat::CUSTOMER, |s| s.is_result || s.is_problem)
            .into_iter()
            .take(2)
        {
            self.push(&mut out, self.text(self.around(s)));
        }
        out
    }

    fn customer_tip(&self, flags: &[Flag], full: bool, t: &Totals) -> String {
        if flags.contains(&Flag::PersonalWin)
            && let Some(q) = self.first_flag(cat::GAIN)
        {
            return format!(
                "You wrote {}: end on what changed for the customer, not on your own reward.",
                quoted(q)
            );
        }
        if flags.contains(&Flag::Blame)
            && let Some(q) = self.first_flag(cat::BLAME)
        {
            return format!(
                "{} reads as blame: describe the gap and what you did about it, without faulting people.",
                quoted(q)
            );
        }
        if flags.contains(&Flag::NoCustomer) {
            return "Name the customer (end user, seller, partner team or stakeholder) and what hurt for them."
                .to_string();
        }
        if t.root == 0.0 {
            let anchor = self
                .doc
                .sents
                .iter()
                .find(|s| s.f.i_act > 0)
                .and_then(|s| s.f.i_spans.first());
            if let Some(sp) = anchor {
                return format!(
                    "Before {}, show how you learned what the customer needed: calls, tickets, data.",
                    quoted(self.text(*sp))
                );
            }
            return "Show how you learned what the customer really needed: calls, tickets, data."
                .to_string();
        }
        if !t.customer_result {
            return "Close the loop: say what changed for the customer, in their terms."
                .to_string();
        }
        if full {
            return "Strong: a clear customer, evidence of their need, and their outcome."
                .to_string();
        }
        "Add the long-term angle: the trust you kept or the trade-off you made for the customer."
            .to_string()
    }

    fn ownership(&self) -> Vec<String> {
        let mut out = Vec::new();
        for s in self
            .doc
            .sents
            .iter()
            .flat_map(|s| s.f.i_spans.iter())
            .take(3)
        {
            self.push(&mut out, self.text(*s));
        }
        if out.is_empty() {
            for s in self
                .doc
                .sents
                .iter()
                .flat_map(|s| s.f.we_spans.iter())
                .take(2)
            {
                self.push(&mut out, self.text(*s));
            }
        }
        out
    }

    fn ownership_tip(&self, flags: &[Flag], full: bool, t: &Totals) -> String {
        if flags.contains(&Flag::EscalationOnly)
            && let Some(q) = self.first_flag(cat::ESCALATE)
        {
            return format!(
                "You wrote {}: passing it on is not owning it. Say what you did yourself to fix it.",
                quoted(q)
            );
        }
        let we = self
            .doc
            .sents
            .iter()
            .flat_map(|s| s.f.we_spans.iter())
            .next();
        if (flags.contains(&Flag::WeNotI) || (t.we_act > 0.0 && t.i_act < 3.0))
            && let Some(sp) = we
        {
            return format!("You wrote {}: say what *you* did.", quoted(self.text(*sp)));
        }
        if t.i_act == 0.0 {
            return "Tell it in the first person: what did *you* do, step by step?".to_string();
        }
        if full {
            return "Strong: your own actions are clear.".to_string();
        }
        if t.beyond == 0.0 {
            return "Show initiative: did you act without being asked, or beyond your own scope? Say so.".to_string();
        }
        "Add one more concrete thing you did yourself to reach the root cause.".to_string()
    }

    fn action(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut spans: Vec<(u32, Span)> = Vec::new();
        for s in self.doc.sents.iter().filter(|s| s.is_action) {
            let detail = s.f.numbers + s.f.artifact + s.f.proper + s.f.root;
            for sp in s.f.i_spans.iter().chain(s.f.we_spans.iter()) {
                spans.push((detail, *sp));
            }
        }
        spans.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.0.cmp(&b.1.0)));
        for (_, sp) in spans.into_iter().take(3) {
            self.push(&mut out, self.text(sp));
        }
        out
    }

    fn action_tip(&self, flags: &[Flag], full: bool, t: &Totals) -> String {
        if flags.contains(&Flag::KeywordStuffing) {
            if let Some(q) = self.first_flag(cat::BUZZ) {
                return format!(
                    "Words like {} don't show anything: replace them with the steps you took.",
                    quoted(q)
                );
            }
            return "Numbers and labels without a story don't show anything: tell what you did, step by step.".to_string();
        }
        if t.weak > 0.0
            && let Some(q) = self.first_flag(cat::WEAK_VERB)
        {
            return format!("You wrote {}: name the concrete steps you took.", quoted(q));
        }
        if flags.contains(&Flag::MissingAction) {
            return "Add the action: two or three things you did, in the past tense, with what you used.".to_string();
        }
        if flags.contains(&Flag::Vague) {
            if let Some(first) = self
                .doc
                .sents
                .iter()
                .flat_map(|s| s.f.i_spans.iter())
                .next()
            {
                return format!(
                    "Make {} concrete: which tool, which data, how many, by when?",
                    quoted(self.text(*first))
                );
            }
            return "Add concrete details: names of tools, numbers, dates.".to_string();
        }
        if full {
            return "Strong: concrete steps with the reasoning behind them.".to_string();
        }
        if t.tradeoff == 0.0 {
            return "Add the trade-off: what other option you weighed and why you chose this one."
                .to_string();
        }
        "Add one more concrete step (a tool, a number, a name) to the action.".to_string()
    }

    fn result(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut ks: Vec<usize> = (0..self.doc.sents.len())
            .filter(|&k| self.doc.sents[k].is_result)
            .collect();
        ks.sort_by(|&a, &b| {
            let fa = self.doc.sents[a].f.metrics;
            let fb = self.doc.sents[b].f.metrics;
            fb.total_cmp(&fa).then(a.cmp(&b))
        });
        for k in ks.into_iter().take(2) {
            self.push(&mut out, self.sentence(k));
        }
        out
    }

    fn result_tip(&self, flags: &[Flag], full: bool, t: &Totals) -> String {
        if flags.contains(&Flag::MissingResult) {
            return "The story stops before the ending: say what changed for the customer, ideally with a number."
                .to_string();
        }
        if flags.contains(&Flag::NoMetric) {
            let last = (0..self.doc.sents.len())
                .rev()
                .find(|&k| self.doc.sents[k].is_result);
            if let Some(k) = last {
                return format!(
                    "{} has no number: add a before/after figure (tickets, minutes, %, $).",
                    quoted(self.sentence(k))
                );
            }
        }
        if !t.customer_result {
            return "Say what the result meant for the customer, not only for the system."
                .to_string();
        }
        if full {
            return "Strong: a measured customer result with a lasting effect.".to_string();
        }
        if t.second_order == 0.0 {
            return "Add the lasting effect: what stopped recurring, or what others adopted."
                .to_string();
        }
        "Add a before/after comparison to the result.".to_string()
    }

    fn structure(&self) -> Vec<String> {
        let mut out = Vec::new();
        for role in [Role::Problem, Role::Action, Role::Result] {
            if let Some(s) = self.doc.sents.iter().find(|s| s.role == role) {
                let end = (s.t0 + 8).min(s.t1);
                self.push(&mut out, self.text((s.t0, end)));
            }
        }
        out
    }

    fn structure_tip(&self, flags: &[Flag], full: bool, t: &Totals) -> String {
        let words = self.doc.words;
        if flags.contains(&Flag::KeywordStuffing) {
            return "Tell one story: the problem, what you did, what changed. Drop the list of labels.".to_string();
        }
        if t.dup_words > 0.0 {
            return "Parts of the answer repeat: say each thing once.".to_string();
        }
        if flags.contains(&Flag::TooLong) {
            return format!(
                "At {words} words it runs long: cut the background to two sentences and keep the action the longest part."
            );
        }
        if flags.contains(&Flag::TooShort) {
            return format!(
                "At {words} words it is too short: aim for 150 to 400 words with the problem, your actions and the result."
            );
        }
        if flags.contains(&Flag::MissingProblem) {
            return "Open with the customer's problem: who was affected and how badly.".to_string();
        }
        if full {
            return "Strong: a clear problem, action and result, with the action the longest part."
                .to_string();
        }
        if t.problem_words > 0.45 * words as f32 {
            return "The background is too long: shorten the setup so the action is the longest part.".to_string();
        }
        "Keep the problem → action → result order, with the action the longest part.".to_string()
    }

    fn authenticity(&self) -> Vec<String> {
        let mut out = Vec::new();
        for s in &self.doc.sents {
            if s.f.time_anchor > 0 || s.f.proper > 0 {
                let end = (s.t0 + 12).min(s.t1);
                self.push(&mut out, self.text((s.t0, end)));
            }
            if out.len() >= 2 {
                break;
            }
        }
        out
    }

    fn authenticity_tip(&self, flags: &[Flag], full: bool) -> String {
        let hyp = self
            .doc
            .sents
            .iter()
            .filter(|s| s.role != Role::Reflect)
            .flat_map(|s| s.f.hyp_spans.iter())
            .next();
        if let Some(sp) = hyp {
            return format!(
                "You wrote {}: tell one real time it happened, in the past tense.",
                quoted(self.text(*sp))
            );
        }
        if flags.contains(&Flag::Hypothetical) {
            if let Some(q) = self.first_flag(cat::GENERAL) {
                return format!(
                    "{} is a belief, not evidence: tell one specific time, what you did and what happened.",
                    quoted(q)
                );
            }
            return "Tell one specific past event rather than how you usually work.".to_string();
        }
        if full {
            return "Strong: a specific, checkable past event.".to_string();
        }
        "Anchor the story: when it happened, where, and with whom.".to_string()
    }

    fn reflection(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (k, s) in self.doc.sents.iter().enumerate() {
            if s.is_reflect {
                self.push(&mut out, self.sentence(k));
            }
        }
        out
    }

    fn reflection_tip(&self, full: bool, t: &Totals) -> String {
        if full {
            return "Strong: the lesson became a mechanism.".to_string();
        }
        if t.reflect_sents == 0 {
            return "Close with one specific lesson, or the mechanism you put in place so it doesn't recur.".to_string();
        }
        "Make the lesson specific: what do you now do differently, every time?".to_string()
    }
}
