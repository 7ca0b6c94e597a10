// End to end: a checklist written for GitHub, with what authors put in real runbooks
// (tasks grouped under plain bullets or quoted, notes between steps, aligned tables,
// links to headings, comments), as people see and use it, under the pages' CSP.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { axeViolations, launch, openPage, serveSite } from "./support.mjs";

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
