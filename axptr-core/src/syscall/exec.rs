//! `argv` and `envp`: null-terminated arrays of C strings, copied in with
//! Linux's `execve` limits.
//!
//! A `&[CString]` parameter of a `#[syscall]` handler is a [`CStrArray`]:
//! the array of pointers and every string are copied into kernel memory
//! before the handler runs, as Linux's `execve` does before it touches the
//! old image, by [`read_arg_strings`](crate::UserPtr::read_arg_strings)
//! with its limits (all `E2BIG`): more than
//! [`MAX_ARG_STRINGS`](crate::strings::MAX_ARG_STRINGS) pointers, a string
//! longer than [`MAX_ARG_STRLEN`](crate::strings::MAX_ARG_STRLEN) bytes
//! with its NUL, or strings and pointers above [`MAX_ARG_TOTAL`] bytes. A
//! null array is empty (Linux accepts `execve(path, NULL, NULL)`); an
//! unreadable pointer or string is `EFAULT`. Memory grows with what was
//! read, never with the limits.
//!
//! Each array has its own budget here; Linux charges `argv` and `envp` to
//! one. A handler that wants that checks the sum of
//! [`CStrArray::bytes`] itself, or reads both arrays in its body with one
//! [`ArgLimits`].

use alloc::{ffi::CString, vec::Vec};
use core::{
    ffi::{CStr, c_char},
    fmt,
    ops::Deref,
};

use axerrno::LinuxResult;

use super::{
    SyscallArg, TraceCopied,
    trace::{ArgFormat, TraceArg, TraceValue, fmt_ptr, fmt_quoted},
};
use crate::{AddrSpaceProvider, UserConstPtr, strings::ArgLimits};

/// The bytes one array may take, its strings with their NULs and its
/// pointers: Linux's budget for the default 8 MiB stack (a quarter of it,
/// `bprm_stack_limits`).
pub const MAX_ARG_TOTAL: usize = 2 << 20;

/// A null-terminated array of C strings copied into kernel memory: the
/// value behind a `&[CString]` parameter (`argv`, `envp`).
pub struct CStrArray {
    addr: usize,
    strings: Vec<CString>,
    /// What the array took of its budget: strings, NULs and pointers.
    bytes: usize,
}

impl CStrArray {
    /// Copies the array at `addr` and its strings with
    /// [`read_arg_strings`](crate::UserPtr::read_arg_strings), within a
    /// budget of [`MAX_ARG_TOTAL`] bytes; a null array is empty.
    ///
    /// # Errors
    ///
    /// `E2BIG` past a limit; `EFAULT` for unreadable memory; `ENOMEM`.
    pub fn copy_in<P: AddrSpaceProvider + ?Sized>(
        provider: &mut P,
        addr: usize,
    ) -> LinuxResult<Self> {
        let mut limits = ArgLimits::new(MAX_ARG_TOTAL);
        let strings = UserConstPtr::<UserConstPtr<c_char>>::from(addr)
            .read_arg_strings(provider, &mut limits)?;
        Ok(Self {
            addr,
            strings,
            bytes: MAX_ARG_TOTAL - limits.stack_left,
        })
    }

    /// The user address of the array (0 for a null one).
    #[must_use]
    pub fn addr(&self) -> usize {
        self.addr
    }

    /// The bytes the array takes: its strings with their NULs, and one
    /// pointer per string (what Linux charges to the new stack).
    #[must_use]
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The strings.
    #[must_use]
    pub fn as_slice(&self) -> &[CString] {
        &self.strings
    }

    /// Iterates over the strings as `&CStr`.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &CStr> {
        self.strings.iter().map(CString::as_c_str)
    }
}

impl Deref for CStrArray {
    type Target = [CString];

    fn deref(&self) -> &[CString] {
        &self.strings
    }
}

impl fmt::Debug for CStrArray {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.strings, f)
    }
}

impl<C: AddrSpaceProvider + ?Sized> SyscallArg<C> for CStrArray {
    fn from_syscall_arg(ctx: &mut C, raw: usize) -> LinuxResult<Self> {
        Self::copy_in(ctx, raw)
    }

    fn fmt_syscall_arg(raw: usize, _format: ArgFormat, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_ptr(raw, f)
    }
}

/// Arrays longer than this show their first strings, then `...`.
const TRACE_STRINGS: usize = 32;

/// `["ls", "-l"]` (strings cut as strace does), `NULL` for a null array.
impl TraceValue for CStrArray {
    fn fmt_value(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.addr == 0 {
            return f.write_str("NULL");
        }
        f.write_str("[")?;
        for (i, string) in self.strings.iter().take(TRACE_STRINGS).enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            fmt_quoted(string.as_bytes(), f)?;
        }
        if self.strings.len() > TRACE_STRINGS {
            f.write_str(", ...")?;
        }
        f.write_str("]")
    }
}

/// The strings copied; the address when they were not.
impl TraceCopied for CStrArray {
    fn trace_copied(copied: Option<&Self>, raw: usize) -> TraceArg<'_> {
        match copied {
            Some(copy) => TraceArg::Value(copy),
            None => TraceArg::Ptr(raw),
        }
    }
}
