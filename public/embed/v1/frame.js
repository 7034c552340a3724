// The embed page's side of the docs sites' protocol (see loader.js): waits for the
// `init` handshake from the page that frames it, then reports its height, its step, its
// checks and "Open in kubeclass" (`open-top`), and follows `goto`, `run`, `theme` and `reset`. Loaded by the embed page
// only (app/src/pages/embed.rs); does nothing when the page is not framed.
(function () {
  if (window.parent === window) return;
  let port = null;
  let lastHeight = 0;
  let lastStep = 0;
  let completed = -1;

  window.addEventListener("message", (event) => {
    const data = event.data || {};
    if (event.source !== window.parent || data.type !== "kubeclass:init" || !event.ports[0]) return;
    port = event.ports[0];
    port.onmessage = (m) => receive(m.data || {});
    lastHeight = 0;
    send({ type: "ready" });
    report();
  });

  function send(message) {
    if (port) port.postMessage(message);
  }

  function currentStep() {
    const step = Number(new URLSearchParams(location.search).get("step") || "1");
    return Number.isFinite(step) && step >= 1 ? step : 1;
  }

  // Height, step and completion, whenever the page changes.
  function report() {
    if (!port) return;
    const height = document.documentElement.scrollHeight;
    if (height !== lastHeight) {
      lastHeight = height;
      send({ type: "resize", height });
    }
    const step = currentStep();
    if (step !== lastStep) {
      lastStep = step;
      send({ type: "step", step });
    }
    if (document.querySelector(".checks.done") && completed !== step) {
      completed = step;
      send({ type: "complete", step });
    }
  }
  new ResizeObserver(report).observe(document.documentElement);
  new MutationObserver(report).observe(document.documentElement, { subtree: true, childList: true, attributes: true, attributeFilter: ["class"] });

  // "Open in kubeclass": the frame opens the tab itself (a form carries the sandbox over;
  // its token never leaves the frame); the docs page is told where the reader went.
  function openedTop(element) {
    const lesson = element.querySelector("input[name=lesson]");
    const href = lesson ? new URL(`/learn/${lesson.value}?step=${currentStep()}`, location.origin).href : element.href;
    send({ type: "open-top", href });
  }
  document.addEventListener("click", (e) => {
    const link = e.target.closest && e.target.closest("a.open-top");
    if (link) openedTop(link);
  }, true);
  document.addEventListener("submit", (e) => {
    if (e.target.matches && e.target.matches("form.open-top")) openedTop(e.target);
  }, true);

  function receive(message) {
    switch (message.type) {
      case "goto": {
        const link = document.querySelector(`.step-outline a[href$="step=${Number(message.step)}"]`);
        if (link) link.click();
        else send({ type: "error", message: `there is no step ${message.step}` });
        break;
      }
      case "run": {
        const host = [...document.querySelectorAll(".editor-host.editor-ready")].find((h) => h.offsetParent !== null);
        if (host && window.kubeclassEditor) window.kubeclassEditor.type(host.dataset.pane || "", String(message.yaml || ""));
        else send({ type: "error", message: "the editor is not ready yet" });
        break;
      }
      case "theme":
        if (message.theme === "light" || message.theme === "dark") document.documentElement.dataset.theme = message.theme;
        else delete document.documentElement.dataset.theme;
        break;
      case "reset": {
        const button = document.querySelector(".cluster [data-action='reset']");
        if (button) button.click();
        break;
      }
    }
  }
})();
