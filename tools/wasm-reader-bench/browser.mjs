// The same measurement as run.mjs, in headless Chromium (what the dashboard runs in): builds the
// cdylib with `wasm-bindgen --target web`, serves it from 127.0.0.1 and times `decode` in a page.
//
//   node tools/wasm-reader-bench/browser.mjs [steps] [passes]     # needs tests/browser's npm ci
//
// Prints the first call (cold: baseline tier, fresh wasm memory), the median of the next passes, for
// 128 KiB pushes with the size hint (as the dashboard's store feeds a streamed file; NO_HINT=1 without).
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { serveRange } from "../../tests/browser/serve-fixture.mjs";
import { launch, newPage } from "../../tests/browser/browser.mjs";

const here = path.dirname(new URL(import.meta.url).pathname);
const STEPS = Number(process.argv[2] ?? 100_000);
const PASSES = Number(process.argv[3] ?? 5);
const out = path.join(here, "target", "web");
if (!process.env.SKIP_BUILD) {
  execFileSync("cargo", ["build", "--release", "--target", "wasm32-unknown-unknown"], { cwd: here, stdio: "inherit" });
  const wasm = path.join(here, "target", "wasm32-unknown-unknown", "release", "aspara_wasm_reader_bench.wasm");
  execFileSync("wasm-bindgen", ["--target", "web", "--out-dir", out, wasm], { stdio: "inherit" });
  if (process.env.WASM_OPT) {
    const f = path.join(out, "aspara_wasm_reader_bench_bg.wasm");
    execFileSync("wasm-opt", [process.env.WASM_OPT, "--all-features", f, "-o", f], { stdio: "inherit" });
  }
}
fs.writeFileSync(path.join(out, "index.html"), "<!DOCTYPE html><title>bench</title>");
const server = await serveRange(out);
const browser = await launch();
const { page } = await newPage(browser);
await page.goto(server.url);
const result = await page.evaluate(async ({ steps, passes, hint }) => {
  const m = await import("./aspara_wasm_reader_bench.js");
  await m.default();
  const names = Array.from({ length: 10 }, (_, i) => (i < 5 ? `train/m${i}` : `val/m${i}`));
  const parts = [];
  for (let s = 0; s < steps; s++) {
    const v = names.map((n, i) => `"${n}": ${(Math.exp(-s / (steps / 3)) * (1 + i / 10) + 0.01 * Math.sin(s * 0.01)).toString()}`).join(", ");
    parts.push(`{"timestamp": ${1735689600000 + s * 100}, "step": ${s}, "metrics": {${v}}}\n`);
  }
  const bytes = new TextEncoder().encode(parts.join(""));
  m.load(bytes);
  const times = [];
  for (let p = 0; p <= passes; p++) {
    const t = performance.now();
    const got = m.decode(128 << 10, hint);
    times.push(performance.now() - t);
    if (got !== steps * 10) throw new Error(`decoded ${got} points`);
  }
  return { mb: bytes.length / 1e6, first: times[0], rest: times.slice(1).sort((a, b) => a - b) };
}, { steps: STEPS, passes: PASSES, hint: !process.env.NO_HINT });
const med = result.rest[Math.floor(result.rest.length / 2)];
console.log(`chromium, ${result.mb.toFixed(1)} MB, 128 KiB pushes${process.env.NO_HINT ? "" : " + size hint"}: first call ${(result.mb / result.first * 1000).toFixed(0)} MB/s, then median ${(result.mb / med * 1000).toFixed(0)} MB/s (best ${(result.mb / result.rest[0] * 1000).toFixed(0)})`);
await browser.close();
await server.close();
