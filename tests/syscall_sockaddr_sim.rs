//! The cases of `syscall_sockaddr.rs` on the host simulation: user memory
//! at real addresses, a lazy page faulted in by the simulated page-fault
//! handler while the entry reads `*addrlen` after the body, read-only and
//! unmapped pages that really fault.
#![cfg(all(target_os = "linux", target_arch = "x86_64", not(miri)))]

mod common;

use common::kernel::{Kernel, Pages, SpaceKind, kernel_on};

fn kernel_with_pages(pages: usize) -> (Kernel, Pages) {
    kernel_on(SpaceKind::Sim, pages)
}

include!("syscall_args/sockaddr.rs");
