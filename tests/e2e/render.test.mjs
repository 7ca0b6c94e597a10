// End to end: a checklist written for GitHub, with what authors put in real runbooks
// (tasks grouped under plain bullets or quoted, notes between steps, aligned tables,
// links to headings, comments), as people see and use it, under the pages' CSP.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { axeViolations, launch, openPage, scratchDir, serveSite } from "./support.mjs";

let site;
let browser;

before(async () => {
  site = await serveSite(["tests/fixtures/rich"]);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  site?.stop();
});

const box = (page, id) => page.locator(`input[type=checkbox][data-item="${id}"]`);

test("tasks under a plain bullet or in a quote can be ticked, count, and survive a reload", async () => {
  const { context, page, errors } = await openPage(browser);
  await page.goto(`${site.baseUrl}/rich/index.html`);
  await page.waitForSelector("main[data-checklist][data-ready]");
  // Every box on the page is an item's: none is a dead, unlabelled copy of one.
  assert.equal(await page.locator("main input[type=checkbox]:not([data-item])").count(), 0);
  assert.equal((await page.locator(".progress").innerText()).trim(), "0 of 9 done");
  const grouped = "steps.primary-database.take-a-snapshot";
  const quoted = "steps.page-the-on-call-engineer";
  await box(page, grouped).check();
  await box(page, quoted).check();
  await page.reload();
  await page.waitForSelector("main[data-checklist][data-ready]");
  assert.ok(await box(page, grouped).isChecked());
  assert.ok(await box(page, quoted).isChecked());
  assert.ok(!(await box(page, "steps.replica.take-a-snapshot").isChecked()), "the other group's step is its own");
  assert.equal((await page.locator(".progress").innerText()).trim(), "2 of 9 done");
  // The bullet that groups them and the quote's words are still there.
  const text = await page.locator("main").innerText();
  for (const words of ["Primary database", "Replica", "Before the cutover:"]) assert.ok(text.includes(words), words);
  assert.ok(!text.includes("TODO(alice)"), "an author's comment is not shown");
  assert.deepEqual(errors, []);
  await context.close();
});

test("notes between steps, aligned columns and links to headings read as written, with no CSP error", async () => {
  const { context, page, errors } = await openPage(browser);
  await page.goto(`${site.baseUrl}/rich/index.html`);
  await page.waitForSelector("main[data-checklist][data-ready]");
  const top = async (locator) => (await locator.boundingBox()).y;
  const step2 = await top(page.locator('label[for="cb-steps.migrate-the-database.step-2"]'));
  const note = await top(page.getByText("After step 2, check the row counts."));
  const step3 = await top(page.locator('label[for="cb-steps.migrate-the-database.step-3"]'));
  assert.ok(step2 < note && note < step3, `step 2 at ${step2}, the note at ${note}, step 3 at ${step3}`);
  const align = await page.$$eval("main table td", (cells) => cells.map((c) => getComputedStyle(c).textAlign));
  assert.deepEqual(align, ["left", "right"]);
  // The author's own table of contents, not the page's.
  await page.locator('[data-section="contents"]').getByRole("link", { name: "Code quality" }).click();
  assert.equal(await page.evaluate(() => decodeURIComponent(location.hash)), "#pre-deployment.code-quality-cargo-clippy-clean");
  assert.ok(await page.evaluate(() => document.getElementById(decodeURIComponent(location.hash.slice(1))) !== null));
  // The heading keeps its code span.
  assert.equal(await page.locator('h3[id="pre-deployment.code-quality-cargo-clippy-clean"] code').innerText(), "cargo clippy");
  assert.deepEqual(errors, [], "no console errors, CSP reports included");
  await context.close();

  // axe is injected as a script, which the pages' CSP rightly refuses: only here is
  // it bypassed.
  const checked = await openPage(browser, { bypassCSP: true });
  await checked.page.goto(`${site.baseUrl}/rich/index.html`);
  await checked.page.waitForSelector("main[data-checklist][data-ready]");
  assert.deepEqual(await axeViolations(checked.page, "rich"), []);
  await checked.context.close();
});

// Seed 002 has "Connection pooling configured" under three sections: the panel's links
// read alike unless they say where they lead, and they say it whatever else it shows.
test("open items with the same text say where they stand in the panel", async () => {
  const dir = scratchDir("alike");
  writeFileSync(
    path.join(dir, "alike.md"),
    "# Alike\n\n## Database\n- [ ] Connection pooling configured\n\n## Cache\n- [ ] Connection pooling configured\n- [ ] Eviction policy set\n\n## Deploy\n- [ ] Frontend\n  - [ ] Tests pass\n- [ ] Backend\n  - [ ] Tests pass\n",
  );
  const alike = await serveSite([dir]);
  try {
    const { context, page, errors } = await openPage(browser);
    await page.goto(`${alike.baseUrl}/alike/index.html`);
    await page.waitForSelector("main[data-checklist][data-ready]");
    const links = () => page.$$eval("[data-problems] a", (a) => a.map((l) => [decodeURIComponent(l.hash.slice(1)), l.textContent]));
    const open = "required item is open: ";
    assert.deepEqual(await links(), [
      ["database.connection-pooling-configured", `${open}Connection pooling configured (in Database)`],
      ["cache.connection-pooling-configured", `${open}Connection pooling configured (in Cache)`],
      ["cache.eviction-policy-set", `${open}Eviction policy set`],
      ["deploy.frontend", `${open}Frontend`],
      ["deploy.frontend.tests-pass", `${open}Tests pass (in Deploy › Frontend)`],
      ["deploy.backend", `${open}Backend`],
      ["deploy.backend.tests-pass", `${open}Tests pass (in Deploy › Backend)`],
    ]);
    // The place is the item's, not the list's: with its twin done, it still says it.
    await page.locator('input[type=checkbox][data-item="cache.connection-pooling-configured"]').check();
    await page.waitForFunction(() => document.querySelectorAll("[data-problems] a").length === 6);
    assert.deepEqual((await links())[0], ["database.connection-pooling-configured", `${open}Connection pooling configured (in Database)`]);
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    alike.stop();
  }
});
