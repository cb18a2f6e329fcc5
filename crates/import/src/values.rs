//! Cell values to lead values: statuses, employee counts, domains, company keys.

use closer_types::LeadStatus;

/// Lower-case ASCII letters and digits only: `"No. of Employees"` -> `"noofemployees"`,
/// `"IN_PROGRESS"` -> `"inprogress"`, `"Open - Not Contacted"` -> `"opennotcontacted"`.
pub(crate) fn squash(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A Salesforce or HubSpot lead status (label or internal value) as a Closer status.
/// `None` when the value is not one we know.
pub(crate) fn lead_status(value: &str) -> Option<LeadStatus> {
    Some(match squash(value).as_str() {
        // Salesforce standard lead statuses, and plain words.
        "opennotcontacted" | "new" | "open" | "notcontacted" => LeadStatus::New,
        "workingcontacted" | "working" | "contacted" | "nurturing" => LeadStatus::Contacted,
        // Converted in Salesforce means the lead became an account/opportunity, not a customer.
        "qualified" | "closedconverted" | "converted" => LeadStatus::Qualified,
        "closednotconverted" | "unqualified" | "disqualified" | "lost" | "closedlost" => {
            LeadStatus::Lost
        }
        "proposal" => LeadStatus::Proposal,
        "won" | "closedwon" => LeadStatus::Won,
        // HubSpot lead statuses (NEW and OPEN are covered above).
        "inprogress" | "attemptedtocontact" | "connected" => LeadStatus::Contacted,
        "opendeal" => LeadStatus::Proposal,
        "badtiming" => LeadStatus::Lost,
        _ => return None,
    })
}

/// A HubSpot lifecycle stage (label or internal value) as a Closer status.
pub(crate) fn lifecycle_stage(value: &str) -> Option<LeadStatus> {
    Some(match squash(value).as_str() {
        "subscriber" | "lead" | "marketingqualifiedlead" | "mql" | "other" => LeadStatus::New,
        "salesqualifiedlead" | "sql" => LeadStatus::Qualified,
        "opportunity" => LeadStatus::Proposal,
        "customer" | "evangelist" => LeadStatus::Won,
        _ => return None,
    })
}

/// An employee count as exports write it.
///
/// Accepted: `"1200"`, `"1,200"`, `"1 200"`, `"1.200"` (thousands separators), `"1200.0"`,
/// `"10,001+"` (the number itself) and ranges `"51-200"`, `"51 – 200"`, `"51 to 200"`, whose
/// value is the **midpoint rounded down** (`51-200` -> 125): a range is an estimate and the
/// midpoint is the least wrong single number. Empty -> `Ok(None)`. Anything else is an error
/// whose text is a sentence.
pub(crate) fn employee_count(raw: &str) -> Result<Option<i64>, String> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let bad = || {
        format!(
            "\"{}\" is not a number of employees; write 1200, 1,200 or a range like 51-200.",
            clip(s)
        )
    };
    let lower = s.to_ascii_lowercase();
    for sep in [" to ", "–", "—", "-"] {
        if let Some((a, b)) = lower.split_once(sep) {
            if a.trim().is_empty() {
                // "-5": a negative number, not a range.
                return Err(bad());
            }
            let lo = whole_number(a).ok_or_else(bad)?;
            let hi = whole_number(b).ok_or_else(bad)?;
            if hi < lo {
                return Err(bad());
            }
            return Ok(Some(lo + (hi - lo) / 2));
        }
    }
    let s = s.strip_suffix('+').unwrap_or(s);
    whole_number(s).map(Some).ok_or_else(bad)
}

/// A non-negative whole number with optional thousands separators.
fn whole_number(s: &str) -> Option<i64> {
    let s = s.trim();
    let s = s.strip_suffix('+').unwrap_or(s).trim();
    if s.is_empty() {
        return None;
    }
    let cleaned: String = s
        .chars()
        .filter(|c| !matches!(c, ',' | ' ' | '\u{a0}' | '\u{202f}' | '\''))
        .collect();
    let digits = if let Some((int, frac)) = cleaned.split_once('.') {
        if !frac.is_empty() && frac.chars().all(|c| c == '0') {
            // "1200.0" from a spreadsheet number format.
            int.to_string()
        } else if is_dot_grouped(&cleaned) {
            // "1.200": European thousands separator.
            cleaned.replace('.', "")
        } else {
            return None;
        }
    } else {
        cleaned
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse::<i64>().ok()
}

/// `1.200` or `12.345.678`: groups of exactly three digits after each dot.
fn is_dot_grouped(s: &str) -> bool {
    let mut parts = s.split('.');
    let first_ok = parts
        .next()
        .is_some_and(|p| (1..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit()));
    first_ok && parts.all(|p| p.len() == 3 && p.chars().all(|c| c.is_ascii_digit()))
}

/// A website or URL as a bare domain: `"https://www.Acme.com/about?x=1"` -> `"acme.com"`.
/// `None` when nothing is left.
pub(crate) fn domain(raw: &str) -> Option<String> {
    let mut s = raw.trim();
    if let Some(i) = s.find("://") {
        s = &s[i + 3..];
    }
    if let Some(i) = s.find(['/', '?', '#']) {
        s = &s[..i];
    }
    if let Some(i) = s.rfind('@') {
        s = &s[i + 1..];
    }
    if let Some(i) = s.find(':') {
        s = &s[..i];
    }
    let mut d = s.trim().trim_end_matches('.').to_lowercase();
    if let Some(rest) = d.strip_prefix("www.") {
        d = rest.to_string();
    }
    if d.is_empty() {
        None
    } else {
        Some(d)
    }
}

/// The key rows of one company merge on: letters and digits only, case-folded, so
/// `"ACME Corp."`, `"Acme Corp"` and `" acme  corp "` are one company.
pub(crate) fn company_key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// At most 60 characters of a cell, for messages.
pub(crate) fn clip(s: &str) -> String {
    if s.chars().count() > 60 {
        let mut out: String = s.chars().take(57).collect();
        out.push_str("...");
        out
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn employee_counts() {
        let ok: &[(&str, Option<i64>)] = &[
            ("", None),
            ("  ", None),
            ("1200", Some(1200)),
            ("1,200", Some(1200)),
            ("1 200", Some(1200)),
            ("1.200", Some(1200)),
            ("12.345.678", Some(12_345_678)),
            ("1200.0", Some(1200)),
            ("10,001+", Some(10_001)),
            ("1000+", Some(1000)),
            ("51-200", Some(125)),
            ("51 - 200", Some(125)),
            ("51–200", Some(125)),
            ("1,001-5,000", Some(3000)),
            ("10 to 20", Some(15)),
            ("0", Some(0)),
        ];
        for (raw, want) in ok {
            assert_eq!(employee_count(raw), Ok(*want), "{raw:?}");
        }
        for raw in [
            "lots", "12abc", "-5", "1.5", "200-51", "1-", "abc-def", "1.2k", "--",
        ] {
            let err = employee_count(raw).err();
            assert!(err.is_some(), "{raw:?} should be rejected");
        }
    }

    #[test]
    fn domains() {
        let cases = [
            ("https://www.Acme.com/about?x=1", Some("acme.com")),
            ("http://acme.io", Some("acme.io")),
            ("www.acme.de/", Some("acme.de")),
            ("acme.co.uk", Some("acme.co.uk")),
            ("acme.com:8080/x", Some("acme.com")),
            ("  ", None),
            ("https://", None),
        ];
        for (raw, want) in cases {
            assert_eq!(domain(raw).as_deref(), want, "{raw:?}");
        }
    }

    #[test]
    fn statuses() {
        let cases = [
            ("Open - Not Contacted", Some(LeadStatus::New)),
            ("Working - Contacted", Some(LeadStatus::Contacted)),
            ("Qualified", Some(LeadStatus::Qualified)),
            ("Closed - Converted", Some(LeadStatus::Qualified)),
            ("Closed - Not Converted", Some(LeadStatus::Lost)),
            ("Unqualified", Some(LeadStatus::Lost)),
            ("NEW", Some(LeadStatus::New)),
            ("OPEN", Some(LeadStatus::New)),
            ("IN_PROGRESS", Some(LeadStatus::Contacted)),
            ("In Progress", Some(LeadStatus::Contacted)),
            ("ATTEMPTED_TO_CONTACT", Some(LeadStatus::Contacted)),
            ("CONNECTED", Some(LeadStatus::Contacted)),
            ("OPEN_DEAL", Some(LeadStatus::Proposal)),
            ("UNQUALIFIED", Some(LeadStatus::Lost)),
            ("BAD_TIMING", Some(LeadStatus::Lost)),
            ("Something custom", None),
        ];
        for (raw, want) in cases {
            assert_eq!(lead_status(raw), want, "{raw:?}");
        }
        let stages = [
            ("subscriber", Some(LeadStatus::New)),
            ("Marketing Qualified Lead", Some(LeadStatus::New)),
            ("salesqualifiedlead", Some(LeadStatus::Qualified)),
            ("Opportunity", Some(LeadStatus::Proposal)),
            ("customer", Some(LeadStatus::Won)),
            ("evangelist", Some(LeadStatus::Won)),
            ("whatever", None),
        ];
        for (raw, want) in stages {
            assert_eq!(lifecycle_stage(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn company_keys() {
        assert_eq!(company_key("ACME Corp."), company_key(" acme  corp "));
        assert_ne!(company_key("Acme"), company_key("Acme Corp"));
    }
}
