// What the benches read of the server's process on Linux, and how they sum up samples.
import { readFileSync } from "node:fs";

/// The process's resident memory (VmRSS), in KiB; `null` without a pid.
export const rssKib = (pid) => (pid ? Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]) : null);

/// The process's utime + stime, in clock ticks (100 per second on Linux); `null` without
/// a pid.
export const cpuTicks = (pid) => {
  if (!pid) return null;
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return Number(fields[11]) + Number(fields[12]);
};

/// The nearest-rank `p`th percentile of ascending `sorted`.
export const percentile = (sorted, p) => (sorted.length ? sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] : null);
