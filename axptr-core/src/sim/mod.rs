//! Host simulation of a user address space with real page faults (feature
//! `sim`, Linux x86_64).
//!
//! Test your syscall handlers on the host, against the same failure modes a
//! kernel meets: [`SimSpace`] reserves real host memory and maps user areas
//! in it with permissions enforced by the MMU (`mprotect`); lazily mapped or
//! evicted pages are not present until populated; and a process-wide
//! `SIGSEGV`/`SIGBUS` handler plays the kernel's page-fault handler:
//!
//! - with the fault flag set ([`is_accessing_user_memory`]), a fault on a
//!   page its area allows is resolved by populating the page, and the
//!   access is retried;
//! - an unresolvable fault inside axptr's fallible copy routine goes to its
//!   fixup ([`fixup_for`]): the copy returns `EFAULT`;
//! - anything else on simulated user memory is a kernel oops: the handler
//!   prints the address, the access, the pc and the flag, and aborts. So
//!   does a fault taken while the faulting thread holds the space's lock
//!   (the deadlock it would be in a kernel).
//!
//! [`FaultStats`] counts which path each fault took, so a test can assert
//! that the fault handler (not validation) populated a page, or that a copy
//! was rescued by its fixup.
//!
//! The `unsafe` in-place API (`get`, `get_as_slice`, ...) lends user memory
//! in place and relies on validation having made it present: if another
//! thread unmaps it after validation (breaking the caller's promise), the
//! access faults outside the copy routine and the simulated kernel oopses,
//! as a real one would. The fault flag
//! cannot cover such accesses either (the compiler may perform a load
//! through a reference anywhere in its lifetime), so in demand-paging mode
//! or after an [`evict`](SimSpace::evict), plain accesses through lent
//! references oops too; a test that means to fault a lent page back in
//! touches it with a volatile access inside `access_user_memory`. Use the
//! copy API for memory other threads can unmap.
//!
//! ```
//! use axptr_core::{LinuxError, MappingFlags, UserConstPtr, sim::SimSpace};
//!
//! # if cfg!(miri) { return Ok(()); } // host system calls and signals
//! let space = SimSpace::new(16 * 4096)?;
//! let page = space.base();
//! space.map_lazy(page, 4096, MappingFlags::READ)?;
//! space.poke(page, &7u32.to_ne_bytes())?;
//! space.set_demand_paging(true);
//!
//! let mut user = space.provider();
//! let mut value = 0u32;
//! UserConstPtr::<u32>::from(page).read_slice(&mut user, core::slice::from_mut(&mut value))?;
//! assert_eq!(value, 7);
//! assert!(space.is_present(page));
//! // Validation only checked; the fault handler populated during the copy.
//! assert_eq!(space.stats().resolved, 1);
//! assert_eq!(space.stats().populated_by_check, 0);
//! # Ok::<(), LinuxError>(())
//! ```
//!
//! [`is_accessing_user_memory`]: crate::is_accessing_user_memory
//! [`fixup_for`]: crate::fixup_for

#[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
compile_error!(
    "axptr-core's `sim` feature needs a Linux x86_64 host (it catches real page faults \
     with a SIGSEGV handler that reads x86_64 registers); enable it only there, e.g. \
     as a `[target.'cfg(all(target_os = \"linux\", target_arch = \"x86_64\"))'.dev-dependencies]`"
);

mod areas;
mod bitmap;
mod fault;
mod host;
mod lock;
mod provider;
mod registry;
mod space;
mod stats;

use memory_addr::{VirtAddr, VirtAddrRange};

/// User space of a Linux x86_64 process (4-level paging): below
/// `TASK_SIZE_MAX`, the bounds of every simulated space's
/// [`user_range`](crate::AddrSpace::user_range). The reserved host ranges
/// of the spaces lie inside it.
pub const USER_SPACE: VirtAddrRange = VirtAddrRange {
    start: VirtAddr::from_usize(0),
    end: VirtAddr::from_usize(0x7fff_ffff_f000),
};

pub use areas::SimAreas;
pub use provider::SimProvider;
pub use space::SimSpace;
pub use stats::FaultStats;
