// A room of simulated attendees with its trainer's live view open: the trainer makes a
// room for the Deployments lesson; N attendees join through its link (the join form, as a
// browser posts it), each holding the live stream on the lesson's first step, as its page
// does; the trainer reads the room view as the room page does, but every --poll ms (the
// page reads it every second: add up to that). Then each attendee applies the lesson's
// first manifest (a Deployment of 3 replicas: 3 × N Pods in all), their applies spread
// over --spread seconds. Measures, per attendee, from sending the apply:
//   - until the room view first shows their step-1 cell changed (from working to failing
//     or passed): what the trainer sees move;
//   - until it shows the cell passed (3 replicas ready: includes the app's own start-up,
//     about 10 s on kubesim's demo-app model);
// and the server's CPU (utime + stime) from the first apply until every cell passed or
// --timeout, and its resident memory with all attendees connected and at the end.
// With --tabs no, no attendee holds a stream (their laptops are shut): only the room's
// watch judges them (and records their passes).
//
//   node bench/room.mjs --url http://127.0.0.1:PORT --token kct_… --attendees N
//        [--tabs yes|no] [--spread 60] [--poll 250] [--timeout 240] [--server-pid PID]
//
// Prints one JSON line on stdout (progress on stderr). Percentiles are nearest-rank.
import WebSocket from "ws";
import { rssKib as rss, cpuTicks as ticks, percentile } from "./proc.mjs";
import { performance } from "node:perf_hooks";

const args = {};
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i].startsWith("--")) args[process.argv[i].slice(2)] = process.argv[++i];
}
const base = (args.url ?? "http://127.0.0.1:3000").replace(/\/$/, "");
const token = args.token;
const attendees = Number(args.attendees ?? 100);
const spread = Number(args.spread ?? 60) * 1000;
const poll = Number(args.poll ?? 250);
const timeout = Number(args.timeout ?? 240) * 1000;
const serverPid = args["server-pid"] ? Number(args["server-pid"]) : null;
const tabs = (args.tabs ?? "yes") !== "no";
const lesson = "fundamentals/deployments";

const log = (...m) => console.error("[room]", ...m);
const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const rssKib = () => rss(serverPid);
const cpuTicks = () => ticks(serverPid);
const summary = (samples) => {
  const s = [...samples].sort((a, b) => a - b);
  return { samples: s.length, p50_ms: Math.round(percentile(s, 50)), p99_ms: Math.round(percentile(s, 99)), max_ms: Math.round(s.at(-1) ?? 0) };
};
const errors = [];
const same = { Origin: base };

async function json(method, path, body) {
  const response = await fetch(base + path, {
    method,
    headers: { ...same, Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body == null ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

class Attendee {
  constructor(index) {
    this.name = `attendee-${String(index).padStart(3, "0")}`;
    this.snapshots = 0;
  }

  async join(room, code) {
    const response = await fetch(`${base}/join/${room}`, {
      method: "POST",
      redirect: "manual",
      headers: { ...same, "Content-Type": "application/x-www-form-urlencoded" },
      body: `code=${code}&name=${this.name}`,
    });
    await response.arrayBuffer();
    const location = response.headers.get("location") ?? "";
    if (response.status !== 303 || location.includes("failed")) throw new Error(`join: ${response.status} ${location}`);
    this.cookie = response.headers.getSetCookie().find((c) => c.startsWith("kubeclass=")).split(";")[0];
  }

  async connect() {
    const socket = new WebSocket(`${base.replace(/^http/, "ws")}/api/stream`, { headers: { Cookie: this.cookie, Origin: base }, perMessageDeflate: false });
    this.socket = socket;
    socket.on("message", (data) => {
      const m = JSON.parse(data.toString());
      if (m.type === "snapshot") this.snapshots++;
      if (m.type === "error") errors.push(`${this.name}: ${m.message}`);
    });
    socket.on("error", (e) => errors.push(`${this.name}: socket ${e.message}`));
    await new Promise((resolve, reject) => { socket.once("open", resolve); socket.once("error", reject); });
    socket.send(JSON.stringify({ type: "watch", lesson, step: 0 }));
    const until = performance.now() + 10_000;
    while (this.snapshots < 1 && performance.now() < until) await sleep(20);
    if (this.snapshots < 1) throw new Error("no snapshot within 10 s");
  }

  async apply(manifest) {
    this.applied = performance.now();
    const response = await fetch(`${base}/api/workspace/apply?lesson=${lesson}`, {
      method: "POST",
      headers: { ...same, Cookie: this.cookie, "Content-Type": "application/yaml" },
      body: manifest,
    });
    const text = await response.text();
    this.answered = performance.now();
    if (response.status !== 200) errors.push(`${this.name}: apply ${response.status} ${text.slice(0, 200)}`);
  }
}

async function main() {
  if (!token) throw new Error("--token: a trainer's API token (kubeclass trainer token NAME)");
  const room = await json("POST", "/api/trainer/rooms", { title: "Bench room", lessons: [lesson], capacity: attendees });
  const page = await (await fetch(`${base}/api/lesson`, {
    method: "POST", headers: { ...same, "Content-Type": "application/x-www-form-urlencoded" },
    body: "course=fundamentals&lesson=deployments",
  })).json();
  const manifest = page.panes[0].versions[0][1];

  const crowd = Array.from({ length: attendees }, (_, i) => new Attendee(i));
  const joinStart = performance.now();
  for (const a of crowd) {
    await a.join(room.id, room.accessCode);
    if (tabs) await a.connect();
  }
  log(`${attendees} joined${tabs ? " and connected" : " (no tabs)"} in ${Math.round(performance.now() - joinStart)} ms`);
  await sleep(2000);
  const rssConnected = rssKib();

  // The trainer's view, read every `poll` ms: when each attendee's first cell moved.
  const changed = new Map(); // name -> ms after their apply
  const passed = new Map();
  const views = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const t0 = performance.now();
      try {
        const view = await json("GET", `/api/trainer/rooms/${room.id}`);
        const now = performance.now();
        views.push(now - t0);
        for (const a of view.attendees ?? []) {
          const who = crowd.find((c) => c.name === a.name);
          const cell = a.steps?.[lesson]?.[0];
          if (!who?.applied) continue;
          if (!changed.has(who.name) && cell !== "working" && cell !== "notStarted") changed.set(who.name, now - who.applied);
          if (!passed.has(who.name) && cell === "passed") passed.set(who.name, now - who.applied);
        }
      } catch (e) {
        errors.push(`view: ${e.message}`);
      }
      await sleep(poll - (performance.now() - t0));
    }
  })();

  const cpu0 = cpuTicks();
  const t0 = performance.now();
  log(`applying: ${attendees} Deployments of 3 over ${spread / 1000} s`);
  await Promise.all(crowd.map(async (a, i) => {
    await sleep((i * spread) / attendees);
    await a.apply(manifest);
  }));
  while (passed.size < attendees && performance.now() - t0 < spread + timeout) await sleep(500);
  const elapsed = (performance.now() - t0) / 1000;
  const cpu1 = cpuTicks();
  const rssEnd = rssKib();
  polling = false;
  await poller;
  crowd.forEach((a) => a.socket?.terminate());
  const answers = crowd.filter((a) => a.answered).map((a) => a.answered - a.applied);
  return {
    attendees,
    tabs,
    pods: attendees * 3,
    spread_s: spread / 1000,
    poll_ms: poll,
    cell_changed: summary([...changed.values()]),
    cell_passed: summary([...passed.values()]),
    apply_answer: summary(answers),
    room_view: summary(views),
    never_changed: attendees - changed.size,
    never_passed: attendees - passed.size,
    server_cpu_pct: cpu0 == null ? null : Math.round(((cpu1 - cpu0) / 100 / elapsed) * 1000) / 10,
    window_s: Math.round(elapsed),
    rss_connected_mib: rssConnected == null ? null : Math.round(rssConnected / 1024),
    rss_end_mib: rssEnd == null ? null : Math.round(rssEnd / 1024),
    errors: errors.length,
    error_examples: errors.slice(0, 5),
  };
}

main().then(
  (result) => console.log(JSON.stringify(result)),
  (e) => { console.error(e); process.exit(1); },
);
