//! Extensible structs: a struct pointer paired with the size user space
//! says the struct has (`openat2`, `clone3`, `sched_setattr`,
//! `perf_event_open`, `bpf`).
//!
//! Such a struct grows at its end from one kernel version to the next, and
//! old programs run on new kernels as new ones on old kernels. Linux's
//! rules (`copy_struct_from_user`, `copy_struct_to_user`), which these
//! functions follow:
//!
//! | user size vs kernel size | copy in ([`copy_struct_from_user`]) | copy out ([`copy_struct_to_user`]) |
//! |---|---|---|
//! | smaller (old program) | copy it, zero the kernel's rest | copy the user's size; report whether non-zero kernel bytes were left out |
//! | equal | copy | copy |
//! | larger (new program) | the extra user bytes must be zero (`E2BIG` otherwise); copy the kernel's size | copy the kernel's size, zero the user's rest |
//! | above [`EXTENSIBLE_SIZE_MAX`] (a page) | `E2BIG` | `E2BIG` |
//!
//! A minimum size (the first published version, `OPEN_HOW_SIZE_VER0`...)
//! is the caller's to check, since its error differs between syscalls.
//! The typed forms are [`UserPtr::read_extensible`] and
//! [`UserPtr::write_extensible`].

use core::{mem::MaybeUninit, slice};

use axerrno::{LinuxError, LinuxResult};
use memory_addr::PAGE_SIZE_4K;

use crate::{
    AddrSpaceProvider, UserCopy, UserPtr,
    check::size_of_user,
    ptr::Access,
    zero::{check_zeroed_user, clear_user},
};

/// The largest size user space may give an extensible struct: a page, as
/// every Linux syscall that takes one checks (`E2BIG` above).
pub const EXTENSIBLE_SIZE_MAX: usize = PAGE_SIZE_4K;

/// Copies an extensible struct of `user_size` user bytes at `src` into `dst`
/// (the kernel's struct, `dst.len()` bytes), Linux's
/// `copy_struct_from_user`: a shorter user struct is zero-extended, a
/// longer one must end in zeroes, one above [`EXTENSIBLE_SIZE_MAX`] is
/// refused. A minimum size (the struct's first version) is the caller's to
/// check, since its error differs between syscalls.
///
/// # Errors
///
/// `E2BIG` when `user_size` exceeds [`EXTENSIBLE_SIZE_MAX`] or the user bytes
/// past `dst.len()` are not all zero; `EFAULT` when the user struct is not
/// readable. On error `dst` is all zeroes.
pub fn copy_struct_from_user<P: AddrSpaceProvider + ?Sized, A: Access>(
    provider: &mut P,
    dst: &mut [u8],
    src: UserPtr<u8, A>,
    user_size: usize,
) -> LinuxResult<()> {
    let result = copy_in(provider, dst, src, user_size);
    if result.is_err() {
        dst.fill(0);
    }
    result
}

fn copy_in<P: AddrSpaceProvider + ?Sized, A: Access>(
    provider: &mut P,
    dst: &mut [u8],
    src: UserPtr<u8, A>,
    user_size: usize,
) -> LinuxResult<()> {
    if user_size > EXTENSIBLE_SIZE_MAX {
        return Err(LinuxError::E2BIG);
    }
    let kernel_size = dst.len();
    let (common, rest) = dst.split_at_mut(kernel_size.min(user_size));
    rest.fill(0);
    let size = common.len();
    if user_size > size {
        // OVERFLOW: a struct whose end wraps is no user memory.
        let tail = src.addr().checked_add(size).ok_or(LinuxError::EFAULT)?;
        if !check_zeroed_user(provider, UserPtr::<u8>::from(tail), user_size - size)? {
            return Err(LinuxError::E2BIG);
        }
    }
    src.read_slice(provider, common)
}

/// Copies the kernel's extensible struct `src` to the `user_size` user bytes
/// at `dst`, Linux's `copy_struct_to_user`: a shorter user struct gets the
/// part that fits, a longer one is zeroed past the kernel's size. Returns
/// whether non-zero kernel bytes did not fit (the program is too old to
/// see fields the kernel set; the caller decides whether that is an
/// error).
///
/// # Errors
///
/// `E2BIG` when `user_size` exceeds [`EXTENSIBLE_SIZE_MAX`]; `EFAULT` when the
/// user struct is not writable (a part of it may have been written).
pub fn copy_struct_to_user<P: AddrSpaceProvider + ?Sized>(
    provider: &mut P,
    dst: UserPtr<u8>,
    user_size: usize,
    src: &[u8],
) -> LinuxResult<bool> {
    if user_size > EXTENSIBLE_SIZE_MAX {
        return Err(LinuxError::E2BIG);
    }
    let (common, rest) = src.split_at(src.len().min(user_size));
    let size = common.len();
    if user_size > size {
        // OVERFLOW: a struct whose end wraps is no user memory.
        let tail = dst.addr().checked_add(size).ok_or(LinuxError::EFAULT)?;
        let rest = user_size - size;
        if clear_user(provider, UserPtr::from(tail), rest)? != rest {
            return Err(LinuxError::EFAULT);
        }
    }
    dst.write_slice(provider, common)?;
    // (Linux 6.13's version tests `ksize < usize` here, which never holds
    // with a non-empty rest; the documented meaning is this one.)
    Ok(rest.iter().any(|&b| b != 0))
}

impl<T: UserCopy, A: Access> UserPtr<T, A> {
    /// Reads an extensible struct whose user size is `user_size` bytes (see
    /// [`copy_struct_from_user`]): the fields an older program does not
    /// know are zero; a newer program's extra fields must be zero.
    ///
    /// ```
    /// # #[cfg(feature = "testing")] fn main() -> Result<(), axerrno::LinuxError> {
    /// use axptr_core::{LinuxError, MappingFlags, UserConstPtr, UserCopy, testing::HeapSpace};
    ///
    /// /// `struct open_how` (openat2).
    /// #[derive(Clone, Copy, Debug, PartialEq)]
    /// #[repr(C)]
    /// struct OpenHow { flags: u64, mode: u64, resolve: u64 }
    /// // SAFETY: three `u64`s: any bytes are valid, no padding.
    /// unsafe impl UserCopy for OpenHow {}
    ///
    /// let mut space = HeapSpace::new(1);
    /// let page = space.base();
    /// space.map(page, 4096, MappingFlags::READ);
    /// space.poke(page, &[1u64, 2, 3, 0].map(u64::to_ne_bytes).concat());
    /// let how = UserConstPtr::<OpenHow>::from(page);
    ///
    /// // An older program's 16-byte struct: `resolve` reads as 0.
    /// assert_eq!(how.read_extensible(&mut space, 16)?, OpenHow { flags: 1, mode: 2, resolve: 0 });
    /// // A newer program's 32-byte struct whose new field is zero: fine.
    /// assert_eq!(how.read_extensible(&mut space, 32)?, OpenHow { flags: 1, mode: 2, resolve: 3 });
    /// // A new field the kernel does not know, set: E2BIG.
    /// space.poke(page + 24, &9u64.to_ne_bytes());
    /// assert_eq!(how.read_extensible(&mut space, 32), Err(LinuxError::E2BIG));
    /// # Ok(()) }
    /// # #[cfg(not(feature = "testing"))] fn main() {}
    /// ```
    ///
    /// # Errors
    ///
    /// As [`copy_struct_from_user`].
    pub fn read_extensible<P: AddrSpaceProvider + ?Sized>(
        self,
        provider: &mut P,
        user_size: usize,
    ) -> LinuxResult<T> {
        let mut value = MaybeUninit::<T>::zeroed();
        // SAFETY: the `size_of::<T>()` bytes of `value` are initialized
        // (zeroed) and only this slice reaches them while it lives.
        let bytes = unsafe {
            slice::from_raw_parts_mut(value.as_mut_ptr().cast::<u8>(), size_of_user::<T>())
        };
        copy_struct_from_user(provider, bytes, self.cast::<u8>(), user_size)?;
        // SAFETY: every byte is initialized, and `T: UserCopy` accepts any
        // bytes.
        Ok(unsafe { value.assume_init() })
    }
}

impl<T: UserCopy> UserPtr<T> {
    /// Writes `value` as an extensible struct whose user size is `user_size`
    /// bytes (see [`copy_struct_to_user`]); returns whether non-zero bytes
    /// of `value` did not fit.
    ///
    /// # Errors
    ///
    /// As [`copy_struct_to_user`].
    pub fn write_extensible<P: AddrSpaceProvider + ?Sized>(
        self,
        provider: &mut P,
        value: &T,
        user_size: usize,
    ) -> LinuxResult<bool> {
        // SAFETY: `value` is `size_of::<T>()` initialized bytes (UserCopy:
        // no padding), only read while the slice lives.
        let bytes =
            unsafe { slice::from_raw_parts((&raw const *value).cast::<u8>(), size_of_user::<T>()) };
        copy_struct_to_user(provider, self.cast::<u8>(), user_size, bytes)
    }
}
