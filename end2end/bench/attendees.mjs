// Simulated attendees against a running server: each is its own session (cookie jar),
// holds the live stream (`GET /api/stream`) watching a lesson, and applies a manifest
// every period (10 s), the attendees' phases spread evenly over the period. Measures, per
// apply, the time from sending `POST /api/workspace/apply` until that attendee's socket
// receives the `change` frame for the object the apply changed; the POST's own answer
// time; and the server's resident memory before the attendees come and while they all
// hold their sockets.
//
//   node bench/attendees.mjs --url http://127.0.0.1:PORT --attendees N [--seconds 60]
//        [--server-pid PID] [--period 10] [--lesson fundamentals/deployments]
//        [--namespace server]
//
// Each apply changes the ConfigMap `bench` in the lesson's namespace so that its one data
// key is `r<round>` (server-side apply drops the previous round's key); the change
// frame's summary lists the keys, so the frame that answers round k is told apart from a
// late one of an earlier round.
//
// Rounds: attendee i arrives at i × period / N (session, socket, watch, snapshot) and
// applies at once: round 0, which creates its workspace. Round 1 comes one period later,
// while the later attendees are still arriving (creating workspaces, starting watches):
// it is reported apart, as `arrival`. Rounds 2 .. 1 + seconds/period are the steady
// state, the headline figures. A round whose change frame has not come when the
// attendee's next round is due counts as `missed`, one whose status came only in a
// snapshot (the server drops a slow tab's changes and sends a snapshot instead) as
// `viaSnapshot`; neither is a latency sample.
//
// Memory: the server's VmRSS (/proc/PID/status) after one attendee came and went (one-off
// costs of the first workspace), and after the last round while every attendee still
// holds its socket; per attendee = the difference / N.
//
// Prints one JSON line on stdout (progress goes to stderr); exits 1 only when the run
// could not start. Percentiles are nearest-rank over all samples of all attendees.
import WebSocket from "ws";
import { rssKib as rss, cpuTicks as ticks, percentile } from "./proc.mjs";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";

const args = {};
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i].startsWith("--")) args[process.argv[i].slice(2)] = process.argv[++i];
}
const base = (args.url ?? process.env.KUBECLASS_URL ?? "http://127.0.0.1:3000").replace(/\/$/, "");
const attendees = Number(args.attendees ?? 50);
const seconds = Number(args.seconds ?? 60);
const period = Number(args.period ?? 10) * 1000;
const lesson = args.lesson ?? "fundamentals/deployments";
const namespace = args.namespace ?? "server";
const serverPid = args["server-pid"] ? Number(args["server-pid"]) : null;
const rounds = Math.max(1, Math.round((seconds * 1000) / period)); // steady rounds
const firstSteady = 2;
const lastRound = firstSteady + rounds - 1;

const log = (...m) => console.error("[attendees]", ...m);
const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const rssKib = () => rss(serverPid);
const cpuTicks = () => ticks(serverPid);
const round3 = (x) => (x == null ? null : Math.round(x * 1000) / 1000);

// --- what is counted ------------------------------------------------------------
class Stats {
  applies = 0; // POSTs due (sent, or not sent because the socket could not be reopened)
  missed = 0; // no change frame before the next round was due (or the POST failed)
  viaSnapshot = 0; // the status came in a snapshot instead of a change frame
  samples = []; // apply -> change frame, ms
  post = []; // POST answer, ms
  byRound = []; // round -> samples
  summary() {
    const s = [...this.samples].sort((a, b) => a - b);
    const p = [...this.post].sort((a, b) => a - b);
    return {
      applies: this.applies,
      samples: s.length,
      p50_ms: round3(percentile(s, 50)),
      p99_ms: round3(percentile(s, 99)),
      max_ms: round3(s.at(-1)),
      apply_p50_ms: round3(percentile(p, 50)),
      apply_p99_ms: round3(percentile(p, 99)),
      missed: this.missed,
      viaSnapshot: this.viaSnapshot,
    };
  }
}
const steady = new Stats();
const arrival = new Stats();
const errors = {}; // kind -> count
const errorExamples = []; // a few messages, so that a failure can be understood
let lateRounds = 0; // rounds started over 50 ms after their due time (the previous overran)
let snapshotsInSteady = 0; // snapshots received during the steady rounds
let noCompleteSnapshot = 0; // connects whose second ("listed") snapshot took over 2 s
let warmupNoChange = 0; // round-0 applies whose status never reached the tab
let steadyPhase = false;

function error(kind, message) {
  errors[kind] = (errors[kind] ?? 0) + 1;
  if (errorExamples.length < 10) errorExamples.push(`${kind}: ${message}`.slice(0, 300));
}

// --- one attendee -----------------------------------------------------------------
class Attendee {
  constructor(index) {
    this.index = index;
    this.phase = (index * period) / attendees;
    this.cookie = null;
    this.socket = null;
    this.snapshots = 0;
    this.waiter = null; // {key, resolve}
    this.closing = false;
  }

  async session() {
    const response = await fetch(`${base}/api/progress`);
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`GET /api/progress answered ${response.status}`);
    const set = response.headers.getSetCookie().find((c) => c.startsWith("kubeclass="));
    if (!set) throw new Error("GET /api/progress set no kubeclass cookie");
    this.cookie = set.split(";")[0];
  }

  // Opens the stream, asks to watch the lesson and waits for the first snapshot; then (at
  // most 2 s) for the second, which the server sends once its watches have listed, so
  // that the first apply's change is not folded into a list.
  async connect() {
    this.snapshots = 0;
    const socket = new WebSocket(`${base.replace(/^http/, "ws")}/api/stream`, {
      headers: { Cookie: this.cookie },
      perMessageDeflate: false,
    });
    this.socket = socket;
    socket.on("message", (data) => this.frame(data));
    socket.on("error", (e) => { if (socket.readyState !== WebSocket.CONNECTING) error("socket_error", e.message); });
    socket.on("close", (code) => {
      if (!this.closing && this.socket === socket) {
        error("socket_closed", `attendee ${this.index}: closed by the server (${code})`);
        this.socket = null;
      }
    });
    await new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
      socket.once("unexpected-response", (_, res) => reject(new Error(`upgrade answered ${res.statusCode}`)));
    });
    socket.send(JSON.stringify({ type: "watch", lesson, step: 0 }));
    const first = performance.now() + 10_000;
    while (this.snapshots < 1 && performance.now() < first && this.socket === socket) await sleep(20);
    if (this.snapshots < 1) throw new Error("no snapshot within 10 s of watch");
    const second = performance.now() + 2_000;
    while (this.snapshots < 2 && performance.now() < second && this.socket === socket) await sleep(20);
    if (this.snapshots < 2) noCompleteSnapshot++;
  }

  frame(data) {
    const now = performance.now();
    let m;
    try {
      m = JSON.parse(data.toString());
    } catch (e) {
      error("bad_frame", e.message);
      return;
    }
    const w = this.waiter;
    if (m.type === "snapshot") {
      this.snapshots++;
      if (steadyPhase) snapshotsInSteady++;
      if (w && m.objects?.some((o) => this.answers(o, w.key))) {
        this.waiter = null;
        w.resolve({ at: now, via: "snapshot" });
      }
    } else if (m.type === "change") {
      if (w && m.change === "applied" && this.answers(m.object, w.key)) {
        this.waiter = null;
        w.resolve({ at: now, via: "change" });
      }
    } else if (m.type === "error") {
      error("stream_error", m.message);
    }
  }

  answers(object, key) {
    return object?.kind === "ConfigMap" && object.name === "bench" && object.namespace === namespace && object.spec?.keys?.includes(key);
  }

  manifest(round) {
    return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bench\n  namespace: ${namespace}\ndata:\n  r${round}: "attendee ${this.index} round ${round}"\n`;
  }

  // One apply; waits for its answer and its change frame until `deadline`. `stats` is
  // where it counts (null: not counted).
  async apply(round, deadline, stats) {
    if (stats) stats.applies++;
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) {
      try {
        await this.connect(); // a tab reconnects, as the lesson page does
      } catch (e) {
        error("reconnect", `attendee ${this.index}: ${e.message}`);
        if (stats) stats.missed++;
        return;
      }
    }
    const key = `r${round}`;
    const frame = new Promise((resolve) => { this.waiter = { key, resolve }; });
    const t0 = performance.now();
    try {
      const response = await fetch(`${base}/api/workspace/apply?lesson=${encodeURIComponent(lesson)}`, {
        method: "POST",
        headers: { Cookie: this.cookie, "Content-Type": "application/yaml" },
        body: this.manifest(round),
      });
      const text = await response.text();
      if (response.status !== 200) throw Object.assign(new Error(text), { kind: `http_${response.status}` });
      if (stats) stats.post.push(performance.now() - t0);
    } catch (e) {
      error(e.kind ?? "post_failed", `attendee ${this.index}: ${e.cause?.message ?? e.message}`);
      this.waiter = null;
      if (stats) stats.missed++;
      return;
    }
    const got = await Promise.race([frame, sleep(deadline - performance.now()).then(() => null)]);
    if (!got) {
      this.waiter = null;
      if (stats) stats.missed++;
      else warmupNoChange++;
    } else if (stats && got.via === "snapshot") {
      stats.viaSnapshot++;
    } else if (stats) {
      stats.samples.push(got.at - t0);
      (stats.byRound[round] ??= []).push(got.at - t0);
    }
  }

  // The attendee's whole run; `start` is the shared origin of the schedule. Calls
  // `warm()` after round 0 and `done()` after its last round (each exactly once, also
  // when it failed), then holds its socket until `release` resolves.
  async run(start, warm, done, release) {
    await sleep(start + this.phase - performance.now());
    try {
      await this.session();
      await this.connect();
    } catch (e) {
      error("setup", `attendee ${this.index}: ${e.message}`);
      arrival.applies++;
      arrival.missed++;
      steady.applies += rounds;
      steady.missed += rounds;
      warm();
      done();
      return;
    }
    await this.apply(0, Math.max(start + this.phase + period, performance.now() + 3000), null);
    warm();
    for (let round = 1; round <= lastRound; round++) {
      const due = start + this.phase + round * period;
      if (performance.now() > due + 50) lateRounds++;
      await sleep(due - performance.now());
      await this.apply(round, due + period, round >= firstSteady ? steady : arrival);
    }
    done();
    await release;
  }

  close() {
    this.closing = true;
    this.socket?.terminate();
  }
}

// --- the run ------------------------------------------------------------------------
async function main() {
  const health = await fetch(`${base}/healthz`).catch((e) => ({ status: e.message }));
  if (health.status !== 200) throw new Error(`${base}/healthz: ${health.status}`);

  // One attendee first (a workspace, one apply, then gone), so that one-off costs of the
  // first workspace are in the baseline, not in the attendees' share.
  const first = new Attendee(-1);
  await first.session();
  await first.connect();
  await first.apply(0, performance.now() + period, null);
  first.close();
  await sleep(2000);
  const rssBefore = rssKib();

  const crowd = Array.from({ length: attendees }, (_, i) => new Attendee(i));
  const countdown = (n) => {
    let left = n;
    let resolve;
    const promise = new Promise((r) => { resolve = r; });
    return { promise, tick: () => { if (--left === 0) resolve(); } };
  };
  const warmed = countdown(attendees);
  const done = countdown(attendees);
  let release;
  const released = new Promise((r) => { release = r; });
  const start = performance.now() + 100;
  log(`${attendees} attendees arrive over ${period / 1000} s; round 1 while they arrive, then ${rounds} steady rounds of ${period / 1000} s`);
  const runs = crowd.map((a) => a.run(start, warmed.tick, done.tick, released));

  await warmed.promise;
  const rssWarm = rssKib();
  log(`all arrived (server RSS ${rssWarm == null ? "?" : Math.round(rssWarm / 1024)} MiB)`);

  // The steady window: from when the first steady round is due until the last is done.
  await sleep(start + firstSteady * period - performance.now());
  steadyPhase = true;
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const cpu0 = cpuTicks();
  const t0 = performance.now();
  const client0 = process.cpuUsage();
  log("steady rounds");

  await done.promise; // every attendee has had its last round and still holds its socket
  const rssAfter = rssKib();
  const cpu1 = cpuTicks();
  const elapsed = (performance.now() - t0) / 1000;
  const client = process.cpuUsage(client0);
  loop.disable();
  steadyPhase = false;
  const open = crowd.filter((a) => a.socket && a.socket.readyState === WebSocket.OPEN).length;
  release();
  await Promise.all(runs);
  crowd.forEach((a) => a.close());

  const mib = (k) => (k == null ? null : Math.round((k / 1024) * 10) / 10);
  const a = arrival.summary();
  return {
    attendees,
    periodSeconds: period / 1000,
    steadyRounds: rounds,
    ...steady.summary(),
    p99_by_round_ms: steady.byRound.slice(firstSteady).map((xs) => round3(percentile([...(xs ?? [])].sort((x, y) => x - y), 99))),
    arrival: { p50_ms: a.p50_ms, p99_ms: a.p99_ms, max_ms: a.max_ms, apply_p99_ms: a.apply_p99_ms, missed: a.missed, viaSnapshot: a.viaSnapshot },
    lateRounds,
    snapshotsInSteady,
    noCompleteSnapshot,
    warmupNoChange,
    openSocketsAtEnd: open,
    rss_before_mib: mib(rssBefore),
    rss_arrived_mib: mib(rssWarm),
    rss_after_mib: mib(rssAfter),
    per_attendee_kib: rssBefore == null ? null : Math.round((rssAfter - rssBefore) / attendees),
    server_cpu_pct: cpu0 == null ? null : Math.round(((cpu1 - cpu0) / 100 / elapsed) * 1000) / 10,
    client_cpu_pct: Math.round(((client.user + client.system) / 1e6 / elapsed) * 1000) / 10,
    client_loop_delay_p99_ms: round3(loop.percentile(99) / 1e6),
    errors: Object.values(errors).reduce((x, y) => x + y, 0),
    errorKinds: errors,
    errorExamples,
  };
}

try {
  console.log(JSON.stringify(await main()));
  process.exit(0);
} catch (e) {
  console.error("[attendees] failed:", e.message);
  console.log(JSON.stringify({ attendees, fatal: e.message, errors: 1, errorKinds: errors, errorExamples }));
  process.exit(1);
}
