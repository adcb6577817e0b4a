//! Safe access to user memory for kernels: typed user pointers, validation
//! against your address space, fault handling, and `#[syscall]`.
//!
//! A syscall hands the kernel six registers, and the addresses among them
//! are untrusted: null, unmapped, read-only, inside the kernel, or unmapped
//! by another user thread while the kernel copies. axptr turns each into a
//! typed [`UserPtr<T>`](UserPtr) or [`UserConstPtr<T>`], validates the
//! memory it names against your kernel's [`AddrSpace`] before touching it,
//! touches it only inside an access window that your page-fault handler
//! recognizes ([`is_accessing_user_memory`]), and moves the bytes with a
//! copy routine whose faults can be rescued ([`fixup_for`]). Every bad
//! input becomes the [`LinuxError`] Linux would return, never a panic.
//!
//! Safe code moves data by copying it, so it is sound whatever user space
//! does: no safe function lends a Rust reference into user memory. Plain
//! data crosses as [`UserCopy`] types, which `#[derive(UserCopy)]` proves
//! free of padding at compile time. [`#[syscall]`](macro@syscall) turns a
//! typed handler into a raw entry, and your handlers run unchanged in host
//! tests.
//!
//! ```
//! use core::ffi::c_char;
//!
//! use axptr::{
//!     AddrSpaceProvider, LinuxError, LinuxResult, MappingFlags, PATH_MAX, UserConstPtr,
//!     UserPtr, testing::HeapSpace,
//! };
//!
//! /// A `stat`-like handler: a path in, a number out.
//! fn sys_path_len<P: AddrSpaceProvider>(
//!     p: &mut P,
//!     path: UserConstPtr<c_char>,
//!     out: UserPtr<u64>,
//! ) -> LinuxResult<isize> {
//!     let mut buf = [0u8; PATH_MAX];
//!     let path = path.read_cstr(p, &mut buf)?; // EFAULT, ENAMETOOLONG
//!     out.write(p, path.to_bytes().len() as u64)?; // EFAULT on a read-only page
//!     Ok(0)
//! }
//!
//! // A user address space for the example; in a kernel, the process's.
//! let mut aspace = HeapSpace::new(1);
//! let page = aspace.base();
//! aspace.map(page, 4096, MappingFlags::READ | MappingFlags::WRITE);
//! aspace.poke(page, b"/etc/hostname\0");
//!
//! assert_eq!(sys_path_len(&mut aspace, page.into(), (page + 64).into()), Ok(0));
//! assert_eq!(aspace.peek(page + 64, 8), 13u64.to_ne_bytes());
//! // Hostile registers: an errno each, and the kernel carries on.
//! assert_eq!(sys_path_len(&mut aspace, 0.into(), page.into()), Err(LinuxError::EFAULT));
//! assert_eq!(sys_path_len(&mut aspace, page.into(), 8.into()), Err(LinuxError::EFAULT));
//! ```
//!
//! # The guide
//!
//! - [`guide::overview`]: a user pointer's path from a register to a value
//!   or an errno, `UserCopy`, the crates and features. Start here.
//! - [`guide::transfers`]: copies, C strings and `argv` arrays, cursors,
//!   iovec arrays, and every bad input with its errno.
//! - [`guide::syscall`]: `#[syscall]`, typed handlers: every argument kind
//!   and the Linux pointer-argument pattern it expresses.
//! - [`guide::safety`]: what is sound whatever user space does, and what
//!   the `unsafe` items ask of you.
//! - [`guide::kernel`]: plugging axptr into a kernel: the address space,
//!   the page-fault handler, the per-CPU flag.
//! - [`guide::host_testing`]: testing handlers on the host.
//! - [`guide::reliability`]: how axptr is checked.
//! - [`guide::performance`]: what a call costs.
//!
//! # The main items
//!
//! - **Pointers**: [`UserPtr`] and [`UserConstPtr`] (copies, strings,
//!   cursors, and the `unsafe` in-place API), [`access_ok`], [`PATH_MAX`].
//! - **Transfers with progress**: [`UserReader`], [`UserWriter`], and
//!   [`iovec`] arrays.
//! - **Plain data**: the [`UserCopy`] trait and
//!   [`#[derive(UserCopy)]`](derive@UserCopy).
//! - **Your kernel**: [`AddrSpace`] and [`AddrSpaceProvider`] (what axptr
//!   asks), [`is_accessing_user_memory`] and [`fixup_for`] (what your
//!   page-fault handler asks), [`access_user_memory`] (the access window).
//! - **Syscalls**: [`#[syscall]`](macro@syscall), [`syscall_table!`],
//!   [`SyscallTable`], [`SyscallArg`] (your own argument types),
//!   [`SyscallEvent`] (strace-style tracing), and the
//!   [`syscall`](mod@syscall) module.
//! - **Test address spaces**: `testing::HeapSpace` (feature `testing`) and
//!   `sim::SimSpace` (feature `sim`, Linux x86_64); the
//!   [overview](guide::overview#crates-and-features) lists the features.
#![no_std]

pub use axptr_core::*;
/// Derives [`SyscallTrace`](trait@SyscallTrace) for a struct: how it
/// shows in `#[syscall]` traces, strace-style (`{tv_sec=1, tv_nsec=0}`).
pub use axptr_macros::SyscallTrace;
/// Derives [`UserCopy`] for a `#[repr(C)]`/`#[repr(transparent)]` struct
/// or union whose fields are all `UserCopy` and which has no padding;
/// anything else is a compile error that says how to fix it.
///
/// ```
/// use core::ffi::c_void;
///
/// use axptr::{UserCopy, UserPtr};
///
/// #[derive(Clone, Copy, UserCopy)]
/// #[repr(C)]
/// struct Timespec {
///     tv_sec: i64,
///     tv_nsec: i64,
/// }
///
/// // Bounds go on field types: `Iovec<c_void>` is `UserCopy` because
/// // `UserPtr<c_void>` is (`Copy` is written by hand as `c_void` is not).
/// #[derive(UserCopy)]
/// #[repr(C)]
/// struct Iovec<T> {
///     base: UserPtr<T>,
///     len: usize,
/// }
/// impl<T> Clone for Iovec<T> {
///     fn clone(&self) -> Self {
///         *self
///     }
/// }
/// impl<T> Copy for Iovec<T> {}
///
/// // A union whose every field fills it: `sigval`, with the `int` member
/// // widened by explicit padding.
/// #[derive(Clone, Copy, UserCopy)]
/// #[repr(C)]
/// struct SivalInt {
///     value: i32,
///     _pad: [u8; 4],
/// }
/// #[derive(Clone, Copy, UserCopy)]
/// #[repr(C)]
/// union Sigval {
///     sival_int: SivalInt,
///     sival_ptr: UserPtr<c_void>,
/// }
///
/// fn user_copy<T: UserCopy>() {}
/// user_copy::<Timespec>();
/// user_copy::<Iovec<c_void>>();
/// user_copy::<Sigval>();
/// ```
///
/// The rules:
/// - `#[repr(C)]` or `#[repr(transparent)]` (`packed` and `align` are
///   allowed as long as no padding results); enums are refused, since user
///   space could write any discriminant.
/// - Every field type is `UserCopy`. `bool`, `char`, references, raw and
///   function pointers and `Option`s are refused with advice; a generic
///   parameter needs `UserCopy` only if a field type needs it to be
///   (`PhantomData<T>` and `UserPtr<T>` never do).
/// - No padding: in a struct, each field starts where the previous one
///   ends and the struct ends with its last field; in a union, every field
///   is exactly the union's size.
/// - The proof is transitive: padding inside a field's type (a padded
///   `S<u64>` inside `Outer`) refuses the outer type too. Types without
///   type or const parameters are checked where they are defined; generic
///   ones wherever an instance is copied.
///
/// `#[user_copy(crate = path)]` names the `axptr` crate when it is not
/// `::axptr` (renamed, or re-exported by another crate).
pub use axptr_macros::UserCopy;
pub use axptr_macros::syscall;

mod derive;
pub mod guide;

#[doc(hidden)]
pub mod __private {
    pub use crate::derive::{check_no_gap_before, check_no_trailing_padding, check_union_field};
    pub use axptr_core::{self, UserCopy};
    // So generated code needs no `::core` (absent in edition 2015 crates).
    pub use core::marker::Copy;
    pub use core::mem::{offset_of, size_of};
}

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
