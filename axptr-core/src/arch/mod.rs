//! Architecture-specific parts: the user-access permission switch and the
//! fallible copy routine with its fixup table.
//!
//! The items every build has:
//! - `UserAccessState`, `enable_user_access()`, `restore_user_access()`:
//!   open and close the kernel's access to user pages (riscv64 `SUM`);
//! - `copy_raw(dst, src, len) -> usize`: a copy that may fault on either
//!   side and returns the number of bytes *not* copied;
//! - `fault_ranges() -> [FaultRange; N]`: where the faulting instructions of
//!   `copy_raw` are and where each continues, looked up by [`fixup_for`].
//!
//! The fallible routines (`x86_64.rs`, `riscv64.rs`, `aarch64.rs`, one per
//! architecture, with the same symbols; `routine.rs` is their Rust side) are
//! written in `global_asm!`, so that every instruction that may touch user
//! memory lies between two labels of the routine itself: the fixup table is
//! built from those labels at run time and needs no linker-script section
//! from the kernel (a library cannot impose one on its users' binaries).
//! The labels' symbol names carry the crate version, so two semver-
//! incompatible copies of axptr-core can be linked into one kernel.
//! Other architectures, non-ELF hosts and Miri (which cannot run assembly)
//! use the portable `generic.rs`, which has no fixup.

#[cfg(all(target_arch = "riscv64", target_os = "none"))]
mod riscv64_sum;
#[cfg(all(target_arch = "riscv64", target_os = "none"))]
pub(crate) use riscv64_sum::{UserAccessState, enable_user_access, restore_user_access};

#[cfg(not(all(target_arch = "riscv64", target_os = "none")))]
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
#[cfg(not(all(target_arch = "riscv64", target_os = "none")))]
pub(crate) use no_switch::{UserAccessState, enable_user_access, restore_user_access};

/// The name of a symbol defined by this crate's assembly, unique per crate
/// version. (Unused on builds without an assembly routine.)
#[allow(unused_macros)]
macro_rules! asm_symbol {
    ($name:literal) => {
        concat!(
            "__axptr_core_",
            env!("CARGO_PKG_VERSION_MAJOR"),
            "_",
            env!("CARGO_PKG_VERSION_MINOR"),
            "_",
            env!("CARGO_PKG_VERSION_PATCH"),
            "_",
            $name
        )
    };
}

#[macro_use]
mod directives;

/// Instructions in `[start, end)` of the copy routine may fault on user
/// memory; a fault there that the kernel cannot resolve continues at
/// `fixup`, which returns the number of bytes not copied.
#[derive(Clone, Copy, Debug)]
#[allow(dead_code)] // never built by `generic.rs`
pub(crate) struct FaultRange {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) fixup: usize,
}

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

pub(crate) use imp::copy_raw;

/// Returns where execution continues when the instruction at `pc` faults
/// inside axptr's fallible copy routine, or `None` if `pc` is not one of
/// its faulting instructions.
///
/// A kernel's trap handler calls this for a kernel-mode page fault it
/// cannot resolve (the page is not mapped, or not with the needed
/// permission): on `Some(fixup)` it sets the saved pc to `fixup` and returns
/// from the trap; the copy then returns the number of bytes it did not copy
/// and axptr reports `EFAULT`. All other registers must be left as they were
/// at the fault. `None` means the fault is not axptr's to recover: a kernel
/// bug (oops).
///
/// Builds without an assembly routine (other architectures, Miri) always
/// return `None`.
#[inline]
#[must_use]
pub fn fixup_for(pc: usize) -> Option<usize> {
    imp::fault_ranges()
        .into_iter()
        .find(|range| (range.start..range.end).contains(&pc))
        .map(|range| range.fixup)
}

#[cfg(test)]
mod tests {
    use alloc::vec::Vec;

    use super::copy_raw;

    #[test]
    fn copies_every_length_at_every_alignment() {
        let src: Vec<u8> = (0..400u32).map(|i| (i * 7 + 3) as u8).collect();
        // Miri interprets every byte: fewer cases there.
        let (lengths, offsets) = if cfg!(miri) {
            (0..17, 0..3)
        } else {
            (0..300, 0..9)
        };
        for len in lengths {
            for src_off in offsets.clone() {
                for dst_off in offsets.clone() {
                    let mut dst = [0u8; 320];
                    // SAFETY: both ranges lie inside their own arrays.
                    let left = unsafe {
                        copy_raw(
                            dst.as_mut_ptr().add(dst_off),
                            src.as_ptr().add(src_off),
                            len,
                        )
                    };
                    assert_eq!(left, 0);
                    assert_eq!(&dst[dst_off..dst_off + len], &src[src_off..src_off + len]);
                    assert!(dst[..dst_off].iter().all(|&b| b == 0), "nothing before");
                    assert!(
                        dst[dst_off + len..].iter().all(|&b| b == 0),
                        "nothing after"
                    );
                }
            }
        }
    }

    #[test]
    fn fixup_lookup_misses_outside_the_routine() {
        assert_eq!(super::fixup_for(0), None);
        assert_eq!(super::fixup_for(usize::MAX), None);
    }
}
