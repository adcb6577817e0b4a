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
    mem::{MaybeUninit, size_of},
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
///
/// The entry keeps it in a slot of its own and the constructors fill that
/// slot in place: the structure is read straight into the memory the
/// handler borrows, never moved (or zeroed first) around the copy.
pub struct ValueIn<T> {
    addr: usize,
    /// Initialized: a `ValueIn` is only seen once its copy succeeded (a
    /// constructor that fails empties the slot again).
    value: MaybeUninit<T>,
    render: Option<TraceFn<T>>,
}

impl<T> ValueIn<T> {
    /// Checks `size` (if given) and copies the `T` at `addr` into `slot`.
    /// `render` is how the trace shows it (`None`: the address). On error,
    /// `slot` is `None`.
    ///
    /// The entry then lends the handler the filled slot: these
    /// constructors hand out no reference themselves.
    ///
    /// # Errors
    ///
    /// `EINVAL` for a size other than `size_of::<T>()`; `EFAULT` for a
    /// null, unmapped or unreadable `T`.
    #[inline]
    pub fn copy_in<P: AddrSpaceProvider + ?Sized>(
        slot: &mut Option<Self>,
        provider: &mut P,
        addr: usize,
        size: Option<usize>,
        render: Option<TraceFn<T>>,
    ) -> LinuxResult<()>
    where
        T: UserCopy,
    {
        *slot = None;
        check_size::<T>(size)?;
        let holder = slot.insert(Self {
            addr,
            value: MaybeUninit::uninit(),
            render,
        });
        let dst = holder.value.as_mut_ptr().cast::<u8>();
        // SAFETY: the bytes of `value`, `size_of::<T>()` of them, in kernel
        // memory, borrowed for this copy only (writing bytes into a
        // `MaybeUninit` is always allowed).
        let bytes = unsafe { core::slice::from_raw_parts_mut(dst, size_of::<T>()) };
        let copied = UserConstPtr::<u8>::from(addr).read_slice(provider, bytes);
        if copied.is_err() {
            // Not a `T` yet: nobody may see it.
            *slot = None;
        }
        // Otherwise every byte was written, and any bytes are a valid `T`
        // (UserCopy): `value` is initialized.
        copied
    }

    /// [`copy_in`](Self::copy_in), or `None` for a null pointer (whose size
    /// is not checked).
    ///
    /// # Errors
    ///
    /// As [`copy_in`](Self::copy_in).
    #[inline]
    pub fn copy_in_nullable<P: AddrSpaceProvider + ?Sized>(
        slot: &mut Option<Option<Self>>,
        provider: &mut P,
        addr: usize,
        size: Option<usize>,
        render: Option<TraceFn<T>>,
    ) -> LinuxResult<()>
    where
        T: UserCopy,
    {
        let inner = slot.insert(None);
        if addr != 0 {
            if let Err(err) = Self::copy_in(inner, provider, addr, size, render) {
                *slot = None;
                return Err(err);
            }
        }
        Ok(())
    }

    /// The user address it was copied from.
    #[must_use]
    pub fn addr(&self) -> usize {
        self.addr
    }
}

impl<T> Deref for ValueIn<T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: initialized (the field's invariant).
        unsafe { self.value.assume_init_ref() }
    }
}

impl<T: fmt::Debug> fmt::Debug for ValueIn<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T> TraceValue for ValueIn<T> {
    fn fmt_value(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.render {
            Some(render) => render(self, f),
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
    /// Checks `size` (if given) and puts a zeroed `T` for the handler to
    /// fill (`#[out]`) in `slot`. Nothing is checked about `addr` yet.
    ///
    /// # Errors
    ///
    /// `EINVAL` for a size other than `size_of::<T>()`.
    #[inline]
    pub fn put_zeroed(
        slot: &mut Option<Self>,
        addr: usize,
        size: Option<usize>,
        render: Option<TraceFn<T>>,
    ) -> LinuxResult<()>
    where
        T: UserCopy,
    {
        check_size::<T>(size)?;
        *slot = Some(Self::zeroed(addr, render));
        Ok(())
    }

    /// [`put_zeroed`](Self::put_zeroed), or `None` for a null pointer.
    ///
    /// # Errors
    ///
    /// As [`put_zeroed`](Self::put_zeroed).
    #[inline]
    pub fn put_zeroed_nullable(
        slot: &mut Option<Option<Self>>,
        addr: usize,
        size: Option<usize>,
        render: Option<TraceFn<T>>,
    ) -> LinuxResult<()>
    where
        T: UserCopy,
    {
        let inner = slot.insert(None);
        if addr != 0 {
            check_size::<T>(size)?;
            *inner = Some(Self::zeroed(addr, render));
        }
        Ok(())
    }

    /// Checks `size` (if given) and copies the `T` at `addr` into `slot`,
    /// for the handler to update (`#[inout]`).
    ///
    /// # Errors
    ///
    /// As [`ValueIn::copy_in`].
    #[inline]
    pub fn copy_in_out<P: AddrSpaceProvider + ?Sized>(
        slot: &mut Option<Self>,
        provider: &mut P,
        addr: usize,
        size: Option<usize>,
        render: Option<TraceFn<T>>,
    ) -> LinuxResult<()>
    where
        T: UserCopy,
    {
        check_size::<T>(size)?;
        slot.insert(Self::zeroed(addr, render)).fill(provider)
    }

    /// [`copy_in_out`](Self::copy_in_out), or `None` for a null pointer.
    ///
    /// # Errors
    ///
    /// As [`copy_in_out`](Self::copy_in_out).
    #[inline]
    pub fn copy_in_out_nullable<P: AddrSpaceProvider + ?Sized>(
        slot: &mut Option<Option<Self>>,
        provider: &mut P,
        addr: usize,
        size: Option<usize>,
        render: Option<TraceFn<T>>,
    ) -> LinuxResult<()>
    where
        T: UserCopy,
    {
        Self::put_zeroed_nullable(slot, addr, size, render)?;
        match slot {
            Some(Some(holder)) => holder.fill(provider),
            _ => Ok(()),
        }
    }

    #[inline]
    fn zeroed(addr: usize, render: Option<TraceFn<T>>) -> Self
    where
        T: UserCopy,
    {
        Self {
            addr,
            // SAFETY: every bit pattern, all zeroes included, is a valid `T`
            // (UserCopy).
            value: unsafe { core::mem::zeroed() },
            render,
            copied_out: false,
        }
    }

    #[inline]
    fn fill<P: AddrSpaceProvider + ?Sized>(&mut self, provider: &mut P) -> LinuxResult<()>
    where
        T: UserCopy,
    {
        UserConstPtr::<T>::from(self.addr)
            .read_slice(provider, core::slice::from_mut(&mut self.value))
    }

    /// The user address it is copied to.
    #[must_use]
    pub fn addr(&self) -> usize {
        self.addr
    }
}

/// Writes the whole `T` (the handler's result does not count).
impl<C: AddrSpaceProvider + ?Sized, T: UserCopy> SyscallOutput<C> for ValueOut<T> {
    #[inline]
    fn copy_out(&mut self, ctx: &mut C, _output_len: Option<usize>) -> LinuxResult<()> {
        // From the holder, not a copy of the value on the stack.
        UserPtr::<T>::from(self.addr).write_slice(ctx, core::slice::from_ref(&self.value))?;
        self.copied_out = true;
        Ok(())
    }
}

impl<T> Deref for ValueOut<T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> DerefMut for ValueOut<T> {
    #[inline]
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
