//! The `no_std` core of axptr: safe access to user memory from a kernel.
//!
//! A syscall's pointer arguments are untrusted numbers. This crate turns
//! them into [`UserPtr`] / [`UserConstPtr`], validates the memory they name
//! against the kernel's [`AddrSpace`] (the bounds of user space, mapping,
//! permissions, overflow, population of lazy pages), and touches it only
//! with the fault flag set ([`is_accessing_user_memory`]), so the kernel's
//! page-fault handler knows a fault on user memory is expected, through a
//! copy routine whose faults the handler can send to a fixup
//! ([`fixup_for`]). Every bad input is a [`LinuxError`], never a panic.
//! Safe code copies (and moves data with the [`UserReader`] /
//! [`UserWriter`] cursors); lending references into user memory is
//! `unsafe`.
//!
//! Kernels use it through the `axptr` crate, which re-exports everything
//! here beside `#[derive(UserCopy)]` and `#[syscall]`, and whose
//! documentation holds the guide (`axptr::guide`).
//!
//! ```
//! # #[cfg(feature = "testing")] fn main() -> Result<(), axerrno::LinuxError> {
//! use axptr_core::{UserConstPtr, UserPtr, testing::HeapSpace};
//! use axerrno::LinuxError;
//! use page_table_multiarch::MappingFlags;
//!
//! let mut aspace = HeapSpace::new(2);
//! let page = aspace.base();
//! aspace.map(page, 4096, MappingFlags::READ | MappingFlags::WRITE);
//!
//! let ptr = UserPtr::<u64>::from(page);
//! ptr.write(&mut aspace, 42)?;
//! assert_eq!(ptr.read(&mut aspace)?, 42);
//! // The second page is unmapped: EFAULT, not a crash.
//! let bad = UserConstPtr::<u64>::from(page + 4096);
//! assert_eq!(bad.read(&mut aspace), Err(LinuxError::EFAULT));
//! # Ok(()) }
//! # #[cfg(not(feature = "testing"))] fn main() {} // `HeapSpace` needs the `testing` feature
//! ```
#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]

#[cfg(any(feature = "alloc", test))]
extern crate alloc;
#[cfg(not(target_os = "none"))]
extern crate std;

mod arch;
mod aspace;
mod atomic;
mod check;
mod cursor;
mod extensible;
mod flag;
#[cfg(any(feature = "testing", feature = "sim", test))]
pub mod inject;
#[cfg(feature = "alloc")]
pub mod iovec;
mod ptr;
pub mod strings;
pub mod syscall;
mod uaccess;
mod user_copy;
mod zero;

#[cfg(feature = "sim")]
pub mod sim;
#[cfg(any(feature = "testing", test))]
pub mod testing;

pub use arch::{enable_user_access_protection, fixup_for};
pub use aspace::{AddrSpace, AddrSpaceProvider};
pub use axerrno::{LinuxError, LinuxResult};
pub use check::{PATH_MAX, access_ok, check_region};
pub use cursor::{UserCursor, UserReader, UserWriter};
pub use extensible::{EXTENSIBLE_SIZE_MAX, copy_struct_from_user, copy_struct_to_user};
pub use flag::{
    UserAccessGuard, access_user_memory, is_accessing_user_memory, restore_user_access_flag,
    take_user_access_flag,
};
pub use memory_addr::{PAGE_SIZE_4K, VirtAddr, VirtAddrRange};
pub use page_table_multiarch::MappingFlags;
pub use ptr::{UserConstPtr, UserPtr};

/// The access markers of [`UserPtr<T, A>`]: [`ReadWrite`](access::ReadWrite)
/// (`UserPtr<T>`) and [`Read`](access::Read) (`UserConstPtr<T>`); and the
/// directions of [`UserCursor<D>`]: [`FromUser`](access::FromUser)
/// ([`UserReader`]) and [`ToUser`](access::ToUser) ([`UserWriter`]).
pub mod access {
    pub use crate::cursor::{FromUser, ToUser};
    pub use crate::ptr::{Access, Lend, Read, ReadWrite};
}
pub use syscall::{
    Syscall, SyscallArg, SyscallEvent, SyscallLen, SyscallResult, SyscallReturn, SyscallTable,
    SyscallTrace, SyscallTracer,
};
pub use user_copy::UserCopy;
pub use zero::{check_zeroed_user, clear_user};
