//! The Rust side of the assembly copy routine (`x86_64.rs`, `riscv64.rs`,
//! `aarch64.rs` define it, with the same symbols on every architecture).

use super::FaultRange;

unsafe extern "C" {
    #[link_name = asm_symbol!("copy_raw")]
    fn asm_copy_raw(dst: *mut u8, src: *const u8, len: usize) -> usize;
    #[link_name = asm_symbol!("copy_fault_start")]
    static FAULT_START: u8;
    #[link_name = asm_symbol!("copy_fault_end")]
    static FAULT_END: u8;
    #[link_name = asm_symbol!("copy_fixup")]
    static FIXUP: u8;
}

/// Copies `len` bytes from `src` to `dst`; returns the number of bytes not
/// copied (non-zero only if a fault was sent to the fixup).
///
/// # Safety
///
/// The two ranges must not overlap, and each must be either valid kernel
/// memory or user memory whose faults the kernel's trap handler resolves or
/// sends to [`fixup_for`](super::fixup_for). Neither needs to be aligned.
#[inline]
pub(crate) unsafe fn copy_raw(dst: *mut u8, src: *const u8, len: usize) -> usize {
    // SAFETY: the routine follows the C ABI and touches only
    // `[dst, dst + len)` and `[src, src + len)`, as the caller allows (the
    // riscv64 routine also loads other bytes of the same aligned
    // doublewords, which lie in the same pages).
    unsafe { asm_copy_raw(dst, src, len) }
}

/// The one range of faulting instructions of `copy_raw`.
#[inline]
pub(super) fn fault_ranges() -> [FaultRange; 1] {
    [FaultRange {
        start: (&raw const FAULT_START).addr(),
        end: (&raw const FAULT_END).addr(),
        fixup: (&raw const FIXUP).addr(),
    }]
}
