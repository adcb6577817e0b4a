//! `&CStr` arguments: a path or name copied into kernel memory.
//!
//! The string is copied (and its NUL found) before the handler runs, so the
//! handler sees a kernel string that no user thread can change, and a bad
//! pointer or a missing NUL stops the call before the handler.

use alloc::ffi::CString;
use core::{
    ffi::{CStr, c_char},
    fmt,
    ops::Deref,
};

use axerrno::{LinuxError, LinuxResult};

use super::{
    SyscallArg, TraceCopied,
    trace::{ArgFormat, TraceArg, fmt_ptr},
};
use crate::{AddrSpaceProvider, PATH_MAX, UserConstPtr, strings::Limit};

/// A C string argument copied into kernel memory (at most
/// [`PATH_MAX`] bytes, NUL included); a `&CStr` parameter of a
/// `#[syscall]` handler borrows it.
pub struct CStrArg(CString);

impl CStrArg {
    /// Copies the string at `addr` if it is at most `max` bytes long (NUL
    /// not counted): `#[cstr(max = 249, err = EINVAL)] name: &CStr`, for
    /// names with their own limit (`memfd_create`'s 249 bytes, `EINVAL`;
    /// an xattr name's 255, `ERANGE`).
    ///
    /// # Errors
    ///
    /// `too_long` for a longer string; `EFAULT` for a null, unmapped or
    /// unreadable one; `ENOMEM`.
    pub fn copy_in<P: AddrSpaceProvider + ?Sized>(
        provider: &mut P,
        addr: usize,
        max: usize,
        too_long: LinuxError,
    ) -> LinuxResult<Self> {
        let limit = Limit::new(max.saturating_add(1), too_long);
        UserConstPtr::<c_char>::from(addr)
            .read_cstring_limited(provider, limit)
            .map(Self)
    }

    /// [`copy_in`](Self::copy_in), or `None` for a null pointer.
    ///
    /// # Errors
    ///
    /// As [`copy_in`](Self::copy_in).
    pub fn copy_in_nullable<P: AddrSpaceProvider + ?Sized>(
        provider: &mut P,
        addr: usize,
        max: usize,
        too_long: LinuxError,
    ) -> LinuxResult<Option<Self>> {
        if addr == 0 {
            return Ok(None);
        }
        Self::copy_in(provider, addr, max, too_long).map(Some)
    }

    /// The copied string.
    #[must_use]
    pub fn as_c_str(&self) -> &CStr {
        &self.0
    }
}

impl Deref for CStrArg {
    type Target = CStr;

    fn deref(&self) -> &CStr {
        &self.0
    }
}

impl fmt::Debug for CStrArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

/// Copies the string the register points to.
///
/// `EFAULT` for a null, unmapped or unreadable string; `ENAMETOOLONG` if
/// there is no NUL within [`PATH_MAX`] bytes; `ENOMEM`.
impl<C: AddrSpaceProvider + ?Sized> SyscallArg<C> for CStrArg {
    fn from_syscall_arg(ctx: &mut C, raw: usize) -> LinuxResult<Self> {
        UserConstPtr::<c_char>::from(raw)
            .read_cstring(ctx, PATH_MAX)
            .map(Self)
    }

    fn fmt_syscall_arg(raw: usize, _format: ArgFormat, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_ptr(raw, f)
    }
}

/// `None` for a null pointer, the copied string otherwise
/// (`Option<&CStr>` parameters).
impl<C: AddrSpaceProvider + ?Sized> SyscallArg<C> for Option<CStrArg> {
    fn from_syscall_arg(ctx: &mut C, raw: usize) -> LinuxResult<Self> {
        if raw == 0 {
            return Ok(None);
        }
        CStrArg::from_syscall_arg(ctx, raw).map(Some)
    }

    fn fmt_syscall_arg(raw: usize, _format: ArgFormat, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_ptr(raw, f)
    }
}

/// The copied string, or the address if it was not copied.
impl TraceCopied for CStrArg {
    fn trace_copied(copied: Option<&Self>, raw: usize) -> TraceArg<'_> {
        match copied {
            Some(string) => TraceArg::Str(string.0.as_bytes()),
            None => TraceArg::Ptr(raw),
        }
    }
}
