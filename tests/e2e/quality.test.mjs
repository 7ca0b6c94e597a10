// Accessibility (axe-core) and HTML validity (the Nu HTML Checker) of every generated
// page: WCAG 2.1 A/AA plus best practices must report nothing, vnu no errors.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { axeViolations, checklistLinks, launch, openPage, serveSite } from "./support.mjs";

const require = createRequire(import.meta.url);
const VNU = path.join(path.dirname(require.resolve("vnu-jar")), "build/dist/vnu.jar");

let site;
let browser;

before(async () => {
  site = await serveSite();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  site?.stop();
});

function htmlFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return htmlFiles(p);
    return name.endsWith(".html") ? [p] : [];
  });
}

for (const scheme of ["light", "dark"]) {
  test(`axe finds no violations on any page (${scheme})`, async () => {
    // axe is injected as a script; the pages' CSP rightly forbids that, so only this
    // context bypasses it.
    const { context, page } = await openPage(browser, { bypassCSP: true, colorScheme: scheme });
    const urls = [`${site.baseUrl}/`, ...(await checklistLinks(page, site.baseUrl))];
    const violations = [];
    for (const url of urls) {
      await page.goto(url);
      await page.waitForLoadState("networkidle");
      violations.push(...(await axeViolations(page, url)));
    }
    assert.deepEqual(violations, [], violations.join("\n"));
    await context.close();
  });
}

test("a screen reader finds every item, and sign-off fields say whose they are", async () => {
  const { context, page } = await openPage(browser);
  for (const url of await checklistLinks(page, site.baseUrl)) {
    await page.goto(url);
    await page.waitForSelector("main[data-ready]");
    const boxes = await page.locator("input[type=checkbox][data-item]").count();
    // Chromium's own accessibility tree, which screen readers read: skipped rendering
    // (content-visibility) would leave far sections out of it.
    const cdp = await context.newCDPSession(page);
    const { nodes } = await cdp.send("Accessibility.getFullAXTree");
    const exposed = nodes.filter((n) => !n.ignored && n.role?.value === "checkbox").length;
    assert.equal(exposed, boxes, `${url}: every checkbox is in the accessibility tree`);
    // A numbered step is named with its number, as it is shown ("2. Stop the service").
    const boxNames = nodes.filter((n) => !n.ignored && n.role?.value === "checkbox").map((n) => n.name?.value ?? "");
    assert.ok(!boxNames.some((n) => /^\s*\. /.test(n)), `${url}: a step's name lost its number: ${boxNames}`);
    const steps = await page.$$eval("ol.tasks > li.item > label", (labels) => labels.map((l) => l.textContent));
    for (const step of steps) assert.ok(boxNames.some((n) => n.startsWith(step.trim().split(" (")[0])), `${url}: ${step}`);
    const names = nodes
      .filter((n) => !n.ignored && n.role?.value === "textbox")
      .map((n) => n.name?.value ?? "");
    const signoffs = await page.$$eval("li.item-signoff", (items) => items.length);
    if (signoffs > 0) {
      assert.ok(!names.includes("Name"), `${url}: a sign-off's name field is not just "Name": ${names}`);
      const more = nodes.filter((n) => !n.ignored && n.role?.value === "button" && n.name?.value?.startsWith("N/A and note"));
      assert.equal(new Set(more.map((n) => n.name.value)).size > 1, true, "the options buttons are told apart");
    }
    await cdp.detach();
  }
  await context.close();
});

test("at 320 px wide (400 % zoom) nothing scrolls sideways", async () => {
  const { context, page } = await openPage(browser, { viewport: { width: 320, height: 640 } });
  for (const url of [`${site.baseUrl}/`, ...(await checklistLinks(page, site.baseUrl))]) {
    await page.goto(url);
    await page.waitForLoadState("networkidle");
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 320, `${url} is ${wide} px wide`);
  }
  // A URL, a long command and a German compound in items and in the problem list,
  // which holds their texts again.
  const long = await serveSite(["tests/fixtures/long"]);
  try {
    await page.goto(`${long.baseUrl}/long-lines/`);
    await page.waitForSelector("main[data-ready]");
    await page.click("details.validation > summary");
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 320, `long lines make the page ${wide} px wide`);
    // Nothing to sign here, so no sign-off is blocked.
    assert.ok(await page.locator("#checkdown-signoff-blocked").isHidden());
  } finally {
    long.stop();
  }
  await context.close();
});

test("filtering the index hides what does not match and says how many do", async () => {
  const { context, page } = await openPage(browser);
  await page.goto(`${site.baseUrl}/`);
  await page.waitForSelector("[data-search-box]:not([hidden])");
  const entries = page.locator(".checklist-index > li");
  const all = await entries.count();
  await page.fill("#checkdown-search", "zzz no such checklist");
  assert.equal(await page.locator(".checklist-index > li:visible").count(), 0);
  assert.equal(await page.locator("[data-search-count]").innerText(), "No checklist matches");
  const title = await entries.first().locator("h2").innerText();
  await page.fill("#checkdown-search", title);
  const shown = await page.locator(".checklist-index > li:visible").count();
  assert.ok(shown >= 1 && shown <= all);
  assert.match(await page.locator("[data-search-count]").innerText(), new RegExp(`^${shown} of ${all} checklists? match`));
  await context.close();
});

test("the client starting moves nothing on the page; without scripts its panel takes no room", async () => {
  const { context, page } = await openPage(browser);
  // Layout shifts as the browser scores them (CLS), from the first paint on.
  await context.addInitScript(() => {
    window.__shift = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shift += e.value;
    }).observe({ type: "layout-shift", buffered: true });
  });
  for (const url of await checklistLinks(page, site.baseUrl)) {
    await page.goto(url);
    await page.waitForSelector("main[data-ready]");
    await page.waitForLoadState("networkidle");
    const shift = await page.evaluate(() => window.__shift);
    // 0.1 is where the browser's own guidance starts calling it poor.
    assert.ok(shift < 0.05, `${url}: layout shift ${shift.toFixed(3)}`);
  }
  await context.close();

  const off = await openPage(browser, { javaScriptEnabled: false });
  await off.page.goto((await checklistLinks(off.page, site.baseUrl))[0]);
  assert.equal(await off.page.$eval(".run-panel", (p) => getComputedStyle(p).display), "none");
  assert.equal(await off.page.$eval(".item-more", (b) => getComputedStyle(b).display), "none");
  await off.context.close();
});

test("paper is black on white, whatever the screen's theme", async () => {
  const { context, page } = await openPage(browser, { colorScheme: "dark" });
  const url = (await checklistLinks(page, site.baseUrl))[0];
  for (const theme of [null, "dark"]) {
    await page.goto(url);
    await page.waitForSelector("main[data-ready]");
    if (theme) await page.evaluate((t) => document.documentElement.setAttribute("data-theme", t), theme);
    await page.emulateMedia({ media: "screen" });
    const screen = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.notEqual(screen, "rgb(255, 255, 255)", "the screen follows the dark theme");
    await page.emulateMedia({ media: "print" });
    const paper = await page.evaluate(() => {
      const s = getComputedStyle(document.body);
      return [s.backgroundColor, s.color];
    });
    assert.deepEqual(paper, ["rgb(255, 255, 255)", "rgb(0, 0, 0)"], `printing with theme ${theme ?? "auto"}`);
  }
  await context.close();
});

test("paper names the run and leaves the controls off", async () => {
  const { context, page } = await openPage(browser);
  // A page with two date fields or more, to print one filled and one empty.
  const dates = page.locator("input[type=date][data-field]");
  for (const url of await checklistLinks(page, site.baseUrl)) {
    await page.goto(url);
    await page.waitForSelector("main[data-ready]");
    if ((await dates.count()) >= 2) break;
  }
  assert.ok((await dates.count()) >= 2, "some page has two date fields");
  await page.fill("#checkdown-run-name", "v2.4.1 prod");
  await page.fill("#checkdown-who", "Ann");
  await dates.first().fill("2031-02-03");
  await page.emulateMedia({ media: "print" });
  const shown = (sel) => page.locator(sel).first().isVisible();
  assert.equal(await page.inputValue("#checkdown-run-name"), "v2.4.1 prod");
  assert.ok(await shown("#checkdown-run-name"), "the run's name is on paper");
  for (const sel of ["[data-action=export]", "#checkdown-who", "details.runs", "button.item-more"]) {
    assert.equal(await shown(sel), false, `${sel} stays off paper`);
  }
  const ink = (loc, pseudo) => loc.evaluate((i, p) => getComputedStyle(i, p).color, pseudo ?? null);
  const blocked = page.locator(".item[data-blocked] > label").first();
  assert.ok((await blocked.count()) > 0, "a fresh run has blocked sign-offs");
  const after = await blocked.evaluate((l) => getComputedStyle(l, "::after").content);
  assert.equal(after, "none", "\"(blocked)\" is a screen cue, not printed");
  assert.equal(await ink(page.locator("#checkdown-run-subject"), "::placeholder"), "rgba(0, 0, 0, 0)", "a hint is not printed as if entered");
  assert.ok(await shown(".summary .required-open"), "the live count of what is open is on paper");
  // Fields save a moment after typing stops; the record then says who changed it last.
  await page.waitForFunction(() => / · last change .+ by Ann$/.test(document.querySelector("[data-run-dates]").textContent));
  assert.match(await page.locator("[data-run-dates]").innerText(), /^Started \S/);
  assert.ok(await shown("[data-run-dates]"), "when and by whom is on paper");
  assert.equal(await ink(dates.nth(1)), "rgba(0, 0, 0, 0)", "an empty date prints as a blank line");
  assert.notEqual(await ink(dates.first()), "rgba(0, 0, 0, 0)", "a date that was entered prints");
  // Fields save a moment after typing stops.
  await page.waitForFunction(() => Object.values(localStorage).some((v) => v.includes("2031-02-03")));
  await page.reload();
  await page.waitForSelector("main[data-ready]");
  assert.equal(await dates.first().inputValue(), "2031-02-03");
  assert.notEqual(await ink(dates.first()), "rgba(0, 0, 0, 0)", "and still prints once restored");
  assert.equal(await ink(dates.nth(1)), "rgba(0, 0, 0, 0)");

  // A note longer than its box prints whole: paper cannot scroll.
  await page.emulateMedia({ media: "screen" });
  let notes = 0;
  for (const url of await checklistLinks(page, site.baseUrl)) {
    await page.goto(url);
    await page.waitForSelector("main[data-ready]");
    notes = await page.locator("textarea[data-field]").count();
    if (notes > 0) break;
  }
  assert.ok(notes > 0, "some page has a notes field");
  const note = page.locator("textarea[data-field]").first();
  // Empty, a notes box on paper is room to write in, as wide as the text.
  await page.emulateMedia({ media: "print" });
  const emptyWidth = await note.evaluate((t) => t.getBoundingClientRect().width);
  assert.ok(emptyWidth >= 300, `an empty notes box prints ${emptyWidth}px wide`);
  await page.emulateMedia({ media: "screen" });
  const lines = ["A", "B", "C", "D", "E", "F", "G final line"].join("\n");
  await note.fill(lines);
  const cut = () => note.evaluate((t) => t.scrollHeight - t.clientHeight);
  assert.ok((await cut()) > 0, "on screen the note scrolls in its box");
  await page.emulateMedia({ media: "print" });
  await page.evaluate(() => window.dispatchEvent(new Event("beforeprint")));
  const printed = page.locator(".print-note");
  assert.equal(await printed.count(), 1);
  assert.equal(await printed.innerText(), lines, "printed, every line of the note shows, as written");
  assert.equal(await note.isVisible(), false, "the box it would be cut off in stays off the paper");
  await page.evaluate(() => window.dispatchEvent(new Event("afterprint")));
  assert.equal(await printed.count(), 0);
  await context.close();
});

test("paper shows the whole of every value typed into a one-line field, however narrow it is", async () => {
  const { context, page } = await openPage(browser);
  await page.setViewportSize({ width: 1280, height: 800 });
  // A page with run-level text fields and sign-offs, as the seeds have.
  const texts = page.locator("p.field input[type=text]");
  for (const url of await checklistLinks(page, site.baseUrl)) {
    await page.goto(url);
    await page.waitForSelector("main[data-ready]");
    if ((await texts.count()) > 0 && (await page.locator(".signoff-fields input[type=text]").count()) > 0) break;
  }
  const values = [
    `sha512:${"c3f4e1d2b5a69788".repeat(8)}`,
    "v2.14.3-rc.2+build.20261124.abcdef0123",
    "Maria-Fernanda Oliveira dos Santos Pereira",
    // Fits the wide screen's line, not a sheet of A4's: what a reviewer saw cut.
    "Release 2026.11.24 of the search indexer, payments gateway and notifications rollout",
  ];
  const filled = [
    page.locator("#checkdown-run-subject"),
    texts.first(),
    page.locator(".signoff-fields input[type=text]").first(),
    page.locator("[data-run-name]"),
  ];
  for (const [i, loc] of filled.entries()) await loc.fill(values[i]);
  const cut = (loc) => loc.evaluate((i) => i.scrollWidth - i.clientWidth);
  assert.ok((await cut(filled[2])) > 0, "on screen a long name scrolls in its box");

  await page.emulateMedia({ media: "print" });
  await page.evaluate(() => window.dispatchEvent(new Event("beforeprint")));
  // A second print before the first ends (two PDFs in a row) adds nothing.
  await page.evaluate(() => window.dispatchEvent(new Event("beforeprint")));
  // The printer lays the page out again at the paper's width (A4 is about 700 px).
  await page.setViewportSize({ width: 600, height: 800 });
  const copies = page.locator(".print-value");
  assert.equal(await copies.count(), values.length, "each value is printed once, as text");
  for (const [i, loc] of filled.entries()) {
    const copy = loc.locator("xpath=following-sibling::span[contains(@class, 'print-value')][1]");
    assert.equal(await copy.innerText(), values[i]);
    const fits = await copy.evaluate((c) => c.getBoundingClientRect().right <= document.documentElement.clientWidth);
    assert.ok(fits, `${values[i]}: the copy wraps within the paper`);
    assert.equal(await loc.isVisible(), false, "the box it would be cut off in is not printed beside it");
  }
  // An empty one is a line long enough to write a name on by hand.
  const empty = await page.$$eval("main input[type=text][data-field]", (a) =>
    a.filter((i) => i.value === "" && i.offsetParent).map((i) => i.getBoundingClientRect().width),
  );
  assert.ok(empty.length > 0 && Math.min(...empty) >= 200, `empty fields on paper: ${empty}`);
  await page.evaluate(() => window.dispatchEvent(new Event("afterprint")));
  await page.emulateMedia({ media: "screen" });
  await page.setViewportSize({ width: 1280, height: 800 });
  assert.equal(await copies.count(), 0, "the copies go after printing");
  assert.ok(await filled[2].isVisible(), "and the boxes come back");
  assert.ok((await cut(filled[2])) > 0, "after printing the screen layout is back");
  await context.close();
});

test("the Nu HTML Checker finds no errors in any generated page", () => {
  const files = htmlFiles(site.outDir);
  assert.ok(files.length >= 2, `expected pages, found ${files.length}`);
  let output = "";
  try {
    execFileSync("java", ["-jar", VNU, "--errors-only", "--format", "text", ...files], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (err) {
    output = `${err.stdout ?? ""}${err.stderr ?? ""}` || String(err);
  }
  assert.equal(output.trim(), "", output);
});

// WCAG 3.1.2: a screen reader speaks each part of a page in the language it is
// marked with. On a German checklist the page's controls and status lines are
// English, and people's reasons and notes are whatever they typed.
test("on a page in another language, its own words are marked English and people's are not", async () => {
  const german = await serveSite(["tests/fixtures/languages"]);
  const { context, page } = await openPage(browser, { bypassCSP: true });
  try {
    await page.goto(`${german.baseUrl}/freigabe/index.html`);
    await page.waitForSelector("main[data-ready]");
    assert.equal(await page.getAttribute("html", "lang"), "de");
    const ids = Object.fromEntries(
      await page.$$eval("li.item", (lis) =>
        // The label's own text: without the hidden "Sign-off:" or the aggregate.
        lis.map((li) => [
          [...li.querySelector(":scope > label").childNodes]
            .filter((n) => n.nodeType === Node.TEXT_NODE)
            .map((n) => n.textContent)
            .join("")
            .trim(),
          li.id,
        ]),
      ),
    );
    const li = (text) => page.locator(`li[id="${ids[text]}"]`);
    // Each piece of a line: its language mark (null where it keeps the page's) and text.
    const pieces = (locator) =>
      locator.evaluate((e) =>
        [...e.childNodes].map((n) => [n.nodeType === 1 ? n.getAttribute("lang") : null, n.textContent]),
      );

    await li("Datenbank sichern").locator(":scope > button.item-more").click();
    await page.locator("[data-item-dialog] input[value=na]").check();
    await page.fill("[data-dialog-reason]", "nicht nötig:");
    await page.fill("[data-dialog-note]", "siehe Ticket");
    await page.locator("[data-dialog-save]").click();
    const status = await pieces(li("Datenbank sichern").locator(":scope > .item-status"));
    assert.deepEqual(status.slice(0, 5), [
      ["en", "N/A: "],
      [null, "nicht nötig"],
      ["en", ". Note: "],
      [null, "siehe Ticket"],
      ["en", " — "],
    ]);
    assert.equal(status.length, 6, JSON.stringify(status));
    assert.equal(status[5][0], null, "who and when are not the page's words");
    assert.deepEqual(await pieces(li("Sicherung prüfen").locator(":scope > .item-status")), [
      ["en", "N/A with \u201c"],
      [null, "Datenbank sichern"],
      ["en", "\u201d"],
    ]);

    await li("Skript lesen").locator(":scope > input").check();
    const aggregate = li("Migration vorbereiten").locator(":scope > label > .item-aggregate");
    assert.equal(await aggregate.getAttribute("lang"), "en");
    assert.equal(await aggregate.textContent(), " (1 of 2 done)");
    assert.equal(await li("Cache leeren (optional)").locator(".badge-optional").count(), 0, "its text says optional");
    assert.equal(await li("Protokolle archivieren").locator(".badge-optional").getAttribute("lang"), "en");

    // A sign-off tried too early says why, in English.
    await li("Teamleitung").locator(":scope > input").click();
    const blocked = li("Teamleitung").locator(":scope > .item-blocked");
    assert.equal(await blocked.getAttribute("lang"), "en");
    assert.match(await blocked.textContent(), /^Can be signed once/);
    assert.equal(
      await page.locator(`li[id="${ids.Teamleitung}"] label .visually-hidden`).first().getAttribute("lang"),
      "en",
      "the hidden 'Sign-off:' is English too",
    );

    // The checklist's own words quoted in the English panel's problems keep the page's.
    const quoted = await page.$$eval("[data-problems] li", (lis) =>
      lis.map((li) => [...li.querySelectorAll("span[lang]")].map((s) => [s.getAttribute("lang"), s.textContent])),
    );
    assert.ok(
      quoted.some((spans) => spans.some(([lang, text]) => lang === "de" && text === "Skript testen")),
      JSON.stringify(quoted),
    );
    assert.match(await page.locator("[data-problems] li", { hasText: "Skript testen" }).first().textContent(), /^required item is open: Skript testen$/);
    for (const chrome of [".site-footer", ".skip-link", "[data-run-panel]", "[data-item-dialog]", "nav.toc"]) {
      assert.equal(await page.getAttribute(chrome, "lang"), "en", chrome);
    }
    assert.equal(await page.getAttribute("nav.toc ol", "lang"), "de", "the contents are the checklist's headings");
    assert.deepEqual(await axeViolations(page, "german"), []);

    // On a right-to-left page, the English parts of a line also run left to right.
    await page.goto(`${german.baseUrl}/arabic/index.html`);
    await page.waitForSelector("main[data-ready]");
    const first = await page.$eval("li.item", (li) => li.id);
    await page.locator(`li[id="${first}"] > button.item-more`).click();
    await page.locator("[data-item-dialog] input[value=na]").check();
    await page.fill("[data-dialog-reason]", "غير ضروري");
    await page.locator("[data-dialog-save]").click();
    const arabic = await page
      .locator(`li[id="${first}"] > .item-status`)
      .evaluate((e) => [...e.childNodes].map((n) => [n.nodeType === 1 ? `${n.getAttribute("lang")} ${n.getAttribute("dir")}` : null, n.textContent]));
    assert.deepEqual(arabic.slice(0, 2), [["en ltr", "N/A: "], [null, "غير ضروري"]]);
    assert.equal(await page.getAttribute("[data-dialog-note]", "dir"), "auto");
    assert.deepEqual(await axeViolations(page, "arabic"), []);
  } finally {
    await context.close();
    german.stop();
  }
});

// The client that offers the theme loads asynchronously; a page waiting for it was
// drawn in the system's theme first and then flashed into the chosen one.
test("a chosen theme is in place before the client runs, so the page does not flash", async () => {
  const { context, page } = await openPage(browser, { colorScheme: "light" });
  try {
    const [url] = await checklistLinks(page, site.baseUrl);
    await page.goto(url);
    await page.waitForSelector("main[data-ready]");
    const toggle = page.locator("[data-theme-toggle]");
    while ((await toggle.textContent()) !== "Theme: dark") await toggle.click();
    const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    // With the client held back, only what runs before the first paint can set it.
    await page.route(/assets\/checkdown(-web)?\.[0-9a-f]+\.js$/, (route) => route.abort());
    await page.reload({ waitUntil: "domcontentloaded" });
    assert.equal(await page.locator("main[data-ready]").count(), 0, "the client was held back");
    assert.equal(await page.getAttribute("html", "data-theme"), "dark");
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.notEqual(background, "rgb(255, 255, 255)", `dark, not ${light}`);
  } finally {
    await context.close();
  }
});
