//! A small model of the handler: its context, its register parameters and
//! what kind of argument each one is. Built from the syntax only; `valid`
//! judges it.

use proc_macro2::TokenStream;
use syn::{
    FnArg, GenericArgument, Ident, ItemFn, Pat, PatType, PathArguments, Receiver, Token, Type,
    TypeParamBound, ext::IdentExt, punctuated::Punctuated,
};

use super::{
    Errors,
    attr::{self, Format, MacroArgs, ParamAttrs},
};

pub struct Handler<'a> {
    pub func: &'a ItemFn,
    pub args: MacroArgs,
    pub receiver: Option<&'a Receiver>,
    pub context: Option<Context<'a>>,
    /// The parameters that come from registers, in order.
    pub params: Vec<Param<'a>>,
}

/// The first parameter, when it is `&mut C`: the context.
pub struct Context<'a> {
    pub param: &'a PatType,
    pub ty: ContextType<'a>,
    pub attrs: ParamAttrs,
}

pub enum ContextType<'a> {
    /// `&mut Kernel`, or `&mut P` with `P` a type parameter.
    Named(&'a Type),
    /// `&mut impl Bounds`.
    Impl(&'a Punctuated<TypeParamBound, Token![+]>),
}

pub struct Param<'a> {
    pub param: &'a PatType,
    /// The binding, when the pattern is a plain name.
    pub ident: Option<&'a Ident>,
    pub ty: &'a Type,
    pub kind: Kind<'a>,
    pub attrs: ParamAttrs,
}

pub enum Kind<'a> {
    /// Converted by `SyscallArg`.
    Value,
    /// `&CStr`.
    CStr,
    /// `Option<&CStr>`.
    OptionCStr,
    /// `&[T]`.
    SliceIn(&'a Type),
    /// `&mut [T]`.
    SliceOut(&'a Type),
    /// `&mut T` after the first parameter.
    MutRef,
    /// Any other `&T`.
    Ref,
    /// `impl Trait`.
    ImplTrait,
}

impl<'a> Handler<'a> {
    pub fn from_syn(args: TokenStream, func: &'a ItemFn, errors: &mut Errors) -> Self {
        let args = attr::macro_args(args, errors);
        let mut receiver = None;
        let mut context = None;
        let mut params = Vec::new();
        for (i, input) in func.sig.inputs.iter().enumerate() {
            let param = match input {
                FnArg::Receiver(r) => {
                    receiver = Some(r);
                    continue;
                }
                FnArg::Typed(param) => param,
            };
            let attrs = attr::param_attrs(&param.attrs, errors);
            if i == 0 {
                if let Some(ty) = context_type(&param.ty) {
                    context = Some(Context { param, ty, attrs });
                    continue;
                }
            }
            params.push(Param {
                param,
                ident: match &*param.pat {
                    Pat::Ident(pat) if pat.subpat.is_none() => Some(&pat.ident),
                    _ => None,
                },
                ty: &param.ty,
                kind: kind_of(&param.ty),
                attrs,
            });
        }
        Handler {
            func,
            args,
            receiver,
            context,
            params,
        }
    }

    /// The name in traces: `#[syscall(name = "…")]`, or the function's
    /// name without `sys_`.
    pub fn trace_name(&self) -> String {
        if let Some(name) = &self.args.name {
            return name.value();
        }
        let name = self.func.sig.ident.unraw().to_string();
        match name.strip_prefix("sys_") {
            Some(rest) if !rest.is_empty() => rest.to_owned(),
            _ => name,
        }
    }
}

impl Param<'_> {
    /// How the trace prints the argument: `#[trace(…)]`, else hex for names
    /// ending in `flags`, octal for names ending in `mode`.
    pub fn format(&self) -> Option<Format> {
        if let Some((_, format)) = self.attrs.trace {
            return Some(format);
        }
        let name = self.ident?.unraw().to_string();
        if name.ends_with("flags") {
            Some(Format::Hex)
        } else if name.ends_with("mode") {
            Some(Format::Octal)
        } else {
            None
        }
    }

    pub fn is_slice(&self) -> bool {
        matches!(self.kind, Kind::SliceIn(_) | Kind::SliceOut(_))
    }
}

/// Looks through invisible groups and parentheses.
fn peel(ty: &Type) -> &Type {
    match ty {
        Type::Group(group) => peel(&group.elem),
        Type::Paren(paren) => peel(&paren.elem),
        ty => ty,
    }
}

/// `C` of a `&mut C` that is not a slice.
fn context_type(ty: &Type) -> Option<ContextType<'_>> {
    let Type::Reference(reference) = peel(ty) else {
        return None;
    };
    reference.mutability?;
    match peel(&reference.elem) {
        Type::Slice(_) => None,
        Type::ImplTrait(bounds) => Some(ContextType::Impl(&bounds.bounds)),
        elem => Some(ContextType::Named(elem)),
    }
}

fn kind_of(ty: &Type) -> Kind<'_> {
    match peel(ty) {
        Type::Reference(reference) => match (peel(&reference.elem), reference.mutability) {
            (Type::Slice(slice), None) => Kind::SliceIn(&slice.elem),
            (Type::Slice(slice), Some(_)) => Kind::SliceOut(&slice.elem),
            (_, Some(_)) => Kind::MutRef,
            (elem, None) if is_cstr(elem) => Kind::CStr,
            (_, None) => Kind::Ref,
        },
        Type::Path(path) if path.qself.is_none() => match option_arg(&path.path) {
            Some(Type::Reference(reference))
                if reference.mutability.is_none() && is_cstr(peel(&reference.elem)) =>
            {
                Kind::OptionCStr
            }
            _ => Kind::Value,
        },
        Type::ImplTrait(_) => Kind::ImplTrait,
        _ => Kind::Value,
    }
}

/// Whether `ty` names `CStr` (`CStr`, `core::ffi::CStr`, …).
fn is_cstr(ty: &Type) -> bool {
    match ty {
        Type::Path(path) => {
            path.qself.is_none()
                && path.path.segments.last().is_some_and(|last| {
                    last.ident == "CStr" && matches!(last.arguments, PathArguments::None)
                })
        }
        _ => false,
    }
}

/// `T` of `Option<T>`.
fn option_arg(path: &syn::Path) -> Option<&Type> {
    let last = path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.iter().collect::<Vec<_>>()[..] {
        [GenericArgument::Type(ty)] => Some(peel(ty)),
        _ => None,
    }
}
