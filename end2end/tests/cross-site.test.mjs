// A page on another origin, opened by an attendee who has a kubeclass workspace, can
// neither read their live stream nor change their workspace, although the browser sends
// the attendee's cookie with both (127.0.0.1 on another port is the same site, so the
// SameSite=Lax cookie goes along): the server refuses by Origin. The same calls made
// from kubeclass's own page go through, so the test fails if the refusal does not hold.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { launch, openPage, hydrated, baseUrl } from "./browser.mjs";

let browser;
let evil;
let evilUrl;
before(async () => {
  browser = await launch();
  // The other origin: an empty page on a free port of the same host.
  evil = createServer((_, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end("<!doctype html><title>another site</title><p>nothing to see</p>");
  });
  await new Promise((resolve) => evil.listen(0, "127.0.0.1", resolve));
  evilUrl = `http://127.0.0.1:${evil.address().port}/`;
});
after(async () => {
  await browser?.close();
  evil?.close();
});

const lesson = "fundamentals/deployments";

/// In the page: opens the live stream, asks to watch the lesson, and says what came
/// back first ("message", or how it failed).
function openStream(page) {
  const url = baseUrl.replace(/^http/, "ws") + "/api/stream";
  return page.evaluate(([url, lesson]) => new Promise((resolve) => {
    const socket = new WebSocket(url);
    socket.onopen = () => socket.send(JSON.stringify({ type: "watch", lesson, step: 0 }));
    socket.onmessage = () => { resolve("message"); socket.close(); };
    socket.onerror = () => resolve("error");
    socket.onclose = (e) => resolve(`closed ${e.code}`);
    setTimeout(() => resolve("nothing within 10 s"), 10_000);
  }), [url, lesson]);
}

/// In the page: posts a ConfigMap to the apply API as a form could (no preflight).
function postApply(page, name) {
  const url = `${baseUrl}/api/workspace/apply?lesson=${encodeURIComponent(lesson)}`;
  const body = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: server\ndata:\n  from: "a page"\n`;
  return page.evaluate(([url, body]) => fetch(url, {
    method: "POST", mode: "no-cors", credentials: "include",
    headers: { "content-type": "text/plain" }, body,
  }).then(() => "sent", (e) => `failed: ${e}`), [url, body]);
}

/// The ConfigMap names in the attendee's workspace, read with their cookie.
async function configMaps(page) {
  const answer = await page.request.get(`${baseUrl}/api/workspace/objects?lesson=${encodeURIComponent(lesson)}`);
  assert.equal(answer.status(), 200);
  const objects = await answer.json();
  return Object.values(objects.namespaces).flat()
    .filter((o) => o.kind === "ConfigMap").map((o) => o.name);
}

test("another origin can neither read the live stream nor change the workspace", async () => {
  const page = await openPage(browser);
  await page.goto(baseUrl + "/learn/" + lesson);
  await hydrated(page);
  await page.waitForSelector(".cluster .link.up");

  // From kubeclass's own page both go through: the control.
  assert.equal(await openStream(page), "message");
  assert.equal(await postApply(page, "from-kubeclass"), "sent");

  // The same tab, now on another origin, with the attendee's cookie in the jar.
  await page.goto(evilUrl);
  const stream = await openStream(page);
  assert.notEqual(stream, "message", "another origin read the live stream");
  assert.match(stream, /error|closed/);
  assert.equal(await postApply(page, "from-another-site"), "sent");

  const names = await configMaps(page);
  assert.ok(names.includes("from-kubeclass"), `the control apply should have landed: ${names}`);
  assert.ok(!names.includes("from-another-site"), `another origin changed the workspace: ${names}`);
  await page.context().close();
});
