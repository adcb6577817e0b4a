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
use core::ffi::{CStr, c_char};
#[cfg(feature = "alloc")]
use core::{alloc::Layout, mem::MaybeUninit, ptr::NonNull};

use axerrno::{LinuxError, LinuxResult};
use page_table_multiarch::MappingFlags;

use super::{Access, UserPtr};
use crate::{
    AddrSpaceProvider, UserCopy,
    check::{Validated, scan_null_terminated, size_of_user},
    strings::Limit,
    uaccess::TerminatedCopy,
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
        // `T`'s no-padding proof, as every element type's.
        let _ = size_of_user::<T>();
        let base = buf.as_mut_ptr();
        let limit = Limit::new(limit.max.min(buf.len()), limit.err);
        let copier = TerminatedCopy::new();
        let len = scan_null_terminated::<T, P>(
            provider,
            self.addr,
            MappingFlags::READ,
            limit,
            &mut Validated::none(),
            |chunk, elems, before| {
                // SAFETY: the scan never goes past `limit.max <= buf.len()`
                // elements, so `before + elems <= buf.len()`.
                let dst = unsafe { base.add(before) };
                // SAFETY: `dst` has room for `elems` elements (any bytes
                // are a valid `T`); the chunk was validated by the scan;
                // only the address space ran since `copier` was made.
                unsafe { copier.copy(dst, chunk, elems) }
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
        read_terminated_vec::<T, P>(provider, self.addr, limit, false, &mut Validated::none())
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
        read_terminated_cstring(provider, self.addr, limit, &mut Validated::none())
    }
}

/// Copies a C string at `addr` of at most `limit.max` bytes (NUL
/// included) into a new `CString`, as [`read_terminated_vec`] does with
/// the terminator kept. `validated` is as there.
#[cfg(feature = "alloc")]
#[inline(always)]
pub(crate) fn read_terminated_cstring<P: AddrSpaceProvider + ?Sized>(
    provider: &mut P,
    addr: usize,
    limit: Limit,
    validated: &mut Validated,
) -> LinuxResult<CString> {
    let mut err = LinuxError::EFAULT;
    read_terminated_cstring_or(provider, addr, limit, validated, &mut err).ok_or(err)
}

/// [`read_terminated_cstring`], with the error stored in `err`.
///
/// A function of its own that returns an `Option` so that the string
/// comes back in two registers: a `LinuxResult<CString>` is returned
/// through memory, and the caller's copy of it (one 16-byte load of two
/// 8-byte stores) cannot be forwarded from the stores that wrote it,
/// which costs a short string about a tenth of its read. The vector's
/// construction is inlined here for the same reason.
#[cfg(feature = "alloc")]
#[inline(never)]
fn read_terminated_cstring_or<P: AddrSpaceProvider + ?Sized>(
    provider: &mut P,
    addr: usize,
    limit: Limit,
    validated: &mut Validated,
    err: &mut LinuxError,
) -> Option<CString> {
    match read_terminated_vec::<u8, P>(provider, addr, limit, true, validated) {
        // SAFETY: the scan of the copy stopped at its first NUL and kept
        // the bytes before it and that NUL.
        Ok(bytes) => Some(unsafe { CString::from_vec_with_nul_unchecked(bytes) }),
        Err(e) => {
            *err = e;
            None
        }
    }
}

/// The bytes of null-terminated data that a new allocation reads on the
/// stack first: data that ends within them is allocated once, at its exact
/// size (no growth, no shrinking reallocation), after one copy out of user
/// memory and one within the kernel.
#[cfg(feature = "alloc")]
const STACK_BLOCK: usize = 256;

/// Copies null-terminated data of `T`s at `addr` into a new vector of the
/// elements before the terminator, and the terminator too if
/// `with_terminator` (so that a `CString` is made without reallocating).
/// At most `limit.max` elements are read, terminator included; memory
/// grows with the data, not with the limit.
///
/// The first [`STACK_BLOCK`] bytes go to a block on the stack; data that
/// does not end there moves to the heap and continues there, growing as
/// it goes. `validated` is the range validated last in the same operation
/// (see [`Validated`]).
///
/// Inlined into each of its three callers, each a function of its own, so
/// that `read_terminated_cstring_or` gets the vector in registers rather
/// than through memory.
#[cfg(feature = "alloc")]
#[inline(always)]
pub(crate) fn read_terminated_vec<T: UserCopy, P: AddrSpaceProvider + ?Sized>(
    provider: &mut P,
    addr: usize,
    limit: Limit,
    with_terminator: bool,
    validated: &mut Validated,
) -> LinuxResult<Vec<T>> {
    let size = size_of_user::<T>();
    // Elements that fit the block (none for a type too large or too
    // aligned for it).
    let block_elems = if align_of::<T>() <= align_of::<u64>() && size != 0 {
        STACK_BLOCK / size
    } else {
        0
    };
    let mut block = [MaybeUninit::<u64>::uninit(); STACK_BLOCK / size_of::<u64>()];
    let block_ptr = block.as_mut_ptr().cast::<T>();
    let mut in_block = 0;
    let mut heap = Vec::<T>::new();
    let mut spilled = false;
    let copier = TerminatedCopy::new();
    let len = scan_null_terminated::<T, P>(
        provider,
        addr,
        MappingFlags::READ,
        limit,
        validated,
        |chunk, elems, _| {
            let mut done = 0;
            if !spilled {
                let n = elems.min(block_elems - in_block);
                if n > 0 {
                    // SAFETY: `in_block + n <= block_elems` elements fit the
                    // block, which is aligned for `T`; the chunk was
                    // validated by the scan; only the address space ran
                    // since `copier` was made.
                    let found = unsafe { copier.copy(block_ptr.add(in_block), chunk, n)? };
                    if found.is_some() {
                        return Ok(found);
                    }
                    in_block += n;
                    done = n;
                }
                if done == elems {
                    return Ok(None);
                }
                // The data goes on past the block: move it to the heap.
                heap.try_reserve(in_block + (elems - done))
                    .map_err(|_| LinuxError::ENOMEM)?;
                if in_block > 0 {
                    // SAFETY: the block's first `in_block` elements were
                    // copied (any bytes are a valid `T`; the block is used
                    // only when it is aligned for `T`), and the heap has
                    // room for them.
                    unsafe {
                        core::ptr::copy_nonoverlapping(block_ptr, heap.as_mut_ptr(), in_block);
                        heap.set_len(in_block);
                    }
                }
                spilled = true;
            }
            let rest = elems - done;
            heap.try_reserve(rest).map_err(|_| LinuxError::ENOMEM)?;
            let dst = heap.spare_capacity_mut().as_mut_ptr().cast::<T>();
            // OVERFLOW: `done < elems`, and the chunk's `elems` elements
            // were validated, so this address lies inside it.
            let from = chunk + done * size;
            // SAFETY: the spare capacity holds at least `rest` elements;
            // the rest of the chunk was validated by the scan; only the
            // address space and the allocator ran since `copier` was made.
            let found = unsafe { copier.copy(dst, from, rest)? };
            // The terminator, when found, was copied too.
            let keep = found.map_or(rest, |index| index + usize::from(with_terminator));
            // SAFETY: `keep <= rest` elements after the old length were
            // initialized with valid `T`s.
            unsafe { heap.set_len(heap.len() + keep) };
            Ok(found.map(|index| done + index))
        },
    )?;
    if spilled {
        return Ok(heap);
    }
    // The data ended in the block (or has zero-sized elements, none of
    // which was copied).
    let keep = len + usize::from(with_terminator);
    if size == 0 || keep == 0 {
        // SAFETY: zero-sized `T`s need no initialization beyond their
        // (empty) bytes, which are a valid `UserCopy` value; `keep` is 0
        // otherwise.
        unsafe { heap.set_len(keep) };
        return Ok(heap);
    }
    // One allocation of the exact size, straight from the allocator (the
    // vector's growth path costs as much again for a short string).
    // OVERFLOW: `keep` elements fit the block, so the layout cannot
    // overflow; `Layout::array` checks anyway.
    let layout = Layout::array::<T>(keep).map_err(|_| LinuxError::ENOMEM)?;
    // SAFETY: `layout` has a non-zero size (`keep > 0`, `size > 0`).
    let Some(data) = NonNull::new(unsafe { alloc::alloc::alloc(layout) }.cast::<T>()) else {
        return Err(LinuxError::ENOMEM);
    };
    // SAFETY: the scan found the terminator at `len` in the block, so its
    // first `len + 1 >= keep` elements were copied (any bytes are a valid
    // `T`); `data` was just allocated for `keep` `T`s with the global
    // allocator, as a vector of that capacity is.
    Ok(unsafe {
        core::ptr::copy_nonoverlapping(block_ptr, data.as_ptr(), keep);
        Vec::from_raw_parts(data.as_ptr(), keep, keep)
    })
}
