//! Portable copy without fault recovery: a fault inside it is not recovered.
//!
//! Used where no fallible routine exists (and under Miri, which cannot run
//! assembly). Validation still runs first, so only memory that another
//! thread unmaps after validation can fault here.

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

/// Returns where execution continues when the instruction at `pc` faults
/// inside axptr's fallible copy routine, or `None` if `pc` is not in it.
///
/// A kernel's trap handler calls this for a kernel-mode fault it cannot
/// resolve: on `Some(fixup)` it sets the saved pc to `fixup` and returns
/// from the trap, and the copy reports `EFAULT`.
#[inline]
#[must_use]
pub fn fixup_for(pc: usize) -> Option<usize> {
    let _ = pc;
    None
}
