// Metrics-reader throughput in wasm32 (node), on the lines bench-first-chart.mjs generates: one run of
// 10 metrics × `steps` records (≈ 37 MB at 100k steps), values from JS `Number#toString`.
//
//   node tools/wasm-reader-bench/run.mjs [steps] [passes]      # defaults: 100000 steps, 5 passes
//
// Builds the cdylib for wasm32-unknown-unknown (the repo's .cargo/config.toml applies, as it does to
// the dashboard), runs wasm-bindgen
// (--target nodejs), optionally wasm-opt (WASM_OPT=-O3 and `wasm-opt` on PATH), then times
// `decode` with one push and with 128 KiB pushes (the dashboard's piece size); PIECES=131072,0 picks
// the piece sizes and their order (0 = one push); NO_HINT=1 decodes without `Decoder::size_hint`.
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";

const here = path.dirname(new URL(import.meta.url).pathname);
const STEPS = Number(process.argv[2] ?? 100_000);
const PASSES = Number(process.argv[3] ?? 5);
const out = path.join(here, "target", "pkg");
const env = { ...process.env };
if (!process.env.SKIP_BUILD) {
  execFileSync("cargo", ["build", "--release", "--target", "wasm32-unknown-unknown"], { cwd: here, stdio: "inherit", env });
  const wasm = path.join(here, "target", "wasm32-unknown-unknown", "release", "aspara_wasm_reader_bench.wasm");
  execFileSync("wasm-bindgen", ["--target", "nodejs", "--out-dir", out, wasm], { stdio: "inherit" });
  if (process.env.WASM_OPT) {
    const f = path.join(out, "aspara_wasm_reader_bench_bg.wasm");
    execFileSync("wasm-opt", [process.env.WASM_OPT, "--enable-simd", "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext", "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue", f, "-o", f], { stdio: "inherit" });
  }
}
const require = createRequire(import.meta.url);
const bench = require(path.join(out, "aspara_wasm_reader_bench.js"));

const names = Array.from({ length: 10 }, (_, i) => (i < 5 ? `train/m${i}` : `val/m${i}`));
const t0 = 1735689600000;
const parts = [];
for (let s = 0; s < STEPS; s++) {
  const m = names.map((n, i) => `"${n}": ${(Math.exp(-s / (STEPS / 3)) * (1 + i / 10) + 0.01 * Math.sin(s * 0.01)).toString()}`).join(", ");
  parts.push(`{"timestamp": ${t0 + s * 100}, "step": ${s}, "metrics": {${m}}}\n`);
}
const bytes = Buffer.from(parts.join(""));
const mb = bytes.length / 1e6;
bench.load(bytes);
if (Number(process.env.PREGROW)) {
  const t = performance.now();
  if (process.env.UNTOUCHED) bench.pregrow_untouched(Number(process.env.PREGROW));
  else bench.pregrow(Number(process.env.PREGROW));
  console.log(`pregrow ${process.env.PREGROW} MiB${process.env.UNTOUCHED ? " untouched" : ""}: ${(performance.now() - t).toFixed(0)} ms`);
}
const size = fs.statSync(path.join(out, "aspara_wasm_reader_bench_bg.wasm")).size;
console.log(`wasm ${size} bytes; data ${mb.toFixed(1)} MB, ${STEPS} records × 10 metrics`);
for (const piece of (process.env.PIECES ?? `0,${128 << 10}`).split(",").map(Number)) {
  const want = STEPS * 10;
  // The first call runs in V8's baseline tier (Liftoff) until the functions tier up: what a page
  // loading its first run sees.
  const f0 = performance.now();
  const got = bench.decode(piece, !process.env.NO_HINT);
  const first = performance.now() - f0;
  if (got !== want) throw new Error(`decoded ${got} points, want ${want}`);
  const times = [];
  for (let p = 0; p < PASSES; p++) {
    const t = performance.now();
    bench.decode(piece, !process.env.NO_HINT);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const med = times[Math.floor(times.length / 2)];
  console.log(`push ${piece === 0 ? "whole" : piece / 1024 + " KiB"}: first call ${(mb / first * 1000).toFixed(0)} MB/s (memory ${(bench.memory_bytes() / 1e6).toFixed(0)} MB), then median ${med.toFixed(0)} ms = ${(mb / med * 1000).toFixed(0)} MB/s (best ${(mb / times[0] * 1000).toFixed(0)})`);
}
