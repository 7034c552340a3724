//! The hostile-input harness (`make bench`, section `hostile-input`): parses one hostile
//! shape of `server::pipeline::hostile` as the pipeline does and prints how long the
//! refusal took; run under `/usr/bin/time -v` for the peak memory. Without an argument,
//! lists the shapes.
//!
//!     hostile "billion laughs"  ->  billion laughs<TAB>micros<TAB>the refusal

use server::pipeline::hostile::shapes;
use server::pipeline::parse::{Budgets, parse};
use std::time::Instant;

fn main() {
    let wanted = std::env::args().nth(1);
    for (name, text, _) in shapes() {
        match &wanted {
            None => println!("{name}"),
            Some(w) if w == name => {
                let started = Instant::now();
                let result = parse(&text, &Budgets::default());
                let micros = started.elapsed().as_micros();
                let said = result
                    .err()
                    .map_or_else(|| "ACCEPTED".to_string(), |e| e.message);
                println!("{name}\t{micros}\t{said}");
            }
            Some(_) => {}
        }
    }
}
