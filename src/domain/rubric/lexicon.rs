//! Word lists the rubric reads with: each word or phrase belongs to one or more categories.
//!
//! The lists are data, not logic: they are compiled once into hash maps (`LazyLock`) so that scoring
//! an answer costs one lookup per word. Every entry is lower case ASCII; the tokenizer lowercases and
//! folds typographic apostrophes before looking words up.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

/// A small multiplicative hash for short ASCII keys: the maps are fixed and built from our own word
/// lists, so collision attacks are not a concern, and this is several times cheaper than SipHash.
#[derive(Default)]
pub(super) struct WordHasher(u64);

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
}

pub(super) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<WordHasher>>;

/// Category bits. A word may carry several (for example "escalated" is a past verb and an escalation).
pub(super) mod cat {
    pub const I_SUBJ: u64 = 1 << 0;
    pub const WE_SUBJ: u64 = 1 << 1;
    pub const OTHER_SUBJ: u64 = 1 << 2;
    pub const DET: u64 = 1 << 3;
    pub const TEAM: u64 = 1 << 4;
    pub const CUSTOMER: u64 = 1 << 5;
    pub const CUSTOMER_WEAK: u64 = 1 << 6;
    pub const PAST: u64 = 1 << 7;
    pub const STATE: u64 = 1 << 8;
    pub const MODAL: u64 = 1 << 9;
    pub const GENERAL: u64 = 1 << 10;
    pub const SKIP: u64 = 1 << 11;
    pub const CONJ: u64 = 1 << 12;
    pub const WEAK_VERB: u64 = 1 << 13;
    pub const ESCALATE: u64 = 1 << 14;
    pub const BLAME: u64 = 1 << 15;
    pub const GAIN: u64 = 1 << 16;
    pub const ROOT: u64 = 1 << 17;
    pub const RESULT_CUE: u64 = 1 << 18;
    pub const PROBLEM_CUE: u64 = 1 << 19;
    pub const OUTCOME: u64 = 1 << 20;
    pub const SECOND_ORDER: u64 = 1 << 21;
    pub const REFLECT: u64 = 1 << 22;
    pub const BUZZ: u64 = 1 << 23;
    pub const ARTIFACT: u64 = 1 << 24;
    pub const TRADEOFF: u64 = 1 << 25;
    pub const NUMWORD: u64 = 1 << 26;
    pub const UNIT: u64 = 1 << 27;
    pub const TIME_ANCHOR: u64 = 1 << 28;
    pub const VAGUE: u64 = 1 << 29;
    pub const NEGATION: u64 = 1 << 30;
    pub const YOU: u64 = 1 << 31;
    pub const BEYOND: u64 = 1 << 32;
    pub const NOT_PAST: u64 = 1 << 33;
    pub const AUX_BE: u64 = 1 << 34;
    pub const AUX_HAVE: u64 = 1 << 35;
    pub const AUX_DO: u64 = 1 << 36;
    pub const PRESENT_AUX: u64 = 1 << 37;
    pub const COMPARATIVE: u64 = 1 << 38;
    pub const RELATIVE: u64 = 1 << 39;
    pub const HEAD_PROBLEM: u64 = 1 << 40;
    pub const HEAD_ACTION: u64 = 1 << 41;
    pub const HEAD_RESULT: u64 = 1 << 42;
    pub const HEAD_REFLECT: u64 = 1 << 43;
    pub const ABBREV: u64 = 1 << 44;
    pub const ASSIGNED: u64 = 1 << 45;
    pub const HYPO_MARK: u64 = 1 << 46;
    pub const EMPATHY: u64 = 1 << 47;
    pub const POSSESSIVE_OTHER: u64 = 1 << 48;
    pub const COMM: u64 = 1 << 49;
    /// The word begins at least one phrase in `PHRASES`.
    pub const STARTS_PHRASE: u64 = 1 << 50;
    /// A process step that delivers nothing by itself: a roadmap entry, a hand-over, a plan.
    pub const PROCESS: u64 = 1 << 51;
    /// A claim about oneself rather than an act ("took ownership", "took it seriously").
    pub const SELF_CLAIM: u64 = 1 << 52;
    /// A fix or delivery verb: who did it tells whether the candidate fixed the problem.
    pub const FIX: u64 = 1 << 53;
    /// A fraction word that can state a result in words ("a third", "a quarter fewer").
    pub const FRACTION: u64 = 1 << 54;
    /// Present-tense verbs of stance or habit ("I believe", "I love"): never narration.
    pub const STANCE: u64 = 1 << 55;
    /// A verb that passes work to someone when its object is a person or a team ("pinged my lead").
    pub const NUDGE: u64 = 1 << 56;
    /// A person or team work can be handed to.
    pub const ROLE: u64 = 1 << 57;
    /// The candidate does not know how it ended ("I'm not sure", "never heard back").
    pub const UNKNOWN: u64 = 1 << 58;
    /// A participle of doing work: after "was" or "were" with no actor, it hides who acted
    /// ("a fix was deployed").
    pub const DEED: u64 = 1 << 59;
    /// A verb that reports someone else's words or view ("he said", "they assumed").
    pub const REPORT: u64 = 1 << 60;
    /// Effort, noticing or mentioning: first-person verbs that change nothing by themselves
    /// ("stayed late", "noticed", "suggested").
    pub const EFFORT: u64 = 1 << 61;
    /// An outcome told in words rather than numbers ("never had to ask again", "no complaints at
    /// all", "same day").
    pub const ABSOLUTE: u64 = 1 << 62;
    /// Turns away from what was just said ("Instead", "that wasn't fair"): blame voiced just
    /// before it is being rejected.
    pub const REJECT: u64 = 1 << 63;
}

use cat::*;

/// Single words and their categories.
const WORDS: &[(u64, &str)] = &[
    (I_SUBJ, "i i've i'd i'm i'll ive im"),
    (WE_SUBJ, "we we've we'd we're we'll"),
    (
        OTHER_SUBJ,
        "he she they it someone somebody nobody everyone he'd she'd they'd it's they're",
    ),
    (
        DET,
        "the a an my our their his her its this that these those some any each every one two several all both",
    ),
    (POSSESSIVE_OTHER, "their his her"),
    (
        TEAM,
        "team teams squad org organization department group crew teammates colleagues everybody",
    ),
    (
        CUSTOMER,
        "customer customers client clients user users end-user end-users enduser buyer buyers shopper shoppers \
         seller sellers merchant merchants vendor vendors supplier suppliers patient patients driver drivers \
         rider riders passenger passengers guest guests subscriber subscribers advertiser advertisers consumer \
         consumers tenant tenants caller callers student students traveler travelers traveller travellers host \
         hosts courier couriers restaurant restaurants clinician clinicians nurse nurses doctor doctors \
         account accounts retailer retailers shipper shippers carrier carriers homeowner homeowners \
         parent parents member members learner learners reader readers viewer viewers player players \
         customer's client's user's seller's merchant's patient's policyholder policyholders claimant \
         claimants applicant applicants graduate graduates resident residents citizen citizens \
         taxpayer taxpayers constituent constituents borrower borrowers beneficiary beneficiaries \
         enrollee enrollees visitor visitors attendee attendees commuter commuters diner diners \
         caregiver caregivers pupil pupils donor donors adopter adopters volunteer volunteers \
         family families retiree retirees audience fans grower growers farmer farmers author \
         authors artist artists creator creators musician musicians writer writers publisher \
         publishers franchisee franchisees dealer dealers landlord landlords",
    ),
    (
        CUSTOMER_WEAK,
        "stakeholder stakeholders partner partners developers agents associates recruiters analysts \
         requester requesters operators planners franchisees owners dispatchers pharmacists teachers \
         business businesses store stores shop shops",
    ),
    (
        PAST,
        "went made built wrote found saw took gave sent spoke met ran led set put got told said brought bought \
         began chose drew drove fell felt fought held kept knew left lost meant paid read rode rose sat sold \
         spent stood taught thought understood won did had was were caught dug hid rebuilt rewrote sought \
         struck swept withdrew forgot overcame undertook oversaw broke became came heard laid lent rang shook \
         slept stole swore tore wore froze grew hung sank sang sped split shut cut hit let quit dealt fed \
         upheld rethought reran re-ran redid rewired underwent withheld flew threw woke mislaid mistook \
         used began rerun spun stuck sent",
    ),
    (
        STATE,
        "was were had felt thought knew wanted seemed became believed hoped liked loved needed remembered \
         wished meant",
    ),
    (
        MODAL,
        "would will should shall might i'd i'll we'd we'll you'd you'll wouldn't won't shouldn't",
    ),
    (
        GENERAL,
        "always usually typically generally often normally tend tends try strive regularly constantly \
         whenever consistently",
    ),
    (
        SKIP,
        "then also first next finally immediately just still even again later soon already actually \
         personally quickly eventually initially afterwards afterward directly myself together really \
         promptly instead alone not never n't",
    ),
    (
        CONJ,
        "and but so then because which when after before while until since that who whom where or once \
         although though whereas as if",
    ),
    (RELATIVE, "which who whom that where"),
    (
        WEAK_VERB,
        "helped assisted supported handled participated collaborated coordinated facilitated discussed \
         contributed involved aligned liaised engaged touched worked managed oversaw",
    ),
    (
        ESCALATE,
        "escalated escalate escalating escalation forwarded reassigned cc'd",
    ),
    (
        BLAME,
        "incompetent lazy stupid clueless dumb idiots idiot useless careless sloppy ignorant unreasonable \
         disorganized disorganised notoriously \
         ridiculous whiny entitled negligent fault blamed blame blaming",
    ),
    (
        GAIN,
        "bonus bonuses award recognition kudos shout-out shoutout accolades commendation praised praise \
         raise quota",
    ),
    (
        ROOT,
        "tickets ticket logs log data dashboard dashboards survey surveys surveyed interviewed interviews \
         analyzed analysed analysis queried query queries investigated traced reproduced shadowed recordings \
         feedback reviews complaints funnel analytics sql metrics transcripts heatmaps cohort segmented \
         diagnosed root traces profiled profiling audited audit sampled verbatims usability spreadsheet \
         telemetry investigate reproduce",
    ),
    (
        RESULT_CUE,
        "result results outcome ultimately reduced increased dropped fell rose improved saved cut grew \
         decreased lowered raised boosted doubled halved tripled recovered retained renewed eliminated \
         shrank shortened climbed jumped impact resolved eventually finally afterwards launch launched \
         shipped went reached hit stopped avoided restored prevented delivered arrived received solved \
         fixed closed worked succeeded brought under",
    ),
    (
        PROBLEM_CUE,
        "problem problems issue issues complained complaint complaints broken slow failing failed \
         frustrated confused struggling bug bugs outage outages delay delays delayed late error errors churn \
         churned churning dropping declining stuck missing lost losing angry upset unhappy pain crash crashes \
         crashed blocked backlog abandoned abandoning cancelled canceled canceling cancelling refund refunds \
         wrong confusing escalations spike spiked breach incorrect inaccurate unable couldn't wasn't \
         weren't didn't threatened threatening risk noticed unavailable rescheduling rescheduled kept \
         still waited waiting wait hard difficult painful costly expensive manual miss missed quitting \
         quit leaving overwhelmed overloaded behind flaky unreliable ignored overriding mistakes \
         damaged duplicate charged overcharged furious rude slower worse poor low high needed wanted \
         requested deadline urgent broke breaks suppressed rejected denied lapsed expired stranded unsafe \
         dangerous sick injured hurting leaking negative falling failure failures dropped \
         complain complains complaining allergy drop-off drop-offs dropoff scared scaring useless \
         stalling stalled slammed swamped overdue unpaid bounced denial denials rejections \
         cancellations trouble troubles struggle struggled worried worry afraid anxious panic crying \
         screaming shouting mismatch mismatched gap gaps confusion hurt unreadable unusable \
         unresponsive unreachable inaccessible illegible outdated impossible can't cannot \
         readmitted readmissions unaffordable",
    ),
    (
        OUTCOME,
        "thanked happy happier satisfied satisfaction csat nps trust trusted loyal renewed retained \
         adoption adopted faster fewer easier smoother reliable praised recommend recommended repeat \
         returned stayed delighted relieved grateful kept expanded upgraded signed kind positive glad \
         pleased calmer calm fine safe comfortable confident",
    ),
    (
        SECOND_ORDER,
        "mechanism playbook runbook template standard prevent prevented prevents recurring checklist alarm \
         alarms alert alerts automated default policy guideline guardrail guardrails onboarding documented \
         reused rollout rolled adopted monthly weekly",
    ),
    (
        REFLECT,
        "learned learnt lesson lessons taught takeaway takeaways hindsight realised",
    ),
    (
        BUZZ,
        "synergy synergies leverage leveraged leveraging data-driven end-to-end ownership holistic paradigm \
         agile streamlined optimized optimised impactful world-class seamless innovative proactive \
         proactively value-add game-changer cross-functional mission-critical strategic alignment empower \
         empowered delight customer-centric customer-obsessed customer-first kpi kpis okr okrs roi scalable \
         excellence best-in-class frictionless disruptive passion passionate obsession obsessed \
         stakeholder-management results-driven dynamic visionary prfaq prfaqs mechanisms flywheel \
         kaizen gemba mindset frugality spearheaded championed orchestrated orchestrate \
         transformational transformative actionable operationalized operationalizing \
         operationalised hyper-personalized hyper-personalised unlock unlocked unlocking governance \
         monetization monetisation ecosystem cutting-edge state-of-the-art seamlessly synergistic \
         enablement omnichannel customer-led value-driven",
    ),
    (
        ARTIFACT,
        "dashboard script query spreadsheet runbook api prototype alert checklist faq template config \
         migration cache database page checkout form email call calls meeting doc spec survey report tool \
         pipeline feature button workflow sop sql jira slack excel macro filter index endpoint batch job \
         cron schema test tests experiment a/b flag release patch hotfix guide video demo wiki mockup \
         mockups wireframe wireframes invoice label portal app screen field setting model forecast \
         playbook interview interviews calendar",
    ),
    (
        TRADEOFF,
        "tradeoff trade-off tradeoffs trade-offs although despite instead rather convinced disagreed \
         argued persuaded whereas cost pushback weighed",
    ),
    (
        NUMWORD,
        "zero two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen \
         seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety \
         hundred hundreds thousand thousands dozen dozens half twice double doubled halved tripled \
         quadrupled million millions",
    ),
    (
        UNIT,
        "second seconds minute minutes hour hours day days week weeks month months year years quarter \
         quarters percent points pp ms sec secs mins hrs tickets customers users orders calls sellers \
         dollars k",
    ),
    (
        TIME_ANCHOR,
        "yesterday ago last january february march april may june july august september october november \
         december monday tuesday wednesday thursday friday saturday sunday q1 q2 q3 q4 weekend morning \
         afternoon evening night summer winter spring autumn holiday holidays christmas thanksgiving \
         black deadline launch week-long",
    ),
    (
        VAGUE,
        "things stuff various somehow etc lots everything anything whatever basically certain numerous \
         aspects overall",
    ),
    (
        NEGATION,
        "not never didn't don't wasn't weren't no without instead rather won't couldn't n't nor avoid avoided",
    ),
    (YOU, "you you'd you're you'll your one's"),
    (
        BEYOND,
        "volunteered initiative unassigned ownerless unowned weekend weekends evenings",
    ),
    (
        NOT_PAST,
        "need speed feed seed indeed hundred bed red shed bleed breed creed deed greed heed weed reed \
         proceed exceed succeed embed naked sacred wicked kindred rugged ragged jagged crooked beloved \
         based related interested excited dedicated experienced advanced detailed limited \
         talented skilled sized biased tired worried concerned frustrated confused annoyed scared \
         supposed unexpected unlimited unrelated unresolved outdated complicated sophisticated",
    ),
    (AUX_BE, "was were"),
    (AUX_HAVE, "had have has i've we've"),
    (AUX_DO, "did didn't"),
    (
        PRESENT_AUX,
        "am i'm is are we're believe think feel love care make try ensure focus like want know do work \
         always see put start",
    ),
    (
        COMPARATIVE,
        "fewer less more faster lower higher shorter longer quicker cheaper better smaller larger",
    ),
    (
        HEAD_PROBLEM,
        "situation context background problem challenge task s t",
    ),
    (HEAD_ACTION, "action actions approach a"),
    (HEAD_RESULT, "result results outcome outcomes impact r"),
    (
        HEAD_REFLECT,
        "learning learnings lesson lessons reflection takeaway takeaways l",
    ),
    (
        ABBREV,
        "e g i mr mrs ms dr inc etc vs approx st jr sr no fig ca co dept p m",
    ),
    (ASSIGNED, "assigned asked told tasked instructed"),
    (
        COMM,
        "told said apologised apologized explained informed updated assured reassured understood let \
         promised replied responded notified thanked acknowledged",
    ),
    (HYPO_MARK, "hypothetically scenario"),
    (
        PROCESS,
        "roadmap backlog prioritized prioritised scheduled planned proposal proposed recommended \
         recommendation presented",
    ),
    (
        FIX,
        "fixed deployed patched resolved shipped released repaired rolled restored rebuilt corrected \
         solved found reversed arranged cleared approved waived refunded replaced",
    ),
    (FRACTION, "third thirds quarter fifth tenth"),
    (UNKNOWN, "hopefully presumably"),
    (
        DEED,
        "investigated implemented deployed built created developed designed fixed resolved changed \
         added removed migrated rewritten written tested analyzed analysed reviewed identified \
         addressed handled processed communicated contacted notified informed released launched \
         shipped automated documented trained configured patched restored corrected solved repaired \
         refunded replaced organized organised introduced adjusted modified improved optimized \
         optimised streamlined completed done made taken rolled set sent updated escalated",
    ),
    (
        REPORT,
        "said says claimed insisted assumed argued suggested thought believed joked muttered \
         replied shouted wrote saw considered viewed labeled labelled explanation assumption \
         consensus theory triaged marked dismissed tagged classified categorized categorised",
    ),
    (
        EFFORT,
        "stayed tried waited chased followed reminded apologised apologized noticed spotted \
         realized realised saw heard watched mentioned suggested achieved exceeded",
    ),
    (REJECT, "instead however"),
    (
        NUDGE,
        "pinged tagged reminded chased messaged alerted nudged notified emailed mentioned asked pulled paged \
         assigned brought",
    ),
    (
        ROLE,
        "manager managers lead leads engineering engineer engineers team teams on-call oncall director \
         vp boss supervisor architect devops sre owner owners him her them head cto it agents analyst \
         analysts staff",
    ),
    (
        STANCE,
        "am is are believe think feel love care try like want know can do hope mean guess tend strive \
         focus work enjoy always usually",
    ),
    (
        EMPATHY,
        "understand understood sorry apologized apologised empathized listened frustration felt",
    ),
];

/// Multi-word phrases, matched on consecutive lower-case tokens.
const PHRASES: &[(u64, &str)] = &[
    (
        ROOT,
        "root cause|talked to|talked with|spoke with|spoke to|met with|sat with|sat down with|looked at|\
         dug into|went through|read through|five whys|5 whys|called the|called each|called them|\
         called every|called five|called three|listened to|pulled the|pulled data|visited the|asked them|\
         asked the customer|asked customers|asked users|went to the|rode along|\
         what they actually|what they really|real problem|actual problem|underlying|actually needed|\
         really needed|real need|work backwards|worked backwards|working backwards",
    ),
    (
        ESCALATE,
        "handed off|handed it off|handed it over|handed over|passed it on|passed it to|passed it along|\
         raised a ticket|filed a ticket|opened a ticket|cut a ticket|logged a ticket|told my manager|\
         informed my manager|let my manager know|asked my manager|looped in my manager|reported it to|\
         flagged it to|sent it to the|left it to|waited for|left it with|passed the|kicked it over|\
         threw it over|sent a slack|pinged my manager|pinged the|raised it with|brought it to my|\
         created a ticket|submitted a ticket|assigned it to|passed the ticket|routed it|transferred the|\
         transferred it|forwarded it|left it for|escalated it|logged a|followed up with|\
         looped in|raised it|told my lead|told my tech|asked my lead|let my lead|let my manager|\
         reported it|filed a|opened a jira|opened a case|raised a|created a ticket|created a high-priority|\
         created a jira|created a priority|put in a request|put in a ticket|\
         followed up on the ticket|kept checking|handed it|handed the|paged the|paged on-call|\
         paged the on-call|told the attending|told the doctor|told the charge|told my supervisor|\
         informed my supervisor|informed my lead|informed the manager|told the manager|\
         asked engineering to|asked the engineering|asked the dev|asked the developers|\
         asked it to|asked the vendor to|submitted a request|put in a request|\
         sent it up|reassigned it|assigned the ticket|\
         kept following up|kept chasing|followed up daily|followed up every|mentioned it to|\
         brought it up with|suggested someone|someone should look|asked someone to|pulled in|\
         brought in|roped in|kept pushing|pushed engineering|pushing engineering|\
         chased engineering|pushed the engineering",
    ),
    (
        BLAME,
        "their fault|not my fault|wasn't my fault|not my problem|dropped the ball|messed up|screwed up|\
         didn't bother|couldn't be bothered|their mistake|his mistake|her mistake|should have known|\
         no clue|were clueless|didn't care|did not care|couldn't care less|not my responsibility|\
         wasn't my responsibility|their incompetence|their negligence|never listened|\
         didn't listen|wouldn't listen|blame them|blamed them|were to blame|not a good fit|\
         can't make everyone|cannot make everyone|can't please everyone|cannot please everyone|\
         difficult customer|difficult customers|difficult client|most difficult|no idea what they were|no idea what he was|\
         no idea what she was|no idea what they're|\
         didn't know what they|kept changing their|were being unreasonable|was being unreasonable|\
         their own fault|his own fault|her own fault|not our problem|not their job|user error|\
         should have read|never read the|didn't read the|did not read the|their own mistake|\
         didn't do their job|didn't do his job|didn't do her job|not doing their job|wasn't our fault|\
         not our fault|customer's fault|client's fault|vendor's fault|too lazy|threw us under|\
         nightmare|zero responsibility|no responsibility|on their end|their mess|as usual|\
         nobody listened|no one listened|didn't know anything|proved my point|proved me right|\
         make it difficult|makes it difficult|made it difficult|without reading it|\
         wasn't much better|rushed through it|don't read the|don't read their|didn't read my|\
         didn't read our|need to take responsibility|needs to take responsibility|should take responsibility|\
         calling it wrong|using it wrong|doing it wrong|not very responsive|aren't doing their job|\
         weren't doing their job|isn't doing his job|not ours|didn't take customer|\
         didn't take it seriously|didn't take our|basically nonexistent|people like that|\
         customers like that|clients like that|get away with|never satisfied|left a mess|cut corners|\
         cutting corners|other people's messes|other people's mess|done badly|let things slide|\
         putting in the effort|got comfortable|wasn't very helpful either|weren't very helpful either|\
         anyone could have told|without telling anyone|what kind of customer|not great either|\
         was also not great|with the urgency it|came from them|take the blame for|entirely avoidable|\
         on the hook for|other teams' decisions|need to listen|had dismissed|were like that|\
         are like that|chronically|act surprised|acted surprised|not on our side|look bad|as optional|\
         one of those customers|those customers who|that's their job|leaving us in the dark|\
         didn't help either|still didn't get it|just an excuse|not us|own setup|their own tech debt|\
         always prioritizing|also missed it",
    ),
    (
        GAIN,
        "got credit|took the credit|got the credit|a raise|spot award|employee of the month|my performance review|\
         my review|performance rating|my rating|my manager was impressed|impressed my|leadership noticed|\
         got noticed|stand out|stood out|me look good|i looked good|made me look|annual review|was nominated|\
         my career|was recognized|got recognized|\
         praised me|promoted me|my promotion|get promoted|got promoted|was promoted|my bonus|\
         personal win|been promoted|being promoted|got a promotion|get a promotion|\
         earned a promotion|up for promotion|a promotion to|president's club|presidents club|\
         president's award|recognized me|recognised me|called me out|thanked me publicly|\
         my reputation|my visibility|return offer|won first place|first place out of|boost for my|\
         best she had seen|best he had seen|best they had seen|told my manager it was|more visibility|was awarded|i was awarded|my quota|of my quota|\
         of quota|my target|my targets|my commission|top performer|top seller|rising star|\
         for me as|proved to me|proved myself|my investors|pay myself|my salary|seed round|\
         i got my first|defining moment",
    ),
    (
        BEYOND,
        "outside my|not my team|wasn't my team|wasn't my job|not my job|not my area|no one owned|nobody owned|\
         fell through the cracks|on my own|without being asked|took it upon myself|\
         took it on|beyond my|even though it|even though this|wasn't assigned|not assigned|no owner|\
         another team's|other team's|own time|my own initiative|off the clock|not in my|unowned",
    ),
    (
        TRADEOFF,
        "pushed back|trade off|chose to|decided against|at the expense|short-term|short term|made the case|even though|gave up",
    ),
    (
        RESULT_CUE,
        "as a result|in the end|by the end|went from|down from|up from|since then|after that|within a|within two|\
         within three|the next|no longer|ended up|led to|which meant|where before|used to take|\
         for the first time|compared with|compared to",
    ),
    (
        SECOND_ORDER,
        "never happened again|other teams|still uses|still in use|still used|long term|long-term|\
         other regions|other sites|every team|across the|became the|made it the|so it wouldn't|\
         so it would not|going forward|other stores|other markets|we now|now we|still running|still runs|\
         every week|every month|each week|each month|every quarter",
    ),
    (
        REFLECT,
        "since then|ever since|from then on|going forward|next time|in hindsight|looking back|taught me|\
         i learned|i learnt|what i learned|i realized that|i now|now i|my takeaway|the lesson",
    ),
    (
        BUZZ,
        "customer obsession|customer obsessed|bias for action|dive deep|deliver results|think big|\
         earn trust|invent and simplify|insist on the highest|are right a lot|learn and be curious|\
         have backbone|move the needle|best practices|north star|win-win|above and beyond|\
         thought leadership|value proposition|low-hanging fruit|deep dive|key stakeholders|\
         data driven|end to end|world class|best in class|working backwards|worked backwards|\
         dove deep|dived deep|raised the bar|raise the bar|high bar|two-pizza teams|disagree and commit|\
         operational excellence|next level|culture of|at scale|insisting on the highest|thinking big|\
         earned trust|six sigma|day one",
    ),
    (
        VAGUE,
        "worked hard|did my best|a lot of|all kinds of|and so on|and stuff|some issues|various things|\
         some things|many things|did everything|took care of|made sure|all the|some changes|\
         different things|the usual|as needed|in general|kind of|sort of|a number of|made improvements|\
         some improvements|the options|properly|above and beyond|the extra mile|really understand|\
         took the initiative|many examples|lots of times|improved significantly|significantly improved|\
         many opportunities|much better|very positive|really positive|great feedback|many issues",
    ),
    (
        GENERAL,
        "my approach|my philosophy|in my experience|it is important|it's important|the key is|is key|\
         i believe|i feel|i think|tend to|every time|as a rule|in general|i make sure|i make it|\
         i try|i always|i usually|i typically|i generally|i love|i care|i am passionate|i'm passionate|\
         customer obsession means|customer obsession is|to me|for me|i strongly believe|one should|\
         is all about|is about|should always|must always",
    ),
    (
        HYPO_MARK,
        "if i were|if i was|in that situation|in such a situation|\
         in a situation like|i'd probably|you should|you need to|\
         you have to|you want to|in such cases|my first step would|what i would",
    ),
    (
        TIME_ANCHOR,
        "last year|last month|last quarter|years ago|months ago|weeks ago|at my last|at my previous|\
         when i was|one day|one morning|one friday|the week before|two weeks before|a few months|\
         in my first|during my|my second|my first|that week|that quarter|that year|that morning|that night",
    ),
    (
        CUSTOMER,
        "end user|end users|small business|small businesses|business owners|partner team|partner teams|\
         downstream team|downstream teams|internal customer|internal customers|internal team|internal teams|\
         sales team|support team|support agents|finance team|ops team|operations team|warehouse team|\
         hiring managers|account managers|field team|store managers|the business|accounting team|\
         hr team|legal team|procurement team|payroll team",
    ),
    (
        OUTCOME,
        "back to normal|back to baseline|back under|back within|back on track|back online",
    ),
    (
        PROCESS,
        "put it on|handed it to|handed it over|passed it to|next quarter|next sprint|next release|\
         next year|for later|on the list|on the backlog|in the backlog|would look into|will look into|\
         to be prioritized|to be prioritised|plan to|planned to|still waiting|approved the budget|\
         got it approved|kicked off|the plan was|following quarter|second half of|top three priorities|\
         quarterly planning|got the go-ahead|green light|signed off on the plan|the next step is|\
         in the middle of the rollout|currently in the middle|still in progress|next two quarters|\
         still working through|still working on|optimistic about|once it's fully|once it is fully|\
         they'd look at|would look at|will look at|planning cycle",
    ),
    (
        SELF_CLAIM,
        "took ownership|took full ownership|took it seriously|took charge|took responsibility|\
         owned it|took the lead",
    ),
    (
        EMPATHY,
        "put myself|in their shoes|from their side|their perspective|how it felt|their frustration",
    ),
    (
        ABSOLUTE,
        "never had to|never happened again|no longer|not a single|within the hour|within an hour|\
         same afternoon|\
         same morning|by the end of the day|stopped completely|went away|disappeared|for the rest of|for good|same day|same-day|\
         no more|none of",
    ),
    (
        EFFORT,
        "set up a meeting|set up a call|set up a sync|set up a weekly|scheduled a meeting|\
         sent an update|sent a written update|sent updates|sent a summary|kept a shared|\
         kept a status|made sure the|made sure that|made sure they|made sure it",
    ),
    (
        REJECT,
        "wasn't fair|not fair|wasn't true|not true|didn't believe|didn't buy|didn't agree|\
         i disagreed|i pushed back|didn't accept|was ours|were ours|was on us|was our own|\
         wasn't convinced|was not convinced|didn't think that|did not think that|didn't think it|\
         i doubted|didn't buy it|didn't add up|did not add up|wasn't sure that|was not sure that",
    ),
    (
        UNKNOWN,
        "i think now|i think they|i think it|i think the|i believe they|i believe it|i'm sure the|\
         i'm sure they|i am sure the|i am sure they|moved to a different team|changed teams|\
         moved to a different|moved to another|didn't get to see|never got to see|never learned|\
         moved onto a different|was moved onto|was moved to|handed my notebooks|handed over my|\
         didn't find out|\
         left the team|probably still|\
         maybe they|don't know|do not know|not sure|never heard back|never found out|no idea if|\
         no idea whether|hard to say|can't say|cannot say|i assume|i hope|i guess|didn't hear back|\
         never followed up|didn't follow up|wasn't measured|didn't measure|didn't track|\
         wasn't tracked|no numbers|don't have numbers|don't have the numbers|left the company|\
         moved to another team|not clear if|not clear whether|unclear if|unclear whether",
    ),
];

/// Category bits for a single lower-case word (0 when unknown).
pub(super) fn word_cats(w: &str) -> u64 {
    if let Some(&c) = WORD_MAP.get(w) {
        return c;
    }
    if w.len() > 24 {
        return 0;
    }
    // "Eighty-one", "twenty-something": a tens word leading a compound makes it a number.
    if let Some((tens, _)) = w.split_once('-')
        && matches!(
            tens,
            "twenty" | "thirty" | "forty" | "fifty" | "sixty" | "seventy" | "eighty" | "ninety"
        )
    {
        return NUMWORD;
    }
    // Hyphenated compounds ("re-ran", "end-users") are read by their last part.
    if let Some(pos) = w.rfind('-')
        && let Some(&c) = WORD_MAP.get(&w[pos + 1..])
    {
        return c & !(DET | CONJ | SKIP | STARTS_PHRASE);
    }
    0
}

/// A phrase: its words and its categories.
pub(super) type Phrase = (Vec<&'static str>, u64);

/// Phrases starting with this lower-case word, longest first.
pub(super) fn phrases_starting(w: &str) -> &'static [Phrase] {
    PHRASE_MAP.get(w).map(Vec::as_slice).unwrap_or(&[])
}

static WORD_MAP: LazyLock<FastMap<&'static str, u64>> = LazyLock::new(|| {
    let mut m: FastMap<&'static str, u64> = FastMap::default();
    for &(c, list) in WORDS {
        for w in list.split_whitespace() {
            *m.entry(w).or_insert(0) |= c;
        }
    }
    // Marking phrase starts lets the reader skip the phrase lookup for most words.
    for first in PHRASE_MAP.keys() {
        *m.entry(first).or_insert(0) |= STARTS_PHRASE;
    }
    m
});

static PHRASE_MAP: LazyLock<FastMap<&'static str, Vec<Phrase>>> = LazyLock::new(|| {
    let mut m: FastMap<&'static str, Vec<Phrase>> = FastMap::default();
    for &(c, list) in PHRASES {
        for p in list.split('|') {
            let words: Vec<&'static str> = p.split_whitespace().collect();
            if words.is_empty() {
                continue;
            }
            let entry = m.entry(words[0]).or_default();
            if let Some(existing) = entry.iter_mut().find(|(w, _)| *w == words) {
                existing.1 |= c;
            } else {
                entry.push((words, c));
            }
        }
    }
    // Longest phrases first, so that the most specific match wins.
    for v in m.values_mut() {
        v.sort_by_key(|p| std::cmp::Reverse(p.0.len()));
    }
    m
});
