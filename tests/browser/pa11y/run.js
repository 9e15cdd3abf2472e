// Runs pa11y (HTML_CodeSniffer, WCAG2AA) on several pages with one Chromium (Debian's, not
// Puppeteer's download) and prints {url: [issues]} as JSON. Called by test_portal_pa11y.py:
//   node run.js <node_modules dir> <chromium path> <cookie header> <url>...
"use strict";
const path = require("path");
const [modules, chromium, cookie, ...urls] = process.argv.slice(2);
const pa11y = require(path.join(modules, "pa11y"));
const puppeteer = require(path.join(modules, "puppeteer"));

(async () => {
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
  const results = {};
  try {
    for (const url of urls) {
      const page = await browser.newPage();
      const result = await pa11y(url, {
        browser,
        page,
        standard: "WCAG2AA",
        runners: ["htmlcs"],
        headers: cookie ? { Cookie: cookie } : {},
        timeout: 30000,
        includeWarnings: false,
        includeNotices: false,
      });
      results[url] = result.issues.map((issue) => ({
        code: issue.code,
        message: issue.message,
        selector: issue.selector,
      }));
      await page.close();
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(results));
})().catch((error) => {
  process.stderr.write(String((error && error.stack) || error));
  process.exit(2);
});
