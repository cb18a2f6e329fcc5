use serde::{Deserialize, Serialize};
use specta::Type;
use specta_typescript::Number;

use crate::{enum_text, FieldError, Id, Millis};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type, Default)]
#[serde(rename_all = "snake_case")]
pub enum ContentKind {
    CaseStudy,
    Deck,
    OnePager,
    PricingSheet,
    RoiCalculator,
    EmailTemplate,
    Whitepaper,
    Video,
    Battlecard,
    #[default]
    Other,
}
enum_text!(ContentKind {
    CaseStudy => "case_study", Deck => "deck", OnePager => "one_pager", PricingSheet => "pricing_sheet",
    RoiCalculator => "roi_calculator", EmailTemplate => "email_template", Whitepaper => "whitepaper",
    Video => "video", Battlecard => "battlecard", Other => "other"
});

/// How a piece of content has been used, and how the deals it was used in ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type, Default)]
pub struct ContentStats {
    pub views: u32,
    pub uses: u32,
    pub deals_influenced: u32,
    pub deals_won: u32,
    #[specta(type = Option<Number>)]
    pub last_used_at: Option<Millis>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ContentItem {
    pub id: Id,
    pub title: String,
    pub kind: ContentKind,
    pub industries: Vec<String>,
    pub personas: Vec<String>,
    pub topics: Vec<String>,
    pub body: String,
    pub source_path: Option<String>,
    pub stats: ContentStats,
    #[specta(type = Number)]
    pub created_at: Millis,
    #[specta(type = Number)]
    pub updated_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type, Default)]
pub struct ContentDraft {
    pub title: String,
    pub kind: ContentKind,
    pub industries: Vec<String>,
    pub personas: Vec<String>,
    pub topics: Vec<String>,
    pub body: String,
    pub source_path: Option<String>,
}

impl ContentDraft {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        if self.title.trim().is_empty() {
            return Err(vec![FieldError::new("title", "a title is required")]);
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ContentSummary {
    pub id: Id,
    pub title: String,
    pub kind: ContentKind,
    pub industries: Vec<String>,
    pub personas: Vec<String>,
    pub stats: ContentStats,
    #[specta(type = Number)]
    pub updated_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type, Default)]
pub struct ContentQuery {
    pub kind: Option<ContentKind>,
    pub industry: Option<String>,
    pub persona: Option<String>,
    pub offset: u32,
    pub limit: u32,
}
