import path from "node:path";
import { launch, serveSite } from "../support.mjs";
const OUT = "/tmp/walk";
const site = await serveSite(["../shared/seeds"]);
const browser = await launch();
const shot = async (page, name, full = false) => page.screenshot({ path: path.join(OUT, name + ".png"), fullPage: full });
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(site.baseUrl + "/");
  await page.waitForTimeout(300);
  await shot(page, "01-index", true);
  const links = await page.locator("main a[href]").evaluateAll((as) => as.map((a) => a.href));
  console.log(links);
  const url = links.find((l) => l.includes("004")) ?? links[0];
  await page.goto(url);
  await page.waitForSelector("main[data-ready]");
  await shot(page, "02-page");
  await page.locator("input[data-item]").nth(0).check();
  await page.locator("input[data-item]").nth(1).check();
  await shot(page, "03-ticked");
  await page.locator("button.item-more").nth(2).click();
  await page.waitForTimeout(200);
  await shot(page, "04-dialog");
  await page.keyboard.press("Escape");
  await shot(page, "05-full", true);
  console.log("errors:", errors);
  await context.close();
} finally {
  await browser.close();
  site.stop();
}
