//! axptr: safe syscall arguments for kernels.
//!
//! This facade re-exports [`axptr_core`]; see its documentation and the
//! README for the whole story.
#![no_std]

pub use axptr_core::*;
pub use axptr_macros::syscall;

#[doc(hidden)]
pub mod __private {
    pub use axptr_core;
}

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
