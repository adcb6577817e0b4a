//! Transfers with progress: [`UserReader`] and [`UserWriter`] (one
//! [`UserCursor`] type with a direction marker), cursors over a user buffer
//! that report partial progress as Linux's `read(2)` and `write(2)` do. The
//! semantics and an example are on [`UserWriter`].

use core::{fmt, marker::PhantomData, mem::MaybeUninit};

use axerrno::{LinuxError, LinuxResult};

use crate::{
    AddrSpace, AddrSpaceProvider, UserCopy,
    check::{Span, access_ok, check_region_within, size_of_user, within},
    uaccess::{
        Direction, general_path, move_user_partial, move_validated, move_validated_unnested,
    },
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
    #[inline(always)]
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
        // The fast path: no enclosing access, no fault injection, and the
        // range valid as a whole. The first transfer checks the bounds of
        // what is left of the buffer in the same call of the address space
        // as its own range; a transfer of all of it needs no separate
        // check, since a `true` answer of `check_region_access` puts the
        // range inside user space (the trait's safety contract).
        if !general_path() {
            if let Ok(span) = Span::new(self.addr, len) {
                let bounds = (!self.bounds_checked && len < self.remaining)
                    .then_some((self.addr, self.remaining));
                let valid = provider.with_addr_space(|aspace| {
                    bounds.is_none_or(|(start, size)| within(aspace.user_range(), start, size))
                        && span.check_and_populate(aspace, direction.flags()).is_ok()
                });
                if valid {
                    self.bounds_checked = true;
                    // SAFETY: validated just above, with the flag clear as
                    // `general_path` found it (the address space leaves it
                    // so); the caller guarantees `kernel`.
                    let left =
                        unsafe { move_validated_unnested(direction, self.addr, kernel, len) };
                    if left == 0 {
                        // OVERFLOW: as in `advance`.
                        self.addr += len;
                        self.remaining -= len;
                        self.transferred += len;
                        return Ok(len);
                    }
                    return self
                        .advance(len, len - left)
                        .map_err(|()| LinuxError::EFAULT);
                }
            }
        }
        // The general path works on a copy of the cursor, so that only this
        // branch needs it in memory: a cursor that is a local of the caller
        // stays in registers on the fast path.
        let mut general = self.clone();
        // SAFETY: as the caller guarantees.
        let moved = unsafe { general.transfer_general(provider, direction, kernel, len) };
        *self = general;
        moved.map_err(|()| LinuxError::EFAULT)
    }

    /// [`transfer`](Self::transfer) of `len > 0` bytes inside an enclosing
    /// access, with fault injection armed, or of a range that failed the
    /// fast path's validation: everything is checked again, and an invalid
    /// range is walked a page at a time.
    ///
    /// # Safety
    ///
    /// As [`transfer`](Self::transfer), for `len <= want` bytes.
    #[cold]
    #[inline(never)]
    unsafe fn transfer_general<P: AddrSpaceProvider + ?Sized>(
        &mut self,
        provider: &mut P,
        direction: Direction,
        kernel: *mut u8,
        len: usize,
    ) -> Result<usize, ()> {
        // The first transfer checks the whole buffer's bounds in the same
        // call of the address space as its own range.
        let bounds = (!self.bounds_checked).then_some((self.addr, self.remaining));
        let moved =
            if check_region_within(provider, self.addr, len, direction.flags(), bounds).is_ok() {
                self.bounds_checked = true;
                // SAFETY: validated just above; the caller guarantees `kernel`.
                len - unsafe { move_validated(direction, self.addr, kernel, len) }
            } else {
                self.access_ok(provider).map_err(|_| ())?;
                // SAFETY: the caller guarantees `kernel`; the user range is
                // validated there, a page at a time.
                unsafe { move_user_partial(provider, direction, self.addr, kernel, len) }
            };
        self.advance(len, moved)
    }

    /// Accounts for `moved` of the `len` bytes of a transfer, inside the
    /// bounds of user space. `Err` (`EFAULT`) when a fault stopped the
    /// cursor before it moved anything. (Every error of a transfer is
    /// `EFAULT`: the unit error keeps the result in registers.)
    #[inline(always)]
    fn advance(&mut self, len: usize, moved: usize) -> Result<usize, ()> {
        // OVERFLOW: `[addr, addr + remaining)` lies in user space (checked
        // by the transfer), and `moved <= len <= remaining`.
        self.addr += moved;
        self.remaining -= moved;
        self.transferred += moved;
        if moved < len {
            // Stopped by a fault: like Linux, nothing after it is touched.
            self.remaining = 0;
            if self.transferred == 0 {
                return Err(());
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

/// A cursor that reads user memory: [`UserReader`].
#[derive(Debug)]
pub enum FromUser {}

/// A cursor that writes user memory: [`UserWriter`].
#[derive(Debug)]
pub enum ToUser {}

/// A cursor over a user buffer that moves data one way, `D` ([`FromUser`]
/// or [`ToUser`]), a piece at a time, reporting partial progress as
/// Linux's `read(2)` and `write(2)` do. Spelled [`UserReader`] and
/// [`UserWriter`]; the methods they share are here, each direction's
/// transfers on its alias.
///
/// Made by [`UserPtr::reader`](crate::UserPtr::reader),
/// [`UserPtr::writer`](crate::UserPtr::writer) or [`new`](Self::new);
/// nothing is checked until the first transfer.
#[must_use = "a cursor does nothing until it transfers"]
pub struct UserCursor<D> {
    inner: Cursor,
    _direction: PhantomData<D>,
}

/// A cursor that reads a user buffer into kernel memory: `write(2)`'s view
/// of its buffer. Its semantics are [`UserWriter`]'s, in the other
/// direction.
pub type UserReader = UserCursor<FromUser>;

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
pub type UserWriter = UserCursor<ToUser>;

impl<D> Clone for UserCursor<D> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            _direction: PhantomData,
        }
    }
}

impl<D> fmt::Debug for UserCursor<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl<D> UserCursor<D> {
    /// A cursor over the `len` user bytes at `addr`.
    #[inline]
    pub const fn new(addr: usize, len: usize) -> Self {
        Self {
            inner: Cursor::new(addr, len),
            _direction: PhantomData,
        }
    }

    /// A cursor over a range already found inside user space (`access_ok`).
    #[cfg(feature = "alloc")]
    pub(crate) const fn checked(addr: usize, len: usize) -> Self {
        Self {
            inner: Cursor::checked(addr, len),
            _direction: PhantomData,
        }
    }

    /// The user address of the next byte.
    #[inline]
    #[must_use]
    pub const fn addr(&self) -> usize {
        self.inner.addr
    }

    /// How many bytes are left to transfer (0 after a fault).
    #[inline]
    #[must_use]
    pub const fn remaining(&self) -> usize {
        self.inner.remaining
    }

    /// Whether no byte is left to transfer.
    #[inline]
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.inner.remaining == 0
    }

    /// How many bytes were transferred so far.
    #[inline]
    #[must_use]
    pub const fn transferred(&self) -> usize {
        self.inner.transferred
    }

    /// Checks now that the rest of the buffer lies in user space, as
    /// Linux's `read(2)` and `write(2)` do before the file sees the
    /// buffer. Transfers check it anyway; call it where the syscall must
    /// fail with `EFAULT` even if it transfers nothing.
    ///
    /// # Errors
    ///
    /// `EFAULT` for a buffer outside user space; the cursor is then
    /// exhausted.
    pub fn access_ok<P: AddrSpaceProvider + ?Sized>(
        &mut self,
        provider: &mut P,
    ) -> LinuxResult<()> {
        self.inner.access_ok(provider)
    }

    /// Skips `len` bytes without transferring them (a writer leaves them
    /// as they are in user memory).
    ///
    /// # Errors
    ///
    /// `EFAULT` when fewer than `len` bytes are left.
    pub fn skip(&mut self, len: usize) -> LinuxResult<()> {
        self.inner.skip(len)
    }

    /// Moves up to `want` bytes between the buffer and `kernel`, for the
    /// iovec cursors.
    ///
    /// # Safety
    ///
    /// As `Cursor::transfer`.
    #[cfg(feature = "alloc")]
    pub(crate) unsafe fn transfer<P: AddrSpaceProvider + ?Sized>(
        &mut self,
        provider: &mut P,
        direction: Direction,
        kernel: *mut u8,
        want: usize,
    ) -> LinuxResult<usize> {
        // SAFETY: as the caller guarantees.
        unsafe { self.inner.transfer(provider, direction, kernel, want) }
    }
}

impl UserReader {
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
            self.inner
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
        if size > self.inner.remaining {
            self.inner.remaining = 0;
            return Err(LinuxError::EFAULT);
        }
        let mut value = MaybeUninit::<T>::uninit();
        // SAFETY: `value` is a kernel buffer of `size` bytes.
        let moved = unsafe {
            self.inner.transfer(
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
}

impl UserWriter {
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
            self.inner.transfer(
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
        if size > self.inner.remaining {
            self.inner.remaining = 0;
            return Err(LinuxError::EFAULT);
        }
        // SAFETY: `value` is `size` initialized bytes (UserCopy: no
        // padding), only read.
        let moved = unsafe {
            self.inner.transfer(
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
            self.inner.transfer(
                provider,
                Direction::Clear,
                core::ptr::NonNull::dangling().as_ptr(),
                len,
            )
        }
    }
}
