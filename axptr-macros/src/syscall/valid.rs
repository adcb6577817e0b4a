//! The rules a handler must follow for its raw entry to exist. Every
//! violation is reported, each at the tokens that break the rule, with what
//! to do instead.

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::{GenericParam, Ident, ReturnType, Type};

use super::{
    Errors,
    ast::{ContextType, Handler, Kind, Param, Shape},
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
        attrs.trace.as_ref().map(|(attr, _)| attr),
        attrs.cstr.as_ref().map(|(attr, _)| attr),
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
    match param.shape {
        Shape::BadRef(advice) => {
            errors.push(syn::Error::new_spanned(param.ty, advice));
            return;
        }
        Shape::ImplTrait => {
            errors.push(syn::Error::new_spanned(
                param.ty,
                "a register argument cannot be `impl Trait`: the raw entry must know its type; \
                 name a type that implements `SyscallArg`",
            ));
            return;
        }
        _ => {}
    }
    check_output_attrs(param, errors);
    check_extent(handler, param, errors);
    if let Some((attr, _)) = &param.attrs.trace {
        if !matches!(param.kind(), Kind::Value) {
            errors.push(syn::Error::new_spanned(
                attr,
                "`#[trace(…)]` chooses how a by-value argument prints; strings, slices, \
                 structures and buffers print as strace does: remove it",
            ));
        }
    }
    if let Some((attr, _)) = &param.attrs.cstr {
        if !matches!(param.shape, Shape::CStr { .. }) {
            errors.push(syn::Error::new_spanned(
                attr,
                "`#[cstr(…)]` sets the length limit of a `&CStr` argument; remove it",
            ));
        }
    }
}

/// `#[out]`, `#[inout]`, and `&mut T` without either.
fn check_output_attrs(param: &Param, errors: &mut Errors) {
    let attrs = &param.attrs;
    if let (Some(out), Some(_)) = (&attrs.out, &attrs.inout) {
        errors.push(syn::Error::new_spanned(
            out,
            "`#[out]` and `#[inout]` exclude each other: `#[out]` for a value the handler \
             only writes, `#[inout]` for one it reads first; keep one",
        ));
    }
    if let Some(out) = &attrs.out {
        match param.shape {
            Shape::MutRef { .. } => {}
            Shape::SliceOut(_) => errors.push(syn::Error::new_spanned(
                out,
                "a `&mut [T]` slice is always copied out after `Ok`; remove `#[out]` (or \
                 write `#[inout]` to copy it in first)",
            )),
            _ => errors.push(syn::Error::new_spanned(
                out,
                "`#[out]` belongs on a `&mut T` argument (a structure copied out after `Ok`); \
                 remove it",
            )),
        }
    }
    if let Some(inout) = &attrs.inout {
        if !matches!(param.shape, Shape::MutRef { .. } | Shape::SliceOut(_)) {
            errors.push(syn::Error::new_spanned(
                inout,
                "`#[inout]` belongs on a `&mut T` or `#[len = …] &mut [T]` argument (copied \
                 in, and back out after `Ok`); remove it",
            ));
        }
    }
    if let Shape::MutRef { .. } = param.shape {
        if !attrs.is_output() && attrs.len.is_none() && !attrs.extent_malformed {
            errors.push(syn::Error::new_spanned(
                param.ty,
                "a `&mut T` argument is copied back to user memory after `Ok`: mark it \
                 `#[out]` (the handler only writes it) or `#[inout]` (it is read first); a \
                 buffer type takes `#[len = …]` (the context is only the first parameter)",
            ));
        }
    }
}

/// `#[len = …]` and `#[size = …]`: where they may go, and what they name.
fn check_extent(handler: &Handler, param: &Param, errors: &mut Errors) {
    let attrs = &param.attrs;
    if param.is_slice() && attrs.extent().is_none() && !attrs.extent_malformed {
        errors.push(syn::Error::new_spanned(
            param.ty,
            "a slice argument needs its length: add `#[len = <parameter>]` before it, \
             naming the parameter that holds the number of elements",
        ));
    }
    if let (Some(_), Some((size, _))) = (&attrs.len, &attrs.size) {
        errors.push(syn::Error::new_spanned(
            size,
            "a pointer has one partner register: `#[len = …]` for a count (slices, buffers), \
             `#[size = …]` for a structure's size in bytes; keep one",
        ));
        return;
    }
    let string = "a string or string array ends at its NUL";
    if let Some((attr, target)) = &attrs.len {
        let misplaced = match param.shape {
            Shape::CStr { .. } | Shape::CStrArray => Some(format!("{string}; remove `#[len = …]`")),
            Shape::Ref { .. } => Some(
                "a `&T` structure takes `#[size = …]` for a size register; `#[len = …]` is \
                 for slices (`&[T]`) and buffer types (by value or `&mut`)"
                    .to_owned(),
            ),
            Shape::MutRef { .. } if attrs.is_output() => Some(
                "an `#[out]`/`#[inout]` structure takes `#[size = …]` for a size register; \
                 `#[len = …]` is for slices and buffer types"
                    .to_owned(),
            ),
            _ => None,
        };
        match misplaced {
            Some(message) => errors.push(syn::Error::new_spanned(attr, message)),
            None => check_target(handler, param, "len", target, "length", errors),
        }
    }
    if let Some((attr, target)) = &attrs.size {
        let misplaced = match param.shape {
            Shape::CStr { .. } | Shape::CStrArray => {
                Some(format!("{string}; remove `#[size = …]`"))
            }
            Shape::SliceIn(_) | Shape::SliceOut(_) => {
                Some("a slice counts elements: write `#[len = …]`, not `#[size = …]`".to_owned())
            }
            // Reported by `check_output_attrs`.
            Shape::MutRef { .. } if !attrs.is_output() => return,
            _ => None,
        };
        match misplaced {
            Some(message) => errors.push(syn::Error::new_spanned(attr, message)),
            None => check_target(handler, param, "size", target, "size", errors),
        }
    }
}

/// The parameter named by `#[len = target]` or `#[size = target]` must be
/// an integer parameter.
fn check_target(
    handler: &Handler,
    param: &Param,
    attr: &str,
    target: &Ident,
    what: &str,
    errors: &mut Errors,
) {
    let is_context = handler.context.as_ref().is_some_and(
        |context| matches!(&*context.param.pat, syn::Pat::Ident(pat) if pat.ident == *target),
    );
    match handler
        .params
        .iter()
        .find(|other| other.ident == Some(target))
    {
        Some(other) if matches!(other.kind(), Kind::Value) => {}
        Some(other) if std::ptr::eq(other, param) => errors.push(syn::Error::new_spanned(
            target,
            format!(
                "`{target}` is this argument itself; `#[{attr} = …]` names the other parameter, \
                 the one that holds the {what}"
            ),
        )),
        // `#[inout] addrlen: &mut u32` next to `#[len = addrlen]`: a length
        // in user memory, which the buffer kind reads itself.
        Some(other) if attr == "len" && matches!(other.kind(), Kind::ValueOut { .. }) => errors
            .push(syn::Error::new_spanned(
                target,
                format!(
                    "`{target}` is copied in and out, not a length: for a capacity in user \
                     memory (`socklen_t *{target}`), take `{target}: SockLenPtr` by value and \
                     the buffer as `#[len = {target}] &mut SockAddrOut` (or `SockOptOut<N>`), \
                     which read and write `*{target}` after `Ok`"
                ),
            )),
        Some(_) => errors.push(syn::Error::new_spanned(
            target,
            format!("`{target}` is not a {what}: name an integer parameter"),
        )),
        None if is_context => errors.push(syn::Error::new_spanned(
            target,
            format!("`{target}` is the context, not a {what}: name an integer parameter"),
        )),
        None => errors.push(syn::Error::new(
            target.span(),
            format!(
                "no parameter named `{target}`; `#[{attr} = …]` names the parameter that holds \
                 the {what}"
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
