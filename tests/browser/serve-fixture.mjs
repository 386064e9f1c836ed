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

const NAME = /^[a-zA-Z0-9_-]+$/;

/** Fails early with a clear message when the dashboard was not built. */
export function requireDist() {
  if (!fs.existsSync(path.join(distDir, "index.html"))) {
    throw new Error(`no dashboard build at ${distDir}: run scripts/build-dashboard.sh (trunk build --offline --release)`);
  }
}

function stat(p) {
  if (!fs.existsSync(p)) return null;
  const s = fs.statSync(p);
  return { size: s.size, mtime: Math.floor(s.mtimeMs) };
}

/** Writes `<dir>/aspara-index.json` (FORMAT.md §5) from the files, as `aspara index` does. */
export function buildManifest(dir) {
  const aspara = process.env.ASPARA_BIN;
  if (aspara) {
    execFileSync(aspara, ["index", "--data-dir", dir], { stdio: "ignore" });
    return JSON.parse(fs.readFileSync(path.join(dir, "aspara-index.json"), "utf8"));
  }
  const projects = [];
  for (const p of fs.readdirSync(dir).sort()) {
    const pdir = path.join(dir, p);
    if (!NAME.test(p) || !fs.statSync(pdir).isDirectory()) continue;
    let ptags = [], pnotes = "";
    try {
      const m = JSON.parse(fs.readFileSync(path.join(pdir, "metadata.json"), "utf8"));
      ptags = m.tags ?? []; pnotes = m.notes ?? "";
    } catch { /* a project without metadata.json */ }
    const stems = new Set();
    for (const f of fs.readdirSync(pdir)) {
      const m = f.match(/^(.*?)(\.wal\.jsonl|\.jsonl|\.meta\.json)$/);
      if (m && NAME.test(m[1])) stems.add(m[1]);
    }
    const runs = [];
    for (const r of [...stems].sort()) {
      let meta = {};
      try { meta = JSON.parse(fs.readFileSync(path.join(pdir, `${r}.meta.json`), "utf8")); } catch { /* metrics only */ }
      const entry = {
        name: r,
        run_id: meta.run_id ?? "",
        status: meta.status ?? "wip",
        is_finished: meta.is_finished ?? false,
        exit_code: meta.exit_code ?? null,
        tags: meta.tags ?? [],
        start_time: typeof meta.start_time === "number" ? meta.start_time : null,
        finish_time: typeof meta.finish_time === "number" ? meta.finish_time : null,
        metrics: [],
        jsonl: stat(path.join(pdir, `${r}.jsonl`)),
        meta: stat(path.join(pdir, `${r}.meta.json`)),
      };
      const wal = stat(path.join(pdir, `${r}.wal.jsonl`));
      if (wal) entry.wal = wal;
      runs.push(entry);
    }
    // A directory with neither runs nor metadata.json is not a project (the dashboard's own
    // `snippets/` folder, for one).
    if (runs.length === 0 && !fs.existsSync(path.join(pdir, "metadata.json"))) continue;
    projects.push({ name: p, tags: ptags, notes: pnotes, runs });
  }
  const manifest = { format: "aspara-index", version: 1, generated_at: Date.now(), projects };
  fs.writeFileSync(path.join(dir, "aspara-index.json"), JSON.stringify(manifest, null, 2));
  return manifest;
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
