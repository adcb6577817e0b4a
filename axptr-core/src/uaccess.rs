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
    check::{Span, access_ok, check_region},
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

/// Whether an access must take the general path: the fault flag is set (an
/// enclosing access, whose flag must be cleared around the address-space
/// call and restored after), or a test space has fault injection armed.
/// Otherwise the fast path needs neither: it calls the address space as
/// it is and sets the flag from clear to clear again. One read of the flag
/// (and, in builds with fault injection, of one word, combined with it)
/// and one branch.
#[inline(always)]
pub(crate) fn general_path() -> bool {
    let flag = crate::flag::is_accessing_user_memory() as usize;
    #[cfg(any(feature = "testing", feature = "sim", test))]
    let armed = crate::inject::claimed();
    #[cfg(not(any(feature = "testing", feature = "sim", test)))]
    let armed = 0;
    flag | armed != 0
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
    let left = unsafe { move_raw(direction, user, kernel, allowed) };
    // OVERFLOW: `left <= allowed <= len`.
    left + (len - allowed)
}

/// [`move_validated`] on the fast path: the fault flag is clear and no
/// fault injection is armed ([`general_path`] returned false, and only the
/// address space ran since).
///
/// # Safety
///
/// As [`move_validated`], and the fault flag is clear.
#[inline(always)]
pub(crate) unsafe fn move_validated_unnested(
    direction: Direction,
    user: usize,
    kernel: *mut u8,
    len: usize,
) -> usize {
    // SAFETY: a local guard, dropped when this function returns; the
    // caller guarantees the flag is clear.
    let _guard = unsafe { UserAccessGuard::new_unnested() };
    // SAFETY: as the caller guarantees (see `move_validated`).
    unsafe { move_raw(direction, user, kernel, len) }
}

/// The routine of `direction` over `len` bytes; returns the number not
/// moved.
///
/// # Safety
///
/// As [`move_validated`], inside an access window.
#[inline(always)]
unsafe fn move_raw(direction: Direction, user: usize, kernel: *mut u8, len: usize) -> usize {
    // SAFETY: as the caller guarantees.
    unsafe {
        match direction {
            Direction::FromUser => arch::copy_raw(kernel, user_ptr::<u8>(user), len),
            Direction::ToUser => arch::copy_raw(user_ptr::<u8>(user), kernel, len),
            Direction::Clear => arch::clear_raw(user_ptr::<u8>(user), len),
        }
    }
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
#[inline(always)]
pub(crate) unsafe fn move_user<P: AddrSpaceProvider + ?Sized>(
    provider: &mut P,
    direction: Direction,
    user: usize,
    kernel: *mut u8,
    len: usize,
) -> LinuxResult<()> {
    if len == 0 {
        return access_ok(provider, user, 0);
    }
    if general_path() {
        // SAFETY: as the caller guarantees.
        return unsafe { move_user_general(provider, direction, user, kernel, len) };
    }
    let span = Span::new(user, len)?;
    provider.with_addr_space(|aspace| span.check_and_populate(aspace, direction.flags()))?;
    // SAFETY: validated just above, with the flag clear as `general_path`
    // found it (the address space leaves it so); the caller guarantees
    // `kernel`.
    match unsafe { move_validated_unnested(direction, user, kernel, len) } {
        0 => Ok(()),
        _ => Err(LinuxError::EFAULT),
    }
}

/// [`move_user`] inside an enclosing access or with fault injection armed.
///
/// # Safety
///
/// As [`move_user`].
#[cold]
#[inline(never)]
unsafe fn move_user_general<P: AddrSpaceProvider + ?Sized>(
    provider: &mut P,
    direction: Direction,
    user: usize,
    kernel: *mut u8,
    len: usize,
) -> LinuxResult<()> {
    check_region(provider, user, len, direction.flags())?;
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

/// Runs a fused copy-and-scan routine (`arch::copy_until_nul` for bytes,
/// `arch::copy_until_zero_u64` for 8-byte elements into an 8-aligned `dst`:
/// C strings, argv and envp) in an access window: copies from validated
/// user memory at `src` into `dst` the elements up to and including the
/// first zero one, at most `elems` of them, in one pass. Returns the index
/// of the zero element, or `None` when the `elems` elements hold none (all
/// of them copied). The terminator was found in the kernel copy, so
/// `dst[..index]` holds no other.
///
/// `NESTED`: whether an access may be open already on this CPU (the guard
/// then saves and restores the flag); without it the flag is known to be
/// clear and is not read again.
///
/// # Errors
///
/// `EFAULT` if a fault stopped the copy before either (the elements before
/// it may have been copied).
///
/// # Safety
///
/// `routine` is the fused routine for `E`. `dst` must be valid for writes
/// of `elems` elements and must not overlap the user range; `[src, src +
/// elems * size_of::<E>())` must have been validated for reading (the
/// routines read nothing past the pages of the elements up to the
/// terminator). Without `NESTED`, the flag is clear on this CPU.
#[inline(always)]
pub(crate) unsafe fn run_fused<E: Copy + Default + PartialEq, const NESTED: bool>(
    dst: *mut E,
    src: usize,
    elems: usize,
    routine: unsafe fn(*mut E, *const u8, usize) -> usize,
) -> LinuxResult<Option<usize>> {
    let copied = {
        // SAFETY: a local guard, dropped at the end of this block; without
        // `NESTED` the caller guarantees that the flag is clear.
        let _guard = unsafe {
            if NESTED {
                UserAccessGuard::new()
            } else {
                UserAccessGuard::new_unnested()
            }
        };
        // SAFETY: the caller guarantees `dst`; the user range was validated
        // and populated, and a fault in it is recovered by the routine.
        unsafe { routine(dst, user_ptr::<u8>(src), elems) }
    };
    terminated(copied, elems, |last| {
        // SAFETY: `last < copied <= elems`: the routine wrote that element.
        unsafe { dst.add(last).read() == E::default() }
    })
}

/// Copies null-terminated data of `T`s (terminated by an all-zero element)
/// from validated user memory into kernel memory, a chunk at a time, for
/// one read of such data: whether the read takes the fast or the general
/// path ([`general_path`]) is decided once, when it starts.
#[derive(Clone, Copy)]
pub(crate) struct TerminatedCopy {
    general: bool,
}

impl TerminatedCopy {
    /// The copier of a read that starts now.
    #[inline(always)]
    pub(crate) fn new() -> Self {
        Self {
            general: general_path(),
        }
    }

    /// Copies from `src` into `dst` at most `elems` elements, and none past
    /// the terminator where a fused copy-and-scan routine exists (bytes: C
    /// strings; 8-byte elements into an 8-aligned `dst`: argv and envp).
    /// Other sizes are copied whole, then scanned. Returns the index of the
    /// terminator, or `None` when the `elems` elements hold none. The
    /// terminator was found in the kernel copy, so `dst[..index]` holds no
    /// other, whatever user space does meanwhile.
    ///
    /// One access for fault injection ([`crate::inject`]).
    ///
    /// # Errors
    ///
    /// `EFAULT` if a fault stopped the copy before the terminator.
    ///
    /// # Safety
    ///
    /// `dst` must be valid for writes of `elems` elements and must not
    /// overlap the user range; `[src, src + elems * size_of::<T>())` must
    /// have been validated for reading. Since `self` was made, only the
    /// address space, the allocator and other copies of this crate ran on
    /// this CPU (the fault flag is as it was then).
    #[inline(always)]
    pub(crate) unsafe fn copy<T>(
        self,
        dst: *mut T,
        src: usize,
        elems: usize,
    ) -> LinuxResult<Option<usize>> {
        if self.general {
            // SAFETY: as the caller guarantees.
            return unsafe { copy_terminated_general(dst, src, elems) };
        }
        match size_of::<T>() {
            // SAFETY: as the caller guarantees, for bytes; the flag is
            // clear, as `general_path` found it.
            1 => unsafe { run_fused::<u8, false>(dst.cast(), src, elems, arch::copy_until_nul) },
            // SAFETY: as the caller guarantees, for 8-byte elements into an
            // 8-aligned `dst`; the flag is clear, as `general_path` found
            // it.
            8 if dst.cast::<u64>().is_aligned() => unsafe {
                run_fused::<u64, false>(dst.cast(), src, elems, arch::copy_until_zero_u64)
            },
            // SAFETY: as the caller guarantees.
            _ => unsafe { copy_terminated_general(dst, src, elems) },
        }
    }
}

/// [`TerminatedCopy::copy`] inside an enclosing access, with fault
/// injection armed, or of elements without a fused routine.
///
/// # Safety
///
/// As [`TerminatedCopy::copy`].
#[inline(never)]
unsafe fn copy_terminated_general<T>(
    dst: *mut T,
    src: usize,
    elems: usize,
) -> LinuxResult<Option<usize>> {
    let size = size_of::<T>();
    // OVERFLOW: the caller validated `elems * size` bytes.
    let bytes = elems * size;
    let allowed = injection_allows(src, bytes);
    if allowed < bytes {
        // SAFETY: as the caller guarantees; `allowed < bytes`.
        return unsafe { copy_terminated_injected::<T>(dst, src, allowed) };
    }
    match size {
        // SAFETY: as the caller guarantees, for bytes.
        1 => unsafe { run_fused::<u8, true>(dst.cast(), src, elems, arch::copy_until_nul) },
        // SAFETY: as the caller guarantees, for 8-byte elements; `dst` is
        // 8-aligned.
        8 if dst.cast::<u64>().is_aligned() => unsafe {
            run_fused::<u64, true>(dst.cast(), src, elems, arch::copy_until_zero_u64)
        },
        _ => {
            // SAFETY: as the caller guarantees; no injection is due.
            let left = unsafe { copy_guarded(dst.cast(), src, bytes) };
            if left != 0 {
                return Err(LinuxError::EFAULT);
            }
            // SAFETY: the `bytes` bytes were just initialized by the copy.
            let copied = unsafe { slice::from_raw_parts(dst.cast::<u8>(), bytes) };
            Ok(crate::check::find_zero_element::<T>(copied))
        }
    }
}

/// [`TerminatedCopy::copy`] of an access that a test fails after `allowed`
/// bytes: the terminator, if it lies in them, is found as the fused
/// routine would have found it before the fault; otherwise `EFAULT`.
///
/// # Safety
///
/// As [`TerminatedCopy::copy`], `allowed` bytes at most of those it
/// validated.
#[cold]
unsafe fn copy_terminated_injected<T>(
    dst: *mut T,
    src: usize,
    allowed: usize,
) -> LinuxResult<Option<usize>> {
    // SAFETY: as the caller guarantees.
    if unsafe { copy_guarded(dst.cast(), src, allowed) } != 0 {
        return Err(LinuxError::EFAULT);
    }
    // SAFETY: the `allowed` bytes were just initialized by the copy.
    let copied = unsafe { slice::from_raw_parts(dst.cast::<u8>(), allowed) };
    let whole = allowed - allowed % size_of::<T>().max(1);
    match crate::check::find_zero_element::<T>(copied.get(..whole).unwrap_or_default()) {
        Some(index) => Ok(Some(index)),
        None => Err(LinuxError::EFAULT),
    }
}

/// Copies `len` bytes from validated user memory at `src` to `dst` inside
/// an access window, without asking fault injection (the caller did);
/// returns the number of bytes not copied.
///
/// # Safety
///
/// As [`copy_from_validated`].
#[inline]
unsafe fn copy_guarded(dst: *mut u8, src: usize, len: usize) -> usize {
    // SAFETY: a local guard, dropped when this function returns.
    let _guard = unsafe { UserAccessGuard::new() };
    // SAFETY: as the caller guarantees.
    unsafe { move_raw(Direction::FromUser, src, dst, len) }
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

/// The fast and the general path keep the same rules: the address space
/// is never called with the flag set, an enclosing access gets its flag
/// back, and validation is not repeated where nothing asks for it.
#[cfg(test)]
mod tests {
    use alloc::vec::Vec;
    use core::ffi::c_char;

    use axerrno::LinuxResult;
    use memory_addr::{VirtAddr, VirtAddrRange};
    use page_table_multiarch::MappingFlags;

    #[cfg(feature = "alloc")]
    use crate::strings::ArgLimits;
    use crate::{
        AddrSpace, AddrSpaceProvider, UserConstPtr, UserPtr, access_user_memory,
        is_accessing_user_memory, testing::HeapSpace,
    };

    const PAGE: usize = 4096;
    const RW: MappingFlags = MappingFlags::READ.union(MappingFlags::WRITE);

    /// A provider that counts its calls and records whether any saw the
    /// flag set.
    struct Watch {
        space: HeapSpace,
        calls: usize,
        flag_seen_set: bool,
    }

    // SAFETY: every answer is the inner `HeapSpace`'s.
    unsafe impl AddrSpace for Watch {
        fn check_region_access(&self, range: VirtAddrRange, flags: MappingFlags) -> bool {
            self.space.check_region_access(range, flags)
        }
        fn populate_area(
            &mut self,
            start: VirtAddr,
            size: usize,
            flags: MappingFlags,
        ) -> LinuxResult<()> {
            self.space.populate_area(start, size, flags)
        }
        fn user_range(&self) -> VirtAddrRange {
            self.space.user_range()
        }
    }

    struct Provider(Watch);

    impl AddrSpaceProvider for Provider {
        type AddrSpace = Watch;
        fn with_addr_space<R>(&mut self, f: impl FnOnce(&mut Watch) -> R) -> R {
            self.0.calls += 1;
            self.0.flag_seen_set |= is_accessing_user_memory();
            f(&mut self.0)
        }
    }

    /// Two read-write pages: a struct, a string, an argv array of three
    /// strings in the first.
    fn provider() -> (Provider, usize) {
        let mut space = HeapSpace::new(2);
        let base = space.base();
        space.map(base, 2 * PAGE, RW);
        space.poke(base + 64, b"hello\0");
        let strings = [base + 200, base + 203, base + 210];
        space.poke(base + 200, b"ls\0-la\0\0\0\0/tmp\0");
        let argv: Vec<u8> = strings
            .iter()
            .chain(&[0])
            .flat_map(|p| p.to_ne_bytes())
            .collect();
        space.poke(base + 128, &argv);
        let watch = Watch {
            space,
            calls: 0,
            flag_seen_set: false,
        };
        (Provider(watch), base)
    }

    /// Every copy kind once; returns what they read.
    fn every_copy(p: &mut Provider, base: usize) -> (u64, usize, Vec<u8>) {
        let word = UserPtr::<u64>::from(base + 8);
        word.write(p, 0x1122).unwrap();
        let value = word.read(p).unwrap();
        let mut writer = UserPtr::<u8>::from(base + 512).writer(64);
        let moved = writer.write(p, &[7; 64]).unwrap();
        let mut buf = [0u8; 64];
        let cstr = UserConstPtr::<c_char>::from(base + 64)
            .read_cstr(p, &mut buf)
            .unwrap()
            .to_bytes()
            .to_vec();
        (value, moved, cstr)
    }

    #[test]
    fn copies_never_call_the_address_space_with_the_flag_set() {
        let (mut p, base) = provider();
        assert_eq!(every_copy(&mut p, base), (0x1122, 64, b"hello".to_vec()));
        assert!(!p.0.flag_seen_set);
        assert!(!is_accessing_user_memory());
    }

    #[test]
    fn copies_inside_an_access_clear_the_flag_for_the_address_space_and_restore_it() {
        let (mut p, base) = provider();
        let read = access_user_memory(|| {
            let read = every_copy(&mut p, base);
            assert!(
                is_accessing_user_memory(),
                "the enclosing access lost its flag"
            );
            read
        });
        assert_eq!(read, (0x1122, 64, b"hello".to_vec()));
        assert!(!p.0.flag_seen_set);
        assert!(!is_accessing_user_memory());
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn argv_in_one_page_is_validated_once() {
        let (mut p, base) = provider();
        let argv = UserConstPtr::<UserConstPtr<c_char>>::from(base + 128);
        let mut limits = ArgLimits::new(1 << 20);
        let args = argv.read_arg_strings(&mut p, &mut limits).unwrap();
        assert_eq!(args, alloc::vec![c"ls", c"-la", c"/tmp"]);
        // The array's chunk runs to the end of its page, and the strings
        // after it lie inside it.
        assert_eq!(p.0.calls, 1);
        // Each string read alone is validated again.
        let first = UserConstPtr::<c_char>::from(base + 200);
        let calls = p.0.calls;
        first.read_cstring(&mut p, 64).unwrap();
        first.read_cstring(&mut p, 64).unwrap();
        assert_eq!(p.0.calls, calls + 2);
    }
}
