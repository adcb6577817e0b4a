//! Strings and null-terminated arrays, copied into kernel memory.
//!
//! Their length is not known up front, so they are validated a page at a
//! time (nothing after the terminator needs to be mapped) and copied up to
//! the terminator, which is an all-zero element: the NUL of a C string, the
//! null pointer ending `argv`. The copy is scanned, not user memory, so what
//! the kernel checked is what it keeps however user space rewrites the
//! original meanwhile.

#[cfg(feature = "alloc")]
use alloc::{ffi::CString, vec::Vec};
use core::{
    ffi::{CStr, c_char},
    slice,
};

use axerrno::{LinuxError, LinuxResult};
use page_table_multiarch::MappingFlags;

use super::{Access, UserPtr};
use crate::{
    AddrSpaceProvider, UserCopy,
    check::{CopyBlocks, find_zero_element, scan_null_terminated, size_of_user},
    strings::Limit,
    uaccess::copy_from_validated,
};

/// Null-terminated data (an `argv` array, say), copied into kernel memory.
impl<T, A: Access> UserPtr<T, A> {
    /// Copies null-terminated data (terminated by an all-zero element) into
    /// `buf`, and returns the part before the terminator. `buf.len()` is the
    /// limit, terminator included.
    ///
    /// # Errors
    ///
    /// `EFAULT` for null or unmapped memory before the terminator;
    /// `ENAMETOOLONG` when `buf` fills up without a terminator.
    #[inline]
    pub fn read_null_terminated<'b, P: AddrSpaceProvider + ?Sized>(
        self,
        provider: &mut P,
        buf: &'b mut [T],
    ) -> LinuxResult<&'b [T]>
    where
        T: UserCopy,
    {
        let limit = Limit::new(buf.len(), LinuxError::ENAMETOOLONG);
        self.read_null_terminated_limited(provider, buf, limit)
    }

    /// Copies null-terminated data into `buf`, as
    /// [`read_null_terminated`](Self::read_null_terminated), looking at no
    /// more than `limit.max` elements (terminator included) and at most
    /// `buf.len()`.
    ///
    /// # Errors
    ///
    /// `EFAULT` for null or unmapped memory before the terminator;
    /// `limit.err` when neither `limit.max` elements nor `buf` hold a
    /// terminator.
    pub fn read_null_terminated_limited<'b, P: AddrSpaceProvider + ?Sized>(
        self,
        provider: &mut P,
        buf: &'b mut [T],
        limit: Limit,
    ) -> LinuxResult<&'b [T]>
    where
        T: UserCopy,
    {
        let size = size_of_user::<T>();
        let base = buf.as_mut_ptr().cast::<u8>();
        let limit = Limit::new(limit.max.min(buf.len()), limit.err);
        let mut blocks = CopyBlocks::new();
        let len = scan_null_terminated::<T, P>(
            provider,
            self.addr,
            MappingFlags::READ,
            limit,
            |chunk, elems, before| {
                blocks.visit::<T>(chunk, elems, |block, n, done| {
                    // SAFETY: the scan never goes past `limit.max <=
                    // buf.len()` elements, so `before + done + n <=
                    // buf.len()`.
                    let dst = unsafe { base.add((before + done) * size) };
                    // SAFETY: `dst` has room for `n` elements; the block
                    // lies in a chunk validated by the scan.
                    unsafe { copy_from_validated(dst, block, n * size)? };
                    // SAFETY: the bytes were just initialized by the copy.
                    let copied = unsafe { slice::from_raw_parts(dst, n * size) };
                    Ok(find_zero_element::<T>(copied))
                })
            },
        )?;
        buf.get(..len).ok_or(LinuxError::EFAULT)
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
    #[inline]
    pub fn read_null_terminated_vec<P: AddrSpaceProvider + ?Sized>(
        self,
        provider: &mut P,
        max_len: usize,
    ) -> LinuxResult<Vec<T>>
    where
        T: UserCopy,
    {
        self.read_null_terminated_vec_limited(
            provider,
            Limit::new(max_len, LinuxError::ENAMETOOLONG),
        )
    }

    /// Copies null-terminated data into a new vector (without the
    /// terminator), reading at most `limit.max` elements including the
    /// terminator. Memory grows with the data, not with the limit.
    ///
    /// # Errors
    ///
    /// `EFAULT` for null or unmapped memory before the terminator;
    /// `limit.err` when the first `limit.max` elements hold no terminator;
    /// `ENOMEM` if the vector cannot grow.
    #[cfg(feature = "alloc")]
    pub fn read_null_terminated_vec_limited<P: AddrSpaceProvider + ?Sized>(
        self,
        provider: &mut P,
        limit: Limit,
    ) -> LinuxResult<Vec<T>>
    where
        T: UserCopy,
    {
        let size = size_of_user::<T>();
        let mut out = Vec::<T>::new();
        let mut blocks = CopyBlocks::new();
        scan_null_terminated::<T, P>(
            provider,
            self.addr,
            MappingFlags::READ,
            limit,
            |chunk, elems, _| {
                blocks.visit::<T>(chunk, elems, |block, n, _| {
                    out.try_reserve(n).map_err(|_| LinuxError::ENOMEM)?;
                    let dst = out.spare_capacity_mut().as_mut_ptr().cast::<u8>();
                    // SAFETY: the spare capacity holds at least `n`
                    // elements; the block lies in a chunk validated by the
                    // scan.
                    unsafe { copy_from_validated(dst, block, n * size)? };
                    // SAFETY: the bytes were just initialized by the copy.
                    let copied = unsafe { slice::from_raw_parts(dst, n * size) };
                    let found = find_zero_element::<T>(copied);
                    let keep = found.unwrap_or(n);
                    // SAFETY: `keep <= n` elements after the old length were
                    // initialized with valid `T`s.
                    unsafe { out.set_len(out.len() + keep) };
                    Ok(found)
                })
            },
        )?;
        Ok(out)
    }
}

/// C strings, copied into kernel memory. (Docs built for x86_64 show
/// `c_char` as `i8`.)
impl<A: Access> UserPtr<c_char, A> {
    /// Copies a C string into `buf` and returns it. `buf.len()` is the
    /// limit, NUL included (use [`PATH_MAX`](crate::PATH_MAX) bytes for a
    /// path).
    ///
    /// # Errors
    ///
    /// `EFAULT` for null or unmapped memory before the NUL;
    /// `ENAMETOOLONG` when `buf` fills up without a NUL.
    #[inline]
    pub fn read_cstr<'b, P: AddrSpaceProvider + ?Sized>(
        self,
        provider: &mut P,
        buf: &'b mut [u8],
    ) -> LinuxResult<&'b CStr> {
        let limit = Limit::new(buf.len(), LinuxError::ENAMETOOLONG);
        self.read_cstr_limited(provider, buf, limit)
    }

    /// Copies a C string into `buf` and returns it, looking at no more than
    /// `limit.max` bytes (NUL included) and at most `buf.len()`: a buffer of
    /// `limit.max` bytes always suffices.
    ///
    /// ```
    /// # #[cfg(feature = "testing")] fn main() {
    /// use axptr_core::{LinuxError, MappingFlags, UserConstPtr, strings::Limit, testing::HeapSpace};
    /// use core::ffi::c_char;
    ///
    /// let mut space = HeapSpace::new(1);
    /// space.map(space.base(), 4096, MappingFlags::READ);
    /// space.poke(space.base(), &[b'x'; 300]);
    /// let name = UserConstPtr::<c_char>::from(space.base());
    /// let mut buf = [0u8; 256];
    /// // An extended attribute's name of 300 bytes: ERANGE.
    /// assert_eq!(
    ///     name.read_cstr_limited(&mut space, &mut buf, Limit::XATTR_NAME),
    ///     Err(LinuxError::ERANGE)
    /// );
    /// # }
    /// # #[cfg(not(feature = "testing"))] fn main() {}
    /// ```
    ///
    /// # Errors
    ///
    /// `EFAULT` for null or unmapped memory before the NUL; `limit.err`
    /// when neither `limit.max` bytes nor `buf` hold a NUL.
    pub fn read_cstr_limited<'b, P: AddrSpaceProvider + ?Sized>(
        self,
        provider: &mut P,
        buf: &'b mut [u8],
        limit: Limit,
    ) -> LinuxResult<&'b CStr> {
        let len = self
            .cast::<u8>()
            .read_null_terminated_limited(provider, buf, limit)?
            .len();
        let bytes = buf.get(..=len).ok_or(LinuxError::EFAULT)?;
        // SAFETY: the scan of the copy (kernel memory, which no user thread
        // can change) found its first NUL at `len`: `bytes` ends with it and
        // holds no other. (Checking again would scan the string a second
        // time, byte by byte.)
        Ok(unsafe { CStr::from_bytes_with_nul_unchecked(bytes) })
    }

    /// Copies a C string of at most `max_len` bytes (NUL included) into a
    /// new `CString`.
    ///
    /// # Errors
    ///
    /// As [`read_cstr`](Self::read_cstr), and `ENOMEM`.
    #[cfg(feature = "alloc")]
    #[inline]
    pub fn read_cstring<P: AddrSpaceProvider + ?Sized>(
        self,
        provider: &mut P,
        max_len: usize,
    ) -> LinuxResult<CString> {
        self.read_cstring_limited(provider, Limit::new(max_len, LinuxError::ENAMETOOLONG))
    }

    /// Copies a C string of at most `limit.max` bytes (NUL included) into a
    /// new `CString`; memory grows with the string, not with the limit.
    ///
    /// # Errors
    ///
    /// `EFAULT` for null or unmapped memory before the NUL; `limit.err`
    /// when the first `limit.max` bytes hold no NUL; `ENOMEM`.
    #[cfg(feature = "alloc")]
    pub fn read_cstring_limited<P: AddrSpaceProvider + ?Sized>(
        self,
        provider: &mut P,
        limit: Limit,
    ) -> LinuxResult<CString> {
        let bytes = self
            .cast::<u8>()
            .read_null_terminated_vec_limited(provider, limit)?;
        // SAFETY: the scan of the copy stopped at its first NUL and kept
        // only the bytes before it.
        Ok(unsafe { CString::from_vec_unchecked(bytes) })
    }
}
