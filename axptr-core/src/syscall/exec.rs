//! `argv` and `envp`: null-terminated arrays of C strings, copied in with
//! Linux's `execve` limits.
//!
//! A `&[CString]` parameter of a `#[syscall]` handler is a [`CStrArray`]:
//! the array of pointers and every string are copied into kernel memory
//! before the handler runs, as Linux's `execve` does before it touches the
//! old image, with its limits:
//!
//! - a null array is empty (Linux accepts `execve(path, NULL, NULL)`);
//! - more than [`MAX_ARG_STRINGS`] pointers: `E2BIG`;
//! - a string longer than [`MAX_ARG_STRLEN`] bytes with its NUL: `E2BIG`;
//! - the strings (with their NULs) and the pointer array together above
//!   [`MAX_ARG_TOTAL`] bytes: `E2BIG` (Linux's limit for a default 8 MiB
//!   stack; `argv` and `envp` are counted separately here);
//! - an unreadable pointer or string: `EFAULT`.
//!
//! The strings are read from the last to the first, as Linux copies them,
//! so that a hostile array gets the same errno. Memory grows with what was
//! read, never with the limits.

use alloc::{ffi::CString, vec::Vec};
use core::{
    ffi::{CStr, c_char},
    fmt,
    mem::size_of,
    ops::Deref,
};

use axerrno::{LinuxError, LinuxResult};
use memory_addr::PAGE_SIZE_4K;

use super::{
    SyscallArg, TraceCopied,
    trace::{ArgFormat, TraceArg, TraceValue, fmt_ptr, fmt_quoted},
};
use crate::{AddrSpaceProvider, UserConstPtr};

/// The most strings an array may hold (Linux `MAX_ARG_STRINGS`).
pub const MAX_ARG_STRINGS: usize = 0x7fff_ffff;

/// The longest string, NUL included (Linux `MAX_ARG_STRLEN`: 32 pages).
pub const MAX_ARG_STRLEN: usize = 32 * PAGE_SIZE_4K;

/// The most bytes an array may take: its strings with their NULs and its
/// pointers (Linux's limit for the default 8 MiB stack: a quarter of it).
pub const MAX_ARG_TOTAL: usize = 2 << 20;

/// `E2BIG` where the string reader says `ENAMETOOLONG`.
fn too_big(err: LinuxError) -> LinuxError {
    match err {
        LinuxError::ENAMETOOLONG => LinuxError::E2BIG,
        other => other,
    }
}

/// A null-terminated array of C strings copied into kernel memory: the
/// value behind a `&[CString]` parameter (`argv`, `envp`).
pub struct CStrArray {
    addr: usize,
    strings: Vec<CString>,
}

impl CStrArray {
    /// Copies the array at `addr` and its strings (see the
    /// [module docs](self) for the limits).
    ///
    /// # Errors
    ///
    /// `E2BIG` past a limit; `EFAULT` for unreadable memory; `ENOMEM`.
    pub fn copy_in<P: AddrSpaceProvider + ?Sized>(
        provider: &mut P,
        addr: usize,
    ) -> LinuxResult<Self> {
        if addr == 0 {
            return Ok(Self {
                addr,
                strings: Vec::new(),
            });
        }
        let pointer = size_of::<UserConstPtr<c_char>>();
        // No more pointers than the total allows: a longer array is `E2BIG`
        // before its end is even looked for.
        let max = MAX_ARG_STRINGS.min(MAX_ARG_TOTAL / pointer);
        let pointers = UserConstPtr::<UserConstPtr<c_char>>::from(addr)
            .read_null_terminated_vec(provider, max + 1)
            .map_err(too_big)?;
        // OVERFLOW: at most `MAX_ARG_TOTAL / pointer` pointers.
        let mut total = pointers.len() * pointer;
        let mut strings = Vec::new();
        strings
            .try_reserve_exact(pointers.len())
            .map_err(|_| LinuxError::ENOMEM)?;
        for string in pointers.iter().rev() {
            let string = string
                .read_cstring(provider, MAX_ARG_STRLEN)
                .map_err(too_big)?;
            // OVERFLOW: `total <= MAX_ARG_TOTAL` and a string is at most
            // `MAX_ARG_STRLEN` bytes.
            total += string.as_bytes_with_nul().len();
            if total > MAX_ARG_TOTAL {
                return Err(LinuxError::E2BIG);
            }
            strings.push(string);
        }
        strings.reverse();
        Ok(Self { addr, strings })
    }

    /// The user address of the array (0 for a null one).
    #[must_use]
    pub fn addr(&self) -> usize {
        self.addr
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
