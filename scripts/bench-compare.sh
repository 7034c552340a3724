#!/usr/bin/env bash
# `make bench-compare BASE=REV [AFTER=REV2]`: the server-rendered lesson page and the
# simulated attendees (200 and 500), measured for the release build of REV and of this tree
# (or of REV2) in one run, their runs interleaved on the same machine, and recorded side by
# side (medians, and after/before ratios) in BENCHMARKS.md: the `before-after` section, or
# with AFTER a section of that pair's own (to measure one change alone).
#
# REV is built from a worktree under target/bench-base/, REV2 from one under
# target/bench-after/ (kept between runs; rebuilt when the revision changes). Each side's full sections go to
# target/bench-{before,after}.md.
set -euo pipefail
cd "$(dirname "$0")/.."

base=${1:?usage: scripts/bench-compare.sh REV [REV2]}
after=${2:-}
base_sha=$(git rev-parse --short "$base^{commit}")

# A release build of `sha` in the worktree `wt` (made or moved there first).
build_in() {
  local wt=$1 sha=$2 log=$3
  if [ ! -d "$wt" ] || [ "$(git -C "$wt" rev-parse --short HEAD 2>/dev/null)" != "$sha" ]; then
    git worktree remove --force "$wt" 2>/dev/null || rm -rf "$wt"
    git worktree prune
    git worktree add --detach "$wt" "$sha"
  fi
  echo "bench-compare: building $sha (release) in $wt"
  # In this tree's target directory, so that the dependencies built for it are reused (a
  # cold release build takes most of an hour on two cores); the binary is then moved
  # aside into the worktree, and this tree's own is rebuilt after.
  CARGO_TARGET_DIR="$PWD/target" make -C "$wt" release >"$log" 2>&1 || { tail -30 "$log"; exit 1; }
  mkdir -p "$wt/target/release"
  mv target/release/kubeclass "$wt/target/release/kubeclass"
}

wt=target/bench-base/src
build_in "$wt" "$base_sha" target/bench-base.log
if [ -n "$after" ]; then
  head_sha=$(git rev-parse --short "$after^{commit}")
  after_wt=target/bench-after/src
  build_in "$after_wt" "$head_sha" target/bench-after.log
  after_bin="$after_wt/target/release/kubeclass" after_site="$after_wt/target/site"
  section="before-after-$base_sha-$head_sha"
else
  head_sha=$(git rev-parse --short HEAD)
  echo "bench-compare: building $head_sha (release)"
  make release
  after_bin=target/release/kubeclass after_site=target/site
  section=before-after
fi

rm -f target/bench-before.jsonl target/bench-after.jsonl target/bench-before.md target/bench-after.md
# One measurement of `section` (with `more` settings) for each side, before then after.
both() {
  local section=$1
  shift
  env "$@" BENCH_ONLY="$section" BENCH_BIN="$wt/target/release/kubeclass" BENCH_SITE_ROOT="$wt/target/site" \
    BENCH_OUT=target/bench-before.md BENCH_JSON=target/bench-before.jsonl scripts/bench.sh
  env "$@" BENCH_ONLY="$section" BENCH_BIN="$after_bin" BENCH_SITE_ROOT="$after_site" \
    BENCH_OUT=target/bench-after.md BENCH_JSON=target/bench-after.jsonl scripts/bench.sh
}
# Interleaved, so that the machine's drift over the run (two cores shared with the load
# tools: the same build's page capacity moves by 10-20 % between runs minutes apart)
# falls on both sides alike: the page one run at a time, three times; the attendees one
# count at a time.
for _ in 1 2 3; do both ssr-lesson-page BENCH_RUNS=1; done
for n in ${BENCH_ATTENDEES:-200 500}; do both attendees BENCH_ATTENDEES="$n"; done

table=$(python3 - "$base_sha" "$head_sha" <<'PY'
import json, sys
base, head = sys.argv[1], sys.argv[2]
def load(side):
    rows = [json.loads(l) for l in open(f"target/bench-{side}.jsonl") if l.strip()]
    runs = [r for r in rows if r["section"] == "ssr-lesson-page"]
    # The median of the interleaved page runs, figure by figure.
    ssr = {k: sorted(r[k] for r in runs)[len(runs) // 2] for k in ("p50_ms", "p99_ms", "capacity")} if runs else {}
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
python3 - "$today" "$base_sha" "$head_sha" "$table" "$section" "$after" <<'PY'
import re, sys
today, base, head, table, section_id, after = sys.argv[1:]
title = "Before and after" if not after else f"Before and after: {base} → {head} alone"
command = f"make bench-compare BASE={base}" + (f" AFTER={head}" if after else "")
body = f"""## {title}

Command: `{command}` (`scripts/bench-compare.sh`): the release builds of {base} and {head}, measured in one run on the 2-core machine ({today}), their runs interleaved (before, after, before, after…) so that the machine's drift falls on both alike: the lesson page (`oha` at a fixed 2,000 requests/s, `wrk` flat out; medians of 3 runs each) and the simulated attendees at 200 and 500 (the `attendees` section's method). Each side's full sections: `target/bench-before.md`, `target/bench-after.md`.

{table}"""
section = f"<!-- {section_id}:start -->\n{body}\n<!-- {section_id}:end -->"
text = open("BENCHMARKS.md").read()
pattern = re.compile(rf"<!-- {re.escape(section_id)}:start -->.*?<!-- {re.escape(section_id)}:end -->", re.S)
text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section + "\n"
open("BENCHMARKS.md", "w").write(text)
PY
