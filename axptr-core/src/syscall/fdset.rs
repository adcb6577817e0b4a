//! `select`'s and `pselect6`'s descriptor sets: bitmaps whose size is
//! given by `nfds`.
//!
//! `#[len = nfds] readfds: Option<&mut FdSet>` copies the first `nfds` bits
//! (rounded up to whole `long`s, as Linux's `FDS_BYTES`) in before the
//! handler runs and back after it returned `Ok`, like Linux's `get_fd_set`
//! and `set_fd_set`; a null set is `None`. A negative `int nfds` is
//! `EINVAL`; `nfds` above [`FdSet::MAX_FDS`] is cut to it, as Linux cuts it
//! to the size of the descriptor table (a handler with a smaller table
//! reports set bits past it itself, `EBADF` in Linux).

use alloc::vec::Vec;
use core::fmt;

use axerrno::LinuxResult;

use super::{
    SyscallBufArg, SyscallOutput, TraceCopied,
    slice::SliceIn,
    trace::{TraceArg, TraceValue},
};
use crate::{AddrSpaceProvider, UserPtr};

/// Bits per `long`, the unit of an fd set in memory.
const WORD_BITS: usize = usize::BITS as usize;

/// A descriptor set copied into kernel memory: the value behind
/// `#[len = nfds] set: Option<&mut FdSet>`, `select`'s and `pselect6`'s
/// bitmaps.
///
/// The first `nfds` bits (rounded up to whole `long`s, as Linux's
/// `FDS_BYTES`) are copied in before the handler runs and back after it
/// returned `Ok`, like Linux's `get_fd_set` and `set_fd_set`; a null set is
/// `None`. A negative `int nfds` is `EINVAL`; `nfds` above
/// [`MAX_FDS`](Self::MAX_FDS) is cut to it, as Linux cuts it to the size of
/// the descriptor table (a handler with a smaller table reports set bits
/// past it itself, `EBADF` in Linux).
pub struct FdSet {
    addr: usize,
    nfds: usize,
    words: Vec<usize>,
}

impl FdSet {
    /// The most descriptors a set covers (Linux's default `nr_open`).
    pub const MAX_FDS: usize = 1 << 20;

    /// Copies the first `nfds` bits at `addr` (at most [`MAX_FDS`](Self::MAX_FDS),
    /// rounded up to whole `long`s).
    ///
    /// # Errors
    ///
    /// `EFAULT` for unreadable memory; `ENOMEM`.
    pub fn copy_in<P: AddrSpaceProvider + ?Sized>(
        provider: &mut P,
        addr: usize,
        nfds: usize,
    ) -> LinuxResult<Self> {
        let nfds = nfds.min(Self::MAX_FDS);
        let words = SliceIn::<usize>::copy_in(provider, addr, nfds.div_ceil(WORD_BITS))?;
        Ok(Self {
            addr,
            nfds,
            words: words.into_vec(),
        })
    }

    /// The number of descriptors the set covers.
    #[must_use]
    pub fn nfds(&self) -> usize {
        self.nfds
    }

    /// Whether descriptor `fd` is in the set (`false` past `nfds`).
    #[must_use]
    pub fn contains(&self, fd: usize) -> bool {
        fd < self.nfds
            && self
                .words
                .get(fd / WORD_BITS)
                .is_some_and(|word| word & (1 << (fd % WORD_BITS)) != 0)
    }

    /// Puts `fd` in the set; returns `false` (and changes nothing) past
    /// `nfds`.
    pub fn insert(&mut self, fd: usize) -> bool {
        match self.words.get_mut(fd / WORD_BITS) {
            Some(word) if fd < self.nfds => {
                *word |= 1 << (fd % WORD_BITS);
                true
            }
            _ => false,
        }
    }

    /// Takes `fd` out of the set.
    pub fn remove(&mut self, fd: usize) {
        if let Some(word) = self.words.get_mut(fd / WORD_BITS) {
            *word &= !(1 << (fd % WORD_BITS));
        }
    }

    /// Empties the set (what `select` does before it reports the ready
    /// descriptors).
    pub fn clear(&mut self) {
        self.words.fill(0);
    }

    /// The descriptors in the set, in order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.nfds).filter(|&fd| self.contains(fd))
    }
}

impl fmt::Debug for FdSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl<C: AddrSpaceProvider + ?Sized> SyscallBufArg<C> for FdSet {
    fn from_syscall_buf(ctx: &mut C, addr: usize, len: usize) -> LinuxResult<Self> {
        Self::copy_in(ctx, addr, len)
    }
}

/// Writes the whole set back (Linux's `set_fd_set`).
impl<C: AddrSpaceProvider + ?Sized> SyscallOutput<C> for FdSet {
    fn copy_out(&mut self, ctx: &mut C, _output_len: Option<usize>) -> LinuxResult<()> {
        UserPtr::<usize>::from(self.addr).write_slice(ctx, &self.words)
    }
}

/// Sets longer than this show their first descriptors, then `...`.
const TRACE_FDS: usize = 32;

/// `[3 4]`, strace's form: the set as the handler left it (what was copied
/// out, after a successful call).
impl TraceValue for FdSet {
    fn fmt_value(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, fd) in self.iter().enumerate() {
            if i == TRACE_FDS {
                f.write_str(" ...")?;
                break;
            }
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{fd}")?;
        }
        f.write_str("]")
    }
}

impl TraceCopied for FdSet {
    fn trace_copied(copied: Option<&Self>, raw: usize) -> TraceArg<'_> {
        match copied {
            Some(copy) => TraceArg::Value(copy),
            None => TraceArg::Ptr(raw),
        }
    }
}
