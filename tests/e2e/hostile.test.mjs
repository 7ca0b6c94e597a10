// A checklist full of script injection attempts must render as inert text: nothing it
// contains may run, under the pages' own Content-Security-Policy and with the client on.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { checklistLinks, launch, openPage, serveSite } from "./support.mjs";

let site;
let browser;

before(async () => {
  site = await serveSite(["tests/fixtures/hostile"]);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  site?.stop();
});

test("nothing in a hostile checklist executes or becomes active markup", async () => {
  const { context, page } = await openPage(browser);
  const dialogs = [];
  page.on("dialog", async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  const urls = [`${site.baseUrl}/`, ...(await checklistLinks(page, site.baseUrl))];
  assert.equal(urls.length, 2);
  for (const url of urls) {
    await page.goto(url);
    await page.waitForLoadState("networkidle");
    // Give focus and hover handlers a chance, in case any attribute survived.
    await page.keyboard.press("Tab");
    await page.mouse.move(200, 200);
    await page.waitForTimeout(300);

    assert.equal(await page.evaluate(() => globalThis.__pwned), undefined, `${url}: a payload ran`);
    // The only non-executable script allowed is the checklist model, as JSON data.
    const scripts = await page.$$eval("script:not([type='application/json'])", (all) =>
      all.map((s) => s.getAttribute("src")),
    );
    const data = await page.$$eval("script[type='application/json']", (all) => all.map((s) => s.id));
    assert.ok(data.every((id) => id === "checkdown-model"), `${url}: unexpected data scripts ${data}`);
    // The client's loader, and the colour theme set before the first paint.
    assert.ok(
      scripts.every((src) => /(^|\/)assets\/(checkdown|theme)\.[0-9a-f]+\.js$/.test(src ?? "")),
      `${url}: unexpected scripts ${JSON.stringify(scripts)}`,
    );
    const active = await page.evaluate(() => {
      const found = [];
      for (const el of document.querySelectorAll("*")) {
        for (const attr of el.attributes) {
          if (attr.name.startsWith("on")) found.push(`${el.tagName} ${attr.name}`);
          if (/^\s*(javascript|data):/i.test(attr.value) && ["href", "src", "action"].includes(attr.name)) {
            found.push(`${el.tagName} ${attr.name}=${attr.value}`);
          }
        }
      }
      for (const tag of ["iframe", "svg", "img", "object", "embed"]) {
        for (const el of document.querySelectorAll(`main ${tag}`)) found.push(tag);
      }
      return found;
    });
    assert.deepEqual(active, [], `${url}: active markup survived`);
  }
  assert.deepEqual(dialogs, []);
  // The payload text is still visible as text, so nothing the author wrote is lost.
  assert.match(await page.locator("main").innerText(), /<script>window.__pwned = 'script block'<\/script>/);
  await context.close();
});
