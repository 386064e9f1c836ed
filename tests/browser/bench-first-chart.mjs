// Benchmark: time to first chart in headless Chromium on a large project, side by side with Python
// Aspara 0.1.0's dashboard on the same data dir, plus wasm downsampling speed and hover redraw time.
//
// Reproduce (from the repo root):
//   scripts/build-dashboard.sh                       # dist/
//   (cd tests/browser && npm ci)                     # playwright-core; Chromium is /usr/bin/chromium
//   pip install 'aspara[dashboard]==0.1.0'           # the Python side (skipped with a note if absent)
//   node tests/browser/bench-first-chart.mjs [steps] [loads]     # defaults: 100000 steps, 5 loads
//
// Data: 5 runs × 10 metrics × `steps` (one record per step carrying all 10 metrics, ≈ 37 MB per run),
// written once to a temp dir. Ours: the dashboard + manifest copied next to it, served over HTTP from
// 127.0.0.1. Python: `aspara dashboard --data-dir DIR --port P` (ASPARA_DATA_DIR set too) on the same
// data dir; its project page selects every run on load.
//
// "First chart" is the time from navigation start (performance.now() in the page) until a chart has
// drawn with data. Ours: a `.chart[data-chart]` reporting `drawn` whose series carry all `steps` points
// (complete data, not a partial decode). Python: the first chart canvas with coloured line pixels
// (≥ 50 strongly saturated pixels; grid and text are grey), polled every animation frame. The same
// pixel probe is also run on ours for an apples-to-apples number. Each is the median of `loads` fresh
// loads (new page each time, HTTP cache off on ours by design).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn, execFileSync } from "node:child_process";
import net from "node:net";
import { makeSite, serveRange } from "./serve-fixture.mjs";
import { launch, newPage } from "./browser.mjs";

const STEPS = Number(process.argv[2] ?? 100_000);
const LOADS = Number(process.argv[3] ?? 5);
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

const median = (xs) => { const v = [...xs].sort((a, b) => a - b); return v.length ? v[Math.floor((v.length - 1) / 2)] : null; };

// Installed before any page script: records when a canvas first shows a coloured line.
const PIXEL_PROBE = () => {
  window.__firstColouredCanvasMs = null;
  const look = () => {
    for (const c of document.querySelectorAll("canvas")) {
      if (!c.width || !c.height) continue;
      let d;
      try { d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data; } catch { continue; }
      let n = 0;
      for (let i = 0; i < d.length; i += 16) {
        const mx = Math.max(d[i], d[i + 1], d[i + 2]), mn = Math.min(d[i], d[i + 1], d[i + 2]);
        if (d[i + 3] > 0 && mx - mn > 80 && ++n >= 50) { window.__firstColouredCanvasMs = performance.now(); return; }
      }
    }
    requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
};

/** Loads `url` in a fresh page; resolves when a chart with complete data (`runs` series of STEPS points) is drawn. */
async function ours(url, { runs = 1, keep = false } = {}) {
  const { page } = await newPage(browser);
  await page.addInitScript(PIXEL_PROBE);
  await page.goto(url, { waitUntil: "commit" });
  const full = ({ n, steps }) => [...document.querySelectorAll(".chart[data-chart]")].some((c) => {
    const s = JSON.parse(c.dataset.chart);
    return s.drawn && s.series.length >= n && s.series.every((x) => x.points === steps);
  });
  await page.waitForFunction(full, { n: 1, steps: STEPS }, { polling: "raf", timeout: 300000 });
  const first = await page.evaluate(() => performance.now());
  let all = null;
  if (runs > 1) {
    await page.waitForFunction(full, { n: runs, steps: STEPS }, { polling: "raf", timeout: 300000 });
    all = await page.evaluate(() => performance.now());
  }
  await page.waitForFunction(() => window.__firstColouredCanvasMs !== null, null, { timeout: 300000 });
  const t = await page.evaluate(() => ({ pixel: window.__firstColouredCanvasMs, ...window.asparaStats }));
  if (!keep) await page.close();
  return { page, first, all, pixel: t.pixel, decodeStart: t.lastDecodeStartMs, decodeEnd: t.lastDecodeEndMs };
}

// 1. One run (10 charts).
const runLoads = [];
for (let i = 0; i < LOADS; i++) runLoads.push(await ours(server.url + "#/projects/bench/runs/run-0"));
results.run_page_first_chart_ms = Math.round(median(runLoads.map((r) => r.first)));
results.run_page_first_chart_all_ms = runLoads.map((r) => Math.round(r.first));
results.run_page_pixel_ms = Math.round(median(runLoads.map((r) => r.pixel)));
results.run_page_decode_start_ms = Math.round(median(runLoads.map((r) => r.decodeStart)));
results.run_page_decode_end_ms = Math.round(median(runLoads.map((r) => r.decodeEnd)));

// 2. Compare all 5 runs: first chart (the first run's data), the first chart holding all 5 runs.
const compareHash = `#/projects/bench/compare?runs=${Array.from({ length: RUNS }, (_, r) => `run-${r}`).join(",")}&size=s`;
const cmpLoads = [];
for (let i = 0; i < LOADS; i++) cmpLoads.push(await ours(server.url + compareHash, { runs: RUNS, keep: i === LOADS - 1 }));
results.compare_first_chart_ms = Math.round(median(cmpLoads.map((r) => r.first)));
results.compare_first_chart_all_ms = cmpLoads.map((r) => Math.round(r.first));
results.compare_all_runs_ms = Math.round(median(cmpLoads.map((r) => r.all)));
results.compare_pixel_ms = Math.round(median(cmpLoads.map((r) => r.pixel)));
const comparePage = cmpLoads[cmpLoads.length - 1].page;

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

// 5. Python Aspara 0.1.0 on the same data dir: its project page (all runs selected on load).
function freePort() {
  return new Promise((resolve) => { const s = net.createServer(); s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); }); });
}
async function python() {
  let exe;
  try { exe = execFileSync("sh", ["-c", "command -v aspara"], { encoding: "utf8" }).trim(); } catch { return { skipped: "the `aspara` command of Python Aspara 0.1.0 is not installed" }; }
  const port = await freePort();
  const child = spawn(exe, ["dashboard", "--data-dir", data, "--port", String(port), "--host", "127.0.0.1"], {
    env: { ...process.env, ASPARA_DATA_DIR: data }, stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  child.stderr.on("data", (b) => { err += b; });
  const url = `http://127.0.0.1:${port}/projects/bench`;
  try {
    for (let i = 0; ; i++) {
      try { const r = await fetch(url); if (r.ok) break; } catch {}
      if (i > 300 || child.exitCode !== null) return { skipped: `Python dashboard did not start: ${err.slice(-300)}` };
      await new Promise((r) => setTimeout(r, 100));
    }
    const loads = [];
    for (let i = 0; i < LOADS; i++) {
      const { page } = await newPage(browser);
      await page.addInitScript(PIXEL_PROBE);
      await page.goto(url, { waitUntil: "commit" });
      await page.waitForFunction(() => window.__firstColouredCanvasMs !== null, null, { timeout: 300000 });
      loads.push(await page.evaluate(() => window.__firstColouredCanvasMs));
      await page.close();
    }
    return { first: Math.round(median(loads)), all: loads.map(Math.round) };
  } finally {
    child.kill("SIGTERM");
  }
}
const py = await python();
if (py.skipped) results.python_skipped = py.skipped;
else { results.python_project_first_chart_ms = py.first; results.python_project_first_chart_all_ms = py.all; }

await browser.close();
await server.close();
for (const d of [site, data]) fs.rmSync(d, { recursive: true, force: true });

const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}×` : "n/a");
const rows = [
  ["data", `${RUNS} runs × ${METRICS} metrics × ${STEPS} steps, ${results.megabytes} MB; median of ${LOADS} loads`],
  ["run page: first chart (full data)", `${results.run_page_first_chart_ms} ms  [${results.run_page_first_chart_all_ms.join(", ")}]`],
  ["run page: first coloured canvas", `${results.run_page_pixel_ms} ms`],
  ["run page: decode start → end", `${results.run_page_decode_start_ms} → ${results.run_page_decode_end_ms} ms`],
  ["compare 5: first chart (1st run)", `${results.compare_first_chart_ms} ms  [${results.compare_first_chart_all_ms.join(", ")}]`],
  ["compare 5: first coloured canvas", `${results.compare_pixel_ms} ms`],
  ["compare 5: a chart with all 5 runs", `${results.compare_all_runs_ms} ms`],
  ["python 0.1.0 project page (5 runs)", py.skipped ? `skipped: ${py.skipped}` : `${py.first} ms  [${py.all.join(", ")}]`],
  ["python ÷ ours (compare, all 5 runs)", ratio(py.first, results.compare_all_runs_ms)],
  ["python ÷ ours (compare, first pixel)", ratio(py.first, results.compare_pixel_ms)],
  ["wasm downsample 1M → ≤2k", `${results.wasm_downsample_1m_to_2k_ms} ms (${results.wasm_downsample_kept} points kept)`],
  ["hover redraw (5 × 100k)", `mean ${results.hover_redraw_mean_ms} ms, max ${results.hover_redraw_max_ms} ms`],
];
console.log("---- summary ----");
for (const [k, v] of rows) console.log(`${k.padEnd(38)} ${v}`);
console.log(JSON.stringify(results));
