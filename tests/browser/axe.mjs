// Opens each address given on the command line in Debian's Chromium, at a
// phone's width and at a desktop's, runs axe-core on the page and prints one
// JSON line per page and width: the address, the width, and every violation
// with its impact. The Rust test decides what fails; this only reports.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";

const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
try {
  for (const url of process.argv.slice(2)) {
    for (const width of [390, 1280]) {
      // The pages forbid every script by their policy; axe is the tester's
      // own, so this context alone sets the policy aside.
      const context = await browser.newContext({ bypassCSP: true, viewport: { width, height: 900 } });
      const page = await context.newPage();
      const response = await page.goto(url);
      await page.evaluate(axeSource);
      const result = await page.evaluate(() =>
        // eslint-disable-next-line no-undef
        axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"] } }),
      );
      const violations = result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => n.target.join(" ")),
      }));
      console.log(JSON.stringify({ url, width, status: response?.status(), violations }));
      await context.close();
    }
  }
} finally {
  await browser.close();
}
