// kubeclass's embed for docs sites: the <kubeclass-lesson> element. Hand-written, no
// dependencies, no build step; documented in docs/embedding.md.
//
//   <script type="module" src="https://HOST/embed/v1/loader.js"></script>
//   <kubeclass-lesson lesson="fundamentals/pods" site="site_…" step="2">
//     …the lesson's text, shown until the embed is ready (and for good if HOST is down)…
//   </kubeclass-lesson>
//
// The element frames HOST's /embed/v1/COURSE/LESSON page (once it comes near the viewport;
// loading="eager" frames it at once) and talks to it over a
// MessageChannel after an `init` handshake sent to HOST's origin only: the frame says
// `ready`, `resize {height}`, `step {step}`, `complete {step}`, `error {message}`,
// `open-top {href}` (the reader opened the lesson in a kubeclass tab); the
// page may send `goto {step}`, `run {yaml}`, `theme {theme}`, `reset`.

const ORIGIN = new URL(import.meta.url).origin;
const MIN_HEIGHT = 240;
const MAX_HEIGHT = 4000;

// A frame is made when its element comes within this distance of the viewport, so an
// embed further down a long page costs the reader nothing until they scroll near it.
const NEAR = "800px 0px";

class KubeclassLesson extends HTMLElement {
  connectedCallback() {
    if (this.frame || this.observer) return;
    if (!this.getAttribute("lesson") || !this.getAttribute("site")) {
      console.error("<kubeclass-lesson> needs lesson=\"COURSE/LESSON\" and site=\"KEY\"");
      return;
    }
    if (!this.style.display) this.style.display = "block";
    if (this.getAttribute("loading") === "eager" || !("IntersectionObserver" in window)) {
      this.#load();
      return;
    }
    this.observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) this.#load();
    }, { rootMargin: NEAR });
    this.observer.observe(this);
  }

  disconnectedCallback() {
    this.observer?.disconnect();
    this.observer = null;
  }

  #load() {
    this.observer?.disconnect();
    this.observer = null;
    if (this.frame) return;
    const lesson = this.getAttribute("lesson");
    const url = new URL(`/embed/v1/${lesson}`, ORIGIN);
    url.searchParams.set("site", this.getAttribute("site"));
    for (const name of ["step", "theme"]) {
      const value = this.getAttribute(name);
      if (value) url.searchParams.set(name, value);
    }
    const frame = document.createElement("iframe");
    frame.src = url.href;
    frame.title = this.getAttribute("title") || `Kubernetes lesson: ${lesson}`;
    // Hidden until ready (`display` is set then: an inline `display` would beat `hidden`).
    frame.style.cssText = `width:100%;border:0;height:${MIN_HEIGHT * 3}px`;
    frame.addEventListener("load", () => this.#handshake());
    this.frame = frame;
    // The text inside stays readable until the frame says it is ready.
    this.fallback = document.createElement("div");
    this.fallback.append(...this.childNodes);
    frame.hidden = true;
    this.append(this.fallback, frame);
  }

  #handshake() {
    const channel = new MessageChannel();
    this.port?.close();
    this.port = channel.port1;
    this.port.onmessage = (event) => this.#receive(event.data || {});
    this.frame.contentWindow.postMessage({ type: "kubeclass:init", version: 1 }, ORIGIN, [channel.port2]);
    for (const message of this.pending || []) this.port.postMessage(message);
    this.pending = [];
  }

  #receive(message) {
    switch (message.type) {
      case "ready":
        this.frame.hidden = false;
        this.frame.style.display = "block";
        this.fallback.hidden = true;
        this.#emit("kubeclass-ready", {});
        break;
      case "resize": {
        const height = Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, Math.ceil(Number(message.height) || 0)));
        this.frame.style.height = `${height}px`;
        this.#emit("kubeclass-resize", { height });
        break;
      }
      case "step":
        this.#emit("kubeclass-step", { step: message.step });
        break;
      case "complete":
        this.#emit("kubeclass-complete", { step: message.step });
        break;
      case "error":
        this.#emit("kubeclass-error", { message: String(message.message || "") });
        break;
      case "open-top":
        this.#emit("kubeclass-open-top", { href: String(message.href || "") });
        break;
    }
  }

  #emit(name, detail) {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true }));
  }

  // A call before the frame is there loads it and keeps the message for its handshake.
  #send(message) {
    if (this.port) {
      this.port.postMessage(message);
      return;
    }
    (this.pending ||= []).push(message);
    this.#load();
  }

  /** Shows step `step` (1-based). */
  goto(step) { this.#send({ type: "goto", step: Number(step) }); }
  /** Puts `yaml` (a code block of the docs page) into the pane on show, as the reader's edit. */
  run(yaml) { this.#send({ type: "run", yaml: String(yaml) }); }
  /** "light", "dark" or "auto". */
  theme(theme) { this.#send({ type: "theme", theme }); }
  /** Deletes what the reader made in the sandbox. */
  reset() { this.#send({ type: "reset" }); }
}

if (!customElements.get("kubeclass-lesson")) customElements.define("kubeclass-lesson", KubeclassLesson);
