//! Typed pointers into user space.
//!
//! A [`UserPtr<T>`] or [`UserConstPtr<T>`] is only an address that user space
//! passed in a register: nothing about it is trusted until it is validated.
//! Both are one type, [`UserPtr<T, A>`], whose access marker `A`
//! ([`ReadWrite`] or [`Read`]) says what the kernel may do through it; each
//! method is written once, in the file of its capability:
//!
//! - **Copies** (`copy.rs`: [`read`](UserPtr::read),
//!   [`write`](UserPtr::write), [`read_slice`](UserPtr::read_slice),
//!   [`write_slice`](UserPtr::write_slice) and their `_partial` forms):
//!   validate, then copy through the fallible copy routine with the fault
//!   flag set. No alignment is required, and a page that another user
//!   thread unmaps during the copy becomes `EFAULT`.
//! - **Cursors** ([`reader`](UserPtr::reader), [`writer`](UserPtr::writer):
//!   [`UserReader`](crate::UserReader), [`UserWriter`](crate::UserWriter)):
//!   transfers that advance as they go and report partial progress, as
//!   Linux's `read(2)` and `write(2)` do.
//! - **Strings and null-terminated arrays** (`string.rs`:
//!   [`read_cstr`](UserPtr::read_cstr),
//!   [`read_cstring`](UserPtr::read_cstring),
//!   [`read_null_terminated`](UserPtr::read_null_terminated), ...): copied
//!   into kernel memory up to their terminator, validated a page at a time.
//! - **In place** (`in_place.rs`: [`get`](UserPtr::get),
//!   [`get_as_slice`](UserPtr::get_as_slice),
//!   [`get_as_cstr`](UserPtr::get_as_cstr), [`with`](UserPtr::with), ...):
//!   `unsafe`. They lend a Rust reference into user memory, which another
//!   user thread can write or unmap at any time; the caller promises that
//!   nothing does while the reference lives.
//!
//! Safe code never holds a Rust reference into user memory: that is the
//! rule that keeps `&mut` exclusive and `&str` UTF-8 whatever user space
//! does.
//!
//! Element types are bounded by [`UserCopy`](crate::UserCopy): a
//! `UserPtr<bool>` can be named but not read.

mod copy;
mod in_place;
mod string;

use core::{
    fmt,
    hash::{Hash, Hasher},
    marker::PhantomData,
    mem::size_of,
};

use memory_addr::VirtAddr;
use page_table_multiarch::MappingFlags;

use crate::{UserCopy, uaccess::user_ptr};

pub use in_place::Lend;

mod sealed {
    pub trait Sealed {}
}

/// What the kernel may do through a [`UserPtr`]: [`ReadWrite`] or [`Read`].
///
/// Sealed: the two markers are the only implementations.
pub trait Access: sealed::Sealed + in_place::Lend + 'static {
    /// The permissions the in-place API requires of the memory.
    const FLAGS: MappingFlags;
    /// The pointer's name in `Debug` output.
    const NAME: &'static str;
}

/// The kernel reads and writes through the pointer: [`UserPtr<T>`].
#[derive(Debug)]
pub enum ReadWrite {}

/// The kernel only reads through the pointer: [`UserConstPtr<T>`].
#[derive(Debug)]
pub enum Read {}

impl sealed::Sealed for ReadWrite {}
impl sealed::Sealed for Read {}

impl Access for ReadWrite {
    const FLAGS: MappingFlags = MappingFlags::READ.union(MappingFlags::WRITE);
    const NAME: &'static str = "UserPtr";
}

impl Access for Read {
    const FLAGS: MappingFlags = MappingFlags::READ;
    const NAME: &'static str = "UserConstPtr";
}

/// A pointer to user memory.
///
/// `UserPtr<T>` (the default marker, [`ReadWrite`]) may be read and written
/// through; [`UserConstPtr<T>`] (`UserPtr<T, Read>`) only read.
/// `#[repr(transparent)]` over the address, so it can be unpacked from a
/// register or stored in a `#[repr(C)]` struct shared with user space.
///
/// ```
/// # #[cfg(feature = "testing")] fn main() -> Result<(), axerrno::LinuxError> {
/// use axptr_core::{UserConstPtr, UserPtr, testing::HeapSpace};
/// use page_table_multiarch::MappingFlags;
///
/// let mut space = HeapSpace::new(1);
/// let page = space.base();
/// space.map(page, 4096, MappingFlags::READ | MappingFlags::WRITE);
///
/// let out = UserPtr::<[u32; 2]>::from(page);
/// out.write(&mut space, [1, 2])?;
/// let back: UserConstPtr<[u32; 2]> = out.into();
/// assert_eq!(back.read(&mut space)?, [1, 2]);
/// # Ok(()) }
/// # #[cfg(not(feature = "testing"))] fn main() {} // `HeapSpace` needs `testing`
/// ```
#[repr(transparent)]
pub struct UserPtr<T, A = ReadWrite> {
    addr: usize,
    _marker: PhantomData<(fn() -> T, A)>,
}

/// A pointer to user memory that the kernel only reads.
pub type UserConstPtr<T> = UserPtr<T, Read>;

impl<T, A: Access> UserPtr<T, A> {
    /// The permissions the in-place API requires of the memory.
    pub const ACCESS_FLAGS: MappingFlags = A::FLAGS;

    /// The null pointer.
    #[inline]
    #[must_use]
    pub const fn null() -> Self {
        Self::from_addr(0)
    }

    #[inline]
    const fn from_addr(addr: usize) -> Self {
        Self {
            addr,
            _marker: PhantomData,
        }
    }

    /// The user address.
    #[inline]
    #[must_use]
    pub fn address(self) -> VirtAddr {
        VirtAddr::from(self.addr)
    }

    /// The user address as a number.
    #[inline]
    #[must_use]
    pub const fn addr(self) -> usize {
        self.addr
    }

    /// Whether the address is zero.
    #[inline]
    #[must_use]
    pub const fn is_null(self) -> bool {
        self.addr == 0
    }

    /// `None` for a null pointer, the pointer otherwise: for optional
    /// arguments.
    #[inline]
    #[must_use]
    pub const fn nullable(self) -> Option<Self> {
        if self.is_null() { None } else { Some(self) }
    }

    /// The same address, seen as pointing to a `U`.
    #[inline]
    #[must_use]
    pub const fn cast<U>(self) -> UserPtr<U, A> {
        UserPtr::from_addr(self.addr)
    }

    /// The same address, read-only.
    #[inline]
    #[must_use]
    pub const fn as_const(self) -> UserConstPtr<T> {
        UserPtr::from_addr(self.addr)
    }

    /// The pointer `count` elements further, wrapping around the address
    /// space: for walking a user array in chunks. The result is as
    /// unvalidated as `self`; a wrapped address fails validation like any
    /// other bad address.
    #[inline]
    #[must_use]
    pub const fn wrapping_add(self, count: usize) -> Self {
        self.wrapping_byte_add(count.wrapping_mul(size_of::<T>()))
    }

    /// The pointer `bytes` bytes further, wrapping around the address space
    /// (see [`wrapping_add`](Self::wrapping_add)).
    #[inline]
    #[must_use]
    pub const fn wrapping_byte_add(self, bytes: usize) -> Self {
        Self::from_addr(self.addr.wrapping_add(bytes))
    }
}

impl<T> UserPtr<T> {
    /// The raw pointer.
    ///
    /// # Safety
    ///
    /// The result is an unvalidated user address. Dereference it only after
    /// validating the memory, inside an access window
    /// ([`access_user_memory`](crate::access_user_memory)), and while
    /// nothing can unmap it: a fault through it has no fixup.
    #[inline]
    #[must_use]
    pub unsafe fn as_ptr(self) -> *mut T {
        user_ptr(self.addr)
    }
}

impl<T> UserConstPtr<T> {
    /// The raw pointer.
    ///
    /// # Safety
    ///
    /// As [`UserPtr::as_ptr`]: an unvalidated user address.
    #[inline]
    #[must_use]
    pub unsafe fn as_ptr(self) -> *const T {
        user_ptr(self.addr)
    }
}

impl<T, A: Access> From<usize> for UserPtr<T, A> {
    #[inline]
    fn from(addr: usize) -> Self {
        Self::from_addr(addr)
    }
}

impl<T> From<UserPtr<T>> for UserConstPtr<T> {
    #[inline]
    fn from(ptr: UserPtr<T>) -> Self {
        ptr.as_const()
    }
}

impl<T, A> Clone for UserPtr<T, A> {
    #[inline]
    fn clone(&self) -> Self {
        *self
    }
}

impl<T, A> Copy for UserPtr<T, A> {}

impl<T, A: Access> Default for UserPtr<T, A> {
    #[inline]
    fn default() -> Self {
        Self::null()
    }
}

impl<T, A> PartialEq for UserPtr<T, A> {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.addr == other.addr
    }
}

impl<T, A> Eq for UserPtr<T, A> {}

impl<T, A> Hash for UserPtr<T, A> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.addr.hash(state);
    }
}

impl<T, A: Access> fmt::Debug for UserPtr<T, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({:#x})", A::NAME, self.addr)
    }
}

// SAFETY: the pointer is a `usize` (`repr(transparent)`, the marker is a
// zero-sized `PhantomData`): any bits are a valid (unvalidated) address,
// there is no padding, and zero is null.
unsafe impl<T, A: Access> UserCopy for UserPtr<T, A> {}
