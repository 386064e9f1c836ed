// `aspara publish` end to end: publish a copy of the Python Aspara 0.1.0 fixture, serve the site with
// a plain static server under a SUB-PATH (`/site/`, like a GitHub Pages project site) and open it in
// headless Chromium. Proves the published site is self-contained and uses relative URLs only.
//
// The binary: `$ASPARA_BIN` if set, else `cargo build -p aspara-cli` and `target/debug/aspara`. It
// embeds `dist/` when it is compiled, so build the dashboard first (scripts/build-dashboard.sh); the
// test checks that the published assets are the ones in dist/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fixtureDir, distDir, repoRoot, requireDist, serve } from "./serve-fixture.mjs";
import { launch, newPage, chartsDrawn } from "./browser.mjs";

/** The `aspara` binary to test: the one place that decides its path. */
function asparaBin() {
  if (process.env.ASPARA_BIN) return process.env.ASPARA_BIN;
  execFileSync("cargo", ["build", "--quiet", "-p", "aspara-cli"], { cwd: repoRoot, stdio: ["ignore", "ignore", "inherit"] });
  const target = process.env.CARGO_TARGET_DIR ?? path.join(repoRoot, "target");
  return path.join(target, "debug", "aspara");
}

let tmp, server, browser, bin;

/** Publishes a fresh copy of the fixture into `<tmp>/<name>`; returns the command's stdout. */
function publish(name, extra = []) {
  const data = path.join(tmp, `data-${name}`);
  fs.cpSync(fixtureDir, data, { recursive: true });
  return execFileSync(bin, ["publish", "--data-dir", data, "--out", path.join(tmp, name), ...extra], { encoding: "utf8" });
}

before(async () => {
  requireDist();
  bin = asparaBin();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aspara-publish-"));
  publish("site");
  publish("one", ["--project", "vision-demo"]);
  // Serve the parent: the sites live at /site/ and /one/, never at the server root.
  server = await serve(tmp);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

async function open(url) {
  const p = await newPage(browser);
  await p.page.goto(url);
  return p;
}

test("the published site carries the dashboard built in dist/", () => {
  const wasm = (d) => fs.readdirSync(d).filter((f) => f.endsWith(".wasm")).sort();
  assert.deepEqual(wasm(path.join(tmp, "site")), wasm(distDir), "rebuild the binary after the dashboard");
  const manifest = JSON.parse(fs.readFileSync(path.join(tmp, "site", "aspara-index.json"), "utf8"));
  assert.deepEqual(manifest.projects.map((p) => p.name).sort(), ["nlp_demo", "vision-demo"]);
  assert.ok(fs.existsSync(path.join(tmp, "site", ".nojekyll")));
});

test("published site under a sub-path lists the 2 projects", async () => {
  const { page, problems } = await open(`${server.url}site/#/`);
  await page.waitForSelector(".project-card");
  const names = await page.$$eval(".project-card", (cs) => cs.map((c) => c.dataset.project));
  assert.deepEqual(names, ["nlp_demo", "vision-demo"]);
  assert.deepEqual(problems.errors, []);
  await page.close();
});

test("published vision-demo shows 3 runs: completed, failed, completed", async () => {
  const { page, problems } = await open(`${server.url}site/#/projects/vision-demo`);
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

test("published run page draws a chart with data (canvas not blank)", async () => {
  const { page, problems } = await open(`${server.url}site/#/projects/vision-demo/runs/resnet-baseline`);
  await chartsDrawn(page, 1);
  const chart = await page.evaluate(() => {
    const c = [...document.querySelectorAll(".chart[data-chart]")].find((e) => JSON.parse(e.dataset.chart).drawn);
    const s = JSON.parse(c.dataset.chart);
    const canvas = c.querySelector("canvas");
    const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
    // Pixels of the run's colour family: clearly coloured, not the white / grey of the frame and text.
    let coloured = 0;
    for (let i = 0; i < data.length; i += 4) {
      const mx = Math.max(data[i], data[i + 1], data[i + 2]), mn = Math.min(data[i], data[i + 1], data[i + 2]);
      if (data[i + 3] > 0 && mx - mn > 60) coloured++;
    }
    return { title: s.title, points: s.series[0].points, drawn: s.series[0].drawn, coloured };
  });
  assert.ok(chart.points > 0, `chart ${chart.title} has points`);
  assert.ok(chart.drawn > 0, `chart ${chart.title} drew points`);
  assert.ok(chart.coloured > 50, `chart ${chart.title} canvas shows a coloured line (${chart.coloured} px)`);
  // A file fetched outside /site/ would 404 and log a console error.
  assert.deepEqual(problems.errors, []);
  await page.close();
});

test("publish --project vision-demo lists only that project", async () => {
  const { page, problems } = await open(`${server.url}one/#/`);
  await page.waitForSelector(".project-card");
  const names = await page.$$eval(".project-card", (cs) => cs.map((c) => c.dataset.project));
  assert.deepEqual(names, ["vision-demo"]);
  assert.ok(!fs.existsSync(path.join(tmp, "one", "nlp_demo")), "nlp_demo files are not published");
  assert.deepEqual(problems.errors, []);
  await page.close();
});
