// Takes the README's screenshots: the index and a checklist page, light and dark, at
// phone and desktop widths. Run: node tests/e2e/tools/screenshots.mjs (after a build).
import path from "node:path";
import { launch, serveSite } from "../support.mjs";

const OUT = "docs/screenshots";
const site = await serveSite(["checklists"]);
const browser = await launch();
try {
  for (const scheme of ["light", "dark"]) {
    for (const width of [1280, 390]) {
      const context = await browser.newContext({
        viewport: { width, height: width > 500 ? 900 : 844 },
        colorScheme: scheme,
        deviceScaleFactor: 1,
      });
      const page = await context.newPage();
      // Some progress, so the pages show what they look like in use.
      await page.goto(`${site.baseUrl}/web-release/`);
      await page.waitForSelector("main[data-ready]");
      const boxes = page.locator("input[data-item]");
      for (const i of [0, 1, 2, 5, 6]) await boxes.nth(i).check();
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: path.join(OUT, `checklist-${scheme}-${width}.png`) });
      await page.goto(`${site.baseUrl}/`);
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(OUT, `index-${scheme}-${width}.png`) });
      await context.close();
    }
  }
} finally {
  await browser.close();
  site.stop();
}
