// A docs site on another site (http://localhost:PORT, while kubeclass is 127.0.0.1)
// embeds two lessons with the snippet, in Chromium with third-party cookies blocked:
// each embed shows its fallback text until ready, resizes itself, and gets a sandbox of
// its own on Start; a third far below the fold, pinned to an edition of its lesson, is
// framed only once the reader scrolls near it; an apply in one shows its Pod there and
// not in the other; the docs
// page sends a code block into a pane; a sandbox the operator ends says so and a new one
// starts, which "Open in kubeclass" carries into a tab (the docs page hears `open-top`); an unregistered origin cannot frame the embed;
// and with kubeclass unreachable the fallback text stays readable. The site was
// registered by scripts/e2e.sh (`kubeclass embed add-site`), as an operator would.
import http from "node:http";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { baseUrl, screenshotDir } from "./browser.mjs";

const site = process.env.KUBECLASS_E2E_SITE;
const docsPort = Number(process.env.KUBECLASS_E2E_DOCS_PORT);
const skip = !site && "run by scripts/e2e.sh, which registers the docs site";

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: from-the-docs
spec:
  containers:
    - name: web
      image: nginx:1.27
`;

/// The docs page: the snippet twice, a code block the page sends into the first, and far
/// below, a third pinned to an edition of the Pods lesson (`later`, `pods` by default).
function docsPage(kubeclass, later = "fundamentals/pods") {
  return `<!doctype html><html lang="en"><head><title>Docs</title>
<script type="module" src="${kubeclass}/embed/v1/loader.js"></script></head>
<body><h1>Our docs</h1>
<pre id="block">${POD}</pre><button id="send">Send to the lesson</button>
<kubeclass-lesson id="pods" lesson="fundamentals/pods" site="${site}"><p class="fallback">A Pod is the smallest thing Kubernetes runs.</p></kubeclass-lesson>
<kubeclass-lesson id="services" lesson="fundamentals/services" site="${site}"><p class="fallback">A Service gives Pods one address.</p></kubeclass-lesson>
<div style="height: 6000px">Much more of the docs.</div>
<kubeclass-lesson id="later" lesson="${later}" site="${site}"><p class="fallback">Pods, as this page was written for them.</p></kubeclass-lesson>
<script>
  window.events = [];
  for (const name of ["kubeclass-ready", "kubeclass-resize", "kubeclass-step", "kubeclass-complete", "kubeclass-error", "kubeclass-open-top"])
    document.addEventListener(name, (e) => window.events.push({ name, id: e.target.id, detail: e.detail }));
  document.getElementById("send").onclick = () =>
    document.getElementById("pods").run(document.getElementById("block").textContent);
</script></body></html>`;
}

/// Runs `kubeclass ARGS…` as the operator would, on the server's data; what it printed.
function kubeclassCommand(args) {
  return execFileSync(process.env.KUBECLASS_E2E_BIN, args, {
    env: { ...process.env, KUBECLASS_DATA_DIR: process.env.KUBECLASS_E2E_DATA_DIR },
    cwd: fileURLToPath(new URL("../..", import.meta.url)),
  }).toString();
}

function serve(port, body) {
  const server = http.createServer((_, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(body);
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

/// Waits for an embed's live stream to be up; on a timeout, says what the frame shows.
async function streamUp(frame) {
  try {
    await frame.locator(".cluster .link.up").waitFor({ timeout: 30_000 });
  } catch (e) {
    const shows = await frame.locator(".lesson-work").innerText().catch((x) => `(${x.message})`);
    throw new Error(`${e.message}\nthe embed shows: ${shows.slice(-600)}`);
  }
}

let browser;
const servers = [];
before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--test-third-party-cookie-phaseout"],
  });
});
after(async () => {
  await browser?.close();
  for (const s of servers) s.close();
});

test("a docs page embeds two lessons, each with a sandbox of its own", { skip }, async () => {
  const kubeclass = baseUrl.replace("localhost", "127.0.0.1");
  // The edition a docs author pins, as the operator's command lists it.
  const editions = kubeclassCommand(["editions", "fundamentals/pods"]);
  const version = editions.split("\n")[1].split(/\s+/)[0];
  assert.match(version, /^[0-9a-f]{12}$/, editions);
  servers.push(await serve(docsPort, docsPage(kubeclass, `fundamentals/pods@${version}`)));
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`http://localhost:${docsPort}/`);

  // Readable at once; once ready, the frames replace their fallback text and size themselves.
  for (const id of ["pods", "services"]) {
    await page.locator(`#${id} iframe`).waitFor({ state: "visible", timeout: 45_000 });
    assert.equal(await page.locator(`#${id} .fallback`).isVisible(), false);
  }
  await page.waitForFunction(() => window.events.filter((e) => e.name === "kubeclass-resize").length >= 2);
  // The third embed is far below the fold: no frame until the reader scrolls near it.
  assert.equal(await page.locator("#later iframe").count(), 0, "a frame far below waits");
  await page.locator("#later").scrollIntoViewIfNeeded();
  await page.locator("#later iframe").waitFor({ state: "visible", timeout: 45_000 });
  assert.match(await page.locator("#later iframe").getAttribute("src"), new RegExp(`/embed/v1/fundamentals/pods@${version}\\?`));
  await page.frameLocator("#later iframe").getByRole("heading", { name: "Pods", exact: true }).waitFor();
  await page.locator("#pods").scrollIntoViewIfNeeded();
  const pods = page.frameLocator("#pods iframe");
  const services = page.frameLocator("#services iframe");
  await pods.locator(".editor-host.editor-ready .cm-editor").first().waitFor({ timeout: 45_000 });
  // Click-to-load: no sandbox yet, so no cluster panel.
  assert.equal(await pods.locator(".cluster .link").count(), 0);

  // Buttons in the frames are pressed with the keyboard: the frames resize as they
  // settle, which moves them under a mouse click aimed a moment before.
  await pods.getByRole("button", { name: "Start", exact: true }).press("Enter");
  await streamUp(pods);
  await services.getByRole("button", { name: "Start", exact: true }).press("Enter");
  await streamUp(services);

  // The docs page's code block goes into the Pods pane, as the reader's edit; Apply.
  await page.locator("#send").press("Enter");
  await pods.locator(".cm-content", { hasText: "from-the-docs" }).waitFor({ timeout: 10_000 }).catch(async (e) => {
    const said = await page.evaluate(() => JSON.stringify(window.events.filter((e) => e.name !== "kubeclass-resize")));
    throw new Error(`${e.message}\nthe embeds said: ${said}`);
  });
  await pods.getByRole("button", { name: "Apply", exact: true }).press("Enter");
  await pods.locator('.tree [data-kind="Pod"]', { hasText: "from-the-docs" }).waitFor({ timeout: 30_000 });
  // The other embed's sandbox is another workspace: the Pod is not there.
  await page.waitForTimeout(1000);
  assert.equal(await services.locator('.tree [data-kind="Pod"]', { hasText: "from-the-docs" }).count(), 0);
  await page.screenshot({ path: screenshotDir + "embed-docs.png", fullPage: true });

  // No cookie was needed, or set, in the frames.
  const cookies = await context.cookies(kubeclass);
  assert.deepEqual(cookies.map((c) => c.name), [], "frames run without cookies");
  assert.deepEqual(errors, []);

  // The operator ends the site's sandboxes: the next Apply finds the sandbox ended, the
  // embed says so, and "Start a new one" gives a fresh, empty one.
  kubeclassCommand(["embed", "end-sandboxes", site]);
  await pods.getByRole("button", { name: "Apply", exact: true }).press("Enter");
  await pods.getByRole("heading", { name: "Your sandbox has ended" }).waitFor({ timeout: 10_000 });
  await pods.getByRole("button", { name: "Start a new one" }).press("Enter");
  await streamUp(pods);
  await pods.locator(".cluster .tree, .cluster .empty").first().waitFor();
  assert.equal(await pods.locator('.tree [data-kind="Pod"]', { hasText: "from-the-docs" }).count(), 0);

  // "Open in kubeclass" carries the new sandbox (with the lesson's own Pod applied in it)
  // into a tab of its own, and the docs page is told where the reader went.
  await pods.getByRole("button", { name: "Apply", exact: true }).press("Enter");
  await pods.locator('.tree [data-kind="Pod"]', { hasText: "goserver" }).waitFor({ timeout: 30_000 });
  const [tab] = await Promise.all([
    context.waitForEvent("page"),
    pods.getByRole("button", { name: "Open in kubeclass ↗" }).press("Enter"),
  ]);
  await tab.waitForURL(/\/learn\/fundamentals\/pods\?step=1$/);
  await tab.locator('.tree [data-kind="Pod"]', { hasText: "goserver" }).waitFor({ timeout: 30_000 });
  const opened = await page.evaluate(() => window.events.filter((e) => e.name === "kubeclass-open-top"));
  assert.deepEqual(opened.map((e) => [e.id, new URL(e.detail.href).pathname]), [["pods", "/learn/fundamentals/pods"]]);
  await context.close();
});

test("an unregistered origin cannot frame the embed, and a dead server leaves the text", { skip }, async () => {
  const kubeclass = baseUrl.replace("localhost", "127.0.0.1");
  const strangerPort = docsPort + 1;
  servers.push(await serve(strangerPort, docsPage(kubeclass)));
  const page = await browser.newPage();
  await page.goto(`http://localhost:${strangerPort}/`);
  await page.waitForTimeout(3000);
  const frame = page.frames().find((f) => f !== page.mainFrame());
  assert.ok(frame, "the element made its frame");
  assert.doesNotMatch(await frame.content().catch(() => ""), /Start gives you/, "the lesson did not load in the frame");
  assert.equal(await page.locator("#pods .fallback").isVisible(), true, "the docs text stays");
  assert.equal(await page.evaluate(() => window.events.length), 0);

  // kubeclass down (nothing listens where the snippet points): the text is all there is.
  const dead = await browser.newPage();
  await dead.setContent(docsPage("http://127.0.0.1:9"));
  await dead.waitForTimeout(1000);
  assert.equal(await dead.locator("#pods .fallback").isVisible(), true);
  assert.match(await dead.locator("#services").innerText(), /A Service gives Pods one address/);
  await page.close();
  await dead.close();
});
