//! Arguments made of a pointer register and a length or size register.
//!
//! `read(fd, buf, count)`, `readv(fd, iov, iovcnt)`,
//! `openat2(dirfd, path, how, size)`: the pointer means nothing without
//! the other register. A handler names it with an attribute, and the
//! argument's type converts the pair:
//!
//! - `#[len = count] buf: T` with `T:` [`SyscallBufArg`]: a buffer or an
//!   array and its length ([`UserWriter`], [`UserReader`], the iovec
//!   cursors, [`FdSet`](super::FdSet));
//! - `#[size = size] arg: T` with `T:` [`SyscallSizedArg`]: a structure and
//!   its size in bytes ([`Extensible`](super::Extensible)).
//!
//! Taken by value, the handler owns the converted argument. A type with an
//! after-body step ([`SyscallOutput`](super::SyscallOutput), e.g. `FdSet`)
//! is taken as `&mut T` or `Option<&mut T>`: the entry keeps it, copies it
//! back after the handler succeeded and traces it.

use axerrno::LinuxResult;

use super::trace::TraceArg;
use crate::{UserReader, UserWriter};

/// A handler argument made from a pointer register and the length register
/// named by `#[len = …]`.
///
/// `len` is the value of the length parameter (its own type's
/// [`SyscallLen`](super::SyscallLen): a negative `int` is `EINVAL` before
/// this runs). The conversion runs after the by-value arguments (so a bad
/// descriptor is reported first), in parameter order with the copied
/// arguments.
///
/// ```
/// use axptr_core::{LinuxError, LinuxResult, syscall::SyscallBufArg};
///
/// /// A `sethostname`-style name: at most 64 bytes, copied in.
/// struct HostName(Vec<u8>);
///
/// impl<C: axptr_core::AddrSpaceProvider + ?Sized> SyscallBufArg<C> for HostName {
///     fn from_syscall_buf(ctx: &mut C, addr: usize, len: usize) -> LinuxResult<Self> {
///         if len > 64 {
///             return Err(LinuxError::EINVAL);
///         }
///         let mut name = vec![0; len];
///         axptr_core::UserConstPtr::<u8>::from(addr).read_slice(ctx, &mut name)?;
///         Ok(HostName(name))
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a buffer argument that `#[len = …]` can pair with a length",
    label = "no conversion from a pointer and a length",
    note = "`#[len = …]` goes on a slice (`&[T]`, `&mut [T]`), a cursor (`UserWriter`, \
            `UserReader`), an iovec cursor (`IoVecWriter`, `IoVecReader`), an `FdSet`, or a type \
            implementing `SyscallBufArg`; a structure and its byte size take `#[size = …]`"
)]
pub trait SyscallBufArg<C: ?Sized>: Sized {
    /// Converts the pointer register `addr` and the length `len`.
    ///
    /// # Errors
    ///
    /// Whatever errno the syscall reports for a bad buffer.
    fn from_syscall_buf(ctx: &mut C, addr: usize, len: usize) -> LinuxResult<Self>;

    /// The argument in a trace, from its registers alone (an argument taken
    /// by value is the handler's, the entry cannot look at it afterwards).
    /// The default shows the address.
    #[must_use]
    fn trace_buf(addr: usize, len: usize) -> TraceArg<'static> {
        let _ = len;
        TraceArg::Ptr(addr)
    }

    /// The trace of the length parameter that `#[len = …]` names, from the
    /// argument the entry kept (one taken as `&mut T`), or `None` (the
    /// default) for that parameter's own rendering of its register. A
    /// length the entry reads and writes in user memory shows here what it
    /// found ([`SockAddrOut`](super::SockAddrOut): `[110 => 16]`).
    #[must_use]
    fn trace_len(kept: Option<&Self>) -> Option<TraceArg<'_>> {
        let _ = kept;
        None
    }
}

/// A handler argument made from a pointer register and the size register
/// named by `#[size = …]`: a structure whose size user space states.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a structure argument that `#[size = …]` can pair with a size",
    label = "no conversion from a pointer and a size",
    note = "`#[size = …]` goes on `Extensible<T>`, on a structure reference (`&T`, \
            `#[out] &mut T`, their `Option`s) whose size must match, or on a type implementing \
            `SyscallSizedArg`; a buffer and its length take `#[len = …]`"
)]
pub trait SyscallSizedArg<C: ?Sized>: Sized {
    /// Converts the pointer register `addr` and the size `size` (in bytes).
    ///
    /// # Errors
    ///
    /// Whatever errno the syscall reports for a bad structure.
    fn from_syscall_sized(ctx: &mut C, addr: usize, size: usize) -> LinuxResult<Self>;

    /// The argument in a trace, from its registers alone. The default
    /// shows the address.
    #[must_use]
    fn trace_sized(addr: usize, size: usize) -> TraceArg<'static> {
        let _ = size;
        TraceArg::Ptr(addr)
    }
}

/// `write(2)`'s buffer: a cursor over the `len` bytes at `addr`, not
/// checked until the handler uses it (see [`UserReader`]).
///
/// The handler runs its own checks first (the descriptor, the file's
/// mode), may call [`access_ok`](UserReader::access_ok) where Linux checks
/// the buffer before the file operation, and reads only what it consumes;
/// the first transfer checks the whole buffer's bounds anyway.
impl<C: ?Sized> SyscallBufArg<C> for UserReader {
    #[inline]
    fn from_syscall_buf(_ctx: &mut C, addr: usize, len: usize) -> LinuxResult<Self> {
        Ok(UserReader::new(addr, len))
    }
}

/// `read(2)`'s buffer: a cursor over the `len` bytes at `addr`, not
/// checked until the handler uses it (see [`UserWriter`]). The handler
/// writes what it produces and returns the count; what it could not write
/// stays with it.
impl<C: ?Sized> SyscallBufArg<C> for UserWriter {
    #[inline]
    fn from_syscall_buf(_ctx: &mut C, addr: usize, len: usize) -> LinuxResult<Self> {
        Ok(UserWriter::new(addr, len))
    }
}

#[cfg(feature = "alloc")]
mod iovecs {
    use axerrno::LinuxResult;

    use super::SyscallBufArg;
    use crate::{
        AddrSpaceProvider, UserConstPtr,
        iovec::{IoVecReader, IoVecWriter, IoVecs},
    };

    /// `writev(2)`'s array: `len` iovecs at `addr`, read and checked with
    /// Linux's `import_iovec` rules ([`IoVecs::import`]) before the
    /// handler runs, then read as one stream.
    impl<C: AddrSpaceProvider + ?Sized> SyscallBufArg<C> for IoVecReader {
        fn from_syscall_buf(ctx: &mut C, addr: usize, len: usize) -> LinuxResult<Self> {
            IoVecs::import(ctx, UserConstPtr::from(addr), len).map(IoVecs::reader)
        }
    }

    /// `readv(2)`'s array: as [`IoVecReader`]'s, written as one stream.
    impl<C: AddrSpaceProvider + ?Sized> SyscallBufArg<C> for IoVecWriter {
        fn from_syscall_buf(ctx: &mut C, addr: usize, len: usize) -> LinuxResult<Self> {
            IoVecs::import(ctx, UserConstPtr::from(addr), len).map(IoVecs::writer)
        }
    }
}

/// `None` for a null pointer, whatever the length (`select`'s absent
/// sets); the argument otherwise.
impl<C: ?Sized, T: SyscallBufArg<C>> SyscallBufArg<C> for Option<T> {
    #[inline]
    fn from_syscall_buf(ctx: &mut C, addr: usize, len: usize) -> LinuxResult<Self> {
        if addr == 0 {
            return Ok(None);
        }
        T::from_syscall_buf(ctx, addr, len).map(Some)
    }

    fn trace_buf(addr: usize, len: usize) -> TraceArg<'static> {
        T::trace_buf(addr, len)
    }

    fn trace_len(kept: Option<&Self>) -> Option<TraceArg<'_>> {
        T::trace_len(kept.and_then(Option::as_ref))
    }
}
