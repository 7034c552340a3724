#!/usr/bin/env bash
# `make bench-compare BASE=REV`: the server-rendered lesson page and the simulated
# attendees (200 and 500), measured for the release build of REV and of this tree in one
# run, one after the other on the same machine, and recorded side by side (medians, and
# after/before ratios) in BENCHMARKS.md's `before-after` section.
#
# REV is built in a worktree under target/bench-base/ (kept between runs; rebuilt when REV
# changes). Each side's full sections go to target/bench-{before,after}.md.
set -euo pipefail
cd "$(dirname "$0")/.."

base=${1:?usage: scripts/bench-compare.sh REV}
base_sha=$(git rev-parse --short "$base^{commit}")
head_sha=$(git rev-parse --short HEAD)
wt=target/bench-base/src

if [ ! -d "$wt" ] || [ "$(git -C "$wt" rev-parse --short HEAD 2>/dev/null)" != "$base_sha" ]; then
  git worktree remove --force "$wt" 2>/dev/null || rm -rf "$wt"
  git worktree prune
  git worktree add --detach "$wt" "$base_sha"
fi
echo "bench-compare: building $base_sha (release) in $wt"
make -C "$wt" release >target/bench-base.log 2>&1 || { tail -30 target/bench-base.log; exit 1; }
echo "bench-compare: building $head_sha (release)"
make release

export BENCH_ONLY=ssr-lesson-page,attendees
export BENCH_ATTENDEES=${BENCH_ATTENDEES:-200 500}
rm -f target/bench-before.jsonl target/bench-after.jsonl target/bench-before.md target/bench-after.md
BENCH_BIN="$wt/target/release/kubeclass" BENCH_SITE_ROOT="$wt/target/site" \
  BENCH_OUT=target/bench-before.md BENCH_JSON=target/bench-before.jsonl scripts/bench.sh
BENCH_OUT=target/bench-after.md BENCH_JSON=target/bench-after.jsonl scripts/bench.sh

table=$(python3 - "$base_sha" "$head_sha" <<'PY'
import json, sys
base, head = sys.argv[1], sys.argv[2]
def load(side):
    rows = [json.loads(l) for l in open(f"target/bench-{side}.jsonl") if l.strip()]
    ssr = next((r for r in rows if r["section"] == "ssr-lesson-page"), {})
    att = {r["run"]["attendees"]: r["run"] for r in rows if r["section"] == "attendees" and "fatal" not in r["run"]}
    return ssr, att
(bs, ba), (hs, ha) = load("before"), load("after")
def cell(v, unit=""):
    return "–" if v is None else f"{v:g}{unit}"
def ratio(b, a):
    return "–" if not b or a is None else f"{a / b:.2f}"
lines = [f"| figure | before ({base}) | after ({head}) | after / before |", "| --- | --- | --- | --- |"]
def row(name, b, a, unit=""):
    lines.append(f"| {name} | {cell(b, unit)} | {cell(a, unit)} | {ratio(b, a)} |")
row("lesson page at 2,000 req/s: p50", bs.get("p50_ms"), hs.get("p50_ms"), " ms")
row("lesson page at 2,000 req/s: p99", bs.get("p99_ms"), hs.get("p99_ms"), " ms")
row("lesson page capacity (wrk)", bs.get("capacity"), hs.get("capacity"), " req/s")
for n in sorted(set(ba) | set(ha)):
    b, a = ba.get(n, {}), ha.get(n, {})
    row(f"{n} attendees: apply → status p50", b.get("p50_ms"), a.get("p50_ms"), " ms")
    row(f"{n} attendees: apply → status p99", b.get("p99_ms"), a.get("p99_ms"), " ms")
    row(f"{n} attendees: server CPU", b.get("server_cpu_pct"), a.get("server_cpu_pct"), " %")
    row(f"{n} attendees: memory per attendee", b.get("per_attendee_kib"), a.get("per_attendee_kib"), " KiB")
    row(f"{n} attendees: missed rounds", (b.get("missed", 0) + b.get("viaSnapshot", 0)) if b else None, (a.get("missed", 0) + a.get("viaSnapshot", 0)) if a else None)
print("\n".join(lines))
PY
)
echo "$table"
today=$(date -u +%Y-%m-%d)
python3 - "$today" "$base_sha" "$head_sha" "$table" <<'PY'
import re, sys
today, base, head, table = sys.argv[1:]
body = f"""## Before and after

Command: `make bench-compare BASE={base}` (`scripts/bench-compare.sh`): the release builds of {base} and {head}, measured one after the other in one run on the 2-core machine ({today}): the lesson page (`oha` at a fixed 2,000 requests/s, `wrk` flat out; medians of 3 runs) and the simulated attendees at 200 and 500 (the `attendees` section's method). Each side's full sections: `target/bench-before.md`, `target/bench-after.md`.

{table}"""
section = f"<!-- before-after:start -->\n{body}\n<!-- before-after:end -->"
text = open("BENCHMARKS.md").read()
pattern = re.compile(r"<!-- before-after:start -->.*?<!-- before-after:end -->", re.S)
text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section + "\n"
open("BENCHMARKS.md", "w").write(text)
PY
