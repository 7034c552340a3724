// The weight of a docs site's embed, in Debian's Chromium: a docs page on another site
// (http://localhost:PORT; kubeclass is 127.0.0.1) with one <kubeclass-lesson>, loaded N
// times cold (fresh context, nothing cached). For each load, inside the frame: the bytes
// it fetched by kind (as transferred, so compressed as served), when it first painted
// text (readable), when its editor mounted (hydrated), and how long from pressing Start
// until the live stream is up and Apply can be pressed (interactive after Start). Then
// sandboxes started per second: Starts sent back to back by 10 workers until the cap
// (`--embed-sandboxes`) answers with the line. Prints one JSON line.
// Usage: node bench/embed.mjs LESSON SITE_KEY DOCS_PORT RUNS
import http from "node:http";
import { chromium } from "playwright-core";
import { baseUrl } from "../tests/browser.mjs";

const [lesson = "fundamentals/pods", site, docsPort, runsArg = "7"] = process.argv.slice(2);
const runs = Number(runsArg);
const kubeclass = baseUrl.replace("localhost", "127.0.0.1");
const page = `<!doctype html><html lang="en"><head><title>Docs</title>
<script type="module" src="${kubeclass}/embed/v1/loader.js"></script></head><body>
<kubeclass-lesson lesson="${lesson}" site="${site}"><p>The lesson's text.</p></kubeclass-lesson></body></html>`;
const docs = http.createServer((_, res) => { res.writeHead(200, { "content-type": "text/html" }); res.end(page); });
await new Promise((resolve) => docs.listen(Number(docsPort), "127.0.0.1", resolve));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--test-third-party-cookie-phaseout"],
});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const loads = [];
for (let i = 0; i < runs; i++) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  const tab = await context.newPage();
  await tab.goto(`http://localhost:${docsPort}/`, { waitUntil: "commit" });
  const handle = await tab.waitForSelector("kubeclass-lesson iframe", { state: "attached" });
  const frame = await handle.contentFrame();
  await frame.waitForSelector(".editor-host.editor-ready .cm-editor", { timeout: 60_000 });
  const inFrame = await frame.evaluate(() => {
    const kind = (name) => {
      const path = new URL(name).pathname;
      if (path.endsWith(".wasm")) return "wasm";
      if (path.endsWith(".js")) return "js";
      if (path.endsWith(".css")) return "css";
      return "other";
    };
    const bytes = { html: performance.getEntriesByType("navigation")[0].transferSize, js: 0, wasm: 0, css: 0, other: 0 };
    for (const r of performance.getEntriesByType("resource")) bytes[kind(r.name)] += r.transferSize;
    const paint = performance.getEntriesByName("first-contentful-paint")[0];
    return { bytes, readable: paint ? paint.startTime : null, hydrated: performance.now() };
  });
  const started = Date.now();
  await frame.click(".embed-start button");
  await frame.waitForSelector(".cluster .link.up", { timeout: 30_000 });
  await frame.waitForSelector("button:has-text('Apply'):not([disabled])");
  loads.push({ ...inFrame, interactiveAfterStart: Date.now() - started });
  await context.close();
}
await browser.close();
docs.close();

// Sandboxes started per second, up to the cap.
async function startOne() {
  const res = await fetch(`${kubeclass}/api/embed/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: kubeclass },
    body: JSON.stringify({ site }),
  });
  return res.status;
}
let started = 0;
let waiting = 0;
const t0 = performance.now();
await Promise.all(Array.from({ length: 10 }, async () => {
  for (;;) {
    const status = await startOne();
    if (status === 201) started++;
    else if (status === 202) { waiting++; return; }
    else throw new Error(`a Start answered ${status}`);
  }
}));
const seconds = (performance.now() - t0) / 1000;

const pick = (f) => Math.round(median(loads.map(f)));
console.log(JSON.stringify({
  runs,
  bytes: { html: pick((l) => l.bytes.html), js: pick((l) => l.bytes.js), wasm: pick((l) => l.bytes.wasm), css: pick((l) => l.bytes.css) },
  readable: pick((l) => l.readable),
  hydrated: pick((l) => l.hydrated),
  interactiveAfterStart: pick((l) => l.interactiveAfterStart),
  interactiveRuns: loads.map((l) => l.interactiveAfterStart),
  sandboxesStarted: started,
  startsPerSecond: Math.round(started / seconds),
}));
