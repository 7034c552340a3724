#!/usr/bin/env bash
# `make bench`: measures the server-rendered lesson page on the release build with wrk
# (50 connections, 2 threads, 3 runs of 15 s after a warm-up) and records the medians in
# BENCHMARKS.md between the ssr-lesson-page markers. Targets: >= 2,000 requests/s and
# p99 <= 10 ms on the 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."

url_path=${BENCH_PATH:-/learn/fundamentals/deployments}
runs=${BENCH_RUNS:-3}
duration=${BENCH_DURATION:-15s}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
RUST_LOG=warn KUBECLASS_ADDR="127.0.0.1:$port" target/release/kubeclass >target/bench-server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
url="http://127.0.0.1:$port$url_path"
bytes=$(curl -fs "$url" | wc -c)

wrk -t2 -c50 -d5s "$url" >/dev/null # warm-up
rps=(); p50=(); p99=()
for i in $(seq 1 "$runs"); do
  out=$(wrk -t2 -c50 -d"$duration" --latency "$url")
  echo "$out" | sed 's/^/  /'
  rps+=("$(echo "$out" | awk '/Requests\/sec/ {print $2}')")
  # wrk prints latencies with units (us, ms, s); normalise to milliseconds.
  to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) printf "%.3f", v/1000; else if (v ~ /ms$/) printf "%.3f", v+0; else printf "%.3f", v*1000 }'; }
  p50+=("$(to_ms "$(echo "$out" | awk '$1=="50%" {print $2}')")")
  p99+=("$(to_ms "$(echo "$out" | awk '$1=="99%" {print $2}')")")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
m_rps=$(median "${rps[@]}"); m_p50=$(median "${p50[@]}"); m_p99=$(median "${p99[@]}")
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$server/status")
verdict() { awk -v a="$m_rps" -v b="$m_p99" 'BEGIN { print (a >= 2000 && b <= 10) ? "meets" : "misses" }'; }

section=$(cat <<MD
<!-- ssr-lesson-page:start -->
## Server-rendered lesson page

Command: \`make bench\` (release build; \`wrk -t2 -c50 -d$duration --latency $url_path\`, $runs runs after a 5 s warm-up; the medians of the runs). Measured $(date -u +%Y-%m-%d) on this 2-core machine, wrk sharing the cores with the server.

| page | size | requests/s (median) | p50 | p99 | server RSS after | target |
| --- | --- | --- | --- | --- | --- | --- |
| \`$url_path\` | $bytes B | $m_rps | $m_p50 ms | $m_p99 ms | $((rss_kb / 1024)) MiB | ≥ 2,000 req/s, p99 ≤ 10 ms: $(verdict) |

Runs: requests/s ${rps[*]}; p99 ms ${p99[*]}.
<!-- ssr-lesson-page:end -->
MD
)
[ -f BENCHMARKS.md ] || printf '# Benchmarks\n\nFigures measured on the project machine (2 cores, 24 GiB). Each section says the command that produced it; `make bench` rewrites the sections it owns.\n\n' > BENCHMARKS.md
python3 - "$section" <<'PY'
import re, sys
section = sys.argv[1]
text = open("BENCHMARKS.md").read()
pattern = re.compile(r"<!-- ssr-lesson-page:start -->.*?<!-- ssr-lesson-page:end -->", re.S)
text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section + "\n"
open("BENCHMARKS.md", "w").write(text)
PY
echo "median: $m_rps requests/s, p50 $m_p50 ms, p99 $m_p99 ms ($(verdict) the target)"
