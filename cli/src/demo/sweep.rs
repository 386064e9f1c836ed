//! The demo sweep: six training runs of the Iris MLP that differ in optimiser and learning rate, chosen
//! so a dashboard has something real to show: four sane runs that learn, one whose learning rate is far
//! too high and whose loss goes to NaN (the run fails), and one stopped part-way and left `wip`.
//!
//! [`train`] is pure (no files, no clock): it calls back once per epoch, and the caller decides where
//! the numbers go (the writer, in `aspara demo`; a vector, in the tests).

use super::dataset::{Dataset, Rng};
use super::model::{Eval, Mlp, Optimizer, OptimizerState};

/// How one run of the sweep ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Trains every epoch and finishes with exit code 0.
    Complete,
    /// Stops at the given epoch as if the process were killed: never finished, left `wip`.
    InterruptAt(usize),
}

/// One run's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSpec {
    /// Run name.
    pub name: &'static str,
    /// Optimiser.
    pub optimizer: Optimizer,
    /// Learning rate.
    pub lr: f64,
    /// Epochs planned.
    pub epochs: usize,
    /// Hidden units.
    pub hidden: usize,
    /// Mini-batch size.
    pub batch_size: usize,
    /// Coupled L2 weight decay.
    pub weight_decay: f64,
    /// Seed for weights and batch order.
    pub seed: u64,
    /// Run tags.
    pub tags: &'static [&'static str],
    /// How it ends.
    pub ending: Ending,
    /// One line for the run's notes.
    pub notes: &'static str,
}

impl RunSpec {
    /// The run's config, as logged.
    pub fn config(&self) -> serde_json::Map<String, serde_json::Value> {
        let v = serde_json::json!({
            "dataset": "iris",
            "model": "mlp",
            "hidden": self.hidden,
            "activation": "relu",
            "optimizer": self.optimizer.as_str(),
            "lr": self.lr,
            "epochs": self.epochs,
            "batch_size": self.batch_size,
            "weight_decay": self.weight_decay,
            "seed": self.seed,
            "val_fraction": VAL_FRACTION,
        });
        match v {
            serde_json::Value::Object(m) => m,
            _ => serde_json::Map::new(),
        }
    }
}

/// The share of each class held out for validation.
pub const VAL_FRACTION: f64 = 0.2;
/// The seed of the train/validation split (the same for every run, so they are comparable).
pub const SPLIT_SEED: u64 = 20240101;

/// The six runs of `aspara demo`.
pub fn sweep() -> Vec<RunSpec> {
    let base = RunSpec {
        name: "",
        optimizer: Optimizer::Sgd,
        lr: 0.1,
        epochs: 60,
        hidden: 16,
        batch_size: 16,
        weight_decay: 1e-2,
        seed: 1,
        tags: &[],
        ending: Ending::Complete,
        notes: "",
    };
    vec![
        RunSpec {
            name: "sgd-lr0_05",
            lr: 0.05,
            tags: &["sgd", "baseline"],
            notes: "Plain SGD: the baseline.",
            ..base.clone()
        },
        RunSpec {
            name: "momentum-lr0_02",
            optimizer: Optimizer::Momentum,
            lr: 0.02,
            seed: 2,
            tags: &["momentum"],
            notes: "SGD with momentum 0.9.",
            ..base.clone()
        },
        RunSpec {
            name: "adam-lr0_01",
            optimizer: Optimizer::Adam,
            lr: 0.01,
            seed: 3,
            tags: &["adam", "best"],
            notes: "Adam at its usual learning rate.",
            ..base.clone()
        },
        RunSpec {
            name: "adam-lr0_001",
            optimizer: Optimizer::Adam,
            lr: 0.001,
            seed: 4,
            tags: &["adam", "slow"],
            notes: "Adam with a small learning rate: learns, slowly.",
            ..base.clone()
        },
        RunSpec {
            name: "sgd-lr50",
            lr: 50.0,
            seed: 5,
            tags: &["sgd", "diverged"],
            notes: "Learning rate far too high: the loss explodes to NaN and the run fails.",
            ..base.clone()
        },
        RunSpec {
            name: "momentum-lr0_05-interrupted",
            optimizer: Optimizer::Momentum,
            lr: 0.05,
            seed: 6,
            tags: &["momentum", "interrupted"],
            ending: Ending::InterruptAt(25),
            notes: "Stopped at epoch 25 of 60 without finishing: stays wip.",
            ..base
        },
    ]
}

/// One epoch's numbers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpochMetrics {
    /// 0-based epoch, used as the step.
    pub epoch: usize,
    /// Loss and accuracy on the training set (after the epoch's updates).
    pub train: Eval,
    /// Loss and accuracy on the validation set.
    pub val: Eval,
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Every epoch logged.
    pub history: Vec<EpochMetrics>,
    /// The final weights.
    pub model: Mlp,
    /// Whether training stopped because the loss stopped being finite.
    pub diverged: bool,
    /// Whether training stopped at [`Ending::InterruptAt`].
    pub interrupted: bool,
}

/// The split, standardised with the training set's statistics.
pub fn prepare(data: &Dataset) -> (Dataset, Dataset) {
    let (train, val) = data.split(VAL_FRACTION, SPLIT_SEED);
    let (mean, std) = train.feature_stats();
    (
        train.standardised(&mean, &std),
        val.standardised(&mean, &std),
    )
}

/// Trains one run, calling `on_epoch` after every epoch. Stops early, as a real training script would,
/// once the training loss is no longer finite (after logging that epoch, so the NaN is recorded).
pub fn train<E>(
    spec: &RunSpec,
    train: &Dataset,
    val: &Dataset,
    mut on_epoch: impl FnMut(&EpochMetrics) -> Result<(), E>,
) -> Result<Outcome, E> {
    let mut model = Mlp::new(spec.hidden, spec.seed);
    let mut opt = OptimizerState::new(
        spec.optimizer,
        spec.lr,
        spec.weight_decay,
        model.params.len(),
    );
    let mut rng = Rng::new(spec.seed.wrapping_mul(0x9E37_79B9));
    let mut order: Vec<usize> = (0..train.len()).collect();
    let mut history = Vec::new();
    let (mut diverged, mut interrupted) = (false, false);
    for epoch in 0..spec.epochs {
        if spec.ending == Ending::InterruptAt(epoch) {
            interrupted = true;
            break;
        }
        rng.shuffle(&mut order);
        for batch in order.chunks(spec.batch_size.max(1)) {
            let g = model.gradient(train, batch);
            opt.step(&mut model.params, &g);
        }
        let m = EpochMetrics {
            epoch,
            train: model.evaluate(train),
            val: model.evaluate(val),
        };
        on_epoch(&m)?;
        history.push(m);
        if !m.train.loss.is_finite() {
            diverged = true;
            break;
        }
    }
    Ok(Outcome {
        history,
        model,
        diverged,
        interrupted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;

    fn run(name: &str) -> Outcome {
        let data = Dataset::iris().unwrap();
        let (tr, va) = prepare(&data);
        let spec = sweep().into_iter().find(|s| s.name == name).unwrap();
        train(&spec, &tr, &va, |_| Ok::<(), Infallible>(())).unwrap()
    }

    #[test]
    fn sane_runs_learn_iris() {
        for name in [
            "sgd-lr0_05",
            "momentum-lr0_02",
            "adam-lr0_01",
            "adam-lr0_001",
        ] {
            let o = run(name);
            let first = o.history.first().unwrap();
            let last = o.history.last().unwrap();
            assert_eq!(o.history.len(), 60, "{name}");
            assert!(!o.diverged && !o.interrupted, "{name}");
            assert!(
                last.train.loss < first.train.loss,
                "{name}: loss did not decrease"
            );
            assert!(
                last.val.loss < first.val.loss,
                "{name}: val loss did not decrease"
            );
            assert!(last.val.acc > 0.8, "{name}: val acc {}", last.val.acc);
        }
    }

    #[test]
    fn adam_at_its_usual_rate_reaches_high_accuracy() {
        let o = run("adam-lr0_01");
        let last = o.history.last().unwrap();
        assert!(last.train.acc > 0.95, "train acc {}", last.train.acc);
        assert!(last.val.acc >= 0.9, "val acc {}", last.val.acc);
        assert!(last.train.loss < 0.15, "train loss {}", last.train.loss);
    }

    #[test]
    fn too_high_learning_rate_diverges_to_nan() {
        let o = run("sgd-lr50");
        assert!(o.diverged);
        let last = o.history.last().unwrap();
        assert!(last.train.loss.is_nan(), "last loss {}", last.train.loss);
        assert!(o.history.len() < 60);
        assert!(o.history[0].train.loss.is_finite());
    }

    #[test]
    fn interrupted_run_stops_at_its_epoch() {
        let o = run("momentum-lr0_05-interrupted");
        assert!(o.interrupted && !o.diverged);
        assert_eq!(o.history.len(), 25);
        assert!(o.history[24].train.loss < o.history[0].train.loss);
    }

    #[test]
    fn sweep_names_are_valid_run_names() {
        for s in sweep() {
            assert!(aspara::format::names::is_valid_name(s.name), "{}", s.name);
        }
    }
}
