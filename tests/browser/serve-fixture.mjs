// Test sites for the dashboard: a temp dir holding a COPY of a data directory, the built dashboard
// (dist/) and an `aspara-index.json`, served by a plain static server (python3 -m http.server on
// 127.0.0.1, a free port). `buildManifest` is the one place that writes the manifest, so it can be
// swapped for `aspara index` without touching the tests.
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, "..", "..");
export const sharedDir = path.resolve(repoRoot, "..", "shared");
export const fixtureDir = path.join(sharedDir, "fixtures", "aspara-py-0.1.0");
export const casesDir = path.join(sharedDir, "cases");
export const distDir = path.join(repoRoot, "dist");

/** Fails early with a clear message when the dashboard was not built. */
export function requireDist() {
  if (!fs.existsSync(path.join(distDir, "index.html"))) {
    throw new Error(`no dashboard build at ${distDir}: run scripts/build-dashboard.sh (trunk build --offline --release)`);
  }
}

/**
 * Writes `<dir>/aspara-index.json` (FORMAT.md §5) from the files with the writer's own scan:
 * `aspara index` when `ASPARA_BIN` names the binary, else the `build_index` example of the e2e
 * crate (the same `aspara::index::rebuild`). The one place the tests build a manifest.
 */
export function buildManifest(dir) {
  const aspara = process.env.ASPARA_BIN;
  if (aspara) {
    execFileSync(aspara, ["index", "--data-dir", dir], { stdio: "ignore" });
  } else {
    execFileSync("cargo", ["run", "--quiet", "-p", "aspara-e2e", "--example", "build_index", "--", dir], {
      cwd: repoRoot,
      stdio: ["ignore", "ignore", "inherit"],
    });
  }
  return JSON.parse(fs.readFileSync(path.join(dir, "aspara-index.json"), "utf8"));
}

/**
 * A temp site: copies of `dataDirs` (each merged into the root), plus dist/ unless `dashboard:
 * false`, plus the manifest unless `manifest: false`.
 */
export function makeSite({ dataDirs = [fixtureDir], dashboard = true, manifest = true } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aspara-site-"));
  for (const d of dataDirs) fs.cpSync(d, dir, { recursive: true });
  if (dashboard) {
    requireDist();
    fs.cpSync(distDir, dir, { recursive: true });
  }
  if (manifest) buildManifest(dir);
  return dir;
}

/** Serves `dir` on 127.0.0.1 at a free port; resolves to { url, close }. */
export function serve(dir) {
  return new Promise((resolve, reject) => {
    const child = spawn("python3", ["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", dir], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const onData = (b) => {
      out += b.toString();
      const m = out.match(/port (\d+)/);
      if (m) {
        child.stdout.off("data", onData);
        resolve({
          url: `http://127.0.0.1:${m[1]}/`,
          close: () => new Promise((r) => { child.once("exit", r); child.kill(); }),
        });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", () => {});
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`http.server exited (${code}): ${out}`)));
  });
}

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css", ".json": "application/json" };

/**
 * A static server in this process that honours `Range: bytes=N-` (206, or 416 past the end) when
 * `range` is true and ignores it (200, whole file) otherwise, like hosts without range support.
 * Resolves to { url, close, log } where `log` lists { path, range, status } per request.
 */
export function serveRange(dir, { range = true } = {}) {
  const log = [];
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const file = path.join(dir, rel.endsWith("/") ? rel + "index.html" : rel);
    const entry = { path: rel, range: req.headers.range ?? null, status: 0 };
    log.push(entry);
    if (!file.startsWith(dir) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      entry.status = 404;
      res.writeHead(404).end("not found");
      return;
    }
    const body = fs.readFileSync(file);
    const type = TYPES[path.extname(file)] ?? "application/octet-stream";
    const m = range && req.headers.range?.match(/^bytes=(\d+)-$/);
    if (m) {
      const from = Number(m[1]);
      if (from >= body.length) {
        entry.status = 416;
        res.writeHead(416, { "Content-Range": `bytes */${body.length}` }).end();
        return;
      }
      entry.status = 206;
      res.writeHead(206, { "Content-Type": type, "Content-Range": `bytes ${from}-${body.length - 1}/${body.length}` });
      res.end(body.subarray(from));
      return;
    }
    entry.status = 200;
    res.writeHead(200, { "Content-Type": type });
    res.end(body);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}/`,
        log,
        close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }),
      });
    });
  });
}

// `node serve-fixture.mjs [data-dir]`: serve a site by hand and print its URL.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const site = makeSite({ dataDirs: [process.argv[2] ?? fixtureDir] });
  const s = await serve(site);
  console.log(`${s.url}  (site ${site})`);
}
