//! The architecture-specific half of the kernel.
//!
//! One directory per architecture, each with the same items:
//!
//! - `NAME`, `ELF_MACHINE`; `RAM_START`, `RAM_END` (the RAM the kernel
//!   identity-maps and allocates from) and `DEVICES` (MMIO pages it maps);
//! - boot: the entry points that set up each CPU's stack and call
//!   [`crate::boot_main`] / [`crate::secondary_main`]; `init_cpu()` (trap
//!   vector and CPU state), `start_secondary_cpus(dtb) -> usize` (how many
//!   CPUs are online after); `command_line()` (the kernel command line
//!   where the boot protocol passes one outside a device tree, else
//!   `None`);
//! - paging: `PageTable`, `unsafe fn activate(&PageTable)`,
//!   `flush_tlb_local(vaddr)`, `shoot_down_tlb(start, len)` (every CPU,
//!   synchronously), `serve_flush_request()` (a CPU waiting on a lock
//!   serves a shootdown asked of it), `sync_icache(addr, len)`;
//! - idle: `clear_wakeup()`, `wait_for_event()`, `wake_all()`;
//! - `console_write(&[u8])`, `shutdown(success) -> !`;
//! - traps: `UserContext` (`new`, `run -> UserTrap`, `syscall_nr`,
//!   `syscall_args`, `set_syscall_ret`, `set_sp`, `pc`, `Clone`), and a
//!   kernel trap handler whose page faults go to [`crate::fault`].

#[cfg(target_arch = "aarch64")]
#[path = "aarch64/mod.rs"]
mod imp;
#[cfg(target_arch = "riscv64")]
#[path = "riscv64/mod.rs"]
mod imp;
#[cfg(target_arch = "x86_64")]
#[path = "x86_64/mod.rs"]
mod imp;

pub use imp::*;

use axptr::MappingFlags;

/// Why user code trapped to the kernel, in the architecture's terms
/// decoded.
#[derive(Clone, Copy, Debug)]
pub enum UserTrap {
    /// A syscall; the saved pc is already past the syscall instruction.
    Syscall,
    /// A page fault at `addr` for an access needing `access`.
    PageFault {
        /// The faulting address.
        addr: usize,
        /// `READ`, `WRITE` or `EXECUTE`.
        access: MappingFlags,
    },
    /// An interrupt (a wake-up IPI).
    #[cfg_attr(
        target_arch = "x86_64",
        expect(dead_code, reason = "x86_64 runs on one CPU with interrupts off")
    )]
    Interrupt,
    /// Anything else (the raw cause and the faulting address).
    Other {
        /// `scause` / `ESR_EL1` / the x86_64 vector.
        cause: usize,
        /// `stval` / `FAR_EL1` / `CR2`.
        addr: usize,
    },
}
