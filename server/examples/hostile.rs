//! The hostile-input harness (`make bench`, section `hostile-input`): parses one hostile
//! shape of `server::pipeline::hostile` as the pipeline does and prints how long the
//! refusal took and how much memory the parse took at its peak: the process's resident
//! peak is reset (`/proc/self/clear_refs`) once the hostile text is in memory, so the
//! figure is what refusing it cost, not the binary or the input (the HTTP layer stops
//! reading a body at the pipeline's budget anyway). Without an argument, lists the shapes.
//!
//!     hostile "billion laughs"  ->  billion laughs<TAB>micros<TAB>KiB<TAB>baseline KiB<TAB>the refusal

use server::pipeline::hostile::shapes;
use server::pipeline::parse::{Budgets, parse};
use std::time::Instant;

/// A `kB` line of `/proc/self/status` (`VmRSS`, `VmHWM`).
fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn main() {
    let Some(wanted) = std::env::args().nth(1) else {
        for (name, _, _) in shapes() {
            println!("{name}");
        }
        return;
    };
    let Some((name, make, _)) = shapes().into_iter().find(|(name, _, _)| *name == wanted) else {
        eprintln!("no shape named {wanted}");
        std::process::exit(2);
    };
    let text = make();
    // Peak resident memory from here on ("5": reset VmHWM to the current RSS).
    std::fs::write("/proc/self/clear_refs", "5").expect("/proc/self/clear_refs");
    let baseline = status_kib("VmRSS");
    let started = Instant::now();
    let result = parse(&text, &Budgets::default());
    let micros = started.elapsed().as_micros();
    let peak = status_kib("VmHWM").saturating_sub(baseline);
    let said = result
        .err()
        .map_or_else(|| "ACCEPTED".to_string(), |e| e.message);
    println!("{name}\t{micros}\t{peak}\t{baseline}\t{said}");
}
