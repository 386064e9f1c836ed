// Chart cases from the bug log, served over HTTP: B01 (NaN gap), B04 (overlay with a run that has
// no finite value), B26 (`/` in names, deep links), B27 (names with . [ ] : \ and spaces), B33 (log
// axis with non-positive values).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { makeSite, serve, casesDir } from "./serve-fixture.mjs";
import { launch, newPage, chartsDrawn, chartState } from "./browser.mjs";

const data = (c) => path.join(casesDir, c, "data");
let site, server, browser;

before(async () => {
  site = makeSite({
    dataDirs: ["B01-nan-gap", "B04-overlay-nonfinite-run", "B26-slash-in-metric-name", "B27-special-chars-metric-name", "B33-log-axis-nonpositive"].map(data),
  });
  server = await serve(site);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (site) fs.rmSync(site, { recursive: true, force: true });
});

test("b01_nan_gap: one non-finite point at step 1 for each spelling", async () => {
  for (const run of ["nan-token", "nan-string", "nan-null"]) {
    const { page } = await newPage(browser);
    await page.goto(`${server.url}#/projects/nan_gap/runs/${run}`);
    await chartsDrawn(page, 1);
    const s = (await page.$$eval(".chart[data-chart]", (cs) => cs.map((c) => JSON.parse(c.dataset.chart))))[0];
    assert.equal(s.series[0].points, 3, run);
    assert.equal(s.series[0].nonfinite, 1, run);
    assert.equal(s.series[0].first_nonfinite_step, 1, run);
    await page.close();
  }
});

test("b04_overlay_nonfinite_run: the run without finite values is listed with a note", async () => {
  const { page } = await newPage(browser);
  await page.goto(`${server.url}#/projects/overlay/compare?runs=run-a,run-b`);
  await chartsDrawn(page, 1);
  await page.waitForFunction(() => document.querySelectorAll(".legend-entry").length === 2 && !document.querySelector(".legend").textContent.includes("loading"));
  const notes = await page.$$eval(".legend-entry", (es) => es.map((e) => [e.querySelector(".legend-label").textContent, e.querySelector(".legend-note")?.textContent ?? null]));
  assert.deepEqual(notes, [["run-a", null], ["run-b", "no finite values"]]);
  await page.close();
});

test("b26_slash_in_metric_name: charts, deep link and prefix groups keep the exact key", async () => {
  const { page } = await newPage(browser);
  await page.goto(`${server.url}#/projects/slash_names/runs/run1?metric=train%2Floss`);
  await chartsDrawn(page, 2);
  assert.equal((await chartState(page, "train/loss")).series[0].points, 2);
  assert.equal((await chartState(page, "val/loss")).series[0].points, 2);
  assert.equal(await page.$eval(".chart-cell.focused canvas", (c) => c.getAttribute("aria-label")), "train/loss");
  assert.deepEqual(await page.$$eval(".group-title", (g) => g.map((x) => x.textContent)), ["train/", "val/"]);
  await page.fill("#metric-search", "train/");
  await page.waitForFunction(() => location.hash.includes("m=train%2F"));
  await page.close();
});

test("b27_special_chars_metric_name: three non-empty charts with exact labels, selector-safe ids", async () => {
  const { page } = await newPage(browser);
  await page.goto(`${server.url}#/projects/special_names/runs/run1`);
  await chartsDrawn(page, 3);
  const titles = await page.$$eval(".chart[data-chart]", (cs) => cs.map((c) => JSON.parse(c.dataset.chart)).map((s) => [s.title, s.series[0].points]));
  assert.deepEqual(titles.sort(), [["a[0]", 2], ["b\\c", 2], ["profiling/Time taken: Trainer.compute_loss", 2]]);
  const ids = await page.$$eval(".chart-cell", (cs) => cs.map((c) => c.id));
  for (const id of ids) assert.ok(await page.$(`#${id}`), `querySelector works for ${id}`);
  await page.close();
});

test("b33_log_axis_nonpositive: log axis hides 2 values with a note, linear shows all", async () => {
  const { page } = await newPage(browser);
  await page.goto(`${server.url}#/projects/log_axis/runs/run1?y=log`);
  await chartsDrawn(page, 1);
  let s = (await page.$$eval(".chart[data-chart]", (cs) => cs.map((c) => JSON.parse(c.dataset.chart))))[0];
  assert.ok(s.notes.includes("2 non-positive values hidden"), JSON.stringify(s.notes));
  await page.selectOption("#y-scale", "lin");
  await page.waitForFunction(() => JSON.parse(document.querySelector(".chart[data-chart]").dataset.chart).notes.length === 0);
  s = (await page.$$eval(".chart[data-chart]", (cs) => cs.map((c) => JSON.parse(c.dataset.chart))))[0];
  assert.equal(s.series[0].points, 5);
  await page.close();
});
