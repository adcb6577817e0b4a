//! axptr: safe syscall arguments for kernels.
//!
//! This facade re-exports [`axptr_core`] and the macros of `axptr-macros`;
//! see the README for the whole story.
#![no_std]

pub use axptr_core::*;
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
