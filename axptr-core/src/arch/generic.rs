//! Portable copy without fault recovery: a fault inside it is not recovered.
//!
//! Used where no fallible routine exists (other architectures, non-ELF
//! hosts, and Miri, which cannot run assembly). Validation still runs
//! first, so only memory that another thread unmaps after validation can
//! fault here.

use super::FaultRange;

/// Copies `len` bytes from `src` to `dst`; returns the number of bytes not
/// copied (always 0 here).
///
/// # Safety
///
/// `dst` must be valid for writes and `src` for reads of `len` bytes, and
/// the two ranges must not overlap. Neither needs to be aligned.
#[inline]
pub(crate) unsafe fn copy_raw(dst: *mut u8, src: *const u8, len: usize) -> usize {
    // SAFETY: the caller guarantees both ranges are valid and disjoint.
    unsafe { core::ptr::copy_nonoverlapping(src, dst, len) };
    0
}

/// No faulting instruction is recoverable.
#[inline]
pub(super) fn fault_ranges() -> [FaultRange; 0] {
    []
}
