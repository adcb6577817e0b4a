//! Argument kinds this kernel defines itself, with axptr's public traits,
//! where Linux has a pattern `#[syscall]` does not provide:
//!
//! - [`PendingSet`]: `rt_sigpending`'s set, copied out with the *user's*
//!   size (any size up to 8 bytes; the built-in `SigSetSize` demands 8);
//! - [`SockAddrIn`]: a socket address copied in with
//!   `move_addr_to_kernel`'s rules, whose `Option` is `None` for a null
//!   pointer whatever the length (`sendto`'s destination);
//! - [`ExtensibleOut`]: an extensible structure copied *out* with
//!   `copy_struct_to_user` (`sched_getattr`), the output twin of
//!   `Extensible`;
//! - [`SigmaskArgpack`]: `pselect6`'s sixth argument, a pointer to a
//!   sigset pointer and its size;
//! - [`AcceptAddr`]: `accept4`'s peer address, axptr's `SockAddrOut` plus
//!   the new descriptor, closed again when the address cannot be copied
//!   out (Linux installs it only after the copy).
//!
//! Each one keeps user-memory access out of the handlers' bodies, as the
//! built-in kinds do; `abi::CATALOGUE` counts them apart.

use core::{fmt, mem::size_of, ops::Deref, ops::DerefMut};

use axptr::{
    AddrSpaceProvider, LinuxError, LinuxResult, PAGE_SIZE_4K, SyscallArg, UserConstPtr, UserCopy,
    UserPtr,
    syscall::{
        ArgFormat, SIGSET_SIZE, SigSet, SockAddrOut, SyscallBufArg, SyscallOutput, SyscallTrace,
        TraceArg, TraceCopied, TraceValue,
    },
};

use super::Process;
use crate::abi::SigsetArg;

/// `rt_sigpending`'s output: `#[len = sigsetsize] set: &mut PendingSet`.
/// Linux accepts any `sigsetsize` up to `sizeof(sigset_t)` (`EINVAL`
/// above it, before anything is written) and copies that many bytes.
pub struct PendingSet {
    addr: usize,
    len: usize,
    pub set: SigSet,
    copied_out: bool,
}

impl<C: ?Sized> SyscallBufArg<C> for PendingSet {
    fn from_syscall_buf(_: &mut C, addr: usize, len: usize) -> LinuxResult<Self> {
        if len > SIGSET_SIZE {
            return Err(LinuxError::EINVAL);
        }
        Ok(Self {
            addr,
            len,
            set: SigSet::EMPTY,
            copied_out: false,
        })
    }
}

impl<C: AddrSpaceProvider + ?Sized> SyscallOutput<C> for PendingSet {
    fn copy_out(&mut self, ctx: &mut C, _: Option<usize>) -> LinuxResult<()> {
        let bytes = self.set.0.to_ne_bytes();
        let bytes = bytes.get(..self.len).ok_or(LinuxError::EINVAL)?;
        UserPtr::<u8>::from(self.addr).write_slice(ctx, bytes)?;
        self.copied_out = true;
        Ok(())
    }
}

impl TraceValue for PendingSet {
    fn fmt_value(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.set.fmt_trace(f)
    }
}

/// The set copied out (`[USR1]`); the address otherwise.
impl TraceCopied for PendingSet {
    fn trace_copied(copied: Option<&Self>, raw: usize) -> TraceArg<'_> {
        match copied {
            Some(set) if set.copied_out => TraceArg::Value(set),
            _ => TraceArg::Ptr(raw),
        }
    }
}

/// A socket address copied into kernel memory: `#[len = addrlen] addr:
/// SockAddrIn`, or `Option<SockAddrIn>` where a null pointer means "no
/// address" and its length is ignored (`sendto`). `EINVAL` for a length
/// above `sizeof(struct sockaddr_storage)` (128) or negative as an `int`;
/// `EFAULT` for unreadable memory.
pub struct SockAddrIn {
    pub bytes: Vec<u8>,
}

impl<C: AddrSpaceProvider + ?Sized> SyscallBufArg<C> for SockAddrIn {
    fn from_syscall_buf(ctx: &mut C, addr: usize, len: usize) -> LinuxResult<Self> {
        if len > super::args::SOCKADDR_STORAGE {
            return Err(LinuxError::EINVAL);
        }
        let mut bytes = vec![0; len];
        UserConstPtr::<u8>::from(addr).read_slice(ctx, &mut bytes)?;
        Ok(Self { bytes })
    }
}

/// An extensible structure the kernel writes, in the size user space
/// gave: `#[len = size] attr: &mut ExtensibleOut<SchedAttr, 48>`. `EINVAL`
/// for a null pointer, a size below `MIN` or above a page, before the
/// body; after an `Ok`, `copy_struct_to_user` (what does not fit is left
/// out, a larger user structure's extra bytes are zeroed).
pub struct ExtensibleOut<T, const MIN: usize> {
    addr: usize,
    user_size: usize,
    value: T,
    copied_out: bool,
}

impl<T, const MIN: usize> ExtensibleOut<T, MIN> {
    pub fn user_size(&self) -> usize {
        self.user_size
    }
}

impl<C: ?Sized, T: UserCopy + Default, const MIN: usize> SyscallBufArg<C>
    for ExtensibleOut<T, MIN>
{
    fn from_syscall_buf(_: &mut C, addr: usize, size: usize) -> LinuxResult<Self> {
        if addr == 0 || size < MIN || size > PAGE_SIZE_4K {
            return Err(LinuxError::EINVAL);
        }
        Ok(Self {
            addr,
            user_size: size,
            value: T::default(),
            copied_out: false,
        })
    }
}

impl<C: AddrSpaceProvider + ?Sized, T: UserCopy + SyscallTrace, const MIN: usize> SyscallOutput<C>
    for ExtensibleOut<T, MIN>
{
    fn copy_out(&mut self, ctx: &mut C, _: Option<usize>) -> LinuxResult<()> {
        UserPtr::<T>::from(self.addr).write_extensible(ctx, &self.value, self.user_size)?;
        self.copied_out = true;
        Ok(())
    }
}

impl<T, const MIN: usize> Deref for ExtensibleOut<T, MIN> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T, const MIN: usize> DerefMut for ExtensibleOut<T, MIN> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

impl<T: SyscallTrace, const MIN: usize> TraceValue for ExtensibleOut<T, MIN> {
    fn fmt_value(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt_trace(f)
    }
}

impl<T: SyscallTrace, const MIN: usize> TraceCopied for ExtensibleOut<T, MIN> {
    fn trace_copied(copied: Option<&Self>, raw: usize) -> TraceArg<'_> {
        match copied {
            Some(out) if out.copied_out => TraceArg::Value(out),
            _ => TraceArg::Ptr(raw),
        }
    }
}

/// `pselect6`'s sixth argument: null, or a pointer to `{const sigset_t
/// *ss; size_t ss_len}`. The pair is copied (`EFAULT`), then a non-null
/// `ss` must come with `ss_len == 8` (`EINVAL`) and is copied (`EFAULT`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SigmaskArgpack(pub Option<SigSet>);

impl<C: AddrSpaceProvider + ?Sized> SyscallArg<C> for SigmaskArgpack {
    fn from_syscall_arg(ctx: &mut C, raw: usize) -> LinuxResult<Self> {
        if raw == 0 {
            return Ok(Self(None));
        }
        let pack: SigsetArg = UserConstPtr::<SigsetArg>::from(raw).read(ctx)?;
        if pack.ss.is_null() {
            return Ok(Self(None));
        }
        if pack.ss_len != size_of::<SigSet>() {
            return Err(LinuxError::EINVAL);
        }
        pack.ss.read(ctx).map(|set| Self(Some(set)))
    }

    fn fmt_syscall_arg(raw: usize, _: ArgFormat, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match raw {
            0 => f.write_str("NULL"),
            addr => write!(f, "{addr:#x}"),
        }
    }
}

/// `accept4`'s peer address: `#[len = addrlen] addr: Option<&mut
/// AcceptAddr>` with `addrlen: SockLenPtr`. It is axptr's `SockAddrOut`
/// (`move_addr_to_user` after `Ok`), plus the descriptor the body
/// installed: Linux copies the address out before it installs the new
/// descriptor and installs none on `EFAULT`, so when the copy-out fails
/// this closes the descriptor again, and the connection with it.
pub struct AcceptAddr {
    addr: SockAddrOut,
    fd: Option<i32>,
}

impl AcceptAddr {
    /// Sets the address (see `SockAddrOut::set`).
    pub fn set(&mut self, addr: &[u8]) -> LinuxResult<()> {
        self.addr.set(addr)
    }

    /// The descriptor to take back if the address cannot be copied out.
    pub fn installed(&mut self, fd: i32) {
        self.fd = Some(fd);
    }
}

impl SyscallBufArg<Process> for AcceptAddr {
    fn from_syscall_buf(p: &mut Process, addr: usize, len: usize) -> LinuxResult<Self> {
        Ok(Self {
            addr: SockAddrOut::from_syscall_buf(p, addr, len)?,
            fd: None,
        })
    }

    fn trace_len(kept: Option<&Self>) -> Option<TraceArg<'_>> {
        <SockAddrOut as SyscallBufArg<Process>>::trace_len(kept.map(|kept| &kept.addr))
    }
}

impl SyscallOutput<Process> for AcceptAddr {
    fn copy_out(&mut self, p: &mut Process, output_len: Option<usize>) -> LinuxResult<()> {
        let copied = self.addr.copy_out(p, output_len);
        if copied.is_err() {
            if let Some(fd) = self.fd.take() {
                p.printk("[kernel] accept4: the address cannot be copied out; the new descriptor is closed");
                let _ = p.close_fd(fd);
            }
        }
        copied
    }
}

/// As `SockAddrOut`'s: the address copied out, or the pointer.
impl TraceCopied for AcceptAddr {
    fn trace_copied(copied: Option<&Self>, raw: usize) -> TraceArg<'_> {
        SockAddrOut::trace_copied(copied.map(|copied| &copied.addr), raw)
    }
}
