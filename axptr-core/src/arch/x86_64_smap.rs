//! x86_64 kernels: SMAP (`EFLAGS.AC` opens supervisor access to user
//! pages), toggled only after `enable_user_access_protection`.

use core::arch::asm;

const EFLAGS_AC: u64 = 1 << 18;

/// Whether closing the window must clear `AC` (it was clear when the window
/// opened, and the window set it).
#[derive(Clone, Copy)]
pub(crate) struct UserAccessState(bool);

#[inline(always)]
pub(crate) fn enable_user_access() -> UserAccessState {
    if !super::user_access_protection() {
        return UserAccessState(false);
    }
    let rflags: u64;
    // SAFETY: the switch is on, so the kernel promised the CPU has SMAP
    // (`stac` is defined); setting AC only widens what the kernel may
    // access, and the push/pop stay on the kernel stack.
    unsafe { asm!("pushfq", "pop {rflags}", "stac", rflags = out(reg) rflags) };
    UserAccessState(rflags & EFLAGS_AC == 0)
}

#[inline(always)]
pub(crate) fn restore_user_access(state: UserAccessState) {
    if state.0 {
        // SAFETY: `stac` ran when the window opened, so the CPU has SMAP;
        // clearing AC returns to the state before the window.
        unsafe { asm!("clac", options(nostack)) };
    }
}
