//! Procedural macros of axptr. Use them through the `axptr` crate, which
//! re-exports them and provides the paths their expansions name
//! (`::axptr::__private::…`).

mod syscall;

use proc_macro::TokenStream;

/// Turns a typed syscall handler into a raw entry: see the `axptr` crate
/// documentation (`#[syscall]` tutorial) and `axptr::syscall`.
#[proc_macro_attribute]
pub fn syscall(args: TokenStream, input: TokenStream) -> TokenStream {
    syscall::expand(args.into(), input.into()).into()
}
