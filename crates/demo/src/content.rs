//! The content library: case studies, decks, one-pagers, pricing sheets, ROI calculators,
//! email templates, whitepapers and videos, with bodies long and specific enough to search.

use std::collections::HashSet;

use closer_types::{ContentItem, ContentKind, ContentStats};

use crate::names::{self, CompanyNamer, INDUSTRIES};
use crate::util::{fill, year_of, Gen, DAY};

/// What is particular about selling into one industry.
struct Industry {
    name: &'static str,
    /// How a customer in it is described ("regional health system").
    noun: &'static [&'static str],
    /// What it counts ("clinics").
    unit: &'static str,
    pain: &'static [&'static str],
    compliance: &'static str,
    systems: &'static str,
    /// Flagship customers that case studies are about.
    customers: &'static [&'static str],
}

const INDUSTRY_DATA: &[Industry] = &[
    Industry {
        name: "Healthcare",
        noun: &[
            "regional health system",
            "multi-specialty medical group",
            "diagnostics network",
            "healthcare services provider",
        ],
        unit: "clinics",
        pain: &[
            "payer mix shifts made every quarter's revenue forecast a guess",
            "finance rebuilt the service-line forecast by hand every month from six spreadsheets",
            "reimbursement delays hid pipeline risk until the last week of the quarter",
        ],
        compliance: "HIPAA",
        systems: "Salesforce Health Cloud, Epic billing exports and NetSuite",
        customers: &[
            "Meridian Health",
            "Crestview Medical Group",
            "Lakeshore Clinics",
            "Sequoia Diagnostics",
            "Bayside Care Partners",
            "Halcyon Biosciences",
            "Riverbend Health System",
        ],
    },
    Industry {
        name: "Financial Services",
        noun: &[
            "regional bank",
            "wealth management firm",
            "commercial lender",
            "credit union",
        ],
        unit: "branches",
        pain: &[
            "commercial lending pipeline lived in relationship managers' heads",
            "board reporting required three analysts and a week of reconciliation",
            "SOX controls made every forecast change a manual sign-off",
        ],
        compliance: "SOC 2",
        systems: "Salesforce Financial Services Cloud, nCino and Snowflake",
        customers: &[
            "Nordbank",
            "Hollis Bank",
            "Sterling Capital",
            "Keystone Credit Union",
            "Fairmont Wealth Partners",
            "Granite Lending",
            "Beacon Securities",
        ],
    },
    Industry {
        name: "Manufacturing",
        noun: &[
            "industrial manufacturer",
            "components supplier",
            "food manufacturer",
            "precision engineering group",
        ],
        unit: "plants",
        pain: &[
            "distributor orders and direct deals were forecast in separate spreadsheets",
            "long quoting cycles made the pipeline look healthier than it was",
            "production planning ran on a sales forecast that was off by 20% or more",
        ],
        compliance: "ISO 27001",
        systems: "Dynamics 365, SAP order data and a CPQ tool",
        customers: &[
            "Castellan Foods",
            "Ironwood Components",
            "Redstone Precision",
            "Falcon Machine Works",
            "Copperfield Materials",
            "Pioneer Plastics",
            "Cobalt Industries",
        ],
    },
    Industry {
        name: "Retail",
        noun: &[
            "specialty retailer",
            "omnichannel brand",
            "grocery chain",
            "wholesale distributor",
        ],
        unit: "stores",
        pain: &[
            "wholesale account forecasts ignored seasonality",
            "B2B accounts team and finance argued about the number every Monday",
            "promotions made last year's pipeline a poor guide to this year",
        ],
        compliance: "PCI DSS",
        systems: "HubSpot, Shopify Plus and NetSuite",
        customers: &[
            "Northwind Outfitters",
            "Maple Grove Market",
            "Juniper Home",
            "Larkspur Apparel",
            "Driftwood Goods",
            "Orchard Grocers",
            "Mosaic Brands",
        ],
    },
    Industry {
        name: "Technology",
        noun: &[
            "SaaS company",
            "infrastructure software vendor",
            "data platform company",
            "IT services firm",
        ],
        unit: "product lines",
        pain: &[
            "hyper-growth made last quarter's conversion rates useless",
            "the board asked for a forecast by segment that nobody could produce quickly",
            "renewals, expansion and new business were forecast in three different tools",
        ],
        compliance: "SOC 2",
        systems: "Salesforce, Gong, Stripe billing and Snowflake",
        customers: &[
            "Pinecrest Software",
            "Brightwave Labs",
            "Kestrel Networks",
            "Paragon Cloud",
            "Trident Data",
            "Solstice Systems",
            "Vanguard Digital",
        ],
    },
    Industry {
        name: "Education",
        noun: &[
            "private university",
            "education services group",
            "online learning provider",
            "K-12 curriculum company",
        ],
        unit: "campuses",
        pain: &[
            "enrollment partnerships were tracked in email threads",
            "district budget cycles made deal timing impossible to predict",
            "the institutional sales team had no shared view of pipeline",
        ],
        compliance: "FERPA",
        systems: "Salesforce Education Cloud, Slate and Workday",
        customers: &[
            "Westfield University",
            "Highland Academy",
            "Evergreen Learning",
            "Thornbury College",
            "Arbor Education Group",
            "Glenview Institute",
            "Newhaven Schools",
        ],
    },
    Industry {
        name: "Public Sector",
        noun: &[
            "county government",
            "transit authority",
            "public utility",
            "state agency",
        ],
        unit: "departments",
        pain: &[
            "grant-funded programs had revenue forecasts updated once a year",
            "procurement cycles of 9-18 months made the pipeline opaque",
            "legislative budget changes arrived with no way to model the impact",
        ],
        compliance: "StateRAMP",
        systems: "Dynamics 365 Government, Tyler ERP and Excel",
        customers: &[
            "Tidewater Transit Authority",
            "Ashford County Services",
            "Clearwater Utilities District",
            "Rockport Port Authority",
            "Windham City Services",
            "Prairie Water District",
            "Eastgate Housing Authority",
        ],
    },
    Industry {
        name: "Energy",
        noun: &[
            "renewable energy developer",
            "regional utility",
            "energy services company",
            "solar installer",
        ],
        unit: "project sites",
        pain: &[
            "commercial solar deals slipped quarter to quarter with no early warning",
            "interconnection delays made the revenue forecast swing by millions",
            "power purchase agreements were forecast in a 40-tab spreadsheet",
        ],
        compliance: "NERC CIP",
        systems: "Salesforce, SAP and a project-tracking database",
        customers: &[
            "Summit Energy",
            "Horizon Solar",
            "Northstar Power",
            "Verdant Renewables",
            "Frontier Grid",
            "Radiant Wind",
            "Delta Utilities",
        ],
    },
    Industry {
        name: "Logistics",
        noun: &[
            "freight broker",
            "3PL provider",
            "last-mile delivery company",
            "shipping line",
        ],
        unit: "distribution centers",
        pain: &[
            "contract renewals and spot freight were forecast with the same rule of thumb",
            "volume swings made quarterly bookings look random",
            "sales and operations used different numbers for the same shippers",
        ],
        compliance: "SOC 2",
        systems: "HubSpot, a TMS and Power BI",
        customers: &[
            "Harbor Freight Systems",
            "Brightline Logistics",
            "Mariner Shipping",
            "Atlas Freight",
            "Stonebridge Distribution",
            "Osprey Carriers",
            "Quarry Fulfillment",
        ],
    },
    Industry {
        name: "Insurance",
        noun: &[
            "commercial insurer",
            "mutual insurance company",
            "benefits administrator",
            "specialty underwriter",
        ],
        unit: "agencies",
        pain: &[
            "broker-sourced premium was forecast from last year's book plus a guess",
            "renewal risk only surfaced after policies lapsed",
            "underwriting and distribution never agreed on the pipeline",
        ],
        compliance: "SOC 2",
        systems: "Salesforce, Guidewire and Snowflake",
        customers: &[
            "Atlas Insurance",
            "Hawthorne Mutual",
            "Whitmore Assurance",
            "Kingsley Underwriters",
            "Bellweather Casualty",
            "Oakmont Life",
            "Unity Benefits",
        ],
    },
];

fn industry(name: &str) -> &'static Industry {
    INDUSTRY_DATA
        .iter()
        .find(|i| i.name == name)
        .unwrap_or(&INDUSTRY_DATA[0])
}

/// Every flagship customer name (kept out of the leads list).
pub fn customer_names() -> Vec<&'static str> {
    INDUSTRY_DATA
        .iter()
        .flat_map(|i| i.customers.iter().copied())
        .collect()
}

/// What a persona cares about, and the topics that go with it.
fn persona_concern(persona: &str) -> (&'static str, &'static [&'static str]) {
    match persona {
        "CFO" => (
            "a forecast the board can rely on, with a clear ROI and payback period",
            &["ROI", "payback", "TCO", "cost savings", "forecast accuracy"],
        ),
        "CIO" => (
            "a platform that integrates cleanly and doesn't add another data silo",
            &["integration", "security", "implementation", "data quality"],
        ),
        "CTO" => (
            "an architecture that doesn't need engineers to maintain forecast models",
            &["integration", "data quality", "security", "implementation"],
        ),
        "VP Sales" => (
            "a number managers trust without rebuilding the spreadsheet every Monday",
            &[
                "forecast accuracy",
                "pipeline visibility",
                "rep productivity",
                "onboarding",
            ],
        ),
        "CRO" => (
            "calling the quarter within a few percent, early enough to act",
            &[
                "forecast accuracy",
                "pipeline visibility",
                "ROI",
                "deal risk",
            ],
        ),
        "Head of Operations" => (
            "a rollout that doesn't disrupt the team and clean data from day one",
            &[
                "implementation",
                "onboarding",
                "data quality",
                "cost savings",
            ],
        ),
        "Procurement" => (
            "predictable pricing, fair contract terms and a low total cost of ownership",
            &["TCO", "pricing", "contract terms", "cost savings"],
        ),
        "CISO" => (
            "a vendor that passes security review without exceptions",
            &["security", "SOC 2", "compliance", "data residency"],
        ),
        "CEO" => (
            "growth plans built on a forecast that holds up",
            &[
                "ROI",
                "forecast accuracy",
                "pipeline visibility",
                "growth planning",
            ],
        ),
        _ => (
            "less time reconciling CRM data and more time on analysis",
            &[
                "data quality",
                "integration",
                "onboarding",
                "forecast accuracy",
            ],
        ),
    }
}

/// The numbers and names one item is written from.
struct Facts {
    vars: Vec<(&'static str, String)>,
}

impl Facts {
    fn get(&self) -> Vec<(&str, &str)> {
        self.vars.iter().map(|(k, v)| (*k, v.as_str())).collect()
    }
}

struct Spec {
    kind: ContentKind,
    industry: &'static str,
    persona: &'static str,
    topic: &'static str,
    customer: String,
    stale: bool,
}

fn facts(g: &mut Gen, s: &Spec, now: i64) -> Facts {
    let ind = industry(s.industry);
    let (concern, _) = persona_concern(s.persona);
    let (first, last) = names::person(g);
    let person = format!("{first} {}", names::display_last(last));
    let person_title = g.pick(names::titles_for(s.persona)).to_string();
    let acc_before = g.int(58, 78);
    let acc_after = g.int(90, 97);
    let stale_year = if g.chance(0.5) { "2022" } else { "2023" };
    let year = if s.stale {
        stale_year.to_string()
    } else {
        year_of(now).to_string()
    };
    let seat_price = if s.stale {
        *g.pick(&[55, 59, 79])
    } else {
        *g.pick(&[65, 95])
    };
    let product = *g.pick(&[
        "Lumora Forecast",
        "Lumora Forecast and Lumora Signals",
        "Lumora Forecast with Lumora Connect",
        "Lumora Signals",
    ]);
    let competitor = *g.pick(&[
        "Vantage BI",
        "DataForge",
        "Clearpath Analytics",
        "Quantive",
        "NimbusIQ",
        "Stratus Cloud",
        "Helix Metrics",
        "OrbitalOps",
        "spreadsheets",
        "spreadsheets",
    ]);
    let v = vec![
        ("customer", s.customer.clone()),
        ("industry", ind.name.to_string()),
        ("industry_lc", ind.name.to_lowercase()),
        ("noun", g.pick(ind.noun).to_string()),
        ("unit", ind.unit.to_string()),
        ("units", g.int(6, 240).to_string()),
        ("pain", g.pick(ind.pain).to_string()),
        ("compliance", ind.compliance.to_string()),
        ("systems", ind.systems.to_string()),
        ("persona", s.persona.to_string()),
        ("concern", concern.to_string()),
        ("topic", s.topic.to_string()),
        ("person", person),
        ("person_title", person_title),
        ("acc_before", acc_before.to_string()),
        ("acc_after", acc_after.to_string()),
        ("time_cut", g.int(28, 71).to_string()),
        ("hours", g.int(6, 40).to_string()),
        ("payback", g.int(3, 9).to_string()),
        ("roi", g.int(180, 540).to_string()),
        ("savings_k", format!("${}K", g.int(45, 1_200))),
        ("seats", g.int(18, 900).to_string()),
        ("days", g.int(24, 61).to_string()),
        ("weeks", g.int(4, 9).to_string()),
        ("systems_n", g.int(3, 11).to_string()),
        ("win_lift", g.int(4, 19).to_string()),
        ("slip", g.int(18, 45).to_string()),
        ("year", year),
        ("seat_price", seat_price.to_string()),
        ("impl_fee", format!("${},000", g.pick(&[8, 12, 15, 25]))),
        ("product", product.to_string()),
        ("competitor", competitor.to_string()),
        ("minutes", g.int(2, 14).to_string()),
    ];
    Facts { vars: v }
}

fn titles(kind: ContentKind, topic: &str) -> &'static [&'static str] {
    use ContentKind::*;
    match (kind, topic) {
        (CaseStudy, "ROI" | "payback" | "cost savings" | "TCO") => &[
            "How {customer} cut forecasting time {time_cut}% — {persona} case study",
            "{customer} pays back Lumora in {payback} months — {persona} case study",
            "{customer}: {roi}% ROI from {product} ({industry})",
            "{customer} saves {savings_k} a year on forecasting — {industry} case study",
        ],
        (CaseStudy, "security" | "SOC 2" | "compliance" | "data residency") => &[
            "{customer} passes {compliance} security review and goes live in {days} days",
            "Security-first rollout at {customer}: a {persona} case study",
        ],
        (CaseStudy, "integration" | "data quality") => &[
            "{customer} connects {systems_n} systems with Lumora Connect — {persona} case study",
            "One source of truth at {customer}: {industry} integration case study",
        ],
        (CaseStudy, "implementation" | "onboarding") => &[
            "{customer} goes live on Lumora in {weeks} weeks — {persona} case study",
            "Rolling out {product} to {seats} sellers at {customer}",
        ],
        (CaseStudy, _) => &[
            "{customer} reaches {acc_after}% forecast accuracy — {persona} case study",
            "From spreadsheets to a board-ready forecast: {customer} ({industry})",
            "How {customer} stopped missing the quarter — {persona} case study",
        ],
        (Deck, _) => &[
            "{industry} {persona} pitch deck: {topic}",
            "Lumora for {industry}: executive deck for the {persona}",
            "First-meeting deck — {industry}, {topic} focus",
        ],
        (OnePager, _) => &[
            "Lumora Forecast for {industry} {persona}s: {topic}",
            "One-pager: {topic} for {industry} teams",
            "Why {industry} {persona}s choose Lumora — {topic}",
        ],
        (PricingSheet, _) => &[
            "Lumora {year} pricing — {industry} edition",
            "Price list {year}: Forecast, Signals and Connect",
            "{year} pricing and packaging for {persona}s",
        ],
        (RoiCalculator, _) => &[
            "{industry} ROI calculator: payback and TCO for {persona}s",
            "Forecast accuracy ROI model — {industry}",
            "TCO calculator: Lumora vs {competitor} ({industry})",
        ],
        (EmailTemplate, _) => &[
            "Email template: follow-up after discovery — {industry} {persona}",
            "Email template: {topic} proof point for a {persona}",
            "Email template: re-engage a stalled {industry} deal",
            "Email template: intro referencing {customer}",
        ],
        (Whitepaper, _) => &[
            "The {industry} {persona}'s guide to {topic}",
            "Whitepaper: {topic} in {industry} revenue forecasting",
            "Benchmark report: forecast accuracy in {industry} ({year})",
        ],
        (Video, _) => &[
            "Customer video: {customer} on {topic} ({minutes} min)",
            "Demo video: Lumora for {industry} {persona}s ({minutes} min)",
        ],
        _ => &["{industry} sales asset: {topic}"],
    }
}

fn paragraphs(kind: ContentKind) -> &'static [&'static [&'static str]] {
    use ContentKind::*;
    match kind {
        CaseStudy => &[
            &[
                "{customer} is a {noun} with {units} {unit}. Before Lumora, {pain}, and the leadership team had stopped trusting the number that went to the board.",
                "With {units} {unit} and a sales team of {seats}, {customer} had outgrown its forecasting process: {pain}.",
                "{customer}, a {noun} operating {units} {unit}, came to Lumora after a quarter in which {pain}.",
            ],
            &[
                "For {person}, {person_title}, the goal was {concern}. \"We were spending {hours} hours a week arguing about the forecast instead of acting on it,\" {person} said.",
                "The {persona} sponsored the project with one requirement: {concern}. The team had evaluated {competitor} first but could not get a working model within a quarter.",
                "{person_title} {person} framed the problem plainly: the company needed {concern}, and it needed it before the next planning cycle.",
            ],
            &[
                "{customer} deployed {product} to {seats} sellers in {days} days, connecting {systems} through Lumora Connect. Implementation was a fixed fee of {impl_fee}.",
                "The rollout took {weeks} weeks. Lumora Connect synced {systems}, and managers ran their first forecast call in Lumora in week three.",
                "Working with a Lumora solutions architect, the team connected {systems} and trained {seats} sellers in under an hour each.",
            ],
            &[
                "Results after two quarters: forecast accuracy rose from {acc_before}% to {acc_after}%, time spent on the weekly forecast fell {time_cut}%, and the investment paid back in {payback} months for an ROI of {roi}%.",
                "The numbers: {acc_after}% forecast accuracy at quarter end (up from {acc_before}%), {time_cut}% less time building the forecast, {savings_k} in annual savings and a payback period of {payback} months.",
                "Within six months {customer} was calling the quarter within 4%, win rates on forecasted deals improved {win_lift} points, and slipped deals dropped {slip}%. Payback came in month {payback}.",
            ],
            &[
                "\"Lumora gave us {concern}. I can walk into the board meeting with a number I believe,\" said {person}, {person_title} at {customer}.",
                "\"The payback was faster than anything else in our budget this year,\" said {person}. \"Our ROI on Lumora was {roi}% in the first year.\"",
                "\"We replaced {competitor} and a lot of late nights,\" said {person}, {person_title}. \"The forecast is now a conversation about deals, not about data.\"",
            ],
            &[
                "Security and compliance were reviewed up front: Lumora's SOC 2 Type II report, ISO 27001 certificate and {compliance} documentation cleared {customer}'s review in under three weeks.",
                "Because Lumora holds SOC 2 Type II and supports {compliance} requirements, legal and security sign-off did not delay the project.",
            ],
        ],
        Deck => &[
            &[
                "Slide 1 — Title: Lumora for {industry}. Slide 2 — The problem: {pain}. Slide 3 — What the {persona} needs: {concern}.",
                "Opening slides frame the {industry_lc} forecasting problem: {pain}. The third slide states the {persona}'s goal: {concern}.",
            ],
            &[
                "Slides 4-6 walk through {product}: the weekly forecast call, deal-risk signals and the executive roll-up. Slide 7 shows integration with {systems}.",
                "The middle section demonstrates {product} on a sample {industry_lc} pipeline, including Lumora Connect for {systems}.",
            ],
            &[
                "Proof points: {customer} improved forecast accuracy from {acc_before}% to {acc_after}% and paid back in {payback} months; the typical {industry_lc} customer cuts forecasting time {time_cut}%.",
                "Customer proof: {customer} ({units} {unit}) reached {acc_after}% accuracy and an ROI of {roi}% in year one.",
            ],
            &[
                "Closing slides cover {topic}, implementation in {weeks} weeks for a fixed {impl_fee}, security (SOC 2 Type II, ISO 27001, {compliance}) and proposed next steps.",
                "The deck ends with a {topic} slide, a comparison against {competitor}, and a mutual action plan template for the {persona}.",
            ],
            &[
                "Speaker notes: open with a question about last quarter's forecast miss, keep the demo under 12 minutes, and leave 15 minutes for questions about {topic}.",
            ],
        ],
        OnePager => &[
            &[
                "{industry} revenue teams tell us the same thing: {pain}. Lumora replaces the spreadsheet forecast with a model that updates every five minutes from {systems}.",
                "For {industry} {persona}s, the priority is {concern}. Lumora delivers it without an analytics project.",
            ],
            &[
                "What you get: an explainable forecast for every team and segment; deal-risk alerts from Lumora Signals; Lumora Connect integrations with {systems}; and an executive roll-up the {persona} can take to the board.",
                "Key capabilities: ML forecast with drivers shown in plain language, manager overrides with audit trail, scenario planning, and {systems_n} prebuilt connectors for {industry_lc} systems.",
            ],
            &[
                "By the numbers: {acc_after}% average forecast accuracy, {time_cut}% less time on the weekly forecast, payback in {payback} months, go-live in {weeks} weeks.",
                "Typical results in {industry}: accuracy from {acc_before}% to {acc_after}%, {slip}% fewer slipped deals, {savings_k} saved per year.",
            ],
            &[
                "On {topic}: Lumora is SOC 2 Type II and ISO 27001 certified, supports {compliance} requirements, and offers US or EU data residency.",
                "On {topic}: customers like {customer} saw {roi}% ROI in year one; implementation is a fixed {impl_fee}.",
            ],
        ],
        PricingSheet => &[
            &[
                "Lumora {year} list prices (USD, billed annually). Lumora Forecast Growth: ${seat_price} per seat per month, up to 150 seats. Lumora Forecast Enterprise: $95 per seat per month with unlimited seats, SSO and SCIM.",
                "Price list effective January {year}. Forecast Growth is ${seat_price} per seat per month; Forecast Enterprise is $95 per seat per month; Lumora Signals adds $30 per seat per month.",
            ],
            &[
                "Lumora Signals add-on: $30 per seat per month. Lumora Connect premium connectors: $12,000 per year for the platform. Implementation: fixed fee from {impl_fee}, typically {weeks} weeks.",
                "Implementation is a fixed fee ({impl_fee} for most teams). Lumora Connect includes standard connectors; premium connectors for {systems} are $12,000 per year.",
            ],
            &[
                "Discount guidance: up to 10% for 3-year terms, up to 15% above 250 seats with VP approval. Renewal price increases are capped at 3% per year.",
                "Approval matrix: reps may discount up to 8%, managers up to 15%, anything above requires the CRO. Multi-year deals include a 3% renewal cap.",
            ],
            &[
                "Competitive context: {competitor} lists at a lower seat price but typically adds implementation and consumption fees; always compare three-year total cost of ownership for the {persona}.",
                "When procurement compares against {competitor}, lead with TCO: {customer} saved {savings_k} over three years versus its previous tool.",
            ],
        ],
        RoiCalculator => &[
            &[
                "This calculator estimates the return of Lumora for a {industry_lc} sales organization. Inputs: number of sellers, managers, average deal size, win rate, and hours spent on the weekly forecast.",
                "Use this model with the {persona} to estimate payback, ROI and three-year TCO. Enter seats, manager count, analyst hours, and the cost of last year's forecast misses.",
            ],
            &[
                "Sample scenario: {seats} sellers, {hours} manager-hours per week on forecasting, a {acc_before}% baseline accuracy. Lumora reduces forecasting time {time_cut}% and raises accuracy to {acc_after}%.",
                "Worked example from {customer}: {seats} seats at ${seat_price} per seat per month, {impl_fee} implementation, {savings_k} annual savings in analyst and manager time.",
            ],
            &[
                "Output: payback in {payback} months, year-one ROI of {roi}%, and three-year TCO compared with {competitor}, including implementation, admin headcount and consumption costs.",
                "The summary tab shows ROI ({roi}% in the sample), payback period ({payback} months) and cost savings, ready to paste into a business case for the CFO.",
            ],
            &[
                "Assumptions are conservative: we count only time savings and a 2-point reduction in forecast error. Most {industry_lc} customers also see {win_lift} points of win-rate lift, which is excluded.",
            ],
        ],
        EmailTemplate => &[
            &[
                "Subject: {customer}'s forecast accuracy went from {acc_before}% to {acc_after}%\n\nHi {{first_name}},",
                "Subject: Following up on {topic}\n\nHi {{first_name}},",
                "Subject: Quick idea for your next forecast call\n\nHi {{first_name}},",
            ],
            &[
                "Thanks for the time earlier this week. You mentioned that {pain}. That's exactly the problem {customer}, a {noun}, had before they moved to Lumora.",
                "I know {concern} is top of mind for you this quarter, so I wanted to share how another {industry_lc} team approached it.",
            ],
            &[
                "In {payback} months they paid back the investment, cut forecasting time {time_cut}% and now call the quarter within a few percent. Their {person_title} put it simply: the forecast became a conversation about deals, not data.",
                "They went live in {weeks} weeks, connected {systems}, and saw a {roi}% ROI in year one.",
            ],
            &[
                "Would it be useful to see how that would look with your numbers? I can bring a short ROI model for {topic} to a 20-minute call next week.\n\nBest,\n{{sender_name}}",
                "If it helps, I can set up a 15-minute call with someone from {customer}. Does Tuesday or Thursday work?\n\nThanks,\n{{sender_name}}",
            ],
        ],
        Whitepaper => &[
            &[
                "Executive summary. {industry} organizations face a forecasting problem that spreadsheets cannot solve: {pain}. This paper looks at how leading teams approach {topic}.",
                "Introduction. Our {year} survey of {seats} {industry_lc} revenue leaders found that median forecast accuracy was only {acc_before}%, and that {pain}.",
            ],
            &[
                "Section 1: why {topic} matters to the {persona}. The cost of a missed forecast is rarely the miss itself; it is the hiring, inventory and spend decisions made on the wrong number.",
                "Section 1: the state of {topic}. Teams that adopted a model-based forecast reduced error by half and cut forecasting time {time_cut}%.",
            ],
            &[
                "Section 2: a framework. Measure accuracy weekly, separate commit from upside, inspect single-threaded deals, and keep the data pipeline from {systems} automated.",
                "Section 2: five practices. Automate CRM hygiene, forecast by segment, explain every change, review risk signals weekly, and audit the forecast against actuals.",
            ],
            &[
                "Section 3: case example. {customer} applied this framework with {product} and improved accuracy from {acc_before}% to {acc_after}%, with payback in {payback} months.",
                "Section 3: security and compliance. Any forecasting platform handling {industry_lc} revenue data should hold SOC 2 Type II and support {compliance}; ask for data residency options and SSO.",
            ],
        ],
        Video => &[
            &[
                "In this {minutes}-minute video, {person}, {person_title} at {customer}, explains how the team approached {topic}.",
                "A {minutes}-minute walkthrough of Lumora for {industry} {persona}s, recorded with the product team.",
            ],
            &[
                "Chapters: the forecasting problem ({pain}); choosing Lumora over {competitor}; rollout in {weeks} weeks; results.",
                "What you'll see: the weekly forecast call, Lumora Signals flagging at-risk deals, and the executive roll-up the {persona} uses.",
            ],
            &[
                "Key moment at the halfway mark: \"We went from {acc_before}% to {acc_after}% accuracy and paid it back in {payback} months.\"",
                "Results covered: {time_cut}% less time on the forecast, {roi}% ROI, and a forecast the board trusts.",
            ],
        ],
        _ => &[&["Lumora sales asset about {topic} for {industry}."]],
    }
}

const FILLER: &[&str] = &[
    "Lumora Forecast combines CRM history, activity signals and seasonality into a forecast for every team, segment and product line, and explains each change in plain language.",
    "Lumora Signals watches email, calendar and call activity and flags deals that have gone quiet, lost their champion or are single-threaded.",
    "Lumora Connect ships more than 120 maintained connectors, so data from the CRM, billing and the warehouse stays in sync every five minutes.",
    "Every customer gets a named solutions architect during implementation and a customer success manager afterwards.",
    "Lumora is SOC 2 Type II and ISO 27001 certified, offers SSO and SCIM on every plan, and keeps data in the US or EU region the customer chooses.",
    "Managers use Lumora for the weekly forecast call: they inspect commit and upside deals, record overrides with a reason, and see the roll-up change in real time.",
];

const EMAIL_FILLER: &[&str] = &[
    "A quick bit of context on Lumora: we replace the weekly spreadsheet forecast with a model that updates from your CRM every five minutes and explains every change, so managers spend the forecast call on deals instead of data.",
    "Most teams start with a back-test: we run Lumora on your last four quarters so you can see how close it would have called each one before you commit to anything.",
    "If security review is a concern, I can send our SOC 2 Type II report and security package up front; most reviews finish in under two weeks.",
    "Implementation is a fixed fee with a named solutions architect, and most teams are running their first forecast call in Lumora within a month.",
];

const STALE_NOTES: &[&str] = &[
    "Note: figures reflect the {year} price list and the product as it was in Q3 {year}.",
    "Pricing in this document is from {year} and predates the current packaging.",
    "Results as of Q4 {year}; this asset has not been reviewed since.",
];

fn word_count(s: &str) -> usize {
    s.split_whitespace().count()
}

fn build(g: &mut Gen, s: &Spec, now: i64) -> (String, String) {
    let f = facts(g, s, now);
    let vars = f.get();
    let title = fill(g.pick::<&str>(titles(s.kind, s.topic)), &vars);
    let mut parts: Vec<String> = paragraphs(s.kind)
        .iter()
        .map(|alts| fill(g.pick::<&str>(alts), &vars))
        .collect();
    let closing = if s.kind == ContentKind::EmailTemplate {
        parts.pop()
    } else {
        None
    };
    let mut fillers: Vec<&str> = if s.kind == ContentKind::EmailTemplate {
        EMAIL_FILLER.to_vec()
    } else {
        FILLER.to_vec()
    };
    g.shuffle(&mut fillers);
    let mut words: usize = parts.iter().map(|p| word_count(p)).sum();
    for extra in fillers {
        if words >= 170 {
            break;
        }
        words += word_count(extra);
        parts.push(extra.to_string());
    }
    if s.stale {
        parts.push(fill(g.pick::<&str>(STALE_NOTES), &vars));
    }
    parts.extend(closing);
    let mut body = parts.join("\n\n");
    if word_count(&body) > 400 {
        body = body
            .split_whitespace()
            .take(400)
            .collect::<Vec<_>>()
            .join(" ");
    }
    (title, body)
}

fn topics_for(g: &mut Gen, s: &Spec) -> Vec<String> {
    let (_, persona_topics) = persona_concern(s.persona);
    let mut topics = vec![s.topic.to_string()];
    for t in g.sample(persona_topics, 2) {
        if !topics.iter().any(|x| x == t) {
            topics.push(t.to_string());
        }
    }
    match s.topic {
        "ROI" => topics.push("payback".into()),
        "security" | "compliance" | "SOC 2" => {
            let c = industry(s.industry).compliance.to_string();
            if !topics.contains(&c) {
                topics.push(c);
            }
        }
        _ => {}
    }
    if s.kind == ContentKind::PricingSheet && !topics.iter().any(|t| t == "pricing") {
        topics.push("pricing".into());
    }
    topics.dedup();
    topics
}

fn item(g: &mut Gen, s: &Spec, now: i64) -> ContentItem {
    let (title, body) = build(g, s, now);
    let topics = topics_for(g, s);
    let mut personas = vec![s.persona.to_string()];
    if g.chance(0.45) {
        let other = g.pick(names::PERSONAS).to_string();
        if !personas.contains(&other) {
            personas.push(other);
        }
    }
    let mut industries = vec![s.industry.to_string()];
    if s.kind == ContentKind::PricingSheet && g.chance(0.5) {
        industries.clear();
    } else if g.chance(0.15) {
        let other = g.pick(INDUSTRIES).to_string();
        if !industries.contains(&other) {
            industries.push(other);
        }
    }
    let (created_at, last_used_at, views) = if s.stale {
        let created = now - g.int(420, 980) * DAY - g.int(0, DAY);
        let last = now - g.int(190, 400) * DAY - g.int(0, DAY);
        (
            created,
            Some(last.max(created)),
            g.log_uniform(20.0, 900.0) as u32,
        )
    } else {
        let created = now - g.int(3, 330) * DAY - g.int(0, DAY);
        let views = g.log_uniform(1.0, 2600.0) as u32;
        let last = if views < 4 {
            None
        } else {
            let recent = now - g.int(0, 30) * DAY;
            Some(g.between(created, recent).max(created))
        };
        (created, last, views)
    };
    let uses = if last_used_at.is_none() {
        0
    } else {
        ((views as f64) * (0.05 + 0.3 * g.float())) as u32
    }
    .max(u32::from(last_used_at.is_some()));
    let influenced = ((uses as f64) * (0.1 + 0.5 * g.float())) as u32;
    let won = ((influenced as f64) * (0.15 + 0.5 * g.float())) as u32;
    let updated_at = if s.stale {
        created_at + g.int(0, 60) * DAY
    } else {
        g.between(created_at, now)
    };
    let (folder, ext) = match s.kind {
        ContentKind::CaseStudy => ("Case studies", "pdf"),
        ContentKind::Deck => ("Decks", "pptx"),
        ContentKind::OnePager => ("One-pagers", "pdf"),
        ContentKind::PricingSheet => ("Pricing", "xlsx"),
        ContentKind::RoiCalculator => ("ROI calculators", "xlsx"),
        ContentKind::EmailTemplate => ("Email templates", "md"),
        ContentKind::Whitepaper => ("Whitepapers", "pdf"),
        ContentKind::Video => ("Videos", "mp4"),
        _ => ("Other", "pdf"),
    };
    let source_path = if g.chance(0.85) {
        let mut name: String = title
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        while name.contains("--") {
            name = name.replace("--", "-");
        }
        Some(format!(
            "Sales Library/{folder}/{}.{ext}",
            name.trim_matches('-')
        ))
    } else {
        None
    };
    ContentItem {
        id: g.id(created_at),
        title,
        kind: s.kind,
        industries,
        personas,
        topics,
        body,
        source_path,
        stats: ContentStats {
            views,
            uses,
            deals_influenced: influenced,
            deals_won: won,
            last_used_at,
        },
        created_at,
        updated_at,
    }
}

/// (persona, topic) of the case studies written for every industry.
const CASE_SLOTS: &[(&str, &str)] = &[
    ("CFO", "ROI"),
    ("CIO", "integration"),
    ("VP Sales", "forecast accuracy"),
    ("CRO", "pipeline visibility"),
    ("Head of Operations", "implementation"),
    ("CISO", "security"),
    ("CFO", "cost savings"),
];

/// Other kinds: how many, and the personas they rotate through.
const OTHER_KINDS: &[(ContentKind, usize, &[&str])] = &[
    (
        ContentKind::Deck,
        20,
        &["CEO", "CRO", "VP Sales", "CFO", "CIO"],
    ),
    (
        ContentKind::OnePager,
        24,
        &[
            "CFO",
            "CISO",
            "RevOps Manager",
            "Head of Operations",
            "CTO",
            "VP Sales",
        ],
    ),
    (ContentKind::PricingSheet, 14, &["Procurement", "CFO"]),
    (
        ContentKind::RoiCalculator,
        14,
        &["CFO", "CFO", "CRO", "CEO"],
    ),
    (
        ContentKind::EmailTemplate,
        22,
        &[
            "VP Sales",
            "CFO",
            "CIO",
            "RevOps Manager",
            "CRO",
            "Head of Operations",
        ],
    ),
    (
        ContentKind::Whitepaper,
        24,
        &["CFO", "CISO", "CTO", "RevOps Manager", "CIO", "CRO"],
    ),
    (
        ContentKind::Video,
        10,
        &["VP Sales", "CFO", "CRO", "RevOps Manager"],
    ),
];

fn topic_for(g: &mut Gen, kind: ContentKind, persona: &str) -> &'static str {
    let (_, topics) = persona_concern(persona);
    match kind {
        ContentKind::PricingSheet => g.pick::<&str>(&["pricing", "TCO", "contract terms"]),
        ContentKind::RoiCalculator => g.pick::<&str>(&["ROI", "payback", "TCO"]),
        _ => g.pick::<&str>(topics),
    }
}

/// The 200-item library of the demo workspace.
pub fn generate(g: &mut Gen, now: i64) -> Vec<ContentItem> {
    let mut specs = Vec::with_capacity(200);
    for (slot, (persona, topic)) in CASE_SLOTS.iter().enumerate() {
        for ind in INDUSTRY_DATA {
            specs.push(Spec {
                kind: ContentKind::CaseStudy,
                industry: ind.name,
                persona,
                topic,
                customer: ind.customers[slot % ind.customers.len()].to_string(),
                stale: g.chance(0.12),
            });
        }
    }
    // Two more for the questions asked most (healthcare and banking CFOs on ROI).
    for (ind, customer) in [(0, 3), (1, 5)] {
        specs.push(Spec {
            kind: ContentKind::CaseStudy,
            industry: INDUSTRY_DATA[ind].name,
            persona: "CFO",
            topic: "payback",
            customer: INDUSTRY_DATA[ind].customers[customer].to_string(),
            stale: false,
        });
    }
    for (rot, (kind, count, personas)) in OTHER_KINDS.iter().enumerate() {
        for i in 0..*count {
            let ind = &INDUSTRY_DATA[(i * 3 + rot) % INDUSTRY_DATA.len()];
            let persona = personas[i % personas.len()];
            let stale_p = if *kind == ContentKind::PricingSheet {
                0.4
            } else {
                0.12
            };
            specs.push(Spec {
                kind: *kind,
                industry: ind.name,
                persona,
                topic: topic_for(g, *kind, persona),
                customer: g.pick(ind.customers).to_string(),
                stale: g.chance(stale_p),
            });
        }
    }
    g.shuffle(&mut specs);
    let mut seen = HashSet::new();
    specs
        .iter()
        .map(|s| {
            let mut it = item(g, s, now);
            unique_title(&mut it, &mut seen);
            it
        })
        .collect()
}

fn unique_title(it: &mut ContentItem, seen: &mut HashSet<String>) {
    if !seen.contains(&it.title) {
        seen.insert(it.title.clone());
        return;
    }
    let base = it.title.clone();
    let mut n = 2;
    loop {
        let t = format!("{base} (v{n})");
        if !seen.contains(&t) {
            seen.insert(t.clone());
            it.title = t;
            return;
        }
        n += 1;
    }
}

const ALL_KINDS: &[(ContentKind, u32)] = &[
    (ContentKind::CaseStudy, 35),
    (ContentKind::Deck, 10),
    (ContentKind::OnePager, 12),
    (ContentKind::PricingSheet, 6),
    (ContentKind::RoiCalculator, 7),
    (ContentKind::EmailTemplate, 12),
    (ContentKind::Whitepaper, 12),
    (ContentKind::Video, 6),
];

/// `n` varied items for benchmarks, about companies that are not in the demo library.
pub fn bulk(g: &mut Gen, n: usize, now: i64) -> Vec<ContentItem> {
    let weights: Vec<u32> = ALL_KINDS.iter().map(|(_, w)| *w).collect();
    let mut namer = CompanyNamer::default();
    let mut seen = HashSet::with_capacity(n);
    (0..n)
        .map(|_| {
            let kind = ALL_KINDS[g.weighted(&weights)].0;
            let ind = g.pick(INDUSTRY_DATA);
            let persona = *g.pick(names::PERSONAS);
            let topic = topic_for(g, kind, persona);
            let customer = if g.chance(0.8) {
                namer.next(g, ind.name).0
            } else {
                g.pick(ind.customers).to_string()
            };
            let spec = Spec {
                kind,
                industry: ind.name,
                persona,
                topic,
                customer,
                stale: g.chance(0.15),
            };
            let mut it = item(g, &spec, now);
            unique_title(&mut it, &mut seen);
            it
        })
        .collect()
}
