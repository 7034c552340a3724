// The pages are usable by everyone: axe-core (the engine behind the browsers' own
// accessibility audits) finds no serious or critical violation on the catalog and on a
// lesson page with its panes applied, its checks, the cluster panel's objects and the
// console open with output in it, the trainer's sign-in page, a room's join page, the
// room's page and the trainer's look into an attendee's workspace, in the light and in
// the dark theme.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { launch, openPage, hydrated, baseUrl } from "./browser.mjs";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

const trainerName = process.env.KUBECLASS_E2E_TRAINER;
const password = process.env.KUBECLASS_E2E_PASSWORD;

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// The serious and critical violations on the page as it is now, one line per rule with
/// the first elements it names.
async function violations(page) {
  await page.addScriptTag({ content: axeSource });
  const found = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => `${n.target.join(" ")}: ${n.failureSummary.replace(/\s+/g, " ")}`),
    }));
  });
  return found
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.join("\n    ")}`);
}

for (const theme of ["light", "dark"]) {
  test(`the catalog, a lesson page with the cluster panel and console open, and a room's pages pass axe in the ${theme} theme`, async () => {
    // The page follows the system's colour scheme until the attendee picks a theme.
    const page = await openPage(browser, { colorScheme: theme, bypassCSP: true });
    await page.goto(baseUrl + "/");
    await page.waitForSelector("main");
    const catalog = await violations(page);

    await page.goto(baseUrl + "/learn/fundamentals/services");
    await hydrated(page);
    await page.waitForSelector(".cluster .link.up");
    // How light the page's background is, 0 (black) to 255 (white).
    const lightness = await page.evaluate(() => {
      const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\d+/g).map(Number);
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    });
    await page.getByRole("button", { name: "Apply", exact: true }).click();
    await page.waitForSelector('.pane-result .result.created[data-kind="Deployment"]');
    await page.waitForFunction(() => document.querySelector(".objects")?.textContent.includes("go-http-app"), null, { timeout: 30_000 });
    await page.getByRole("tab", { name: /Console/ }).click();
    const input = page.getByLabel("kubectl command");
    await input.fill("kubectl get pods -n server");
    await input.press("Enter");
    await page.waitForFunction(() => document.querySelector(".console-output")?.textContent.includes("NAME"), null, { timeout: 30_000 });
    const lesson = await violations(page);

    // The pages of trainers and of joining a room: the sign-in form before anyone signs
    // in; then, signed in as the trainer scripts/e2e.sh made, a room's join page, the
    // room's page with this browser's attendee in it (the Deployment applied above), and
    // the trainer's read-only look into that attendee's workspace.
    await page.goto(baseUrl + "/trainer/login?failed");
    await page.waitForSelector("form");
    const login = await violations(page);
    let join = [], room = [], inspection = [];
    if (trainerName) {
      await page.goto(baseUrl + "/trainer/login");
      await page.getByLabel("Name").fill(trainerName);
      await page.getByLabel("Password").fill(password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(/\/trainer$/);
      const made = await page.evaluate(async () => {
        const response = await fetch("/api/trainer/rooms", {
          method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ title: "Axe room", lessons: ["fundamentals/services"], capacity: 3, pacing: "trainer" }),
        });
        return response.json();
      });
      await page.goto(`${baseUrl}/join/${made.id}?code=${made.accessCode}&failed=code`);
      await page.waitForSelector("form");
      join = await violations(page);
      await page.getByLabel(/Your name/).fill("Axe");
      await page.getByRole("button", { name: "Join" }).click();
      await page.waitForURL(/\/learn\//);
      await page.goto(`${baseUrl}/trainer/rooms/${made.id}`);
      await page.locator(".room-grid tbody th", { hasText: "Axe" }).waitFor();
      await page.locator(".pacing").waitFor();
      room = await violations(page);
      await page.getByRole("button", { name: "Axe" }).click();
      await page.getByRole("link", { name: "Look at their workspace (read-only)" }).click();
      await page.locator('.inspection .tree [data-kind="Deployment"]').waitFor({ timeout: 10_000 });
      inspection = await violations(page);
    }

    assert.deepEqual({ catalog, lesson, login, join, room, inspection }, { catalog: [], lesson: [], login: [], join: [], room: [], inspection: [] }, `axe in the ${theme} theme`);
    assert.deepEqual(page.errors, []);
    // Both runs really saw their theme.
    assert.equal(lightness < 128, theme === "dark", `background lightness ${lightness} in the ${theme} theme`);
  });
}
