// End to end: build a site with the real binary, serve it, and use it in Chromium.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { BIN, checklistLinks, launch, openPage, serveSite, scratchDir } from "./support.mjs";

let site;
let baseUrl;
let outDir;
let browser;

before(async () => {
  site = await serveSite();
  ({ baseUrl, outDir } = site);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  site?.stop();
});

/** Fills the origin's localStorage to the last byte, as a full quota leaves it. */
async function fillStorage(page) {
  await page.evaluate(() => {
    let n = 0;
    for (let size = 1 << 20; size >= 1; size >>= 1) {
      const filler = "x".repeat(size);
      try {
        for (;;) localStorage.setItem(`filler-${n++}`, filler);
      } catch {
        // Full for this size; smaller ones may still fit.
      }
    }
  });
}

/** Removes what `fillStorage` wrote. */
async function freeStorage(page) {
  await page.evaluate(() => {
    for (const key of Object.keys(localStorage)) if (key.startsWith("filler-")) localStorage.removeItem(key);
  });
}

async function checkedIds(page) {
  return page.$$eval("input[type=checkbox][data-item]", (boxes) =>
    boxes.filter((b) => b.checked).map((b) => b.dataset.item),
  );
}

test("a tick survives a reload and the count reads it", async () => {
  const { context, page, errors } = await openPage(browser);
  await page.goto(`${baseUrl}/`);
  const first = page.locator(".checklist-index a").first();
  await first.click();
  await page.waitForSelector("main[data-checklist][data-ready]");

  const boxes = page.locator("input[type=checkbox][data-item]");
  const total = await boxes.count();
  assert.ok(total >= 3, `expected at least 3 items, found ${total}`);
  const before = await checkedIds(page);

  // Sign-offs stay blocked until every required item is done; tick tasks.
  const unticked = await page.$$eval("li.item-task > input[type=checkbox][data-item]", (all) =>
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
  const { context, page, errors } = await openPage(browser, { javaScriptEnabled: false });
  const urls = await checklistLinks(page, baseUrl);
  assert.ok(urls.length >= 1, "the index lists the checklists");
  for (const url of urls) {
    await page.goto(url);
    const href = new URL(url).pathname;
    // The model the page embeds for the client, read from the file as served.
    const html = readFileSync(path.join(outDir, href), "utf8");
    const json = html.match(/<script type="application\/json" id="checkdown-model">(.*?)<\/script>/s);
    assert.ok(json, `${href} embeds its model`);
    const model = JSON.parse(json[1]);
    const expected = countItems(model);
    const shown = await page.locator("input[type=checkbox][data-item]").count();
    assert.equal(shown, expected, `${href}: every item of the model has a checkbox`);
    assert.equal(await page.locator("h1").innerText(), model.title);
    // Counts nothing keeps up to date are not shown; the totals are, on screen and paper.
    await page.locator("input[type=checkbox][data-item]").first().check();
    assert.equal(await page.locator(".summary[role=status]").isVisible(), false, href);
    assert.match(await page.locator(".summary-static").innerText(), new RegExp(`^${expected} items?\\b`));
  }
  assert.deepEqual(errors, [], "the page logged errors");
  await context.close();
});

// The embedded model leaves empty lists out.
function countItems(model) {
  const items = (list = []) => list.reduce((n, item) => n + 1 + items(item.children), 0);
  const sections = (list = []) => list.reduce((n, s) => n + items(s.items) + sections(s.sections), 0);
  return items(model.items) + sections(model.sections);
}

/** Opens the first checklist with a `selector` item that nests items; its ID. */
async function nestingParent(page, selector) {
  for (const url of await checklistLinks(page, baseUrl)) {
    await page.goto(url);
    await page.waitForSelector("main[data-ready]");
    const parent = await page.$eval(`${selector}:has(> ul.tasks)`, (li) => li.id).catch(() => null);
    if (parent) return parent;
  }
  assert.fail("one of the checklists nests items");
}

test("a parent item shows how many of its nested items are done", async () => {
  const { context, page, errors } = await openPage(browser);
  const parent = await nestingParent(page, "li.item");
  const nested = await page.$$eval(`li[id="${parent}"] > ul.tasks input[data-item]`, (a) => a.map((b) => b.dataset.item));
  const aggregate = async () => (await page.locator(`li[id="${parent}"] > label > .item-aggregate`).textContent()).trim();
  assert.equal(await aggregate(), `(0 of ${nested.length} done)`);
  await page.locator(`input[data-item="${nested[0]}"]`).check();
  assert.equal(await aggregate(), `(1 of ${nested.length} done)`);
  // The parent's own tick is its own, not part of its aggregate.
  await page.locator(`input[data-item="${parent}"]`).check();
  assert.equal(await aggregate(), `(1 of ${nested.length} done)`);
  await page.reload();
  await page.waitForSelector("main[data-ready]");
  assert.equal(await aggregate(), `(1 of ${nested.length} done)`);
  assert.deepEqual(errors, [], "the page logged errors");
  await context.close();
});

test("an item marked N/A takes its nested items with it, and gives them back when reopened", async () => {
  const { context, page, errors } = await openPage(browser);
  const parent = await nestingParent(page, "li.item-task");
  const nested = await page.$$eval(`li[id="${parent}"] > ul.tasks input[data-item]`, (a) => a.map((b) => b.dataset.item));
  const problemTargets = () => page.$$eval("[data-problems] a", (a) => a.map((l) => decodeURIComponent(l.hash.slice(1))));
  const setState = async (state, reason) => {
    await page.locator(`[id="${parent}"] > button.item-more`).click();
    await page.locator(`[data-item-dialog] input[value=${state}]`).check();
    if (reason) await page.fill("[data-dialog-reason]", reason);
    await page.locator("[data-dialog-save]").click();
  };
  await page.click("details.validation > summary");
  const more = page.locator("[data-problems] button[data-action=all-problems]");
  if (await more.count()) await more.click();
  assert.ok((await problemTargets()).includes(nested[0]), "a nested item is open at first");

  await setState("na", "Not in this release");
  for (const id of nested) {
    const li = page.locator(`li[id="${id}"]`);
    assert.equal(await li.getAttribute("data-covered"), "", `${id} is covered`);
    assert.ok(await li.locator(":scope > input[data-item]").isDisabled(), `${id} has nothing to tick`);
    assert.match(await li.locator(":scope > .item-status").innerText(), /^N\/A with “/);
  }
  if (await more.count()) await more.click();
  const open = await problemTargets();
  assert.ok(!nested.some((id) => open.includes(id)), `no nested item is a problem: ${open}`);
  await page.reload();
  await page.waitForSelector("main[data-ready]");
  assert.equal(await page.locator(`li[id="${nested[0]}"]`).getAttribute("data-covered"), "");

  await setState("open");
  assert.equal(await page.locator(`li[id="${nested[0]}"]`).getAttribute("data-covered"), null);
  assert.equal(await page.locator(`li[id="${nested[0]}"] > .item-status`).count(), 0);
  assert.deepEqual(errors, [], "the page logged errors");
  await context.close();
});

test("the 404 page keeps the theme the reader chose", async () => {
  const { context, page, errors } = await openPage(browser, { colorScheme: "light" });
  await page.goto(`${baseUrl}/`);
  const toggle = page.locator("[data-theme-toggle]");
  await toggle.waitFor();
  while (!/dark/.test(await toggle.innerText())) await toggle.click();
  const response = await page.goto(`${baseUrl}/no/such/page/`);
  assert.equal(response.status(), 404);
  await page.waitForFunction(() => document.documentElement.dataset.theme === "dark");
  // The saved theme is applied before the client starts, and the toggle appears only
  // once the client runs: wait for it rather than catch the page in between.
  const there = page.locator("[data-theme-toggle]");
  await there.waitFor({ state: "visible" });
  await there.click();
  await page.waitForFunction(() => document.documentElement.dataset.theme === undefined);
  assert.match(await there.innerText(), /auto/, "its toggle works there too");
  assert.deepEqual(errors.filter((e) => !/404/.test(e)), [], "the page logged errors");
  await context.close();
});

test("two sites on one host keep their progress apart", async () => {
  // GitHub Pages serves every project site of an account from one origin, and
  // localStorage belongs to the origin. The same build is mounted at /team-a/ and
  // /team-b/ here, as two teams would host one checklist.
  const { context, page, errors } = await openPage(browser);
  await context.route(/\/team-[ab]\//, async (route) => {
    const url = new URL(route.request().url());
    url.pathname = url.pathname.replace(/^\/team-[ab]\//, "/");
    route.fulfill({ response: await route.fetch({ url: url.href }) });
  });
  const open = async (team) => {
    await page.goto(`${baseUrl}/team-${team}/`);
    const href = await page.locator(".checklist-index a").first().getAttribute("href");
    await page.goto(new URL(href, `${baseUrl}/team-${team}/`).href);
    await page.waitForSelector("main[data-checklist][data-ready]");
  };
  await open("a");
  const before = await checkedIds(page);
  const id = await page.$eval("li.item-task > input[type=checkbox][data-item]:not(:checked)", (b) => b.dataset.item);
  await page.locator(`input[data-item="${id}"]`).check();

  await open("b");
  assert.deepEqual(await checkedIds(page), before, "team B sees none of team A's ticks");
  await page.goto(`${baseUrl}/team-b/`);
  await page.waitForSelector(".checklist-index [data-state]:not([hidden])");
  assert.match(await page.locator(".checklist-index [data-state]").first().innerText(), /not started/);

  await open("a");
  assert.deepEqual((await checkedIds(page)).sort(), [...before, id].sort(), "team A keeps its tick");
  assert.deepEqual(errors, [], "the page logged errors");
  // A favicon may still be on its way through the route.
  await context.unrouteAll({ behavior: "ignoreErrors" });
  await context.close();
});

test("opened from disk, links lead to pages and the page says it is not saving", async () => {
  const { context, page } = await openPage(browser);
  await page.goto(`file://${path.join(outDir, "index.html")}`);
  // The index too, whose progress would otherwise be missing without a word.
  const indexNotice = page.locator("[data-client-failed]");
  await indexNotice.waitFor({ state: "visible" });
  assert.match(await indexNotice.innerText(), /Progress is not shown here.*serve this folder over HTTP/s);
  await page.locator(".checklist-index a").first().click();
  await page.waitForSelector("main[data-checklist]");
  // Browsers refuse the client's modules on file://; the page must say so rather than
  // let ticks vanish on the next load.
  const notice = page.locator("[data-client-failed]");
  await notice.waitFor({ state: "visible" });
  assert.match(await notice.innerText(), /not being saved.*serve this folder over HTTP/s);
  // The room kept for the run panel, which will not come, is given back.
  assert.equal(await page.$eval(".run-panel", (p) => getComputedStyle(p).display), "none");
  await context.close();
});

// A page cached from before a deploy that removed its script, or a host that serves
// `/deploy` without the slash and so breaks the relative links: no script runs to say
// anything, and ticks made there would be lost without a word.
test("a page whose client script never arrives says, after a moment, that it is not saving", async () => {
  const { context, page } = await openPage(browser);
  const url = (await checklistLinks(page, baseUrl))[0];
  // Live, the client hides the notice as it starts: it is never shown, on the index
  // either.
  await page.goto(`${baseUrl}/index.html`);
  await page.waitForSelector("[data-state]:not([hidden])");
  assert.equal(await page.locator("[data-client-failed]").getAttribute("hidden"), "");
  await page.goto(url);
  await page.waitForSelector("main[data-ready]");
  assert.equal(await page.locator("[data-client-failed]").getAttribute("hidden"), "");
  assert.equal(await page.locator("[data-client-failed]").isVisible(), false);

  await page.route(/\/assets\/checkdown[^/]*\.js$/, (route) => route.fulfill({ status: 404, body: "gone" }));
  await page.goto(url);
  const notice = page.locator("[data-client-failed]");
  // Not at once: a client on a slow line is still on its way.
  assert.equal(await notice.isVisible(), false, "no alarm while the client may be loading");
  await notice.waitFor({ state: "visible", timeout: 15_000 });
  assert.match(await notice.innerText(), /not being saved/);
  await context.unrouteAll({ behavior: "ignoreErrors" });
  await context.close();
});

// Vercel, nginx with `try_files $uri/index.html` and some S3 set-ups serve /proj/deploy
// as the page itself rather than redirecting to /proj/deploy/. Relative links then
// point one folder too high; with `site.base_url` set they must not.
test("with base_url set, a page opened without its slash on a host that does not redirect saves ticks", async () => {
  const work = scratchDir("noslash");
  const out = path.join(work, "site");
  const types = { ".html": "text/html", ".css": "text/css", ".js": "text/javascript", ".wasm": "application/wasm", ".svg": "image/svg+xml", ".json": "application/json" };
  const host = http.createServer((req, res) => {
    const { pathname } = new URL(req.url, "http://x");
    let file = pathname.startsWith("/proj/") ? path.join(out, decodeURIComponent(pathname.slice(6))) : null;
    if (file && existsSync(file) && statSync(file).isDirectory()) file = path.join(file, "index.html");
    if (!file || !existsSync(file)) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": types[path.extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  await new Promise((resolve) => host.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${host.address().port}`;
  try {
    mkdirSync(path.join(work, "src"));
    writeFileSync(path.join(work, "src", "deploy.md"), "# Deploy\n\n- [ ] Back up\n- [ ] Migrate\n");
    writeFileSync(path.join(work, "checkdown.toml"), `[site]\nbase_url = "${origin}/proj/"\n`);
    execFileSync(BIN, ["build", "src", "-o", "site"], { cwd: work, stdio: "pipe" });

    const { context, page, errors } = await openPage(browser);
    await page.goto(`${origin}/proj/deploy`);
    await page.waitForSelector("main[data-ready]");
    await page.locator("input[data-item]").first().check();
    await page.reload();
    await page.waitForSelector("main[data-ready]");
    assert.ok(await page.locator("input[data-item]").first().isChecked(), "the tick was saved");
    // The site title leads to the index, and the index back to the page.
    await page.click(".site-title");
    await page.waitForURL(`${origin}/proj/index.html`);
    await page.locator(".checklist-index a").first().click();
    await page.waitForSelector("main[data-ready]");
    assert.equal(new URL(page.url()).pathname, "/proj/deploy/index.html");
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    host.close();
    rmSync(work, { recursive: true, force: true });
  }
});

test("the validation list shows every problem on request and its links take focus to the control", async () => {
  const { context, page, errors } = await openPage(browser);
  // A fresh seed has far more open items than the list shows at first.
  let count = 0;
  for (const url of await checklistLinks(page, baseUrl)) {
    await page.goto(url);
    await page.waitForSelector("main[data-ready]");
    count = Number((await page.locator("[data-problem-count]").innerText()).replace(/\D/g, ""));
    if (count > 40 && (await page.locator("[data-field]").count()) > 0) break;
  }
  assert.ok(count > 40, `some page has more than 40 problems (found ${count})`);
  await page.click("details.validation > summary");
  const links = page.locator("[data-problems] a");
  assert.equal(await links.count(), 30);
  const more = page.locator("[data-problems] button[data-action=all-problems]");
  assert.equal(await more.innerText(), `Show ${count - 30} more`);
  // Paper cannot press "Show more": printed, the list is whole, and afterwards the
  // screen is as it was.
  await page.evaluate(() => window.dispatchEvent(new Event("beforeprint")));
  assert.equal(await links.count(), count, "every problem is printed");
  await page.evaluate(() => window.dispatchEvent(new Event("afterprint")));
  assert.equal(await links.count(), 30, "after printing the screen lists as many as before");
  assert.equal(await more.innerText(), `Show ${count - 30} more`);
  await more.press("Enter");
  assert.equal(await links.count(), count, "every problem is listed");
  assert.equal(await page.evaluate(() => document.activeElement.textContent), await links.nth(30).innerText());

  // An item's link focuses its box; an empty field's, its input.
  const item = links.first();
  const itemId = (await item.getAttribute("href")).slice(1);
  await item.click();
  assert.equal(await page.evaluate(() => document.activeElement.dataset.item), itemId);
  const fieldLink = page.locator("[data-problems] a", { hasText: "required field is empty" }).first();
  const fieldId = (await fieldLink.getAttribute("href")).slice(1);
  await fieldLink.click();
  assert.equal(await page.evaluate(() => document.activeElement.dataset.field), fieldId);

  // Straight after typing, as well: the field is saved when the link is clicked, and
  // the list it sits in is not rebuilt under it until the click has done its work.
  const textFields = await page.$$eval("[data-problems] a", (links) =>
    links
      .map((a) => a.getAttribute("href").slice(1))
      .filter((id) => {
        const target = document.getElementById(id);
        const control = target?.matches("input, textarea") ? target : target?.querySelector("input, textarea");
        return control?.matches("input[type=text]") && control.dataset.field === id;
      }),
  );
  assert.ok(textFields.length >= 2, `two empty text fields listed (${textFields})`);
  await page.locator(`[data-problems] a[href="#${textFields[0]}"]`).click();
  await page.keyboard.type("typed, then off to the next problem");
  await page.locator(`[data-problems] a[href="#${textFields[1]}"]`).click();
  assert.equal(await page.evaluate(() => document.activeElement.dataset.field), textFields[1]);
  await page.waitForFunction(
    (id) => ![...document.querySelectorAll("[data-problems] a")].some((a) => a.getAttribute("href") === `#${id}`),
    textFields[0],
  );
  assert.deepEqual(errors, []);
  await context.close();
});

test("a checklist with items ticked in its Markdown is not started until someone changes it", async () => {
  const { context, page, errors } = await openPage(browser);
  const row = page.locator('.checklist-index li[data-checklist-id="web-release"]');
  const indexState = async () => {
    await page.goto(`${baseUrl}/`);
    await row.locator("[data-state]:not([hidden])").waitFor();
    return row.locator("[data-state]").innerText();
  };
  await page.goto(`${baseUrl}/`);
  await row.locator("a").first().click();
  await page.waitForSelector("main[data-checklist][data-ready]");
  assert.ok((await checkedIds(page)).length > 0, "web-release has an item ticked in its source");
  assert.match(await indexState(), /not started/);

  await row.locator("a").first().click();
  await page.waitForSelector("main[data-checklist][data-ready]");
  await page.locator("li.item-task > input[type=checkbox][data-item]:not(:checked)").first().check();
  assert.match(await indexState(), /in progress/);
  assert.deepEqual(errors, [], "the page logged errors");
  await context.close();
});

// A tick a full storage refused lives only in the page. Leaving must ask first, as any
// editor with unsaved work does; a page whose ticks are all saved must not.
test("leaving with ticks a full storage refused asks first, and with all saved does not", async () => {
  const { context, page, errors } = await openPage(browser);
  const [href] = await checklistLinks(page, baseUrl);
  await page.goto(href);
  await page.waitForSelector("main[data-ready]");
  const boxes = page.locator("input[type=checkbox][data-item]");
  const dialogs = [];
  page.on("dialog", (d) => {
    dialogs.push(d.type());
    d.dismiss();
  });

  await boxes.nth(0).check();
  // Nothing unsaved: a reload, or closing, goes straight through.
  await page.reload();
  await page.waitForSelector("main[data-ready]");
  assert.equal(await boxes.nth(0).isChecked(), true);
  assert.deepEqual(dialogs, []);

  // Storage full to the last byte: the next tick is held in the page only.
  await fillStorage(page);
  await boxes.nth(1).check();
  await page.locator("[data-storage-warning]").waitFor({ state: "visible" });
  const asked = page.waitForEvent("dialog");
  await page.close({ runBeforeUnload: true });
  await asked;
  assert.deepEqual(dialogs, ["beforeunload"], "leaving asked first");
  assert.equal(page.isClosed(), false, "and staying kept the page");
  assert.equal(await boxes.nth(1).isChecked(), true, "with its tick");

  // Room again: the held tick is written as the page goes, and leaving asks nothing.
  await freeStorage(page);
  const closed = page.waitForEvent("close");
  await page.close({ runBeforeUnload: true });
  await closed;
  assert.deepEqual(dialogs, ["beforeunload"]);
  const again = await context.newPage();
  await again.goto(href);
  await again.waitForSelector("main[data-ready]");
  const saved = again.locator("input[type=checkbox][data-item]");
  assert.equal(await saved.nth(1).isChecked(), true, "the held tick was saved on leaving");
  assert.deepEqual(errors, [], "the page logged errors");
  await context.close();
});

// What is typed into the item dialog is kept aside as the page goes, for the next
// visit. A full storage refuses that too: then leaving asks first, as for a tick.
test("leaving with a note typed into the item dialog asks first when storage is full", async () => {
  const { context, page, errors } = await openPage(browser);
  const [href] = await checklistLinks(page, baseUrl);
  await page.goto(href);
  await page.waitForSelector("main[data-ready]");
  const dialogs = [];
  page.on("dialog", (d) => {
    dialogs.push(d.type());
    d.dismiss();
  });
  await fillStorage(page);
  await page.locator("button.item-more").first().click();
  await page.fill("[data-dialog-note]", "rollback rehearsed on staging");
  const asked = page.waitForEvent("dialog");
  await page.close({ runBeforeUnload: true });
  await asked;
  assert.deepEqual(dialogs, ["beforeunload"], "leaving asked first");
  assert.equal(await page.inputValue("[data-dialog-note]"), "rollback rehearsed on staging");

  // With room, the note is kept aside as the page goes and comes back with its dialog.
  await freeStorage(page);
  const closed = page.waitForEvent("close");
  await page.close({ runBeforeUnload: true });
  await closed;
  assert.deepEqual(dialogs, ["beforeunload"]);
  const again = await context.newPage();
  await again.goto(href);
  await again.waitForSelector("main[data-ready]");
  await again.waitForFunction(() => document.querySelector("[data-item-dialog]").open);
  assert.equal(await again.inputValue("[data-dialog-note]"), "rollback rehearsed on staging");
  assert.deepEqual(errors, [], "the page logged errors");
  await context.close();
});

// Room made in another tab (a run deleted there, say) is used at once: what this tab
// held is written, and its warning goes, without waiting for its next change.
test("room made in another tab saves what this tab held and clears its warning", async () => {
  const { context, page, errors } = await openPage(browser);
  const [href] = await checklistLinks(page, baseUrl);
  await page.goto(href);
  await page.waitForSelector("main[data-ready]");
  await fillStorage(page);
  await page.locator("input[type=checkbox][data-item]").first().check();
  const warning = page.locator("[data-storage-warning]");
  await warning.waitFor({ state: "visible" });
  assert.match(await warning.innerText(), /deleting old runs under “All runs” makes room/);

  const other = await context.newPage();
  await other.goto(href);
  await other.waitForSelector("main[data-ready]");
  await freeStorage(other);
  await warning.waitFor({ state: "hidden" });
  // Another tab sees this one's writes a moment later (Chromium keeps a copy per tab).
  await other.waitForFunction(() => Object.keys(localStorage).filter((k) => k.includes(":c:")).length === 1);
  assert.deepEqual(errors, [], "the page logged errors");
  await context.close();
});
