//! Architecture-specific parts: the user-access permission switch and the
//! fallible copy routine with its fixup table.
//!
//! Every architecture module provides the same items:
//! - `UserAccessState`, `enable_user_access()`, `restore_user_access()`:
//!   open and close the kernel's access to user pages (riscv64 `SUM`);
//! - `copy_raw(dst, src, len) -> usize`: a copy that may fault on either
//!   side and returns the number of bytes *not* copied;
//! - `fixup_for(pc) -> Option<usize>`: where a faulting instruction of
//!   `copy_raw` continues.

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

mod generic;
pub(crate) use generic::copy_raw;
pub use generic::fixup_for;
