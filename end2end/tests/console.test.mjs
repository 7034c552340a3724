// The kubectl console in a real browser: a command typed and run as the attendee, Tab
// completing a name from the workspace, `logs -f` followed until Ctrl-C, a watch stopped
// with its button, a pane applied with `apply -f`, an object edited with `kubectl edit`,
// a shell opened with `exec -it`, a lesson's Run button, and the history (kept on the
// server) still there after a reload.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, openPage, hydrated, baseUrl } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const lesson = baseUrl + "/learn/fundamentals/deployments";

async function consoleShows(page, text, timeout = 30_000) {
  await page.waitForFunction(
    (t) => document.querySelector(".console-output")?.textContent.includes(t),
    text,
    { timeout },
  );
}

test("the console runs kubectl as the attendee, completes, runs the lesson's commands and remembers", async () => {
  const page = await openPage(browser);
  await page.goto(lesson);
  await hydrated(page);
  await page.waitForSelector(".cluster .link.up");
  await page.getByRole("button", { name: "Apply", exact: true }).click();
  await page.waitForSelector('.pane-result .result.created[data-kind="Deployment"]');

  await page.getByRole("tab", { name: /Console/ }).click();
  const input = page.getByLabel("kubectl command");
  await input.fill("kubectl get deploy -n server");
  await input.press("Enter");
  await consoleShows(page, "go-http-app");
  const table = await page.locator(".console-text").last().innerText();
  assert.match(table, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\n/, table);

  // Tab completes a Deployment's name from the workspace.
  await page.waitForFunction(() => document.querySelector('.tree .row[data-kind="Deployment"]'));
  await input.fill("kubectl get deployment -n server go-");
  await input.press("Tab");
  assert.equal(await input.inputValue(), "kubectl get deployment -n server go-http-app ");

  // rollout status prints as the rollout goes, and ends with it.
  await input.fill("kubectl rollout status deploy/go-http-app -n server");
  await input.press("Enter");
  await consoleShows(page, 'deployment "go-http-app" successfully rolled out');
  await page.getByRole("button", { name: "Run", exact: true }).waitFor();

  // A follow streams until Ctrl-C stops it; the prompt is free again after.
  await input.fill("kubectl logs -f deploy/go-http-app -n server");
  await input.press("Enter");
  await page.getByRole("button", { name: "Stop" }).waitFor();
  await page.waitForFunction(() => {
    const entry = [...document.querySelectorAll(".console-entry")].pop();
    return entry?.getAttribute("aria-busy") === "true" && entry.querySelector(".console-text").textContent.includes("listening on");
  });
  await input.press("Control+c");
  await page.getByRole("button", { name: "Run", exact: true }).waitFor();
  const followed = await page.locator(".console-text").last().innerText();
  assert.match(followed, /listening on :8000[^]*\^C\n?$/, followed);
  assert.ok(await page.locator(".console-text.failed").last().isVisible(), "an interrupted command shows as failed (exit 130)");

  // A watch lists the Deployments, then follows them until its Stop button.
  await input.fill("kubectl get deploy -n server -w");
  await input.press("Enter");
  await page.getByRole("button", { name: "Stop" }).waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll(".console-entry")].pop()?.querySelector(".console-text").textContent.includes("go-http-app"));
  await page.getByRole("button", { name: "Stop" }).click();
  await page.getByRole("button", { name: "Run", exact: true }).waitFor();

  // Ctrl-C drops the line.
  await input.fill("kubectl get po");
  await input.press("Control+c");
  assert.equal(await input.inputValue(), "");
  await consoleShows(page, "kubectl get po^C");

  // `apply -f` takes the pane of that name as its editor holds it (applied already).
  await input.fill("kubectl apply -f deployment.yaml");
  await input.press("Enter");
  await consoleShows(page, "deployment.apps/go-http-app unchanged");

  // `kubectl edit` opens the object in an editor; saving applies the change.
  await input.fill("kubectl edit deploy go-http-app -n server");
  await input.press("Enter");
  const edited = page.locator(".console-edit .cm-content");
  await edited.waitFor();
  const opened = await page.evaluate(() => window.kubeclassEditor.textOf("kubectl edit"));
  assert.ok(opened.startsWith("# Please edit the object below."), opened);
  const replicas = Number(opened.match(/replicas: (\d+)/)[1]);
  await edited.click();
  await page.keyboard.press("Control+a");
  await page.keyboard.insertText(opened.replace(/replicas: \d+/, `replicas: ${replicas + 1}`));
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await consoleShows(page, "deployment.apps/go-http-app edited");
  assert.equal(await page.locator(".console-edit").count(), 0, "the editor closes with its line");

  // `exec -it … -- sh` opens a shell: the prompt's lines go to it until `exit`.
  await input.fill("kubectl exec -it deploy/go-http-app -n server -- sh");
  await input.press("Enter");
  await page.getByRole("button", { name: "Stop" }).waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll(".console-text")].pop()?.textContent === "$ ");
  await input.fill("echo hello from $HOSTNAME");
  await input.press("Enter");
  await page.waitForFunction(() => /\$ echo hello from \$HOSTNAME\nhello from go-http-app-[a-z0-9-]+\n\$ $/.test([...document.querySelectorAll(".console-text")].pop()?.textContent));
  await input.fill("exit");
  await input.press("Enter");
  await page.getByRole("button", { name: "Run", exact: true }).waitFor();

  // The lesson's Run button types its command into the console and runs it.
  await page.getByRole("button", { name: "Run in the console" }).first().click();
  await consoleShows(page, "deployment.apps/go-http-app");

  // Refusals read clearly.
  await input.fill("kubectl get pods | grep web");
  await input.press("Enter");
  await consoleShows(page, "is shell syntax");
  assert.ok(await page.locator(".console-text.failed").last().isVisible());

  // After a reload, ↑ brings back what was run last.
  await page.reload();
  await hydrated(page);
  await page.getByRole("tab", { name: /Console/ }).click();
  await page.waitForSelector('#console-input[data-history="loaded"]');
  await page.getByLabel("kubectl command").press("ArrowUp");
  assert.equal(await page.getByLabel("kubectl command").inputValue(), "kubectl get pods | grep web");
  await page.getByLabel("kubectl command").press("ArrowUp");
  assert.equal(await page.getByLabel("kubectl command").inputValue(), "kubectl get deploy,rs,pods -n server");
  await page.context().close();
});
