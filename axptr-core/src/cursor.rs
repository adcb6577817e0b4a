//! Transfers with progress: [`UserReader`] and [`UserWriter`], cursors
//! over a user buffer that report partial progress as Linux's `read(2)` and
//! `write(2)` do. The semantics and an example are on [`UserWriter`].

use core::mem::MaybeUninit;

use axerrno::{LinuxError, LinuxResult};

use crate::{
    AddrSpaceProvider, UserCopy,
    check::{access_ok, check_region_within, size_of_user},
    uaccess::{Direction, move_user_partial, move_validated},
};

/// The state both cursors share.
#[derive(Clone, Debug)]
struct Cursor {
    /// The next user byte; with `remaining`, never a wrapping range once
    /// `bounds_checked`.
    addr: usize,
    remaining: usize,
    transferred: usize,
    /// Whether `[addr, addr + remaining)` was found inside user space.
    bounds_checked: bool,
}

impl Cursor {
    const fn new(addr: usize, len: usize) -> Self {
        Self {
            addr,
            remaining: len,
            transferred: 0,
            bounds_checked: false,
        }
    }

    /// A cursor whose range is known to lie in user space.
    #[cfg(feature = "alloc")]
    const fn checked(addr: usize, len: usize) -> Self {
        Self {
            bounds_checked: true,
            ..Self::new(addr, len)
        }
    }

    fn access_ok<P: AddrSpaceProvider + ?Sized>(&mut self, provider: &mut P) -> LinuxResult<()> {
        if !self.bounds_checked {
            if let Err(err) = access_ok(provider, self.addr, self.remaining) {
                self.remaining = 0;
                return Err(err);
            }
            self.bounds_checked = true;
        }
        Ok(())
    }

    /// Moves up to `want` bytes between the user buffer and `kernel`;
    /// returns how many moved.
    ///
    /// # Safety
    ///
    /// `kernel` is valid for `want` bytes in `direction` (writes for
    /// `FromUser`, initialized reads for `ToUser`, unused for `Clear`) and
    /// does not overlap user memory.
    #[inline]
    unsafe fn transfer<P: AddrSpaceProvider + ?Sized>(
        &mut self,
        provider: &mut P,
        direction: Direction,
        kernel: *mut u8,
        want: usize,
    ) -> LinuxResult<usize> {
        let len = want.min(self.remaining);
        if len == 0 {
            return Ok(0);
        }
        // The first transfer checks the whole buffer's bounds in the same
        // call of the address space as its own range.
        let bounds = (!self.bounds_checked).then_some((self.addr, self.remaining));
        let moved =
            if check_region_within(provider, self.addr, len, direction.flags(), bounds).is_ok() {
                self.bounds_checked = true;
                // SAFETY: validated just above; the caller guarantees `kernel`.
                len - unsafe { move_validated(direction, self.addr, kernel, len) }
            } else {
                self.access_ok(provider)?;
                // SAFETY: the caller guarantees `kernel`; the user range is
                // validated there, a page at a time.
                unsafe { move_user_partial(provider, direction, self.addr, kernel, len) }
            };
        // OVERFLOW: `[addr, addr + remaining)` lies in user space (checked
        // above), and `moved <= len <= remaining`.
        self.addr += moved;
        self.remaining -= moved;
        self.transferred += moved;
        if moved < len {
            // Stopped by a fault: like Linux, nothing after it is touched.
            self.remaining = 0;
            if self.transferred == 0 {
                return Err(LinuxError::EFAULT);
            }
        }
        Ok(moved)
    }

    fn skip(&mut self, len: usize) -> LinuxResult<()> {
        if len > self.remaining {
            return Err(LinuxError::EFAULT);
        }
        // OVERFLOW: `addr + remaining` may wrap for an unchecked cursor;
        // the skipped-to address is then as bad as the rest and fails the
        // bounds check of the next transfer.
        self.addr = self.addr.wrapping_add(len);
        self.remaining -= len;
        Ok(())
    }
}

/// A cursor that reads a user buffer into kernel memory, a piece at a
/// time: `write(2)`'s view of its buffer. Its semantics are
/// [`UserWriter`]'s, in the other direction.
///
/// Made by [`UserPtr::reader`](crate::UserPtr::reader) or
/// [`UserReader::new`]; nothing is checked until the first transfer.
#[derive(Clone, Debug)]
#[must_use = "a cursor does nothing until it transfers"]
pub struct UserReader(Cursor);

impl UserReader {
    /// A cursor over the `len` user bytes at `addr`.
    #[inline]
    pub const fn new(addr: usize, len: usize) -> Self {
        Self(Cursor::new(addr, len))
    }

    /// A cursor over a range already found inside user space (`access_ok`).
    #[cfg(feature = "alloc")]
    pub(crate) const fn checked(addr: usize, len: usize) -> Self {
        Self(Cursor::checked(addr, len))
    }

    /// The user address of the next byte.
    #[inline]
    #[must_use]
    pub const fn addr(&self) -> usize {
        self.0.addr
    }

    /// How many bytes are left to read (0 after a fault).
    #[inline]
    #[must_use]
    pub const fn remaining(&self) -> usize {
        self.0.remaining
    }

    /// Whether no byte is left to read.
    #[inline]
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.0.remaining == 0
    }

    /// How many bytes were read so far.
    #[inline]
    #[must_use]
    pub const fn transferred(&self) -> usize {
        self.0.transferred
    }

    /// Checks now that the rest of the buffer lies in user space, as
    /// Linux's `write(2)` does before the file sees the buffer. Transfers
    /// check it anyway; call it where the syscall must fail with `EFAULT`
    /// even if it transfers nothing.
    ///
    /// # Errors
    ///
    /// `EFAULT` for a buffer outside user space; the cursor is then
    /// exhausted.
    pub fn access_ok<P: AddrSpaceProvider + ?Sized>(
        &mut self,
        provider: &mut P,
    ) -> LinuxResult<()> {
        self.0.access_ok(provider)
    }

    /// Reads up to `dst.len()` bytes, stopping at the end of the buffer or
    /// at the first byte that is unmapped, unreadable or faults; returns
    /// how many were read. The bytes of `dst` not read are zeroed.
    ///
    /// # Errors
    ///
    /// `EFAULT` when the cursor has read nothing at all and this read
    /// stopped at its first byte, or the buffer lies outside user space.
    #[inline]
    pub fn read<P: AddrSpaceProvider + ?Sized>(
        &mut self,
        provider: &mut P,
        dst: &mut [u8],
    ) -> LinuxResult<usize> {
        // SAFETY: `dst` is a kernel buffer of `dst.len()` bytes.
        let result = unsafe {
            self.0
                .transfer(provider, Direction::FromUser, dst.as_mut_ptr(), dst.len())
        };
        let moved = *result.as_ref().unwrap_or(&0);
        if let Some(rest) = dst.get_mut(moved..) {
            rest.fill(0);
        }
        result
    }

    /// Reads one `T` (no alignment required).
    ///
    /// # Errors
    ///
    /// `EFAULT` when fewer than `size_of::<T>()` bytes are left or they
    /// cannot all be read; the cursor is then exhausted.
    pub fn read_obj<T: UserCopy, P: AddrSpaceProvider + ?Sized>(
        &mut self,
        provider: &mut P,
    ) -> LinuxResult<T> {
        let size = size_of_user::<T>();
        if size > self.0.remaining {
            self.0.remaining = 0;
            return Err(LinuxError::EFAULT);
        }
        let mut value = MaybeUninit::<T>::uninit();
        // SAFETY: `value` is a kernel buffer of `size` bytes.
        let moved = unsafe {
            self.0.transfer(
                provider,
                Direction::FromUser,
                value.as_mut_ptr().cast(),
                size,
            )?
        };
        if moved < size {
            return Err(LinuxError::EFAULT);
        }
        // SAFETY: all `size` bytes were read, and any bytes are a valid `T`.
        Ok(unsafe { value.assume_init() })
    }

    /// Skips `len` bytes without reading them.
    ///
    /// # Errors
    ///
    /// `EFAULT` when fewer than `len` bytes are left.
    pub fn skip(&mut self, len: usize) -> LinuxResult<()> {
        self.0.skip(len)
    }
}

/// A cursor that writes kernel data into a user buffer, a piece at a time:
/// `read(2)`'s view of its buffer.
///
/// A syscall such as `read(fd, buf, count)` produces its data as it goes
/// and must tell user space how much it moved. Linux copies up to the first
/// byte that faults and returns that count; it fails with `EFAULT` only when
/// nothing moved, and bytes it never transfers are never checked. A
/// [`UserWriter`] (for data going out to user memory) and a [`UserReader`]
/// (data coming in) give a handler exactly that:
///
/// - the cursor advances as it transfers, so each user byte is read at most
///   once (no double fetch: what the kernel checked is what it uses);
/// - a transfer that stops at a fault after `n > 0` bytes returns `n` and
///   exhausts the cursor; the handler returns the total it moved, and keeps
///   whatever it could not transfer (a pipe keeps its data);
/// - `EFAULT` comes back only when the cursor moved nothing at all, or when
///   the buffer lies outside user space (Linux's `access_ok` of the whole
///   buffer, checked with the first transfer or by
///   [`access_ok`](UserWriter::access_ok));
/// - a read that stops short zeroes the rest of its kernel destination, so
///   no stale kernel bytes remain in it.
///
/// The cursors hold no borrow of the address space: each transfer takes the
/// provider, so a handler can use its context between transfers.
///
/// ```
/// # #[cfg(feature = "testing")] fn main() -> Result<(), axerrno::LinuxError> {
/// use axptr_core::{LinuxResult, UserPtr, UserWriter, AddrSpaceProvider, testing::HeapSpace};
/// use page_table_multiarch::MappingFlags;
///
/// /// A pipe's `read`: moves what fits, keeps the rest.
/// fn pipe_read<P: AddrSpaceProvider>(
///     p: &mut P,
///     pipe: &mut Vec<u8>,
///     buf: &mut UserWriter,
/// ) -> LinuxResult<usize> {
///     let n = buf.write(p, pipe)?;
///     pipe.drain(..n);
///     Ok(n)
/// }
///
/// let mut space = HeapSpace::new(2);
/// let base = space.base();
/// // Only the first 32 bytes of the 64-byte buffer are mapped.
/// space.map(base, 4096, MappingFlags::READ | MappingFlags::WRITE);
/// let buf = UserPtr::<u8>::from(base + 4096 - 32);
/// let mut pipe = vec![7u8; 100];
/// let mut writer = buf.writer(64);
/// assert_eq!(pipe_read(&mut space, &mut pipe, &mut writer), Ok(32));
/// assert_eq!(pipe.len(), 68); // the unread data stays in the pipe
/// # Ok(()) }
/// # #[cfg(not(feature = "testing"))] fn main() {} // `HeapSpace` needs `testing`
/// ```
///
/// Made by [`UserPtr::writer`](crate::UserPtr::writer) or
/// [`UserWriter::new`]; nothing is checked until the first transfer.
#[derive(Clone, Debug)]
#[must_use = "a cursor does nothing until it transfers"]
pub struct UserWriter(Cursor);

impl UserWriter {
    /// A cursor over the `len` user bytes at `addr`.
    #[inline]
    pub const fn new(addr: usize, len: usize) -> Self {
        Self(Cursor::new(addr, len))
    }

    /// A cursor over a range already found inside user space (`access_ok`).
    #[cfg(feature = "alloc")]
    pub(crate) const fn checked(addr: usize, len: usize) -> Self {
        Self(Cursor::checked(addr, len))
    }

    /// The user address of the next byte.
    #[inline]
    #[must_use]
    pub const fn addr(&self) -> usize {
        self.0.addr
    }

    /// How many bytes are left to write (0 after a fault).
    #[inline]
    #[must_use]
    pub const fn remaining(&self) -> usize {
        self.0.remaining
    }

    /// Whether no byte is left to write.
    #[inline]
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.0.remaining == 0
    }

    /// How many bytes were written so far.
    #[inline]
    #[must_use]
    pub const fn transferred(&self) -> usize {
        self.0.transferred
    }

    /// Checks now that the rest of the buffer lies in user space, as
    /// Linux's `read(2)` does before the file sees the buffer (see
    /// [`UserReader::access_ok`]).
    ///
    /// # Errors
    ///
    /// `EFAULT` for a buffer outside user space; the cursor is then
    /// exhausted.
    pub fn access_ok<P: AddrSpaceProvider + ?Sized>(
        &mut self,
        provider: &mut P,
    ) -> LinuxResult<()> {
        self.0.access_ok(provider)
    }

    /// Writes up to `src.len()` bytes, stopping at the end of the buffer or
    /// at the first byte that is unmapped, read-only or faults; returns how
    /// many were written.
    ///
    /// # Errors
    ///
    /// `EFAULT` when the cursor has written nothing at all and this write
    /// stopped at its first byte, or the buffer lies outside user space.
    #[inline]
    pub fn write<P: AddrSpaceProvider + ?Sized>(
        &mut self,
        provider: &mut P,
        src: &[u8],
    ) -> LinuxResult<usize> {
        // SAFETY: `src` is initialized kernel memory, only read.
        unsafe {
            self.0.transfer(
                provider,
                Direction::ToUser,
                src.as_ptr().cast_mut(),
                src.len(),
            )
        }
    }

    /// Writes one `T` (no alignment required).
    ///
    /// # Errors
    ///
    /// `EFAULT` when fewer than `size_of::<T>()` bytes are left or they
    /// cannot all be written; the cursor is then exhausted (a prefix of
    /// the value may have been written).
    pub fn write_obj<T: UserCopy, P: AddrSpaceProvider + ?Sized>(
        &mut self,
        provider: &mut P,
        value: &T,
    ) -> LinuxResult<()> {
        let size = size_of_user::<T>();
        if size > self.0.remaining {
            self.0.remaining = 0;
            return Err(LinuxError::EFAULT);
        }
        // SAFETY: `value` is `size` initialized bytes (UserCopy: no
        // padding), only read.
        let moved = unsafe {
            self.0.transfer(
                provider,
                Direction::ToUser,
                (&raw const *value).cast::<u8>().cast_mut(),
                size,
            )?
        };
        if moved < size {
            return Err(LinuxError::EFAULT);
        }
        Ok(())
    }

    /// Writes `len` zero bytes (Linux's `clear_user`), stopping at the
    /// first byte that cannot be written; returns how many were written.
    ///
    /// # Errors
    ///
    /// As [`write`](Self::write).
    pub fn zero<P: AddrSpaceProvider + ?Sized>(
        &mut self,
        provider: &mut P,
        len: usize,
    ) -> LinuxResult<usize> {
        // SAFETY: a clear uses no kernel buffer (the pointer is never
        // dereferenced).
        unsafe {
            self.0.transfer(
                provider,
                Direction::Clear,
                core::ptr::NonNull::dangling().as_ptr(),
                len,
            )
        }
    }

    /// Skips `len` bytes, leaving them as they are in user memory.
    ///
    /// # Errors
    ///
    /// `EFAULT` when fewer than `len` bytes are left.
    pub fn skip(&mut self, len: usize) -> LinuxResult<()> {
        self.0.skip(len)
    }
}
