//! The attributes of `#[syscall]`: its own arguments and the parameter
//! attributes it owns (`#[len = …]`, `#[size = …]`, `#[out]`, `#[inout]`,
//! `#[trace(…)]`, `#[cstr(…)]`).

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
    /// `#[size = size]`: the attribute, and the parameter it names.
    pub size: Option<(Attribute, Ident)>,
    /// A `#[len …]` or `#[size …]` attribute was there but malformed
    /// (already reported).
    pub extent_malformed: bool,
    /// `#[out]`.
    pub out: Option<Attribute>,
    /// `#[inout]`.
    pub inout: Option<Attribute>,
    /// `#[trace(hex)]`.
    pub trace: Option<(Attribute, Format)>,
    /// `#[cstr(max = 249, err = EINVAL)]`.
    pub cstr: Option<(Attribute, CStrLimit)>,
}

impl ParamAttrs {
    /// The register attribute pairing this pointer with another parameter,
    /// `#[len]` or `#[size]`.
    pub fn extent(&self) -> Option<&(Attribute, Ident)> {
        self.len.as_ref().or(self.size.as_ref())
    }

    /// Whether `#[out]` or `#[inout]` says the argument is copied back.
    pub fn is_output(&self) -> bool {
        self.out.is_some() || self.inout.is_some()
    }

    /// Whether an attribute makes a `&mut T` first parameter an argument
    /// rather than the context.
    pub fn marks_argument(&self) -> bool {
        self.is_output() || self.extent().is_some() || self.extent_malformed
    }
}

/// `#[cstr(max = …, err = …)]`.
pub struct CStrLimit {
    /// The longest string accepted, NUL not counted.
    pub max: usize,
    /// The errno for a longer one (`ENAMETOOLONG` if not given).
    pub err: Option<Ident>,
}

const OWNED: [&str; 6] = ["len", "size", "out", "inout", "trace", "cstr"];

fn is_owned(attr: &Attribute) -> bool {
    OWNED.iter().any(|name| attr.path().is_ident(name))
}

pub fn param_attrs(attrs: &[Attribute], errors: &mut Errors) -> ParamAttrs {
    let mut out = ParamAttrs::default();
    for attr in attrs.iter().filter(|attr| is_owned(attr)) {
        let duplicate =
            || syn::Error::new_spanned(attr, "duplicate attribute; keep only one of them");
        let path = attr.path();
        if path.is_ident("len") || path.is_ident("size") {
            let slot = if path.is_ident("len") {
                &mut out.len
            } else {
                &mut out.size
            };
            match extent_target(attr) {
                Ok(_) if slot.is_some() => errors.push(duplicate()),
                Ok(target) => *slot = Some((attr.clone(), target)),
                Err(err) => {
                    out.extent_malformed = true;
                    errors.push(err);
                }
            }
        } else if path.is_ident("out") || path.is_ident("inout") {
            let name = if path.is_ident("out") { "out" } else { "inout" };
            let slot = if path.is_ident("out") {
                &mut out.out
            } else {
                &mut out.inout
            };
            match &attr.meta {
                Meta::Path(_) if slot.is_some() => errors.push(duplicate()),
                Meta::Path(_) => *slot = Some(attr.clone()),
                _ => errors.push(syn::Error::new_spanned(
                    attr,
                    format!("`#[{name}]` takes no arguments; write `#[{name}]`"),
                )),
            }
        } else if path.is_ident("cstr") {
            match cstr_limit(attr) {
                Ok(_) if out.cstr.is_some() => errors.push(duplicate()),
                Ok(limit) => out.cstr = Some((attr.clone(), limit)),
                Err(err) => errors.push(err),
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

/// The parameter named by `#[len = count]` or `#[size = size]`.
fn extent_target(attr: &Attribute) -> syn::Result<Ident> {
    let name = if attr.path().is_ident("len") {
        "len"
    } else {
        "size"
    };
    let bad = || {
        syn::Error::new_spanned(
            attr,
            format!(
                "expected `#[{name} = <parameter>]`, naming the parameter that holds the {}",
                if name == "len" { "length" } else { "size" }
            ),
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

/// `#[cstr(max = 249)]`, `#[cstr(max = 249, err = EINVAL)]`.
fn cstr_limit(attr: &Attribute) -> syn::Result<CStrLimit> {
    let mut max = None;
    let mut err = None;
    attr.parse_nested_meta(|meta| {
        if meta.path.is_ident("max") {
            let value = meta.value()?;
            let lit: syn::LitInt = value.parse().map_err(|_| {
                value.error("`max` is a byte count: a non-negative integer literal")
            })?;
            let parsed = lit.base10_parse::<usize>().map_err(|_| {
                syn::Error::new_spanned(&lit, "`max` is a byte count: a non-negative integer")
            })?;
            max = Some(parsed);
        } else if meta.path.is_ident("err") {
            err = Some(meta.value()?.parse::<Ident>()?);
        } else {
            return Err(meta.error(
                "expected `max = <bytes>` (the longest string, NUL not counted) or \
                 `err = <ERRNO>` (the error for a longer one)",
            ));
        }
        Ok(())
    })?;
    let max = max.ok_or_else(|| {
        syn::Error::new_spanned(
            attr,
            "`#[cstr(…)]` needs `max = <bytes>`: the longest string accepted, NUL not counted",
        )
    })?;
    Ok(CStrLimit { max, err })
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
