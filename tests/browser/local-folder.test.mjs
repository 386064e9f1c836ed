// No server data: the dashboard served alone (or opened from file://) and a folder opened in it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { makeSite, serve, fixtureDir, distDir, requireDist } from "./serve-fixture.mjs";
import { launch, newPage, chartsDrawn, chartState } from "./browser.mjs";

let site, server, browser;

before(async () => {
  site = makeSite({ dataDirs: [], manifest: false });
  server = await serve(site);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (site) fs.rmSync(site, { recursive: true, force: true });
});

test("without a manifest the landing explains the two ways and the folder picker loads the fixture", async () => {
  const { page } = await newPage(browser);
  await page.goto(server.url);
  await page.waitForSelector("#source-error");
  assert.match(await page.textContent("#source-error"), /aspara-index\.json: HTTP 404/);
  assert.match(await page.textContent(".ways"), /aspara index --data-dir <dir>/);
  await page.setInputFiles("#folder-input", fixtureDir);
  await page.waitForSelector(".project-card");
  const names = await page.$$eval(".project-card", (cs) => cs.map((c) => c.dataset.project));
  assert.deepEqual(names, ["nlp_demo", "vision-demo"]);
  assert.match(await page.textContent(".source"), /folder aspara-py-0\.1\.0/);
  // The same run table and statuses as over HTTP, and charts from the local files.
  await page.click('[data-project="vision-demo"]');
  await page.waitForFunction(() => document.querySelectorAll("tr.run-row").length === 3);
  const rows = await page.$$eval("tr.run-row", (rs) => rs.map((r) => [r.dataset.run, r.querySelector("[data-status]").dataset.status]));
  assert.deepEqual(Object.fromEntries(rows), { "resnet-baseline": "completed", "resnet-lr-high": "failed", "brave-dolphin-997": "completed" });
  await page.click('tr[data-run="resnet-lr-high"] a');
  await chartsDrawn(page, 3);
  const s = await chartState(page, "train/loss");
  assert.equal(s.series[0].points, 200);
  assert.equal(s.series[0].first_nonfinite_step, 150);
  await page.close();
});

test("opened from file:// the page says why and how", async () => {
  requireDist();
  const { page } = await newPage(browser);
  await page.goto(pathToFileURL(path.join(distDir, "index.html")).href);
  await page.waitForSelector("#file-protocol-note", { timeout: 10000 });
  assert.match(await page.textContent("#file-protocol-note"), /file:\/\//);
  const text = await page.textContent(".landing");
  assert.match(text, /aspara serve/);
  await page.close();
});
