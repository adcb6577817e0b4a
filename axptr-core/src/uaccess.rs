//! The only code that touches user memory.
//!
//! Everything else in the crate is safe code built on these functions. Each
//! sets the fault flag for exactly the duration of the access; copies go
//! through the architecture's fallible routine, so a fault that the page
//! fault handler cannot resolve becomes `EFAULT` (where the architecture has
//! a fixup table) instead of a kernel crash.

use core::slice;

use axerrno::{LinuxError, LinuxResult};
use page_table_multiarch::MappingFlags;

use crate::{AddrSpaceProvider, arch, check::check_region, flag::UserAccessGuard};

/// Turns a user address into a pointer.
///
/// User addresses come from registers; the provenance of the user mapping
/// is the one the address space exposed when it created it.
#[inline(always)]
pub(crate) fn user_ptr<T>(addr: usize) -> *mut T {
    core::ptr::with_exposed_provenance_mut(addr)
}

/// Copies `len` bytes from validated user memory at `src` to `dst`.
///
/// # Safety
///
/// `dst` must be valid for writes of `len` bytes and must not overlap the
/// user range; `[src, src + len)` must have been validated for reading.
#[inline]
pub(crate) unsafe fn copy_from_validated(dst: *mut u8, src: usize, len: usize) -> LinuxResult<()> {
    let _guard = UserAccessGuard::new();
    // SAFETY: the caller guarantees `dst`; the user range was validated and
    // populated, and a fault in it is recovered by the copy routine.
    let left = unsafe { arch::copy_raw(dst, user_ptr::<u8>(src), len) };
    if left == 0 {
        Ok(())
    } else {
        Err(LinuxError::EFAULT)
    }
}

/// Copies `len` bytes from user memory at `src` to `dst`, validating first.
///
/// # Safety
///
/// `dst` must be valid for writes of `len` bytes and must not overlap the
/// user range.
#[inline]
pub(crate) unsafe fn copy_from_user<P: AddrSpaceProvider + ?Sized>(
    provider: &mut P,
    dst: *mut u8,
    src: usize,
    len: usize,
) -> LinuxResult<()> {
    if len == 0 {
        return Ok(());
    }
    check_region(provider, src, len, MappingFlags::READ)?;
    // SAFETY: validated just above; the caller guarantees `dst`.
    unsafe { copy_from_validated(dst, src, len) }
}

/// Copies `len` bytes from `src` to user memory at `dst`, validating first.
///
/// # Safety
///
/// `src` must be valid for reads of `len` initialized bytes and must not
/// overlap the user range.
#[inline]
pub(crate) unsafe fn copy_to_user<P: AddrSpaceProvider + ?Sized>(
    provider: &mut P,
    dst: usize,
    src: *const u8,
    len: usize,
) -> LinuxResult<()> {
    if len == 0 {
        return Ok(());
    }
    check_region(provider, dst, len, MappingFlags::WRITE)?;
    let _guard = UserAccessGuard::new();
    // SAFETY: the user range was validated for writing and populated; the
    // caller guarantees `src`.
    let left = unsafe { arch::copy_raw(user_ptr::<u8>(dst), src, len) };
    if left == 0 {
        Ok(())
    } else {
        Err(LinuxError::EFAULT)
    }
}

/// Looks for a terminator (an all-zero `T`) in validated user memory, in
/// place.
///
/// # Safety
///
/// `[addr, addr + elems * size_of::<T>())` must have been validated for
/// reading.
#[inline]
pub(crate) unsafe fn find_zero_in_place<T>(addr: usize, elems: usize) -> Option<usize> {
    let _guard = UserAccessGuard::new();
    // SAFETY: the range was validated and populated by the caller; the
    // slice lives only for this search, with the flag set.
    let bytes = unsafe { slice::from_raw_parts(user_ptr::<u8>(addr), elems * size_of::<T>()) };
    crate::check::find_zero_element::<T>(bytes)
}
