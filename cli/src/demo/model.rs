//! A small multilayer perceptron (4 → hidden ReLU → 3 softmax) with hand-written backpropagation and
//! three optimisers (plain SGD, SGD with momentum, Adam). Plain Rust, no linear-algebra crate: the
//! model has under a hundred parameters and trains on Iris in milliseconds.

use super::dataset::{CLASSES, Dataset, FEATURES, Rng};

/// The optimisers the sweep compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Optimizer {
    /// `w -= lr * g`.
    Sgd,
    /// Heavy-ball momentum, β = 0.9.
    Momentum,
    /// Adam (Kingma & Ba), β1 = 0.9, β2 = 0.999, ε = 1e-8, bias-corrected.
    Adam,
}

impl Optimizer {
    /// The name used in configs and tags.
    pub fn as_str(self) -> &'static str {
        match self {
            Optimizer::Sgd => "sgd",
            Optimizer::Momentum => "momentum",
            Optimizer::Adam => "adam",
        }
    }
}

/// The network's parameters, flattened: `w1` (hidden × 4), `b1` (hidden), `w2` (3 × hidden), `b2` (3).
#[derive(Debug, Clone, PartialEq)]
pub struct Mlp {
    /// Hidden units.
    pub hidden: usize,
    /// All parameters in the order above.
    pub params: Vec<f64>,
}

/// Loss and accuracy over a data set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Eval {
    /// Mean cross-entropy (non-finite once the weights have diverged).
    pub loss: f64,
    /// Fraction classified correctly.
    pub acc: f64,
}

impl Mlp {
    /// He-initialised weights from a seed, zero biases.
    pub fn new(hidden: usize, seed: u64) -> Mlp {
        let mut rng = Rng::new(seed);
        let n = hidden * FEATURES + hidden + CLASSES * hidden + CLASSES;
        let mut params = vec![0.0; n];
        let s1 = (2.0 / FEATURES as f64).sqrt();
        let s2 = (2.0 / hidden as f64).sqrt();
        for (i, p) in params.iter_mut().enumerate() {
            if i < hidden * FEATURES {
                *p = rng.normal() * s1;
            } else if (hidden * FEATURES + hidden..hidden * FEATURES + hidden + CLASSES * hidden)
                .contains(&i)
            {
                *p = rng.normal() * s2;
            }
        }
        Mlp { hidden, params }
    }

    fn offsets(&self) -> (usize, usize, usize) {
        let h = self.hidden;
        let b1 = h * FEATURES;
        let w2 = b1 + h;
        let b2 = w2 + CLASSES * h;
        (b1, w2, b2)
    }

    /// Hidden activations and class probabilities for one sample.
    fn forward(&self, x: &[f64; FEATURES]) -> (Vec<f64>, [f64; CLASSES]) {
        let (b1, w2, b2) = self.offsets();
        let p = &self.params;
        let hidden: Vec<f64> = (0..self.hidden)
            .map(|j| {
                let z = p[b1 + j]
                    + (0..FEATURES)
                        .map(|k| p[j * FEATURES + k] * x[k])
                        .sum::<f64>();
                z.max(0.0)
            })
            .collect();
        let mut logits = [0.0; CLASSES];
        for (c, l) in logits.iter_mut().enumerate() {
            *l = p[b2 + c]
                + (0..self.hidden)
                    .map(|j| p[w2 + c * self.hidden + j] * hidden[j])
                    .sum::<f64>();
        }
        // Log-sum-exp with the max subtracted: the loss stays exact until the weights themselves
        // overflow, which is how the too-high learning rate ends in NaN.
        let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut probs = [0.0; CLASSES];
        let mut sum = 0.0;
        for (pr, l) in probs.iter_mut().zip(&logits) {
            *pr = (l - max).exp();
            sum += *pr;
        }
        for pr in &mut probs {
            *pr /= sum;
        }
        (hidden, probs)
    }

    /// The predicted class of one sample.
    pub fn predict(&self, x: &[f64; FEATURES]) -> usize {
        let (_, probs) = self.forward(x);
        let mut best = 0;
        for c in 1..CLASSES {
            if probs[c] > probs[best] {
                best = c;
            }
        }
        best
    }

    /// Mean cross-entropy and accuracy over `data`.
    pub fn evaluate(&self, data: &Dataset) -> Eval {
        let mut loss = 0.0;
        let mut correct = 0usize;
        for (x, &y) in data.x.iter().zip(&data.y) {
            let (_, probs) = self.forward(x);
            // ln p_y = -(ln Σ exp(l_c - max) - (l_y - max)); probs holds exp(l_c - max)/Σ, so this is
            // ln(probs[y]) computed without flushing tiny probabilities to zero.
            loss -= log_prob(&probs, y);
            if self.predict(x) == y {
                correct += 1;
            }
        }
        let n = data.len().max(1) as f64;
        Eval {
            loss: loss / n,
            acc: correct as f64 / n,
        }
    }

    /// The gradient of the mean cross-entropy over the samples `idx` of `data`.
    pub fn gradient(&self, data: &Dataset, idx: &[usize]) -> Vec<f64> {
        let (b1, w2, b2) = self.offsets();
        let h = self.hidden;
        let mut g = vec![0.0; self.params.len()];
        let n = idx.len().max(1) as f64;
        for &i in idx {
            let x = &data.x[i];
            let (hidden, probs) = self.forward(x);
            let mut dlogit = probs;
            dlogit[data.y[i]] -= 1.0;
            let mut dhidden = vec![0.0; h];
            for c in 0..CLASSES {
                let d = dlogit[c] / n;
                g[b2 + c] += d;
                for j in 0..h {
                    g[w2 + c * h + j] += d * hidden[j];
                    dhidden[j] += d * self.params[w2 + c * h + j];
                }
            }
            for j in 0..h {
                if hidden[j] <= 0.0 {
                    continue;
                }
                g[b1 + j] += dhidden[j];
                for k in 0..FEATURES {
                    g[j * FEATURES + k] += dhidden[j] * x[k];
                }
            }
        }
        g
    }

    /// The weights as JSON (the demo's model artifact).
    pub fn to_json(&self) -> serde_json::Value {
        let (b1, w2, b2) = self.offsets();
        let p = &self.params;
        let rows = |start: usize, rows: usize, cols: usize| -> Vec<Vec<f64>> {
            (0..rows)
                .map(|r| p[start + r * cols..start + (r + 1) * cols].to_vec())
                .collect()
        };
        serde_json::json!({
            "architecture": format!("mlp {FEATURES}-{h}-{CLASSES} relu softmax", h = self.hidden),
            "w1": rows(0, self.hidden, FEATURES),
            "b1": p[b1..w2].to_vec(),
            "w2": rows(w2, CLASSES, self.hidden),
            "b2": p[b2..].to_vec(),
        })
    }
}

/// `ln probs[y]`, finite even when `probs[y]` underflowed (then it is the log of the smallest
/// positive double, about -745), and NaN when the probabilities are NaN (diverged weights).
fn log_prob(probs: &[f64; CLASSES], y: usize) -> f64 {
    let p = probs[y];
    if p.is_nan() {
        return f64::NAN;
    }
    p.max(f64::from_bits(1)).ln()
}

/// Optimiser state: one step applies a gradient to the parameters.
#[derive(Debug, Clone)]
pub struct OptimizerState {
    kind: Optimizer,
    lr: f64,
    weight_decay: f64,
    m: Vec<f64>,
    v: Vec<f64>,
    t: i32,
}

impl OptimizerState {
    /// Fresh state for `n` parameters. `weight_decay` is coupled L2 (added to the gradient, as
    /// PyTorch's `weight_decay` does); with plain SGD it multiplies the weights by `1 - lr·wd` each step,
    /// which is what makes a far too high learning rate blow the weights up geometrically.
    pub fn new(kind: Optimizer, lr: f64, weight_decay: f64, n: usize) -> OptimizerState {
        OptimizerState {
            kind,
            lr,
            weight_decay,
            m: vec![0.0; n],
            v: vec![0.0; n],
            t: 0,
        }
    }

    /// Applies one update.
    pub fn step(&mut self, params: &mut [f64], grad: &[f64]) {
        self.t += 1;
        let wd = self.weight_decay;
        let grad: Vec<f64> = grad
            .iter()
            .zip(params.iter())
            .map(|(g, p)| g + wd * p)
            .collect();
        let grad = &grad[..];
        match self.kind {
            Optimizer::Sgd => {
                for (p, g) in params.iter_mut().zip(grad) {
                    *p -= self.lr * g;
                }
            }
            Optimizer::Momentum => {
                for ((p, g), m) in params.iter_mut().zip(grad).zip(&mut self.m) {
                    *m = 0.9 * *m + g;
                    *p -= self.lr * *m;
                }
            }
            Optimizer::Adam => {
                let (b1, b2, eps) = (0.9_f64, 0.999_f64, 1e-8);
                let c1 = 1.0 - b1.powi(self.t);
                let c2 = 1.0 - b2.powi(self.t);
                for (((p, g), m), v) in params
                    .iter_mut()
                    .zip(grad)
                    .zip(&mut self.m)
                    .zip(&mut self.v)
                {
                    *m = b1 * *m + (1.0 - b1) * g;
                    *v = b2 * *v + (1.0 - b2) * g * g;
                    *p -= self.lr * (*m / c1) / ((*v / c2).sqrt() + eps);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradient_matches_finite_differences() {
        let d = Dataset::iris().unwrap();
        let (mean, std) = d.feature_stats();
        let d = d.standardised(&mean, &std);
        let m = Mlp::new(5, 3);
        let idx: Vec<usize> = (0..150).step_by(7).collect();
        let sub = Dataset {
            x: idx.iter().map(|&i| d.x[i]).collect(),
            y: idx.iter().map(|&i| d.y[i]).collect(),
        };
        let all: Vec<usize> = (0..sub.len()).collect();
        let g = m.gradient(&sub, &all);
        for k in [0, 7, 21, 25, 30, m.params.len() - 1] {
            let mut plus = m.clone();
            plus.params[k] += 1e-6;
            let mut minus = m.clone();
            minus.params[k] -= 1e-6;
            let num = (plus.evaluate(&sub).loss - minus.evaluate(&sub).loss) / 2e-6;
            assert!((num - g[k]).abs() < 1e-5, "param {k}: {num} vs {}", g[k]);
        }
    }

    #[test]
    fn weights_json_has_the_shapes() {
        let m = Mlp::new(8, 1);
        let j = m.to_json();
        assert_eq!(j["w1"].as_array().unwrap().len(), 8);
        assert_eq!(j["w2"].as_array().unwrap()[0].as_array().unwrap().len(), 8);
        assert_eq!(j["b2"].as_array().unwrap().len(), 3);
    }
}
