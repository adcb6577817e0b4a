//! Architecture-specific parts: the user-access permission switch and the
//! fallible routines with their fixup table.
//!
//! The items every build has:
//! - `UserAccessState`, `enable_user_access()`, `restore_user_access()`:
//!   open and close the kernel's access to user pages around each access
//!   window (riscv64 `sstatus.SUM` always; x86_64 SMAP and aarch64 PAN on
//!   kernels that call [`enable_user_access_protection`]);
//! - `copy_raw(dst, src, len) -> usize`: a copy that may fault on either
//!   side and returns the number of bytes *not* copied;
//! - `copy_until_nul(dst, src, len) -> usize` and
//!   `copy_until_zero_u64(dst, src, elems) -> usize`: copies from user
//!   memory that stop right after the terminator and return how much they
//!   copied (C strings; argv/envp-style pointer arrays);
//! - `clear_raw(dst, len) -> usize`: zeroes user memory, returns the number
//!   of bytes *not* cleared;
//! - `user_atomic_u32(addr, op) -> Result<u32, UserFault>`: the atomic
//!   operations of futexes and robust lists on a user word
//!   ([`UserAtomicOp`], sequentially consistent);
//! - `fault_ranges() -> [FaultRange; N]`: where the faulting instructions of
//!   those routines are and where each continues, looked up by
//!   [`fixup_for`].
//!
//! The fallible routines (`x86_64.rs`, `riscv64.rs`, `aarch64.rs`, one per
//! architecture, with the same symbols; `routine.rs` is their Rust side) are
//! written in `global_asm!`, so that every instruction that may touch user
//! memory lies between two labels of its routine group: the fixup table is
//! built from those labels at run time and needs no linker-script section
//! from the kernel (a library cannot impose one on its users' binaries).
//! Each group keeps a register invariant that makes its fixup a couple of
//! instructions (see the architecture files).
//! The labels' symbol names carry the crate version, so two semver-
//! incompatible copies of axptr-core can be linked into one kernel.
//! Other architectures, non-ELF hosts and Miri (which cannot run assembly)
//! use the portable `generic.rs`, which has no fixup.
//!
//! # Supervisor access protection (SMAP, PAN)
//!
//! Kernels that run with x86_64 SMAP or aarch64 PAN call
//! [`enable_user_access_protection`] (re-exported at the crate root) once
//! at boot; each access window then opens and closes user access
//! (`x86_64_smap.rs`, `aarch64_pan.rs`), restoring the state it found so
//! windows nest. Until then the switch costs one load of a flag per
//! window. riscv64 always toggles `sstatus.SUM` (`riscv64_sum.rs`).

#[cfg(all(target_arch = "riscv64", target_os = "none"))]
mod riscv64_sum;
#[cfg(all(target_arch = "riscv64", target_os = "none"))]
pub(crate) use riscv64_sum::{UserAccessState, enable_user_access, restore_user_access};

#[cfg(all(target_arch = "x86_64", target_os = "none"))]
mod x86_64_smap;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub(crate) use x86_64_smap::{UserAccessState, enable_user_access, restore_user_access};

#[cfg(all(target_arch = "aarch64", target_os = "none"))]
mod aarch64_pan;
#[cfg(all(target_arch = "aarch64", target_os = "none"))]
pub(crate) use aarch64_pan::{UserAccessState, enable_user_access, restore_user_access};

#[cfg(not(all(
    any(
        target_arch = "riscv64",
        target_arch = "x86_64",
        target_arch = "aarch64"
    ),
    target_os = "none"
)))]
mod no_switch {
    /// Nothing to save: user pages are always accessible to the kernel.
    #[derive(Clone, Copy)]
    pub(crate) struct UserAccessState;

    #[inline(always)]
    pub(crate) fn enable_user_access() -> UserAccessState {
        UserAccessState
    }

    #[inline(always)]
    pub(crate) fn restore_user_access(_state: UserAccessState) {}
}
#[cfg(not(all(
    any(
        target_arch = "riscv64",
        target_arch = "x86_64",
        target_arch = "aarch64"
    ),
    target_os = "none"
)))]
pub(crate) use no_switch::{UserAccessState, enable_user_access, restore_user_access};

/// Whether the kernel enabled user-access protection (SMAP / PAN).
#[cfg(all(
    any(target_arch = "x86_64", target_arch = "aarch64"),
    target_os = "none"
))]
static USER_ACCESS_PROTECTION: core::sync::atomic::AtomicBool =
    core::sync::atomic::AtomicBool::new(false);

/// Whether each access window must open and close user access (one
/// well-predicted load).
#[cfg(all(
    any(target_arch = "x86_64", target_arch = "aarch64"),
    target_os = "none"
))]
#[inline(always)]
fn user_access_protection() -> bool {
    USER_ACCESS_PROTECTION.load(core::sync::atomic::Ordering::Relaxed)
}

/// Tells axptr that the kernel runs with supervisor access protection on:
/// x86_64 SMAP (`CR4.SMAP`) or aarch64 PAN (`PSTATE.PAN`), under which the
/// kernel faults whenever it touches user pages outside an explicit window.
///
/// From then on, axptr opens that window around exactly its own accesses
/// (the span of an access guard, in which the fault flag is set): `stac` /
/// `msr pan, #0` when the window opens, and `clac` / `msr pan, #1` when it
/// closes, unless user access was already open when it opened (windows
/// nest). Until then (and always on host builds) this costs one load of a
/// flag per window. It does nothing on riscv64, where every S-mode CPU has
/// `sstatus.SUM` and axptr always sets it for the window and restores it.
///
/// Call it once at boot, on the boot CPU, before any user access and
/// before the other CPUs start (they see the switch through the start-up
/// synchronization). The kernel itself turns the protection on: `CR4.SMAP`,
/// and an exception entry that clears `EFLAGS.AC` (Linux's `ASM_CLAC`;
/// `iret` restores it); or PAN set, with `SCTLR_EL1.SPAN` clear so that
/// exceptions set it (`eret` restores it).
///
/// References lent by the reference API (`get` and its family) are used
/// after the window closes: with protection on, the kernel must open user
/// access itself around their use. The scoped `with` family and the copies
/// need nothing.
///
/// ```no_run
/// # fn cpu_has_smap_or_pan() -> bool { false }
/// if cpu_has_smap_or_pan() {
///     // SAFETY: every CPU of this machine has SMAP (x86_64) or FEAT_PAN
///     // (aarch64), and no access window is open yet.
///     unsafe { axptr_core::enable_user_access_protection() };
/// }
/// ```
///
/// # Safety
///
/// Every CPU that runs the kernel has the feature: x86_64 SMAP
/// (`CPUID.(EAX=7,ECX=0):EBX[20]`; `stac`/`clac` without it raise `#UD`),
/// aarch64 FEAT_PAN (`ID_AA64MMFR1_EL1.PAN` non-zero; the `PAN` register is
/// undefined without it). No access window is open on any CPU when it is
/// called.
#[inline]
pub unsafe fn enable_user_access_protection() {
    #[cfg(all(
        any(target_arch = "x86_64", target_arch = "aarch64"),
        target_os = "none"
    ))]
    USER_ACCESS_PROTECTION.store(true, core::sync::atomic::Ordering::Relaxed);
}

/// The name of a symbol defined by this crate's assembly, unique per crate
/// version. (Unused on builds without an assembly routine.)
#[allow(unused_macros)]
macro_rules! asm_symbol {
    ($($part:expr),+) => {
        concat!(
            "__axptr_core_",
            env!("CARGO_PKG_VERSION_MAJOR"),
            "_",
            env!("CARGO_PKG_VERSION_MINOR"),
            "_",
            env!("CARGO_PKG_VERSION_PATCH"),
            "_",
            $($part),+
        )
    };
}

#[macro_use]
mod directives;

mod interface;
pub(crate) use interface::{FaultRange, UserAtomicOp, UserFault};

// The assembly routine of this architecture, where there is one.
#[cfg(all(
    target_arch = "x86_64",
    not(miri),
    any(target_os = "none", target_os = "linux", target_os = "android")
))]
mod x86_64;

#[cfg(all(
    target_arch = "riscv64",
    not(miri),
    any(target_os = "none", target_os = "linux", target_os = "android")
))]
mod riscv64;

#[cfg(all(
    target_arch = "aarch64",
    not(miri),
    any(target_os = "none", target_os = "linux", target_os = "android")
))]
mod aarch64;

#[cfg(all(
    any(
        target_arch = "x86_64",
        target_arch = "riscv64",
        target_arch = "aarch64"
    ),
    not(miri),
    any(target_os = "none", target_os = "linux", target_os = "android")
))]
#[path = "routine.rs"]
mod imp;

#[cfg(not(all(
    any(
        target_arch = "x86_64",
        target_arch = "riscv64",
        target_arch = "aarch64"
    ),
    not(miri),
    any(target_os = "none", target_os = "linux", target_os = "android")
)))]
#[path = "generic.rs"]
mod imp;

pub(crate) use imp::{clear_raw, copy_raw, copy_until_nul, copy_until_zero_u64, user_atomic_u32};

/// Returns where execution continues when the instruction at `pc` faults
/// inside one of axptr's fallible routines (copies, clears, atomics), or
/// `None` if `pc` is not one of their faulting instructions.
///
/// A kernel's trap handler calls this for a kernel-mode page fault it
/// cannot resolve (the page is not mapped, or not with the needed
/// permission): on `Some(fixup)` it sets the saved pc to `fixup` and returns
/// from the trap; the routine then returns what it reports for a fault
/// (for a copy, the number of bytes it did not copy) and axptr reports
/// `EFAULT` or the partial progress. All other registers must be left as
/// they were at the fault. `None` means the fault is not axptr's to recover: a kernel
/// bug (oops).
///
/// The table is a handful of ranges built from the routines' labels: no
/// linker-script section is needed. Builds without assembly routines
/// (other architectures, Miri) always return `None`.
#[inline]
#[must_use]
pub fn fixup_for(pc: usize) -> Option<usize> {
    imp::fault_ranges()
        .find(|range| (range.start..range.end).contains(&pc))
        .map(|range| range.fixup)
}

#[cfg(test)]
mod tests;

#[cfg(all(test, feature = "sim"))]
mod fault_tests;
