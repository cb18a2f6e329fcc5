//! Closer's domain model: the nouns a rep works with (leads, deals, battle cards,
//! content, proposals, calls, activities) and the small value types around them.
//!
//! Every type here is plain data: `serde` for storage and IPC, `specta::Type` so the
//! UI gets the same shapes as TypeScript. This crate knows nothing about SQLite,
//! Tauri, the network or the file system; it only holds shapes and the few pure
//! rules that belong to them (validation of a draft, labels of an enum).
//!
//! Conventions:
//! - ids are UUIDv7 strings ([`new_id`]): unique, and sortable by creation time;
//! - timestamps are milliseconds since the Unix epoch (`i64`, exported as `number`);
//! - money is in whole cents (`amount_cents`), never floating point.

mod activity;
mod battle_card;
mod call;
mod content;
mod deal;
mod import;
mod lead;
mod proposal;
mod search;
mod settings;

pub use activity::*;
pub use battle_card::*;
pub use call::*;
pub use content::*;
pub use deal::*;
pub use import::*;
pub use lead::*;
pub use proposal::*;
pub use search::*;
pub use settings::*;
mod ai;
pub use ai::*;
mod ai_usage;
pub use ai_usage::*;
mod ai_ops;
pub use ai_ops::*;
mod audio;
mod audit;
pub use audio::*;
pub use audit::*;
mod vocabulary;
pub use vocabulary::*;
mod speech;
pub use speech::*;
mod live_call;
pub use live_call::*;
mod team;
pub use team::*;

use serde::{Deserialize, Serialize};
use specta::Type;

/// A row id: a UUIDv7 in its hyphenated text form.
pub type Id = String;

/// Milliseconds since the Unix epoch.
pub type Millis = i64;

/// A new sortable id (UUIDv7).
pub fn new_id() -> Id {
    uuid::Uuid::now_v7().to_string()
}

/// `$123,456` from cents: whole dollars with thousands separators (cents dropped), as deal
/// amounts are shown in lists and the demo's texts.
pub fn whole_dollars(cents: i64) -> String {
    let whole = cents / 100;
    let digits = whole.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 2);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if whole < 0 {
        format!("-${out}")
    } else {
        format!("${out}")
    }
}

/// The current time in milliseconds since the Unix epoch.
pub fn now_millis() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// One page of a list, with the total the filter matches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u32,
    pub offset: u32,
    pub limit: u32,
}

/// Which way a list is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type, Default)]
#[serde(rename_all = "snake_case")]
pub enum SortDir {
    Asc,
    #[default]
    Desc,
}

/// A validation problem in a draft the user typed: which field, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct FieldError {
    pub field: String,
    pub reason: String,
}

impl FieldError {
    pub fn new(field: &str, reason: impl Into<String>) -> Self {
        FieldError {
            field: field.to_string(),
            reason: reason.into(),
        }
    }
}

/// A string enum that round-trips through its snake_case name (used by the store
/// to keep enums as readable TEXT columns).
pub trait EnumText: Sized + Copy + 'static {
    const ALL: &'static [Self];
    fn as_str(self) -> &'static str;
    fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == s)
    }
}

macro_rules! enum_text {
    ($ty:ty { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $crate::EnumText for $ty {
            const ALL: &'static [Self] = &[$(<$ty>::$variant),+];
            fn as_str(self) -> &'static str {
                match self { $(<$ty>::$variant => $text),+ }
            }
        }
    };
}
pub(crate) use enum_text;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_dollars_group_thousands_and_drop_cents() {
        assert_eq!(whole_dollars(123_456_789), "$1,234,567");
        assert_eq!(whole_dollars(9_900), "$99");
        assert_eq!(whole_dollars(0), "$0");
        assert_eq!(whole_dollars(-10_000_000), "-$100,000");
    }

    #[test]
    fn ids_sort_by_creation_time() {
        let a = new_id();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = new_id();
        assert!(a < b, "{a} should sort before {b}");
    }

    #[test]
    fn enum_text_round_trips_and_matches_serde() {
        for s in LeadStatus::ALL {
            assert_eq!(LeadStatus::parse(s.as_str()), Some(*s));
            let json = serde_json::to_string(s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
        }
        for s in DealStage::ALL {
            let json = serde_json::to_string(s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
        }
        for s in ContentKind::ALL {
            let json = serde_json::to_string(s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
        }
        for s in ProposalStatus::ALL {
            let json = serde_json::to_string(s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
        }
        for s in ActivityKind::ALL {
            let json = serde_json::to_string(s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
        }
    }

    #[test]
    fn lead_draft_validation_names_the_field() {
        let mut d = LeadDraft::named("Acme");
        assert!(d.validate().is_ok());
        d.company = "  ".into();
        d.employee_count = Some(-3);
        d.contacts.push(Contact {
            name: "Ann".into(),
            title: None,
            email: Some("not-an-email".into()),
            phone: None,
        });
        let errs = d.validate().unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["company", "employee_count", "contacts[0].email"]);
    }
}
