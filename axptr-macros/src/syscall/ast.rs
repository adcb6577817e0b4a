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
    pub shape: Shape<'a>,
    pub attrs: ParamAttrs,
}

/// The syntactic form of a parameter's type.
pub enum Shape<'a> {
    /// Any type taken by value.
    Value,
    /// `&CStr`, or `Option<&CStr>` when `optional`.
    CStr { optional: bool },
    /// `&[CString]`.
    CStrArray,
    /// `&[T]`.
    SliceIn(&'a Type),
    /// `&mut [T]`.
    SliceOut(&'a Type),
    /// `&T`, or `Option<&T>` when `optional`.
    Ref { elem: &'a Type, optional: bool },
    /// `&mut T`, or `Option<&mut T>` when `optional`.
    MutRef { elem: &'a Type, optional: bool },
    /// A reference that is never an argument (`&str`, `&dyn Trait`, ...),
    /// with what to write instead.
    BadRef(&'static str),
    /// `impl Trait`.
    ImplTrait,
}

/// What a parameter is, from its shape and attributes; what the entry
/// does with it.
#[derive(Clone, Copy)]
pub enum Kind<'a> {
    /// By value, converted by `SyscallArg`.
    Value,
    /// `#[len = n] x: T` by value, converted by `SyscallBufArg`.
    Buf,
    /// `#[size = n] x: T` by value, converted by `SyscallSizedArg`.
    Sized,
    /// `&CStr` / `Option<&CStr>`.
    CStr { optional: bool },
    /// `&[CString]`.
    CStrArray,
    /// `#[len = n] &[T]`.
    SliceIn(&'a Type),
    /// `#[len = n] &mut [T]`.
    SliceOut(&'a Type),
    /// `&T` / `Option<&T>`: copied in.
    ValueIn { elem: &'a Type, optional: bool },
    /// `#[out]`/`#[inout] &mut T` / `Option<&mut T>`: copied out.
    ValueOut { elem: &'a Type, optional: bool },
    /// `#[len = n] &mut T` / `Option<&mut T>`: a buffer type the entry
    /// keeps and copies back.
    BufMut { elem: &'a Type, optional: bool },
    /// Rejected by `valid`.
    Invalid,
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
            if i == 0 && !attrs.marks_argument() {
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
                shape: shape_of(&param.ty),
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

impl<'a> Param<'a> {
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

    /// What the parameter is. A combination of shape and attributes that
    /// makes no sense is `Invalid` (and reported by `valid`).
    pub fn kind(&self) -> Kind<'a> {
        let attrs = &self.attrs;
        let len = attrs.len.is_some();
        let size = attrs.size.is_some();
        match self.shape {
            Shape::Value if len && !size => Kind::Buf,
            Shape::Value if size && !len => Kind::Sized,
            Shape::Value if !len && !size => Kind::Value,
            Shape::CStr { optional } if !len && !size => Kind::CStr { optional },
            Shape::CStrArray if !len && !size => Kind::CStrArray,
            Shape::SliceIn(elem) if !size => Kind::SliceIn(elem),
            Shape::SliceOut(elem) if !size => Kind::SliceOut(elem),
            Shape::Ref { elem, optional } if !len => Kind::ValueIn { elem, optional },
            Shape::MutRef { elem, optional } if attrs.is_output() && !len => {
                Kind::ValueOut { elem, optional }
            }
            Shape::MutRef { elem, optional } if len && !size && !attrs.is_output() => {
                Kind::BufMut { elem, optional }
            }
            _ => Kind::Invalid,
        }
    }

    pub fn is_slice(&self) -> bool {
        matches!(self.shape, Shape::SliceIn(_) | Shape::SliceOut(_))
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

fn shape_of(ty: &Type) -> Shape<'_> {
    match peel(ty) {
        Type::Reference(reference) => {
            let mutable = reference.mutability.is_some();
            match peel(&reference.elem) {
                Type::Slice(slice) if mutable => Shape::SliceOut(&slice.elem),
                Type::Slice(slice) if names(peel(&slice.elem), "CString") => Shape::CStrArray,
                Type::Slice(slice) => Shape::SliceIn(&slice.elem),
                elem if names(elem, "str") => Shape::BadRef(
                    "a string argument is `&CStr` (copied in, NUL-terminated), not `&str`",
                ),
                elem if names(elem, "CStr") && !mutable => Shape::CStr { optional: false },
                elem if names(elem, "CStr") => {
                    Shape::BadRef("a string argument is read-only: `&CStr`, not `&mut CStr`")
                }
                elem => ref_shape(elem, mutable, false),
            }
        }
        Type::Path(path) if path.qself.is_none() => match option_arg(&path.path) {
            Some(Type::Reference(reference)) => {
                let mutable = reference.mutability.is_some();
                match peel(&reference.elem) {
                    elem if names(elem, "CStr") && !mutable => Shape::CStr { optional: true },
                    Type::Slice(_) => Shape::BadRef(
                        "an optional buffer is a slice with its length, empty for a null \
                         pointer: remove the `Option`",
                    ),
                    elem if names(elem, "str") => Shape::BadRef(
                        "a string argument is `Option<&CStr>` (copied in), not `Option<&str>`",
                    ),
                    elem => ref_shape(elem, mutable, true),
                }
            }
            _ => Shape::Value,
        },
        Type::ImplTrait(_) => Shape::ImplTrait,
        _ => Shape::Value,
    }
}

/// `&T`, `&mut T` and their `Option`s, for a `T` that can be a copy.
fn ref_shape(elem: &Type, mutable: bool, optional: bool) -> Shape<'_> {
    match elem {
        Type::TraitObject(_) | Type::ImplTrait(_) => Shape::BadRef(
            "a reference argument is a kernel copy of a concrete type; name the structure \
             (`&Timespec`), not a trait",
        ),
        Type::Reference(_) | Type::Ptr(_) => Shape::BadRef(
            "a reference argument is a kernel copy of one value; for a user pointer stored in \
             user memory use `UserPtr<T>` as the value type",
        ),
        elem if mutable => Shape::MutRef { elem, optional },
        elem => Shape::Ref { elem, optional },
    }
}

/// Whether `ty` is a path ending in `name` without arguments (`CStr`,
/// `core::ffi::CStr`, `str`).
fn names(ty: &Type, name: &str) -> bool {
    match ty {
        Type::Path(path) => {
            path.qself.is_none()
                && path.path.segments.last().is_some_and(|last| {
                    last.ident == name && matches!(last.arguments, PathArguments::None)
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
