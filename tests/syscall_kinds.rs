//! The argument kinds of `#[syscall]` beyond integers, pointers, strings
//! and slices (transfers, iovecs, structures, sigsets, command-dependent
//! registers, extensible structures, limited strings, argv arrays, fd
//! sets, deferred writes), through generated raw entries on a heap-backed
//! address space. (The same cases run on the host simulation in
//! `syscall_kinds_sim.rs`; this one also runs under Miri.)

mod common;

use common::kernel::{Kernel, Pages, SpaceKind, kernel_on};

fn kernel_with_pages(pages: usize) -> (Kernel, Pages) {
    kernel_on(SpaceKind::Heap, pages)
}

include!("syscall_args/kinds.rs");
