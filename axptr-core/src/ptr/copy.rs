//! Copies between user memory and kernel values: the safe way in and out.
//!
//! Each copy validates the whole range, then moves it with the fallible
//! copy routine inside an access window. No alignment is required (Linux's
//! `copy_from_user` needs none either). The `_partial` forms stop at the
//! first byte that is unmapped or faults and say how far they got, as
//! Linux's short copies do.

use core::mem::MaybeUninit;

use axerrno::{LinuxError, LinuxResult};

use super::{Access, UserPtr};
use crate::{
    AddrSpaceProvider, UserCopy, UserReader, UserWriter,
    check::{access_ok, size_of_user},
    uaccess::{Direction, move_user, move_user_partial},
};

/// Copies out of user memory, through either pointer type: the safe way
/// in.
impl<T, A: Access> UserPtr<T, A> {
    /// Copies a `T` out of user memory. No alignment is required.
    ///
    /// # Errors
    ///
    /// `EFAULT` if the memory is null, unmapped, not readable, or faults
    /// during the copy.
    #[inline]
    pub fn read<P: AddrSpaceProvider + ?Sized>(self, provider: &mut P) -> LinuxResult<T>
    where
        T: UserCopy,
    {
        let mut value = MaybeUninit::<T>::uninit();
        // SAFETY: `value` is a kernel buffer of `size_of::<T>()` bytes.
        unsafe {
            move_user(
                provider,
                Direction::FromUser,
                self.addr,
                value.as_mut_ptr().cast(),
                size_of_user::<T>(),
            )?;
        }
        // SAFETY: every byte was copied, and `T: UserCopy` accepts any bytes.
        Ok(unsafe { value.assume_init() })
    }

    /// Copies `dst.len()` elements out of user memory into `dst`.
    ///
    /// # Errors
    ///
    /// `EFAULT` as for [`read`](Self::read), also when the length
    /// overflows. When a copy faults midway, the bytes of `dst` it did not
    /// reach are zeroed.
    #[inline]
    pub fn read_slice<P: AddrSpaceProvider + ?Sized>(
        self,
        provider: &mut P,
        dst: &mut [T],
    ) -> LinuxResult<()>
    where
        T: UserCopy,
    {
        let len = size_of_user::<T>() * dst.len();
        let kernel = dst.as_mut_ptr().cast::<u8>();
        // SAFETY: `dst` is a kernel buffer of `len` bytes; any bytes
        // written into it are valid `T`s.
        let result = unsafe { move_user(provider, Direction::FromUser, self.addr, kernel, len) };
        if result.is_err() {
            // SAFETY: as above; zero is a valid `T`.
            unsafe { kernel.write_bytes(0, len) };
        }
        result
    }

    /// Copies as much of `dst.len()` elements as is readable, stopping at
    /// the first unmapped or faulting byte, and returns the number of
    /// bytes copied; the rest of `dst` is zeroed (Linux's short
    /// `copy_from_user`).
    ///
    /// # Errors
    ///
    /// `EFAULT` when nothing could be copied of a non-empty `dst`, or the
    /// range lies outside user space.
    pub fn read_slice_partial<P: AddrSpaceProvider + ?Sized>(
        self,
        provider: &mut P,
        dst: &mut [T],
    ) -> LinuxResult<usize>
    where
        T: UserCopy,
    {
        let len = size_of_user::<T>() * dst.len();
        let kernel = dst.as_mut_ptr().cast::<u8>();
        // SAFETY: `dst` is a kernel buffer of `len` bytes; any bytes
        // written into it are valid `T`s.
        let moved =
            unsafe { move_user_partial(provider, Direction::FromUser, self.addr, kernel, len) };
        // SAFETY: `moved <= len`; zero is a valid `T`.
        unsafe { kernel.add(moved).write_bytes(0, len - moved) };
        if moved == 0 {
            // Nothing moved of a non-empty range, or an empty one outside
            // user space.
            access_ok(provider, self.addr, len)?;
            if len != 0 {
                return Err(LinuxError::EFAULT);
            }
        }
        Ok(moved)
    }
}

/// Copies into user memory, through a [`UserPtr<T>`] only: the safe way
/// out.
impl<T> UserPtr<T> {
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
        let src = (&raw const value).cast::<u8>().cast_mut();
        // SAFETY: `value` is `size_of::<T>()` initialized bytes (UserCopy: no
        // padding) in kernel memory, only read.
        unsafe {
            move_user(
                provider,
                Direction::ToUser,
                self.addr,
                src,
                size_of_user::<T>(),
            )
        }
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
        let len = size_of_user::<T>() * src.len();
        // SAFETY: `src` is initialized kernel memory without padding, only
        // read.
        unsafe {
            move_user(
                provider,
                Direction::ToUser,
                self.addr,
                src.as_ptr().cast::<u8>().cast_mut(),
                len,
            )
        }
    }

    /// Copies as much of `src` as is writable, stopping at the first
    /// unmapped, read-only or faulting byte, and returns the number of
    /// bytes written (Linux's short `copy_to_user`).
    ///
    /// # Errors
    ///
    /// `EFAULT` when nothing could be written of a non-empty `src`, or the
    /// range lies outside user space.
    pub fn write_slice_partial<P: AddrSpaceProvider + ?Sized>(
        self,
        provider: &mut P,
        src: &[T],
    ) -> LinuxResult<usize>
    where
        T: UserCopy,
    {
        let len = size_of_user::<T>() * src.len();
        // SAFETY: `src` is initialized kernel memory without padding, only
        // read.
        let moved = unsafe {
            move_user_partial(
                provider,
                Direction::ToUser,
                self.addr,
                src.as_ptr().cast::<u8>().cast_mut(),
                len,
            )
        };
        if moved == 0 {
            // Nothing moved of a non-empty range, or an empty one outside
            // user space.
            access_ok(provider, self.addr, len)?;
            if len != 0 {
                return Err(LinuxError::EFAULT);
            }
        }
        Ok(moved)
    }
}

/// A cursor that reads, through either pointer type.
impl<T, A: Access> UserPtr<T, A> {
    /// A cursor that reads the `len` bytes at this address, a piece at a
    /// time, reporting partial progress (see [`UserReader`]). Nothing is
    /// checked until the first transfer.
    #[inline]
    pub const fn reader(self, len: usize) -> UserReader {
        UserReader::new(self.addr, len)
    }
}

/// A cursor that writes, through a [`UserPtr<T>`] only.
impl<T> UserPtr<T> {
    /// A cursor that writes the `len` bytes at this address, a piece at a
    /// time, reporting partial progress (see [`UserWriter`]). Nothing is
    /// checked until the first transfer.
    #[inline]
    pub const fn writer(self, len: usize) -> UserWriter {
        UserWriter::new(self.addr, len)
    }
}
