//! Every argument kind of `#[syscall]` and every hostile input, through the
//! generated raw entries on a heap-backed address space: the exact result
//! register, and whether the handler body ran. (The same cases run on the
//! host simulation in `syscall_args_sim.rs`; this one also runs under
//! Miri.)

mod common;

use common::kernel::{SpaceKind, kernel_on};

fn kernel() -> (Kernel, Pages) {
    kernel_on(SpaceKind::Heap, 9)
}

fn kernel_with_pages(pages: usize) -> (Kernel, Pages) {
    kernel_on(SpaceKind::Heap, pages)
}

include!("syscall_args/cases.rs");
