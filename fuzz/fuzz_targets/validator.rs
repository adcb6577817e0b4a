//! The validator against the reference model: an arbitrary address space
//! (areas with permissions, lazy pages, holes) and arbitrary requests
//! through every API (copies, cursors, strings with their limits, the
//! argv reader, extensible structs, `clear_user`, `check_zeroed_user`),
//! each compared with the model's `Ok`/errno, data and population. Any
//! disagreement, panic or hang is a finding.
//!
//! The model and the harness are the property tests' own
//! (`tests/common/`), compiled in here.
#![no_main]

#[path = "../../tests/common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|case: common::harness::Case| {
    if let Err(disagreement) = common::harness::run(&case) {
        panic!("the implementation disagrees with the model: {disagreement}");
    }
});
