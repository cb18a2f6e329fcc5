//! The optional semantic extra: sentence vectors of the battle cards' objection lines,
//! compared with a prospect segment the lexical matcher found nothing in.
//!
//! The coach does not load a model itself: whoever composes it (the core) passes one
//! through [`SemanticModel`] (with the `embed` feature, closer-embed's all-MiniLM-L6-v2
//! implements it). A MiniLM forward pass costs milliseconds on a laptop CPU, far more
//! than the lexical matcher, so it runs only as a fallback and never decides alone what
//! the lexical matcher already answered.

use crate::error::{CoachError, Result};
use crate::matcher::Matcher;

/// An error from a semantic model, as the model reports it.
pub type SemanticError = Box<dyn std::error::Error + Send + Sync>;

/// Turns texts into L2-normalised vectors of one dimension.
pub trait SemanticModel: Send + Sync {
    fn embed(&self, texts: &[&str]) -> std::result::Result<Vec<Vec<f32>>, SemanticError>;
}

#[cfg(feature = "embed")]
impl SemanticModel for closer_embed::Embedder {
    fn embed(&self, texts: &[&str]) -> std::result::Result<Vec<Vec<f32>>, SemanticError> {
        closer_embed::Embedder::embed(self, texts).map_err(|e| Box::new(e) as SemanticError)
    }
}

/// The lines' vectors and the model to embed segments with.
pub(crate) struct SemanticIndex {
    model: std::sync::Arc<dyn SemanticModel>,
    /// `(line index, vector)` for every line with at least one kind.
    vectors: Vec<(usize, Vec<f32>)>,
    pub(crate) threshold: f32,
}

impl std::fmt::Debug for SemanticIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SemanticIndex")
            .field("lines", &self.vectors.len())
            .field("threshold", &self.threshold)
            .finish()
    }
}

/// The best line for a segment and its cosine similarity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct SemanticHit {
    pub line: usize,
    pub similarity: f32,
}

impl Matcher {
    /// Adds the semantic fallback: embeds every objection line of the cards once.
    /// `threshold` is the cosine similarity a segment needs to a line (0.5-0.7 suits
    /// MiniLM).
    pub fn with_semantic(
        mut self,
        model: std::sync::Arc<dyn SemanticModel>,
        threshold: f32,
    ) -> Result<Matcher> {
        if !(0.0..=1.0).contains(&threshold) {
            return Err(CoachError::InvalidOption {
                field: "semantic threshold",
                reason: "must be between 0 and 1",
            });
        }
        let idx: Vec<usize> = (0..self.lines().len())
            .filter(|&i| !self.lines()[i].kinds.is_empty())
            .collect();
        let texts: Vec<&str> = idx
            .iter()
            .map(|&i| self.lines()[i].objection.as_str())
            .collect();
        let vectors = if texts.is_empty() {
            Vec::new()
        } else {
            model
                .embed(&texts)
                .map_err(|e| CoachError::Semantic(e.to_string()))?
        };
        if vectors.len() != idx.len() {
            return Err(CoachError::Semantic(format!(
                "{} vectors for {} lines",
                vectors.len(),
                idx.len()
            )));
        }
        self.semantic = Some(SemanticIndex {
            model,
            vectors: idx.into_iter().zip(vectors).collect(),
            threshold,
        });
        Ok(self)
    }

    /// The closest line to `text` when it is close enough; `None` without a model, or
    /// when the model fails (the lexical result stands).
    pub(crate) fn semantic_match(&self, text: &str) -> Option<SemanticHit> {
        let ix = self.semantic.as_ref()?;
        let v = ix.model.embed(&[text]).ok()?.into_iter().next()?;
        ix.vectors
            .iter()
            .map(|(line, lv)| SemanticHit {
                line: *line,
                similarity: dot(&v, lv),
            })
            .filter(|h| h.similarity >= ix.threshold)
            .max_by(|a, b| a.similarity.total_cmp(&b.similarity))
    }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
