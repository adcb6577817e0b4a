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
            Direction::Clear => arch::clear_raw(user_ptr::<u8>(user), allowed),
        }
    };
    // OVERFLOW: `left <= allowed <= len`.
    left + (len - allowed)
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

/// What a copy that stops after its terminator (`arch::copy_until_nul`,
/// `arch::copy_until_zero_u64`) reports: `copied` elements out of at most
/// `limit`, `last_is_zero(i)` telling whether copied element `i` is the
/// terminator. `Some(index)` of the terminator, `None` when the `limit`
/// elements hold none, `EFAULT` when a fault stopped the copy before
/// either.
#[inline]
fn terminated(
    copied: usize,
    limit: usize,
    last_is_zero: impl FnOnce(usize) -> bool,
) -> LinuxResult<Option<usize>> {
    match copied.checked_sub(1) {
        Some(last) if last_is_zero(last) => Ok(Some(last)),
        _ if copied == limit => Ok(None),
        _ => Err(LinuxError::EFAULT),
    }
}

/// Copies a C string from validated user memory at `src` into `dst`: the
/// bytes up to and including the first NUL, at most `len` of them, in one
/// pass (the fused copy-and-scan routine). Returns the index of the NUL, or
/// `None` when the `len` bytes hold none (all of them copied). The NUL was
/// found in the kernel copy, so `dst[..index]` holds no other.
///
/// # Errors
///
/// `EFAULT` if a fault stopped the copy before either (the bytes before it
/// may have been copied).
///
/// # Safety
///
/// `dst` must be valid for writes of `len` bytes and must not overlap the
/// user range; `[src, src + len)` must have been validated for reading
/// (the routine reads nothing past the pages of the bytes up to the NUL).
#[allow(dead_code)] // the string readers switch to it separately
#[inline]
pub(crate) unsafe fn copy_cstr_from_validated(
    dst: *mut u8,
    src: usize,
    len: usize,
) -> LinuxResult<Option<usize>> {
    let copied = {
        // SAFETY: a local guard, dropped at the end of this block.
        let _guard = unsafe { UserAccessGuard::new() };
        // SAFETY: the caller guarantees `dst`; the user range was validated
        // and populated, and a fault in it is recovered by the routine.
        unsafe { arch::copy_until_nul(dst, user_ptr::<u8>(src), len) }
    };
    terminated(copied, len, |last| {
        // SAFETY: `last < copied <= len`: the routine wrote that byte.
        unsafe { dst.add(last).read() == 0 }
    })
}

/// Copies a zero-terminated array of 8-byte elements (argv, envp) from
/// validated user memory at `src` into `dst`: the elements up to and
/// including the first zero one, at most `elems` of them, in one pass.
/// Returns the index of the zero element, or `None` when the `elems`
/// elements hold none (all of them copied).
///
/// # Errors
///
/// `EFAULT` if a fault stopped the copy before either.
///
/// # Safety
///
/// `dst` must be valid for writes of `elems` elements (8-aligned, as its
/// type says) and must not overlap the user range; `[src, src + 8 *
/// elems)` must have been validated for reading. `src` need not be aligned.
#[allow(dead_code)] // the array readers switch to it separately
#[inline]
pub(crate) unsafe fn copy_u64_array_from_validated(
    dst: *mut u64,
    src: usize,
    elems: usize,
) -> LinuxResult<Option<usize>> {
    let copied = {
        // SAFETY: a local guard, dropped at the end of this block.
        let _guard = unsafe { UserAccessGuard::new() };
        // SAFETY: the caller guarantees `dst`; the user range was validated
        // and populated, and a fault in it is recovered by the routine.
        unsafe { arch::copy_until_zero_u64(dst, user_ptr::<u8>(src), elems) }
    };
    terminated(copied, elems, |last| {
        // SAFETY: `last < copied <= elems`: the routine wrote that element.
        unsafe { dst.add(last).read() == 0 }
    })
}

/// Zeroes `len` bytes of validated user memory at `dst`, like Linux
/// `clear_user`: returns the number of bytes *not* cleared, non-zero only
/// if a fault stopped it (the first `len - returned` bytes are zero).
///
/// # Safety
///
/// `[dst, dst + len)` must have been validated for writing.
#[allow(dead_code)] // the zeroing writers use it separately
#[inline]
pub(crate) unsafe fn clear_validated(dst: usize, len: usize) -> usize {
    // SAFETY: a local guard, dropped when this function returns.
    let _guard = unsafe { UserAccessGuard::new() };
    // SAFETY: the user range was validated for writing and populated; a
    // fault in it is recovered by the routine.
    unsafe { arch::clear_raw(user_ptr::<u8>(dst), len) }
}

/// Performs `op` atomically on the user `u32` at `addr` (futexes, robust
/// lists) and returns the value it read (see [`arch::UserAtomicOp`]);
/// sequentially consistent.
///
/// # Errors
///
/// `EINVAL` if `addr` is not 4-aligned (as `futex` reports it); `EFAULT`
/// if the access faulted and the fault could not be resolved.
///
/// # Safety
///
/// `[addr, addr + 4)` must have been validated for reading, and for
/// writing unless `op` is a load.
#[allow(dead_code)] // the futex helpers use it separately
#[inline]
pub(crate) unsafe fn atomic_u32_validated(addr: usize, op: arch::UserAtomicOp) -> LinuxResult<u32> {
    if addr % align_of::<u32>() != 0 {
        return Err(LinuxError::EINVAL);
    }
    // SAFETY: a local guard, dropped when this function returns.
    let _guard = unsafe { UserAccessGuard::new() };
    // SAFETY: the aligned word was validated as the operation needs and
    // populated; a fault on it is recovered by the routine. User memory is
    // only ever accessed through axptr's routines, atomically for this word
    // (other user threads' accesses are the hardware's business).
    unsafe { arch::user_atomic_u32(user_ptr::<u32>(addr), op) }
        .map_err(|arch::UserFault| LinuxError::EFAULT)
}

/// Validates the user `u32` at `addr` for `op` and performs it, as
/// [`atomic_u32_validated`] does.
///
/// # Errors
///
/// `EINVAL` if `addr` is not 4-aligned; `EFAULT` if the word is not mapped
/// with the permissions `op` needs (read for a load, read and write
/// otherwise) or the access faulted.
#[allow(dead_code)] // the futex helpers use it separately
#[inline]
pub(crate) fn atomic_u32_user<P: AddrSpaceProvider + ?Sized>(
    provider: &mut P,
    addr: usize,
    op: arch::UserAtomicOp,
) -> LinuxResult<u32> {
    if addr % align_of::<u32>() != 0 {
        return Err(LinuxError::EINVAL);
    }
    let flags = match op {
        arch::UserAtomicOp::Load => MappingFlags::READ,
        _ => MappingFlags::READ | MappingFlags::WRITE,
    };
    check_region(provider, addr, size_of::<u32>(), flags)?;
    // SAFETY: validated just above for what `op` needs.
    unsafe { atomic_u32_validated(addr, op) }
}
