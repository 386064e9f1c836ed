// Headless Chromium through playwright-core (never downloads a browser: /usr/bin/chromium).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

/** A fresh browser context with its own profile dir. */
export async function launch() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "aspara-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A page that records console errors, uncaught exceptions and dialogs (alert = XSS). */
export async function newPage(b) {
  const page = await b.context.newPage();
  const problems = { errors: [], dialogs: [] };
  page.on("pageerror", (e) => problems.errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") problems.errors.push(m.text()); });
  page.on("dialog", async (d) => { problems.dialogs.push(d.message()); await d.dismiss(); });
  return { page, problems };
}

/** Waits until every visible chart reports it has drawn. */
export async function chartsDrawn(page, min = 1) {
  await page.waitForFunction((n) => {
    const cs = [...document.querySelectorAll(".chart[data-chart]")];
    const drawn = cs.filter((c) => JSON.parse(c.dataset.chart).drawn);
    return drawn.length >= n;
  }, min, { timeout: 20000 });
}

/** Parsed `data-chart` of the chart titled `title`. */
export async function chartState(page, title) {
  return page.evaluate((t) => {
    for (const c of document.querySelectorAll(".chart[data-chart]")) {
      const s = JSON.parse(c.dataset.chart);
      if (s.title === t) return s;
    }
    return null;
  }, title);
}

/** Counts canvas pixels close to each RGB colour in the chart titled `title`. */
export async function colourPixels(page, title, colours, tol = 40) {
  return page.evaluate(({ t, colours, tol }) => {
    const chart = [...document.querySelectorAll(".chart[data-chart]")].find((c) => JSON.parse(c.dataset.chart).title === t);
    if (!chart) return null;
    const canvas = chart.querySelector("canvas");
    const ctx = canvas.getContext("2d");
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const out = colours.map(() => 0);
    for (let i = 0; i < data.length; i += 4) {
      colours.forEach(([r, g, b], k) => {
        if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) <= tol) out[k]++;
      });
    }
    return out;
  }, { t: title, colours, tol });
}

export function hexToRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}
