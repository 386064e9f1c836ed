//! Measurement hooks for the benchmark script (`tests/browser/bench-first-chart.mjs`): exported to
//! JavaScript as `window.wasmBindings.*`, and a `window.asparaStats` object that the chart updates
//! with its last draw time and the store with when the last metrics decode started and ended. Nothing here is used by the pages.

use wasm_bindgen::prelude::*;

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// Downsamples a generated `n`-point series (one spike in the middle) to `width_px` pixels `reps`
/// times in wasm; returns the mean ms per call and, as a check, the kept point count via
/// `asparaStats.lastDownsampleKept`.
#[wasm_bindgen]
pub fn bench_downsample(n: u32, width_px: u32, reps: u32) -> f64 {
    let n = n as usize;
    let x: Vec<f64> = (0..n).map(|i| i as f64).collect();
    let y: Vec<f64> = (0..n)
        .map(|i| {
            if i == n / 2 {
                1000.0
            } else {
                1.0 + (i as f64 * 0.001).sin()
            }
        })
        .collect();
    let reps = reps.max(1);
    let t = now();
    let mut kept = 0;
    for _ in 0..reps {
        kept = aspara_charts::downsample::downsample(&x, &y, None, width_px).len();
    }
    let ms = (now() - t) / f64::from(reps);
    record("lastDownsampleKept", kept as f64);
    ms
}

/// Records a number on `window.asparaStats` (created on first use).
pub fn record(key: &str, value: f64) {
    let Some(w) = web_sys::window() else { return };
    let stats = js_sys::Reflect::get(&w, &JsValue::from_str("asparaStats"))
        .ok()
        .filter(|v| v.is_object())
        .unwrap_or_else(|| {
            let o = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&w, &JsValue::from_str("asparaStats"), &o);
            o.into()
        });
    let _ = js_sys::Reflect::set(&stats, &JsValue::from_str(key), &JsValue::from_f64(value));
}

/// Milliseconds since page start (for draw timing).
pub fn now_ms() -> f64 {
    now()
}
