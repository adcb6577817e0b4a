//! The rules a handler must follow for its raw entry to exist. Every
//! violation is reported, each at the tokens that break the rule, with what
//! to do instead.

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::{GenericParam, ReturnType, Type};

use super::{
    Errors,
    ast::{ContextType, Handler, Kind, Param},
};

/// The registers a syscall has for arguments.
pub const MAX_REGISTERS: usize = 6;

pub fn check(handler: &Handler, errors: &mut Errors) {
    check_signature(handler, errors);
    check_generics(handler, errors);
    check_context(handler, errors);
    for (index, param) in handler.params.iter().enumerate() {
        check_param(handler, index, param, errors);
    }
}

fn check_signature(handler: &Handler, errors: &mut Errors) {
    let sig = &handler.func.sig;
    if let Some(token) = &sig.asyncness {
        errors.push(syn::Error::new_spanned(
            token,
            "a syscall handler cannot be `async`: the raw entry runs it to completion; \
             remove `async`",
        ));
    }
    if let Some(token) = &sig.unsafety {
        errors.push(syn::Error::new_spanned(
            token,
            "a syscall handler cannot be `unsafe`: the raw entry calls it with checked \
             arguments; remove `unsafe` and use `unsafe` blocks in the body",
        ));
    }
    if let Some(variadic) = &sig.variadic {
        errors.push(syn::Error::new_spanned(
            variadic,
            "a syscall handler cannot be variadic; name each argument",
        ));
    }
    if let Some(receiver) = handler.receiver {
        errors.push(syn::Error::new_spanned(
            receiver,
            "a syscall handler cannot take `self`: make it a free function and take the \
             kernel's state as a `&mut` first parameter (the context)",
        ));
    }
    match &sig.output {
        ReturnType::Default => errors.push(syn::Error::new(
            sig.paren_token.span.close(),
            "a syscall handler returns `LinuxResult<T>`; add `-> LinuxResult<isize>` \
             (or `usize`, `i32`, `u32`, `()`)",
        )),
        ReturnType::Type(_, ty) if mentions_impl_trait(ty.to_token_stream()) => {
            errors.push(syn::Error::new_spanned(
                ty,
                "a syscall handler returns `LinuxResult<T>`, not `impl Trait`; \
                 name the type (`LinuxResult<isize>`)",
            ));
        }
        ReturnType::Type(..) => {}
    }
}

fn check_generics(handler: &Handler, errors: &mut Errors) {
    let context = handler
        .context
        .as_ref()
        .and_then(|context| match context.ty {
            ContextType::Named(Type::Path(path)) if path.qself.is_none() => path.path.get_ident(),
            _ => None,
        });
    for param in &handler.func.sig.generics.params {
        match param {
            GenericParam::Type(ty) if Some(&ty.ident) == context => {}
            GenericParam::Type(ty) => errors.push(syn::Error::new_spanned(
                &ty.ident,
                format!(
                    "the raw entry cannot choose `{}`: only the context may be generic \
                     (`ctx: &mut {}` as the first parameter); use a concrete type",
                    ty.ident, ty.ident,
                ),
            )),
            GenericParam::Const(konst) => errors.push(syn::Error::new_spanned(
                &konst.ident,
                format!(
                    "the raw entry cannot choose `{}`; remove the const parameter",
                    konst.ident
                ),
            )),
            GenericParam::Lifetime(lifetime) => errors.push(syn::Error::new_spanned(
                &lifetime.lifetime,
                "a syscall handler cannot have lifetime parameters: its arguments borrow \
                 copies that live for one call; elide the lifetimes (`&CStr`, `&mut Ctx`)",
            )),
        }
    }
}

fn check_context(handler: &Handler, errors: &mut Errors) {
    let Some(context) = &handler.context else {
        return;
    };
    let attrs = &context.attrs;
    let owned = [
        attrs.len.as_ref().map(|(attr, _)| attr),
        attrs.inout.as_ref(),
        attrs.trace.as_ref().map(|(attr, _)| attr),
    ];
    for attr in owned.into_iter().flatten() {
        errors.push(syn::Error::new_spanned(
            attr,
            "this attribute belongs on a register argument, not on the context \
             (the `&mut` first parameter); remove it",
        ));
    }
}

fn check_param(handler: &Handler, index: usize, param: &Param, errors: &mut Errors) {
    if index == MAX_REGISTERS {
        errors.push(syn::Error::new_spanned(
            param.param,
            format!(
                "a syscall has at most {MAX_REGISTERS} register arguments, and this is \
                 argument {}; pass a pointer to a struct for more",
                index + 1
            ),
        ));
    } else if index > MAX_REGISTERS {
        errors.push(syn::Error::new_spanned(
            param.param,
            format!(
                "argument {} does not fit in the six registers either",
                index + 1
            ),
        ));
    }
    match param.kind {
        Kind::MutRef => errors.push(syn::Error::new_spanned(
            param.ty,
            "a `&mut T` parameter is only the context, as the first parameter; for an \
             output argument use `UserPtr<T>` (one value) or `#[len = …] &mut [T]` (a buffer)",
        )),
        Kind::Ref => errors.push(syn::Error::new_spanned(
            param.ty,
            "unsupported reference argument; use `&CStr` for a string, `#[len = …] &[T]` \
             for a buffer, or `UserConstPtr<T>` for a pointer to one value",
        )),
        Kind::ImplTrait => errors.push(syn::Error::new_spanned(
            param.ty,
            "a register argument cannot be `impl Trait`: the raw entry must know its type; \
             name a type that implements `SyscallArg`",
        )),
        Kind::Value | Kind::CStr | Kind::OptionCStr | Kind::SliceIn(_) | Kind::SliceOut(_) => {}
    }
    check_len(handler, param, errors);
    if let Some(attr) = &param.attrs.inout {
        if !matches!(param.kind, Kind::SliceOut(_)) {
            errors.push(syn::Error::new_spanned(
                attr,
                "`#[inout]` belongs on a `#[len = …] &mut [T]` argument (a buffer copied in \
                 and back out); remove it",
            ));
        }
    }
    if let Some((attr, _)) = &param.attrs.trace {
        if !matches!(param.kind, Kind::Value) {
            errors.push(syn::Error::new_spanned(
                attr,
                "`#[trace(…)]` chooses how a by-value argument prints; strings and slices \
                 print as strace does: remove it",
            ));
        }
    }
}

fn check_len(handler: &Handler, param: &Param, errors: &mut Errors) {
    let Some((attr, target)) = &param.attrs.len else {
        if param.is_slice() && !param.attrs.len_malformed {
            errors.push(syn::Error::new_spanned(
                param.ty,
                "a slice argument needs its length: add `#[len = <parameter>]` before it, \
                 naming the parameter that holds the number of elements",
            ));
        }
        return;
    };
    if !param.is_slice() {
        errors.push(syn::Error::new_spanned(
            attr,
            "`#[len = …]` belongs on a slice argument (`&[T]` or `&mut [T]`); remove it, or \
             make this argument a slice",
        ));
        return;
    }
    let is_context = handler.context.as_ref().is_some_and(
        |context| matches!(&*context.param.pat, syn::Pat::Ident(pat) if pat.ident == *target),
    );
    match handler
        .params
        .iter()
        .find(|other| other.ident == Some(target))
    {
        Some(other) if matches!(other.kind, Kind::Value) => {}
        Some(_) => errors.push(syn::Error::new_spanned(
            target,
            format!("`{target}` is not a length: name an integer parameter"),
        )),
        None if is_context => errors.push(syn::Error::new_spanned(
            target,
            format!("`{target}` is the context, not a length: name an integer parameter"),
        )),
        None => errors.push(syn::Error::new(
            target.span(),
            format!(
                "no parameter named `{target}`; `#[len = …]` names the parameter that holds \
                 the length"
            ),
        )),
    }
}

/// Whether `impl Trait` appears anywhere in the tokens (the raw entry must
/// name the return type).
fn mentions_impl_trait(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|token| match token {
        TokenTree::Ident(ident) => ident == "impl",
        TokenTree::Group(group) => mentions_impl_trait(group.stream()),
        _ => false,
    })
}
