//! The attributes of `#[syscall]`: its own arguments and the parameter
//! attributes it owns (`#[len = …]`, `#[inout]`, `#[trace(…)]`).

use proc_macro2::TokenStream;
use syn::{
    Attribute, Expr, FnArg, Ident, ItemFn, LitStr, Meta, Path, meta::ParseNestedMeta, parse::Parser,
};

use super::Errors;

/// `#[syscall(name = "…", crate = path)]`.
#[derive(Default)]
pub struct MacroArgs {
    /// The name in traces, instead of the handler's without `sys_`.
    pub name: Option<LitStr>,
    /// The path of the `axptr` crate, instead of `::axptr`.
    pub krate: Option<Path>,
}

pub fn macro_args(tokens: TokenStream, errors: &mut Errors) -> MacroArgs {
    let mut args = MacroArgs::default();
    let parser = syn::meta::parser(|meta: ParseNestedMeta| {
        if meta.path.is_ident("name") {
            args.name = Some(meta.value()?.parse()?);
        } else if meta.path.is_ident("crate") {
            args.krate = Some(meta.value()?.parse()?);
        } else {
            return Err(meta.error(
                "unknown #[syscall] argument; expected `name = \"…\"` (the name in traces) \
                 or `crate = path` (where `axptr` is)",
            ));
        }
        Ok(())
    });
    if let Err(err) = parser.parse2(tokens) {
        errors.push(err);
    }
    args
}

/// How `#[trace(…)]` asks an integer to be printed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Decimal,
    Hex,
    Octal,
}

/// The parameter attributes `#[syscall]` owns.
#[derive(Default)]
pub struct ParamAttrs {
    /// `#[len = count]`: the attribute, and the parameter it names.
    pub len: Option<(Attribute, Ident)>,
    /// A `#[len …]` attribute was there but malformed (already reported).
    pub len_malformed: bool,
    /// `#[inout]`.
    pub inout: Option<Attribute>,
    /// `#[trace(hex)]`.
    pub trace: Option<(Attribute, Format)>,
}

fn is_owned(attr: &Attribute) -> bool {
    let path = attr.path();
    path.is_ident("len") || path.is_ident("inout") || path.is_ident("trace")
}

pub fn param_attrs(attrs: &[Attribute], errors: &mut Errors) -> ParamAttrs {
    let mut out = ParamAttrs::default();
    for attr in attrs.iter().filter(|attr| is_owned(attr)) {
        let duplicate =
            || syn::Error::new_spanned(attr, "duplicate attribute; keep only one of them");
        if attr.path().is_ident("len") {
            match len_target(attr) {
                Ok(_) if out.len.is_some() => errors.push(duplicate()),
                Ok(target) => out.len = Some((attr.clone(), target)),
                Err(err) => {
                    out.len_malformed = true;
                    errors.push(err);
                }
            }
        } else if attr.path().is_ident("inout") {
            match &attr.meta {
                Meta::Path(_) if out.inout.is_some() => errors.push(duplicate()),
                Meta::Path(_) => out.inout = Some(attr.clone()),
                _ => errors.push(syn::Error::new_spanned(
                    attr,
                    "`#[inout]` takes no arguments; write `#[inout]`",
                )),
            }
        } else {
            match trace_format(attr) {
                Ok(_) if out.trace.is_some() => errors.push(duplicate()),
                Ok(format) => out.trace = Some((attr.clone(), format)),
                Err(err) => errors.push(err),
            }
        }
    }
    out
}

/// The parameter named by `#[len = count]`.
fn len_target(attr: &Attribute) -> syn::Result<Ident> {
    let bad = || {
        syn::Error::new_spanned(
            attr,
            "expected `#[len = <parameter>]`, naming the parameter that holds the length",
        )
    };
    let Meta::NameValue(nv) = &attr.meta else {
        return Err(bad());
    };
    match &nv.value {
        Expr::Path(path) if path.attrs.is_empty() && path.qself.is_none() => {
            path.path.get_ident().cloned().ok_or_else(bad)
        }
        _ => Err(bad()),
    }
}

/// The format of `#[trace(hex)]`, `#[trace(oct)]`, `#[trace(dec)]`.
fn trace_format(attr: &Attribute) -> syn::Result<Format> {
    let mut format = None;
    attr.parse_nested_meta(|meta| {
        let chosen = if meta.path.is_ident("hex") {
            Format::Hex
        } else if meta.path.is_ident("oct") {
            Format::Octal
        } else if meta.path.is_ident("dec") {
            Format::Decimal
        } else {
            return Err(meta.error("expected `hex`, `oct` or `dec`"));
        };
        if format.replace(chosen).is_some() {
            return Err(meta.error("give one format: `hex`, `oct` or `dec`"));
        }
        Ok(())
    })?;
    format.ok_or_else(|| {
        syn::Error::new_spanned(
            attr,
            "expected `#[trace(hex)]`, `#[trace(oct)]` or `#[trace(dec)]`",
        )
    })
}

/// Removes the parameter attributes `#[syscall]` owns, which mean nothing
/// to the compiler.
pub fn strip_param_attrs(func: &mut ItemFn) {
    for input in &mut func.sig.inputs {
        let attrs = match input {
            FnArg::Typed(pat) => &mut pat.attrs,
            FnArg::Receiver(receiver) => &mut receiver.attrs,
        };
        attrs.retain(|attr| !is_owned(attr));
    }
}
