//! Vectored I/O: `struct iovec` arrays, imported with Linux's rules.
//!
//! `readv`, `writev`, `preadv`, `process_vm_readv`, `sendmsg`... take an
//! array of [`IoVec`]s, each naming a user buffer. [`IoVecs::import`] reads
//! the array once (no double fetch) and checks it the way Linux's
//! `import_iovec` does, in the same order, so a hostile array gets the
//! same errno:
//!
//! 1. more than [`IOV_MAX`] elements: `EINVAL`; none: an empty array
//!    (neither is read);
//! 2. the elements are read in order: one whose length is negative as an
//!    `ssize_t`: `EINVAL`, unless an unreadable element comes first:
//!    `EFAULT`;
//! 3. an element whose buffer lies outside user space (`access_ok`):
//!    `EFAULT` (so lengths that add up past `SSIZE_MAX` are `EFAULT` on
//!    64-bit targets: the element that overflows fails its own check
//!    first); a single element is first capped at [`MAX_RW_COUNT`], as
//!    Linux's `import_ubuf` does;
//! 4. the total is capped at [`MAX_RW_COUNT`]: the element that crosses it
//!    is shortened, later ones become empty (a short transfer, not an
//!    error).
//!
//! Nothing is checked about the buffers' mappings up front: the
//! [`IoVecReader`] and [`IoVecWriter`] cursors transfer across the segments
//! in order and stop at the first byte that faults, reporting what moved,
//! as Linux's `readv`/`writev` do.

use alloc::vec::Vec;
use core::{fmt, mem::size_of};

use axerrno::{LinuxError, LinuxResult};
use memory_addr::PAGE_SIZE_4K;

use crate::{
    AddrSpaceProvider, UserConstPtr, UserCopy, UserCursor,
    access::{FromUser, ToUser},
    check::access_ok,
    uaccess::Direction,
};

/// The most elements an iovec array may have (Linux `UIO_MAXIOV`).
pub const IOV_MAX: usize = 1024;

/// The most bytes one read or write transfers (Linux `MAX_RW_COUNT`:
/// `INT_MAX` rounded down to a page).
pub const MAX_RW_COUNT: usize = i32::MAX as usize & !(PAGE_SIZE_4K - 1);

/// One element of an iovec array, as user space lays it out
/// (`struct iovec { void *iov_base; size_t iov_len; }`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct IoVec {
    /// The buffer's user address.
    pub base: usize,
    /// The buffer's length in bytes.
    pub len: usize,
}

// SAFETY: two `usize`s, `repr(C)`: no padding, any bits valid, all-zero is
// an empty buffer at null.
unsafe impl UserCopy for IoVec {}

/// An iovec array read from user memory and checked with Linux's rules
/// (see the [module docs](self)).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IoVecs {
    segments: Vec<IoVec>,
    total: usize,
}

impl IoVecs {
    /// Reads `count` elements at `array` and checks them.
    ///
    /// # Errors
    ///
    /// `EINVAL` for more than [`IOV_MAX`] elements or a negative length;
    /// `EFAULT` for an unreadable array or a buffer outside user space;
    /// `ENOMEM`.
    pub fn import<P: AddrSpaceProvider + ?Sized>(
        provider: &mut P,
        array: UserConstPtr<IoVec>,
        count: usize,
    ) -> LinuxResult<Self> {
        if count > IOV_MAX {
            return Err(LinuxError::EINVAL);
        }
        if count == 0 {
            // Linux never looks at the array then, wherever it points.
            return Ok(Self::default());
        }
        let mut segments = Vec::new();
        segments
            .try_reserve_exact(count)
            .map_err(|_| LinuxError::ENOMEM)?;
        segments.resize(count, IoVec::default());
        // Linux reads the elements in order and refuses a negative length
        // as soon as it reads one: an EINVAL element before the first
        // unreadable one wins over EFAULT.
        let moved = array.read_slice_partial(provider, &mut segments)?;
        let read = moved / size_of::<IoVec>();
        if segments[..read]
            .iter()
            .any(|seg| seg.len > isize::MAX as usize)
        {
            return Err(LinuxError::EINVAL);
        }
        if read < count {
            return Err(LinuxError::EFAULT);
        }
        let mut total = 0;
        for seg in &mut segments {
            // A single buffer is capped before its bounds are checked
            // (Linux's `import_ubuf`); with several, each is checked whole.
            if count == 1 {
                seg.len = seg.len.min(MAX_RW_COUNT);
            }
            access_ok(provider, seg.base, seg.len)?;
            // OVERFLOW: `total <= MAX_RW_COUNT`, so the subtraction cannot
            // wrap, and the sum stays within `MAX_RW_COUNT`.
            seg.len = seg.len.min(MAX_RW_COUNT - total);
            total += seg.len;
        }
        Ok(Self { segments, total })
    }

    /// The checked segments (lengths capped).
    #[must_use]
    pub fn segments(&self) -> &[IoVec] {
        &self.segments
    }

    /// The number of bytes the segments hold, at most [`MAX_RW_COUNT`].
    #[must_use]
    pub fn total_len(&self) -> usize {
        self.total
    }

    /// A cursor reading the segments in order (`writev`'s view).
    pub fn reader(self) -> IoVecReader {
        IoVecCursor::new(self.segments)
    }

    /// A cursor writing the segments in order (`readv`'s view).
    pub fn writer(self) -> IoVecWriter {
        IoVecCursor::new(self.segments)
    }
}

/// An imported iovec array transferred segment after segment in one
/// direction, `D` ([`FromUser`] or [`ToUser`]), with [`UserCursor`]'s
/// partial-progress rules over the whole array: a fault ends the transfer,
/// and `EFAULT` comes back only when nothing at all moved. Spelled
/// [`IoVecReader`] and [`IoVecWriter`].
pub struct IoVecCursor<D> {
    segments: Vec<IoVec>,
    next: usize,
    current: UserCursor<D>,
    transferred: usize,
}

/// Reads an imported iovec array (`writev(2)`'s view).
pub type IoVecReader = IoVecCursor<FromUser>;

/// Writes an imported iovec array (`readv(2)`'s view).
pub type IoVecWriter = IoVecCursor<ToUser>;

impl<D> Clone for IoVecCursor<D> {
    fn clone(&self) -> Self {
        Self {
            segments: self.segments.clone(),
            next: self.next,
            current: self.current.clone(),
            transferred: self.transferred,
        }
    }
}

impl<D> fmt::Debug for IoVecCursor<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IoVecCursor")
            .field("segments", &self.segments)
            .field("next", &self.next)
            .field("current", &self.current)
            .field("transferred", &self.transferred)
            .finish()
    }
}

impl<D> IoVecCursor<D> {
    fn new(segments: Vec<IoVec>) -> Self {
        Self {
            segments,
            next: 0,
            current: UserCursor::new(0, 0),
            transferred: 0,
        }
    }

    /// Moves to the next non-empty segment when the current one is done;
    /// returns whether one is left.
    fn advance(&mut self) -> bool {
        while self.current.is_empty() {
            let Some(seg) = self.segments.get(self.next) else {
                return false;
            };
            self.next += 1;
            self.current = UserCursor::checked(seg.base, seg.len);
        }
        true
    }

    /// How many bytes are left in the segments (stops counting at a fault).
    #[must_use]
    pub fn remaining(&self) -> usize {
        let rest: usize = self.segments[self.next..].iter().map(|seg| seg.len).sum();
        self.current.remaining() + rest
    }

    /// Whether nothing is left to transfer.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// How many bytes were transferred so far.
    #[must_use]
    pub fn transferred(&self) -> usize {
        self.transferred
    }

    /// Moves up to `len` bytes between the segments and `kernel`, in order,
    /// stopping at the end or at the first byte that faults.
    ///
    /// # Safety
    ///
    /// `kernel` is valid for `len` bytes in `direction` and does not
    /// overlap user memory.
    unsafe fn transfer<P: AddrSpaceProvider + ?Sized>(
        &mut self,
        provider: &mut P,
        direction: Direction,
        kernel: *mut u8,
        len: usize,
    ) -> LinuxResult<usize> {
        let mut done = 0;
        while done < len && self.advance() {
            let want = (len - done).min(self.current.remaining());
            // SAFETY: `done < len`: the rest of `kernel` as the caller
            // guarantees it.
            let step = unsafe {
                self.current
                    .transfer(provider, direction, kernel.add(done), want)
            };
            match step {
                Ok(n) => {
                    done += n;
                    self.transferred += n;
                    if n < want {
                        self.stop();
                    }
                }
                Err(err) => {
                    self.stop();
                    if self.transferred == 0 {
                        return Err(err);
                    }
                }
            }
        }
        Ok(done)
    }

    /// Ends the transfer (after a fault): nothing more moves.
    fn stop(&mut self) {
        self.next = self.segments.len();
        self.current = UserCursor::new(0, 0);
    }
}

impl IoVecReader {
    /// Reads up to `dst.len()` bytes across segments, stopping at the end
    /// or at the first byte that faults; returns how many were read. The
    /// bytes of `dst` not read are zeroed.
    ///
    /// # Errors
    ///
    /// `EFAULT` when nothing at all was read and this read stopped at its
    /// first byte.
    pub fn read<P: AddrSpaceProvider + ?Sized>(
        &mut self,
        provider: &mut P,
        dst: &mut [u8],
    ) -> LinuxResult<usize> {
        // SAFETY: `dst` is a kernel buffer of `dst.len()` bytes.
        let result =
            unsafe { self.transfer(provider, Direction::FromUser, dst.as_mut_ptr(), dst.len()) };
        let done = *result.as_ref().unwrap_or(&0);
        if let Some(rest) = dst.get_mut(done..) {
            rest.fill(0);
        }
        result
    }
}

impl IoVecWriter {
    /// Writes up to `src.len()` bytes across segments, stopping at the end
    /// or at the first byte that faults; returns how many were written.
    ///
    /// # Errors
    ///
    /// `EFAULT` when nothing at all was written and this write stopped at
    /// its first byte.
    pub fn write<P: AddrSpaceProvider + ?Sized>(
        &mut self,
        provider: &mut P,
        src: &[u8],
    ) -> LinuxResult<usize> {
        // SAFETY: `src` is initialized kernel memory, only read.
        unsafe {
            self.transfer(
                provider,
                Direction::ToUser,
                src.as_ptr().cast_mut(),
                src.len(),
            )
        }
    }
}
