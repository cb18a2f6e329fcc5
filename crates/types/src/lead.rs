use serde::{Deserialize, Serialize};
use specta::Type;
use specta_typescript::Number;

use crate::{enum_text, FieldError, Id, Millis, SortDir};

/// Where a lead is in the funnel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type, Default)]
#[serde(rename_all = "snake_case")]
pub enum LeadStatus {
    #[default]
    New,
    Contacted,
    Qualified,
    Proposal,
    Won,
    Lost,
}
enum_text!(LeadStatus { New => "new", Contacted => "contacted", Qualified => "qualified", Proposal => "proposal", Won => "won", Lost => "lost" });

/// A person at the lead's company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type, Default)]
pub struct Contact {
    pub name: String,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// BANT breakdown of a lead score, each 0-100 (seed 001: `{budget, authority, need, timeline}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type, Default)]
pub struct ScoreBreakdown {
    pub budget: u8,
    pub authority: u8,
    pub need: u8,
    pub timeline: u8,
}

/// A lead's score, 0-100, with its breakdown and when it was computed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct LeadScore {
    pub score: u8,
    pub breakdown: ScoreBreakdown,
    pub rationale: Option<String>,
    #[specta(type = Number)]
    pub scored_at: Millis,
}

/// A company we may sell to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Lead {
    pub id: Id,
    pub company: String,
    pub domain: Option<String>,
    pub industry: Option<String>,
    #[specta(type = Option<Number>)]
    pub employee_count: Option<i64>,
    pub contacts: Vec<Contact>,
    pub source: Option<String>,
    pub status: LeadStatus,
    pub owner: Option<String>,
    pub score: Option<LeadScore>,
    #[specta(type = Number)]
    pub created_at: Millis,
    #[specta(type = Number)]
    pub updated_at: Millis,
}

/// The fields of a lead a user edits (create and update take the same shape).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type, Default)]
pub struct LeadDraft {
    pub company: String,
    pub domain: Option<String>,
    pub industry: Option<String>,
    #[specta(type = Option<Number>)]
    pub employee_count: Option<i64>,
    pub contacts: Vec<Contact>,
    pub source: Option<String>,
    pub status: LeadStatus,
    pub owner: Option<String>,
}

impl LeadDraft {
    pub fn named(company: &str) -> Self {
        LeadDraft {
            company: company.to_string(),
            ..Default::default()
        }
    }

    /// Checks what a user could have typed wrong; every problem is reported, in field order.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errs = Vec::new();
        if self.company.trim().is_empty() {
            errs.push(FieldError::new("company", "a company name is required"));
        } else if self.company.chars().count() > 300 {
            errs.push(FieldError::new("company", "at most 300 characters"));
        }
        if let Some(d) = &self.domain {
            let d = d.trim();
            if !d.is_empty() && (d.contains(char::is_whitespace) || !d.contains('.')) {
                errs.push(FieldError::new(
                    "domain",
                    format!("'{d}' is not a domain like acme.com"),
                ));
            }
        }
        if let Some(n) = self.employee_count {
            if n < 0 {
                errs.push(FieldError::new("employee_count", "cannot be negative"));
            }
        }
        for (i, c) in self.contacts.iter().enumerate() {
            if let Some(e) = &c.email {
                let e = e.trim();
                if !e.is_empty() && !looks_like_email(e) {
                    errs.push(FieldError::new(
                        &format!("contacts[{i}].email"),
                        format!("'{e}' is not an email address"),
                    ));
                }
            }
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(errs)
        }
    }
}

/// A loose check: one `@`, something before it, a dot after it, no spaces.
pub fn looks_like_email(s: &str) -> bool {
    let mut parts = s.split('@');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(local), Some(domain), None) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.contains(char::is_whitespace)
        }
        _ => false,
    }
}

/// A lead as a list row: enough to show and sort, no contacts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct LeadSummary {
    pub id: Id,
    pub company: String,
    pub industry: Option<String>,
    #[specta(type = Option<Number>)]
    pub employee_count: Option<i64>,
    pub status: LeadStatus,
    pub owner: Option<String>,
    pub score: Option<u8>,
    pub primary_contact: Option<String>,
    #[specta(type = Number)]
    pub updated_at: Millis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type, Default)]
#[serde(rename_all = "snake_case")]
pub enum LeadSort {
    #[default]
    UpdatedAt,
    Company,
    Score,
}

/// What the leads list asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type, Default)]
pub struct LeadQuery {
    /// Filters by company, domain or contact (prefix match, any word).
    pub text: Option<String>,
    pub status: Option<LeadStatus>,
    pub sort: LeadSort,
    pub dir: SortDir,
    pub offset: u32,
    pub limit: u32,
}
