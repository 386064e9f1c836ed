// Saves screenshots of the main pages to docs/screenshots/*.png (for the README):
// `node tests/browser/screenshots.mjs` after building the dashboard.
import fs from "node:fs";
import path from "node:path";
import { makeSite, serve, repoRoot } from "./serve-fixture.mjs";
import { launch, newPage, chartsDrawn } from "./browser.mjs";

const out = path.join(repoRoot, "docs", "screenshots");
fs.mkdirSync(out, { recursive: true });
const site = makeSite();
const server = await serve(site);
const browser = await launch();
const { page } = await newPage(browser);
await page.setViewportSize({ width: 1280, height: 800 });

async function shot(hash, name, { charts = 0, full = false, before } = {}) {
  await page.goto(server.url + hash);
  await page.waitForLoadState("networkidle");
  if (before) await before();
  if (charts) await chartsDrawn(page, charts);
  await page.waitForTimeout(300);
  const file = path.join(out, `${name}.png`);
  await page.screenshot({ path: file, fullPage: full });
  console.log(`${file} (${fs.statSync(file).size} bytes)`);
}

await shot("#/", "projects", { before: () => page.waitForSelector(".project-card .tag") });
await shot("#/projects/vision-demo?cols=train%2Floss,val%2Floss&runs=resnet-baseline,resnet-lr-high", "project", {
  before: () => page.waitForFunction(() => document.querySelectorAll("tr.run-row td.num").length >= 9),
});
await shot("#/projects/vision-demo/runs/resnet-lr-high", "run", { charts: 3, full: true });
await shot("#/projects/vision-demo/compare?runs=resnet-baseline,resnet-lr-high,brave-dolphin-997&s=0.8", "compare", {
  charts: 3,
  before: async () => {
    await chartsDrawn(page, 3);
    const c = await page.$(".chart canvas");
    const b = await c.boundingBox();
    await page.mouse.move(b.x + b.width * 0.55, b.y + b.height * 0.5);
    await page.waitForSelector(".tooltip");
  },
});
await browser.close();
await server.close();
fs.rmSync(site, { recursive: true, force: true });
