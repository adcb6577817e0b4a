//! Extensible structures: `openat2`'s `open_how`, `clone3`'s `clone_args`,
//! `sched_setattr`'s `sched_attr`, whose size user space passes along.
//!
//! Such a structure only ever grows at its end, and Linux copies it with
//! `copy_struct_from_user`, so old programs and new kernels (and the other
//! way round) agree on the common prefix:
//!
//! - a user size above a page: `E2BIG`;
//! - a user structure smaller than the kernel's: the missing fields are
//!   zero (what an older program means);
//! - a larger one: the bytes the kernel does not know must all be zero
//!   (`E2BIG` otherwise: the program asks for something this kernel cannot
//!   do), and are read once;
//! - unreadable memory: `EFAULT`.
//!
//! A syscall may also demand a first version's size (`OPEN_HOW_SIZE_VER0`,
//! `CLONE_ARGS_SIZE_VER0`): `EINVAL` below it, before anything is read.

use core::{
    fmt,
    mem::{MaybeUninit, size_of},
    ops::Deref,
};

use axerrno::{LinuxError, LinuxResult};
use memory_addr::PAGE_SIZE_4K;

use super::SyscallSizedArg;
use crate::{AddrSpaceProvider, UserConstPtr, UserCopy};

/// Copies a structure of `user_size` bytes at `src` into `dst` with Linux's
/// `copy_struct_from_user` rules (see the [module docs](self)), after
/// refusing sizes above a page (`E2BIG`).
///
/// # Errors
///
/// `E2BIG` for a size above a page or non-zero bytes past `T`; `EFAULT`
/// for unreadable memory. `dst` is unchanged on error.
pub fn copy_struct_from_user<T: UserCopy, P: AddrSpaceProvider + ?Sized>(
    provider: &mut P,
    dst: &mut T,
    src: UserConstPtr<u8>,
    user_size: usize,
) -> LinuxResult<()> {
    if user_size > PAGE_SIZE_4K {
        return Err(LinuxError::E2BIG);
    }
    let ksize = size_of::<T>();
    if user_size > ksize {
        // OVERFLOW: `ksize < user_size <= PAGE_SIZE_4K`; a wrapped
        // address fails validation.
        check_zeroed(provider, src.wrapping_add(ksize), user_size - ksize)?;
    }
    let size = ksize.min(user_size);
    let mut value = MaybeUninit::<T>::zeroed();
    // SAFETY: `value` has `ksize >= size` bytes; the all-zero `T` is valid
    // and any bytes read over a prefix of it leave a valid `T` (UserCopy).
    let bytes = unsafe { core::slice::from_raw_parts_mut(value.as_mut_ptr().cast::<u8>(), size) };
    src.read_slice(provider, bytes)?;
    // SAFETY: zeroed, then partly overwritten with bytes: a valid `T`.
    *dst = unsafe { value.assume_init() };
    Ok(())
}

/// `E2BIG` unless the `len` bytes at `src` are all zero (Linux's
/// `check_zeroed_user`); `EFAULT` if they cannot be read.
fn check_zeroed<P: AddrSpaceProvider + ?Sized>(
    provider: &mut P,
    src: UserConstPtr<u8>,
    len: usize,
) -> LinuxResult<()> {
    let mut chunk = [0u8; 64];
    let mut done = 0;
    while done < len {
        let n = (len - done).min(chunk.len());
        let part = &mut chunk[..n];
        src.wrapping_add(done).read_slice(provider, part)?;
        if part.iter().any(|&b| b != 0) {
            return Err(LinuxError::E2BIG);
        }
        done += n;
    }
    Ok(())
}

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

/// `EINVAL` below `MIN` bytes, then [`copy_struct_from_user`].
impl<C, T, const MIN: usize> SyscallSizedArg<C> for Extensible<T, MIN>
where
    C: AddrSpaceProvider + ?Sized,
    T: UserCopy,
{
    fn from_syscall_sized(ctx: &mut C, addr: usize, size: usize) -> LinuxResult<Self> {
        if size < MIN {
            return Err(LinuxError::EINVAL);
        }
        // SAFETY: every bit pattern, all zeroes included, is a valid `T`
        // (UserCopy).
        let mut value = unsafe { core::mem::zeroed() };
        copy_struct_from_user(ctx, &mut value, UserConstPtr::from(addr), size)?;
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
