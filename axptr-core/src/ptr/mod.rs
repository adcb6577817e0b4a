//! Typed pointers into user space.
//!
//! A [`UserPtr<T>`] or [`UserConstPtr<T>`] is only an address that user space
//! passed in a register: nothing about it is trusted until it is validated.
//! Both are one type, [`UserPtr<T, A>`], whose access marker `A`
//! ([`ReadWrite`] or [`Read`]) says what the kernel may do through it; each
//! method is written once, in the file of its capability: `copy.rs`
//! (copies and cursors), `string.rs` (strings and null-terminated arrays),
//! `in_place.rs` (the `unsafe` in-place API), and this file (the address
//! itself). [`UserPtr`]'s docs list them by group.
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
#[cfg(feature = "alloc")]
pub(crate) use string::{read_terminated_cstring, read_terminated_vec};

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
///
/// # Methods
///
/// Each method is defined once, for the pointer types it makes sense for:
///
/// - **Copies**, the safe way in and out: [`read`](Self::read),
///   [`read_slice`](Self::read_slice),
///   [`read_slice_partial`](Self::read_slice_partial) through either
///   type; [`write`](Self::write), [`write_slice`](Self::write_slice),
///   [`write_slice_partial`](Self::write_slice_partial) through a
///   `UserPtr<T>`. Validate, then copy through the fallible copy routine
///   with the fault flag set. No alignment is required, and a page another
///   user thread unmaps during the copy becomes `EFAULT`.
/// - **Cursors**: [`reader`](Self::reader) and [`writer`](Self::writer)
///   make a [`UserReader`](crate::UserReader) or
///   [`UserWriter`](crate::UserWriter): transfers that advance as they go
///   and report partial progress, as Linux's `read(2)` and `write(2)` do.
/// - **Strings and null-terminated arrays**, copied into kernel memory up
///   to their terminator and validated a page at a time:
///   [`read_cstr`](UserConstPtr::read_cstr),
///   [`read_cstring`](UserConstPtr::read_cstring),
///   [`read_null_terminated`](Self::read_null_terminated),
///   [`read_null_terminated_vec`](Self::read_null_terminated_vec).
/// - **In place**, `unsafe`: [`get`](Self::get),
///   [`get_as_slice`](Self::get_as_slice),
///   [`get_as_null_terminated`](Self::get_as_null_terminated),
///   [`get_as_cstr`](UserConstPtr::get_as_cstr),
///   [`get_as_str`](UserConstPtr::get_as_str) and the scoped
///   [`with`](Self::with), [`with_slice`](Self::with_slice),
///   [`with_null_terminated`](Self::with_null_terminated),
///   [`with_cstr`](UserConstPtr::with_cstr),
///   [`with_str`](UserConstPtr::with_str) lend a Rust reference into user
///   memory, which another user thread can write or unmap at any time; the
///   caller promises that nothing does while the reference lives
///   ([`Lend`]).
/// - **The address itself**: [`null`](Self::null), [`addr`](Self::addr),
///   [`address`](Self::address), [`is_null`](Self::is_null),
///   [`nullable`](Self::nullable), [`cast`](Self::cast),
///   [`as_const`](Self::as_const), [`wrapping_add`](Self::wrapping_add),
///   [`wrapping_byte_add`](Self::wrapping_byte_add), and the `unsafe`
///   [`as_ptr`](Self::as_ptr).
///
/// The methods on C strings are defined for `UserPtr<c_char, A>`; docs
/// built for x86_64 show `c_char` as `i8`.
#[repr(transparent)]
pub struct UserPtr<T, A = ReadWrite> {
    addr: usize,
    _marker: PhantomData<(fn() -> T, A)>,
}

/// A pointer to user memory that the kernel only reads.
pub type UserConstPtr<T> = UserPtr<T, Read>;

/// The address itself: nothing here reads user memory.
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
