// A room its trainer paces: the attendee's page shows only the first step, says when the
// next opens, and follows the trainer: once the trainer opens step 2 the page offers it
// within its room refresh, and the attendee goes there when ready.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, openPage, baseUrl, hydrated } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const trainerName = process.env.KUBECLASS_E2E_TRAINER;
const password = process.env.KUBECLASS_E2E_PASSWORD;

test("the trainer opens the next step and the attendee's page follows", { skip: !trainerName && "run by scripts/e2e.sh, which makes the trainer" }, async () => {
  const trainer = await openPage(browser);
  await trainer.goto(baseUrl + "/trainer/login");
  await trainer.getByLabel("Name").fill(trainerName);
  await trainer.getByLabel("Password").fill(password);
  await trainer.getByRole("button", { name: "Sign in" }).click();
  await trainer.waitForURL(/\/trainer$/);
  await trainer.getByLabel("Title").fill("Paced room");
  await trainer.getByLabel("Capacity").fill("3");
  await trainer.getByLabel(/I open the steps/).check();
  await trainer.locator(".room-lesson", { hasText: /\d+\. Deployments$/ }).locator("input").check();
  await trainer.getByRole("button", { name: "Make the room" }).click();
  const made = trainer.locator(".room-made");
  await made.waitFor();
  const joinUrl = await made.locator("a").getAttribute("href");
  const code = await made.locator("code").innerText();
  await trainer.locator(".room-list a", { hasText: "Paced room" }).click();
  await trainer.locator(".pacing", { hasText: "up to step 1" }).waitFor();

  const ada = await openPage(browser);
  await ada.goto(`${joinUrl}?code=${code}`);
  await ada.getByLabel(/Your name/).fill("Ada");
  await ada.getByRole("button", { name: "Join" }).click();
  await ada.waitForURL(/\/learn\/fundamentals\/deployments$/);
  await ada.getByText("Step 2 opens when your trainer gets there.").waitFor();
  assert.equal(await ada.getByRole("link", { name: "Next step →" }).count(), 0);
  assert.equal(await ada.locator(".step-outline li.closed").count() > 0, true);
  // Reading ahead by the address gives the open step, not the next.
  const lessonUrl = ada.url();
  await ada.goto(lessonUrl + "?step=2");
  await ada.locator(".step-count", { hasText: "Step 1 of" }).waitFor();
  await ada.goto(lessonUrl);
  await hydrated(ada);

  await trainer.getByRole("button", { name: /^Open step 2 of Deployments/ }).click();
  await trainer.locator(".pacing", { hasText: "up to step 2" }).waitFor();
  const opened = Date.now();
  // The room bar says so within its refresh; the attendee moves on when ready.
  const go = ada.locator(".room-opened").getByRole("link", { name: "Go to step 2" });
  await go.waitFor({ timeout: 10_000 });
  console.log(`# the attendee's page offered step 2 ${Date.now() - opened} ms after the trainer opened it`);
  await go.click();
  await ada.locator(".step-count", { hasText: "Step 2 of" }).waitFor();
  await ada.getByText("Step 3 opens when your trainer gets there.").waitFor();
  assert.deepEqual(trainer.errors, []);
  assert.deepEqual(ada.errors, []);
  await ada.context().close();
  await trainer.context().close();
});
