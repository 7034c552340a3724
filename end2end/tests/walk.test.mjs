// One whole lesson (Services) from its first step to "done" with nothing but the page:
// each step's panes applied with Apply, its commands run with their Run buttons, its Try
// buttons pressed, until the step's checks all pass; then Next step. At the end the
// catalog shows the lesson as done. A fresh browser context is a fresh attendee.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, openPage, hydrated, baseUrl, screenshotDir } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const lesson = "/learn/fundamentals/services";

/// Applies every pane the step shows, as an attendee would before reading the result.
async function applyPanes(page) {
  const tabs = page.locator('.pane-tabs [role="tab"]:not([hidden])');
  for (const name of await tabs.allInnerTexts()) {
    await page.getByRole("tab", { name, exact: true }).click();
    // Playwright's click waits until Apply is enabled again, i.e. the last Apply answered.
    await page.getByRole("button", { name: "Apply", exact: true }).click();
  }
  const apply = page.getByRole("button", { name: "Apply", exact: true });
  await page.waitForFunction(() => !document.querySelector(".pane-actions .primary")?.disabled
    && document.querySelector(".pane-result .result-heading"));
  assert.equal(await apply.isEnabled(), true);
  assert.equal(await page.locator(".pane-result .refused").count(), 0,
    await page.locator(".pane-result").innerText());
}

/// Presses the step's Run and Try buttons in order; waits for each command to finish, and
/// stops one that follows (a watch) after a while, as an attendee would with its button.
async function pressButtons(page) {
  const buttons = page.locator(".prose .step .run-command, .prose .step .try-app-button");
  for (const button of await buttons.all()) {
    const commands = await button.getAttribute("data-command");
    await button.click();
    if (commands === null) {
      await page.waitForSelector(".try-answer, .try-app ~ .result-error");
      continue;
    }
    const last = commands.trim().split("\n").pop();
    const ran = page.waitForFunction((line) => {
      const entry = [...document.querySelectorAll(".console-entry")].pop();
      return entry?.textContent.includes(line) && entry.getAttribute("aria-busy") !== "true";
    }, last, { timeout: 20_000 });
    try {
      await ran;
    } catch {
      await page.getByRole("button", { name: "Stop" }).click();
      await page.getByRole("button", { name: "Run", exact: true }).waitFor();
    }
  }
}

test("an attendee walks the Services lesson from the first step to done in the page", async () => {
  const page = await openPage(browser);
  await page.goto(baseUrl + lesson);
  await hydrated(page);
  await page.waitForSelector(".cluster .link.up");
  const steps = Number((await page.locator(".step-count").innerText()).match(/of (\d+)/)[1]);
  assert.ok(steps >= 5, `the Services lesson has ${steps} steps`);
  for (let step = 1; step <= steps; step++) {
    await page.locator(".step-count", { hasText: `Step ${step} of` }).waitFor();
    await applyPanes(page);
    // Answers that need the Pods up (a curl through the Service) are asked again, as the
    // rehearsal of the lessons does: a few rounds, each waiting for the checks.
    let done = false;
    for (let round = 0; round < 4 && !done; round++) {
      await pressButtons(page);
      done = await page.waitForSelector(".checks.done", { timeout: 60_000 }).then(() => true, () => false);
    }
    const checks = await page.locator(".checks").innerText();
    assert.ok(done, `step ${step} is not done:\n${checks}`);
    if (step < steps) {
      await page.getByRole("link", { name: "Next step →" }).click();
    }
  }
  await page.screenshot({ path: screenshotDir + "services-done.png" });
  await page.goto(baseUrl + "/");
  const card = page.locator(".lesson-card", { hasText: "Services" });
  await card.locator("text=✓ done").waitFor({ timeout: 10_000 });
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
