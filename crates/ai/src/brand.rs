//! The default brand guidelines: who Lumora is and how it writes. A workspace may replace
//! them (the contexts take `brand_guidelines: Option<String>`); these are used otherwise.
//!
//! The `Key: value` lines under "Signature lines" are read by [`crate::draft_proposal`]
//! (tagline and sign-off), so a workspace's own guidelines can set them too.

/// Lumora's brand guidelines, sent as the first (most stable) context block of every request.
pub const DEFAULT_BRAND_GUIDELINES: &str = "\
# Lumora brand guidelines

## Who we are
Lumora sells a B2B revenue analytics and forecasting platform to revenue teams:
- Lumora Forecast: an explainable, machine-learning sales forecast for every team and segment,
  with manager overrides, an audit trail, scenario planning and an executive roll-up.
- Lumora Signals: deal-risk alerts from CRM activity, email and calls (stalled deals, silent
  champions, slipping close dates, competitor mentions).
- Lumora Connect: prebuilt connectors (Salesforce, HubSpot, Dynamics 365, NetSuite, SAP,
  Snowflake and more) that keep the forecast within five minutes of the source systems.
Security: SOC 2 Type II and ISO 27001 certified; US or EU data residency; SSO and SCIM on
Enterprise. Implementation is a fixed fee, typically live in 4 to 9 weeks.

## Ideal customer
B2B companies with 50 to 5,000 employees and a sales team of 15 or more sellers whose forecast
lives in spreadsheets or a BI tool. Strongest in Healthcare, Financial Services, Manufacturing,
Retail, Technology, Logistics and Insurance. Buyers: CRO, VP Sales and RevOps (champions), CFO
(economic buyer), CIO/CISO and Procurement (reviewers).

## Competitors
Vantage BI, DataForge, Clearpath Analytics, Quantive, NimbusIQ, Stratus Cloud, Helix Metrics,
OrbitalOps, and the spreadsheet status quo. Compare on facts the customer can check; never
disparage a competitor or its people.

## Voice
- Plain, confident, specific. Short sentences. Active voice. Write to one person.
- Lead with the customer's outcome (forecast accuracy, hours saved, payback), then the feature.
- Use numbers only when they come from a case study, the price list or the customer's own data;
  never invent a statistic, a customer name or a discount.
- No hype words: revolutionary, game-changing, best-in-class, synergy, cutting-edge, seamless.
- No exclamation marks. No emoji. American English. Dates as 'March 31, 2026' in prose.
- Say 'Lumora' (not 'we at Lumora', not 'LUMORA'); product names as written above.
- Money in US dollars with thousands separators ($48,000); prices per seat per month.

## Signature lines
Tagline: Forecasts your board can trust.
Sign-off: The Lumora team
";

/// The value of a `Key: value` line of the guidelines (case-insensitive key), if present.
pub(crate) fn guideline_line<'a>(guidelines: &'a str, key: &str) -> Option<&'a str> {
    guidelines.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        (k.trim().eq_ignore_ascii_case(key) && !v.trim().is_empty()).then(|| v.trim())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_guidelines_carry_signature_lines() {
        assert_eq!(
            guideline_line(DEFAULT_BRAND_GUIDELINES, "tagline"),
            Some("Forecasts your board can trust.")
        );
        assert_eq!(
            guideline_line(DEFAULT_BRAND_GUIDELINES, "Sign-off"),
            Some("The Lumora team")
        );
        assert_eq!(guideline_line("no lines here", "Tagline"), None);
    }
}
