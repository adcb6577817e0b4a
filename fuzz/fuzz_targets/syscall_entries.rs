//! Generated `#[syscall]` entries fed arbitrary syscall numbers and
//! registers: handlers of every argument kind in a `syscall_table!`, on an
//! arbitrary address space, dispatched with and without a tracer. Each
//! call is checked against the reference model (result register, what the
//! body saw, user memory, the trace), must leave the fault flag clear, and
//! must not allocate more than its valid arguments need. Any disagreement,
//! panic, hang or oversized allocation is a finding.
//!
//! The handlers and the checks are the test suite's own
//! (`tests/common/entries.rs`, also run by `tests/syscall_entries.rs`).
#![no_main]

#[path = "../../tests/common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

// Every call's allocations are measured.
#[global_allocator]
static ALLOC: common::alloc_probe::Probe = common::alloc_probe::Probe;

fuzz_target!(|case: common::entries::Case| {
    if let Err(finding) = common::entries::run(&case) {
        panic!("a syscall entry misbehaved: {finding}");
    }
});
