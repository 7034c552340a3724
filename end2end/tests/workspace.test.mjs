// The lesson loop in a real browser: edit a manifest, Apply, watch the cluster make pods,
// read a pod's log, scale, and see the step's check tick — while another attendee sees
// none of it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, openPage, hydrated, baseUrl, screenshotDir } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const lesson = baseUrl + "/learn/fundamentals/deployments";

/// Replaces the active pane's text (select all, type): what an attendee does by hand.
async function replaceText(page, from, to) {
  const editor = page.locator(".pane:not([hidden]) .cm-content");
  const text = await page.evaluate(() => window.kubeclassEditor.textOf("deployment.yaml"));
  assert.ok(text.includes(from), `the pane should contain ${from}`);
  await editor.click();
  await page.keyboard.press("Control+a");
  await page.keyboard.insertText(text.replace(from, to));
}

/// The pod rows of the objects panel with their STATUS and READY columns.
async function pods(page) {
  return page.locator('.tree .row[data-kind="Pod"]').evaluateAll((rows) =>
    rows.map((r) => ({
      name: r.dataset.name,
      status: r.querySelector('[data-col="STATUS"] .column-value')?.textContent,
      ready: r.querySelector('[data-col="READY"] .column-value')?.textContent,
    })));
}

async function waitForPods(page, count, timeout = 60_000) {
  const deadline = Date.now() + timeout;
  let seen = [];
  while (Date.now() < deadline) {
    seen = await pods(page);
    if (seen.length === count && seen.every((p) => p.status === "Running" && p.ready === "1/1")) return seen;
    await page.waitForTimeout(250);
  }
  // Say what the panel showed instead: every object row (a ReplicaSet without pods, a
  // Pending pod) and the stream's link, with a screenshot.
  const rows = await page.locator(".tree .row").evaluateAll((rs) =>
    rs.map((r) => `${r.dataset.kind}/${r.dataset.name} ${r.querySelector('[data-col="STATUS"] .column-value')?.textContent ?? ""}`));
  const link = await page.locator(".cluster .link").first().getAttribute("class").catch(() => "none");
  await page.screenshot({ path: screenshotDir + "pods-timeout.png", fullPage: true });
  assert.fail(`expected ${count} running, ready pods; saw ${JSON.stringify(seen)}; rows: ${JSON.stringify(rows)}; link: ${link}`);
}

test("apply, watch the pods come up, read a log, scale, and tick the check", async () => {
  const page = await openPage(browser);
  page.on("dialog", (d) => d.accept());
  await page.goto(lesson);
  await hydrated(page);
  await page.waitForSelector(".cluster .link.up");
  assert.equal(await page.locator(".checks .check.passed").count(), 0);

  // Two replicas first.
  await replaceText(page, "replicas: 3", "replicas: 2");
  await page.getByRole("button", { name: "Apply", exact: true }).click();
  await page.waitForSelector('.pane-result .result.created[data-kind="Deployment"]');
  const two = await waitForPods(page, 2);
  // The owner tree: Deployment → ReplicaSet → Pods.
  const depths = await page.locator(".tree .row").evaluateAll((rows) =>
    rows.map((r) => `${r.dataset.kind}:${r.style.getPropertyValue("--depth").trim()}`));
  assert.deepEqual(depths.slice(0, 4), ["Deployment:0", "ReplicaSet:1", "Pod:2", "Pod:2"]);
  assert.match(await page.locator('.row[data-kind="Deployment"] [data-col="READY"]').innerText(), /2\/2/);
  // Two of three: that check is not met.
  const threeReady = page.locator(".checks .check", { hasText: "Three ready replicas" });
  assert.equal(await threeReady.evaluate((li) => li.classList.contains("passed")), false);

  // A pod's log.
  await page.locator(`.row[data-name="${two[0].name}"]`).getByRole("button", { name: "Logs" }).click();
  await page.waitForFunction(() => document.querySelector(".log")?.textContent.includes("listening on :8000"), null, { timeout: 30_000 });

  // The edit survives a reload (drafts), then three replicas.
  await page.waitForTimeout(1500);
  await page.reload();
  await hydrated(page);
  await page.waitForFunction(() => window.kubeclassEditor.textOf("deployment.yaml")?.includes("replicas: 2"), null, { timeout: 10_000 });
  await replaceText(page, "replicas: 2", "replicas: 3");
  await page.getByRole("button", { name: "Diff" }).click();
  await page.waitForSelector(".pane-result .diff");
  assert.match(await page.locator(".pane-result .diff").innerText(), /spec\.replicas\s+2\s+3/);
  await page.getByRole("button", { name: "Apply", exact: true }).click();
  await page.waitForSelector('.pane-result .result.configured[data-kind="Deployment"]');
  await waitForPods(page, 3);
  await page.waitForSelector(".checks.done", { timeout: 60_000 });
  assert.equal(await threeReady.evaluate((li) => li.classList.contains("passed")), true);
  await page.locator(".pane-actions").scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshotDir + "workspace.png" });

  // Events mention the scaling; an object's YAML opens on click.
  await page.getByRole("tab", { name: /Events/ }).click();
  assert.match(await page.locator(".events").innerText(), /ScalingReplicaSet/);
  await page.getByRole("tab", { name: /Objects/ }).click();
  await page.locator('.row[data-kind="Deployment"] .object-link').click();
  await page.waitForSelector(".object-yaml");
  assert.match(await page.locator(".object-yaml").innerText(), /replicas: 3/);

  // A Service in front of the pods, then "Try the app" through the API server's proxy;
  // the Service's endpoints hang under it in the tree.
  const service = "apiVersion: v1\nkind: Service\nmetadata:\n  name: go-http-app\n  namespace: server\nspec:\n  selector:\n    app: go-http-app\n  ports:\n    - port: 80\n      targetPort: 8000\n";
  const status = await page.evaluate(async (body) =>
    (await fetch("/api/workspace/apply?lesson=fundamentals/deployments", { method: "POST", body })).status, service);
  assert.equal(status, 200);
  await page.waitForFunction(() => document.querySelectorAll('.tree .row[data-kind="Endpoint"]').length === 3, null, { timeout: 30_000 });
  await page.getByRole("tab", { name: /Try the app/ }).click();
  await page.getByRole("button", { name: "Send GET" }).click();
  await page.waitForSelector(".try-answer");
  assert.equal(await page.locator(".try-answer .status").innerText(), "200");
  assert.match(await page.locator(".try-body").innerText(), /Hello/);

  // The catalog shows the step as done.
  await page.goto(baseUrl + "/");
  const card = page.locator(".lesson-card", { hasText: "Deployments" });
  await card.locator(".lesson-progress", { hasText: /1 of \d+ steps/ }).waitFor({ timeout: 10_000 });

  // Another attendee (another browser context, so another session) sees none of it.
  const other = await openPage(browser);
  await other.goto(lesson);
  await hydrated(other);
  await other.waitForSelector(".cluster .link.up");
  await other.waitForTimeout(1000);
  assert.equal(await other.locator(".tree .row").count(), 0);
  assert.match(await other.locator(".objects .empty").innerText(), /Nothing here yet/);
  await other.goto(baseUrl + "/");
  await other.waitForTimeout(500);
  assert.equal(await other.locator(".lesson-progress").count(), 0);
  assert.deepEqual(other.errors, []);
  assert.deepEqual(page.errors, []);
});

test("a refused manifest is marked on its line and nothing is applied", async () => {
  const page = await openPage(browser);
  const sockets = [];
  page.on("websocket", (ws) => sockets.push(ws));
  await page.goto(lesson);
  await hydrated(page);
  await replaceText(page, "replicas: 3", "replicas: -1");
  await page.getByRole("button", { name: "Apply", exact: true }).click();
  await page.waitForSelector(".pane-result .result.refused");
  assert.match(await page.locator(".pane-result").innerText(), /Refused: nothing was applied/);
  assert.match(await page.locator(".pane-result .result-error").innerText(), /spec\.replicas/);
  assert.equal(await page.locator(".cm-refused-line").count(), 1);
  // The refusal points at the field the API server named, and its line button takes the
  // cursor there.
  assert.match(await page.locator(".cm-refused-line").innerText(), /replicas: -1/);
  await page.locator(".pane-result .result.refused .result-line").click();
  assert.match(await page.locator(".cm-activeLine").innerText(), /replicas: -1/);
  await page.locator(".pane-result").scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshotDir + "workspace-refused.png" });
  assert.equal(await page.locator(".tree .row").count(), 0);
  // Reset pane brings the lesson's text back.
  await page.getByRole("button", { name: "Reset pane" }).click();
  await page.waitForFunction(() => window.kubeclassEditor.textOf("deployment.yaml").includes("replicas: 3"));

  // Leaving the lesson (client-side navigation) closes its stream for good.
  assert.equal(sockets.length, 1);
  await page.getByRole("link", { name: "Courses" }).click();
  await page.waitForSelector(".catalog");
  for (let i = 0; i < 40 && !sockets[0].isClosed(); i++) await page.waitForTimeout(100);
  assert.ok(sockets[0].isClosed(), "the lesson's websocket should close");
  await page.waitForTimeout(1500);
  assert.equal(sockets.length, 1, "no reconnect after leaving");
  // The refusal's 422 is the browser's only complaint.
  assert.deepEqual(page.errors.filter((e) => !/status of 422/.test(e)), []);
});
