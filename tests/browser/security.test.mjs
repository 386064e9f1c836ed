// B35 (script injection through data) and B36 (path traversal through artifact names).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { makeSite, serve, casesDir } from "./serve-fixture.mjs";
import { launch, newPage, chartsDrawn, chartState } from "./browser.mjs";

const B35 = path.join(casesDir, "B35-script-injection-strings");
const B36 = path.join(casesDir, "B36-path-traversal-names");
let site, server, browser, badDir;

before(async () => {
  // A scratch copy of B35 with the bad-named entries added.
  badDir = fs.mkdtempSync(path.join(os.tmpdir(), "aspara-b35-"));
  fs.cpSync(path.join(B35, "data"), badDir, { recursive: true });
  execFileSync("python3", [path.join(B35, "make_bad_names.py"), badDir]);
  site = makeSite({ dataDirs: [badDir, path.join(B36, "data")] });
  server = await serve(site);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
  for (const d of [site, badDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
});

const INJECTED = "img, svg, iframe, script, b, h1, object, embed";

// Elements of those kinds inside the app that the dashboard did not make itself (its only own one
// is the page heading).
async function injected(page) {
  return page.$$eval(`.app ${INJECTED.split(", ").join(", .app ")}`, (els) =>
    els.filter((e) => !(e.tagName === "H1" && e.parentElement.classList.contains("page-head"))).map((e) => e.outerHTML));
}

test("b35_script_injection_renders_as_text", async () => {
  const { page, problems } = await newPage(browser);
  await page.goto(server.url + "#/");
  await page.waitForSelector('[data-project="xss"]');
  await page.waitForFunction(() => document.querySelector('[data-project="xss"] .notes'));
  assert.equal(await page.textContent('[data-project="xss"] .notes'), "<img src=x onerror=alert(6)>");
  assert.equal(await page.textContent('[data-project="xss"] .tag'), "<svg/onload=alert(7)>");
  assert.equal(await page.textContent('[data-project="xss"] .run-count'), "1 run");

  await page.goto(server.url + "#/projects/xss/runs/run1");
  await chartsDrawn(page, 2);
  const notes = await page.$eval(".run-notes", (p) => ({ text: p.innerText, brs: p.querySelectorAll("br").length }));
  assert.equal(notes.text, "<img src=x onerror=alert(1)>\n[a](javascript:alert(1))\n<b>not bold</b>");
  assert.equal(notes.brs, 2);
  const tags = await page.$$eval(".page-head .tag", (t) => t.map((x) => x.textContent));
  assert.deepEqual(tags, ['"><svg onload=alert(1)>', "<b>bold</b>", "safe"]);
  const config = await page.textContent(".config");
  assert.ok(config.includes("</script><img src=x onerror=alert(2)>") && config.includes("</title><h1>x</h1>"));
  assert.ok((await page.textContent(".summary")).includes("<script>alert(5)</script>"));
  assert.equal(await page.textContent(".artifact-desc"), "<iframe src=javascript:alert(3)>");
  // The artifact is a download, never shown inline.
  const a = await page.$eval(".artifact-link", (a) => [a.getAttribute("href"), a.getAttribute("download")]);
  assert.deepEqual(a, ["./xss/run1/artifacts/report.html", "report.html"]);
  // The metric name is the chart title as text.
  const s = await chartState(page, "</title><script>x</script>");
  assert.equal(s.series[0].points, 2);
  assert.deepEqual(await injected(page), []);
  assert.equal(await page.$$eval(".app h1", (h) => h.map((x) => x.textContent).join("|")), "run1");
  assert.equal(await page.title(), "run1 · xss · Aspara");
  // Hover shows the tooltip with the name as text.
  const box = await page.$eval(".chart canvas", (c) => { const r = c.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; });
  await page.mouse.move(box[0] + box[2] * 0.5, box[1] + box[3] * 0.5);
  await page.waitForSelector(".tooltip");
  assert.deepEqual(await injected(page), []);
  assert.deepEqual(problems.dialogs, []);
  await page.close();
});

test("b35_bad_names_are_skipped_when_a_folder_is_opened", async () => {
  const { page, problems } = await newPage(browser);
  const bare = makeSite({ dataDirs: [], manifest: false });
  const s2 = await serve(bare);
  try {
    await page.goto(s2.url);
    await page.waitForSelector("#folder-input", { state: "attached" });
    await page.setInputFiles("#folder-input", badDir);
    await page.waitForSelector('[data-project="xss"]');
    assert.deepEqual(await page.$$eval(".project-card", (c) => c.map((x) => x.dataset.project)), ["xss"]);
    assert.equal(await page.textContent('[data-project="xss"] .run-count'), "1 run");
    const skipped = await page.$$eval(".skipped li", (l) => l.map((x) => x.textContent));
    assert.deepEqual(skipped, [
      ".queue/: invalid project name",
      "<svg onload=alert(1)>/: invalid project name",
      "xss/<img src=x onerror=alert(1)>.jsonl: invalid run name",
    ]);
    assert.deepEqual(await injected(page), []);
    assert.deepEqual(problems.dialogs, []);
  } finally {
    await page.close();
    await s2.close();
    fs.rmSync(bare, { recursive: true, force: true });
  }
});

test("b36_only_safe_artifact_names_get_links", async () => {
  const { page } = await newPage(browser);
  await page.goto(server.url + "#/projects/traversal/runs/victim");
  await page.waitForSelector(".artifacts li");
  const items = await page.$$eval(".artifacts li", (ls) => ls.map((l) => ({
    safe: l.dataset.artifactSafe,
    text: l.querySelector(".artifact-link, .artifact-unsafe").textContent,
    href: l.querySelector("a")?.getAttribute("href") ?? null,
  })));
  assert.equal(items.length, 3);
  const ok = items.find((i) => i.text === "ok.txt");
  assert.equal(ok.href, "./traversal/victim/artifacts/ok.txt");
  const others = items.filter((i) => i.text !== "ok.txt");
  assert.deepEqual(others.map((o) => o.href), [null, null]);
  assert.deepEqual(others.map((o) => o.safe), ["false", "false"]);
  // Every link resolves inside the run's artifacts directory.
  for (const i of items.filter((i) => i.href)) {
    assert.ok(new URL(i.href, server.url).pathname.startsWith("/traversal/victim/artifacts/"));
  }
  await page.goto(server.url + "#/projects/traversal");
  await page.waitForFunction(() => document.querySelectorAll("tr.run-row").length >= 1);
  assert.deepEqual(await page.$$eval("tr.run-row", (r) => r.map((x) => x.dataset.run)), ["victim"]);
  await page.close();
});
