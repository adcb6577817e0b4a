//! Buffers whose capacity is in user memory (`socklen_t *addrlen`:
//! `SockAddrOut`, `SockOptOut`, `SockLenPtr`) through generated raw
//! entries on a heap-backed address space, rule by rule. (The same cases
//! run on the host simulation in `syscall_sockaddr_sim.rs`; this one also
//! runs under Miri.)

mod common;

use common::kernel::{Kernel, Pages, SpaceKind, kernel_on};

fn kernel_with_pages(pages: usize) -> (Kernel, Pages) {
    kernel_on(SpaceKind::Heap, pages)
}

include!("syscall_args/sockaddr.rs");
