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

/// An 8-bit copy of a vector for the first pass of a search: each value divided by the
/// vector's largest magnitude over 127 and rounded, so the copy keeps the vector's shape
/// in a quarter of the bytes. Appends the codes to `out` and returns the scale.
fn quantize(v: &[f32], out: &mut Vec<i8>) -> f32 {
    let max = v.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    if max == 0.0 || !max.is_finite() {
        out.extend(std::iter::repeat_n(0i8, v.len()));
        return 0.0;
    }
    let scale = max / 127.0;
    out.extend(
        v.iter()
            .map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8),
    );
    scale
}

/// The dot product of two 8-bit codes, in 32-bit integers (exact: 384 x 127 x 127 fits
/// many times over). Sixteen independent sums so the compiler vectorises the loop.
///
/// Never inlined: inlined into the scan over rows, LLVM left the loop scalar and the
/// 8-bit pass over 22,634 x 384 took 2.8 ms; as a call per row it is vectorised (SSE2
/// `pmaddwd`) and takes 1.2 ms.
#[inline(never)]
fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
    let (ca, ra) = a.as_chunks::<16>();
    let (cb, rb) = b.as_chunks::<16>();
    let mut acc = [0i32; 16];
    for (x, y) in ca.iter().zip(cb) {
        for i in 0..16 {
            acc[i] += i32::from(x[i]) * i32::from(y[i]);
        }
    }
    let tail: i32 = ra
        .iter()
        .zip(rb)
        .map(|(x, y)| i32::from(*x) * i32::from(*y))
        .sum();
    acc.iter().sum::<i32>() + tail
}

/// Indexes at least this large are scanned by two threads (below it a thread costs more
/// than it saves).
const PARALLEL_SCAN_ROWS: usize = 4_096;

/// The first pass: every row's approximate score (its 8-bit dot product with the query's
/// codes, times the row's scale) and its row number.
///
/// With `two_threads`, a scoped thread scores the second half while this one scores the
/// first: the pass reads memory that embedding the query has just pushed out of the
/// caches, and two cores fetch it faster than one.
fn scan_codes(
    codes: &[i8],
    scales: &[f32],
    q: &[i8],
    d: usize,
    two_threads: bool,
) -> Vec<(f32, u32)> {
    let n = scales.len();
    let mut out = vec![(0.0f32, 0u32); n];
    if !two_threads || n < PARALLEL_SCAN_ROWS {
        scan_rows(codes, scales, q, d, 0, &mut out);
        return out;
    }
    let half = n / 2;
    let (codes_a, codes_b) = codes.split_at(half * d);
    let (scales_a, scales_b) = scales.split_at(half);
    let score_b = || {
        let mut v = vec![(0.0f32, 0u32); n - half];
        scan_rows(codes_b, scales_b, q, d, half, &mut v);
        v
    };
    std::thread::scope(|s| {
        let other = std::thread::Builder::new()
            .name("closer-vector-scan".into())
            .spawn_scoped(s, score_b);
        scan_rows(codes_a, scales_a, q, d, 0, &mut out[..half]);
        // A thread that could not start (or died) leaves its half to this one.
        let second = match other.ok().and_then(|h| h.join().ok()) {
            Some(v) => v,
            None => score_b(),
        };
        out[half..].copy_from_slice(&second);
    });
    out
}

fn scan_rows(
    codes: &[i8],
    scales: &[f32],
    q: &[i8],
    d: usize,
    first: usize,
    out: &mut [(f32, u32)],
) {
    for (i, (row, slot)) in codes.chunks_exact(d).zip(out.iter_mut()).enumerate() {
        *slot = (dot_i8(row, q) as f32 * scales[i], (first + i) as u32);
    }
}

/// Candidates the 8-bit first pass keeps for exact rescoring, for a search of `k`.
/// Rounding moves a score by about 0.001, far less than the usual gap between the k-th and
/// the (2k + 64)-th of a library, so the exact top k is among them (the test includes a
/// cluster of near-duplicates, where scores crowd).
fn shortlist(k: usize) -> usize {
    k.saturating_mul(2).saturating_add(64)
}

/// Exact search over every vector, in memory.
///
/// The vectors sit end to end in one `Vec<f32>` (row `i` is `data[i*dim..(i+1)*dim]`),
/// and again as 8-bit codes with one scale per row. A search scans the codes (a quarter
/// of the memory: 22,634 passages are 8.7 MB instead of 35 MB), keeps a shortlist, and
/// scores the shortlist exactly with the f32 rows; the result is the exact top k.
/// Scores are dot products, so vectors are expected to be normalised (as
/// [`crate::Embedder`] returns them).
#[derive(Debug, Clone)]
pub struct VectorIndex {
    dim: usize,
    data: Vec<f32>,
    codes: Vec<i8>,
    scales: Vec<f32>,
    ids: Vec<String>,
    rows: HashMap<String, usize>,
    /// More than one core: large scans use two threads.
    two_threads: bool,
}

impl VectorIndex {
    /// An empty index of `dim`-dimensional vectors.
    pub fn new(dim: usize) -> VectorIndex {
        VectorIndex::with_capacity(dim, 0)
    }

    /// An empty index with room for `n` vectors.
    pub fn with_capacity(dim: usize, n: usize) -> VectorIndex {
        VectorIndex {
            dim,
            data: Vec::with_capacity(dim * n),
            codes: Vec::with_capacity(dim * n),
            scales: Vec::with_capacity(n),
            ids: Vec::with_capacity(n),
            rows: HashMap::with_capacity(n),
            two_threads: std::thread::available_parallelism().is_ok_and(|c| c.get() > 1),
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
        let mut code = Vec::with_capacity(self.dim);
        let scale = quantize(vec, &mut code);
        if let Some(&row) = self.rows.get(&id) {
            self.data[row * self.dim..(row + 1) * self.dim].copy_from_slice(vec);
            self.codes[row * self.dim..(row + 1) * self.dim].copy_from_slice(&code);
            self.scales[row] = scale;
        } else {
            self.rows.insert(id.clone(), self.ids.len());
            self.ids.push(id);
            self.data.extend_from_slice(vec);
            self.codes.extend_from_slice(&code);
            self.scales.push(scale);
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
        let d = self.dim;
        if row != last {
            self.data.copy_within(last * d..(last + 1) * d, row * d);
            self.codes.copy_within(last * d..(last + 1) * d, row * d);
            self.scales.swap(row, last);
            self.ids.swap(row, last);
            self.rows.insert(self.ids[row].clone(), row);
        }
        self.ids.pop();
        self.scales.pop();
        self.data.truncate(last * d);
        self.codes.truncate(last * d);
        true
    }

    /// The `k` vectors most similar to `query`, best first, with their exact scores (dot
    /// products). Ties are broken by id so results are deterministic. A query of the wrong
    /// length matches nothing.
    pub fn top_k(&self, query: &[f32], k: usize) -> Vec<(String, f32)> {
        if k == 0 || query.len() != self.dim || self.dim == 0 {
            return Vec::new();
        }
        let d = self.dim;
        let keep = shortlist(k);
        let rows: Vec<u32> = if self.ids.len() <= keep {
            (0..self.ids.len() as u32).collect()
        } else {
            let mut q = Vec::with_capacity(d);
            quantize(query, &mut q);
            let mut approx = scan_codes(&self.codes, &self.scales, &q, d, self.two_threads);
            approx.select_nth_unstable_by(keep - 1, |a, b| b.0.total_cmp(&a.0));
            approx.truncate(keep);
            approx.into_iter().map(|(_, i)| i).collect()
        };
        let mut scored: Vec<(f32, u32)> = rows
            .into_iter()
            .map(|i| {
                let at = i as usize * d;
                (dot(&self.data[at..at + d], query), i)
            })
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
