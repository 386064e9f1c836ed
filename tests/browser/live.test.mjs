// A run still being written: the dashboard polls the manifest and fetches only the new bytes of the
// growing .jsonl (Range), or the whole file again when the host ignores ranges.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { makeSite, serveRange, buildManifest } from "./serve-fixture.mjs";
import { launch, newPage, chartsDrawn, chartState } from "./browser.mjs";

const T0 = Date.now();
const TORN = 20;
const line = (step) => `{"timestamp": ${T0 + step * 1000}, "step": ${step}, "metrics": {"loss": ${1 / (step + 1)}}}\n`;

function liveData() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aspara-live-"));
  fs.mkdirSync(path.join(dir, "live"));
  fs.writeFileSync(path.join(dir, "live", "metadata.json"), '{"notes": "", "tags": [], "created_at": null, "updated_at": null}');
  fs.writeFileSync(path.join(dir, "live", "growing.meta.json"), JSON.stringify({
    run_id: "abc", tags: [], notes: "", params: {}, config: {}, artifacts: [], summary: {},
    is_finished: false, exit_code: null, status: "wip", start_time: T0, finish_time: null,
  }));
  let text = "";
  for (let s = 0; s < 10; s++) text += line(s);
  // The writer is mid-way through line 10: not counted until it is complete.
  fs.writeFileSync(path.join(dir, "live", "growing.jsonl"), text + line(10).slice(0, TORN));
  return dir;
}

for (const range of [true, false]) {
  test(`live run grows on screen (${range ? "Range, 206" : "host without Range, 200"})`, async () => {
    const data = liveData();
    const site = makeSite({ dataDirs: [data] });
    const server = await serveRange(site, { range });
    const browser = await launch();
    try {
      const { page, problems } = await newPage(browser);
      await page.goto(server.url + "#/projects/live/runs/growing");
      await chartsDrawn(page, 1);
      assert.equal((await chartState(page, "loss")).series[0].points, 10);
      assert.ok(await page.isVisible(".live"));
      // The writer finishes line 10 and appends 4 more; the manifest is rewritten like `aspara index`.
      const f = path.join(site, "live", "growing.jsonl");
      const before = fs.statSync(f).size;
      fs.appendFileSync(f, line(10).slice(TORN) + [11, 12, 13, 14].map(line).join(""));
      buildManifest(site);
      await page.waitForFunction(() => {
        const c = document.querySelector(".chart[data-chart]");
        return c && JSON.parse(c.dataset.chart).series[0].points === 15;
      }, null, { timeout: 15000 });
      const reads = server.log.filter((r) => r.path === "/live/growing.jsonl");
      if (range) {
        // First load whole, then only the new bytes.
        assert.equal(reads[0].range, null);
        const tail = reads.find((r) => r.range);
        assert.ok(tail, "a Range request was made");
        assert.equal(tail.status, 206);
        assert.equal(tail.range, `bytes=${before}-`);
      } else {
        assert.ok(reads.filter((r) => r.status === 200).length >= 2, "re-fetched in full");
      }
      assert.deepEqual(problems.errors, []);
      await page.close();
    } finally {
      await browser.close();
      await server.close();
      fs.rmSync(site, { recursive: true, force: true });
      fs.rmSync(data, { recursive: true, force: true });
    }
  });
}

test("polling pauses while the tab is hidden and resumes when it is shown", async () => {
  const data = liveData();
  const site = makeSite({ dataDirs: [data] });
  const server = await serveRange(site);
  const browser = await launch();
  try {
    const { page } = await newPage(browser);
    await page.goto(server.url + "#/projects/live/runs/growing");
    await chartsDrawn(page, 1);
    const polls = () => server.log.filter((r) => r.path === "/aspara-index.json").length;
    const visibleStart = polls();
    await page.waitForTimeout(3500);
    assert.ok(polls() > visibleStart, "polls while visible");
    await page.evaluate(() => {
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
      document.dispatchEvent(new Event("visibilitychange"));
    });
    const hiddenStart = polls();
    await page.waitForTimeout(7000);
    assert.equal(polls(), hiddenStart, "no polls while hidden");
    await page.evaluate(() => {
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "visible" });
      document.dispatchEvent(new Event("visibilitychange"));
    });
    await page.waitForTimeout(500);
    assert.ok(polls() > hiddenStart, "polls at once when shown again");
    await page.close();
  } finally {
    await browser.close();
    await server.close();
    fs.rmSync(site, { recursive: true, force: true });
    fs.rmSync(data, { recursive: true, force: true });
  }
});
