// Shared set-up for the browser tests: Debian's Chromium (playwright cannot download
// browsers here) against the server that scripts/e2e.sh started at KUBECLASS_URL.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const baseUrl = process.env.KUBECLASS_URL ?? "http://127.0.0.1:3000";
export const screenshotDir = fileURLToPath(new URL("../screenshots/", import.meta.url));
mkdirSync(screenshotDir, { recursive: true });

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}

/// A page that fails the test on any uncaught error or console error.
export async function openPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, ...options });
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  page.on("console", (m) => { if (m.type() === "error") page.errors.push(m.text()); });
  return page;
}

/// Resolves once the wasm app has hydrated the page (the editor mounts only then). On a
/// timeout it says what the page met on the way (its errors, its address) and keeps a
/// screenshot, so a failure on a loaded CI machine can be told from a broken hydration.
export async function hydrated(page) {
  try {
    await page.locator(".editor-host.editor-ready .cm-editor").first().waitFor({ timeout: 45_000 });
  } catch (e) {
    const shot = screenshotDir + "not-hydrated.png";
    await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
    const errors = page.errors?.length ? page.errors.join("\n  ") : "none";
    throw new Error(`${page.url()} did not hydrate: ${e.message}\npage errors:\n  ${errors}\nscreenshot: ${shot}`);
  }
}
