//! The runtime of `#[syscall]`: conversions, raw entries, dispatch,
//! tracing.
//!
//! A syscall arrives as a number and six registers. `#[syscall]` (in
//! `axptr-macros`, re-exported by `axptr`) turns a typed handler into a raw
//! entry built from the pieces here, so the generated code stays a list of
//! trait calls:
//!
//! - each by-value argument is converted by [`SyscallArg`] (integers with
//!   Linux truncation, user pointers, `Option`s of them, kernel types);
//! - `&CStr` arguments are copied into kernel memory as a [`CStrArg`];
//! - `&[T]` / `&mut [T]` arguments paired with a length argument are kernel
//!   copies, [`SliceIn`] / [`SliceOut`] (see the [`slice`](mod@slice) docs for why
//!   copies, and the bound on hostile lengths);
//! - the handler runs only if every conversion succeeded; its
//!   [`SyscallResult`] becomes the result register, `-errno` on error
//!   ([`into_raw`]);
//! - output slices are copied back after the handler succeeded;
//! - a [`SyscallTracer`], if given, receives a [`SyscallEvent`] rendered
//!   from the registers and the kernel copies.
//!
//! Entries implement [`Syscall`]; [`syscall_table!`](crate::syscall_table)
//! gathers them into a [`SyscallTable`] indexed by number.
//!
//! The order of conversions is fixed: first the by-value arguments in
//! parameter order (no user memory is read for the built-in ones), then
//! strings and slices in parameter order. The first error stops the call.

mod arg;
#[cfg(feature = "alloc")]
mod cstr;
mod ret;
#[cfg(feature = "alloc")]
pub mod slice;
mod table;
mod trace;

pub use arg::{SyscallArg, SyscallLen};
#[cfg(feature = "alloc")]
pub use cstr::CStrArg;
pub use ret::{MAX_ERRNO, SyscallResult, SyscallReturn, into_raw};
#[cfg(feature = "alloc")]
pub use slice::{MAX_SLICE_ARG_BYTES, SliceIn, SliceOut};
#[doc(hidden)]
pub use table::{__table_insert, __table_len};
pub use table::{RawSyscall, Syscall, SyscallArgs, SyscallDesc, SyscallTable};
pub use trace::{ArgFormat, FmtRaw, SyscallEvent, SyscallTracer, TRACE_STRING_LIMIT, TraceArg};

/// An argument copied into kernel memory ([`CStrArg`], [`SliceIn`],
/// [`SliceOut`]), traced from its copy.
pub trait TraceCopied {
    /// The copy as a trace argument, or the address `raw` when the copy
    /// was not made (its conversion or an earlier one failed).
    fn trace_copied(copied: Option<&Self>, raw: usize) -> TraceArg<'_>;
}
