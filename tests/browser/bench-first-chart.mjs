// Benchmark: time to first chart in headless Chromium on a large project, wasm downsampling speed,
// and hover redraw time. `node tests/browser/bench-first-chart.mjs [steps]` after building the
// dashboard. Prints a table and a JSON line.
//
// Data: 5 runs × 10 metrics × 100k steps (one record per step carrying all 10 metrics, ≈ 25 MB per
// run), written once to a temp dir and served over HTTP from 127.0.0.1.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { makeSite, serveRange } from "./serve-fixture.mjs";
import { launch, newPage } from "./browser.mjs";

const STEPS = Number(process.argv[2] ?? 100_000);
const RUNS = 5, METRICS = 10;
const names = Array.from({ length: METRICS }, (_, i) => (i < 5 ? `train/m${i}` : `val/m${i}`));

function generate() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aspara-bench-"));
  const p = path.join(dir, "bench");
  fs.mkdirSync(p);
  fs.writeFileSync(path.join(p, "metadata.json"), '{"notes": "", "tags": ["bench"], "created_at": null, "updated_at": null}');
  const t0 = 1735689600000;
  let bytes = 0;
  for (let r = 0; r < RUNS; r++) {
    const name = `run-${r}`;
    fs.writeFileSync(path.join(p, `${name}.meta.json`), JSON.stringify({
      run_id: `r${r}`, tags: [], notes: "", params: {}, config: { lr: 0.001 * (r + 1) }, artifacts: [], summary: {},
      is_finished: true, exit_code: 0, status: "completed", start_time: t0, finish_time: t0 + STEPS * 100,
    }));
    const fd = fs.openSync(path.join(p, `${name}.jsonl`), "w");
    let buf = "";
    for (let s = 0; s < STEPS; s++) {
      const m = names.map((n, i) => `"${n}": ${(Math.exp(-s / (STEPS / 3)) * (1 + i / 10) + 0.01 * Math.sin(s * 0.01 + r)).toString()}`).join(", ");
      buf += `{"timestamp": ${t0 + s * 100}, "step": ${s}, "metrics": {${m}}}\n`;
      if (buf.length > 1 << 20) { bytes += fs.writeSync(fd, buf); buf = ""; }
    }
    bytes += fs.writeSync(fd, buf);
    fs.closeSync(fd);
  }
  return { dir, bytes };
}

const { dir: data, bytes } = generate();
const site = makeSite({ dataDirs: [data] });
const server = await serveRange(site);
const browser = await launch();
const results = { steps: STEPS, runs: RUNS, metrics: METRICS, megabytes: +(bytes / 1e6).toFixed(1) };

async function firstChart(hash, all) {
  const { page } = await newPage(browser);
  await page.goto(server.url + hash, { waitUntil: "commit" });
  await page.waitForFunction(() => [...document.querySelectorAll(".chart[data-chart]")].some((c) => JSON.parse(c.dataset.chart).drawn),
    null, { polling: "raf", timeout: 300000 });
  const first = await page.evaluate(() => performance.now());
  let allMs = null;
  if (all) {
    await page.waitForFunction((n) => [...document.querySelectorAll(".chart[data-chart]")].filter((c) => JSON.parse(c.dataset.chart).drawn).length >= n,
      all, { polling: "raf", timeout: 300000 });
    allMs = await page.evaluate(() => performance.now());
  }
  return { page, first, allMs };
}

// 1. One run (25 MB, 10 charts).
{
  const { page, first } = await firstChart("#/projects/bench/runs/run-0");
  results.run_page_first_chart_ms = Math.round(first);
  await page.close();
}
// 2. Compare all 5 runs (125 MB): first chart and every chart on screen.
let comparePage;
{
  const { page, first, allMs } = await firstChart(`#/projects/bench/compare?runs=${Array.from({ length: RUNS }, (_, r) => `run-${r}`).join(",")}&size=s`, 4);
  results.compare_first_chart_ms = Math.round(first);
  results.compare_four_charts_ms = Math.round(allMs);
  comparePage = page;
}
// 3. Downsampling in wasm: 1M points → 1000 px (≤ 2 points per pixel).
results.wasm_downsample_1m_to_2k_ms = +(await comparePage.evaluate(() => window.wasmBindings.bench_downsample(1_000_000, 1000, 20))).toFixed(2);
results.wasm_downsample_kept = await comparePage.evaluate(() => window.asparaStats.lastDownsampleKept);
// 4. Hover redraw on a 5-run chart (5 × 100k points, smoothing on): mean and max of 30 moves.
{
  const page = comparePage;
  const box = await (await page.$(".chart canvas")).boundingBox();
  const times = [];
  for (let i = 0; i < 30; i++) {
    await page.evaluate(() => { window.asparaStats.lastDrawMs = -1; });
    await page.mouse.move(box.x + box.width * (0.2 + 0.02 * i), box.y + box.height * 0.5);
    await page.waitForFunction(() => window.asparaStats.lastDrawMs >= 0, null, { polling: "raf" });
    times.push(await page.evaluate(() => window.asparaStats.lastDrawMs));
  }
  results.hover_redraw_mean_ms = +(times.reduce((a, b) => a + b, 0) / times.length).toFixed(2);
  results.hover_redraw_max_ms = +Math.max(...times).toFixed(2);
  await page.close();
}

await browser.close();
await server.close();
for (const d of [site, data]) fs.rmSync(d, { recursive: true, force: true });

const rows = [
  ["data", `${RUNS} runs × ${METRICS} metrics × ${STEPS} steps, ${results.megabytes} MB`],
  ["run page: first chart", `${results.run_page_first_chart_ms} ms`],
  ["compare 5 runs: first chart", `${results.compare_first_chart_ms} ms`],
  ["compare 5 runs: 4 charts drawn", `${results.compare_four_charts_ms} ms`],
  ["wasm downsample 1M → ≤2k", `${results.wasm_downsample_1m_to_2k_ms} ms (${results.wasm_downsample_kept} points kept)`],
  ["hover redraw (5 × 100k)", `mean ${results.hover_redraw_mean_ms} ms, max ${results.hover_redraw_max_ms} ms`],
];
for (const [k, v] of rows) console.log(`${k.padEnd(32)} ${v}`);
console.log(JSON.stringify(results));
