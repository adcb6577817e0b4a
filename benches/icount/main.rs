//! Instruction counts of the small-operation bars: deterministic where
//! timings of 20–30 ns are not (`scripts/icount.sh` builds and runs this;
//! see `docs/benchmarks.md`).
//!
//! Each operation ([`ops`]) runs in a loop inside [`icount_drive`] under
//! callgrind, which counts only inside that function. A run measures the
//! loop at two lengths, so the per-operation count is the difference over
//! the difference in iterations: set-up, warm-up and the loop's entry
//! cancel out, and what is left is exact to the instruction. The count of
//! an empty operation (the call through a function pointer, the
//! `black_box`es) is subtracted from every other. [`measure`] spawns the
//! runs, prints the table of ratios against the bars, and fails when a
//! bar is missed (unless asked to report only).
//!
//! Modes (the first argument):
//! - `report [--report-only] [--jobs N] [--only SUBSTRING]`: the table;
//! - `annotate OP [callgrind_annotate options]`: callgrind's per-function
//!   (and, in a build with line tables, per-line) breakdown of one
//!   operation;
//! - `measure OP N...`: what runs under valgrind (one loop per `N`);
//! - `list`: the operations;
//! - `counts FILE...`: both counts of callgrind files (to debug);
//! - anything else (`cargo test --benches`): runs every operation once
//!   and checks its result.
//!
//! Run by `cargo bench` (which passes `--bench`), it reports only, and
//! only if valgrind is installed.

#[path = "../common/mod.rs"]
mod common;

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod callgrind;
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod measure;
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod ops;

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn main() {
    std::process::exit(measure::main(std::env::args().skip(1).collect()));
}

#[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
fn main() {
    eprintln!(
        "the instruction counts run on axptr's `sim` address space and valgrind: Linux x86_64 only"
    );
}
