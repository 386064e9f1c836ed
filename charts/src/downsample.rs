//! Downsampling: min/max per bucket, with bucket edges anchored in x (step) space.
//!
//! A chart `W` pixels wide never needs more than about two points per pixel column: the lowest and the
//! highest. This module picks those points as **indices into the caller's full-resolution series**, so a
//! tooltip still shows the exact raw step and value.
//!
//! Rules (case B09):
//! * The bucket width is the smallest power of two `>= span / (W - 3)`, where `span` is the visible
//!   x-range; bucket `k` covers `[k*width, (k+1)*width)`. The edges are multiples of the width, so they
//!   do not move while a run grows (only when the width doubles), and the result is deterministic.
//! * In each bucket the lowest and the highest finite points are kept, in x order; a spike is therefore
//!   never lost. The first and the last visible points are always kept.
//! * Non-finite points are kept too (one per kind per bucket: NaN, +inf, −inf), so a gap and its marker
//!   survive any zoom level (B01). These are the only points beyond the `2 × W` budget.
//! * When the visible range holds at most `2 × W` raw points, every one of them is returned (B09 zoom).
//! * The `2 × W` budget holds for `W >= 4`; narrower plots get at most six points.
//!
//! Cost: one binary search per range end and a single pass over the visible points, with no allocation
//! per point. Sorted x is the normal case (the reader sorts by step); unsorted or non-finite x (say, a
//! wall-time axis with clock jumps) takes a slower path that sorts an index permutation first and
//! leaves points without a finite x out.

use std::ops::Range;

/// The index range of the points of a sorted `x` inside `[lo, hi]` (both ends included).
pub fn visible_range(x: &[f64], lo: f64, hi: f64) -> Range<usize> {
    let start = x.partition_point(|&v| v < lo);
    let end = x.partition_point(|&v| v <= hi).max(start);
    start..end
}

/// The bucket width for a visible x-span drawn into `width_px` pixels: the smallest power of two that
/// is at least `span / (width_px - 3)` (at least 1 bucket), or `None` for an empty or invalid span.
pub fn bucket_width(span: f64, width_px: u32) -> Option<f64> {
    if !(span.is_finite() && span > 0.0) {
        return None;
    }
    // Three buckets of slack: the range ends may cut two partial buckets, and the first and last
    // points may add one point each.
    let buckets = (f64::from(width_px) - 3.0).max(1.0);
    let raw = span / buckets;
    let mut w = 2f64.powi(raw.log2().ceil() as i32);
    // `log2` may round a hair low; never go below the raw width.
    if w < raw {
        w *= 2.0;
    }
    (w.is_finite() && w > 0.0).then_some(w)
}

/// Downsamples `(x, y)` for a plot `width_px` pixels wide, showing `visible` (an x-range, both ends
/// included, swapped if reversed; `None`, or a bound that is not finite, = everything). Returns
/// indices into `x`/`y` in x order.
///
/// `x` and `y` are read up to the shorter length.
pub fn downsample(x: &[f64], y: &[f64], visible: Option<(f64, f64)>, width_px: u32) -> Vec<usize> {
    let mut out = Vec::new();
    downsample_into(x, y, visible, width_px, &mut out);
    out
}

/// Like [`downsample`], writing into `out` (cleared first) so a redraw loop can reuse the allocation.
pub fn downsample_into(
    x: &[f64],
    y: &[f64],
    visible: Option<(f64, f64)>,
    width_px: u32,
    out: &mut Vec<usize>,
) {
    out.clear();
    let n = x.len().min(y.len());
    let (x, y) = (&x[..n], &y[..n]);
    if n == 0 {
        return;
    }
    let sorted = x.is_sorted_by(|a, b| a <= b) && x[0].is_finite() && x[n - 1].is_finite();
    if sorted {
        downsample_sorted_into(x, y, visible, width_px, out);
        return;
    }
    let budget = 2 * width_px.max(1) as usize;
    let visible = sanitize(visible);
    {
        // Slow path: an index permutation sorted by x (stable, so equal x keep their order).
        let mut order: Vec<usize> = (0..n).filter(|&i| x[i].is_finite()).collect();
        order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
        let (lo, hi) = match visible {
            Some(v) => v,
            None => match (order.first(), order.last()) {
                (Some(&f), Some(&l)) => (x[f], x[l]),
                _ => return,
            },
        };
        let start = order.partition_point(|&i| x[i] < lo);
        let end = order.partition_point(|&i| x[i] <= hi).max(start);
        let order = &order[start..end];
        let (Some(&first), Some(&last)) = (order.first(), order.last()) else {
            return;
        };
        if order.len() <= budget {
            out.extend_from_slice(order);
            return;
        }
        let w =
            bucket_width(range_span(lo, hi, x[first], x[last]), width_px).unwrap_or(f64::INFINITY);
        let mut positions = vec![0usize; n];
        for (p, &i) in order.iter().enumerate() {
            positions[i] = p;
        }
        bucketize(x, y, order.iter().copied(), w, &positions, out);
    }
}

/// A range with a NaN or infinite bound is no range (show everything); reversed bounds are swapped.
fn sanitize(visible: Option<(f64, f64)>) -> Option<(f64, f64)> {
    visible
        .filter(|(lo, hi)| lo.is_finite() && hi.is_finite())
        .map(|(lo, hi)| if lo <= hi { (lo, hi) } else { (hi, lo) })
}

/// [`downsample_into`] for an `x` the caller knows is ascending and finite (the reader sorts by step),
/// skipping the sortedness check, which is a full pass over `x`. On an `x` that breaks the promise the
/// result is still a list of valid indices, but not necessarily each bucket's extremes.
pub fn downsample_sorted_into(
    x: &[f64],
    y: &[f64],
    visible: Option<(f64, f64)>,
    width_px: u32,
    out: &mut Vec<usize>,
) {
    out.clear();
    let n = x.len().min(y.len());
    let (x, y) = (&x[..n], &y[..n]);
    if n == 0 {
        return;
    }
    let budget = 2 * width_px.max(1) as usize;
    let (lo, hi) = sanitize(visible).unwrap_or((x[0], x[n - 1]));
    let r = visible_range(x, lo, hi);
    if r.is_empty() {
        return;
    }
    if r.len() <= budget {
        out.extend(r);
        return;
    }
    let span = range_span(lo, hi, x[r.start], x[r.end - 1]);
    // A zero span (every visible point at one x) is a single bucket.
    let w = bucket_width(span, width_px).unwrap_or(f64::INFINITY);
    bucketize_sorted(x, y, r, w, out);
}

/// The x-span the buckets are sized for: the requested range, or the data's own span when the
/// request is not a usable range.
fn range_span(lo: f64, hi: f64, first_x: f64, last_x: f64) -> f64 {
    let requested = hi - lo;
    if requested.is_finite() && requested > 0.0 {
        requested
    } else {
        last_x - first_x
    }
}

const NONE: usize = usize::MAX;

/// The points kept from one bucket.
struct Bucket {
    min: usize,
    max: usize,
    nan: usize,
    pos_inf: usize,
    neg_inf: usize,
    min_v: f64,
    max_v: f64,
}

impl Bucket {
    const EMPTY: Bucket = Bucket {
        min: NONE,
        max: NONE,
        nan: NONE,
        pos_inf: NONE,
        neg_inf: NONE,
        min_v: f64::INFINITY,
        max_v: f64::NEG_INFINITY,
    };

    /// Offers a finite point; strict comparisons keep the first of equal extremes.
    fn offer(&mut self, v: f64, i: usize) {
        if v < self.min_v {
            self.min_v = v;
            self.min = i;
        }
        if v > self.max_v {
            self.max_v = v;
            self.max = i;
        }
    }

    /// Keeps the first non-finite point of each kind.
    fn note_nonfinite(&mut self, v: f64, i: usize) {
        let slot = if v.is_nan() {
            &mut self.nan
        } else if v > 0.0 {
            &mut self.pos_inf
        } else {
            &mut self.neg_inf
        };
        if *slot == NONE {
            *slot = i;
        }
    }

    /// Appends the kept points in the order they were visited (`rank` gives each index its position
    /// in that order; for the sorted path the index itself).
    fn flush(&mut self, out: &mut Vec<usize>, rank: &impl Fn(usize) -> usize) {
        let mut kept = [self.min, self.max, self.nan, self.pos_inf, self.neg_inf];
        kept.sort_unstable_by_key(|&i| if i == NONE { usize::MAX } else { rank(i) });
        for i in kept {
            if i != NONE && out.last() != Some(&i) {
                out.push(i);
            }
        }
        *self = Bucket::EMPTY;
    }
}

/// The fast path for ascending x: each bucket's end is found by binary search, so the inner loop reads
/// only the values (one compare per point for min, one for max).
fn bucketize_sorted(x: &[f64], y: &[f64], r: Range<usize>, w: f64, out: &mut Vec<usize>) {
    let (first, last) = (r.start, r.end - 1);
    out.push(first);
    let mut s = r.start;
    while s < r.end {
        let edge = ((x[s] / w).floor() + 1.0) * w;
        // At least one point per bucket, even where `edge` rounds onto `x[s]`.
        let e = (s + x[s..r.end].partition_point(|&v| v < edge)).max(s + 1);
        let mut b = scan_bucket(y, s, e);
        b.flush(out, &|i| i);
        s = e;
    }
    if out.last() != Some(&last) {
        out.push(last);
    }
}

/// Lanes of independent running extremes in [`scan_bucket`]: one lane's compare-and-select chain
/// would make every point wait for the previous one.
const LANES: usize = 4;

/// The extremes and non-finite points of `y[s..e]`, first occurrence winning ties.
fn scan_bucket(y: &[f64], s: usize, e: usize) -> Bucket {
    let vals = &y[s..e];
    let mut mn = [f64::INFINITY; LANES];
    let mut mx = [f64::NEG_INFINITY; LANES];
    let mut mni = [NONE; LANES];
    let mut mxi = [NONE; LANES];
    let mut finite = true;
    let chunks = vals.chunks_exact(LANES);
    let tail = chunks.remainder();
    for (c, chunk) in chunks.enumerate() {
        let base = s + c * LANES;
        for l in 0..LANES {
            let v = chunk[l];
            finite &= v.is_finite();
            if v < mn[l] {
                mn[l] = v;
                mni[l] = base + l;
            }
            if v > mx[l] {
                mx[l] = v;
                mxi[l] = base + l;
            }
        }
    }
    let mut b = Bucket::EMPTY;
    if !finite || tail.iter().any(|v| !v.is_finite()) {
        // Rare: a non-finite value in the bucket. Infinities would pass for extremes above, so
        // rescan one point at a time.
        for (j, &v) in vals.iter().enumerate() {
            if v.is_finite() {
                b.offer(v, s + j);
            } else {
                b.note_nonfinite(v, s + j);
            }
        }
        return b;
    }
    // Merge the lanes (lowest value, then lowest index), then the tail in order.
    for l in 0..LANES {
        if mni[l] != NONE && (mn[l] < b.min_v || (mn[l] == b.min_v && mni[l] < b.min)) {
            b.min_v = mn[l];
            b.min = mni[l];
        }
        if mxi[l] != NONE && (mx[l] > b.max_v || (mx[l] == b.max_v && mxi[l] < b.max)) {
            b.max_v = mx[l];
            b.max = mxi[l];
        }
    }
    let tail_start = e - tail.len();
    for (j, &v) in tail.iter().enumerate() {
        b.offer(v, tail_start + j);
    }
    b
}

/// One pass over the visible points of the slow path (`indices`, a permutation in x order);
/// `positions` maps an index to its place in that order.
fn bucketize<I>(x: &[f64], y: &[f64], indices: I, w: f64, positions: &[usize], out: &mut Vec<usize>)
where
    I: Iterator<Item = usize>,
{
    let rank = |i: usize| positions[i];
    let mut last = NONE;
    let mut edge = f64::NEG_INFINITY;
    let mut b = Bucket::EMPTY;
    for i in indices {
        let xi = x[i];
        if last == NONE {
            // The first visible point is always kept.
            out.push(i);
        }
        if xi >= edge {
            b.flush(out, &rank);
            edge = ((xi / w).floor() + 1.0) * w;
        }
        let v = y[i];
        if v.is_finite() {
            b.offer(v, i);
        } else {
            b.note_nonfinite(v, i);
        }
        last = i;
    }
    b.flush(out, &rank);
    // The last visible point is always kept.
    if last != NONE && out.last() != Some(&last) {
        out.push(last);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// B09's series, built in memory: 1,000,000 points of 1.0 with 1000.0 at step 500000.
    fn spike() -> (Vec<f64>, Vec<f64>) {
        let x: Vec<f64> = (0..1_000_000u32).map(f64::from).collect();
        let mut y = vec![1.0; 1_000_000];
        y[500_000] = 1000.0;
        (x, y)
    }

    #[test]
    fn b09_spike_downsampling() {
        let (x, y) = spike();
        let idx = downsample(&x, &y, None, 1000);
        assert!(idx.len() <= 2000, "{} points", idx.len());
        assert!(idx.len() >= 900, "{} points", idx.len());
        assert_eq!(idx.first().map(|&i| (x[i], y[i])), Some((0.0, 1.0)));
        assert_eq!(idx.last().map(|&i| (x[i], y[i])), Some((999_999.0, 1.0)));
        let spikes: Vec<_> = idx.iter().filter(|&&i| y[i] == 1000.0).collect();
        assert_eq!(spikes.len(), 1);
        assert_eq!(x[*spikes[0]], 500_000.0);
        assert!(idx.windows(2).all(|w| w[0] < w[1]), "indices ascend");
        // Deterministic: a second run gives the identical list.
        assert_eq!(downsample(&x, &y, None, 1000), idx);
        // The bucket width is a power of two just above 1e6 / 997.
        assert_eq!(bucket_width(999_999.0, 1000), Some(1024.0));
    }

    #[test]
    fn b09_zoom_returns_every_raw_point() {
        let (x, y) = spike();
        let idx = downsample(&x, &y, Some((499_500.0, 500_500.0)), 1000);
        assert_eq!(idx.len(), 1001);
        assert_eq!(idx, (499_500..=500_500).collect::<Vec<usize>>());
        // Any plot wider than 500 px shows all 1001 points.
        assert_eq!(
            downsample(&x, &y, Some((499_500.0, 500_500.0)), 501).len(),
            1001
        );
        // Narrower plots downsample but keep the spike.
        let narrow = downsample(&x, &y, Some((499_500.0, 500_500.0)), 100);
        assert!(narrow.len() <= 200);
        assert!(narrow.contains(&500_000));
    }

    #[test]
    fn budget_holds_for_many_widths() {
        let x: Vec<f64> = (0..200_000u32).map(f64::from).collect();
        // A noisy signal: every bucket has a distinct min and max.
        let y: Vec<f64> = (0..200_000u32)
            .map(|i| f64::from(i.wrapping_mul(2_654_435_761) % 1000))
            .collect();
        for w in [8u32, 10, 33, 100, 640, 1000, 1920, 4096] {
            for vis in [None, Some((1234.5, 150_000.0)), Some((-50.0, 1e9))] {
                let idx = downsample(&x, &y, vis, w);
                assert!(
                    idx.len() <= 2 * w as usize,
                    "w={w} vis={vis:?}: {}",
                    idx.len()
                );
                assert!(idx.windows(2).all(|p| p[0] < p[1]));
            }
        }
    }

    #[test]
    fn edges_are_anchored_as_the_run_grows() {
        // Two prefixes of one run with the same bucket width keep the same points in the shared,
        // complete buckets.
        let x: Vec<f64> = (0..100_000u32).map(f64::from).collect();
        let y: Vec<f64> = (0..100_000u32).map(|i| f64::from(i % 977)).collect();
        let a = downsample(&x[..90_000], &y[..90_000], Some((0.0, 99_999.0)), 500);
        let b = downsample(&x, &y, Some((0.0, 99_999.0)), 500);
        let w = bucket_width(99_999.0, 500).unwrap_or(0.0);
        let cut = ((89_999.0 / w).floor() * w) as usize;
        let a_head: Vec<_> = a.iter().filter(|&&i| i < cut).collect();
        let b_head: Vec<_> = b.iter().filter(|&&i| i < cut).collect();
        assert_eq!(a_head, b_head);
    }

    #[test]
    fn b01_nonfinite_points_survive() {
        // A NaN, a +inf and a -inf inside long flat stretches stay in the output.
        let x: Vec<f64> = (0..100_000u32).map(f64::from).collect();
        let mut y = vec![0.5; 100_000];
        y[10_000] = f64::NAN;
        y[50_000] = f64::INFINITY;
        y[90_000] = f64::NEG_INFINITY;
        let idx = downsample(&x, &y, None, 200);
        for k in [10_000, 50_000, 90_000] {
            assert!(idx.contains(&k), "{k} missing");
        }
        // Small series pass through untouched.
        let small = downsample(&[0.0, 1.0, 2.0], &[0.5, f64::NAN, 0.3], None, 800);
        assert_eq!(small, vec![0, 1, 2]);
    }

    #[test]
    fn unsorted_and_nonfinite_x() {
        // B11-like data given unsorted, plus a point without a usable x.
        let x = [4.0, 3.0, f64::NAN, 5.0];
        let y = [0.4, 0.45, 1.0, 0.2];
        assert_eq!(downsample(&x, &y, None, 100), vec![1, 0, 3]);
        // Large unsorted input: still within budget, in x order, spike kept.
        let n = 50_000usize;
        let x: Vec<f64> = (0..n).rev().map(|i| i as f64).collect();
        let mut y = vec![1.0; n];
        y[123] = 99.0;
        let idx = downsample(&x, &y, None, 300);
        assert!(idx.len() <= 600, "{}", idx.len());
        assert!(idx.contains(&123));
        assert!(idx.windows(2).all(|p| x[p[0]] < x[p[1]]));
        assert_eq!(idx.first(), Some(&(n - 1)));
        assert_eq!(idx.last(), Some(&0));
    }

    #[test]
    fn fast_path_matches_one_point_at_a_time() {
        // The lane scan picks the same points as the plain rule, ties included.
        let n = 30_011usize;
        let x: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let mut y: Vec<f64> = (0..n).map(|i| ((i * 7919) % 13) as f64).collect();
        y[5_000] = f64::NAN;
        y[20_000] = f64::INFINITY;
        y[20_001] = f64::NEG_INFINITY;
        let fast = downsample(&x, &y, None, 300);
        let w = bucket_width((n - 1) as f64, 300).unwrap_or(1.0);
        let identity: Vec<usize> = (0..n).collect();
        let mut plain = Vec::new();
        bucketize(&x, &y, 0..n, w, &identity, &mut plain);
        assert_eq!(fast, plain);
        for k in [5_000, 20_000, 20_001] {
            assert!(fast.contains(&k), "{k}");
        }
        // First occurrence wins among equal extremes.
        let flat = vec![2.0; 10_000];
        let xf: Vec<f64> = (0..10_000u32).map(f64::from).collect();
        let idx = downsample(&xf, &flat, None, 10);
        let w = bucket_width(9_999.0, 10).unwrap_or(1.0) as usize;
        assert!(idx.iter().all(|&i| i % w == 0 || i == 9_999), "{idx:?}");
    }

    #[test]
    fn degenerate_inputs_never_panic() {
        assert!(downsample(&[], &[], None, 1000).is_empty());
        assert!(downsample(&[1.0], &[], None, 1000).is_empty());
        assert_eq!(downsample(&[1.0], &[2.0], None, 0), vec![0]);
        assert_eq!(
            downsample(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0], None, 1),
            vec![0, 2]
        );
        assert!(downsample(&[1.0, 2.0], &[1.0, 2.0], Some((5.0, 6.0)), 10).is_empty());
        assert_eq!(
            downsample(&[1.0, 2.0], &[1.0, 2.0], Some((f64::NAN, 6.0)), 10),
            vec![0, 1]
        );
        assert_eq!(
            downsample(&[1.0, 2.0], &[1.0, 2.0], Some((2.0, 1.5)), 10),
            vec![1]
        );
        let x: Vec<f64> = (0..10_000u32).map(f64::from).collect();
        let y = vec![0.0; 10_000];
        assert!(downsample(&x, &y, None, 0).len() <= 4);
        assert!(downsample(&x, &y, None, 1).len() <= 4);
        // All points at the same x: the span is 0, so they form one bucket.
        let same = vec![7.0; 10_000];
        assert_eq!(downsample(&same, &y, None, 100), vec![0, 9_999]);
        assert_eq!(bucket_width(0.0, 100), None);
        assert_eq!(bucket_width(f64::INFINITY, 100), None);
        assert_eq!(visible_range(&[0.0, 1.0, 2.0, 3.0], 1.0, 2.0), 1..3);
        assert_eq!(visible_range(&[0.0, 1.0], 3.0, 2.0), 2..2);
    }
}
