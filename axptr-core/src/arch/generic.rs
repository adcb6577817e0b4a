//! Portable routines without fault recovery: a fault inside them is not
//! recovered.
//!
//! Used where no assembly routine exists (other architectures, non-ELF
//! hosts, and Miri, which cannot run assembly). Validation still runs
//! first, so only memory that another thread unmaps after validation can
//! fault here. Same contracts as `routine.rs`.

use core::sync::atomic::{AtomicU32, Ordering::SeqCst};

use super::{FaultRange, UserAtomicOp, UserFault};

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

/// Copies bytes up to and including the first NUL, or `len` bytes; returns
/// the number copied.
///
/// # Safety
///
/// `dst` must be valid for writes of `len` bytes, the source valid for
/// reads up to its first NUL (at most `len` bytes), and they must not
/// overlap.
#[inline]
pub(crate) unsafe fn copy_until_nul(dst: *mut u8, src: *const u8, len: usize) -> usize {
    for i in 0..len {
        // SAFETY: `i < len`, and no NUL came before `i`: the caller allows
        // both accesses.
        let byte = unsafe { src.add(i).read() };
        // SAFETY: as above.
        unsafe { dst.add(i).write(byte) };
        if byte == 0 {
            return i + 1;
        }
    }
    len
}

/// Copies 8-byte elements up to and including the first zero one, or
/// `elems` elements; returns the number copied.
///
/// # Safety
///
/// `dst` must be 8-aligned and valid for writes of `elems` elements, the
/// source valid for reads up to its first zero element (at most `elems`,
/// not necessarily aligned), and they must not overlap.
#[inline]
pub(crate) unsafe fn copy_until_zero_u64(dst: *mut u64, src: *const u8, elems: usize) -> usize {
    for i in 0..elems {
        // SAFETY: `i < elems`, and no zero element came before `i`: the
        // caller allows both accesses (the source may be unaligned).
        let elem = unsafe { src.add(i * 8).cast::<u64>().read_unaligned() };
        // SAFETY: as above; `dst` is aligned.
        unsafe { dst.add(i).write(elem) };
        if elem == 0 {
            return i + 1;
        }
    }
    elems
}

/// Zeroes `len` bytes at `dst`; returns the number not cleared (always 0
/// here).
///
/// # Safety
///
/// `dst` must be valid for writes of `len` bytes; it need not be aligned.
#[inline]
pub(crate) unsafe fn clear_raw(dst: *mut u8, len: usize) -> usize {
    // SAFETY: the caller guarantees the range.
    unsafe { dst.write_bytes(0, len) };
    0
}

/// Performs `op` atomically (sequentially consistent) on the `u32` at
/// `addr`; never faults here.
///
/// # Safety
///
/// `addr` must be 4-aligned and valid for reads and writes, and every
/// concurrent access to it atomic.
#[inline]
pub(crate) unsafe fn user_atomic_u32(addr: *mut u32, op: UserAtomicOp) -> Result<u32, UserFault> {
    // SAFETY: the caller guarantees an aligned, valid word that is only
    // accessed atomically while this reference lives.
    let word = unsafe { AtomicU32::from_ptr(addr) };
    Ok(match op {
        UserAtomicOp::Load => word.load(SeqCst),
        UserAtomicOp::Store(value) => {
            word.store(value, SeqCst);
            0
        }
        UserAtomicOp::CompareExchange { expected, new } => word
            .compare_exchange(expected, new, SeqCst, SeqCst)
            .unwrap_or_else(|old| old),
        UserAtomicOp::Swap(value) => word.swap(value, SeqCst),
        UserAtomicOp::FetchAdd(value) => word.fetch_add(value, SeqCst),
        UserAtomicOp::FetchOr(value) => word.fetch_or(value, SeqCst),
        UserAtomicOp::FetchAnd(value) => word.fetch_and(value, SeqCst),
        UserAtomicOp::FetchAndNot(value) => word.fetch_and(!value, SeqCst),
        UserAtomicOp::FetchXor(value) => word.fetch_xor(value, SeqCst),
    })
}

/// No faulting instruction is recoverable.
#[inline]
pub(super) fn fault_ranges() -> impl Iterator<Item = FaultRange> {
    core::iter::empty()
}
