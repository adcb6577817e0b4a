//! Slice arguments: a user buffer and its length, as a kernel copy.
//!
//! A `#[len = count] buf: &[T]` parameter is a [`SliceIn`]: the buffer is
//! copied into kernel memory before the handler runs. A
//! `#[len = count] buf: &mut [T]` parameter is a [`SliceOut`]: the handler
//! fills a zeroed kernel buffer, which is copied to user memory after it
//! returns `Ok` (with `#[inout]`, the buffer is copied in first as well).
//!
//! # Why copies
//!
//! Lending user memory in place to a handler would be unsound: two slice
//! arguments may name overlapping user memory (one `&[T]` and one
//! `&mut [T]` would then alias), the handler holds the context and could
//! write the same memory through a `UserPtr` while a `&[T]` to it lives,
//! and another user thread may write or unmap it at any time. Kernel copies
//! are separate allocations: whatever the user passes, the references the
//! handler gets never alias each other or user memory, and all user memory
//! is touched by the fallible copy routine with the fault flag set.
//!
//! # Hostile lengths
//!
//! The whole user range `[addr, addr + len * size_of::<T>())` must be
//! mapped with the needed permission (`EFAULT` otherwise, and for a length
//! whose byte size or end overflows), but the kernel buffer holds at most
//! [`MAX_SLICE_ARG_BYTES`]: a longer buffer is cut to that prefix, which the
//! handler sees as a slice shorter than its length argument (a short read
//! or write, as Linux does above `MAX_RW_COUNT`). Handlers with a smaller
//! limit of their own (`UIO_MAXIOV`, `NGROUPS_MAX`) check the length
//! argument, which they still receive unchanged. Only the prefix is
//! populated. The kernel buffer is allocated only after the user buffer
//! was validated, so an invalid buffer costs no allocation whatever its
//! length; the allocation can fail with `ENOMEM`, never abort.

use alloc::vec::Vec;
use core::{
    fmt,
    mem::size_of,
    ops::{Deref, DerefMut},
    slice,
};

use axerrno::{LinuxError, LinuxResult};
use page_table_multiarch::MappingFlags;

use super::{SyscallOutput, TraceCopied, trace::TraceArg};
use crate::{
    AddrSpaceProvider, UserCopy,
    check::{check_region, check_region_mapped, size_of_user},
    uaccess::copy_from_validated,
};

/// The most bytes a slice argument copies into kernel memory; longer user
/// buffers are cut to this prefix (see the [`slice`](super::slice) docs).
pub const MAX_SLICE_ARG_BYTES: usize = 1 << 20;

/// How many elements of a `len`-element buffer are copied.
fn capped_len<T>(len: usize) -> usize {
    let max = (MAX_SLICE_ARG_BYTES / size_of::<T>().max(1)).max(1);
    len.min(max)
}

/// Checks that the whole user buffer is mapped with `flags`, and returns the
/// number of elements to copy.
fn validate<T: UserCopy, P: AddrSpaceProvider + ?Sized>(
    provider: &mut P,
    addr: usize,
    len: usize,
    flags: MappingFlags,
) -> LinuxResult<usize> {
    // OVERFLOW: a hostile length must not wrap; the end of the range is
    // checked by `check_region_mapped`.
    let size = len
        .checked_mul(size_of_user::<T>())
        .ok_or(LinuxError::EFAULT)?;
    check_region_mapped(provider, addr, size, flags)?;
    Ok(capped_len::<T>(len))
}

/// A kernel vector of `len` zeroed elements.
fn zeroed_vec<T: UserCopy>(len: usize) -> LinuxResult<Vec<T>> {
    let mut data = Vec::<T>::new();
    data.try_reserve_exact(len)
        .map_err(|_| LinuxError::ENOMEM)?;
    // SAFETY: the capacity holds `len` elements (a zero-sized `T` has
    // unbounded capacity and writes nothing).
    unsafe { data.as_mut_ptr().write_bytes(0, len) };
    // SAFETY: the `len` elements were just zeroed, and the all-zero bit
    // pattern is a valid `T` (UserCopy: every bit pattern is).
    unsafe { data.set_len(len) };
    Ok(data)
}

/// A kernel vector of the `len` elements at `addr`, validated and copied
/// with the fault flag set.
///
/// The user range is validated (and populated) before the vector is
/// allocated: an invalid buffer costs no allocation, whatever its length,
/// and returns `EFAULT` even on a kernel heap too small for it.
fn copied_vec<T: UserCopy, P: AddrSpaceProvider + ?Sized>(
    provider: &mut P,
    addr: usize,
    len: usize,
) -> LinuxResult<Vec<T>> {
    // OVERFLOW: `len` is capped at `MAX_SLICE_ARG_BYTES` worth of elements.
    let size = len * size_of_user::<T>();
    check_region(provider, addr, size, MappingFlags::READ)?;
    let mut data = Vec::<T>::new();
    data.try_reserve_exact(len)
        .map_err(|_| LinuxError::ENOMEM)?;
    if size > 0 {
        // SAFETY: the spare capacity is a kernel buffer of at least `size`
        // bytes, separate from user memory; the user range was validated
        // for reading just above.
        unsafe { copy_from_validated(data.as_mut_ptr().cast(), addr, size)? };
    }
    // SAFETY: all `len` elements were initialized by the copy, and any
    // bytes are a valid `T` (UserCopy).
    unsafe { data.set_len(len) };
    Ok(data)
}

/// The bytes of a slice of one-byte elements (strace shows those as a
/// string), `None` for wider elements.
fn as_bytes<T: UserCopy>(data: &[T]) -> Option<&[u8]> {
    (size_of::<T>() == 1).then(|| {
        // SAFETY: `T` is one byte without padding (UserCopy), so the slice
        // is `data.len()` initialized bytes, borrowed as long as `data`.
        unsafe { slice::from_raw_parts(data.as_ptr().cast::<u8>(), data.len()) }
    })
}

/// A user buffer copied into kernel memory before the handler runs: the
/// value behind a `#[len = …] buf: &[T]` parameter.
pub struct SliceIn<T> {
    addr: usize,
    data: Vec<T>,
}

impl<T: UserCopy> SliceIn<T> {
    /// Validates the `len` elements at `addr` and copies them (at most
    /// [`MAX_SLICE_ARG_BYTES`]) into kernel memory. An empty buffer is
    /// valid at any address.
    ///
    /// # Errors
    ///
    /// `EFAULT` if the buffer is null, not entirely mapped readable, or its
    /// size overflows; `ENOMEM`.
    pub fn copy_in<P: AddrSpaceProvider + ?Sized>(
        provider: &mut P,
        addr: usize,
        len: usize,
    ) -> LinuxResult<Self> {
        let capped = capped_len::<T>(len);
        if capped < len {
            // Only a prefix is copied, but the whole buffer must be mapped.
            validate::<T, P>(provider, addr, len, MappingFlags::READ)?;
        }
        // The copy validates (and populates) what it copies: for a buffer
        // within the cap, the address space is consulted once.
        let data = copied_vec(provider, addr, capped)?;
        Ok(Self { addr, data })
    }

    /// The user address the buffer was copied from.
    #[must_use]
    pub fn addr(&self) -> usize {
        self.addr
    }

    /// The kernel copy.
    #[must_use]
    pub fn into_vec(self) -> Vec<T> {
        self.data
    }
}

impl<T> Deref for SliceIn<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        &self.data
    }
}

impl<T: fmt::Debug> fmt::Debug for SliceIn<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.data, f)
    }
}

/// Byte buffers as strace strings, other buffers by address.
impl<T: UserCopy> TraceCopied for SliceIn<T> {
    fn trace_copied(copied: Option<&Self>, raw: usize) -> TraceArg<'_> {
        match copied.and_then(|copy| as_bytes(&copy.data)) {
            Some(bytes) => TraceArg::Str(bytes),
            None => TraceArg::Ptr(raw),
        }
    }
}

/// A kernel buffer that the handler fills and that is copied to user
/// memory after it succeeds: the value behind a `#[len = …] buf: &mut [T]`
/// parameter.
pub struct SliceOut<T> {
    addr: usize,
    data: Vec<T>,
    /// `#[inout]`: copied in first, and copied back whole.
    inout: bool,
    /// How many elements were copied back (for tracing).
    copied_out: Option<usize>,
}

impl<T: UserCopy> SliceOut<T> {
    /// Validates that the `len` elements at `addr` are writable and makes
    /// a zeroed kernel buffer for them (at most [`MAX_SLICE_ARG_BYTES`]).
    ///
    /// # Errors
    ///
    /// `EFAULT` if the buffer is null, not entirely mapped writable, or
    /// its size overflows; `ENOMEM`.
    pub fn new<P: AddrSpaceProvider + ?Sized>(
        provider: &mut P,
        addr: usize,
        len: usize,
    ) -> LinuxResult<Self> {
        let len = validate::<T, P>(provider, addr, len, MappingFlags::WRITE)?;
        Ok(Self {
            addr,
            data: zeroed_vec(len)?,
            inout: false,
            copied_out: None,
        })
    }

    /// Validates that the `len` elements at `addr` are readable and
    /// writable and copies them into kernel memory (`#[inout]`).
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new), for read-write access.
    pub fn copy_in_out<P: AddrSpaceProvider + ?Sized>(
        provider: &mut P,
        addr: usize,
        len: usize,
    ) -> LinuxResult<Self> {
        let flags = MappingFlags::READ | MappingFlags::WRITE;
        let len = validate::<T, P>(provider, addr, len, flags)?;
        Ok(Self {
            addr,
            data: copied_vec(provider, addr, len)?,
            inout: true,
            copied_out: None,
        })
    }

    /// Copies the result to user memory, after the handler returned `Ok`.
    ///
    /// `output_len` is what the handler's result says it produced
    /// ([`SyscallReturn::output_len`](super::SyscallReturn::output_len)):
    /// that many elements (at most the buffer) are copied, the whole buffer
    /// for `None`. An `#[inout]` buffer is always copied whole.
    ///
    /// # Errors
    ///
    /// `EFAULT` if the memory became unwritable meanwhile.
    pub fn copy_out<P: AddrSpaceProvider + ?Sized>(
        &mut self,
        provider: &mut P,
        output_len: Option<usize>,
    ) -> LinuxResult<()> {
        let count = match output_len {
            Some(count) if !self.inout => count.min(self.data.len()),
            _ => self.data.len(),
        };
        crate::UserPtr::<T>::from(self.addr).write_slice(provider, &self.data[..count])?;
        self.copied_out = Some(count);
        Ok(())
    }

    /// The user address the buffer is copied to.
    #[must_use]
    pub fn addr(&self) -> usize {
        self.addr
    }
}

impl<C: AddrSpaceProvider + ?Sized, T: UserCopy> SyscallOutput<C> for SliceOut<T> {
    #[inline]
    fn copy_out(&mut self, ctx: &mut C, output_len: Option<usize>) -> LinuxResult<()> {
        SliceOut::copy_out(self, ctx, output_len)
    }
}

impl<T> Deref for SliceOut<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        &self.data
    }
}

impl<T> DerefMut for SliceOut<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        &mut self.data
    }
}

impl<T: fmt::Debug> fmt::Debug for SliceOut<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.data, f)
    }
}

/// What was copied out, for byte buffers; the address otherwise (and when
/// the call failed, as strace shows it).
impl<T: UserCopy> TraceCopied for SliceOut<T> {
    fn trace_copied(copied: Option<&Self>, raw: usize) -> TraceArg<'_> {
        let shown = copied.and_then(|copy| {
            let count = copy.copied_out?;
            as_bytes(&copy.data[..count])
        });
        match shown {
            Some(bytes) => TraceArg::Str(bytes),
            None => TraceArg::Ptr(raw),
        }
    }
}
