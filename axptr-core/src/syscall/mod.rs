//! The runtime of `#[syscall]`: conversions, raw entries, dispatch,
//! tracing.
//!
//! A syscall arrives as a number and six registers. `#[syscall]` (in
//! `axptr-macros`, re-exported by `axptr`) turns a typed handler into a raw
//! entry built from the pieces here, so the generated code stays a list of
//! trait calls: one conversion per argument, the handler, the copy-back of
//! its outputs, one result mapping. The kinds of argument:
//!
//! - by value, one register: [`SyscallArg`] (integers with Linux
//!   truncation, user pointers and their `Option`s, [`RawArg`] for
//!   command-dependent registers, [`SigSetSize`], [`CStrArray`], kernel
//!   types);
//! - a pointer and a length or size register (`#[len = …]`,
//!   `#[size = …]`): [`SyscallBufArg`] / [`SyscallSizedArg`] (the
//!   [`UserWriter`](crate::UserWriter) / [`UserReader`](crate::UserReader)
//!   cursors, the iovec cursors, [`FdSet`], [`Extensible`]), or a
//!   length pointer ([`SockLenPtr`] with [`SockAddrOut`] /
//!   [`SockOptOut`]: `socklen_t *addrlen`);
//! - copies the handler borrows: `&CStr` ([`CStrArg`]), `&[T]` /
//!   `&mut [T]` ([`SliceIn`] / [`SliceOut`], see the
//!   [`slice`](mod@slice) docs for why copies), `&T` / `&mut T`
//!   ([`ValueIn`] / [`ValueOut`]), `&[CString]` ([`CStrArray`]);
//! - after the handler returned `Ok`, outputs ([`SyscallOutput`]) are
//!   copied back in parameter order;
//! - the handler's [`SyscallResult`] becomes the result register, `-errno`
//!   on error ([`into_raw`]);
//! - a [`SyscallTracer`], if given, receives a [`SyscallEvent`] rendered
//!   from the registers and the kernel copies ([`SyscallTrace`] renders
//!   structures).
//!
//! Entries implement [`Syscall`]; [`syscall_table!`](crate::syscall_table)
//! gathers them into a [`SyscallTable`] indexed by number.
//!
//! The order of conversions is fixed: first the by-value arguments in
//! parameter order (no user memory is read for the built-in ones but
//! [`CStrArray`]), then the others (strings, slices, structures, buffers)
//! in parameter order. The first error stops the call.

mod arg;
mod buf;
#[cfg(feature = "alloc")]
mod cstr;
#[cfg(feature = "alloc")]
mod exec;
mod extensible;
#[cfg(feature = "alloc")]
mod fdset;
mod output;
mod raw;
mod render;
mod ret;
mod sigset;
#[cfg(feature = "alloc")]
pub mod slice;
mod sockaddr;
mod table;
mod trace;
mod value;

pub use arg::{RegisterInt, SyscallArg, SyscallLen};
pub use buf::{SyscallBufArg, SyscallSizedArg};
#[cfg(feature = "alloc")]
pub use cstr::CStrArg;
#[cfg(feature = "alloc")]
pub use exec::{CStrArray, MAX_ARG_TOTAL};
pub use extensible::Extensible;
#[cfg(feature = "alloc")]
pub use fdset::FdSet;
pub use output::{SyscallOutput, trace_output};
pub use raw::RawArg;
#[doc(hidden)]
pub use render::__probe;
pub use render::{SyscallTrace, TraceChars, TraceDisplay, TraceFn, fmt_chars, fmt_hex, fmt_oct};
pub use ret::{MAX_ERRNO, SyscallResult, SyscallReturn, into_raw};
pub use sigset::{SIGSET_SIZE, SigSet, SigSetSize};
#[cfg(feature = "alloc")]
pub use slice::{MAX_SLICE_ARG_BYTES, SliceIn, SliceOut};
pub use sockaddr::{SOCKADDR_STORAGE_SIZE, SockAddrOut, SockLenPtr, SockOptOut};
#[doc(hidden)]
pub use table::{__table_insert, __table_len};
pub use table::{RawSyscall, Syscall, SyscallArgs, SyscallDesc, SyscallTable};
pub use trace::{
    ArgFormat, FmtRaw, SyscallEvent, SyscallTracer, TRACE_STRING_LIMIT, TraceArg, TraceValue,
};
pub use value::{ValueIn, ValueOut};

/// An argument copied into kernel memory ([`CStrArg`], [`SliceIn`],
/// [`SliceOut`], [`ValueIn`], [`ValueOut`], [`CStrArray`], [`FdSet`]),
/// traced from its copy.
pub trait TraceCopied {
    /// The copy as a trace argument, or the address `raw` when the copy
    /// was not made (its conversion or an earlier one failed).
    fn trace_copied(copied: Option<&Self>, raw: usize) -> TraceArg<'_>;
}

/// A null (absent) argument shows as `NULL`.
impl<T: TraceCopied> TraceCopied for Option<T> {
    fn trace_copied(copied: Option<&Self>, raw: usize) -> TraceArg<'_> {
        T::trace_copied(copied.and_then(Option::as_ref), raw)
    }
}
