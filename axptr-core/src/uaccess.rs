//! The only code that touches user memory.
//!
//! Everything else in the crate is safe code built on these functions. Each
//! opens an access window (the fault flag, and the architecture's user-access
//! permission) for exactly the duration of the access; copies go through the
//! architecture's fallible routine, so a fault that the page-fault handler
//! cannot resolve becomes `EFAULT` (where the architecture has a fixup table)
//! instead of a kernel crash.

use core::slice;

use axerrno::{LinuxError, LinuxResult};
use memory_addr::PAGE_SIZE_4K;
use page_table_multiarch::MappingFlags;

use crate::{
    AddrSpaceProvider, arch,
    check::{access_ok, check_region},
    flag::UserAccessGuard,
};

/// Turns a user address into a pointer.
///
/// User addresses come from registers; the provenance of the user mapping
/// is the one the address space exposed when it created it.
#[inline(always)]
pub(crate) fn user_ptr<T>(addr: usize) -> *mut T {
    core::ptr::with_exposed_provenance_mut(addr)
}

/// Which way a transfer goes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Direction {
    /// User memory to a kernel buffer (needs `READ`).
    FromUser,
    /// A kernel buffer to user memory (needs `WRITE`).
    ToUser,
    /// Zeroes user memory (needs `WRITE`); the kernel buffer is unused.
    Clear,
}

impl Direction {
    /// The permission the user memory needs.
    #[inline]
    pub(crate) const fn flags(self) -> MappingFlags {
        match self {
            Self::FromUser => MappingFlags::READ,
            Self::ToUser | Self::Clear => MappingFlags::WRITE,
        }
    }
}

/// How many of the `len` bytes of the access at `user` may move before a
/// fault injected by a test ([`crate::inject`]); all of them in builds
/// without the `testing` and `sim` features, where this is a constant.
#[inline(always)]
pub(crate) fn injection_allows(user: usize, len: usize) -> usize {
    #[cfg(any(feature = "testing", feature = "sim", test))]
    {
        crate::inject::allowed(user, len)
    }
    #[cfg(not(any(feature = "testing", feature = "sim", test)))]
    {
        let _ = user;
        len
    }
}

/// Moves `len` bytes between validated user memory at `user` and the
/// kernel buffer `kernel` (or zeroes them, for [`Direction::Clear`]),
/// inside an access window; returns the number of bytes *not* moved
/// (non-zero only when a fault went to the fixup, or a test injected one).
///
/// # Safety
///
/// `kernel` must be valid for `len` bytes (writes for
/// [`Direction::FromUser`], initialized reads for [`Direction::ToUser`],
/// unused for [`Direction::Clear`]) and must not overlap the user range;
/// `[user, user + len)` must have been validated for `direction`.
#[inline]
pub(crate) unsafe fn move_validated(
    direction: Direction,
    user: usize,
    kernel: *mut u8,
    len: usize,
) -> usize {
    let allowed = injection_allows(user, len);
    // SAFETY: a local guard, dropped when this function returns.
    let _guard = unsafe { UserAccessGuard::new() };
    // SAFETY: the caller guarantees `kernel`; the user range was validated
    // and populated, and a fault in it is recovered by the routine;
    // `allowed <= len`.
    let left = unsafe {
        match direction {
            Direction::FromUser => arch::copy_raw(kernel, user_ptr::<u8>(user), allowed),
            Direction::ToUser => arch::copy_raw(user_ptr::<u8>(user), kernel, allowed),
            Direction::Clear => clear_raw(user_ptr::<u8>(user), allowed),
        }
    };
    // OVERFLOW: `left <= allowed <= len`.
    left + (len - allowed)
}

/// Zeroes `len` bytes of user memory at `dst` with the fallible copy
/// routine, a block of zeroes at a time; returns the number of bytes *not*
/// zeroed.
///
/// # Safety
///
/// As `arch::copy_raw` for a destination of `len` bytes: validated user
/// memory, inside an access window.
#[inline]
unsafe fn clear_raw(dst: *mut u8, len: usize) -> usize {
    static ZEROS: [u8; 512] = [0; 512];
    let mut done = 0;
    while done < len {
        let chunk = (len - done).min(ZEROS.len());
        // SAFETY: `done + chunk <= len`, as the caller allows; `ZEROS` is
        // kernel memory, only read.
        let left = unsafe { arch::copy_raw(dst.add(done), ZEROS.as_ptr(), chunk) };
        if left != 0 {
            return len - done - (chunk - left);
        }
        done += chunk;
    }
    0
}

/// Copies `len` bytes from validated user memory at `src` to `dst`.
///
/// # Safety
///
/// `dst` must be valid for writes of `len` bytes and must not overlap the
/// user range; `[src, src + len)` must have been validated for reading.
#[inline]
pub(crate) unsafe fn copy_from_validated(dst: *mut u8, src: usize, len: usize) -> LinuxResult<()> {
    // SAFETY: as the caller guarantees.
    match unsafe { move_validated(Direction::FromUser, src, dst, len) } {
        0 => Ok(()),
        _ => Err(LinuxError::EFAULT),
    }
}

/// Moves `len` bytes between user memory at `user` and `kernel`, validating
/// first: all or nothing.
///
/// # Safety
///
/// As [`move_validated`], without the validation (done here).
#[inline]
pub(crate) unsafe fn move_user<P: AddrSpaceProvider + ?Sized>(
    provider: &mut P,
    direction: Direction,
    user: usize,
    kernel: *mut u8,
    len: usize,
) -> LinuxResult<()> {
    check_region(provider, user, len, direction.flags())?;
    if len == 0 {
        return Ok(());
    }
    // SAFETY: validated just above; the caller guarantees `kernel`.
    match unsafe { move_validated(direction, user, kernel, len) } {
        0 => Ok(()),
        _ => Err(LinuxError::EFAULT),
    }
}

/// Moves up to `len` bytes between user memory at `user` and `kernel`,
/// stopping at the first byte that is not mapped with the needed
/// permission or faults; returns the number of bytes moved (Linux's
/// short `copy_to_user`/`copy_from_user`).
///
/// The whole range is validated at once in the common case; only a range
/// that fails validation is walked a page at a time to find how far the
/// valid prefix reaches. Bytes past the stop are never touched. A range
/// outside user space, empty or not, moves nothing.
///
/// # Safety
///
/// As [`move_validated`], without the validation (done here).
pub(crate) unsafe fn move_user_partial<P: AddrSpaceProvider + ?Sized>(
    provider: &mut P,
    direction: Direction,
    user: usize,
    kernel: *mut u8,
    len: usize,
) -> usize {
    let flags = direction.flags();
    if check_region(provider, user, len, flags).is_ok() {
        if len == 0 {
            return 0;
        }
        // SAFETY: validated just above; the caller guarantees `kernel`.
        return len - unsafe { move_validated(direction, user, kernel, len) };
    }
    // Like Linux, a range outside user space moves nothing, even where a
    // prefix of it is mapped.
    if access_ok(provider, user, len).is_err() {
        return 0;
    }
    let mut done = 0;
    while done < len {
        // OVERFLOW: a range whose end wraps stops at the wrap.
        let Some(cur) = user.checked_add(done) else {
            break;
        };
        let chunk = (len - done).min(PAGE_SIZE_4K - cur % PAGE_SIZE_4K);
        if check_region(provider, cur, chunk, flags).is_err() {
            break;
        }
        // SAFETY: `[cur, cur + chunk)` was validated just above; `kernel`
        // has `len > done + chunk - 1` bytes, as the caller guarantees (or
        // is unused, for a clear).
        let left = unsafe { move_validated(direction, cur, kernel.wrapping_add(done), chunk) };
        done += chunk - left;
        if left != 0 {
            break;
        }
    }
    done
}

/// Looks for a terminator (an all-zero `T`) in validated user memory, in
/// place.
///
/// # Safety
///
/// `[addr, addr + elems * size_of::<T>())` must have been validated for
/// reading and must stay mapped during the search (this read has no fixup).
#[inline]
pub(crate) unsafe fn find_zero_in_place<T>(addr: usize, elems: usize) -> Option<usize> {
    // SAFETY: a local guard, dropped when this function returns.
    let _guard = unsafe { UserAccessGuard::new() };
    // SAFETY: the range was validated and populated by the caller; the
    // slice lives only for this search, with the flag set.
    let bytes = unsafe { slice::from_raw_parts(user_ptr::<u8>(addr), elems * size_of::<T>()) };
    crate::check::find_zero_element::<T>(bytes)
}
