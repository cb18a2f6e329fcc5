//! Scoring the coach on the labelled snippets of `eval/coaching.json`.
//!
//! Each snippet goes through a fresh [`Coach`] as one final segment of its speaker, so
//! the speaker rule (objections only from the prospect) is part of what is measured.
//! Labels are the objection kinds and the competitors (by battle card name); precision,
//! recall and F1 are counted over all labels (micro) and per kind, with every competitor
//! label under "competitor".

use std::collections::BTreeMap;
use std::sync::Arc;

use closer_types::{Speaker, TranscriptSegment};
use serde::{Deserialize, Serialize};

use crate::coach::{CallContext, Coach, CoachOptions, SuggestionKind};
use crate::error::Result;
use crate::kind::ObjectionKind;
use crate::matcher::Matcher;

/// The evaluation set, as shipped in the crate.
pub const EVAL_SET_JSON: &str = include_str!("../eval/coaching.json");

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct EvalSet {
    pub about: String,
    pub snippets: Vec<Snippet>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Snippet {
    pub id: u32,
    pub speaker: Speaker,
    pub text: String,
    pub objections: Vec<ObjectionKind>,
    pub competitors: Vec<String>,
}

/// Which half a snippet belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Split {
    /// Odd ids: the patterns were tuned looking at these.
    Dev,
    /// Even ids: never looked at while tuning.
    HeldOut,
}

impl Snippet {
    pub fn split(&self) -> Split {
        if self.id % 2 == 1 {
            Split::Dev
        } else {
            Split::HeldOut
        }
    }

    fn labels(&self) -> Vec<String> {
        let mut l: Vec<String> = self
            .objections
            .iter()
            .map(|k| k.as_str().to_string())
            .chain(self.competitors.iter().map(|c| format!("competitor:{c}")))
            .collect();
        l.sort();
        l.dedup();
        l
    }
}

/// Parses an evaluation set.
pub fn parse(json: &str) -> std::result::Result<EvalSet, serde_json::Error> {
    serde_json::from_str(json)
}

/// True positives, false positives, false negatives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub tp: u32,
    pub fp: u32,
    pub fn_: u32,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn ratio(a: u32, b: u32) -> f64 {
    if b == 0 {
        1.0
    } else {
        f64::from(a) / f64::from(b)
    }
}

/// A snippet the coach got wrong.
#[derive(Debug, Clone, Serialize)]
pub struct Miss {
    pub id: u32,
    pub speaker: Speaker,
    pub text: String,
    /// Labels it should have found.
    pub missed: Vec<String>,
    /// Labels it found that are not there.
    pub extra: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub snippets: usize,
    pub micro: Counts,
    /// By kind ("price" ... "contract", "competitor").
    pub per_kind: BTreeMap<String, Counts>,
    pub misses: Vec<Miss>,
}

/// The labels the coach gives `text` said by `speaker` (one segment, fresh call).
pub fn predict(matcher: &Arc<Matcher>, speaker: Speaker, text: &str) -> Result<Vec<String>> {
    let mut coach = Coach::for_call(
        matcher.clone(),
        &CallContext::default(),
        CoachOptions::default(),
    )?;
    let words = u32::try_from(text.split_whitespace().count()).unwrap_or(u32::MAX);
    let update = coach.on_final_segment(&TranscriptSegment {
        speaker,
        start_ms: 0,
        end_ms: words.saturating_mul(350),
        text: text.to_string(),
    });
    let mut labels: Vec<String> = update
        .suggestions
        .iter()
        .map(|s| match &s.kind {
            SuggestionKind::Objection { kind } => kind.as_str().to_string(),
            SuggestionKind::Competitor { name } => format!("competitor:{name}"),
        })
        .collect();
    labels.sort();
    labels.dedup();
    Ok(labels)
}

fn bucket(label: &str) -> String {
    if label.starts_with("competitor:") {
        "competitor".to_string()
    } else {
        label.to_string()
    }
}

/// Scores `snippets`.
pub fn evaluate<'a>(
    matcher: &Arc<Matcher>,
    snippets: impl IntoIterator<Item = &'a Snippet>,
) -> Result<Report> {
    let mut r = Report::default();
    for k in ObjectionKind::ALL {
        r.per_kind.insert(k.as_str().to_string(), Counts::default());
    }
    r.per_kind
        .insert("competitor".to_string(), Counts::default());
    for s in snippets {
        r.snippets += 1;
        let gold = s.labels();
        let got = predict(matcher, s.speaker, &s.text)?;
        let missed: Vec<String> = gold.iter().filter(|l| !got.contains(l)).cloned().collect();
        let extra: Vec<String> = got.iter().filter(|l| !gold.contains(l)).cloned().collect();
        for l in gold.iter().filter(|l| got.contains(l)) {
            r.micro.tp += 1;
            r.per_kind.entry(bucket(l)).or_default().tp += 1;
        }
        for l in &missed {
            r.micro.fn_ += 1;
            r.per_kind.entry(bucket(l)).or_default().fn_ += 1;
        }
        for l in &extra {
            r.micro.fp += 1;
            r.per_kind.entry(bucket(l)).or_default().fp += 1;
        }
        if !missed.is_empty() || !extra.is_empty() {
            r.misses.push(Miss {
                id: s.id,
                speaker: s.speaker,
                text: s.text.clone(),
                missed,
                extra,
            });
        }
    }
    Ok(r)
}
