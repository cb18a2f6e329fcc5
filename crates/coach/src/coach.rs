//! One call's coach: suggestions from each final segment, repeats held back, metrics.

use std::collections::HashMap;
use std::sync::Arc;

use closer_types::{BattleCard, Id, Speaker, TranscriptSegment};
use serde::{Deserialize, Serialize};

use crate::error::{CoachError, Result};
use crate::kind::ObjectionKind;
use crate::matcher::{Detection, Evidence, Matcher, Vocabulary};
use crate::metrics::{Alert, CallMetrics, MetricsOptions, MetricsTracker};

/// How a coach behaves on a call.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CoachOptions {
    /// The same suggestion (kind and card) is not shown again within this time.
    pub repeat_window_ms: u32,
    /// A competitor named this recently still picks the card for an objection.
    pub competitor_context_ms: u32,
    /// Whether segments of an unknown speaker (one microphone, no channel split) may
    /// raise objection cards. Off: only the prospect's words do.
    pub objections_from_unknown_speaker: bool,
    pub metrics: MetricsOptions,
}

impl Default for CoachOptions {
    fn default() -> Self {
        CoachOptions {
            repeat_window_ms: 90_000,
            competitor_context_ms: 10 * 60_000,
            objections_from_unknown_speaker: false,
            metrics: MetricsOptions::default(),
        }
    }
}

/// What is known about the call before it starts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallContext {
    /// The deal's competitors (battle card names): their cards answer objections when
    /// no competitor has been named on the call yet.
    pub deal_competitors: Vec<String>,
}

/// What a suggestion is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SuggestionKind {
    Objection { kind: ObjectionKind },
    Competitor { name: String },
}

/// How the suggestion was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Phrase patterns, trigger phrases and names.
    Lexical,
    /// The optional sentence-vector fallback.
    Semantic,
}

/// A card to show the rep now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub kind: SuggestionKind,
    /// The battle card the response comes from; `None` for a general answer (no card
    /// answers this kind, or no competitor is in play).
    pub card_id: Option<Id>,
    pub competitor: Option<String>,
    /// The card's objection line the response answers, when one does.
    pub objection: Option<String>,
    /// What to say.
    pub response: String,
    /// The words of the segment that raised it.
    pub evidence: Vec<Evidence>,
    /// 0..1.
    pub confidence: f32,
    pub source: Source,
    pub segment_start_ms: u32,
    pub segment_end_ms: u32,
}

/// What one final segment changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CoachUpdate {
    /// New suggestions, most useful first (objections before competitor cards).
    pub suggestions: Vec<Suggestion>,
    /// Alerts raised by this segment.
    pub alerts: Vec<Alert>,
}

/// The coach of one call. Build the [`Matcher`] once per workspace and share it.
#[derive(Debug)]
pub struct Coach {
    matcher: Arc<Matcher>,
    options: CoachOptions,
    deal_cards: Vec<usize>,
    last_competitor: Option<(usize, u32)>,
    shown: HashMap<(SuggestionKind, Option<Id>), u32>,
    metrics: MetricsTracker,
}

impl Coach {
    /// A coach for one call with default options and no deal context, building the
    /// matcher from `cards` (use [`Coach::for_call`] to share a matcher between calls).
    pub fn new(cards: &[BattleCard], vocabulary: &Vocabulary) -> Coach {
        let matcher = Arc::new(Matcher::new(cards, vocabulary));
        Coach {
            deal_cards: Vec::new(),
            matcher,
            options: CoachOptions::default(),
            last_competitor: None,
            shown: HashMap::new(),
            metrics: MetricsTracker::default(),
        }
    }

    /// A coach for one call on a shared matcher.
    pub fn for_call(
        matcher: Arc<Matcher>,
        context: &CallContext,
        options: CoachOptions,
    ) -> Result<Coach> {
        let metrics = MetricsTracker::new(options.metrics)?;
        if options.repeat_window_ms > 24 * 3_600_000 {
            return Err(CoachError::InvalidOption {
                field: "repeat_window_ms",
                reason: "must be at most a day",
            });
        }
        let deal_cards = context
            .deal_competitors
            .iter()
            .filter_map(|name| {
                matcher
                    .cards()
                    .iter()
                    .position(|c| c.competitor.trim().eq_ignore_ascii_case(name.trim()))
            })
            .collect();
        Ok(Coach {
            matcher,
            options,
            deal_cards,
            last_competitor: None,
            shown: HashMap::new(),
            metrics,
        })
    }

    pub fn matcher(&self) -> &Arc<Matcher> {
        &self.matcher
    }

    /// The metrics so far.
    pub fn metrics(&self) -> CallMetrics {
        self.metrics.snapshot()
    }

    /// Takes one final segment: updates the metrics and returns what to show.
    pub fn on_final_segment(&mut self, seg: &TranscriptSegment) -> CoachUpdate {
        let alerts = self.metrics.push(seg);
        let suggestions = self.suggest(seg);
        CoachUpdate {
            suggestions,
            alerts,
        }
    }

    /// Takes the words heard so far of an utterance that has not ended (a transcriber's
    /// partial) and returns the suggestions they already raise, so a card can show while
    /// the prospect is still speaking instead of after the utterance's final is decoded.
    /// The metrics are left to the final. What is shown here counts as shown: the final
    /// of the same utterance does not raise it again (the repeat window).
    pub fn on_partial_segment(&mut self, seg: &TranscriptSegment) -> Vec<Suggestion> {
        self.suggest(seg)
    }

    fn suggest(&mut self, seg: &TranscriptSegment) -> Vec<Suggestion> {
        if seg.text.trim().is_empty() {
            return Vec::new();
        }
        let at = seg.end_ms.max(seg.start_ms);
        let det = self.matcher.detect(&seg.text);
        if let Some(c) = det.competitors.first() {
            self.last_competitor = Some((c.card, at));
        }
        let objections_allowed = match seg.speaker {
            Speaker::Prospect => true,
            Speaker::Unknown => self.options.objections_from_unknown_speaker,
            Speaker::Rep => false,
        };
        let mut out = Vec::new();
        if objections_allowed {
            let mut objs: Vec<_> = det.objections.iter().collect();
            objs.sort_by(|a, b| b.score.total_cmp(&a.score));
            for o in objs {
                let (card, line) = self.choose_line(o.kind, &det, at);
                let s = self.objection_suggestion(
                    seg,
                    o.kind,
                    card,
                    line,
                    &o.evidence,
                    o.score,
                    Source::Lexical,
                );
                out.push(s);
            }
            if det.objections.is_empty() {
                if let Some(hit) = self.matcher.semantic_match(&seg.text) {
                    if let Some(line) = self.matcher.lines().get(hit.line) {
                        if let Some(kind) = line.kinds.first().copied() {
                            let evidence = vec![Evidence {
                                text: seg.text.clone(),
                                start: 0,
                                end: seg.text.len(),
                            }];
                            let s = self.objection_suggestion(
                                seg,
                                kind,
                                Some(line.card),
                                Some(hit.line),
                                &evidence,
                                hit.similarity,
                                Source::Semantic,
                            );
                            out.push(s);
                        }
                    }
                }
            }
        }
        for c in &det.competitors {
            let Some(card) = self.matcher.cards().get(c.card) else {
                continue;
            };
            out.push(Suggestion {
                kind: SuggestionKind::Competitor {
                    name: card.competitor.clone(),
                },
                card_id: Some(card.id.clone()),
                competitor: Some(card.competitor.clone()),
                objection: None,
                response: card.pitch.clone(),
                evidence: vec![c.evidence.clone()],
                confidence: (0.6 + 0.4 * c.score).clamp(0.0, 1.0),
                source: Source::Lexical,
                segment_start_ms: seg.start_ms,
                segment_end_ms: seg.end_ms,
            });
        }
        out.retain(|s| self.fresh(s, at));
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn objection_suggestion(
        &self,
        seg: &TranscriptSegment,
        kind: ObjectionKind,
        card: Option<usize>,
        line: Option<usize>,
        evidence: &[Evidence],
        score: f32,
        source: Source,
    ) -> Suggestion {
        let info = card.and_then(|c| self.matcher.cards().get(c));
        let line = line.and_then(|l| self.matcher.lines().get(l));
        let evidence = if evidence.is_empty() {
            vec![Evidence {
                text: seg.text.clone(),
                start: 0,
                end: seg.text.len(),
            }]
        } else {
            evidence.to_vec()
        };
        let confidence = match source {
            Source::Lexical => (0.5 + score / 3.0).clamp(0.0, 1.0),
            Source::Semantic => score.clamp(0.0, 1.0),
        };
        Suggestion {
            kind: SuggestionKind::Objection { kind },
            card_id: info.map(|c| c.id.clone()),
            competitor: info.map(|c| c.competitor.clone()),
            objection: line.map(|l| l.objection.clone()),
            response: line
                .map(|l| l.response.clone())
                .unwrap_or_else(|| kind.generic_response().to_string()),
            evidence,
            confidence,
            source,
            segment_start_ms: seg.start_ms,
            segment_end_ms: seg.end_ms,
        }
    }

    /// The card line that answers `kind` here: lines of the kind, preferring the card
    /// named in the segment, then one a situational trigger points at, then the
    /// competitor named recently, then the deal's competitors; among those, the line
    /// closest in words to the segment. With no competitor in play at all, a line is
    /// used only when the prospect said it nearly verbatim; otherwise the general answer.
    fn choose_line(
        &self,
        kind: ObjectionKind,
        det: &Detection,
        at: u32,
    ) -> (Option<usize>, Option<usize>) {
        let recent = self
            .last_competitor
            .filter(|(_, t)| at.saturating_sub(*t) <= self.options.competitor_context_ms)
            .map(|(c, _)| c);
        let preference = |card: usize| -> f32 {
            if det.competitors.iter().any(|c| c.card == card) {
                1.0
            } else if det.context_cards.contains(&card) {
                0.8
            } else if recent == Some(card) {
                0.6
            } else if self.deal_cards.contains(&card) {
                0.4
            } else {
                0.0
            }
        };
        let mut best: Option<(f32, usize)> = None;
        for (i, line) in self.matcher.lines().iter().enumerate() {
            if !line.kinds.contains(&kind) {
                continue;
            }
            let sim = self.matcher.line_similarity(line, &det.content);
            let pref = preference(line.card);
            if pref == 0.0 && sim < 0.6 {
                continue;
            }
            // The first kind of a line is what it is mostly about.
            let primary = if line.kinds.first() == Some(&kind) {
                0.1
            } else {
                0.0
            };
            let score = pref + sim + primary;
            if best.is_none_or(|(b, _)| score > b) {
                best = Some((score, i));
            }
        }
        match best {
            Some((_, i)) => (self.matcher.lines().get(i).map(|l| l.card), Some(i)),
            None => (None, None),
        }
    }

    /// Whether `s` was not shown within the repeat window; records it when shown.
    fn fresh(&mut self, s: &Suggestion, at: u32) -> bool {
        let key = (s.kind.clone(), s.card_id.clone());
        if let Some(t) = self.shown.get(&key) {
            if at.saturating_sub(*t) < self.options.repeat_window_ms {
                return false;
            }
        }
        self.shown.insert(key, at);
        true
    }
}
