//! Vectors as SQLite stores them, and exact nearest-neighbour search in memory.

use std::collections::HashMap;

use crate::error::{EmbedError, Result};

/// Cosine similarity of two L2-normalised vectors: their dot product (what [`crate::Embedder`]
/// returns is normalised). Vectors of different lengths are unrelated: 0.0.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    if a.len() != b.len() {
        return 0.0;
    }
    dot(a, b)
}

/// The dot product with eight independent accumulators: a plain `sum()` is one serial chain
/// of additions the compiler may not reorder, so it is not vectorised; this is (4x-8x).
#[inline]
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let (ca, ra) = (a.chunks_exact(8), a.chunks_exact(8).remainder());
    let cb = b.chunks_exact(8);
    let rb = cb.remainder();
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            acc[i] += x[i] * y[i];
        }
    }
    let mut tail = 0.0;
    for (x, y) in ra.iter().zip(rb) {
        tail += x * y;
    }
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail
}

/// The bytes SQLite stores for a vector: each value as a little-endian f32, in order
/// (384 dimensions -> 1,536 bytes).
pub fn to_blob(v: &[f32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(v.len() * 4);
    for x in v {
        out.extend_from_slice(&x.to_le_bytes());
    }
    out
}

/// Reads what [`to_blob`] wrote; anything that is not a whole number of f32 values is
/// [`EmbedError::BadBlob`].
pub fn from_blob(b: &[u8]) -> Result<Vec<f32>> {
    let chunks = b.chunks_exact(4);
    if !chunks.remainder().is_empty() {
        return Err(EmbedError::BadBlob { len: b.len() });
    }
    Ok(chunks
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect())
}

/// Exact search over every vector, in memory.
///
/// The vectors sit end to end in one `Vec<f32>` (row `i` is `data[i*dim..(i+1)*dim]`) so a
/// search is one linear pass over contiguous memory: 20,000 x 384 values is 30 MB and a
/// pass takes a millisecond or two. Scores are dot products, so vectors are expected to be
/// normalised (as [`crate::Embedder`] returns them).
#[derive(Debug, Clone)]
pub struct VectorIndex {
    dim: usize,
    data: Vec<f32>,
    ids: Vec<String>,
    rows: HashMap<String, usize>,
}

impl VectorIndex {
    /// An empty index of `dim`-dimensional vectors.
    pub fn new(dim: usize) -> VectorIndex {
        VectorIndex {
            dim,
            data: Vec::new(),
            ids: Vec::new(),
            rows: HashMap::new(),
        }
    }

    /// An empty index with room for `n` vectors.
    pub fn with_capacity(dim: usize, n: usize) -> VectorIndex {
        VectorIndex {
            dim,
            data: Vec::with_capacity(dim * n),
            ids: Vec::with_capacity(n),
            rows: HashMap::with_capacity(n),
        }
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn contains(&self, id: &str) -> bool {
        self.rows.contains_key(id)
    }

    /// Adds a vector, or replaces the one stored under `id`.
    pub fn add(&mut self, id: String, vec: &[f32]) -> Result<()> {
        if vec.len() != self.dim {
            return Err(EmbedError::DimensionMismatch {
                expected: self.dim,
                got: vec.len(),
            });
        }
        if let Some(&row) = self.rows.get(&id) {
            self.data[row * self.dim..(row + 1) * self.dim].copy_from_slice(vec);
        } else {
            self.rows.insert(id.clone(), self.ids.len());
            self.ids.push(id);
            self.data.extend_from_slice(vec);
        }
        Ok(())
    }

    /// Removes the vector stored under `id`; returns whether there was one. The last row
    /// moves into the gap, so removal is O(dim).
    pub fn remove(&mut self, id: &str) -> bool {
        let Some(row) = self.rows.remove(id) else {
            return false;
        };
        let last = self.ids.len() - 1;
        if row != last {
            self.data
                .copy_within(last * self.dim..(last + 1) * self.dim, row * self.dim);
            self.ids.swap(row, last);
            self.rows.insert(self.ids[row].clone(), row);
        }
        self.ids.pop();
        self.data.truncate(last * self.dim);
        true
    }

    /// The `k` vectors most similar to `query`, best first, with their scores (dot
    /// products). Ties are broken by id so results are deterministic. A query of the wrong
    /// length matches nothing.
    pub fn top_k(&self, query: &[f32], k: usize) -> Vec<(String, f32)> {
        if k == 0 || query.len() != self.dim || self.dim == 0 {
            return Vec::new();
        }
        let mut scored: Vec<(f32, u32)> = self
            .data
            .chunks_exact(self.dim)
            .enumerate()
            .map(|(i, row)| (dot(row, query), i as u32))
            .collect();
        let better = |a: &(f32, u32), b: &(f32, u32)| {
            b.0.total_cmp(&a.0)
                .then_with(|| self.ids[a.1 as usize].cmp(&self.ids[b.1 as usize]))
        };
        if scored.len() > k {
            scored.select_nth_unstable_by(k - 1, better);
            scored.truncate(k);
        }
        scored.sort_unstable_by(better);
        scored
            .into_iter()
            .map(|(s, i)| (self.ids[i as usize].clone(), s))
            .collect()
    }
}
