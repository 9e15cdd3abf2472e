// Runs pa11y (HTML_CodeSniffer, WCAG2AA) on many pages, each with its own Cookie header, in one
// Chromium (Debian's, not Puppeteer's download), a few pages at a time. Reads
// [[url, cookie], ...] as JSON on stdin and prints {url: [issues]} as JSON. Called by
// tests/browser/test_standards.py:
//   node run_pages.js <node_modules dir> <chromium path> <concurrency> < pages.json
"use strict";
const fs = require("fs");
const path = require("path");
const [modules, chromium, concurrency] = process.argv.slice(2);
const pa11y = require(path.join(modules, "pa11y"));
const puppeteer = require(path.join(modules, "puppeteer"));
const pages = JSON.parse(fs.readFileSync(0, "utf8"));

(async () => {
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
  const results = {};
  let next = 0;
  const worker = async () => {
    while (next < pages.length) {
      const [url, cookie] = pages[next++];
      const page = await browser.newPage();
      try {
        const result = await pa11y(url, {
          browser,
          page,
          standard: "WCAG2AA",
          runners: ["htmlcs"],
          headers: cookie ? { Cookie: cookie } : {},
          timeout: 60000,
          includeWarnings: false,
          includeNotices: false,
        });
        results[url] = result.issues.map((issue) => ({
          code: issue.code,
          message: issue.message,
          selector: issue.selector,
        }));
      } finally {
        await page.close();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Number(concurrency) || 1 }, worker));
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(results));
})().catch((error) => {
  process.stderr.write(String((error && error.stack) || error));
  process.exit(2);
});
