// Catalog → lesson → prose and panes → type in the editor → switch panes and steps.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, openPage, hydrated, baseUrl, screenshotDir } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("the catalog lists the course and opens a lesson", async () => {
  const page = await openPage(browser);
  await page.goto(baseUrl + "/");
  assert.equal(await page.title(), "Courses · kubeclass");
  const cards = page.locator(".lesson-card");
  assert.equal(await cards.count(), 13);
  await page.screenshot({ path: screenshotDir + "catalog.png", fullPage: true });
  await page.getByRole("link", { name: /Deployments/ }).click();
  await page.waitForURL("**/learn/fundamentals/deployments");
  assert.equal(await page.title(), "Deployments · kubeclass");
  assert.deepEqual(page.errors, []);
});

test("a lesson is readable before the wasm arrives", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(baseUrl + "/learn/fundamentals/deployments");
  assert.match(await page.locator("h1").innerText(), /Deployments/);
  assert.match(await page.locator(".pane:not([hidden]) .pane-source").innerText(), /kind: Deployment/);
  assert.ok(await page.locator(".prose .step").isVisible());
  await context.close();
});

test("the editor takes typing, and panes and steps switch", async () => {
  const page = await openPage(browser);
  await page.goto(baseUrl + "/learn/fundamentals/services");
  await hydrated(page);

  // Prose and the active pane are on screen.
  assert.ok(await page.locator(".prose").isVisible());
  const activeTab = page.locator('.pane-tabs [role="tab"][aria-selected="true"]');
  const firstName = await activeTab.innerText();
  const editor = page.locator(".pane:not([hidden]) .cm-content");
  assert.match(await editor.innerText(), /apiVersion/);

  // Typing edits the manifest (CodeMirror, not a plain textarea).
  await editor.click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type("\n# edited in the browser");
  assert.match(await editor.innerText(), /# edited in the browser/);
  await page.keyboard.press("Control+z");
  await page.keyboard.press("Control+z");
  assert.doesNotMatch(await editor.innerText(), /edited in the browser/);

  // Another tab shows another file; arrow keys move between tabs.
  const tabs = page.locator('.pane-tabs [role="tab"]:not([hidden])');
  if (await tabs.count() > 1) {
    await page.locator('.pane-tabs [role="tab"][aria-selected="true"]').focus();
    await page.keyboard.press("ArrowRight");
    const secondName = await page.locator('.pane-tabs [role="tab"][aria-selected="true"]').innerText();
    assert.notEqual(secondName, firstName);
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute("role")), "tab");
  }

  // Next step: the address, the outline and the prose follow; panes show that step's files.
  const stepOneText = await page.locator(".prose .step").innerText();
  await page.getByRole("link", { name: "Next step →" }).click();
  await page.waitForURL("**/learn/fundamentals/services?step=2");
  // The step's prose is fetched: its number, text and checks change together when it comes.
  await page.locator(".step-count", { hasText: "Step 2 of" }).waitFor();
  assert.match(await page.locator(".step-count").innerText(), /Step 2 of/);
  assert.notEqual(await page.locator(".prose .step").innerText(), stepOneText);
  assert.equal(await page.locator('.step-outline [aria-current="step"]').count(), 1);
  await page.screenshot({ path: screenshotDir + "lesson.png" });

  // Clicking a step in the outline jumps there.
  await page.locator(".step-outline a").nth(2).click();
  await page.waitForURL("**?step=3");
  await page.locator(".step-count", { hasText: "Step 3 of" }).waitFor();
  assert.match(await page.locator(".step-count").innerText(), /Step 3 of/);
  assert.deepEqual(page.errors, []);
});

test("the dark theme is chosen, remembered and applied before paint", async () => {
  const page = await openPage(browser, { colorScheme: "light" });
  await page.goto(baseUrl + "/learn/fundamentals/pods");
  await hydrated(page);
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const light = await background();
  await page.getByRole("button", { name: /theme/ }).click();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "dark");
  assert.notEqual(await background(), light);
  await page.reload();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "dark");
  await page.screenshot({ path: screenshotDir + "lesson-dark.png" });
});

test("narrow screens stack the prose above the panes", async () => {
  const page = await openPage(browser, { viewport: { width: 390, height: 844 } });
  await page.goto(baseUrl + "/learn/fundamentals/deployments");
  await hydrated(page);
  const prose = await page.locator(".prose").boundingBox();
  const panes = await page.locator(".panes").boundingBox();
  assert.ok(panes.y > prose.y + prose.height - 1, "panes should come after the prose");
  assert.ok(prose.width <= 390);
  await page.screenshot({ path: screenshotDir + "lesson-narrow.png", fullPage: true });
});

test("unknown addresses get the 404 page", async () => {
  const page = await openPage(browser);
  const response = await page.goto(baseUrl + "/learn/fundamentals/nope");
  assert.equal(response.status(), 404);
  assert.match(await page.locator("h1").innerText(), /not part of any course/);
});

test("a lesson's Try button asks the app from the cluster panel, and its check ticks", async () => {
  const page = await openPage(browser);
  await page.goto(baseUrl + "/learn/fundamentals/configuration");
  await hydrated(page);
  await page.waitForSelector(".cluster .link.up");
  for (const [pane, kind] of [["deployment.yaml", "Deployment"], ["service.yaml", "Service"]]) {
    await page.getByRole("tab", { name: pane, exact: true }).click();
    await page.getByRole("button", { name: "Apply", exact: true }).click();
    await page.waitForSelector(`.pane-result .result.created[data-kind="${kind}"]`);
  }
  // Until the new Pods answer, Try the app says so ("no endpoints available"): ask again.
  const ask = page.getByRole("button", { name: /Try the app: GET/ });
  let body = "";
  for (let tries = 0; tries < 60 && !body.includes("Ada Lovelace"); tries++) {
    await ask.click();
    await page.waitForFunction(() => document.querySelector(".try-answer, .try-app ~ .result-error"));
    body = await page.locator(".try-answer .try-body, .try-app ~ .result-error").first().innerText();
    if (!body.includes("Ada Lovelace")) await page.waitForTimeout(1000);
  }
  assert.match(body, /Hello, I'm Ada Lovelace\. I'm 36\./);
  assert.equal(await page.getByRole("tab", { name: /Try the app/ }).getAttribute("aria-selected"), "true");
  await page.waitForSelector('.checks .check.passed:has-text("The app greets as Ada Lovelace")', { timeout: 10_000 });
  assert.deepEqual(page.errors, []);
});
