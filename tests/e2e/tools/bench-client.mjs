// The browser client's size and speed, measured on a generated 10,000-item checklist
// in headless Chromium. `cargo xtask bench` runs this with the release binary and
// prints the figures next to the goals; it is a benchmark, never a pass/fail test.
//
// Prints one line: `CLIENT {json}` with gzipped sizes (bytes), the time from
// DOMContentLoaded to the client marking the page ready (ms; median, min and max of five
// first visits), the time from a tick's
// click to its change being written to localStorage (ms, median of 25), and the time
// the whole click handler takes, summary and validation list included.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { launch, serveSite } from "../support.mjs";

const ITEMS = Number(process.env.CHECKDOWN_BENCH_ITEMS ?? 10_000);

/** A release checklist of `n` task items in sections of 100, plus a sign-off form. */
function checklist(n) {
  const lines = ["# Ten thousand steps", "", "**Version**: 1.0", "", "**Deployment Date**: ______", ""];
  for (let s = 0; s * 100 < n; s++) {
    lines.push(`## Stage ${s + 1}`, "");
    for (let i = s * 100; i < Math.min(n, (s + 1) * 100); i++) {
      lines.push(`- [ ] Step ${i + 1}: check service ${i % 37} on host ${i % 11}${i % 9 === 0 ? " (optional)" : ""}`);
    }
    lines.push("");
  }
  lines.push("## Sign-Off", "", "- [ ] QA Lead: ______ Date: ______", "- [ ] Release Manager: ______ Date: ______", "");
  return lines.join("\n");
}

const work = mkdtempSync(path.join(tmpdir(), "checkdown-bench-client-"));
const src = path.join(work, "src");
mkdirSync(src);
writeFileSync(path.join(src, "big.md"), checklist(ITEMS));
const site = await serveSite([src]);
const browser = await launch();
try {
  const assets = path.join(site.outDir, "assets");
  const gz = (name) => gzipSync(readFileSync(path.join(assets, name)), { level: 9 }).length;
  const files = readdirSync(assets);
  const wasm = files.filter((f) => f.endsWith(".wasm")).map(gz).reduce((a, b) => a + b, 0);
  const js = files.filter((f) => f.endsWith(".js") && !f.startsWith("livereload")).map(gz).reduce((a, b) => a + b, 0);

  // Recorded by the browser itself, before any page script: when DOMContentLoaded
  // fired and when the client set data-ready on <main>. The test waits on a promise
  // rather than with waitForSelector: Playwright's selector polling walked the
  // 40,000-element page on the same thread, about 50 ms per load, and delayed the
  // client it was timing.
  const recordReady = () => {
    window.__readyP = new Promise((resolve) => {
      document.addEventListener("DOMContentLoaded", () => {
        window.__dcl = performance.now();
        const main = document.querySelector("main");
        const seen = () => {
          if (main?.hasAttribute("data-ready") && window.__ready === undefined) {
            window.__ready = performance.now();
            resolve();
          }
        };
        new MutationObserver(seen).observe(main, { attributes: true });
        seen();
      });
    });
  };
  // Several first visits, each in a fresh context (empty storage, cold cache), and
  // the median: one load on this shared machine can be slowed several-fold by
  // something else running.
  const LOADS = 5;
  const interactive = [];
  let page;
  for (let i = 0; i < LOADS; i++) {
    const context = await browser.newContext();
    page = await context.newPage();
    await page.addInitScript(recordReady);
    await page.goto(`${site.baseUrl}/big/`);
    await page.evaluate(() => window.__readyP);
    const { dcl, ready } = await page.evaluate(() => ({ dcl: window.__dcl, ready: window.__ready }));
    interactive.push(ready - dcl);
    if (i < LOADS - 1) await context.close();
  }
  interactive.sort((a, b) => a - b);
  const boxes = await page.locator("input[data-item]").count();

  // One tick at a time: from the click to the change's localStorage write (seen
  // through a wrapper on setItem) and to the handler's return.
  const ticks = await page.evaluate(() => {
    const boxes = [...document.querySelectorAll("li.item-task > input[data-item]")];
    let written;
    const setItem = Storage.prototype.setItem;
    Storage.prototype.setItem = function (key, value) {
      if (written === undefined && key.includes(":c:")) written = performance.now();
      return setItem.call(this, key, value);
    };
    const persisted = [];
    const handled = [];
    for (let i = 0; i < 25; i++) {
      written = undefined;
      const t0 = performance.now();
      boxes[i * 397].click();
      const t1 = performance.now();
      if (written === undefined) return { error: `tick ${i} was not written to localStorage` };
      persisted.push(written - t0);
      handled.push(t1 - t0);
    }
    const median = (a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
    return { persisted: median(persisted), handled: median(handled) };
  });
  if (ticks.error) throw new Error(ticks.error);
  console.log(
    `CLIENT ${JSON.stringify({
      items: boxes,
      wasm_gz: wasm,
      js_gz: js,
      interactive_ms: interactive[Math.floor(LOADS / 2)],
      interactive_min_ms: interactive[0],
      interactive_max_ms: interactive[LOADS - 1],
      tick_persisted_ms: ticks.persisted,
      tick_handled_ms: ticks.handled,
    })}`,
  );
} finally {
  await browser.close();
  site.stop();
  rmSync(work, { recursive: true, force: true });
}
