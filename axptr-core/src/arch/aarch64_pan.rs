//! aarch64 kernels: PAN (`PSTATE.PAN` forbids privileged access to user
//! pages), cleared for the window only after
//! `enable_user_access_protection`.

use core::arch::asm;

/// `PSTATE.PAN` as the `PAN` system register shows it.
const PAN_BIT: u64 = 1 << 22;

/// Whether closing the window must set PAN again (it was set when the
/// window opened, and the window cleared it).
#[derive(Clone, Copy)]
pub(crate) struct UserAccessState(bool);

// `msr pan, #imm` by its encoding (`MSR (immediate)`, op1 = 0, op2 = 4,
// CRm = imm) and `PAN` by its system-register name (`S3_0_C4_C2_3`), so the
// assembler needs no ARMv8.1 target feature.
#[inline(always)]
pub(crate) fn enable_user_access() -> UserAccessState {
    if !super::user_access_protection() {
        return UserAccessState(false);
    }
    let pan: u64;
    // SAFETY: the switch is on, so the kernel promised the CPU has FEAT_PAN
    // (the register and the instruction are defined); clearing PAN only
    // widens what the kernel may access.
    unsafe {
        asm!(
            "mrs {pan}, S3_0_C4_C2_3",
            ".inst 0xd500409f", // msr pan, #0
            pan = out(reg) pan,
            options(nostack, preserves_flags),
        )
    };
    UserAccessState(pan & PAN_BIT != 0)
}

#[inline(always)]
pub(crate) fn restore_user_access(state: UserAccessState) {
    if state.0 {
        // SAFETY: PAN was set when the window opened, so the CPU has
        // FEAT_PAN; setting it returns to the state before the window.
        unsafe { asm!(".inst 0xd500419f", options(nostack, preserves_flags)) }; // msr pan, #1
    }
}
