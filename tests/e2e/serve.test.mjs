// `checkdown serve` as an author uses it: edit a checklist and the open page reloads;
// break it and the page keeps the last good version with the problem in an overlay.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { BIN, launch, openPage, serveSite, scratchDir } from "./support.mjs";

const GOOD = "# Live\n\n## Steps\n- [ ] First\n- [ ] Second\n";
let site;
let browser;

before(async () => {
  const dir = scratchDir("live");
  writeFileSync(path.join(dir, "live.md"), GOOD);
  site = await serveSite([dir], { watch: true });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  site?.stop();
});

/** Serves `text` as `rel.md`, watched, for `body`; the server stops however it ends. */
async function withLive(tag, text, body) {
  const dir = scratchDir(tag);
  writeFileSync(path.join(dir, "rel.md"), text);
  const live = await serveSite([dir], { watch: true });
  try {
    await body(live);
  } finally {
    live.stop();
  }
}

// Waits until the overlay is gone and the page shows `text`: the fix was picked up.
function fixedShowing(page, text) {
  return page.waitForFunction(
    (t) => !document.getElementById("checkdown-problems") && document.body.innerText.includes(t),
    text,
    { timeout: 15_000 },
  );
}

test("editing a checklist reloads the page; a broken edit shows an overlay", async () => {
  const { context, page, errors } = await openPage(browser);
  await page.goto(`${site.baseUrl}/live/`);
  await page.waitForSelector("main[data-ready]");
  const boxes = page.locator("input[type=checkbox][data-item]");
  assert.equal(await boxes.count(), 2);

  // A good edit: the page reloads by itself with the new item.
  writeFileSync(path.join(site.src, "live.md"), `${GOOD}- [ ] Third\n`);
  await page.waitForFunction(() => document.querySelectorAll("input[data-item]").length === 3, null, {
    timeout: 15_000,
  });

  // A broken edit: the last good page stays and the overlay names the problem.
  writeFileSync(path.join(site.src, "live.md"), "## No title any more\n- [ ] First\n");
  const overlay = page.locator("#checkdown-problems");
  await overlay.waitFor({ timeout: 15_000 });
  const report = await overlay.innerText();
  assert.match(report, /E004/);
  assert.match(report, /live\.md:1:1/);
  assert.equal(await boxes.count(), 3, "the last good page is still served");
  await page.reload();
  await overlay.waitFor({ timeout: 15_000 });
  assert.equal(await boxes.count(), 3);

  // Fixed again: the overlay goes and the new content shows.
  writeFileSync(path.join(site.src, "live.md"), `${GOOD}- [ ] Fourth\n`);
  await fixedShowing(page, "Fourth");
  assert.deepEqual(errors, [], "the page logged errors");
  await context.close();
});

test("serve starts with a broken checklist, reports it in the page and picks up the fix", async () => {
  const dir = scratchDir("broken");
  writeFileSync(path.join(dir, "good.md"), GOOD);
  writeFileSync(path.join(dir, "broken.md"), "## No title yet\n- [ ] First\n");
  const broken = await serveSite([dir], { watch: true });
  try {
    const { context, page, errors } = await openPage(browser);
    await page.goto(`${broken.baseUrl}/`);
    // The good checklist is served; the broken one is named with its position.
    const overlay = page.locator("#checkdown-problems");
    await overlay.waitFor({ timeout: 15_000 });
    assert.match(await overlay.innerText(), /broken\.md:1:1/);
    assert.equal(await page.locator('main a[href^="good"]').count(), 1, "the good checklist is listed");
    assert.equal(await page.locator('main a[href^="broken"]').count(), 0);

    // While one checklist is broken, editing another still reloads its open page.
    await page.goto(`${broken.baseUrl}/good/`);
    await page.waitForSelector("main[data-ready]");
    writeFileSync(path.join(broken.src, "good.md"), `${GOOD}- [ ] Added meanwhile\n`);
    await page.waitForFunction(() => document.body.innerText.includes("Added meanwhile"), null, {
      timeout: 15_000,
    });
    await overlay.waitFor({ timeout: 15_000 });

    await page.goto(`${broken.baseUrl}/`);
    writeFileSync(path.join(broken.src, "broken.md"), "# Fixed now\n\n- [ ] First\n");
    await fixedShowing(page, "Fixed now");
    assert.deepEqual(errors, [], "the page logged errors");
    await context.close();
  } finally {
    broken.stop();
  }
});

// Release 1's run was finished and archived; then the checklist changed for release 2.
// An auditor asking for release 1's evidence must still get it, as it was.
test("an archived run made on an earlier version keeps its ending and exports as it was", async () => {
  const signed = `${GOOD}\n## Sign-off\n- [ ] Lead: ____\n`;
  await withLive("versions", signed, async (live) => {
    const { context, page, errors } = await openPage(browser, { acceptDownloads: true });
    page.on("dialog", (d) => d.accept());
    await page.goto(`${live.baseUrl}/rel/`);
    await page.waitForSelector("main[data-ready]");
    await page.fill("[data-who]", "Ann");
    await page.fill('[data-field$=".name"]', "Ann");
    for (const box of await page.locator("input[data-item]").all()) await box.check();
    assert.equal(await page.locator("[data-status]").innerText(), "signed");
    await page.click("[data-action=new-run]");
    writeFileSync(path.join(live.src, "rel.md"), signed.replace("- [ ] Second\n", "- [ ] Second\n- [ ] Third\n"));
    await page.waitForFunction(() => document.querySelectorAll("input[data-item]").length === 4, null, {
      timeout: 15_000,
    });
    await page.waitForSelector("main[data-ready]");
    await page.locator("details.runs > summary").click();
    const run1 = page.locator("[data-runs] > li", { hasText: "Run 1" });

    // Exported from the list, it is the file of the version it was made on.
    const [download] = await Promise.all([page.waitForEvent("download"), run1.locator("[data-action=export-run]").click()]);
    const file = await download.path();
    const evidence = JSON.parse(readFileSync(file, "utf8"));
    assert.deepEqual(evidence.items.map((i) => i.state), ["done", "done", "done"]);
    assert.equal(evidence.validation.complete, true);
    const old = path.join(scratchDir("old"), "rel.md");
    writeFileSync(old, signed);
    execFileSync(BIN, ["verify", file, "--checklist", old], { stdio: "pipe" });
    // A late file for that run cannot be merged here, and must not replace the copy.
    await page.setInputFiles("[data-import]", file);
    await page.waitForFunction(() => /finished on an earlier version.*nothing was changed/.test(document.querySelector("[data-message]").textContent));
    const [again] = await Promise.all([page.waitForEvent("download"), run1.locator("[data-action=export-run]").click()]);
    assert.equal(readFileSync(await again.path(), "utf8"), readFileSync(file, "utf8"), "the copy kept is untouched");

    // Opened, it is shown against this version, and says how it ended.
    await run1.locator("[data-action=open-run]").click();
    await page.waitForSelector("[data-readonly]:not([hidden])");
    assert.equal(await page.locator("[data-status]").innerText(), "signed", "as it ended, not as this version counts it");
    assert.equal(await page.locator("#checkdown-signoff-blocked").isVisible(), false, "nothing is to be signed in it");
    // Nor is it held to this version's new item: it lacked nothing when it ended.
    assert.deepEqual(
      [await page.locator("[data-done]").innerText(), await page.locator("[data-total]").innerText(), await page.locator("[data-required-open]").innerText()],
      ["3", "3", "0"],
      "its counts are how it ended, as the run list says",
    );
    assert.equal(await page.locator("[data-problem-count]").innerText(), "(nothing left)");
    assert.deepEqual(await page.locator("[data-problems] li").allTextContents(), [
      "Nothing: every required item, field and sign-off is done.",
    ]);
    const notice = await page.locator("[data-source-changed]").innerText();
    assert.match(notice, /When it was archived it was signed, 3 of 3 done\. Export writes its evidence as it was then\./);
    await Promise.all([page.waitForEvent("download"), page.click("[data-action=export]")]);

    // A run archived by a page that kept no copy cannot be made again: said, not faked.
    await page.evaluate(() => {
      for (const key of Object.keys(localStorage)) if (key.endsWith(":evidence")) localStorage.removeItem(key);
    });
    let downloaded = false;
    page.on("download", () => {
      downloaded = true;
    });
    await page.click("[data-action=export]");
    await page.waitForFunction(() => /earlier version of this checklist/.test(document.querySelector("[data-message]").textContent));
    assert.equal(downloaded, false, "no file that holds for neither version");
    assert.deepEqual(errors, [], "the page logged errors");
    await context.close();
  });
});

test("a checklist changed mid-run says so, and ticks on removed items survive export and import", async () => {
  await withLive("changed", `${GOOD}- [ ] Third\n`, async (live) => {
    const { context, page, errors } = await openPage(browser, { acceptDownloads: true });
    await page.goto(`${live.baseUrl}/rel/`);
    await page.waitForSelector("main[data-ready]");
    await page.fill("[data-who]", "Ann");
    await page.locator('input[data-item="steps.first"]').check();
    await page.locator('input[data-item="steps.third"]').check();
    // Third is taken out and Second reworded while the run is under way.
    writeFileSync(path.join(live.src, "rel.md"), "# Live\n\n## Steps\n- [ ] First\n- [ ] Second, on staging\n");
    await page.waitForFunction(() => document.querySelectorAll("input[data-item]").length === 2, null, {
      timeout: 15_000,
    });
    await page.waitForSelector("main[data-ready]");
    const notice = page.locator("[data-source-changed]");
    const said = await notice.innerText();
    assert.match(said, /This checklist changed since the run started/);
    assert.match(said, /added: Second, on staging/);
    assert.match(said, /removed: Second; Third/);
    assert.match(said, /orphaned: “Third”/);
    assert.equal(await page.locator('input[data-item="steps.first"]').isChecked(), true, "an unchanged item keeps its tick");

    const [download] = await Promise.all([page.waitForEvent("download"), page.click("[data-action=export]")]);
    const file = await download.path();
    const evidence = JSON.parse(readFileSync(file, "utf8"));
    assert.deepEqual(
      evidence.orphans.map((o) => [o.id, o.kind, o.to, o.who]),
      [["steps.third", "item", "done", "Ann"]],
    );
    assert.match(await page.locator("[data-message]").innerText(), /keeps progress on 1 removed item or field/);
    // The gate reads the file as genuine; the orphan counts for nothing in it.
    let report;
    try {
      report = execFileSync(BIN, ["verify", file, "--checklist", live.src, "--format", "json"], { encoding: "utf8" });
    } catch (e) {
      report = e.stdout;
    }
    const verdict = JSON.parse(report);
    assert.equal(verdict.orphans, 1);
    assert.deepEqual(verdict.findings.filter((f) => f.kind !== "incomplete"), []);

    // Someone else imports the file: the run still holds the tick, and says so.
    const other = await openPage(browser, { acceptDownloads: true });
    await other.page.goto(`${live.baseUrl}/rel/`);
    await other.page.waitForSelector("main[data-ready]");
    await other.page.setInputFiles("[data-import]", file);
    await other.page.waitForFunction(() => /Imported/.test(document.querySelector("[data-message]").textContent));
    assert.equal(await other.page.locator('input[data-item="steps.first"]').isChecked(), true);
    assert.match(await other.page.locator("[data-source-changed]").innerText(), /earlier version of this checklist.*steps\.third/s);
    const [again] = await Promise.all([other.page.waitForEvent("download"), other.page.click("[data-action=export]")]);
    assert.deepEqual(JSON.parse(readFileSync(await again.path(), "utf8")).orphans, evidence.orphans);
    assert.deepEqual(other.errors, [], "the importing page logged errors");
    await other.context.close();

    // Carried on under this version and then archived, the run still exports: it is
    // this version's run now, unlike one archived before the change.
    await page.locator('input[data-item="steps.second-on-staging"]').check();
    page.once("dialog", (d) => d.accept());
    await page.click("[data-action=new-run]");
    await page.locator("details.runs > summary").click();
    const [archived] = await Promise.all([
      page.waitForEvent("download"),
      page.locator("[data-runs] > li", { hasText: "Run 1" }).locator("[data-action=export-run]").click(),
    ]);
    const kept = JSON.parse(readFileSync(await archived.path(), "utf8"));
    assert.deepEqual(kept.orphans, evidence.orphans);
    assert.ok(kept.items.find((i) => i.id === "steps.second-on-staging").state === "done");
    assert.deepEqual(errors, [], "the page logged errors");
    await context.close();
  });
});

test("a file exported before the checklist changed still imports and merges, keeping what still applies", async () => {
  const dir = scratchDir("rebase");
  writeFileSync(path.join(dir, "rel.md"), `${GOOD}- [ ] Third\n`);
  const live = await serveSite([dir], { watch: true });
  const pages = [];
  const open = async (who) => {
    const p = await openPage(browser, { acceptDownloads: true });
    pages.push(p);
    await p.page.goto(`${live.baseUrl}/rel/`);
    await p.page.waitForSelector("main[data-ready]");
    await p.page.fill("[data-who]", who);
    return p;
  };
  const exported = async (page) => {
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("[data-action=export]")]);
    return download.path();
  };
  const message = (page, re) =>
    page.waitForFunction((src) => new RegExp(src, "s").test(document.querySelector("[data-message]").textContent), re.source);
  try {
    // Ann starts the run; Bo joins it from her file and ticks Third. Both files are
    // made on this version.
    const ann = await open("Ann");
    await ann.page.locator('input[data-item="steps.first"]').check();
    const annFile = await exported(ann.page);
    const bo = await open("Bo");
    await bo.page.setInputFiles("[data-import]", annFile);
    await message(bo.page, /Imported the run/);
    await bo.page.locator('input[data-item="steps.third"]').check();
    const boFile = await exported(bo.page);
    // Bo then finishes the run on this version: his next file is a finished run's.
    await bo.page.locator('input[data-item="steps.second"]').check();
    const boDone = await exported(bo.page);
    assert.equal(JSON.parse(readFileSync(boDone, "utf8")).validation.complete, true);

    // The author drops Third and rewords Second; Ann's page reloads with it.
    writeFileSync(path.join(live.src, "rel.md"), "# Live\n\n## Steps\n- [ ] First\n- [ ] Second, on staging\n");
    await ann.page.waitForFunction(() => document.querySelectorAll("input[data-item]").length === 2, null, {
      timeout: 15_000,
    });
    await ann.page.waitForSelector("main[data-ready]");

    // Bo's file, from before the edit, merges into Ann's run: his tick on Third is kept
    // aside as orphaned, named as people knew it.
    await ann.page.setInputFiles("[data-import]", boFile);
    await message(ann.page, /Merged the evidence.*another version of this checklist.*1 item or field this version no longer has/);
    assert.equal(await ann.page.locator('input[data-item="steps.first"]').isChecked(), true);
    assert.match(await ann.page.locator("[data-source-changed]").innerText(), /orphaned: “Third”/);

    // Someone opening the new version fresh imports it as a run of its own, and the
    // notice says what changed since the file's version.
    const cy = await open("Cy");
    await cy.page.setInputFiles("[data-import]", boFile);
    await message(cy.page, /Imported the run.*another version of this checklist/);
    assert.equal(await cy.page.locator('input[data-item="steps.first"]').isChecked(), true, "unchanged item keeps its tick");
    const said = await cy.page.locator("[data-source-changed]").innerText();
    assert.match(said, /added: Second, on staging/);
    assert.match(said, /removed: Second; Third/);
    assert.match(said, /orphaned: “Third”/);
    // What Cy exports now is this version's evidence, and the gate reads it as genuine.
    const cyFile = await exported(cy.page);
    const evidence = JSON.parse(readFileSync(cyFile, "utf8"));
    assert.deepEqual(
      evidence.orphans.map((o) => [o.id, o.to, o.who]),
      [["steps.third", "done", "Bo"]],
    );
    let report;
    try {
      report = execFileSync(BIN, ["verify", cyFile, "--checklist", live.src, "--format", "json"], { encoding: "utf8" });
    } catch (e) {
      report = e.stdout;
    }
    assert.deepEqual(JSON.parse(report).findings.filter((f) => f.kind !== "incomplete"), []);

    // Finished on the old version is not finished on this one ("Second, on staging" is
    // new): someone busy with a run of their own gets it as a run to carry on, not as
    // a read-only archived record nobody could finish.
    const eve = await open("Eve");
    await eve.page.locator('input[data-item="steps.first"]').check();
    eve.page.once("dialog", (d) => d.accept());
    await eve.page.setInputFiles("[data-import]", boDone);
    await message(eve.page, /Imported the run.*another version/);
    assert.equal(await eve.page.locator('input[data-item="steps.second-on-staging"]').isDisabled(), false);

    // An earlier version's file whose log was edited is refused, and changes nothing.
    const forged = JSON.parse(readFileSync(boFile, "utf8"));
    forged.events[0].who = "Mallory";
    const forgedFile = path.join(dir, "forged.evidence.json");
    writeFileSync(forgedFile, JSON.stringify(forged));
    const dee = await open("Dee");
    await dee.page.setInputFiles("[data-import]", forgedFile);
    await message(dee.page, /another version of this checklist, and it does not hold: event 2: hash chain broken.*Nothing was changed/);
    assert.equal(await dee.page.locator('input[data-item="steps.first"]').isChecked(), false);
    for (const p of pages) assert.deepEqual(p.errors, [], "a page logged errors");
  } finally {
    for (const p of pages) await p.context.close();
    live.stop();
  }
});

test("a sign-off whose own line changed is taken back once, and given again it stands", async () => {
  const v1 = "# Live\n\n## Steps\n- [ ] First\n\n## Sign-Off\n- [ ] QA Lead: ____\n";
  await withLive("resign", v1, async (live) => {
    const { context, page, errors } = await openPage(browser);
    await page.goto(`${live.baseUrl}/rel/`);
    await page.waitForSelector("main[data-ready]");
    await page.fill("[data-who]", "Ann");
    await page.locator('input[data-item="steps.first"]').check();
    const qa = page.locator('input[data-item="sign-off.qa-lead"]');
    await qa.check();
    assert.equal(await qa.isChecked(), true, "signed on the first version");
    // Serve reloads the page once the edit is built; `shows` is what the edit added.
    const reloaded = async (text, shows) => {
      writeFileSync(path.join(live.src, "rel.md"), text);
      await page.waitForSelector(shows, { state: "attached", timeout: 15_000 });
      await page.waitForSelector("main[data-ready]");
    };

    // The QA Lead's line now asks for a date: Ann did not sign that. The index,
    // which cannot recount, says its summary is of the version before.
    const indexSays = (re) =>
      page.waitForFunction(
        (src) => new RegExp(src).test(document.querySelector('li[data-checklist-id="rel"] [data-state]')?.textContent ?? ""),
        re.source,
        { timeout: 15_000 },
      );
    await page.goto(`${live.baseUrl}/`);
    await indexSays(/^signed · 2 of 2 done$/);
    writeFileSync(path.join(live.src, "rel.md"), v1.replace("QA Lead: ____", "QA Lead: ____ Date: ____"));
    await indexSays(/^checklist changed since · was signed, 2 of 2 done/);
    await page.goto(`${live.baseUrl}/rel/`);
    await page.waitForSelector("main[data-ready]");
    await page.waitForFunction(() =>
      /1 sign-off withdrawn \(QA Lead\): “.+” changed in the checklist after it was given/.test(document.querySelector("[data-message]").textContent),
    );
    assert.equal(await qa.isChecked(), false);
    await page.fill('[data-field="sign-off.qa-lead.date"]', "2026-11-24");
    await qa.check();
    await page.reload();
    await page.waitForSelector("main[data-ready]");
    assert.equal(await qa.isChecked(), true, "given again on this version, it stands on the next visit");

    // An edit elsewhere leaves it alone.
    await reloaded(
      v1.replace("QA Lead: ____", "QA Lead: ____ Date: ____").replace("- [ ] First\n", "- [ ] First\n- [ ] Second {optional}\n"),
      'input[data-item="steps.second"]',
    );
    assert.equal(await qa.isChecked(), true, "its own line did not change again");

    // A sign-off added after the run started is held to its wording as well.
    const withSecurity = v1
      .replace("QA Lead: ____", "QA Lead: ____ Date: ____")
      .replace("- [ ] First\n", "- [ ] First\n- [ ] Second {optional}\n")
      .concat("- [ ] Security: ____\n");
    await reloaded(withSecurity, 'input[data-item="sign-off.security"]');
    const security = page.locator('input[data-item="sign-off.security"]');
    await security.check();
    assert.equal(await security.isChecked(), true);
    await reloaded(withSecurity.replace("Security: ____", "Security: ____ Ticket: ____"), '[data-field="sign-off.security.ticket"]');
    await page.waitForFunction(() => /1 sign-off withdrawn \(Security\)/.test(document.querySelector("[data-message]").textContent));
    assert.equal(await security.isChecked(), false);
    assert.equal(await qa.isChecked(), true, "the other sign-off's line is unchanged");
    assert.deepEqual(errors, [], "the page logged errors");
    await context.close();
  });
});

test("the notice calls a moved item moved, and names an orphaned field by its item", async () => {
  await withLive("moved", "# M\n\n## A\n- [ ] Move me\n- [ ] Stay\n\n## Sign-Off\n- [ ] QA Lead: ____\n", async (live) => {
    const { context, page, errors } = await openPage(browser);
    await page.goto(`${live.baseUrl}/rel/`);
    await page.waitForSelector("main[data-ready]");
    await page.locator('input[data-item="a.move-me"]').check();
    await page.fill('[data-field="sign-off.qa-lead.name"]', "Quinn");
    // Typed values are saved a moment after typing stops.
    await page.waitForFunction(() => Object.values(localStorage).some((v) => v.includes("Quinn")));
    writeFileSync(path.join(live.src, "rel.md"), "# M\n\n## A\n- [ ] Stay\n\n## B\n- [ ] Move me\n");
    await page.waitForSelector('input[data-item="b.move-me"]', { state: "attached", timeout: 15_000 });
    await page.waitForSelector("main[data-ready]");
    const said = await page.locator("[data-source-changed]").innerText();
    assert.match(said, /moved \(its progress is kept aside, as for a removed item\): Move me\./);
    assert.doesNotMatch(said, /added: Move me/);
    assert.match(said, /removed: QA Lead: ___\./);
    assert.match(said, /orphaned: “Move me”, “QA Lead: ___” \(name\)\./);
    assert.deepEqual(errors, [], "the page logged errors");
    await context.close();
  });
});

test("a run taken back to the version it started on is checked like any other", async () => {
  const v2 = "# Live\n\n## Steps\n- [ ] First\n\n## Sign-Off\n- [ ] QA Lead: ____ Ticket: ____\n";
  const v1 = v2.replace(" Ticket: ____", "");
  await withLive("revert", v2, async (live) => {
    const { context, page, errors } = await openPage(browser);
    await page.goto(`${live.baseUrl}/rel/`);
    await page.waitForSelector("main[data-ready]");
    await page.fill("[data-who]", "Ann");
    // The author reverts the Ticket blank before anyone started: the index has no
    // stale state to report for a run nobody started.
    await page.goto(`${live.baseUrl}/`);
    const entry = 'li[data-checklist-id="rel"]';
    const before = await page.locator(entry).getAttribute("data-checklist-version");
    writeFileSync(path.join(live.src, "rel.md"), v1);
    // Serve reloads the index once the edit is built.
    await page.waitForFunction(
      ([sel, v]) => document.querySelector(sel)?.getAttribute("data-checklist-version") !== v,
      [entry, before],
      { timeout: 15_000 },
    );
    await page.waitForFunction((sel) => document.querySelector(`${sel} [data-state]`)?.textContent !== "", entry);
    assert.equal(await page.locator(`${entry} [data-state]`).innerText(), "not started · 0 of 2 done");
    // Ann ticks and signs that wording.
    await page.goto(`${live.baseUrl}/rel/`);
    await page.waitForSelector("main[data-ready]");
    assert.equal(await page.locator('[data-field="sign-off.qa-lead.ticket"]').count(), 0);
    await page.locator('input[data-item="steps.first"]').check();
    const qa = page.locator('input[data-item="sign-off.qa-lead"]');
    await qa.check();
    assert.equal(await qa.isChecked(), true);
    // Back to the version the run started on: Ann did not sign for a ticket.
    writeFileSync(path.join(live.src, "rel.md"), v2);
    await page.waitForSelector('[data-field="sign-off.qa-lead.ticket"]', { state: "attached", timeout: 15_000 });
    await page.waitForSelector("main[data-ready]");
    await page.waitForFunction(() => /1 sign-off withdrawn \(QA Lead\)/.test(document.querySelector("[data-message]").textContent));
    assert.equal(await qa.isChecked(), false);
    assert.deepEqual(errors, [], "the page logged errors");
    await context.close();
  });
});

// The checklist's ID is its file's path: renamed, its runs sit under the old ID
// where no page leads. The renamed page offers them.
test("a renamed checklist offers the runs saved under its old name", async () => {
  await withLive("renamed", GOOD, async (live) => {
    const { context, page, errors } = await openPage(browser);
    await page.goto(`${live.baseUrl}/rel/`);
    await page.waitForSelector("main[data-ready]");
    await page.locator('input[data-item="steps.first"]').check();
    renameSync(path.join(live.src, "rel.md"), path.join(live.src, "release.md"));
    await page.waitForTimeout(1500); // the rebuild
    await page.goto(`${live.baseUrl}/release/`);
    await page.waitForSelector("main[data-ready]");
    assert.equal(await page.locator('input[data-item="steps.first"]').isChecked(), false);
    const notice = page.locator("[data-source-changed]");
    assert.match(await notice.innerText(), /saved in this browser under “rel”/);
    await Promise.all([page.waitForEvent("load"), notice.locator("button[data-action=take-runs]").click()]);
    await page.waitForSelector("main[data-ready]");
    assert.equal(await page.locator('input[data-item="steps.first"]').isChecked(), true);
    // (The old page, open while its file went, reloaded to a 404.)
    assert.deepEqual(errors.filter((e) => !/status of 404/.test(e)), [], "the page logged errors");
    await context.close();
  });
});
