//! The in-place API: Rust references into user memory, `unsafe` to obtain.
//!
//! These functions validate a range (alignment included) and lend it as a
//! `&T`/`&mut T`/`&[T]`/`&CStr`/`&str`. A reference promises the compiler
//! that nothing else writes (or, for `&mut`, reads) the memory while it
//! lives and that it stays dereferenceable. User memory keeps neither
//! promise by itself: another user thread can write or unmap it at any
//! time, a second provider for the same space can lend it again, and a
//! `&str` rewritten with invalid UTF-8 or a `&CStr` whose NUL disappears is
//! undefined behaviour in safe code that reads it. So the caller of every
//! function here promises it, in the terms of [`Lend`]'s in-place contract;
//! safe code copies instead.
//!
//! Two forms:
//! - `get`, `get_as_slice`, `get_as_null_terminated`, `get_as_cstr`,
//!   `get_as_str` return the reference, borrowing the provider;
//! - `with`, `with_slice`, `with_null_terminated`, `with_cstr`, `with_str`
//!   hand it to a closure that runs inside an access window (the fault flag,
//!   and the architecture's user-access permission such as riscv64 `SUM`,
//!   set for exactly the closure): for kernels that keep user pages
//!   inaccessible outside accesses, or leave lazy pages to their fault
//!   handler.
//!
//! Neither form survives a page unmapped while the reference lives: there
//! is no fixup for an access through a reference, and the fault flag cannot
//! cover one either (the compiler may perform it anywhere in the
//! reference's lifetime).

use core::{
    ffi::{CStr, c_char},
    mem::align_of,
    ptr::{self, NonNull},
    slice,
};

use axerrno::{LinuxError, LinuxResult};
use page_table_multiarch::MappingFlags;

use super::{Access, Read, ReadWrite, UserPtr};
use crate::{
    AddrSpaceProvider, UserCopy,
    check::{check_region, scan_null_terminated, size_of_user},
    flag::access_user_memory,
    strings::Limit,
    uaccess::{find_zero_in_place, user_ptr},
};

/// How a pointer lends memory in place: `&T` through a
/// [`UserConstPtr`](crate::UserConstPtr), `&mut T` through a
/// [`UserPtr`].
///
/// # The in-place contract
///
/// This is the contract of every in-place function (`get`, `with`, and
/// their slice and string forms), which the caller of one accepts: from
/// the call until the lent reference is last used,
///
/// - nothing writes the lent bytes (for `&mut`, nothing but the reference
///   reads or writes them): no other user thread, no copy or cursor through
///   this or another provider, no other lent reference. A single-threaded
///   process whose kernel makes one reference at a time keeps this; a
///   multi-threaded one needs the kernel to hold the other threads (or the
///   address space) still;
/// - the memory stays mapped and present with the validated permissions
///   (nothing unmaps, protects or evicts it), and the CPU can reach it (on
///   kernels that close user access outside accesses, riscv64 `SUM`
///   clear, x86_64 SMAP, aarch64 PAN, use the `with` forms, whose closure
///   runs in an access window; the `get` forms need user access open for
///   as long as the reference is used).
///
/// Implemented for [`ReadWrite`] and [`Read`] only (sealed).
pub trait Lend: super::sealed::Sealed {
    /// The reference lent for `'a`: `&'a mut T` or `&'a T`.
    type Ref<'a, T: ?Sized + 'a>;

    /// Makes the reference.
    ///
    /// # Safety
    ///
    /// `ptr` is valid, aligned and initialized for `'a` under the in-place
    /// contract above.
    #[doc(hidden)]
    unsafe fn lend<'a, T: ?Sized + 'a>(ptr: *mut T) -> Self::Ref<'a, T>;
}

impl Lend for ReadWrite {
    type Ref<'a, T: ?Sized + 'a> = &'a mut T;

    #[inline(always)]
    unsafe fn lend<'a, T: ?Sized + 'a>(ptr: *mut T) -> &'a mut T {
        // SAFETY: as the caller guarantees.
        unsafe { &mut *ptr }
    }
}

impl Lend for Read {
    type Ref<'a, T: ?Sized + 'a> = &'a T;

    #[inline(always)]
    unsafe fn lend<'a, T: ?Sized + 'a>(ptr: *mut T) -> &'a T {
        // SAFETY: as the caller guarantees.
        unsafe { &*ptr }
    }
}

/// Validates `len` elements at `addr` for lending and returns the pointer:
/// dangling (never null) when the region is empty.
#[inline]
fn validate_ref<T: UserCopy, P: AddrSpaceProvider + ?Sized>(
    provider: &mut P,
    addr: usize,
    len: usize,
    flags: MappingFlags,
) -> LinuxResult<NonNull<T>> {
    // OVERFLOW: a hostile length must not wrap; Rust also caps an object at
    // `isize::MAX` bytes.
    let size = len
        .checked_mul(size_of_user::<T>())
        .filter(|&size| size <= isize::MAX as usize)
        .ok_or(LinuxError::EFAULT)?;
    if size == 0 {
        // Valid at any address inside user space, never built from null.
        check_region(provider, addr, 0, flags)?;
        return Ok(NonNull::dangling());
    }
    if addr % align_of::<T>() != 0 {
        return Err(LinuxError::EFAULT);
    }
    check_region(provider, addr, size, flags)?;
    NonNull::new(user_ptr(addr)).ok_or(LinuxError::EFAULT)
}

/// Validates null-terminated data in place; returns the pointer and the
/// number of elements before the terminator.
fn validate_null_terminated<T: UserCopy, P: AddrSpaceProvider + ?Sized>(
    provider: &mut P,
    addr: usize,
    flags: MappingFlags,
) -> LinuxResult<(NonNull<T>, usize)> {
    let size = size_of_user::<T>();
    if addr % align_of::<T>() != 0 {
        return Err(LinuxError::EFAULT);
    }
    let len =
        scan_null_terminated::<T, P>(provider, addr, flags, Limit::PATH, |chunk, elems, _| {
            // SAFETY: `scan_null_terminated` validated these elements; the
            // caller of the in-place API keeps them mapped.
            Ok(unsafe { find_zero_in_place::<T>(chunk, elems) })
        })?;
    let ptr = if size == 0 {
        NonNull::dangling()
    } else {
        NonNull::new(user_ptr(addr)).ok_or(LinuxError::EFAULT)?
    };
    Ok((ptr, len))
}

/// The C string of `len` bytes and its NUL at `ptr`.
///
/// # Safety
///
/// A null-terminated scan validated the `len + 1` bytes and found the first
/// NUL at `len`; the caller lends the result under [`Lend`]'s contract
/// (nothing rewrites the bytes while it lives).
unsafe fn lend_cstr<'a>(ptr: NonNull<u8>, len: usize) -> &'a CStr {
    // SAFETY: the caller guarantees the `len + 1` bytes.
    let bytes = unsafe { slice::from_raw_parts(ptr.as_ptr(), len + 1) };
    // Not `from_bytes_with_nul`: it would scan user memory a second time,
    // byte by byte, and outside the access window.
    // SAFETY: the scan found the first NUL at `len`: `bytes` ends with it
    // and holds no other, and the caller's contract keeps it so.
    unsafe { CStr::from_bytes_with_nul_unchecked(bytes) }
}

/// In place, `unsafe`: references into user memory, `&mut` through a
/// [`UserPtr<T>`] and `&` through a [`UserConstPtr<T>`](crate::UserConstPtr),
/// under the in-place contract of [`Lend`].
impl<T, A: Access> UserPtr<T, A> {
    /// Validates a `T` (aligned, mapped with [`ACCESS_FLAGS`](Self::ACCESS_FLAGS),
    /// populated) and lends it in place for as long as the provider stays
    /// borrowed: `&mut T` through a `UserPtr`, `&T` through a
    /// `UserConstPtr`.
    ///
    /// # Safety
    ///
    /// The in-place contract of [`Lend`]: nothing else writes (or, for `&mut`,
    /// touches) or unmaps the memory while the reference lives.
    ///
    /// # Errors
    ///
    /// `EFAULT` if the pointer is null, misaligned, unmapped or lacks the
    /// permissions.
    pub unsafe fn get<P: AddrSpaceProvider + ?Sized>(
        self,
        provider: &mut P,
    ) -> LinuxResult<A::Ref<'_, T>>
    where
        T: UserCopy,
    {
        let ptr = validate_ref::<T, P>(provider, self.addr, 1, A::FLAGS)?;
        // SAFETY: validated (aligned, mapped, populated) or dangling for a
        // zero-sized `T`; the caller keeps the contract of `Lend`.
        Ok(unsafe { A::lend(ptr.as_ptr()) })
    }

    /// Validates `len` elements and lends them in place. An empty slice is
    /// valid at any address inside user space (and never built from a
    /// null pointer).
    ///
    /// # Safety
    ///
    /// As [`get`](Self::get).
    ///
    /// # Errors
    ///
    /// `EFAULT` as [`get`](Self::get), also when `len * size_of::<T>()`
    /// overflows.
    pub unsafe fn get_as_slice<P: AddrSpaceProvider + ?Sized>(
        self,
        provider: &mut P,
        len: usize,
    ) -> LinuxResult<A::Ref<'_, [T]>>
    where
        T: UserCopy,
    {
        let ptr = validate_ref::<T, P>(provider, self.addr, len, A::FLAGS)?;
        // SAFETY: as in `get`, for `len` elements.
        Ok(unsafe { A::lend(ptr::slice_from_raw_parts_mut(ptr.as_ptr(), len)) })
    }

    /// Validates null-terminated data (up to [`PATH_MAX`](crate::PATH_MAX)
    /// elements, terminator included) and lends the part before the
    /// terminator in place.
    ///
    /// # Safety
    ///
    /// As [`get`](Self::get).
    ///
    /// # Errors
    ///
    /// `EFAULT` for a null, misaligned or unmapped pointer; `ENAMETOOLONG`
    /// if there is no terminator within the limit.
    pub unsafe fn get_as_null_terminated<P: AddrSpaceProvider + ?Sized>(
        self,
        provider: &mut P,
    ) -> LinuxResult<A::Ref<'_, [T]>>
    where
        T: UserCopy,
    {
        let (ptr, len) = validate_null_terminated::<T, P>(provider, self.addr, A::FLAGS)?;
        // SAFETY: as in `get`, for the `len` elements before the terminator.
        Ok(unsafe { A::lend(ptr::slice_from_raw_parts_mut(ptr.as_ptr(), len)) })
    }

    /// Validates a `T` as [`get`](Self::get) does and runs `f` on it in
    /// place, inside an access window: the fault flag (and the
    /// architecture's user-access permission) is set for exactly the call
    /// of `f`, so the reference works in a kernel that keeps user access
    /// closed, and a page the kernel's fault handler populates on demand is
    /// faulted in. Keep `f` short: kernel faults on user memory count as
    /// expected while it runs. (`T: 'static` lets the reference's lifetime
    /// be any the closure is given; user-copyable data borrows nothing.)
    ///
    /// # Safety
    ///
    /// As [`get`](Self::get), while `f` runs (the reference cannot leave
    /// it).
    ///
    /// # Errors
    ///
    /// As [`get`](Self::get); `f` does not run.
    pub unsafe fn with<P: AddrSpaceProvider + ?Sized, R>(
        self,
        provider: &mut P,
        f: impl for<'r> FnOnce(A::Ref<'r, T>) -> R,
    ) -> LinuxResult<R>
    where
        T: UserCopy,
        T: 'static,
    {
        let ptr = validate_ref::<T, P>(provider, self.addr, 1, A::FLAGS)?;
        // SAFETY: as in `get`; lent to `f` only, inside the window, with
        // the provider borrowed.
        Ok(access_user_memory(|| f(unsafe { A::lend(ptr.as_ptr()) })))
    }

    /// Validates `len` elements as [`get_as_slice`](Self::get_as_slice)
    /// does and runs `f` on them in place, inside an access window (see
    /// [`with`](Self::with)).
    ///
    /// # Safety
    ///
    /// As [`with`](Self::with).
    ///
    /// # Errors
    ///
    /// As [`get_as_slice`](Self::get_as_slice); `f` does not run.
    pub unsafe fn with_slice<P: AddrSpaceProvider + ?Sized, R>(
        self,
        provider: &mut P,
        len: usize,
        f: impl for<'r> FnOnce(A::Ref<'r, [T]>) -> R,
    ) -> LinuxResult<R>
    where
        T: UserCopy,
        T: 'static,
    {
        let ptr = validate_ref::<T, P>(provider, self.addr, len, A::FLAGS)?;
        let raw = ptr::slice_from_raw_parts_mut(ptr.as_ptr(), len);
        // SAFETY: as in `get_as_slice`; lent to `f` only, inside the window.
        Ok(access_user_memory(|| f(unsafe { A::lend(raw) })))
    }

    /// Validates null-terminated data as
    /// [`get_as_null_terminated`](Self::get_as_null_terminated) does and
    /// runs `f` on the part before the terminator in place, inside an
    /// access window (see [`with`](Self::with)).
    ///
    /// # Safety
    ///
    /// As [`with`](Self::with).
    ///
    /// # Errors
    ///
    /// As [`get_as_null_terminated`](Self::get_as_null_terminated); `f`
    /// does not run.
    pub unsafe fn with_null_terminated<P: AddrSpaceProvider + ?Sized, R>(
        self,
        provider: &mut P,
        f: impl for<'r> FnOnce(A::Ref<'r, [T]>) -> R,
    ) -> LinuxResult<R>
    where
        T: UserCopy,
        T: 'static,
    {
        let (ptr, len) = validate_null_terminated::<T, P>(provider, self.addr, A::FLAGS)?;
        let raw = ptr::slice_from_raw_parts_mut(ptr.as_ptr(), len);
        // SAFETY: as in `get_as_null_terminated`; lent to `f` only, inside
        // the window.
        Ok(access_user_memory(|| f(unsafe { A::lend(raw) })))
    }
}

/// C strings in place, `unsafe` (see [`Lend`]). (Docs built for x86_64 show
/// `c_char` as `i8`.)
impl<A: Access> UserPtr<c_char, A> {
    /// Validates a C string of at most [`PATH_MAX`](crate::PATH_MAX) bytes
    /// (NUL included) and lends it in place.
    ///
    /// # Safety
    ///
    /// As [`get`](Self::get): in particular nothing may rewrite the bytes
    /// (a vanished NUL makes the `&CStr` undefined behaviour to read).
    ///
    /// # Errors
    ///
    /// `EFAULT` for null or unmapped memory before the NUL;
    /// `ENAMETOOLONG` if there is no NUL within the limit.
    pub unsafe fn get_as_cstr<P: AddrSpaceProvider + ?Sized>(
        self,
        provider: &mut P,
    ) -> LinuxResult<&CStr> {
        let (ptr, len) =
            validate_null_terminated::<u8, P>(provider, self.addr, MappingFlags::READ)?;
        // SAFETY: validated by the scan that found the NUL at `len`; the
        // caller keeps the contract of `Lend` while the provider is
        // borrowed.
        Ok(unsafe { lend_cstr(ptr, len) })
    }

    /// Validates a C string as [`get_as_cstr`](Self::get_as_cstr) does and
    /// lends it as UTF-8 (without the NUL).
    ///
    /// # Safety
    ///
    /// As [`get_as_cstr`](Self::get_as_cstr): bytes rewritten after the
    /// UTF-8 check would make the `&str` undefined behaviour to read.
    ///
    /// # Errors
    ///
    /// As [`get_as_cstr`](Self::get_as_cstr), and `EILSEQ` for invalid
    /// UTF-8.
    pub unsafe fn get_as_str<P: AddrSpaceProvider + ?Sized>(
        self,
        provider: &mut P,
    ) -> LinuxResult<&str> {
        // SAFETY: the caller's contract, passed on.
        let cstr = unsafe { self.get_as_cstr(provider)? };
        // UTF-8 validation reads user memory: inside the window.
        access_user_memory(|| cstr.to_str()).map_err(|_| LinuxError::EILSEQ)
    }

    /// Validates a C string as [`get_as_cstr`](Self::get_as_cstr) does and
    /// runs `f` on it in place, inside an access window (see
    /// [`with`](UserPtr::with)).
    ///
    /// # Safety
    ///
    /// As [`get_as_cstr`](Self::get_as_cstr), while `f` runs.
    ///
    /// # Errors
    ///
    /// As [`get_as_cstr`](Self::get_as_cstr); `f` does not run.
    pub unsafe fn with_cstr<P: AddrSpaceProvider + ?Sized, R>(
        self,
        provider: &mut P,
        f: impl FnOnce(&CStr) -> R,
    ) -> LinuxResult<R> {
        let (ptr, len) =
            validate_null_terminated::<u8, P>(provider, self.addr, MappingFlags::READ)?;
        // SAFETY: validated by the scan that found the NUL at `len`; lent
        // to `f` only, inside the window, with the provider borrowed.
        Ok(access_user_memory(|| f(unsafe { lend_cstr(ptr, len) })))
    }

    /// Validates a C string as [`get_as_str`](Self::get_as_str) does and
    /// runs `f` on it in place, inside an access window (see
    /// [`with`](UserPtr::with)).
    ///
    /// # Safety
    ///
    /// As [`get_as_str`](Self::get_as_str), while `f` runs.
    ///
    /// # Errors
    ///
    /// As [`get_as_str`](Self::get_as_str); `f` does not run.
    pub unsafe fn with_str<P: AddrSpaceProvider + ?Sized, R>(
        self,
        provider: &mut P,
        f: impl FnOnce(&str) -> R,
    ) -> LinuxResult<R> {
        // SAFETY: the caller's contract, passed on.
        unsafe { self.with_cstr(provider, |cstr| cstr.to_str().map(f)) }?
            .map_err(|_| LinuxError::EILSEQ)
    }
}
