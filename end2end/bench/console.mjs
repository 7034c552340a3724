// Simulated attendees using the kubectl console against a running server: each is its own
// session (cookie), makes its workspace with one apply, then runs a console command every
// period (5 s), the attendees' phases spread evenly over the period, either as
// `POST /api/workspace/console` (`--via http`) or as the page runs it, over its live
// stream (`--via stream`: a `console` message, answered by `consoleOutput` and
// `consoleExit`). Measures each command's round trip (sent → its exit read) and the
// server's CPU over the steady rounds.
//
//   node bench/console.mjs --url http://127.0.0.1:PORT --attendees N [--seconds 60]
//        [--period 5] [--server-pid PID] [--command "kubectl get configmaps -n server"]
//        [--via http|stream]
//
// Prints one JSON line on stdout (progress goes to stderr). An answer that is not a 200
// with exit code 0 counts as an error, not as a sample.
import { cpuTicks as ticks, percentile } from "./proc.mjs";
import { performance } from "node:perf_hooks";
import WebSocket from "ws";

const args = {};
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i].startsWith("--")) args[process.argv[i].slice(2)] = process.argv[++i];
}
const base = (args.url ?? "http://127.0.0.1:3000").replace(/\/$/, "");
const attendees = Number(args.attendees ?? 200);
const seconds = Number(args.seconds ?? 60);
const period = Number(args.period ?? 5) * 1000;
const command = args.command ?? "kubectl get configmaps -n server";
const via = args.via ?? "http";
const serverPid = args["server-pid"] ? Number(args["server-pid"]) : null;
const rounds = Math.max(1, Math.round((seconds * 1000) / period));

const log = (...m) => console.error("[console]", ...m);
const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const round3 = (x) => (x == null ? null : Math.round(x * 1000) / 1000);
const cpuTicks = () => ticks(serverPid);

const samples = [];
const errors = {};
const examples = [];
function error(kind, message) {
  errors[kind] = (errors[kind] ?? 0) + 1;
  if (examples.length < 5) examples.push(`${kind}: ${message}`.slice(0, 300));
}

const manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bench, namespace: server}\ndata: {round: r0}\n";

async function session() {
  const response = await fetch(`${base}/api/progress`);
  await response.arrayBuffer();
  const set = response.headers.getSetCookie().find((c) => c.startsWith("kubeclass="));
  if (!set) throw new Error(`GET /api/progress answered ${response.status} without a session`);
  return set.split(";")[0];
}

async function prepare(cookie) {
  const response = await fetch(`${base}/api/workspace/apply?lesson=fundamentals/deployments`, {
    method: "POST",
    headers: { Cookie: cookie, "Content-Type": "application/yaml" },
    body: manifest,
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`apply answered ${response.status}: ${text}`);
}

// An attendee's live stream: console lines sent on it, each answered by its exit.
async function stream(cookie) {
  const socket = new WebSocket(`${base.replace(/^http/, "ws")}/api/stream`, {
    headers: { Cookie: cookie },
    perMessageDeflate: false,
  });
  const waiting = new Map();
  socket.on("message", (data) => {
    const message = JSON.parse(data.toString());
    if (message.type === "consoleExit") waiting.get(message.id)?.(message.exitCode);
  });
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  let next = 0;
  return {
    socket,
    run: (line) =>
      new Promise((resolve, reject) => {
        const id = ++next;
        const timer = setTimeout(() => reject(new Error(`no exit for console line ${id} in 10 s`)), 10_000);
        waiting.set(id, (code) => {
          clearTimeout(timer);
          waiting.delete(id);
          resolve(code);
        });
        socket.send(JSON.stringify({ type: "console", id, command: line }));
      }),
  };
}

async function run(cookie, record) {
  if (via === "stream") return runOnStream(cookie, record);
  const t0 = performance.now();
  try {
    const response = await fetch(`${base}/api/workspace/console`, {
      method: "POST",
      headers: { Cookie: cookie, "Content-Type": "application/json" },
      body: JSON.stringify({ command }),
    });
    const answer = await response.json();
    const took = performance.now() - t0;
    if (response.status !== 200) return error(`http_${response.status}`, JSON.stringify(answer));
    if (answer.exitCode !== 0) return error("exit_code", answer.output);
    if (record) samples.push(took);
  } catch (e) {
    error("request_failed", e.cause?.message ?? e.message);
  }
}

const streams = new Map();

async function runOnStream(cookie, record) {
  const t0 = performance.now();
  try {
    if (!streams.has(cookie)) streams.set(cookie, await stream(cookie));
    const code = await streams.get(cookie).run(command);
    const took = performance.now() - t0;
    if (code !== 0) return error("exit_code", `exit ${code}`);
    if (record) samples.push(took);
  } catch (e) {
    error("stream_failed", e.message);
  }
}

async function main() {
  log(`${attendees} attendees prepare their workspaces`);
  const cookies = [];
  for (let i = 0; i < attendees; i += 20) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(20, attendees - i) }, async () => {
        const cookie = await session();
        await prepare(cookie);
        await run(cookie, false); // first command: discovery and clients warmed
        return cookie;
      }),
    );
    cookies.push(...batch);
  }
  log(`${rounds} rounds of ${period / 1000} s: "${command}"`);
  const cpu0 = cpuTicks();
  const start = performance.now() + 100;
  await Promise.all(
    cookies.map(async (cookie, i) => {
      for (let round = 0; round < rounds; round++) {
        await sleep(start + round * period + (i * period) / attendees - performance.now());
        await run(cookie, true);
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  const cpu1 = cpuTicks();
  const sorted = [...samples].sort((a, b) => a - b);
  for (const { socket } of streams.values()) socket.close();
  console.log(
    JSON.stringify({
      attendees,
      command,
      via,
      periodSeconds: period / 1000,
      commands: sorted.length,
      p50_ms: round3(percentile(sorted, 50)),
      p99_ms: round3(percentile(sorted, 99)),
      max_ms: round3(sorted.at(-1)),
      server_cpu_pct: cpu0 == null ? null : Math.round(((cpu1 - cpu0) / 100 / elapsed) * 1000) / 10,
      errors: Object.values(errors).reduce((a, b) => a + b, 0),
      errorKinds: errors,
      errorExamples: examples,
    }),
  );
}

main().catch((e) => {
  console.log(JSON.stringify({ attendees, fatal: e.message }));
  process.exit(1);
});
