//! axptr: safe syscall arguments for kernels.
//!
//! This facade re-exports [`axptr_core`] and the macros of `axptr-macros`;
//! see the README for the whole story.
#![no_std]

pub use axptr_core::*;
/// Derives [`SyscallTrace`](syscall::SyscallTrace) for a struct: how it
/// shows in `#[syscall]` traces, strace-style (`{tv_sec=1, tv_nsec=0}`).
pub use axptr_macros::SyscallTrace;
/// Derives [`UserCopy`] for a `#[repr(C)]`/`#[repr(transparent)]` struct
/// whose fields are all `UserCopy` and which has no padding; anything else
/// is a compile error that says how to fix it.
///
/// ```
/// use axptr::UserCopy;
///
/// #[derive(Clone, Copy, UserCopy)]
/// #[repr(C)]
/// struct Timespec {
///     tv_sec: i64,
///     tv_nsec: i64,
/// }
/// ```
pub use axptr_macros::UserCopy;
pub use axptr_macros::syscall;

#[doc(hidden)]
pub mod __private {
    pub use axptr_core::{self, UserCopy};

    /// Fails to compile unless `T: UserCopy`; called once per field by
    /// `#[derive(UserCopy)]` so the error points at the field.
    #[inline(always)]
    pub const fn assert_user_copy<T: UserCopy>() {}
}

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

/// The `#[syscall]` guide's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../docs/guide/syscall.md")]
struct SyscallGuideDoctests;
