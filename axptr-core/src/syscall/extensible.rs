//! Extensible structures as arguments: `openat2`'s `open_how`, `clone3`'s
//! `clone_args`, whose size user space passes along.
//!
//! `#[size = size] how: Extensible<OpenHow, 24>` copies the structure with
//! Linux's `copy_struct_from_user` rules ([`crate::copy_struct_from_user`],
//! [`UserPtr::read_extensible`](crate::UserPtr::read_extensible)): above a
//! page `E2BIG`; a smaller user structure has its missing fields zeroed (an
//! older program); a larger one must have zero bytes past the kernel's
//! structure (`E2BIG` otherwise: a newer program asks for something this
//! kernel cannot do), read once; unreadable memory `EFAULT`. The second
//! parameter is the syscall's first version's size (`OPEN_HOW_SIZE_VER0`,
//! `CLONE_ARGS_SIZE_VER0`): `EINVAL` below it, before anything is read.

use core::{fmt, ops::Deref};

use axerrno::{LinuxError, LinuxResult};

use super::SyscallSizedArg;
use crate::{AddrSpaceProvider, UserConstPtr, UserCopy};

/// An extensible structure argument, copied in before the handler runs:
/// `#[size = size] how: Extensible<OpenHow, 24>` (the second parameter is
/// the smallest size accepted, `EINVAL` below it; 0 by default).
///
/// ```
/// # #[cfg(feature = "testing")] fn main() {
/// use axptr_core::{
///     LinuxError, UserCopy, syscall::{Extensible, SyscallSizedArg}, testing::HeapSpace,
/// };
/// use page_table_multiarch::MappingFlags;
///
/// #[derive(Clone, Copy, Debug, PartialEq)]
/// #[repr(C)]
/// struct OpenHow { flags: u64, mode: u64, resolve: u64 }
/// // SAFETY: three `u64`s, no padding.
/// unsafe impl UserCopy for OpenHow {}
///
/// let mut space = HeapSpace::new(1);
/// let page = space.base();
/// space.map(page, 4096, MappingFlags::READ | MappingFlags::WRITE);
/// space.poke(page, &1u64.to_ne_bytes());
/// space.poke(page + 8, &2u64.to_ne_bytes());
///
/// // An older, 16-byte `open_how`: `resolve` reads as zero.
/// let how = Extensible::<OpenHow, 16>::from_syscall_sized(&mut space, page, 16).unwrap();
/// assert_eq!(*how, OpenHow { flags: 1, mode: 2, resolve: 0 });
/// // A newer one with a field this kernel does not know, set: E2BIG.
/// space.poke(page + 24, &[1]);
/// let newer = Extensible::<OpenHow, 16>::from_syscall_sized(&mut space, page, 32);
/// assert_eq!(newer.err(), Some(LinuxError::E2BIG));
/// // Below the first version: EINVAL.
/// let tiny = Extensible::<OpenHow, 16>::from_syscall_sized(&mut space, page, 8);
/// assert_eq!(tiny.err(), Some(LinuxError::EINVAL));
/// # }
/// # #[cfg(not(feature = "testing"))] fn main() {}
/// ```
pub struct Extensible<T, const MIN: usize = 0> {
    value: T,
    user_size: usize,
}

impl<T, const MIN: usize> Extensible<T, MIN> {
    /// The size user space stated.
    #[must_use]
    pub fn user_size(&self) -> usize {
        self.user_size
    }

    /// The structure.
    #[must_use]
    pub fn into_inner(self) -> T {
        self.value
    }
}

/// `EINVAL` below `MIN` bytes, then [`crate::copy_struct_from_user`].
impl<C, T, const MIN: usize> SyscallSizedArg<C> for Extensible<T, MIN>
where
    C: AddrSpaceProvider + ?Sized,
    T: UserCopy,
{
    fn from_syscall_sized(ctx: &mut C, addr: usize, size: usize) -> LinuxResult<Self> {
        if size < MIN {
            return Err(LinuxError::EINVAL);
        }
        let value = UserConstPtr::<T>::from(addr).read_extensible(ctx, size)?;
        Ok(Self {
            value,
            user_size: size,
        })
    }
}

impl<T, const MIN: usize> Deref for Extensible<T, MIN> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: fmt::Debug, const MIN: usize> fmt::Debug for Extensible<T, MIN> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.value, f)
    }
}
