//! The cases of `syscall_kinds.rs` on the host simulation: user memory at
//! real addresses, lazy pages faulted in by the simulated page-fault
//! handler while the entries copy, read-only and unmapped pages that
//! really fault. Every kind gives the same result register as on
//! `HeapSpace`.
#![cfg(all(target_os = "linux", target_arch = "x86_64", not(miri)))]

mod common;

use common::kernel::{Kernel, Pages, SpaceKind, kernel_on};

fn kernel_with_pages(pages: usize) -> (Kernel, Pages) {
    kernel_on(SpaceKind::Sim, pages)
}

include!("syscall_args/kinds.rs");
