// Time to interactive of a lesson page in Debian's Chromium: for N cold loads (fresh
// browser context, so nothing cached), the time from navigation start until the first
// pane's CodeMirror editor exists (the wasm has loaded, hydrated and mounted it). Prints
// one JSON line: {"runs": [...ms], "median": ms, "domContentLoaded": ms}.
import { launch, openPage, hydrated, baseUrl } from "../tests/browser.mjs";

const path = process.argv[2] ?? "/learn/fundamentals/deployments";
const runs = Number(process.argv[3] ?? 7);
const browser = await launch();
const tti = [];
const dcl = [];
for (let i = 0; i < runs; i++) {
  const page = await openPage(browser);
  await page.goto(baseUrl + path, { waitUntil: "commit" });
  await hydrated(page);
  tti.push(await page.evaluate(() => performance.now()));
  dcl.push(await page.evaluate(() => performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd));
  await page.context().close();
}
await browser.close();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(JSON.stringify({ runs: tti.map(Math.round), median: Math.round(median(tti)), domContentLoaded: Math.round(median(dcl)) }));
