//! `#[derive(UserCopy)]`: proves at compile time that a struct or union may
//! be copied from and to user memory. `ast` models the input (with its
//! `#[repr]` and `#[user_copy]` attributes), `valid` refuses what can never
//! be plain data, `expand` emits the impl and its layout proof.
//!
//! The proof, all of it checked by the compiler:
//! - the type is `#[repr(C)]` or `#[repr(transparent)]` (the default layout
//!   may reorder fields and insert padding);
//! - every field type is `UserCopy` (a bound per field type, so the error
//!   points at the field; obvious offenders such as `bool` get a tailored
//!   message first);
//! - there is no padding: in a struct each field starts where the previous
//!   one ends and the struct ends where the last field ends; in a union
//!   every field is exactly as big as the union;
//! - transitively: `__LAYOUT_CHECKED` of the type evaluates the
//!   `__LAYOUT_CHECKED` of every field type, so padding inside a generic
//!   field (`Outer { inner: S<u64> }`) is refused wherever the outer type
//!   is checked. Types without type or const parameters are checked at the
//!   definition; generic ones wherever an instance is copied.

mod ast;
mod expand;
mod valid;

use proc_macro2::TokenStream;
use syn::DeriveInput;

/// The whole expansion. On errors it still emits an `unsafe impl` (with no
/// layout proof) next to them, so that the user sees those errors and not
/// one more at every use of the type. That impl never reaches a binary: an
/// error from a macro always stops compilation.
pub(crate) fn expand(input: &DeriveInput) -> TokenStream {
    let mut errors = Errors::default();
    let model = ast::Input::from_syn(input, &mut errors);
    // Either a proof or an error: there is no path to an impl without one.
    match valid::check(&model, errors) {
        Ok(proven) => expand::user_copy_impl(&proven),
        Err(err) => {
            let mut tokens = err.into_compile_error();
            tokens.extend(expand::impl_after_error(&model));
            tokens
        }
    }
}

/// All the errors found, reported together.
#[derive(Default)]
struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, err: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(err),
            None => self.0 = Some(err),
        }
    }

    fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}
