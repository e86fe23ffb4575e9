// A stranger's whole way in, in Debian's Chromium with the pages' own
// Content-Security-Policy in force: the public page in Chinese, "Continue
// with Discord" through the fake's consent page, paying on the fake
// Stripe's hosted page, and the welcome page turning to "access granted";
// then the same with Telegram's deep link. Afterwards axe-core checks the
// personal pages the visitors saw. Prints one JSON line per step; the Rust
// test (tests/web_join_browser.rs) decides what fails and answers the
// `deeplink` line by pressing Start in the fake Telegram.
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const [base, offer, lesson] = process.argv.slice(2);
const granted = "权益已开通。";
const say = (line) => console.log(JSON.stringify(line));
const lines = createInterface({ input: process.stdin });
const nextLine = () => new Promise((resolve) => lines.once("line", resolve));

const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
const seen = [];

// Pays for `offer` from its join page once signed in, and waits on the
// welcome page until access is granted.
async function payAndWait(page, who) {
  await page.getByRole("button", { name: "使用 Stripe 付款" }).click();
  await page.waitForURL(/\/pay\//);
  say({ step: `${who}: on the payment page`, url: page.url() });
  await page.getByRole("button", { name: "Pay" }).click();
  await page.waitForURL(/\/welcome\//);
  say({ step: `${who}: on the welcome page`, url: page.url() });
  seen.push(page.url());
  // The page reloads itself every few seconds until it is done.
  await page.getByText(granted, { exact: true }).waitFor({ timeout: 30_000 });
  say({ step: `${who}: access granted`, url: page.url() });
}

try {
  // Discord.
  const discord = await browser.newContext({ locale: "zh-CN" });
  const page = await discord.newPage();
  await page.goto(`${base}/c/demo`);
  say({ step: "discord: public page", lang: await page.getAttribute("html", "lang") });
  await page.locator(`a[href*="/join/${offer}"]`).first().click();
  await page.waitForURL(/\/join\//);
  seen.push(page.url());
  await page.getByRole("link", { name: "使用 Discord 继续" }).click();
  await page.getByRole("button", { name: "Authorize" }).click();
  await page.getByText("已通过 Discord 登录").waitFor();
  say({ step: "discord: signed in", url: page.url() });
  await payAndWait(page, "discord");
  const open = await page.getByRole("link", { name: "打开 Discord" }).getAttribute("href");
  say({ step: "discord: open", href: open });
  await page.goto(`${base}/c/demo/read/${lesson}?lang=zh-CN`);
  seen.push(page.url());
  say({ step: "discord: reads", strong: await page.locator("article strong").first().textContent() });
  const discordState = await discord.storageState();
  await discord.close();

  // Telegram: the page waits for Start, which the Rust test presses.
  const telegram = await browser.newContext({ locale: "zh-CN" });
  const tpage = await telegram.newPage();
  await tpage.goto(`${base}/c/demo/join/${offer}?lang=zh-CN`);
  await tpage.getByRole("link", { name: "使用 Telegram 继续" }).click();
  await tpage.waitForURL(/\/telegram\//);
  seen.push(tpage.url());
  const deeplink = await tpage.getByRole("link", { name: "打开 Telegram" }).getAttribute("href");
  say({ deeplink });
  await nextLine();
  await tpage.getByText("已通过 Telegram 登录").waitFor({ timeout: 30_000 });
  say({ step: "telegram: signed in", url: tpage.url() });
  await payAndWait(tpage, "telegram");
  const topen = await tpage.getByRole("link", { name: "打开 Telegram" }).getAttribute("href");
  say({ step: "telegram: open", href: topen });
  const telegramState = await telegram.storageState();
  await telegram.close();

  // Accessibility of what they saw, as each of them (axe is the tester's
  // own script, so these contexts alone set the policy aside).
  for (const [state, urls] of [
    [discordState, seen.slice(0, 3)],
    [telegramState, seen.slice(3)],
  ]) {
    for (const width of [390, 1280]) {
      const context = await browser.newContext({ bypassCSP: true, storageState: state, viewport: { width, height: 900 } });
      const p = await context.newPage();
      for (const url of urls) {
        await p.goto(url);
        await p.evaluate(axeSource);
        const result = await p.evaluate(() =>
          // eslint-disable-next-line no-undef
          axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"] } }),
        );
        const violations = result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")) }));
        say({ axe: url, width, violations });
      }
      await context.close();
    }
  }
  say({ done: true });
} catch (e) {
  say({ error: String(e) });
  process.exitCode = 1;
} finally {
  lines.close();
  await browser.close();
}
