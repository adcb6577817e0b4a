//! The kernel's page-fault policy, the same on every architecture.
//!
//! A page fault taken in the kernel on a user address is expected only
//! while axptr accesses user memory ([`axptr::is_accessing_user_memory`]).
//! Then a lazy page is populated (or the fault was spurious) and the access
//! is retried; a fault that cannot be resolved inside axptr's fallible copy
//! continues at its fixup address, and the copy returns `EFAULT`. Any other
//! kernel fault is a bug: the architecture's trap handler oopses.
//!
//! The handler runs on several CPUs at once: each takes the address space
//! lock to resolve its fault, and it never holds the lock while user memory
//! is touched (axptr does not either), so they cannot deadlock.

use core::sync::atomic::Ordering;

use axptr::MappingFlags;

use crate::{
    aspace::{self, Resolution},
    cpu,
};

/// Spurious faults in a row after which a kernel fault is an oops.
const MAX_SPURIOUS_STREAK: usize = 1000;

/// Where a kernel fault continues.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Retry the faulting instruction.
    Retry,
    /// Continue at this address: axptr's fixup.
    Fixup(usize),
    /// Not a fault the kernel expects: a kernel bug.
    Oops,
}

/// Decides what to do about a kernel-mode page fault at `addr` by the
/// instruction at `pc`, for an access needing `access`.
pub fn kernel_page_fault(pc: usize, addr: usize, access: MappingFlags) -> Outcome {
    if !aspace::is_user_address(addr) || !axptr::is_accessing_user_memory() {
        return Outcome::Oops;
    }
    let resolution = aspace::with_user_space(|space| space.resolve_fault(addr, access));
    if resolution != Resolution::Spurious {
        cpu::this().spurious_streak.store(0, Ordering::Relaxed);
    }
    match resolution {
        Resolution::Populated => {
            cpu::count(|s| &s.lazy);
            Outcome::Retry
        }
        Resolution::Spurious => {
            // A stale TLB entry goes away with one local flush; a fault that
            // keeps coming back on a good mapping is a kernel bug (user
            // access disabled), not something to retry forever.
            let streak = &cpu::this().spurious_streak;
            if streak.fetch_add(1, Ordering::Relaxed) >= MAX_SPURIOUS_STREAK {
                return Outcome::Oops;
            }
            Outcome::Retry
        }
        Resolution::Denied => match axptr::fixup_for(pc) {
            Some(fixup) => {
                cpu::count(|s| &s.fixups);
                Outcome::Fixup(fixup)
            }
            None => Outcome::Oops,
        },
    }
}

/// Resolves a page fault of user code at `addr` (demand paging of its
/// stack and lazy areas); returns whether the access can be retried.
pub fn user_page_fault(addr: usize, access: MappingFlags) -> bool {
    if !aspace::is_user_address(addr) {
        return false;
    }
    match aspace::with_user_space(|space| space.resolve_fault(addr, access)) {
        Resolution::Populated => {
            cpu::count(|s| &s.user_faults);
            true
        }
        Resolution::Spurious => true,
        Resolution::Denied => false,
    }
}
