//! Structures passed by pointer: copied in before the handler, or out
//! after it succeeded.
//!
//! About sixty Linux syscalls take a pointer to one structure: `stat`,
//! `timespec`, `rlimit`, `sigaction`, `utsname`, `epoll_event`... A
//! `#[syscall]` handler takes them as references to kernel copies:
//!
//! | parameter | the entry |
//! |---|---|
//! | `ts: &Timespec` | copies the `T` in before the body (`EFAULT` stops the call) |
//! | `#[out] st: &mut Stat` | hands the body a zeroed `T`, copies it out after `Ok` |
//! | `#[inout] len: &mut u32` | copies in, hands it over, copies out after `Ok` |
//! | `Option<&T>`, `#[out] Option<&mut T>`, … | `None` for a null pointer |
//! | `#[size = n]` on any of them | `EINVAL` unless `n == size_of::<T>()` (`sigsetsize`) |
//!
//! An output is not checked before the body: like Linux's final
//! `copy_to_user`, a bad pointer is `EFAULT` after the body ran, and never
//! hides the body's own error. Outputs are written in parameter order.
//!
//! The trace shows the copy the handler saw (an input) or wrote (an output
//! that was copied out) with the type's [`SyscallTrace`](super::SyscallTrace)
//! rendering, and the address otherwise.

use core::{
    fmt,
    mem::size_of,
    ops::{Deref, DerefMut},
};

use axerrno::{LinuxError, LinuxResult};

use super::{
    SyscallOutput, TraceCopied,
    render::TraceFn,
    trace::{TraceArg, TraceValue, fmt_ptr},
};
use crate::{AddrSpaceProvider, UserConstPtr, UserCopy, UserPtr};

/// `EINVAL` unless the size register says `size_of::<T>()`.
fn check_size<T>(size: Option<usize>) -> LinuxResult<()> {
    match size {
        Some(size) if size != size_of::<T>() => Err(LinuxError::EINVAL),
        _ => Ok(()),
    }
}

/// A structure copied from user memory before the handler runs: the value
/// behind a `&T` parameter.
pub struct ValueIn<T> {
    addr: usize,
    value: T,
    render: Option<TraceFn<T>>,
}

impl<T> ValueIn<T> {
    /// Checks `size` (if given) and copies the `T` at `addr`. `render` is
    /// how the trace shows it (`None`: the address).
    ///
    /// # Errors
    ///
    /// `EINVAL` for a size other than `size_of::<T>()`; `EFAULT` for a
    /// null, unmapped or unreadable `T`.
    pub fn copy_in<P: AddrSpaceProvider + ?Sized>(
        provider: &mut P,
        addr: usize,
        size: Option<usize>,
        render: Option<TraceFn<T>>,
    ) -> LinuxResult<Self>
    where
        T: UserCopy,
    {
        check_size::<T>(size)?;
        let value = UserConstPtr::<T>::from(addr).read(provider)?;
        Ok(Self {
            addr,
            value,
            render,
        })
    }

    /// [`copy_in`](Self::copy_in), or `None` for a null pointer (whose size
    /// is not checked).
    ///
    /// # Errors
    ///
    /// As [`copy_in`](Self::copy_in).
    pub fn copy_in_nullable<P: AddrSpaceProvider + ?Sized>(
        provider: &mut P,
        addr: usize,
        size: Option<usize>,
        render: Option<TraceFn<T>>,
    ) -> LinuxResult<Option<Self>>
    where
        T: UserCopy,
    {
        if addr == 0 {
            return Ok(None);
        }
        Self::copy_in(provider, addr, size, render).map(Some)
    }

    /// The user address it was copied from.
    #[must_use]
    pub fn addr(&self) -> usize {
        self.addr
    }
}

impl<T> Deref for ValueIn<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: fmt::Debug> fmt::Debug for ValueIn<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.value, f)
    }
}

impl<T> TraceValue for ValueIn<T> {
    fn fmt_value(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.render {
            Some(render) => render(&self.value, f),
            None => fmt_ptr(self.addr, f),
        }
    }
}

/// The copy the handler saw; the address when it was not made.
impl<T> TraceCopied for ValueIn<T> {
    fn trace_copied(copied: Option<&Self>, raw: usize) -> TraceArg<'_> {
        match copied {
            Some(copy) => TraceArg::Value(copy),
            None => TraceArg::Ptr(raw),
        }
    }
}

/// A structure the handler fills and the entry copies to user memory after
/// the handler returned `Ok`: the value behind an `#[out] &mut T` or
/// `#[inout] &mut T` parameter.
pub struct ValueOut<T> {
    addr: usize,
    value: T,
    render: Option<TraceFn<T>>,
    copied_out: bool,
}

impl<T> ValueOut<T> {
    /// Checks `size` (if given) and makes a zeroed `T` for the handler to
    /// fill (`#[out]`). Nothing is checked about `addr` yet.
    ///
    /// # Errors
    ///
    /// `EINVAL` for a size other than `size_of::<T>()`.
    pub fn new(addr: usize, size: Option<usize>, render: Option<TraceFn<T>>) -> LinuxResult<Self>
    where
        T: UserCopy,
    {
        check_size::<T>(size)?;
        // SAFETY: every bit pattern, all zeroes included, is a valid `T`
        // (UserCopy).
        let value = unsafe { core::mem::zeroed() };
        Ok(Self {
            addr,
            value,
            render,
            copied_out: false,
        })
    }

    /// [`new`](Self::new), or `None` for a null pointer.
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new).
    pub fn new_nullable(
        addr: usize,
        size: Option<usize>,
        render: Option<TraceFn<T>>,
    ) -> LinuxResult<Option<Self>>
    where
        T: UserCopy,
    {
        if addr == 0 {
            return Ok(None);
        }
        Self::new(addr, size, render).map(Some)
    }

    /// Checks `size` (if given) and copies the `T` at `addr` in, for the
    /// handler to update (`#[inout]`).
    ///
    /// # Errors
    ///
    /// As [`ValueIn::copy_in`].
    pub fn copy_in_out<P: AddrSpaceProvider + ?Sized>(
        provider: &mut P,
        addr: usize,
        size: Option<usize>,
        render: Option<TraceFn<T>>,
    ) -> LinuxResult<Self>
    where
        T: UserCopy,
    {
        let ValueIn {
            addr,
            value,
            render,
        } = ValueIn::copy_in(provider, addr, size, render)?;
        Ok(Self {
            addr,
            value,
            render,
            copied_out: false,
        })
    }

    /// [`copy_in_out`](Self::copy_in_out), or `None` for a null pointer.
    ///
    /// # Errors
    ///
    /// As [`copy_in_out`](Self::copy_in_out).
    pub fn copy_in_out_nullable<P: AddrSpaceProvider + ?Sized>(
        provider: &mut P,
        addr: usize,
        size: Option<usize>,
        render: Option<TraceFn<T>>,
    ) -> LinuxResult<Option<Self>>
    where
        T: UserCopy,
    {
        if addr == 0 {
            return Ok(None);
        }
        Self::copy_in_out(provider, addr, size, render).map(Some)
    }

    /// The user address it is copied to.
    #[must_use]
    pub fn addr(&self) -> usize {
        self.addr
    }
}

/// Writes the whole `T` (the handler's result does not count).
impl<C: AddrSpaceProvider + ?Sized, T: UserCopy> SyscallOutput<C> for ValueOut<T> {
    fn copy_out(&mut self, ctx: &mut C, _output_len: Option<usize>) -> LinuxResult<()> {
        UserPtr::<T>::from(self.addr).write(ctx, self.value)?;
        self.copied_out = true;
        Ok(())
    }
}

impl<T> Deref for ValueOut<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> DerefMut for ValueOut<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

impl<T: fmt::Debug> fmt::Debug for ValueOut<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.value, f)
    }
}

impl<T> TraceValue for ValueOut<T> {
    fn fmt_value(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.render {
            Some(render) if self.copied_out => render(&self.value, f),
            _ => fmt_ptr(self.addr, f),
        }
    }
}

/// What was copied out; the address when nothing was (the call failed), as
/// strace shows it.
impl<T> TraceCopied for ValueOut<T> {
    fn trace_copied(copied: Option<&Self>, raw: usize) -> TraceArg<'_> {
        match copied {
            Some(copy) if copy.copied_out => TraceArg::Value(copy),
            _ => TraceArg::Ptr(raw),
        }
    }
}
