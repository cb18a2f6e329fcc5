//! Built-in phrase patterns per objection kind.
//!
//! Syntax: words separated by spaces; `a|b` is a choice of words at that place; `word?`
//! may be absent. Words go through the same normaliser as transcripts ("too" is "to",
//! "we're" is "were", plurals and tenses stem together), so write them plainly.
//! Matching also tolerates one inserted word between two pattern words and, in patterns
//! of four words or more, one missing word.
//!
//! Weights: [`STRONG`] alone raises the kind; [`MEDIUM`] needs company (a second cue, or
//! a competitor named in the same breath for price and incumbent); [`WEAK`] only adds up.
//! A cue preceded by a negation ("not", "isn't", "never", up to two words before,
//! skipping "that", "so", "really") does not count, unless the pattern holds the
//! negation itself ("not ready", "don't need").

use crate::kind::ObjectionKind;

pub const STRONG: f32 = 1.0;
pub const MEDIUM: f32 = 0.6;
pub const WEAK: f32 = 0.35;

/// Score at which a kind is raised.
pub const THRESHOLD: f32 = 0.9;
/// Added to price and incumbent cues when a competitor is named in the same segment.
pub const COMPETITOR_BONUS: f32 = 0.5;
/// Added to need cues when the same segment raises an incumbent ("X is fine for now").
pub const STATUS_QUO_BONUS: f32 = 0.4;

/// Words that negate the cue after them.
pub const NEGATORS: &[&str] = &[
    "not", "no", "never", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "wont",
    "hasnt", "havent", "nothing", "without", "cant", "couldnt", "shouldnt",
];

/// Function words a recogniser drops ("out of budget" for "out of our budget"): a
/// pattern of four words or more still matches without one of them.
pub const DROPPABLE: &[&str] = &[
    "a", "an", "the", "our", "my", "your", "of", "to", "is", "are", "it", "this", "that", "for",
    "with", "we", "i",
];

/// Words skipped when looking back for a negation ("not *that* expensive").
pub const NEGATION_SKIP: &[&str] = &["that", "so", "really", "very", "all", "at", "to", "overly"];

pub const PRICE: &[(&str, f32)] = &[
    ("to expensive", STRONG),
    ("expensive", STRONG),
    ("pricey", STRONG),
    ("pricy", STRONG),
    ("overpriced", STRONG),
    ("costly", STRONG),
    ("to much money", STRONG),
    ("a lot of money", STRONG),
    ("cost|costs to much", STRONG),
    ("cost|costs a lot", STRONG),
    ("cant afford", STRONG),
    ("afford", MEDIUM),
    ("out|outside|beyond|above|over of? our|the? budget", STRONG),
    ("no budget", STRONG),
    ("dont|not have the|any|enough? budget|money|funds", STRONG),
    ("budget is? tight|frozen", STRONG),
    ("tight budget", STRONG),
    ("budget freeze|cut|cuts", STRONG),
    ("cost cutting", STRONG),
    ("cutting cost|costs", STRONG),
    ("cheaper", MEDIUM),
    ("less expensive", MEDIUM),
    ("lower price", MEDIUM),
    ("better on? the? price|pricing|deal", STRONG),
    ("half your|the price", STRONG),
    ("price|pricing|cost is to high", STRONG),
    ("price|pricing|cost is? high|higher", MEDIUM),
    ("discount", MEDIUM),
    ("percent off", MEDIUM),
    ("free", WEAK),
    ("comes|basically|for free", MEDIUM),
    ("sticker shock", STRONG),
    ("justify the? cost|price|spend|spending|investment", STRONG),
    ("why would we pay", STRONG),
    ("pay|spend that much", STRONG),
    ("never paid for", STRONG),
    (
        "cost|price|pricing is the? big? question|concern|issue|problem",
        STRONG,
    ),
    (
        "price|pricing|cost|costs is|are a? concern|issue|problem",
        STRONG,
    ),
    ("way less|cheaper", MEDIUM),
    ("new spend", MEDIUM),
    ("price increase|increases", MEDIUM),
    ("price|pricing|cost|costs|budget|money|spend|dollars", WEAK),
];

pub const TIMING: &[(&str, f32)] = &[
    ("not the right time", STRONG),
    ("bad|wrong time", STRONG),
    ("bad timing", STRONG),
    ("timing is|isnt bad|off|tough|tricky|not", STRONG),
    ("not|isnt a priority", STRONG),
    ("priority until", STRONG),
    ("next fiscal", STRONG),
    ("next year|quarter|month", MEDIUM),
    ("not this quarter|year|month", STRONG),
    ("not ready", STRONG),
    ("not until", STRONG),
    ("revisit", STRONG),
    ("circle back", STRONG),
    ("come|check back to? this?", MEDIUM),
    ("call me back", MEDIUM),
    ("in 6|3|a|few|couple months|weeks", MEDIUM),
    ("later this year", MEDIUM),
    ("new year", MEDIUM),
    (
        "after the reorg|holidays|summer|renewal|planning|merger",
        STRONG,
    ),
    ("wait until|till|for", STRONG),
    ("have|need to wait", STRONG),
    ("until after", STRONG),
    ("hold off", STRONG),
    ("on hold", STRONG),
    ("back burner", STRONG),
    ("not right? now", STRONG),
    ("to busy", STRONG),
    ("to soon|early", STRONG),
    ("middle of", MEDIUM),
    ("hiring freeze", STRONG),
    ("until q", STRONG),
    ("no bandwidth", STRONG),
    ("bandwidth", MEDIUM),
    ("on our plate", MEDIUM),
    ("timing", MEDIUM),
    ("commit this quarter", MEDIUM),
    ("timeline", WEAK),
    ("this quarter", WEAK),
    ("annual planning", WEAK),
];

pub const AUTHORITY: &[(&str, f32)] = &[
    ("run this|it|that by", STRONG),
    ("check with my|our", STRONG),
    ("sign off|signoff", STRONG),
    ("signs off", STRONG),
    ("need|get|requires approval", STRONG),
    ("have|has to approve", STRONG),
    ("approve|approval", MEDIUM),
    ("my boss", STRONG),
    ("my manager", MEDIUM),
    ("talk to my|our boss|manager|team", MEDIUM),
    ("not my call|decision", STRONG),
    ("not the decision maker", STRONG),
    ("decision maker|makers", MEDIUM),
    ("decision sits with", STRONG),
    ("who decides", STRONG),
    ("decide|decides", MEDIUM),
    ("makes the call", STRONG),
    ("make that|the call", MEDIUM),
    ("cant make that|the call", STRONG),
    ("their call", STRONG),
    ("not the 1 who", STRONG),
    ("above my pay grade", STRONG),
    (
        "cfo|ceo|cio|cto|vp|ciso|cro|coo|president|director|directors",
        WEAK,
    ),
    ("the board", MEDIUM),
    ("committee", MEDIUM),
    ("procurement", WEAK),
    ("loop in", STRONG),
    ("bring in my|our", MEDIUM),
    ("buy in", STRONG),
    ("stakeholders", MEDIUM),
    ("convince", MEDIUM),
    ("owns", WEAK),
    ("authority", MEDIUM),
    ("dont have the? authority", STRONG),
];

pub const NEED: &[(&str, f32)] = &[
    ("dont|not really? need", STRONG),
    ("no real? need", STRONG),
    ("not sure we need", STRONG),
    ("dont see the? value|need|point", STRONG),
    ("not seeing the? value", STRONG),
    ("happy with what we have|got", STRONG),
    ("happy with our current|existing", STRONG),
    ("fine for now", STRONG),
    ("fine with", STRONG),
    ("works fine|well|ok", MEDIUM),
    ("does the job", STRONG),
    ("good enough", STRONG),
    ("nice to have", STRONG),
    ("not a problem for us", STRONG),
    ("dont have that problem", STRONG),
    ("not interested", STRONG),
    ("no interest", STRONG),
    ("overkill", STRONG),
    ("whats the point", STRONG),
    ("not convinced", STRONG),
    ("not a fit", STRONG),
    ("another tool", MEDIUM),
    ("simpler", MEDIUM),
    ("its fine", MEDIUM),
    ("do it in a? spreadsheet", MEDIUM),
    ("fine", WEAK),
];

pub const INCUMBENT: &[(&str, f32)] = &[
    ("already use|using|have|pay|run|on|bought|own", STRONG),
    ("we use", MEDIUM),
    ("were using", MEDIUM),
    ("currently use|using|on|have|run", STRONG),
    ("were on", MEDIUM),
    ("standardize|standardized|standardizing on", STRONG),
    ("locked in|into", MEDIUM),
    ("contract with", MEDIUM),
    (
        "existing|current vendor|solution|tool|system|provider|platform",
        STRONG,
    ),
    ("build it|this|that ourselves", STRONG),
    ("build|built our own", STRONG),
    ("in house", STRONG),
    ("homegrown", STRONG),
    ("have a tool", STRONG),
    ("part of our crm? bundle|agreement|suite", MEDIUM),
    ("bundled with", MEDIUM),
    ("we pay for", MEDIUM),
    ("we run", MEDIUM),
    ("rip and replace", STRONG),
    ("switching", MEDIUM),
    ("to stay", MEDIUM),
    ("owns the relationship", MEDIUM),
    ("used to it", MEDIUM),
    ("today", WEAK),
    ("already", WEAK),
];

pub const SECURITY: &[(&str, f32)] = &[
    ("security|secure|securely", STRONG),
    ("soc|sock 2", STRONG),
    ("soc", STRONG),
    ("iso 27001", STRONG),
    ("27001", STRONG),
    ("gdpr", STRONG),
    ("hipaa|hippa", STRONG),
    ("hip a", STRONG),
    ("baa", MEDIUM),
    ("compliance|compliant", STRONG),
    ("privacy", STRONG),
    ("encrypt|encrypted|encryption", STRONG),
    ("data residency", STRONG),
    ("pen test", STRONG),
    ("penetration test|testing", STRONG),
    ("infosec", STRONG),
    ("ciso", MEDIUM),
    ("breach|breaches|vulnerability", STRONG),
    ("sso", MEDIUM),
    ("single sign on", MEDIUM),
    ("where is our|the? data stored|kept|hosted|located", STRONG),
    ("data stored|hosted", MEDIUM),
    ("who has access", MEDIUM),
    ("access to our? data", MEDIUM),
    ("data has to stay", STRONG),
    ("stay in the eu|us", MEDIUM),
    ("data leave|leaves", STRONG),
    ("questionnaire", MEDIUM),
    ("vendor risk", STRONG),
    ("risk assessment", MEDIUM),
    ("audit", WEAK),
    ("certified|certification", WEAK),
];

pub const CONTRACT: &[(&str, f32)] = &[
    ("contract|contracts", STRONG),
    ("multi year", STRONG),
    (
        "2|3|5|multiple year agreement|contract|deal|term|terms|commitment",
        STRONG,
    ),
    ("annual commitment|commitments|contract|term|terms", STRONG),
    ("month to month", STRONG),
    ("monthly contract|terms|billing", STRONG),
    ("long term contract|commitment|deal", STRONG),
    ("terms", MEDIUM),
    ("termination|terminate", STRONG),
    ("cancel|cancellation", STRONG),
    ("exit clause", STRONG),
    ("exit", MEDIUM),
    ("opt out", MEDIUM),
    ("auto renew|renewal", STRONG),
    ("renewal", MEDIUM),
    ("uplift", MEDIUM),
    ("price increase|increases", MEDIUM),
    ("msa", STRONG),
    ("redline|redlines", STRONG),
    ("legal team", MEDIUM),
    ("legal", WEAK),
    ("liability", STRONG),
    ("indemnity|indemnification", STRONG),
    ("payment terms", STRONG),
    ("net 30|45|60|90", STRONG),
    ("sla", MEDIUM),
    ("agreement", MEDIUM),
    ("locked in|into", MEDIUM),
    ("clause", MEDIUM),
    ("procurement process", MEDIUM),
];

/// The patterns of `kind`.
pub fn cues(kind: ObjectionKind) -> &'static [(&'static str, f32)] {
    match kind {
        ObjectionKind::Price => PRICE,
        ObjectionKind::Timing => TIMING,
        ObjectionKind::Authority => AUTHORITY,
        ObjectionKind::Need => NEED,
        ObjectionKind::Incumbent => INCUMBENT,
        ObjectionKind::Security => SECURITY,
        ObjectionKind::Contract => CONTRACT,
    }
}

/// Phrases that cancel cues of a kind (`None`: of every kind) overlapping them or
/// within [`ANTI_REACH`] words after them: "no budget issues", "price is fine",
/// "no concerns on security". An anti-pattern preceded by a negation does not cancel
/// ("we *don't* have the budget").
pub const ANTI: &[(Option<ObjectionKind>, &str)] = &[
    (None, "no concern|concerns|issue|issues|problem|problems"),
    (None, "not worried about"),
    (
        Some(ObjectionKind::Price),
        "budget|price|pricing|cost|money is? isnt|not really? a|an? issue|problem|concern",
    ),
    (
        Some(ObjectionKind::Price),
        "have the|plenty|enough of? budget",
    ),
    (
        Some(ObjectionKind::Price),
        "budget is|was|has? been? approved",
    ),
    (Some(ObjectionKind::Price), "already approved"),
    (Some(ObjectionKind::Authority), "already approved"),
    (Some(ObjectionKind::Authority), "approved it|this"),
    (Some(ObjectionKind::Price), "set money|budget aside"),
    (
        Some(ObjectionKind::Price),
        "cheaper than i|we expected|thought",
    ),
    (
        Some(ObjectionKind::Price),
        "great|good|fair|reasonable|fine price|pricing",
    ),
    (
        Some(ObjectionKind::Price),
        "price|pricing|cost is|looks|seems fine|good|great|fair|reasonable",
    ),
    (
        Some(ObjectionKind::Security),
        "security is|looks fine|good|covered",
    ),
    (Some(ObjectionKind::Incumbent), "moved off|away"),
    (Some(ObjectionKind::Incumbent), "replaced|dropped|cancelled"),
    (Some(ObjectionKind::Need), "exactly what we need"),
];

/// How many words after an anti-pattern it still reaches.
pub const ANTI_REACH: usize = 3;

/// Words that carry little meaning: left out when a segment is compared with a battle
/// card's objection lines.
pub const STOPWORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "but", "so", "to", "of", "in", "on", "at", "for", "with", "by",
    "from", "as", "is", "are", "was", "were", "be", "been", "it", "its", "this", "that", "these",
    "those", "we", "our", "us", "i", "me", "my", "you", "your", "they", "there", "them", "he",
    "she", "his", "her", "do", "does", "did", "have", "has", "had", "will", "would", "could",
    "should", "can", "just", "really", "very", "about", "what", "which", "who", "how", "if",
    "then", "than", "all", "any", "some", "um", "uh", "like", "yes", "ok", "well", "also", "im",
    "id", "ive", "youre", "weve", "wed", "lets", "get", "got", "up", "out", "into", "over",
    "honestly", "mean", "know", "think",
];
