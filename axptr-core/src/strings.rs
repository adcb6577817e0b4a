//! Limits on null-terminated data, and the `argv`/`envp` reader of
//! `execve`.
//!
//! A C string from user space has no length: the kernel copies until the
//! NUL or until a limit, and which limit and which error depend on the
//! syscall. A path stops at `PATH_MAX` with `ENAMETOOLONG`; an `execve`
//! argument at `MAX_ARG_STRLEN` with `E2BIG`; a `memfd_create` name at 249
//! bytes with `EINVAL`; an extended attribute's name at 255 with `ERANGE`.
//! A [`Limit`] carries both, and every string and null-terminated-array
//! reader takes one (the `_limited` forms of
//! [`read_cstr`](crate::UserPtr::read_cstr_limited),
//! [`read_cstring`](crate::UserPtr::read_cstring_limited),
//! [`read_null_terminated`](crate::UserPtr::read_null_terminated_limited)
//! and
//! [`read_null_terminated_vec`](crate::UserPtr::read_null_terminated_vec_limited)).
//!
//! [`read_arg_strings`](crate::UserPtr::read_arg_strings) reads an `argv`
//! or `envp` array with Linux's exec limits ([`ArgLimits`]).

#[cfg(feature = "alloc")]
use alloc::{ffi::CString, vec::Vec};
#[cfg(feature = "alloc")]
use core::ffi::c_char;

use axerrno::LinuxError;
use memory_addr::PAGE_SIZE_4K;

#[cfg(feature = "alloc")]
use crate::{
    AddrSpaceProvider, LinuxResult, UserConstPtr, UserPtr,
    check::Validated,
    ptr::Access,
    ptr::{read_terminated_cstring, read_terminated_vec},
};

/// How far a reader of null-terminated data looks for the terminator, and
/// what it reports when there is none within that limit.
///
/// `max` counts elements *including* the terminator, as Linux's
/// `strnlen_user` does: a [`Limit::PATH`] string holds at most 4095 bytes
/// before its NUL.
///
/// ```
/// use axptr_core::{LinuxError, strings::Limit};
///
/// // A name of at most 63 bytes; longer ones are EINVAL.
/// let limit = Limit::new(64, LinuxError::EINVAL);
/// assert_eq!(limit.max, 64);
/// assert_eq!(Limit::PATH, Limit::new(4096, LinuxError::ENAMETOOLONG));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// The most elements read, terminator included.
    pub max: usize,
    /// The error when the first `max` elements hold no terminator.
    pub err: LinuxError,
}

impl Limit {
    /// A limit of `max` elements (terminator included) and its error.
    #[must_use]
    pub const fn new(max: usize, err: LinuxError) -> Self {
        Self { max, err }
    }

    /// Paths: [`PATH_MAX`](crate::PATH_MAX) (4096) bytes with the NUL,
    /// `ENAMETOOLONG` beyond (Linux `getname`).
    pub const PATH: Self = Self::new(crate::PATH_MAX, LinuxError::ENAMETOOLONG);

    /// One `execve` argument or environment string:
    /// [`MAX_ARG_STRLEN`] bytes with the NUL, `E2BIG` beyond.
    pub const ARG_STRING: Self = Self::new(MAX_ARG_STRLEN, LinuxError::E2BIG);

    /// A `memfd_create` name: 249 bytes before the NUL (`NAME_MAX` less
    /// the `memfd:` prefix), `EINVAL` beyond.
    pub const MEMFD_NAME: Self = Self::new(249 + 1, LinuxError::EINVAL);

    /// An extended attribute's name: `XATTR_NAME_MAX` (255) bytes before
    /// the NUL, `ERANGE` beyond. (Linux also refuses an empty name with
    /// `ERANGE`; that check is the caller's.)
    pub const XATTR_NAME: Self = Self::new(255 + 1, LinuxError::ERANGE);
}

/// The longest `execve` argument or environment string, NUL included:
/// 32 pages (Linux `MAX_ARG_STRLEN`).
pub const MAX_ARG_STRLEN: usize = 32 * PAGE_SIZE_4K;

/// The most strings in one `argv` or `envp` array (Linux
/// `MAX_ARG_STRINGS`).
pub const MAX_ARG_STRINGS: usize = 0x7fff_ffff;

/// The limits [`read_arg_strings`](crate::UserPtr::read_arg_strings)
/// applies to an `argv` or `envp` array, Linux's by default; all errors are
/// `E2BIG`.
///
/// `stack_left` is a budget that the reads consume: each string costs its
/// bytes with the NUL plus one pointer. Read `argv` and then `envp` with
/// the same `ArgLimits`, and together they fit the new program's stack
/// (Linux grants three quarters of the stack rlimit, at least
/// `ARG_MAX`, 32 pages).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArgLimits {
    /// The most strings in one array ([`MAX_ARG_STRINGS`]).
    pub max_strings: usize,
    /// The longest string, NUL included ([`MAX_ARG_STRLEN`]).
    pub max_string: usize,
    /// The bytes left for strings and their pointers.
    pub stack_left: usize,
}

impl ArgLimits {
    /// Linux's limits with a budget of `stack_limit` bytes.
    #[must_use]
    pub const fn new(stack_limit: usize) -> Self {
        Self {
            max_strings: MAX_ARG_STRINGS,
            max_string: MAX_ARG_STRLEN,
            stack_left: stack_limit,
        }
    }
}

#[cfg(feature = "alloc")]
impl<A: Access> UserPtr<UserConstPtr<c_char>, A> {
    /// Copies a null-terminated array of C strings (`execve`'s `argv` or
    /// `envp`) into kernel memory, reading each pointer and each string
    /// once, and charges what it read to `limits.stack_left`.
    ///
    /// A null array reads as empty, as on Linux. On error `limits` may
    /// have been charged for part of the array.
    ///
    /// ```
    /// # #[cfg(feature = "testing")] fn main() -> Result<(), axerrno::LinuxError> {
    /// use axptr_core::{LinuxError, MappingFlags, UserConstPtr, strings::ArgLimits, testing::HeapSpace};
    /// use core::ffi::c_char;
    ///
    /// let mut space = HeapSpace::new(1);
    /// let page = space.base();
    /// space.map(page, 4096, MappingFlags::READ);
    /// space.poke(page + 64, b"ls\0-l\0");
    /// let ptrs = [page + 64, page + 67, 0];
    /// space.poke(page, &ptrs.map(usize::to_ne_bytes).concat());
    ///
    /// let argv = UserConstPtr::<UserConstPtr<c_char>>::from(page);
    /// let mut limits = ArgLimits::new(1 << 20);
    /// let args = argv.read_arg_strings(&mut space, &mut limits)?;
    /// assert_eq!(args, [c"ls", c"-l"]);
    /// assert_eq!(limits.stack_left, (1 << 20) - 6 - 2 * size_of::<usize>());
    ///
    /// // Not enough stack for them: E2BIG.
    /// let mut tight = ArgLimits::new(20);
    /// assert_eq!(argv.read_arg_strings(&mut space, &mut tight), Err(LinuxError::E2BIG));
    /// # Ok(()) }
    /// # #[cfg(not(feature = "testing"))] fn main() {}
    /// ```
    ///
    /// # Errors
    ///
    /// `E2BIG` for more than `limits.max_strings` strings, a string longer
    /// than `limits.max_string` (NUL included), or strings and pointers
    /// that do not fit in `limits.stack_left`; `EFAULT` for an unreadable
    /// pointer or string; `ENOMEM`.
    pub fn read_arg_strings<P: AddrSpaceProvider + ?Sized>(
        self,
        provider: &mut P,
        limits: &mut ArgLimits,
    ) -> LinuxResult<Vec<CString>> {
        const POINTER: usize = size_of::<usize>();
        if self.is_null() {
            return Ok(Vec::new());
        }
        // The array cannot hold more pointers than the budget pays for, so
        // its copy is bounded by the budget, not by `MAX_ARG_STRINGS`.
        let most = limits.max_strings.min(limits.stack_left / POINTER);
        // OVERFLOW: `most <= usize::MAX / POINTER`, so one more fits.
        // The pointers and the strings are read within this one call, which
        // borrows the provider throughout (its lock, if any, is taken only
        // for each validation): a page validated for one of them needs no
        // validation for the next (strings usually lie together, often
        // beside the array).
        let mut validated = Validated::none();
        let pointers = read_terminated_vec::<UserConstPtr<c_char>, P>(
            provider,
            self.addr(),
            Limit::new(most + 1, LinuxError::E2BIG),
            false,
            &mut validated,
        )?;
        // OVERFLOW: `pointers.len() <= most <= stack_left / POINTER`.
        limits.stack_left -= pointers.len() * POINTER;
        let mut strings = Vec::new();
        strings
            .try_reserve_exact(pointers.len())
            .map_err(|_| LinuxError::ENOMEM)?;
        for string in pointers {
            let limit = Limit::new(limits.max_string.min(limits.stack_left), LinuxError::E2BIG);
            let string = read_terminated_cstring(provider, string.addr(), limit, &mut validated)?;
            // OVERFLOW: the string with its NUL is at most `limit.max <=
            // stack_left` bytes.
            limits.stack_left -= string.as_bytes_with_nul().len();
            strings.push(string);
        }
        Ok(strings)
    }
}
