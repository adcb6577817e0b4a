//! riscv64: `sstatus.SUM` gates supervisor access to user pages.

use core::arch::asm;

const SSTATUS_SUM: usize = 1 << 18;

/// Whether `SUM` was already set when the access began.
pub(crate) type UserAccessState = bool;

#[inline(always)]
pub(crate) fn enable_user_access() -> UserAccessState {
    let old: usize;
    // SAFETY: setting SUM only widens what S-mode may access; it touches no
    // memory and no other state.
    unsafe { asm!("csrrs {old}, sstatus, {bit}", old = out(reg) old, bit = in(reg) SSTATUS_SUM) };
    old & SSTATUS_SUM != 0
}

#[inline(always)]
pub(crate) fn restore_user_access(was_set: UserAccessState) {
    if !was_set {
        // SAFETY: clears SUM, returning to the state before the access.
        unsafe { asm!("csrc sstatus, {bit}", bit = in(reg) SSTATUS_SUM) };
    }
}
