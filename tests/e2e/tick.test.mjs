// End to end: build a site with the real binary, serve it, and use it in Chromium.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

const BIN = process.env.CHECKDOWN_BIN ?? "target/debug/checkdown";
const SRC = process.env.CHECKDOWN_E2E_SRC ?? "checklists";
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
// Chromium must not reach for the network: this machine has none, and every refused
// connection would be noise (or a hang) in the test.
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let server;
let baseUrl;
let browser;
let workDir;
let outDir;

function startServer() {
  return new Promise((resolve, reject) => {
    server = spawn(BIN, ["serve", SRC, "-o", outDir, "--port", "0"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
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
}

before(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), "checkdown-e2e-"));
  outDir = path.join(workDir, "site");
  baseUrl = await startServer();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  server?.kill();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** A page that records every console error and uncaught exception. */
async function openPage(options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const errors = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(msg.text());
  });
  page.on("pageerror", (err) => errors.push(String(err)));
  return { context, page, errors };
}

async function checkedIds(page) {
  return page.$$eval("input[type=checkbox][data-item]", (boxes) =>
    boxes.filter((b) => b.checked).map((b) => b.dataset.item),
  );
}

test("a tick survives a reload and the count reads it", async () => {
  const { context, page, errors } = await openPage();
  await page.goto(`${baseUrl}/`);
  const first = page.locator(".checklist-index a").first();
  await first.click();
  await page.waitForSelector("main[data-checklist][data-ready]");

  const boxes = page.locator("input[type=checkbox][data-item]");
  const total = await boxes.count();
  assert.ok(total >= 3, `expected at least 3 items, found ${total}`);
  const before = await checkedIds(page);

  const unticked = await page.$$eval("input[type=checkbox][data-item]", (all) =>
    all.filter((b) => !b.checked).map((b) => b.dataset.item),
  );
  // Spread the picks out so the test does not only exercise the first section.
  const picks = [unticked[0], unticked[Math.floor(unticked.length / 2)], unticked.at(-1)];
  for (const id of picks) {
    await page.locator(`input[data-item="${id}"]`).check();
  }
  const expectedDone = before.length + 3;
  assert.equal(
    (await page.locator(".progress").innerText()).trim(),
    `${expectedDone} of ${total} done`,
  );

  await page.reload();
  await page.waitForSelector("main[data-checklist][data-ready]");
  const after = await checkedIds(page);
  assert.deepEqual(after.sort(), [...before, ...picks].sort());
  assert.equal(
    (await page.locator(".progress").innerText()).trim(),
    `${expectedDone} of ${total} done`,
  );
  assert.deepEqual(errors, [], "the page logged errors");
  await context.close();
});

test("without JavaScript every item is still on the page", async () => {
  const { context, page, errors } = await openPage({ javaScriptEnabled: false });
  await page.goto(`${baseUrl}/`);
  const hrefs = await page.$$eval(".checklist-index a", (links) => links.map((a) => a.getAttribute("href")));
  assert.ok(hrefs.length >= 1, "the index lists the checklists");
  for (const href of hrefs) {
    await page.goto(new URL(href, `${baseUrl}/`).href);
    const model = JSON.parse(readFileSync(path.join(outDir, href, "checklist.json"), "utf8"));
    const expected = countItems(model);
    const shown = await page.locator("input[type=checkbox][data-item]").count();
    assert.equal(shown, expected, `${href}: every item of checklist.json has a checkbox`);
    assert.equal(await page.locator("h1").innerText(), model.title);
  }
  assert.deepEqual(errors, [], "the page logged errors");
  await context.close();
});

function countItems(model) {
  const items = (list) => list.reduce((n, item) => n + 1 + items(item.children), 0);
  const sections = (list) => list.reduce((n, s) => n + items(s.items) + sections(s.sections), 0);
  return items(model.items) + sections(model.sections);
}
