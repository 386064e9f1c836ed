// The dashboard served over HTTP from a copy of the Python Aspara 0.1.0 fixture.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { makeSite, serve } from "./serve-fixture.mjs";
import { launch, newPage, chartsDrawn, chartState, colourPixels, hexToRgb } from "./browser.mjs";

let site, server, browser;

before(async () => {
  site = makeSite();
  server = await serve(site);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (site) fs.rmSync(site, { recursive: true, force: true });
});

async function open(hash) {
  const p = await newPage(browser);
  await p.page.goto(server.url + hash);
  return p;
}

test("projects page lists the 2 projects with run counts and tags", async () => {
  const { page, problems } = await open("#/");
  await page.waitForSelector(".project-card");
  const cards = await page.$$eval(".project-card", (cs) =>
    cs.map((c) => ({ name: c.dataset.project, runs: c.querySelector(".run-count").textContent, tags: [...c.querySelectorAll(".tag")].map((t) => t.textContent) })));
  assert.deepEqual(cards.map((c) => c.name), ["nlp_demo", "vision-demo"]);
  assert.deepEqual(cards.map((c) => c.runs), ["3 runs", "3 runs"]);
  await page.waitForFunction(() => document.querySelectorAll(".project-card .tag").length >= 2);
  const vision = await page.$eval('[data-project="vision-demo"]', (c) => [...c.querySelectorAll(".tag")].map((t) => t.textContent));
  assert.deepEqual(vision, ["cv", "demo"]);
  // Search over names and tags.
  await page.fill("#project-search", "cv");
  await page.waitForFunction(() => document.querySelectorAll(".project-card").length === 1);
  assert.equal(await page.$eval(".project-card", (c) => c.dataset.project), "vision-demo");
  assert.deepEqual(problems.errors, []);
  await page.close();
});

test("vision-demo lists 3 runs with their statuses", async () => {
  const { page, problems } = await open("#/projects/vision-demo");
  await page.waitForFunction(() => document.querySelectorAll("tr.run-row").length === 3);
  const rows = await page.$$eval("tr.run-row", (rs) => rs.map((r) => [r.dataset.run, r.querySelector("[data-status]").dataset.status]));
  assert.deepEqual(Object.fromEntries(rows), {
    "resnet-baseline": "completed",
    "resnet-lr-high": "failed",
    "brave-dolphin-997": "completed",
  });
  assert.deepEqual(problems.errors, []);
  await page.close();
});

test("status:failed leaves exactly one run; an invalid query shows its error and filters nothing", async () => {
  const { page } = await open("#/projects/vision-demo");
  await page.waitForFunction(() => document.querySelectorAll("tr.run-row").length === 3);
  await page.fill(".filter-input", "status:failed");
  await page.waitForFunction(() => document.querySelectorAll("tr.run-row").length === 1);
  assert.equal(await page.$eval("tr.run-row", (r) => r.dataset.run), "resnet-lr-high");
  assert.match(await page.evaluate(() => location.hash), /q=status%3Afailed/);
  await page.fill(".filter-input", "config.lr<abc");
  await page.waitForSelector(".filter-error");
  assert.equal(await page.textContent(".filter-error"), "'<' needs a number, got 'abc' (at character 0)");
  assert.equal(await page.$$eval("tr.run-row", (r) => r.length), 3);
  await page.fill(".filter-input", "config.optimizer=adam or tag:lr-sweep");
  await page.waitForFunction(() => document.querySelectorAll("tr.run-row").length === 2);
  await page.close();
});

test("selecting two runs and comparing draws two lines in their colours", async () => {
  const { page, problems } = await open("#/projects/vision-demo");
  await page.waitForFunction(() => document.querySelectorAll("tr.run-row").length === 3);
  await page.check('tr[data-run="resnet-baseline"] input[type=checkbox]');
  await page.check('tr[data-run="resnet-lr-high"] input[type=checkbox]');
  await page.click("#compare-button");
  await page.waitForFunction(() => location.hash.startsWith("#/projects/vision-demo/compare?runs=resnet-baseline,resnet-lr-high"));
  await chartsDrawn(page, 3);
  const s = await chartState(page, "val/loss");
  assert.deepEqual(s.series.map((x) => x.label), ["resnet-baseline", "resnet-lr-high"]);
  assert.deepEqual(s.series.map((x) => x.points), [200, 200]);
  const [c1, c2] = s.series.map((x) => x.color);
  assert.notEqual(c1, c2);
  const px = await colourPixels(page, "val/loss", [hexToRgb(c1), hexToRgb(c2)], 30);
  assert.ok(px[0] > 150 && px[1] > 150, `both colours drawn: ${px}`);
  // The legend and the table use the same colours (one colour per run everywhere).
  const legend = await page.$$eval(".legend-entry", (es) => es.map((e) => e.dataset.color));
  assert.deepEqual(legend, [c1, c2]);
  // "differences only" hides equal keys (batch_size is 64 in both).
  const keys = () => page.$$eval("table.diff td.k", (t) => t.map((x) => x.textContent));
  assert.ok((await keys()).includes("/batch_size"));
  await page.check("#diff-only");
  await page.waitForFunction(() => ![...document.querySelectorAll("table.diff td.k")].some((t) => t.textContent === "/batch_size"));
  assert.deepEqual(await keys(), ["/lr", "/optimizer", "/layers/0", "/layers/1", "/layers/2", "/epochs"]);
  assert.deepEqual(problems.errors, []);
  await page.close();
});

test("resnet-lr-high shows NaN markers from step 150", async () => {
  const { page } = await open("#/projects/vision-demo/runs/resnet-lr-high");
  await chartsDrawn(page, 3);
  const s = await chartState(page, "train/loss");
  assert.equal(s.series[0].first_nonfinite_step, 150);
  assert.equal(s.series[0].nonfinite, 50);
  // Markers sit on the bottom edge right of step 150: count marker-coloured pixels there.
  const colour = hexToRgb(s.series[0].color);
  const [right, left] = await page.evaluate(({ colour }) => {
    const chart = [...document.querySelectorAll(".chart[data-chart]")].find((c) => JSON.parse(c.dataset.chart).title === "train/loss");
    const cv = chart.querySelector("canvas");
    const { data, width, height } = cv.getContext("2d").getImageData(0, 0, cv.width, cv.height);
    let right = 0, left = 0;
    for (let y = Math.floor(height * 0.6); y < height; y++) for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      if (Math.abs(data[i] - colour[0]) + Math.abs(data[i + 1] - colour[1]) + Math.abs(data[i + 2] - colour[2]) < 40) {
        if (x > width * 0.72) right++; else left++;
      }
    }
    return [right, left];
  }, { colour });
  assert.ok(right > 50, `markers right of step 150: ${right} (left ${left})`);
  // The load report names the NaN values.
  assert.match(await page.textContent(".load-report"), /train\/loss: non-finite values \(50 NaN\)/);
  await page.close();
});

test("a deep link restores smoothing, log scale, size and the compared runs", async () => {
  const { page } = await open("#/projects/vision-demo/compare?runs=resnet-lr-high,brave-dolphin-997&s=0.9&y=log&size=l&m=loss&metric=val%2Floss");
  await chartsDrawn(page, 2);
  assert.equal(await page.inputValue("#smoothing"), "0.9");
  assert.equal(await page.textContent("#smoothing-value"), "0.900");
  assert.equal(await page.inputValue("#y-scale"), "log");
  assert.equal(await page.getAttribute('.seg[data-size="L"]', "class"), "seg on");
  // Metric search "loss" keeps the two loss charts only; each is 1040 px wide (size L).
  const titles = await page.$$eval(".chart[data-chart]", (cs) => cs.map((c) => JSON.parse(c.dataset.chart).title));
  assert.deepEqual(titles.sort(), ["train/loss", "val/loss"]);
  const width = await page.$eval(".chart canvas", (c) => c.getBoundingClientRect().width);
  assert.equal(width, 1040);
  const s = await chartState(page, "val/loss");
  assert.deepEqual(s.series.map((x) => x.label), ["resnet-lr-high", "brave-dolphin-997"]);
  // The focused metric (B26: train%2Floss style encoding) is highlighted.
  assert.equal(await page.$$eval(".chart-cell.focused .chart", (c) => JSON.parse(c[0].dataset.chart).title), "val/loss");
  // Changing a setting writes it back into the hash.
  await page.selectOption("#y-scale", "lin");
  await page.waitForFunction(() => !location.hash.includes("y=log"));
  assert.match(await page.evaluate(() => location.hash), /s=0\.9/);
  await page.close();
});

test("run page: config tree, notes, summary and artifact download link", async () => {
  const { page, problems } = await open("#/projects/vision-demo/runs/resnet-baseline");
  await page.waitForSelector(".artifacts li");
  const link = await page.$eval(".artifact-link", (a) => ({ href: a.getAttribute("href"), download: a.getAttribute("download") }));
  assert.equal(link.download, "config.yaml");
  assert.equal(link.href, "./vision-demo/resnet-baseline/artifacts/config.yaml");
  const res = await page.request.get(new URL(link.href, server.url).href);
  assert.equal(res.status(), 200);
  assert.ok((await page.textContent(".summary")).includes("final_acc"));
  assert.ok((await page.$$eval(".config [data-pointer]", (e) => e.map((x) => x.dataset.pointer))).includes("/layers/1"));
  assert.deepEqual(problems.errors, []);
  await page.close();
});

test("export CSV and SVG of a chart; B26 names stay exact", async () => {
  const { page } = await open("#/projects/vision-demo/compare?runs=resnet-baseline,resnet-lr-high&metric=train%2Floss");
  await chartsDrawn(page, 3);
  const chart = page.locator(".chart", { has: page.locator('canvas[aria-label="train/loss"]') });
  await chart.hover();
  const [csv] = await Promise.all([page.waitForEvent("download"), chart.locator('button:has-text("CSV")').click()]);
  assert.equal(csv.suggestedFilename(), "train_loss.csv");
  const text = fs.readFileSync(await csv.path(), "utf8");
  const lines = text.trimEnd().split("\n");
  assert.equal(lines[0], "series,step,value");
  assert.equal(lines.length, 1 + 400);
  assert.equal(lines[1], '"resnet-baseline",0,2.3499999999999996');
  assert.ok(lines.includes('"resnet-lr-high",150,NaN'));
  const [svg] = await Promise.all([page.waitForEvent("download"), chart.locator('button:has-text("SVG")').click()]);
  const svgText = fs.readFileSync(await svg.path(), "utf8");
  assert.match(svgText, /^<svg/);
  assert.match(svgText, />\s*train\/loss\s*</);
  const [png] = await Promise.all([page.waitForEvent("download"), chart.locator('button:has-text("PNG")').click()]);
  assert.equal(fs.readFileSync(await png.path()).subarray(1, 4).toString(), "PNG");
  await page.close();
});

test("drag to zoom writes the range into the URL; double-click resets", async () => {
  const { page } = await open("#/projects/vision-demo/runs/resnet-baseline");
  await chartsDrawn(page, 3);
  await page.locator('canvas[aria-label="val/loss"]').scrollIntoViewIfNeeded();
  const box = await page.locator('canvas[aria-label="val/loss"]').boundingBox();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.7, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction(() => location.hash.includes("zoom="));
  const [lo, hi] = (await page.evaluate(() => location.hash)).match(/zoom=([^&]+)/)[1].split(",").map(Number);
  assert.ok(lo > 20 && hi < 150 && lo < hi, `zoom ${lo}..${hi}`);
  // Every chart of the page shares the zoomed x range, and it survives a reload.
  await page.reload();
  await chartsDrawn(page, 3);
  assert.ok(await page.isVisible('button:has-text("Reset zoom")'));
  await page.dblclick('canvas[aria-label="val/loss"]');
  await page.waitForFunction(() => !location.hash.includes("zoom="));
  await page.close();
});
