//! The lexical matcher: built once from the battle cards, then asked about each segment.

use std::collections::HashSet;

use closer_types::{BattleCard, Id};
use serde::{Deserialize, Serialize};

use crate::competitor::{NameHit, NameIndex};
use crate::kind::ObjectionKind;
use crate::patterns::{self, ANTI, ANTI_REACH, MEDIUM, STRONG, THRESHOLD};
use crate::phrase::{Lexicon, PhraseSet, UNKNOWN};
use crate::semantic::SemanticIndex;
use crate::text::{Normalizer, Token};

/// Words a trigger phrase holds when it describes a situation ("we already use X",
/// "build it ourselves") rather than naming the competitor.
const SITUATION_WORDS: &[&str] = &[
    "we",
    "our",
    "us",
    "i",
    "it",
    "already",
    "use",
    "using",
    "ourselves",
    "they",
    "them",
    "is",
    "are",
    "build",
    "have",
];

/// Words a segment must share with a battle card's objection line, as a share of the
/// line's own content words, for the line to count as heard (strongly, medium).
const LINE_STRONG: f32 = 0.8;
const LINE_MEDIUM: f32 = 0.6;
/// Lines with fewer content words are too short to be recognised on their own.
const LINE_MIN_WORDS: usize = 3;

/// Extra words from the workspace: names the cards do not spell out, words never to be
/// taken for a competitor, phrases of our own per objection kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Vocabulary {
    /// `(competitor, alias)`: another way the competitor is said ("VBI", a product name).
    pub aliases: Vec<(String, String)>,
    /// Words that must never be heard as a competitor (our own product names, people).
    pub protected: Vec<String>,
    /// `(kind, pattern, weight)`: extra cues, in the syntax of [`crate::patterns`].
    pub phrases: Vec<(ObjectionKind, String, f32)>,
}

/// Words of the segment that made a detection, as byte offsets into its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// An objection kind raised by a segment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DetectedObjection {
    pub kind: ObjectionKind,
    /// Sum of the cues' weights (at least [`patterns::THRESHOLD`]).
    pub score: f32,
    pub evidence: Vec<Evidence>,
}

/// A competitor named in a segment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DetectedCompetitor {
    /// Index into [`Matcher::cards`].
    pub card: usize,
    pub name: String,
    pub evidence: Evidence,
    /// 1.0 exact, lower when heard at an edit distance.
    pub score: f32,
}

/// What the matcher found in one segment (speaker not considered).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Detection {
    pub objections: Vec<DetectedObjection>,
    pub competitors: Vec<DetectedCompetitor>,
    /// Cards brought up by a situational trigger phrase ("build it ourselves").
    pub context_cards: Vec<usize>,
    /// Content words of the segment (interned, sorted), for choosing a card's line.
    #[serde(skip)]
    pub(crate) content: Vec<u32>,
}

impl Detection {
    pub fn has(&self, kind: ObjectionKind) -> bool {
        self.objections.iter().any(|o| o.kind == kind)
    }
}

/// The parts of a battle card the coach shows.
#[derive(Debug, Clone, PartialEq)]
pub struct CardInfo {
    pub id: Id,
    pub competitor: String,
    pub summary: String,
    /// The line to say when the competitor comes up.
    pub pitch: String,
}

/// One objection line of a battle card and its answer.
#[derive(Debug, Clone, PartialEq)]
pub struct CardLine {
    pub card: usize,
    pub objection: String,
    pub response: String,
    /// The kinds the line is about (classified with the same cues).
    pub kinds: Vec<ObjectionKind>,
    /// Whether the kinds were recognised with confidence (only then does hearing the
    /// line raise them).
    pub confident: bool,
    pub(crate) content: Vec<u32>,
}

#[derive(Debug, Clone, Copy)]
struct Cue {
    kind: ObjectionKind,
    weight: f32,
}

/// Built once per set of battle cards; `Send + Sync`, share it behind an `Arc`.
#[derive(Debug)]
pub struct Matcher {
    norm: Normalizer,
    lex: Lexicon,
    cues: PhraseSet<Cue>,
    anti: PhraseSet<Option<ObjectionKind>>,
    situations: PhraseSet<usize>,
    names: NameIndex,
    negators: HashSet<u32>,
    negation_skip: HashSet<u32>,
    stop: HashSet<u32>,
    cards: Vec<CardInfo>,
    lines: Vec<CardLine>,
    pub(crate) semantic: Option<SemanticIndex>,
}

impl Matcher {
    /// Builds the matcher from the workspace's battle cards and vocabulary.
    pub fn new(cards: &[BattleCard], vocabulary: &Vocabulary) -> Matcher {
        let norm = Normalizer::new();
        let mut lex = Lexicon::default();
        let negators: HashSet<u32> = patterns::NEGATORS.iter().map(|w| lex.intern(w)).collect();
        let droppable: HashSet<u32> = patterns::DROPPABLE.iter().map(|w| lex.intern(w)).collect();
        let negation_skip = patterns::NEGATION_SKIP
            .iter()
            .map(|w| lex.intern(w))
            .collect();

        let mut cues = PhraseSet::new(true);
        let weaker = |c: &Cue| Cue {
            kind: c.kind,
            weight: c.weight * 0.9,
        };
        for kind in ObjectionKind::ALL {
            for (p, weight) in patterns::cues(kind) {
                let cue = Cue {
                    kind,
                    weight: *weight,
                };
                cues.add_pattern(&norm, &mut lex, p, cue, Some(&weaker), &droppable);
            }
        }
        for (kind, p, weight) in &vocabulary.phrases {
            let cue = Cue {
                kind: *kind,
                weight: weight.clamp(0.0, STRONG),
            };
            cues.add_pattern(&norm, &mut lex, p, cue, Some(&weaker), &droppable);
        }
        let mut anti = PhraseSet::new(true);
        for (kind, p) in ANTI {
            anti.add_pattern(&norm, &mut lex, p, *kind, None, &droppable);
        }
        let stop = patterns::STOPWORDS
            .iter()
            .flat_map(|w| norm.stems(w))
            .map(|s| lex.intern(&s))
            .collect();

        let mut names = NameIndex::new(&vocabulary.protected);
        let mut situations = PhraseSet::new(true);
        let mut infos = Vec::with_capacity(cards.len());
        for (ci, card) in cards.iter().enumerate() {
            names.add(ci, &card.competitor);
            for t in &card.trigger_phrases {
                let toks = norm.tokens(t);
                if toks
                    .iter()
                    .any(|t| SITUATION_WORDS.contains(&t.word.as_str()))
                {
                    situations.add_stems(
                        &mut lex,
                        &toks.into_iter().map(|t| t.stem).collect::<Vec<_>>(),
                        ci,
                    );
                } else {
                    names.add(ci, t);
                }
            }
            for (competitor, alias) in &vocabulary.aliases {
                if competitor
                    .trim()
                    .eq_ignore_ascii_case(card.competitor.trim())
                {
                    names.add(ci, alias);
                }
            }
            let pitch = card
                .key_differentiators
                .first()
                .or(card.our_strengths.first())
                .cloned()
                .unwrap_or_else(|| card.summary.clone());
            infos.push(CardInfo {
                id: card.id.clone(),
                competitor: card.competitor.clone(),
                summary: card.summary.clone(),
                pitch,
            });
        }

        let mut m = Matcher {
            norm,
            lex,
            cues,
            anti,
            situations,
            names,
            negators,
            negation_skip,
            stop,
            cards: infos,
            lines: Vec::new(),
            semantic: None,
        };
        // Each objection line is classified with the cues themselves (names and their
        // bonus included), and its content words are kept for recognising the line when
        // a prospect says it nearly verbatim.
        let mut lines = Vec::new();
        for (ci, card) in cards.iter().enumerate() {
            for o in &card.objections {
                if o.objection.trim().is_empty() || o.response.trim().is_empty() {
                    continue;
                }
                let toks = m.norm.tokens(&o.objection);
                let ids: Vec<u32> = toks.iter().map(|t| m.lex.intern(&t.stem)).collect();
                let content = m.content(&ids);
                let (scores, _) = m.kind_scores(&toks, &ids, &[], false);
                let mut kinds: Vec<ObjectionKind> = ObjectionKind::ALL
                    .into_iter()
                    .filter(|k| scores[k.index()] >= THRESHOLD)
                    .collect();
                kinds.sort_by(|a, b| scores[b.index()].total_cmp(&scores[a.index()]));
                let confident = !kinds.is_empty();
                if kinds.is_empty() {
                    // Not sure enough to recognise the kind from this line, but a card's
                    // objection line is some objection: its likeliest kind still lets the
                    // line answer an objection of that kind detected otherwise.
                    let best = ObjectionKind::ALL
                        .into_iter()
                        .max_by(|a, b| scores[a.index()].total_cmp(&scores[b.index()]));
                    if let Some(k) = best.filter(|k| scores[k.index()] >= MEDIUM) {
                        kinds.push(k);
                    }
                }
                lines.push(CardLine {
                    card: ci,
                    objection: o.objection.clone(),
                    response: o.response.clone(),
                    kinds,
                    confident,
                    content,
                });
            }
        }
        m.lines = lines;
        m
    }

    /// The cards, in the order given to [`Matcher::new`].
    pub fn cards(&self) -> &[CardInfo] {
        &self.cards
    }

    /// Every objection line of every card.
    pub fn lines(&self) -> &[CardLine] {
        &self.lines
    }

    /// The normaliser (tokens as the matcher sees them).
    pub fn normalizer(&self) -> &Normalizer {
        &self.norm
    }

    /// Objections and competitors in `text`, whoever said it.
    pub fn detect(&self, text: &str) -> Detection {
        let toks = self.norm.tokens(text);
        let ids = self.ids(&toks);
        let content = self.content(&ids);
        let (scores, spans, hits) = self.kind_scores_named(&toks, &ids, &content, true);
        let competitors: Vec<DetectedCompetitor> = hits
            .iter()
            .filter_map(|h| {
                let card = self.cards.get(h.card)?;
                Some(DetectedCompetitor {
                    card: h.card,
                    name: card.competitor.clone(),
                    evidence: evidence(text, &toks, h.start, h.end),
                    score: h.score,
                })
            })
            .collect();
        let mut context_cards: Vec<usize> = self
            .situations
            .find(&ids)
            .into_iter()
            .map(|h| *h.value)
            .collect();
        context_cards.sort_unstable();
        context_cards.dedup();
        let objections = ObjectionKind::ALL
            .into_iter()
            .filter(|k| scores[k.index()] >= THRESHOLD)
            .map(|k| {
                let mut sp = spans[k.index()].clone();
                sp.sort_unstable();
                sp.dedup();
                DetectedObjection {
                    kind: k,
                    score: scores[k.index()],
                    evidence: merge_spans(&sp)
                        .into_iter()
                        .map(|(s, e)| evidence(text, &toks, s, e))
                        .collect(),
                }
            })
            .collect();
        Detection {
            objections,
            competitors,
            context_cards,
            content,
        }
    }

    #[allow(clippy::type_complexity)]
    fn kind_scores(
        &self,
        toks: &[Token],
        ids: &[u32],
        content: &[u32],
        use_lines: bool,
    ) -> ([f32; 7], [Vec<(usize, usize)>; 7]) {
        let (scores, spans, _) = self.kind_scores_named(toks, ids, content, use_lines);
        (scores, spans)
    }

    /// Per kind: the cue score with the competitor and status-quo bonuses, the spans
    /// behind it, and the competitor names found.
    #[allow(clippy::type_complexity)]
    fn kind_scores_named(
        &self,
        toks: &[Token],
        ids: &[u32],
        content: &[u32],
        use_lines: bool,
    ) -> ([f32; 7], [Vec<(usize, usize)>; 7], Vec<NameHit>) {
        let hits = self.names.find(toks);
        let named: Vec<(usize, usize)> = hits.iter().map(|h| (h.start, h.end)).collect();
        let (mut scores, mut spans) = self.score(ids, if use_lines { content } else { &[] });
        if !named.is_empty() {
            // Several cues of one kind need not each get the bonus: it is added once.
            for k in [ObjectionKind::Price, ObjectionKind::Incumbent] {
                if scores[k.index()] > 0.0 {
                    scores[k.index()] += patterns::COMPETITOR_BONUS;
                    spans[k.index()].extend(named.iter().copied());
                }
            }
        }
        let need = ObjectionKind::Need.index();
        if scores[ObjectionKind::Incumbent.index()] >= THRESHOLD && scores[need] > 0.0 {
            scores[need] += patterns::STATUS_QUO_BONUS;
        }
        (scores, spans, hits)
    }

    pub(crate) fn ids(&self, toks: &[Token]) -> Vec<u32> {
        toks.iter().map(|t| self.lex.get(&t.stem)).collect()
    }

    fn content(&self, ids: &[u32]) -> Vec<u32> {
        let mut c: Vec<u32> = ids
            .iter()
            .copied()
            .filter(|id| *id != UNKNOWN && !self.stop.contains(id))
            .collect();
        c.sort_unstable();
        c.dedup();
        c
    }

    /// Per kind: the summed weight of the cues found (negated and cancelled ones left
    /// out, overlapping ones counted once) and their token spans. `content` (the
    /// segment's content words) adds the weight of card lines said nearly verbatim.
    #[allow(clippy::type_complexity)]
    fn score(&self, ids: &[u32], content: &[u32]) -> ([f32; 7], [Vec<(usize, usize)>; 7]) {
        let mut hits: Vec<(Cue, usize, usize)> = self
            .cues
            .find(ids)
            .into_iter()
            .filter(|h| !self.negated(ids, h.start, h.end))
            .map(|h| (*h.value, h.start, h.end))
            .collect();
        for a in self.anti.find(ids) {
            if self.negated(ids, a.start, a.end) {
                continue;
            }
            let reach = a.end + ANTI_REACH;
            hits.retain(|(c, s, e)| {
                let applies = a.value.is_none_or(|k| k == c.kind);
                !(applies && *s < reach && a.start < *e)
            });
        }
        let mut scores = [0.0f32; 7];
        let mut spans: [Vec<(usize, usize)>; 7] = Default::default();
        hits.sort_by(|a, b| b.0.weight.total_cmp(&a.0.weight));
        for (cue, s, e) in hits {
            let k = cue.kind.index();
            if spans[k].iter().any(|(ts, te)| s < *te && *ts < e) {
                continue;
            }
            scores[k] += cue.weight;
            spans[k].push((s, e));
        }
        if !content.is_empty() {
            // A kind gets the boost of its best-matching line once, however many match.
            let mut boost = [0.0f32; 7];
            for line in self.lines.iter().filter(|l| l.confident) {
                let Some(cov) = coverage(&line.content, content) else {
                    continue;
                };
                if cov < LINE_MEDIUM {
                    continue;
                }
                for k in &line.kinds {
                    // Half a line ("we already use X" of "we already use X and it's fine
                    // for now") supports a kind the words already point at; only a line
                    // said nearly whole raises a kind no cue found.
                    let w = if cov >= LINE_STRONG {
                        STRONG
                    } else if scores[k.index()] > 0.0 {
                        MEDIUM
                    } else {
                        continue;
                    };
                    boost[k.index()] = boost[k.index()].max(w);
                }
            }
            for (s, b) in scores.iter_mut().zip(boost) {
                *s += b;
            }
        }
        (scores, spans)
    }

    /// Whether a negation stands up to two words before `start` (skipping "that",
    /// "so", "really" ...) and the phrase does not hold one itself.
    fn negated(&self, ids: &[u32], start: usize, end: usize) -> bool {
        if ids[start..end].iter().any(|id| self.negators.contains(id)) {
            return false;
        }
        let mut seen = 0;
        let mut i = start;
        while i > 0 && seen < 2 {
            i -= 1;
            let id = ids[i];
            if self.negators.contains(&id) {
                return true;
            }
            if !self.negation_skip.contains(&id) {
                seen += 1;
            }
        }
        false
    }

    /// How well `content` (a segment's content words) covers line `i`, if at all.
    pub(crate) fn line_similarity(&self, line: &CardLine, content: &[u32]) -> f32 {
        coverage(&line.content, content).unwrap_or(0.0)
    }
}

/// Share of `line`'s words present in `seg` (both sorted); `None` for short lines.
fn coverage(line: &[u32], seg: &[u32]) -> Option<f32> {
    if line.len() < LINE_MIN_WORDS {
        return None;
    }
    let mut hit = 0usize;
    let (mut i, mut j) = (0, 0);
    while i < line.len() && j < seg.len() {
        match line[i].cmp(&seg[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                hit += 1;
                i += 1;
                j += 1;
            }
        }
    }
    Some(hit as f32 / line.len() as f32)
}

fn merge_spans(spans: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for &(s, e) in spans {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

fn evidence(text: &str, toks: &[Token], start: usize, end: usize) -> Evidence {
    let (Some(first), Some(last)) = (
        toks.get(start),
        end.checked_sub(1).and_then(|e| toks.get(e)),
    ) else {
        return Evidence {
            text: String::new(),
            start: 0,
            end: 0,
        };
    };
    Evidence {
        text: text
            .get(first.start..last.end)
            .unwrap_or_default()
            .to_string(),
        start: first.start,
        end: last.end,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_counts_shared_words() {
        assert_eq!(coverage(&[1, 2, 3, 4], &[2, 4, 9]), Some(0.5));
        assert_eq!(coverage(&[1, 2], &[1, 2]), None);
    }

    #[test]
    fn spans_merge_when_they_touch() {
        assert_eq!(merge_spans(&[(0, 2), (1, 3), (5, 6)]), vec![(0, 3), (5, 6)]);
    }
}
