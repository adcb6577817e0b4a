//! Typed pointers into user space.
//!
//! A [`UserPtr<T>`] or [`UserConstPtr<T>`] is only an address that user space
//! passed in a register: nothing about it is trusted until it is validated.
//! Two ways lead from the pointer to the data:
//!
//! - **Copy access** ([`read`](UserConstPtr::read), [`write`](UserPtr::write),
//!   [`read_slice`](UserConstPtr::read_slice),
//!   [`write_slice`](UserPtr::write_slice),
//!   [`read_cstr`](UserConstPtr::read_cstr), ...): validates, then copies
//!   through the fallible copy routine with the fault flag set. No alignment
//!   is required, and a page that another user thread unmaps during the copy
//!   becomes `EFAULT`. This is the safe choice for memory other threads can
//!   change or unmap.
//! - **Reference access** ([`get`](UserPtr::get),
//!   [`get_as_slice`](UserPtr::get_as_slice),
//!   [`get_as_null_terminated`](UserPtr::get_as_null_terminated),
//!   [`get_as_str`](UserConstPtr::get_as_str),
//!   [`get_as_cstr`](UserConstPtr::get_as_cstr)): validates (including
//!   alignment) and populates, then lends the memory in place. The reference
//!   borrows the provider, so no second reference into user memory can be
//!   made through it while the first lives. That exclusivity is per
//!   provider: a kernel that can make two providers for one address space
//!   (a zero-sized handle to the current process's space, or
//!   `SimSpace::provider` called twice) must not reach a lent reference's
//!   bytes through another provider while it lives (a second lent `&mut`,
//!   a copy writing them): that is undefined behaviour. The kernel uses the
//!   reference without the fault flag: if another thread unmaps the page
//!   after validation, the access faults and cannot be rescued. Use it only
//!   where the address space cannot change under the kernel
//!   (single-threaded process, or the address space lock held by the
//!   caller's design).
//!
//! - **Scoped reference access** ([`with`](UserConstPtr::with),
//!   [`with_slice`](UserConstPtr::with_slice),
//!   [`with_null_terminated`](UserConstPtr::with_null_terminated),
//!   [`with_str`](UserConstPtr::with_str),
//!   [`with_cstr`](UserConstPtr::with_cstr)): the same validation, then the
//!   reference is handed to a closure that runs inside an access window
//!   (the fault flag and, on riscv64 kernel builds, `SUM` set). For kernels
//!   that keep `SUM` clear outside user accesses, or leave lazy pages to
//!   their fault handler: a reference returned by `get` is used outside any
//!   window there, and faults.
//!
//! Element types are bounded by [`UserCopy`]: a `UserPtr<bool>` can be named
//! but not read.

#[cfg(feature = "alloc")]
use alloc::{ffi::CString, vec::Vec};
use core::{
    ffi::{CStr, c_char},
    fmt,
    hash::{Hash, Hasher},
    marker::PhantomData,
    mem::{MaybeUninit, align_of, size_of, size_of_val},
    ptr::NonNull,
    slice,
};

use axerrno::{LinuxError, LinuxResult};
use memory_addr::VirtAddr;
use page_table_multiarch::MappingFlags;

use crate::{
    AddrSpaceProvider, UserCopy,
    check::{CopyBlocks, PATH_MAX, check_region, find_zero_element, scan_null_terminated},
    flag::UserAccessGuard,
    uaccess::{copy_from_user, copy_from_validated, copy_to_user, find_zero_in_place, user_ptr},
};

/// A pointer to user memory that the kernel may read and write.
///
/// `#[repr(transparent)]` over the address, so it can be unpacked from a
/// register or stored in a `#[repr(C)]` struct shared with user space.
///
/// **Copy or reference?** The copy API (`read`, `write`, `read_slice`, ...)
/// goes through the fallible copy routine (x86_64, riscv64, aarch64): if
/// another user thread unmaps or protects the memory after validation, the
/// fault is sent to the routine's fixup and the copy returns `EFAULT`. The
/// reference API (`get`, `get_as_slice`, `get_as_null_terminated`, ...)
/// lends the memory in place, and nothing can rescue an access through that
/// reference once its page is gone: the kernel oopses. (The fault flag
/// cannot cover accesses through a reference either: the compiler may
/// perform them anywhere in the reference's lifetime.) Use references only
/// where the address space cannot change underneath (single-threaded
/// process, or your design holds it still), and the copy API for memory
/// other threads can unmap.
#[repr(transparent)]
pub struct UserPtr<T> {
    addr: usize,
    _marker: PhantomData<fn() -> T>,
}

/// A pointer to user memory that the kernel only reads.
///
/// **Copy or reference?** The copy API (`read`, `write`, `read_slice`, ...)
/// goes through the fallible copy routine (x86_64, riscv64, aarch64): if
/// another user thread unmaps or protects the memory after validation, the
/// fault is sent to the routine's fixup and the copy returns `EFAULT`. The
/// reference API (`get`, `get_as_slice`, `get_as_null_terminated`, ...)
/// lends the memory in place, and nothing can rescue an access through that
/// reference once its page is gone: the kernel oopses. (The fault flag
/// cannot cover accesses through a reference either: the compiler may
/// perform them anywhere in the reference's lifetime.) Use references only
/// where the address space cannot change underneath (single-threaded
/// process, or your design holds it still), and the copy API for memory
/// other threads can unmap.
#[repr(transparent)]
pub struct UserConstPtr<T> {
    addr: usize,
    _marker: PhantomData<fn() -> T>,
}

/// Validates `len` elements at `addr` for the reference API and returns the
/// pointer to lend: dangling (never null) when the region is empty.
#[inline]
fn validate_ref<T: UserCopy, P: AddrSpaceProvider + ?Sized>(
    provider: &mut P,
    addr: usize,
    len: usize,
    flags: MappingFlags,
) -> LinuxResult<NonNull<T>> {
    let () = T::__LAYOUT_CHECKED;
    // OVERFLOW: a hostile length must not wrap; Rust also caps an object at
    // `isize::MAX` bytes.
    let size = len
        .checked_mul(size_of::<T>())
        .filter(|&size| size <= isize::MAX as usize)
        .ok_or(LinuxError::EFAULT)?;
    if size == 0 {
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
    let () = T::__LAYOUT_CHECKED;
    let size = size_of::<T>();
    if addr % align_of::<T>() != 0 {
        return Err(LinuxError::EFAULT);
    }
    let len = scan_null_terminated::<T, P>(provider, addr, flags, PATH_MAX, |chunk, elems, _| {
        // SAFETY: `scan_null_terminated` validated these elements.
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
/// NUL at `len`; the caller lends the result no longer than the memory
/// stays lent (the provider's borrow, or an access window inside it).
unsafe fn lend_cstr<'a>(ptr: NonNull<u8>, len: usize) -> &'a CStr {
    // SAFETY: the caller guarantees the `len + 1` bytes.
    let bytes = unsafe { slice::from_raw_parts(ptr.as_ptr(), len + 1) };
    // Not `from_bytes_with_nul`: it would scan user memory a second time,
    // byte by byte, and outside the access guard (without the fault flag,
    // and on riscv64 without SUM).
    // SAFETY: the scan found the first NUL at `len`: `bytes` ends with it
    // and holds no other. The reference API lends memory that nothing
    // changes while it is lent (see the type's docs), so that still holds.
    unsafe { CStr::from_bytes_with_nul_unchecked(bytes) }
}

/// Items shared by both pointer types: construction, inspection and the
/// read side of the copy API.
macro_rules! user_pointer_common {
    ($Ptr:ident, $flags:expr) => {
        impl<T> $Ptr<T> {
            /// The permissions the reference API requires of the memory.
            pub const ACCESS_FLAGS: MappingFlags = $flags;

            /// The null pointer.
            #[inline]
            #[must_use]
            pub const fn null() -> Self {
                Self::from_addr(0)
            }

            #[inline]
            const fn from_addr(addr: usize) -> Self {
                Self {
                    addr,
                    _marker: PhantomData,
                }
            }

            /// The user address.
            #[inline]
            #[must_use]
            pub fn address(self) -> VirtAddr {
                VirtAddr::from(self.addr)
            }

            /// Whether the address is zero.
            #[inline]
            #[must_use]
            pub fn is_null(self) -> bool {
                self.addr == 0
            }

            /// `None` for a null pointer, the pointer otherwise: for optional
            /// arguments.
            #[inline]
            #[must_use]
            pub fn nullable(self) -> Option<Self> {
                if self.is_null() { None } else { Some(self) }
            }

            /// The same address, seen as pointing to a `U`.
            #[inline]
            #[must_use]
            pub fn cast<U>(self) -> $Ptr<U> {
                $Ptr::from_addr(self.addr)
            }

            /// The pointer `count` elements further, wrapping around the
            /// address space: for walking a user array in chunks. The result
            /// is as unvalidated as `self`; a wrapped address fails
            /// validation like any other bad address.
            #[inline]
            #[must_use]
            pub fn wrapping_add(self, count: usize) -> Self {
                self.wrapping_byte_add(count.wrapping_mul(size_of::<T>()))
            }

            /// The pointer `bytes` bytes further, wrapping around the
            /// address space (see [`wrapping_add`](Self::wrapping_add)).
            #[inline]
            #[must_use]
            pub fn wrapping_byte_add(self, bytes: usize) -> Self {
                Self::from_addr(self.addr.wrapping_add(bytes))
            }

            /// Copies a `T` out of user memory. No alignment is required.
            ///
            /// # Errors
            ///
            /// `EFAULT` if the memory is null, unmapped, not readable, or
            /// faults during the copy.
            #[inline]
            pub fn read<P: AddrSpaceProvider + ?Sized>(self, provider: &mut P) -> LinuxResult<T>
            where
                T: UserCopy,
            {
                let () = T::__LAYOUT_CHECKED;
                let mut value = MaybeUninit::<T>::uninit();
                // SAFETY: `value` is a kernel buffer of `size_of::<T>()` bytes.
                unsafe {
                    copy_from_user(
                        provider,
                        value.as_mut_ptr().cast(),
                        self.addr,
                        size_of::<T>(),
                    )?
                };
                // SAFETY: every byte was copied, and `T: UserCopy` accepts any bytes.
                Ok(unsafe { value.assume_init() })
            }

            /// Copies `dst.len()` elements out of user memory into `dst`.
            ///
            /// # Errors
            ///
            /// `EFAULT` as for [`read`](Self::read), also when the length
            /// overflows. On error `dst` holds an unspecified prefix of the
            /// data (still valid values).
            #[inline]
            pub fn read_slice<P: AddrSpaceProvider + ?Sized>(
                self,
                provider: &mut P,
                dst: &mut [T],
            ) -> LinuxResult<()>
            where
                T: UserCopy,
            {
                let () = T::__LAYOUT_CHECKED;
                let len = size_of_val(dst);
                // SAFETY: `dst` is a kernel buffer of `len` bytes; any bytes
                // written into it are valid `T`s.
                unsafe { copy_from_user(provider, dst.as_mut_ptr().cast(), self.addr, len) }
            }

            /// Copies null-terminated data (terminated by an all-zero
            /// element) into `buf`, and returns the part before the
            /// terminator. `buf.len()` is the limit, terminator included.
            ///
            /// # Errors
            ///
            /// `EFAULT` for null or unmapped memory before the terminator;
            /// `ENAMETOOLONG` when `buf` fills up without a terminator.
            pub fn read_null_terminated<'b, P: AddrSpaceProvider + ?Sized>(
                self,
                provider: &mut P,
                buf: &'b mut [T],
            ) -> LinuxResult<&'b [T]>
            where
                T: UserCopy,
            {
                let () = T::__LAYOUT_CHECKED;
                let size = size_of::<T>();
                let base = buf.as_mut_ptr().cast::<u8>();
                let limit = buf.len();
                let mut blocks = CopyBlocks::new();
                let len = scan_null_terminated::<T, P>(
                    provider,
                    self.addr,
                    MappingFlags::READ,
                    limit,
                    |chunk, elems, before| {
                        blocks.visit::<T>(chunk, elems, |block, n, done| {
                            // SAFETY: the scan never goes past `limit`
                            // elements, so `before + done + n <= buf.len()`.
                            let dst = unsafe { base.add((before + done) * size) };
                            // SAFETY: `dst` has room for `n` elements; the
                            // block lies in a chunk validated by the scan.
                            unsafe { copy_from_validated(dst, block, n * size)? };
                            // SAFETY: the bytes were just initialized by the copy.
                            let copied = unsafe { slice::from_raw_parts(dst, n * size) };
                            Ok(find_zero_element::<T>(copied))
                        })
                    },
                )?;
                Ok(&buf[..len])
            }

            /// Copies null-terminated data into a new vector (without the
            /// terminator), reading at most `max_len` elements including the
            /// terminator. Memory grows with the data, not with `max_len`.
            ///
            /// # Errors
            ///
            /// As [`read_null_terminated`](Self::read_null_terminated), and
            /// `ENOMEM` if the vector cannot grow.
            #[cfg(feature = "alloc")]
            pub fn read_null_terminated_vec<P: AddrSpaceProvider + ?Sized>(
                self,
                provider: &mut P,
                max_len: usize,
            ) -> LinuxResult<Vec<T>>
            where
                T: UserCopy,
            {
                let () = T::__LAYOUT_CHECKED;
                let size = size_of::<T>();
                let mut out = Vec::<T>::new();
                let mut blocks = CopyBlocks::new();
                scan_null_terminated::<T, P>(
                    provider,
                    self.addr,
                    MappingFlags::READ,
                    max_len,
                    |chunk, elems, _| {
                        blocks.visit::<T>(chunk, elems, |block, n, _| {
                            out.try_reserve(n).map_err(|_| LinuxError::ENOMEM)?;
                            let dst = out.spare_capacity_mut().as_mut_ptr().cast::<u8>();
                            // SAFETY: the spare capacity holds at least `n`
                            // elements; the block lies in a chunk validated
                            // by the scan.
                            unsafe { copy_from_validated(dst, block, n * size)? };
                            // SAFETY: the bytes were just initialized by the copy.
                            let copied = unsafe { slice::from_raw_parts(dst, n * size) };
                            let found = find_zero_element::<T>(copied);
                            let keep = found.unwrap_or(n);
                            // SAFETY: `keep <= n` elements after the old
                            // length were initialized with valid `T`s.
                            unsafe { out.set_len(out.len() + keep) };
                            Ok(found)
                        })
                    },
                )?;
                Ok(out)
            }
        }

        impl $Ptr<c_char> {
            /// Copies a C string into `buf` and returns it. `buf.len()` is
            /// the limit, NUL included (use [`PATH_MAX`](crate::PATH_MAX)
            /// bytes for a path).
            ///
            /// # Errors
            ///
            /// `EFAULT` for null or unmapped memory before the NUL;
            /// `ENAMETOOLONG` when `buf` fills up without a NUL.
            pub fn read_cstr<'b, P: AddrSpaceProvider + ?Sized>(
                self,
                provider: &mut P,
                buf: &'b mut [u8],
            ) -> LinuxResult<&'b CStr> {
                let len = self.cast::<u8>().read_null_terminated(provider, buf)?.len();
                let bytes = buf.get(..=len).ok_or(LinuxError::EFAULT)?;
                // SAFETY: the scan of the copy (kernel memory, which no user
                // thread can change) found its first NUL at `len`: `bytes`
                // ends with it and holds no other. (Checking again would
                // scan the string a second time, byte by byte.)
                Ok(unsafe { CStr::from_bytes_with_nul_unchecked(bytes) })
            }

            /// Copies a C string of at most `max_len` bytes (NUL included)
            /// into a new `CString`.
            ///
            /// # Errors
            ///
            /// As [`read_cstr`](Self::read_cstr), and `ENOMEM`.
            #[cfg(feature = "alloc")]
            pub fn read_cstring<P: AddrSpaceProvider + ?Sized>(
                self,
                provider: &mut P,
                max_len: usize,
            ) -> LinuxResult<CString> {
                let bytes = self
                    .cast::<u8>()
                    .read_null_terminated_vec(provider, max_len)?;
                // SAFETY: the scan of the copy stopped at its first NUL and
                // kept only the bytes before it.
                Ok(unsafe { CString::from_vec_unchecked(bytes) })
            }

            /// Validates a C string of at most [`PATH_MAX`](crate::PATH_MAX)
            /// bytes (NUL included) and lends it in place.
            ///
            /// # Errors
            ///
            /// `EFAULT` for null or unmapped memory before the NUL;
            /// `ENAMETOOLONG` if there is no NUL within the limit.
            pub fn get_as_cstr<P: AddrSpaceProvider + ?Sized>(
                self,
                provider: &mut P,
            ) -> LinuxResult<&CStr> {
                let (ptr, len) =
                    validate_null_terminated::<u8, P>(provider, self.addr, MappingFlags::READ)?;
                // SAFETY: validated by the scan that found the NUL at `len`;
                // lent while the provider stays borrowed.
                Ok(unsafe { lend_cstr(ptr, len) })
            }

            /// Validates a C string as [`get_as_cstr`](Self::get_as_cstr)
            /// does and lends it as UTF-8 (without the NUL).
            ///
            /// # Errors
            ///
            /// As [`get_as_cstr`](Self::get_as_cstr), and `EILSEQ` for
            /// invalid UTF-8.
            pub fn get_as_str<P: AddrSpaceProvider + ?Sized>(
                self,
                provider: &mut P,
            ) -> LinuxResult<&str> {
                let cstr = self.get_as_cstr(provider)?;
                // UTF-8 validation reads user memory: inside the guard.
                crate::flag::access_user_memory(|| cstr.to_str()).map_err(|_| LinuxError::EILSEQ)
            }

            /// Validates a C string as [`get_as_cstr`](Self::get_as_cstr)
            /// does and runs `f` on it in place, inside an access window
            /// (see [`with`](UserConstPtr::with)).
            ///
            /// # Errors
            ///
            /// As [`get_as_cstr`](Self::get_as_cstr); `f` does not run.
            pub fn with_cstr<P: AddrSpaceProvider + ?Sized, R>(
                self,
                provider: &mut P,
                f: impl FnOnce(&CStr) -> R,
            ) -> LinuxResult<R> {
                let (ptr, len) =
                    validate_null_terminated::<u8, P>(provider, self.addr, MappingFlags::READ)?;
                let _window = UserAccessGuard::new();
                // SAFETY: validated by the scan that found the NUL at `len`;
                // lent to `f` only, inside the window, with the provider
                // borrowed.
                Ok(f(unsafe { lend_cstr(ptr, len) }))
            }

            /// Validates a C string as [`get_as_str`](Self::get_as_str)
            /// does and runs `f` on it in place, inside an access window
            /// (see [`with`](UserConstPtr::with)).
            ///
            /// # Errors
            ///
            /// As [`get_as_str`](Self::get_as_str); `f` does not run.
            pub fn with_str<P: AddrSpaceProvider + ?Sized, R>(
                self,
                provider: &mut P,
                f: impl FnOnce(&str) -> R,
            ) -> LinuxResult<R> {
                self.with_cstr(provider, |cstr| cstr.to_str().map(f))?
                    .map_err(|_| LinuxError::EILSEQ)
            }
        }

        impl<T> From<usize> for $Ptr<T> {
            #[inline]
            fn from(addr: usize) -> Self {
                Self::from_addr(addr)
            }
        }

        impl<T> Clone for $Ptr<T> {
            #[inline]
            fn clone(&self) -> Self {
                *self
            }
        }

        impl<T> Copy for $Ptr<T> {}

        impl<T> Default for $Ptr<T> {
            #[inline]
            fn default() -> Self {
                Self::null()
            }
        }

        impl<T> PartialEq for $Ptr<T> {
            #[inline]
            fn eq(&self, other: &Self) -> bool {
                self.addr == other.addr
            }
        }

        impl<T> Eq for $Ptr<T> {}

        impl<T> Hash for $Ptr<T> {
            fn hash<H: Hasher>(&self, state: &mut H) {
                self.addr.hash(state);
            }
        }

        impl<T> fmt::Debug for $Ptr<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($Ptr), "({:#x})"), self.addr)
            }
        }

        // SAFETY: the pointer is a `usize` (`repr(transparent)`): any bits
        // are a valid (unvalidated) address, there is no padding, and zero is
        // null.
        unsafe impl<T> UserCopy for $Ptr<T> {}
    };
}

user_pointer_common!(UserPtr, MappingFlags::READ.union(MappingFlags::WRITE));
user_pointer_common!(UserConstPtr, MappingFlags::READ);

impl<T> UserPtr<T> {
    /// The raw pointer.
    ///
    /// # Safety
    ///
    /// The result is an unvalidated user address. Dereference it only after
    /// validating the memory, with the fault flag set
    /// ([`UserAccessGuard`](crate::UserAccessGuard)), and while nothing can
    /// unmap it.
    #[inline]
    #[must_use]
    pub unsafe fn as_ptr(self) -> *mut T {
        user_ptr(self.addr)
    }

    /// Validates a `T` (aligned, mapped read-write) and lends it in place
    /// for as long as the provider stays borrowed.
    ///
    /// # Errors
    ///
    /// `EFAULT` if the pointer is null, misaligned, unmapped or not writable.
    pub fn get<P: AddrSpaceProvider + ?Sized>(self, provider: &mut P) -> LinuxResult<&mut T>
    where
        T: UserCopy,
    {
        let ptr = validate_ref::<T, P>(provider, self.addr, 1, Self::ACCESS_FLAGS)?;
        // SAFETY: validated (aligned, mapped, populated) or dangling for a
        // zero-sized `T`; the provider stays mutably borrowed as long as the result, so no
        // other reference into user memory is made through it meanwhile.
        Ok(unsafe { &mut *ptr.as_ptr() })
    }

    /// Validates `len` elements and lends them in place. An empty slice is
    /// valid at any address (and never built from a null pointer).
    ///
    /// # Errors
    ///
    /// `EFAULT` as [`get`](Self::get), also when `len * size_of::<T>()`
    /// overflows.
    pub fn get_as_slice<P: AddrSpaceProvider + ?Sized>(
        self,
        provider: &mut P,
        len: usize,
    ) -> LinuxResult<&mut [T]>
    where
        T: UserCopy,
    {
        let ptr = validate_ref::<T, P>(provider, self.addr, len, Self::ACCESS_FLAGS)?;
        // SAFETY: as in `get`, for `len` elements.
        Ok(unsafe { slice::from_raw_parts_mut(ptr.as_ptr(), len) })
    }

    /// Validates null-terminated data (up to [`PATH_MAX`](crate::PATH_MAX)
    /// elements, terminator included) and lends the part before the
    /// terminator in place.
    ///
    /// # Errors
    ///
    /// `EFAULT` for a null, misaligned or unmapped pointer; `ENAMETOOLONG`
    /// if there is no terminator within the limit.
    pub fn get_as_null_terminated<P: AddrSpaceProvider + ?Sized>(
        self,
        provider: &mut P,
    ) -> LinuxResult<&mut [T]>
    where
        T: UserCopy,
    {
        let (ptr, len) = validate_null_terminated::<T, P>(provider, self.addr, Self::ACCESS_FLAGS)?;
        // SAFETY: as in `get`, for the `len` elements before the terminator.
        Ok(unsafe { slice::from_raw_parts_mut(ptr.as_ptr(), len) })
    }

    /// Validates a `T` as [`get`](Self::get) does and runs `f` on it in
    /// place, inside an access window: as [`UserConstPtr::with`], with a
    /// mutable reference.
    ///
    /// # Errors
    ///
    /// As [`get`](Self::get); `f` does not run.
    pub fn with<P: AddrSpaceProvider + ?Sized, R>(
        self,
        provider: &mut P,
        f: impl FnOnce(&mut T) -> R,
    ) -> LinuxResult<R>
    where
        T: UserCopy,
    {
        let ptr = validate_ref::<T, P>(provider, self.addr, 1, Self::ACCESS_FLAGS)?;
        let _window = UserAccessGuard::new();
        // SAFETY: as in `get`; lent to `f` only, inside the window, with the
        // provider borrowed.
        Ok(f(unsafe { &mut *ptr.as_ptr() }))
    }

    /// Validates `len` elements as [`get_as_slice`](Self::get_as_slice)
    /// does and runs `f` on them in place, inside an access window (see
    /// [`with`](Self::with)).
    ///
    /// # Errors
    ///
    /// As [`get_as_slice`](Self::get_as_slice); `f` does not run.
    pub fn with_slice<P: AddrSpaceProvider + ?Sized, R>(
        self,
        provider: &mut P,
        len: usize,
        f: impl FnOnce(&mut [T]) -> R,
    ) -> LinuxResult<R>
    where
        T: UserCopy,
    {
        let ptr = validate_ref::<T, P>(provider, self.addr, len, Self::ACCESS_FLAGS)?;
        let _window = UserAccessGuard::new();
        // SAFETY: as in `get_as_slice`; lent to `f` only, inside the window.
        Ok(f(unsafe { slice::from_raw_parts_mut(ptr.as_ptr(), len) }))
    }

    /// Validates null-terminated data as
    /// [`get_as_null_terminated`](Self::get_as_null_terminated) does and
    /// runs `f` on the part before the terminator in place, inside an
    /// access window (see [`with`](Self::with)).
    ///
    /// # Errors
    ///
    /// As [`get_as_null_terminated`](Self::get_as_null_terminated); `f`
    /// does not run.
    pub fn with_null_terminated<P: AddrSpaceProvider + ?Sized, R>(
        self,
        provider: &mut P,
        f: impl FnOnce(&mut [T]) -> R,
    ) -> LinuxResult<R>
    where
        T: UserCopy,
    {
        let (ptr, len) = validate_null_terminated::<T, P>(provider, self.addr, Self::ACCESS_FLAGS)?;
        let _window = UserAccessGuard::new();
        // SAFETY: as in `get_as_null_terminated`; lent to `f` only, inside
        // the window.
        Ok(f(unsafe { slice::from_raw_parts_mut(ptr.as_ptr(), len) }))
    }

    /// Copies `value` into user memory. No alignment is required.
    ///
    /// # Errors
    ///
    /// `EFAULT` if the memory is null, unmapped, not writable, or faults
    /// during the copy.
    #[inline]
    pub fn write<P: AddrSpaceProvider + ?Sized>(self, provider: &mut P, value: T) -> LinuxResult<()>
    where
        T: UserCopy,
    {
        let () = T::__LAYOUT_CHECKED;
        let src = (&raw const value).cast::<u8>();
        // SAFETY: `value` is `size_of::<T>()` initialized bytes (UserCopy: no
        // padding) in kernel memory.
        unsafe { copy_to_user(provider, self.addr, src, size_of::<T>()) }
    }

    /// Copies `src` into user memory.
    ///
    /// # Errors
    ///
    /// `EFAULT` as [`write`](Self::write). On error a prefix of the user
    /// buffer may have been written.
    #[inline]
    pub fn write_slice<P: AddrSpaceProvider + ?Sized>(
        self,
        provider: &mut P,
        src: &[T],
    ) -> LinuxResult<()>
    where
        T: UserCopy,
    {
        let () = T::__LAYOUT_CHECKED;
        // SAFETY: `src` is initialized kernel memory without padding.
        unsafe { copy_to_user(provider, self.addr, src.as_ptr().cast(), size_of_val(src)) }
    }
}

impl<T> UserConstPtr<T> {
    /// The raw pointer.
    ///
    /// # Safety
    ///
    /// As [`UserPtr::as_ptr`]: an unvalidated user address.
    #[inline]
    #[must_use]
    pub unsafe fn as_ptr(self) -> *const T {
        user_ptr(self.addr)
    }

    /// Validates a `T` (aligned, mapped readable) and lends it in place for
    /// as long as the provider stays borrowed.
    ///
    /// # Errors
    ///
    /// `EFAULT` if the pointer is null, misaligned, unmapped or not readable.
    pub fn get<P: AddrSpaceProvider + ?Sized>(self, provider: &mut P) -> LinuxResult<&T>
    where
        T: UserCopy,
    {
        let ptr = validate_ref::<T, P>(provider, self.addr, 1, Self::ACCESS_FLAGS)?;
        // SAFETY: validated (aligned, mapped, populated) or dangling for a
        // zero-sized `T`; lent while the provider stays borrowed.
        Ok(unsafe { &*ptr.as_ptr() })
    }

    /// Validates `len` elements and lends them in place. An empty slice is
    /// valid at any address (and never built from a null pointer).
    ///
    /// # Errors
    ///
    /// `EFAULT` as [`get`](Self::get), also when `len * size_of::<T>()`
    /// overflows.
    pub fn get_as_slice<P: AddrSpaceProvider + ?Sized>(
        self,
        provider: &mut P,
        len: usize,
    ) -> LinuxResult<&[T]>
    where
        T: UserCopy,
    {
        let ptr = validate_ref::<T, P>(provider, self.addr, len, Self::ACCESS_FLAGS)?;
        // SAFETY: as in `get`, for `len` elements.
        Ok(unsafe { slice::from_raw_parts(ptr.as_ptr(), len) })
    }

    /// Validates null-terminated data (up to [`PATH_MAX`](crate::PATH_MAX)
    /// elements, terminator included) and lends the part before the
    /// terminator in place.
    ///
    /// # Errors
    ///
    /// `EFAULT` for a null, misaligned or unmapped pointer; `ENAMETOOLONG`
    /// if there is no terminator within the limit.
    pub fn get_as_null_terminated<P: AddrSpaceProvider + ?Sized>(
        self,
        provider: &mut P,
    ) -> LinuxResult<&[T]>
    where
        T: UserCopy,
    {
        let (ptr, len) = validate_null_terminated::<T, P>(provider, self.addr, Self::ACCESS_FLAGS)?;
        // SAFETY: as in `get`, for the `len` elements before the terminator.
        Ok(unsafe { slice::from_raw_parts(ptr.as_ptr(), len) })
    }

    /// Validates a `T` as [`get`](Self::get) does and runs `f` on it in
    /// place, inside an access window: the fault flag (and on riscv64
    /// kernel builds `SUM`) is set for exactly the call of `f`, so the
    /// reference works in a kernel that keeps `SUM` clear, and a page the
    /// kernel's fault handler populates on demand is faulted in. The
    /// reference cannot leave `f`. As with [`get`](Self::get), a page that
    /// another thread unmaps meanwhile cannot be rescued (there is no
    /// fixup for accesses through a reference); keep `f` short, since
    /// kernel faults on user memory count as expected while it runs.
    ///
    /// # Errors
    ///
    /// As [`get`](Self::get); `f` does not run.
    pub fn with<P: AddrSpaceProvider + ?Sized, R>(
        self,
        provider: &mut P,
        f: impl FnOnce(&T) -> R,
    ) -> LinuxResult<R>
    where
        T: UserCopy,
    {
        let ptr = validate_ref::<T, P>(provider, self.addr, 1, Self::ACCESS_FLAGS)?;
        let _window = UserAccessGuard::new();
        // SAFETY: as in `get`; lent to `f` only, inside the window, with the
        // provider borrowed.
        Ok(f(unsafe { &*ptr.as_ptr() }))
    }

    /// Validates `len` elements as [`get_as_slice`](Self::get_as_slice)
    /// does and runs `f` on them in place, inside an access window (see
    /// [`with`](Self::with)).
    ///
    /// # Errors
    ///
    /// As [`get_as_slice`](Self::get_as_slice); `f` does not run.
    pub fn with_slice<P: AddrSpaceProvider + ?Sized, R>(
        self,
        provider: &mut P,
        len: usize,
        f: impl FnOnce(&[T]) -> R,
    ) -> LinuxResult<R>
    where
        T: UserCopy,
    {
        let ptr = validate_ref::<T, P>(provider, self.addr, len, Self::ACCESS_FLAGS)?;
        let _window = UserAccessGuard::new();
        // SAFETY: as in `get_as_slice`; lent to `f` only, inside the window.
        Ok(f(unsafe { slice::from_raw_parts(ptr.as_ptr(), len) }))
    }

    /// Validates null-terminated data as
    /// [`get_as_null_terminated`](Self::get_as_null_terminated) does and
    /// runs `f` on the part before the terminator in place, inside an
    /// access window (see [`with`](Self::with)).
    ///
    /// # Errors
    ///
    /// As [`get_as_null_terminated`](Self::get_as_null_terminated); `f`
    /// does not run.
    pub fn with_null_terminated<P: AddrSpaceProvider + ?Sized, R>(
        self,
        provider: &mut P,
        f: impl FnOnce(&[T]) -> R,
    ) -> LinuxResult<R>
    where
        T: UserCopy,
    {
        let (ptr, len) = validate_null_terminated::<T, P>(provider, self.addr, Self::ACCESS_FLAGS)?;
        let _window = UserAccessGuard::new();
        // SAFETY: as in `get_as_null_terminated`; lent to `f` only, inside
        // the window.
        Ok(f(unsafe { slice::from_raw_parts(ptr.as_ptr(), len) }))
    }
}

impl<T> From<UserPtr<T>> for UserConstPtr<T> {
    #[inline]
    fn from(ptr: UserPtr<T>) -> Self {
        ptr.cast::<T>().addr.into()
    }
}
