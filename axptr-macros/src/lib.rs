//! Procedural macros of axptr. Use them through the `axptr` crate, whose
//! documentation describes them; generated code refers only to
//! `::axptr::__private`.

mod repr;
mod syscall;
mod trace_derive;
mod user_copy;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Derives `UserCopy` for a `#[repr(C)]` or `#[repr(transparent)]` struct
/// or union whose fields are all `UserCopy` and which has no padding. The
/// `axptr` crate documents the rules; `#[user_copy(crate = path)]` names
/// the `axptr` crate when it is not `::axptr`.
#[proc_macro_derive(UserCopy, attributes(user_copy))]
pub fn derive_user_copy(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    user_copy::expand(&input).into()
}

/// Derives `SyscallTrace` for a struct: strace's `{field=value, …}` in the
/// traces of `#[syscall]` entries. Field attributes: `#[trace(hex)]`,
/// `#[trace(oct)]`, `#[trace(str)]` (a C character array), `#[trace(skip)]`.
#[proc_macro_derive(SyscallTrace, attributes(trace))]
pub fn derive_syscall_trace(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    trace_derive::expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Turns a typed syscall handler into a raw entry.
///
/// ```
/// use axptr::{
///     AddrSpaceProvider, LinuxError, LinuxResult, MappingFlags, Syscall, syscall,
///     testing::HeapSpace,
/// };
///
/// struct Process {
///     aspace: HeapSpace,
///     file: &'static [u8],
/// }
///
/// impl AddrSpaceProvider for Process {
///     type AddrSpace = HeapSpace;
///     fn with_addr_space<R>(&mut self, f: impl FnOnce(&mut HeapSpace) -> R) -> R {
///         f(&mut self.aspace)
///     }
/// }
///
/// #[syscall]
/// fn sys_read(p: &mut Process, fd: i32, #[len = count] buf: &mut [u8], count: usize)
///     -> LinuxResult<usize> {
///     if fd != 0 {
///         return Err(LinuxError::EBADF);
///     }
///     let n = p.file.len().min(buf.len()); // `buf` is capped at 1 MiB
///     buf[..n].copy_from_slice(&p.file[..n]);
///     Ok(n)
/// }
///
/// let mut aspace = HeapSpace::new(1);
/// let page = aspace.base();
/// aspace.map(page, 4096, MappingFlags::READ | MappingFlags::WRITE);
/// let mut p = Process { aspace, file: b"hello" };
/// // The raw entry: registers in, result register out.
/// assert_eq!(sys_read::entry(&mut p, [0, page, 16, 0, 0, 0], None), 5);
/// assert_eq!(p.aspace.peek(page, 5), b"hello");
/// assert_eq!(sys_read::entry(&mut p, [0, 0, 16, 0, 0, 0], None), -14); // EFAULT
/// assert_eq!(sys_read::entry(&mut p, [3, page, 16, 0, 0, 0], None), -9); // EBADF
/// ```
///
/// The function is kept as written. Next to it, `#[syscall]` declares a
/// type of the same name (`sys_read`) implementing `axptr::Syscall<C>`,
/// whose `entry(ctx, [usize; 6], tracer) -> isize` converts the registers,
/// runs the body only if all of them converted, copies output buffers back
/// and returns the result register (`-errno` on error). `syscall_table!`
/// gathers entries by number.
///
/// - An optional first parameter `&mut C` is the context (a concrete type,
///   a type parameter, or `impl AddrSpaceProvider`).
/// - Every other parameter takes one register, at most six. By value:
///   integers (Linux truncation), `UserPtr<T>`/`UserConstPtr<T>` and their
///   `Option`s, `RawArg` (converted by the body), `SigSetSize`, and any
///   `SyscallArg<C>` type. Copies the body borrows: `&CStr`/`Option<&CStr>`
///   (`#[cstr(max = …, err = …)]` for another limit), `&[CString]`
///   (`argv`), `&T`/`Option<&T>` (a structure copied in), `#[out]` or
///   `#[inout] &mut T`/`Option<&mut T>` (copied out after `Ok`).
/// - A pointer paired with another register names it: `#[len = n]` on
///   `&[T]` / `&mut [T]` (`#[inout]` to copy in too), on a cursor
///   (`UserWriter`, `UserReader`), an iovec cursor (`IoVecWriter`,
///   `IoVecReader`), an `Option<&mut FdSet>`, or any `SyscallBufArg<C>`;
///   `#[size = n]` on `Extensible<T, MIN>` (any `SyscallSizedArg<C>`) or
///   on a structure reference (`n` must be its size, `EINVAL` otherwise).
/// - `#[trace(hex | oct | dec)]` chooses how a by-value argument prints in
///   traces (names ending in `flags` print in hex, in `mode` in octal);
///   structures print with their `SyscallTrace` (`#[derive(SyscallTrace)]`),
///   or as their address.
/// - `#[syscall(name = "…")]` sets the traced name (default: the function's
///   name without `sys_`); `#[syscall(crate = path)]` names the `axptr`
///   crate when it is not `::axptr`.
/// - The handler returns `LinuxResult<T>` with `T` one of `isize`, `usize`,
///   `i32`, `u32`, `()`.
///
/// Misuse (`async`, `unsafe`, `self`, no or a wrong return type, more than
/// six register arguments, generics other than the context, slices without
/// a length, `#[len]`/`#[size]`/`#[out]` where they mean nothing, a
/// `&mut T` without `#[out]`/`#[inout]`, unsupported types) is a compile
/// error at the offending tokens. The `#[syscall]` guide
/// (`docs/guide/syscall.md`) covers every kind, with tested examples.
#[proc_macro_attribute]
pub fn syscall(args: TokenStream, input: TokenStream) -> TokenStream {
    syscall::expand(args.into(), input.into()).into()
}
