//! The Iris flower data set (Fisher, 1936; public domain): 150 samples, 4 features, 3 classes, shipped
//! inside the binary as `iris.csv` so the demo needs no download.
//!
//! The CSV is the one the `linfa-datasets` crate ships (`data/iris.csv.gz`, decompressed). Depending on
//! that crate would pull in linfa, ndarray, csv and flate2 for 4.5 KB of data, so it is embedded instead.

/// The embedded CSV: header `sepal_length,sepal_width,petal_length,petal_width,species`, species 0..=2.
pub const IRIS_CSV: &str = include_str!("iris.csv");

/// Number of features per sample.
pub const FEATURES: usize = 4;
/// Number of classes.
pub const CLASSES: usize = 3;
/// Class names, by label.
pub const CLASS_NAMES: [&str; CLASSES] = ["setosa", "versicolor", "virginica"];

/// Samples with labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// One row of [`FEATURES`] values per sample.
    pub x: Vec<[f64; FEATURES]>,
    /// The class of each sample, `0..CLASSES`.
    pub y: Vec<usize>,
}

/// Why the CSV could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DatasetError {
    /// A row with the wrong number of fields or an unparsable number.
    #[error("iris.csv line {line}: {why}")]
    BadRow {
        /// 1-based line number.
        line: usize,
        /// What was wrong.
        why: String,
    },
}

impl Dataset {
    /// Parses a CSV in the embedded file's shape (a header, then 4 floats and a class index per row).
    pub fn from_csv(text: &str) -> Result<Dataset, DatasetError> {
        let mut x = Vec::new();
        let mut y = Vec::new();
        for (i, line) in text.lines().enumerate().skip(1) {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let bad = |why: String| DatasetError::BadRow { line: i + 1, why };
            let fields: Vec<&str> = line.split(',').collect();
            if fields.len() != FEATURES + 1 {
                return Err(bad(format!(
                    "{} fields, want {}",
                    fields.len(),
                    FEATURES + 1
                )));
            }
            let mut row = [0.0; FEATURES];
            for (slot, f) in row.iter_mut().zip(&fields) {
                *slot = f
                    .trim()
                    .parse()
                    .map_err(|_| bad(format!("not a number: {f:?}")))?;
            }
            let label: f64 = fields[FEATURES]
                .trim()
                .parse()
                .map_err(|_| bad(format!("bad label {:?}", fields[FEATURES])))?;
            if !(0.0..CLASSES as f64).contains(&label) || label.fract() != 0.0 {
                return Err(bad(format!("label {label} out of range")));
            }
            x.push(row);
            y.push(label as usize);
        }
        Ok(Dataset { x, y })
    }

    /// The embedded Iris data.
    pub fn iris() -> Result<Dataset, DatasetError> {
        Dataset::from_csv(IRIS_CSV)
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.y.len()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }

    /// A stratified split: every class contributes `val_fraction` of its samples (after a seeded
    /// shuffle) to the validation set, so both sets see all three species.
    pub fn split(&self, val_fraction: f64, seed: u64) -> (Dataset, Dataset) {
        let mut rng = Rng::new(seed);
        let mut train = Dataset {
            x: vec![],
            y: vec![],
        };
        let mut val = Dataset {
            x: vec![],
            y: vec![],
        };
        for class in 0..CLASSES {
            let mut idx: Vec<usize> = (0..self.len()).filter(|&i| self.y[i] == class).collect();
            rng.shuffle(&mut idx);
            let n_val = (idx.len() as f64 * val_fraction).round() as usize;
            for (k, &i) in idx.iter().enumerate() {
                let target = if k < n_val { &mut val } else { &mut train };
                target.x.push(self.x[i]);
                target.y.push(self.y[i]);
            }
        }
        (train, val)
    }

    /// Per-feature mean and standard deviation, for standardising with the training set's statistics.
    pub fn feature_stats(&self) -> ([f64; FEATURES], [f64; FEATURES]) {
        let n = self.len().max(1) as f64;
        let mut mean = [0.0; FEATURES];
        for row in &self.x {
            for (m, v) in mean.iter_mut().zip(row) {
                *m += v / n;
            }
        }
        let mut std = [0.0; FEATURES];
        for row in &self.x {
            for ((s, v), m) in std.iter_mut().zip(row).zip(&mean) {
                *s += (v - m) * (v - m) / n;
            }
        }
        for s in &mut std {
            *s = s.sqrt().max(1e-12);
        }
        (mean, std)
    }

    /// The data standardised with the given statistics.
    pub fn standardised(&self, mean: &[f64; FEATURES], std: &[f64; FEATURES]) -> Dataset {
        let x = self
            .x
            .iter()
            .map(|row| {
                let mut r = *row;
                for ((v, m), s) in r.iter_mut().zip(mean).zip(std) {
                    *v = (*v - m) / s;
                }
                r
            })
            .collect();
        Dataset {
            x,
            y: self.y.clone(),
        }
    }
}

/// A small seeded generator (SplitMix64): deterministic shuffles and weight initialisation, so every
/// demo run is reproducible and tests can assert on results.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A standard normal sample (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = self.next_f64().max(f64::MIN_POSITIVE);
        let u2 = self.next_f64();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }

    /// Fisher–Yates shuffle.
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next_u64() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iris_has_150_rows_50_per_class() {
        let d = Dataset::iris().unwrap();
        assert_eq!(d.len(), 150);
        for c in 0..CLASSES {
            assert_eq!(d.y.iter().filter(|&&y| y == c).count(), 50);
        }
        assert_eq!(d.x[0], [5.1, 3.5, 1.4, 0.2]);
    }

    #[test]
    fn split_is_stratified_and_deterministic() {
        let d = Dataset::iris().unwrap();
        let (tr, va) = d.split(0.2, 7);
        assert_eq!((tr.len(), va.len()), (120, 30));
        for c in 0..CLASSES {
            assert_eq!(va.y.iter().filter(|&&y| y == c).count(), 10);
        }
        assert_eq!(d.split(0.2, 7), (tr, va));
    }

    #[test]
    fn bad_rows_are_reported_with_line_numbers() {
        let e = Dataset::from_csv("h\n1,2,3,4,0\n1,2,x,4,0\n").unwrap_err();
        assert_eq!(
            e,
            DatasetError::BadRow {
                line: 3,
                why: "not a number: \"x\"".into()
            }
        );
        assert!(Dataset::from_csv("h\n1,2,3,4,5\n").is_err());
    }
}
