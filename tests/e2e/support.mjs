// Shared set-up for the browser tests: build a site from real checklists with the real
// binary, serve it with `checkdown serve`, and drive Debian's Chromium through Playwright.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

export const BIN = path.resolve(process.env.CHECKDOWN_BIN ?? "target/debug/checkdown");
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
// Chromium must not reach for the network: this machine has none, and every refused
// connection would be noise (or a hang) in the test.
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const scratch = [];
// Each test file is its own process: its folders go when it ends, passed or failed,
// so repeated runs do not fill the machine's temp folder (they did, 58 MB a day).
process.on("exit", () => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** A new empty folder under the temp folder, removed when the test process exits. */
export function scratchDir(prefix) {
  const dir = mkdtempSync(path.join(tmpdir(), `checkdown-${prefix}-`));
  scratch.push(dir);
  return dir;
}

/** Source folders for the site under test: `CHECKDOWN_E2E_SRC`, a path-list. */
export function sourceDirs() {
  const list = process.env.CHECKDOWN_E2E_SRC ?? "checklists";
  return list.split(path.delimiter).filter(Boolean);
}

/**
 * Builds and serves a site from `dirs`; resolves to { baseUrl, outDir, src, stop }.
 * Live reload is off unless asked for: its long poll keeps the network busy, which
 * would stop pages from ever looking idle.
 */
export async function serveSite(dirs = sourceDirs(), { watch = false } = {}) {
  const work = scratchDir("e2e");
  const src = path.join(work, "src");
  mkdirSync(src);
  for (const dir of dirs) {
    for (const name of readdirSync(dir)) {
      const from = path.join(dir, name);
      if (statSync(from).isFile()) cpSync(from, path.join(src, name));
    }
  }
  const outDir = path.join(work, "site");
  const args = ["serve", src, "-o", outDir, "--port", "0", ...(watch ? [] : ["--no-watch"])];
  const server = spawn(BIN, args, {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const baseUrl = await new Promise((resolve, reject) => {
    let buffered = "";
    const timer = setTimeout(() => reject(new Error("checkdown serve did not start in 60 s")), 60_000);
    server.stdout.on("data", (chunk) => {
      buffered += chunk;
      const match = buffered.match(/Serving .* at (http:\/\/\S+?)\/? /);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    server.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`checkdown serve exited early with ${code}`));
    });
  });
  return {
    baseUrl,
    outDir,
    src,
    stop() {
      server.kill();
      rmSync(work, { recursive: true, force: true });
    },
  };
}

export function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** A page that records every console error and uncaught exception. */
export async function openPage(browser, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const errors = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(msg.text());
  });
  page.on("pageerror", (err) => errors.push(String(err)));
  return { context, page, errors };
}

/** Hrefs of every checklist page, read from the index. */
export async function checklistLinks(page, baseUrl) {
  await page.goto(`${baseUrl}/`);
  const hrefs = await page.$$eval(".checklist-index a", (links) => links.map((a) => a.getAttribute("href")));
  return hrefs.map((href) => new URL(href, `${baseUrl}/`).href);
}

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];

/**
 * axe-core's WCAG 2.1 A/AA and best-practice violations on the page as it stands,
 * each labelled. axe is injected as a script, so the context must bypass the CSP.
 */
export async function axeViolations(page, label) {
  if (!(await page.evaluate(() => "axe" in globalThis))) await page.addScriptTag({ path: AXE });
  const result = await page.evaluate((tags) => globalThis.axe.run(document, { runOnly: { type: "tag", values: tags } }), AXE_TAGS);
  return result.violations.map(
    (v) => `${label}: ${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join("\n    ")}`,
  );
}
