//! Procedural macros of axptr. Use them through the `axptr` crate, whose
//! documentation describes them; generated code refers only to
//! `::axptr::__private`.

mod repr;
mod user_copy;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Derives `UserCopy` for a `#[repr(C)]` or `#[repr(transparent)]` struct
/// whose fields are all `UserCopy` and which has no padding.
#[proc_macro_derive(UserCopy)]
pub fn derive_user_copy(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    user_copy::expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
