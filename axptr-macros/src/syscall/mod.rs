//! `#[syscall]`: `ast` models the handler (with `attr` parsing the
//! attributes), `valid` checks the model, `expand` emits the raw entry.

mod ast;
mod attr;
mod expand;
mod valid;

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::ItemFn;

/// The whole expansion: the handler, unchanged but for the parameter
/// attributes this macro owns, then its raw entry. On errors the handler is
/// still emitted, next to every error found (combined), so the user sees
/// those errors and no cascade of unresolved names.
pub fn expand(args: TokenStream, input: TokenStream) -> TokenStream {
    let mut func: ItemFn = match syn::parse2(input.clone()) {
        Ok(func) => func,
        Err(_) => {
            let err = syn::Error::new_spanned(
                &input,
                "#[syscall] goes on a handler function; \
                 write `#[syscall] fn sys_name(...) -> LinuxResult<isize> { ... }`",
            );
            let mut out = input;
            out.extend(err.into_compile_error());
            return out;
        }
    };
    let (entry, length_params) = {
        let mut errors = Errors::default();
        let handler = ast::Handler::from_syn(args, &func, &mut errors);
        valid::check(&handler, &mut errors);
        let length_params: Vec<syn::Ident> = handler
            .params
            .iter()
            .flat_map(|param| [&param.attrs.len, &param.attrs.size])
            .filter_map(|extent| extent.as_ref().map(|(_, ident)| ident.clone()))
            .collect();
        let entry = match errors.finish() {
            Ok(()) => expand::entry(&handler),
            Err(err) => err.into_compile_error(),
        };
        (entry, length_params)
    };
    attr::strip_param_attrs(&mut func);
    // A length or size parameter is already used by its pointer argument
    // (`buf.len()`); the body need not read it, and should not be warned
    // for that.
    for ident in length_params.iter().rev() {
        func.block
            .stmts
            .insert(0, syn::parse_quote!(let _ = &#ident;));
    }
    let mut tokens = func.into_token_stream();
    tokens.extend(entry);
    tokens
}

/// All the errors found, reported together.
#[derive(Default)]
pub struct Errors(Option<syn::Error>);

impl Errors {
    pub fn push(&mut self, err: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(err),
            None => self.0 = Some(err),
        }
    }

    pub fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}
