//! The eight competitors Lumora meets most, written the way a sales enablement team would.

use closer_types::{BattleCard, ObjectionResponse};

use crate::util::{Gen, DAY};

pub struct CardSpec {
    pub competitor: &'static str,
    /// Product names, as a prospect would say them.
    pub products: &'static [&'static str],
    pub summary: &'static str,
    pub strengths: &'static [&'static str],
    pub weaknesses: &'static [&'static str],
    pub pricing: &'static str,
    pub differentiators: &'static [&'static str],
    pub objections: &'static [(&'static str, &'static str)],
    pub triggers: &'static [&'static str],
    /// Their per-seat list price per month, in dollars (used in proposals and calls).
    pub seat_price: u32,
}

pub const CARDS: &[CardSpec] = &[
    CardSpec {
        competitor: "Vantage BI",
        products: &["Vantage Insights", "Vantage Pipeline"],
        summary: "General-purpose BI suite that sells forecasting as a dashboard add-on. Cheap seats, expensive services: customers need analysts to build and maintain every forecast model.",
        strengths: &[
            "Forecasts are ready out of the box: 38 prebuilt revenue models versus a blank Vantage workbook.",
            "Reps and managers use Lumora without an analyst; Vantage forecasts need SQL or DAX to change.",
            "Median go-live of 38 days, against 4-6 months for a Vantage forecasting build.",
            "Deal-level signals (stalled deals, single-threaded opportunities) that BI dashboards cannot infer.",
            "Fixed-fee implementation with a named solutions architect.",
        ],
        weaknesses: &[
            "Forecasting is a visualization layer, not a model: no deal-level probability scoring.",
            "Every new forecast view is a services ticket or an internal analyst project.",
            "Refreshes are batch (every 4-24 hours), so Monday's forecast call runs on Friday's data.",
            "Row-level security for territories must be hand-built and breaks on reorganizations.",
            "Implementation partners bill $185-$240 per hour; overruns are common.",
        ],
        pricing: "Vantage BI: $45/seat/month for Vantage Insights plus $20/seat/month for Vantage Pipeline, implementation typically $40,000-$90,000 through partners, analyst time not included. Lumora Forecast Enterprise: $95/seat/month all-in, fixed implementation fee of $12,000, no partner required. For 50 seats over 3 years: Vantage ~$207K + $65K services = $272K; Lumora $171K + $12K = $183K.",
        differentiators: &[
            "Purpose-built revenue forecasting, not a BI tool configured to look like one.",
            "Within ±5% forecast accuracy at quarter end for 81% of customers in their second quarter.",
            "Lumora Connect syncs CRM changes every 5 minutes.",
            "Territory-aware permissions that follow the CRM role hierarchy automatically.",
        ],
        objections: &[
            ("Vantage is cheaper per seat.", "On the seat line, yes, but Vantage customers spend $40K to $90K with partners before the first forecast works. Harbor Freight Systems compared both and Lumora came out 33% cheaper over three years once services were counted."),
            ("We already use Vantage BI for all our reporting.", "Keep it. Lumora pushes forecast data back into Vantage through Lumora Connect, so your dashboards stay where they are and your forecast gets a real model underneath."),
            ("Our analysts can build a forecast in Vantage.", "They can, and Castellan Foods did: it took two analysts five months and broke at the next territory change. With Lumora those analysts spend their time on questions, not on maintaining the model."),
            ("This isn't a priority until next fiscal year.", "Totally fair. Most teams start with a 30-day pilot on one region so the numbers are proven before budget season; that way next year's plan is built on a forecast you already trust."),
            ("I'd need our CFO to sign off on another tool.", "Makes sense. I can put together a one-page TCO comparison against Vantage for your CFO, and we're happy to join a 20-minute call with them to walk through the payback math."),
            ("How does your security compare? Vantage is on our approved list.", "We're SOC 2 Type II and ISO 27001 certified, with SSO, SCIM and data residency in the US or EU. I can send our security package today so your team can review it alongside the Vantage one."),
            ("Vantage gives us a five-year enterprise agreement.", "We offer one- or three-year terms with a price cap of 3% on renewal written into the contract. You're never locked in longer than the value is proven."),
        ],
        triggers: &["Vantage BI", "Vantage", "vantage bi", "Vantage Insights", "Vantage Pipeline", "we already use Vantage", "van tage", "advantage BI"],
        seat_price: 65,
    },
    CardSpec {
        competitor: "DataForge",
        products: &["Forge Studio", "ForgeFlow"],
        summary: "Data engineering platform pitching 'build your own revenue model'. Powerful for data teams, but forecasting is a DIY project with consumption-based compute costs.",
        strengths: &[
            "No data engineering project: Lumora Connect ships 120+ maintained connectors.",
            "Predictable per-seat pricing instead of compute consumption bills.",
            "Sales leaders own their forecast; no dependency on the data team's backlog.",
            "Forecast explanations in plain language for every number on the call.",
            "Live in weeks, with a proven implementation playbook.",
        ],
        weaknesses: &[
            "Every forecast model is custom code the customer must maintain.",
            "Consumption pricing: heavy quarter-end usage produces surprise invoices.",
            "Typical implementation is 6+ months with a dedicated data engineer.",
            "No native sales workflow: no deal inspection, no rep-level roll-ups.",
        ],
        pricing: "DataForge: $70/seat/month for Forge Studio plus compute at ~$2.80 per credit (customers report $3K-$9K per month at quarter end), implementation usually $60,000+ with an SI. Lumora Forecast Enterprise: $95/seat/month including compute, $12,000 fixed implementation. A 40-seat team typically saves $48K in year one.",
        differentiators: &[
            "Revenue-specific models trained on 2,300+ B2B sales teams.",
            "Flat per-seat pricing with compute included.",
            "Weekly forecast call mode with deal inspection built in.",
            "Owned by sales and RevOps, not the data team.",
        ],
        objections: &[
            ("Our data team already standardized on DataForge.", "Great, we play well with it: Lumora can read from your DataForge warehouse through Lumora Connect. Your data team keeps their platform and your sales team gets a forecast without waiting on their backlog."),
            ("We could build this ourselves in Forge Studio.", "You could; Brightline Logistics tried and spent eight months and roughly $210K in engineering time before switching. We're live in about six weeks, and your engineers go back to product work."),
            ("Your per-seat price is higher than DataForge.", "Their seat price excludes compute, which customers tell us runs $3K to $9K a month at quarter end. Our price includes compute, so the number in the contract is the number you pay."),
            ("We're not ready to commit this quarter.", "Understood. A pilot on your current quarter's pipeline costs nothing and gives you a back-tested accuracy number to take into planning."),
            ("Security wants everything to stay in our warehouse.", "We can run in read-only mode against your warehouse with data residency in your region, and we're SOC 2 Type II certified. Your security team gets our full package and a call with our CISO."),
            ("Who on your side decides? Our CTO owns data tools.", "Let's include your CTO early. We usually run a 45-minute architecture session with the CTO and RevOps together, which answers the build-versus-buy question with your own numbers."),
        ],
        triggers: &["DataForge", "Data Forge", "data forge", "Forge Studio", "ForgeFlow", "forge flow", "we already use DataForge", "build it ourselves"],
        seat_price: 70,
    },
    CardSpec {
        competitor: "Clearpath Analytics",
        products: &["Clearpath Forecast", "Clearpath Pulse"],
        summary: "Friendly mid-market forecasting tool that wins on ease of use and low price. Breaks down with multiple CRMs, multi-currency or more than ~150 sellers.",
        strengths: &[
            "Scales to enterprise: customers with 2,000+ sellers and multiple CRMs.",
            "Multi-currency and multi-entity roll-ups out of the box.",
            "SOC 2 Type II, ISO 27001 and HIPAA BAA available; Clearpath has SOC 2 Type I only.",
            "Signals module flags deal risk from email and calendar activity.",
            "Open API and bidirectional CRM write-back.",
        ],
        weaknesses: &[
            "Single-CRM only; acquisitions or a second CRM mean a second instance.",
            "No multi-currency roll-up: international teams reconcile in spreadsheets.",
            "Forecast model is a weighted pipeline, not machine learning.",
            "Limited admin controls; no SCIM provisioning.",
            "Support is email-only below their Premier tier.",
        ],
        pricing: "Clearpath Analytics: $55/seat/month (Clearpath Forecast), Pulse add-on $15/seat/month, implementation $5,000; Premier support adds 20%. Lumora Forecast Growth: $65/seat/month with a $8,000 implementation, or Enterprise at $95/seat/month. Lumora Growth lands within 10% of Clearpath's all-in price while including Signals-grade risk alerts.",
        differentiators: &[
            "Machine-learning forecast versus weighted pipeline math.",
            "Multi-CRM, multi-currency, multi-entity.",
            "Enterprise security posture: SOC 2 Type II, ISO 27001, HIPAA.",
            "Phone support and a named customer success manager from 25 seats.",
        ],
        objections: &[
            ("Clearpath is simpler and our reps like it.", "Ease of use matters to us too: reps need under 15 minutes of training, and adoption averages 87% in week four. The difference shows up when you add a second region or currency, which Clearpath can't roll up."),
            ("Clearpath is about $40 a seat cheaper.", "Our Growth tier is $65 a seat, so the gap is ten dollars, not forty, and it includes deal-risk alerts Clearpath charges $15 a seat for. Pinecrest Software moved over and their per-seat cost actually went down."),
            ("We already use Clearpath and it's fine for now.", "If it's fine, keep it until renewal. What usually changes the picture is growth: when do you expect to pass 150 sellers or add a second CRM? Let's make sure you're not re-platforming in the middle of that."),
            ("We need HIPAA coverage.", "We sign a BAA and hold SOC 2 Type II and ISO 27001; Clearpath has SOC 2 Type I only. Meridian Health passed our security review in eleven business days."),
            ("We can't sign a multi-year deal.", "You don't have to. Annual terms are standard on Growth, and we'll put a renewal cap in writing."),
            ("The VP Sales likes Clearpath, so it's their call.", "Then let's make it easy for them: a side-by-side on last quarter's pipeline shows which tool would have called the number. VPs usually decide fast once they see their own data."),
        ],
        triggers: &["Clearpath", "Clearpath Analytics", "clear path", "Clearpath Forecast", "Clearpath Pulse", "we already use Clearpath", "clear path analytics"],
        seat_price: 55,
    },
    CardSpec {
        competitor: "Quantive",
        products: &["Quantive Revenue Cloud", "Quantive Predict"],
        summary: "Enterprise incumbent sold as an add-on to a large CRM suite. Strong brand and executive relationships; expensive, slow to implement, and locked into multi-year bundles.",
        strengths: &[
            "Roughly a third of Quantive's total cost over three years.",
            "Go-live in 30-45 days versus 5-9 months for Quantive Revenue Cloud.",
            "CRM-agnostic: works the same on Salesforce, HubSpot, Dynamics and custom CRMs.",
            "Transparent per-seat pricing; no bundle or shelfware.",
            "Faster product cadence: releases every two weeks.",
        ],
        weaknesses: &[
            "Requires a 3-year contract, bundled with other suite products.",
            "Implementation averages $60K-$150K through certified partners.",
            "Predict module is a separate SKU at $45/seat/month.",
            "Heavy admin: customers report needing a full-time Quantive administrator.",
            "Annual price uplifts of 7-9% are common at renewal.",
        ],
        pricing: "Quantive Revenue Cloud: $150/seat/month list, Quantive Predict +$45/seat/month, 3-year minimum, implementation $60,000-$150,000. Lumora Forecast Enterprise + Signals: $125/seat/month, 1- or 3-year terms, $12,000-$25,000 fixed implementation. For 100 seats over 3 years: Quantive ~$702K + $90K = $792K; Lumora ~$450K + $18K = $468K.",
        differentiators: &[
            "No suite lock-in: buy forecasting without buying a platform.",
            "Renewal price cap of 3% in every contract.",
            "Self-serve admin that RevOps runs part-time.",
            "Explainable forecast: every prediction shows its top drivers.",
        ],
        objections: &[
            ("We already use Quantive, it's part of our CRM agreement.", "Lots of our customers did too. The question is whether Predict is actually deployed; at Atlas Insurance it had been shelfware for two years. We can run a back-test on your last two quarters so you can compare accuracy before renewal."),
            ("Quantive is the safe choice; nobody gets fired for buying them.", "That's real, and it's why we give you reference calls with three companies your size that switched. Nordbank's CRO told us the risky choice was paying for a forecast nobody trusted."),
            ("Your company is much smaller than Quantive.", "We are, and that's why you'll get a named architect and a roadmap seat. We're profitable, serve over 2,300 revenue teams, and offer source-code escrow for enterprise contracts."),
            ("Our contract with Quantive runs another 14 months.", "That's perfect timing. Teams typically run Lumora alongside for one or two quarters, prove the accuracy, and then go into the renewal with real leverage and a clear answer."),
            ("Security will push back on a new vendor.", "We're SOC 2 Type II, ISO 27001, GDPR-ready with an EU region, and we complete most security questionnaires within five business days. I'll send the package today."),
            ("The decision sits with our CIO, who owns the Quantive relationship.", "Then let's bring the CIO a TCO comparison, not a feature list. A 100-seat team saves about $320K over three years, and we can map the integration in one architecture session."),
            ("Quantive is offering a 30% discount to stay.", "A discount on a 3-year bundle is still about $550K. Our price is lower before any discount, and we cap renewals at 3%, so the savings don't disappear in year two."),
        ],
        triggers: &["Quantive", "quantive", "Quantive Revenue Cloud", "Quantive Predict", "we already use Quantive", "quantum", "quant eve", "Revenue Cloud"],
        seat_price: 150,
    },
    CardSpec {
        competitor: "NimbusIQ",
        products: &["Nimbus Forecaster", "NimbusIQ Pro"],
        summary: "Venture-funded AI startup with a flashy demo and bold accuracy claims. Black-box model, young security program, and a small customer base outside tech.",
        strengths: &[
            "Explainable forecasts: every number shows its drivers, so managers can defend it.",
            "Mature security program: SOC 2 Type II since 2019, ISO 27001, HIPAA BAA.",
            "Proven across regulated industries: healthcare, financial services, insurance.",
            "Published accuracy methodology with back-tests on the customer's own data.",
            "Stable, profitable company with 2,300+ customers.",
        ],
        weaknesses: &[
            "Black-box predictions: reps and managers can't see why a deal is scored.",
            "SOC 2 Type II report only recently issued; no ISO 27001.",
            "Accuracy claims are based on tech-sector customers only.",
            "Frequent breaking changes to the API; small support team.",
            "Pricing escalates sharply above 100 seats.",
        ],
        pricing: "NimbusIQ: $80/seat/month (Nimbus Forecaster), NimbusIQ Pro $120/seat/month with AI coaching, onboarding $15,000, pricing tiers jump at 100 seats. Lumora Forecast Enterprise: $95/seat/month, Signals add-on $30/seat/month, $12,000 fixed implementation, flat pricing at any seat count.",
        differentiators: &[
            "Explainability: forecast drivers shown in plain language.",
            "Back-test on your own last four quarters before you buy.",
            "Regulated-industry references and a HIPAA BAA.",
            "Flat pricing at any team size.",
        ],
        objections: &[
            ("NimbusIQ says their AI is 98% accurate.", "Ask them what that number is measured on. We back-test on your last four quarters before you sign, and our customers average within ±5% at quarter end. Hollis Bank ran both on the same data and picked the one they could explain to the board."),
            ("We already use NimbusIQ in one region.", "Then you have a great baseline. Let's run Lumora on the same region for one quarter and compare forecast error side by side, so the choice is based on your data."),
            ("NimbusIQ is cheaper for our team size.", "At your current size, maybe by a few dollars a seat. Their pricing jumps above 100 seats and you mentioned hiring 40 reps this year; our price stays flat, so I'd model it at next year's headcount."),
            ("Our security team hasn't heard of you.", "We've been SOC 2 Type II audited every year since 2019 and hold ISO 27001. I'll send the report and our pen-test summary today; most reviews wrap up in under two weeks."),
            ("We don't need another AI tool right now.", "Fair. What I'd look at is whether your current forecast misses cost you anything: a 10-point miss usually means hiring or spend decisions made on the wrong number. If that's not a problem, we're not a priority."),
            ("We'd want a month-to-month contract.", "We can start with a 90-day paid pilot that converts to an annual term only if you hit the accuracy target we agree on up front."),
        ],
        triggers: &["NimbusIQ", "Nimbus IQ", "nimbus i q", "nimbus", "Nimbus Forecaster", "NimbusIQ Pro", "we already use Nimbus", "nimbus eye queue"],
        seat_price: 80,
    },
    CardSpec {
        competitor: "Stratus Cloud",
        products: &["Stratus Revenue", "Stratus Data Lake"],
        summary: "Hyperscaler analytics bundle offered 'free' against an existing cloud commitment. Looks cheap, but forecasting must be assembled from generic ML services by the customer.",
        strengths: &[
            "A finished application, not a set of building blocks.",
            "Business users can run it without cloud engineering skills.",
            "Prebuilt revenue models tuned for B2B sales cycles.",
            "Runs alongside any cloud provider; no lock-in to one hyperscaler.",
        ],
        weaknesses: &[
            "'Free' tooling consumes cloud commit and engineering hours.",
            "No sales-specific UI: forecasts live in notebooks or generic dashboards.",
            "Requires ML engineers to train, monitor and retrain models.",
            "Support is through the general cloud support plan.",
            "Consumption costs spike with data volume and are hard to forecast.",
        ],
        pricing: "Stratus Cloud: no license fee when drawn from an existing cloud commitment, but typical consumption of $4K-$12K/month plus 1-2 ML engineers (~$180K/year each) to build and maintain. Lumora Forecast Enterprise: $95/seat/month, $12,000 implementation, no engineering headcount. For 60 seats, Lumora's 3-year cost (~$217K) is below one engineer's annual cost.",
        differentiators: &[
            "Ready-to-use forecasting application for sales leaders.",
            "No ML engineering required.",
            "Cloud-neutral: works with whatever cloud you run.",
            "Dedicated revenue-analytics support team.",
        ],
        objections: &[
            ("Stratus is free with our cloud commit.", "The license is free; the forecast isn't. Teams we've talked to spend $4K to $12K a month on consumption plus at least one ML engineer. Lumora's total three-year cost for your team is less than one engineer's salary."),
            ("IT wants to standardize on Stratus Cloud.", "We can run on data that lives in Stratus Data Lake, so IT keeps its standard. Lumora is the layer your sales leaders actually use every Monday."),
            ("We're in a cost-cutting cycle.", "Then the question is payback. Our median customer pays back in 5.5 months, mostly from fewer missed quarters and fewer analyst hours. I can model it with your numbers in ten minutes."),
            ("Is your data encrypted the way our cloud is?", "Yes: AES-256 at rest, TLS 1.2+ in transit, customer-managed keys on Enterprise, and SOC 2 Type II and ISO 27001 audits. We can also pin your data to a single region."),
            ("Our CTO needs to approve any new platform.", "Great, let's give the CTO a 30-minute architecture walkthrough. It usually answers the build-versus-buy question quickly because it's about engineering capacity, not features."),
            ("We'd rather wait until our Stratus build is done.", "How long is that roadmap? Most internal builds we've seen take two to three quarters. A pilot now gives you a benchmark the internal build has to beat."),
        ],
        triggers: &["Stratus Cloud", "Stratus", "stratus", "Stratus Revenue", "Stratus Data Lake", "we already use Stratus", "strata's cloud", "straightest cloud"],
        seat_price: 0,
    },
    CardSpec {
        competitor: "Helix Metrics",
        products: &["Helix Dashboards", "Helix Scorecards"],
        summary: "Lightweight sales dashboards and rep scorecards. Good for activity tracking, but it reports the past: no predictive forecast, no deal risk.",
        strengths: &[
            "Predicts the quarter instead of reporting last week.",
            "Deal-risk signals from email, calendar and call activity.",
            "Forecast roll-ups with manager overrides and audit trail.",
            "Scenario planning for board and finance reviews.",
            "Integrates Helix-style activity metrics so nothing is lost in a switch.",
        ],
        weaknesses: &[
            "No predictive forecasting: dashboards only describe the past.",
            "Scorecards focus on activity volume, not deal outcomes.",
            "No finance-grade roll-ups for CFO reviews.",
            "Limited to one CRM object model; custom objects unsupported.",
        ],
        pricing: "Helix Metrics: $35/seat/month (Dashboards), Scorecards +$15/seat/month, no implementation fee. Lumora Forecast Growth: $65/seat/month, $8,000 implementation. The $15 difference per seat is typically recovered by cutting one weekly forecast spreadsheet cycle (about 6 manager-hours per week).",
        differentiators: &[
            "Predictive, explainable forecasts.",
            "Manager and CFO views from the same numbers.",
            "Deal inspection built for the weekly forecast call.",
        ],
        objections: &[
            ("We already use Helix for our dashboards.", "Helix is great at showing what happened. Lumora tells you what's going to happen this quarter and which deals are at risk; many customers keep Helix for activity metrics and add Lumora for the forecast."),
            ("Helix is half your price.", "Per seat, yes. But our customers retire the weekly forecast spreadsheet, which saves managers about six hours a week. For a team of ten managers that's over $90K a year of time."),
            ("We don't really need forecasting, our VP does it in a spreadsheet.", "How far off was the spreadsheet last quarter? Most teams we talk to miss by 12 to 20 percent. If your VP is consistently within 5%, you don't need us, and I'll say so."),
            ("We'll revisit after the reorg.", "Reorgs are actually when forecasts break the most, because territories move. Lumora follows the CRM hierarchy automatically, so the new structure is forecastable on day one."),
            ("Helix passed our security review already; we don't want another one.", "Understood, reviews are work. We hold SOC 2 Type II and ISO 27001 and share a pre-filled SIG Lite questionnaire, which cut Juniper Home's review to six business days."),
            ("We only do annual contracts with new vendors.", "Annual is our standard term on Growth, with a 3% cap on the renewal price written in, so there's no multi-year commitment required."),
            ("I'm not the one who signs off.", "Who else would want to see this? I'm happy to put together a short summary for your CRO or CFO, with the accuracy back-test on your own data."),
        ],
        triggers: &["Helix Metrics", "Helix", "helix", "Helix Dashboards", "Helix Scorecards", "we already use Helix", "heel ix", "healix metrics"],
        seat_price: 35,
    },
    CardSpec {
        competitor: "OrbitalOps",
        products: &["Orbital Planner", "OrbitalOps Command"],
        summary: "Sales planning, territory and quota platform expanding into forecasting. Strong with RevOps for annual planning; its forecasting module is new and thin.",
        strengths: &[
            "Forecasting is our core product, with 8 years of model development.",
            "Forecast accuracy proven across 2,300+ teams versus a module launched last year.",
            "Lower total cost: no planning suite required to get the forecast.",
            "Faster weekly workflow for frontline managers.",
            "Integrates with OrbitalOps for quotas so planning stays where it is.",
        ],
        weaknesses: &[
            "Forecasting module is a 1.0 with limited deal-level insight.",
            "Sold only as part of the full planning suite.",
            "Annual price uplifts of 7% written into standard contracts.",
            "Heavy implementation tied to annual planning cycles.",
            "Frontline managers find the UI built for RevOps, not for them.",
        ],
        pricing: "OrbitalOps: $110/seat/month for OrbitalOps Command (planning + forecast), implementation $35,000-$70,000, standard 7% annual uplift. Lumora Forecast Enterprise: $95/seat/month, $12,000 implementation, renewal cap 3%. For 80 seats over 3 years: OrbitalOps ~$340K + $50K = $390K; Lumora ~$274K + $12K = $286K.",
        differentiators: &[
            "Dedicated forecasting product with a mature model.",
            "Manager-first weekly forecast workflow.",
            "3% renewal cap versus OrbitalOps' 7% uplift.",
            "Works with OrbitalOps quotas through Lumora Connect.",
        ],
        objections: &[
            ("We already use OrbitalOps for planning, so forecasting comes free.", "It's bundled, not free: you're paying $110 a seat for Command. Keep Orbital Planner for territories and quotas; Lumora reads your quotas from it and gives managers a forecast they actually use weekly."),
            ("OrbitalOps says their forecast will catch up by next year.", "Maybe, but you'd be forecasting this year's quarters on a 1.0 module. We can back-test both on your last four quarters so you're comparing accuracy, not roadmaps."),
            ("Adding another vendor is a hard sell to procurement.", "Understood. We have a standard MSA most procurement teams approve as-is, and we'll put a 3% renewal cap in writing, which compares well with OrbitalOps' 7% uplift."),
            ("Timing is bad, we're in the middle of annual planning.", "Good point, so let's not touch planning. Lumora can go live after planning closes, and the pilot only needs read access to your CRM."),
            ("Our RevOps lead owns the OrbitalOps relationship.", "RevOps is usually our strongest champion, because we take the weekly forecast spreadsheet off their plate. Could we do a 30-minute session with them next week?"),
            ("Is it secure to connect two systems to our CRM?", "Lumora Connect uses OAuth with scoped, read-only access by default, and we're SOC 2 Type II and ISO 27001 certified. Your admin can revoke access with one click."),
        ],
        triggers: &["OrbitalOps", "Orbital Ops", "orbital ops", "Orbital Planner", "OrbitalOps Command", "we already use OrbitalOps", "orbit ops", "orbital"],
        seat_price: 110,
    },
];

pub const ENABLEMENT_TEAM: &[&str] = &["Dana Whitfield", "Marcus Chen", "Priya Nair"];

pub fn generate(g: &mut Gen, now: i64) -> Vec<BattleCard> {
    CARDS
        .iter()
        .map(|c| {
            let created_at = now - g.int(120, 270) * DAY - g.int(0, DAY - 1);
            let updated_at = (now - g.int(2, 60) * DAY - g.int(0, DAY - 1)).max(created_at);
            let list = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
            BattleCard {
                id: g.id(created_at),
                competitor: c.competitor.to_string(),
                summary: c.summary.to_string(),
                our_strengths: list(c.strengths),
                their_weaknesses: list(c.weaknesses),
                pricing_comparison: c.pricing.to_string(),
                key_differentiators: list(c.differentiators),
                objections: c
                    .objections
                    .iter()
                    .map(|(o, r)| ObjectionResponse {
                        objection: o.to_string(),
                        response: r.to_string(),
                    })
                    .collect(),
                trigger_phrases: list(c.triggers),
                updated_by: Some(g.pick(ENABLEMENT_TEAM).to_string()),
                created_at,
                updated_at,
            }
        })
        .collect()
}

/// The card of a competitor, by name.
pub fn spec(name: &str) -> Option<&'static CardSpec> {
    CARDS.iter().find(|c| c.competitor == name)
}
