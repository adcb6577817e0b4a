//! Arguments whose meaning depends on another argument.
//!
//! `ioctl(fd, cmd, arg)`, `fcntl(fd, cmd, arg)`, `prctl(option, arg2, …)`,
//! `futex(uaddr, op, val, timeout, uaddr2, val3)`: what `arg` is (an `int`,
//! a pointer to a structure, a string) is decided by `cmd`, inside the
//! handler. A [`RawArg`] parameter keeps the register as it came and
//! converts it on demand, with the same rules as the typed arguments.

use core::fmt;

use axerrno::LinuxResult;

use super::{
    RegisterInt, SyscallArg,
    trace::{ArgFormat, fmt_in},
};
use crate::{AddrSpaceProvider, UserConstPtr, UserCopy, UserPtr};

/// A register converted by the handler once it knows what it holds.
///
/// ```
/// # #[cfg(feature = "testing")] fn main() -> Result<(), axptr_core::LinuxError> {
/// use axptr_core::{LinuxError, LinuxResult, syscall::RawArg, testing::HeapSpace};
/// use page_table_multiarch::MappingFlags;
///
/// /// `fcntl`-like: `F_SETFL` takes an `int`, `F_GETLK`-like commands a
/// /// pointer to a structure.
/// fn fcntl(space: &mut HeapSpace, cmd: u32, arg: RawArg) -> LinuxResult<isize> {
///     match cmd {
///         4 => Ok(arg.int::<i32>() as isize),
///         5 => arg.user_ptr::<[u32; 2]>().write(space, [7, 8]).map(|()| 0),
///         _ => Err(LinuxError::EINVAL),
///     }
/// }
///
/// let mut space = HeapSpace::new(1);
/// let page = space.base();
/// space.map(page, 4096, MappingFlags::READ | MappingFlags::WRITE);
/// assert_eq!(fcntl(&mut space, 4, RawArg::new(0xffff_ffff_0000_0800)), Ok(0x800));
/// assert_eq!(fcntl(&mut space, 5, RawArg::new(page)), Ok(0));
/// assert_eq!(fcntl(&mut space, 5, RawArg::new(0)), Err(LinuxError::EFAULT));
/// # Ok(()) }
/// # #[cfg(not(feature = "testing"))] fn main() {}
/// ```
///
/// In traces it prints in hex (`#[trace(dec)]` on the parameter changes
/// that): the entry cannot know what the handler made of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RawArg(usize);

impl RawArg {
    /// The register `raw`.
    #[inline]
    #[must_use]
    pub const fn new(raw: usize) -> Self {
        Self(raw)
    }

    /// The register as it came.
    #[inline]
    #[must_use]
    pub const fn raw(self) -> usize {
        self.0
    }

    /// The register as an integer argument of type `T`, with Linux's
    /// truncation (`arg.int::<i32>()` is an `int`).
    #[inline]
    #[must_use]
    pub fn int<T: RegisterInt>(self) -> T {
        T::from_register(self.0)
    }

    /// The register as a pointer the kernel reads and writes through
    /// (unchecked until used).
    #[inline]
    #[must_use]
    pub const fn user_ptr<T>(self) -> UserPtr<T> {
        UserPtr::null().wrapping_byte_add(self.0)
    }

    /// The register as a pointer the kernel only reads through (unchecked
    /// until used).
    #[inline]
    #[must_use]
    pub const fn user_const_ptr<T>(self) -> UserConstPtr<T> {
        UserConstPtr::null().wrapping_byte_add(self.0)
    }

    /// Reads the `T` the register points to.
    ///
    /// # Errors
    ///
    /// `EFAULT` for a null, unmapped or unreadable `T`.
    pub fn read<T: UserCopy, P: AddrSpaceProvider + ?Sized>(
        self,
        provider: &mut P,
    ) -> LinuxResult<T> {
        self.user_const_ptr::<T>().read(provider)
    }

    /// Copies the C string the register points to (at most
    /// [`PATH_MAX`](crate::PATH_MAX) bytes with its NUL).
    ///
    /// # Errors
    ///
    /// `EFAULT` for unreadable memory; `ENAMETOOLONG` without a NUL within
    /// the limit; `ENOMEM`.
    #[cfg(feature = "alloc")]
    pub fn cstr<P: AddrSpaceProvider + ?Sized>(
        self,
        provider: &mut P,
    ) -> LinuxResult<alloc::ffi::CString> {
        self.user_const_ptr::<core::ffi::c_char>()
            .read_cstring(provider, crate::PATH_MAX)
    }
}

impl From<usize> for RawArg {
    fn from(raw: usize) -> Self {
        Self(raw)
    }
}

/// The register, unchanged.
impl<C: ?Sized> SyscallArg<C> for RawArg {
    #[inline]
    fn from_syscall_arg(_ctx: &mut C, raw: usize) -> LinuxResult<Self> {
        Ok(Self(raw))
    }

    /// Hex, unless the parameter asks for another format.
    fn fmt_syscall_arg(raw: usize, format: ArgFormat, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let format = match format {
            ArgFormat::Auto => ArgFormat::Hex,
            other => other,
        };
        fmt_in(raw, format, f)
    }
}
