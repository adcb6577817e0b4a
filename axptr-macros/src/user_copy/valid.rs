//! What `#[derive(UserCopy)]` refuses before any code is generated: enums,
//! a missing or unsupported `#[repr]`, and field types that can never be
//! plain data. The layout itself is proven by the compiler (see `expand`).

use syn::{GenericArgument, PathArguments, Type};

use super::{
    Errors,
    ast::{Body, Field, Input},
};

/// An input that passed every check here: what `expand` may emit an impl
/// for. Only `check` makes one, and never for an enum.
pub(super) struct Proven<'a> {
    pub(super) input: &'a Input<'a>,
    pub(super) layout: Layout<'a>,
}

pub(super) enum Layout<'a> {
    Struct(&'a [Field<'a>]),
    Union(&'a [Field<'a>]),
}

/// Checks the model; `errors` holds what parsing found. Every error is
/// reported at once.
pub(super) fn check<'a>(input: &'a Input<'a>, mut errors: Errors) -> syn::Result<Proven<'a>> {
    let layout = match &input.body {
        Body::Struct(fields) => Layout::Struct(fields),
        Body::Union(fields) => Layout::Union(fields),
        Body::Enum(enum_token) => {
            let refusal = syn::Error::new_spanned(
                enum_token,
                "`UserCopy` cannot be derived for an enum: user space can put any value in the \
                 discriminant; use a `#[repr(C)]` struct with an integer field and convert it with \
                 `TryFrom` after reading",
            );
            return Err(match errors.finish() {
                Ok(()) => refusal,
                Err(mut earlier) => {
                    earlier.combine(refusal);
                    earlier
                }
            });
        }
    };
    match &input.repr {
        Ok(repr) if repr.kind.is_none() => errors.push(syn::Error::new_spanned(
            input.ident,
            "`UserCopy` needs a defined layout: add `#[repr(C)]` (or `#[repr(transparent)]` for \
             a single-field wrapper); the default Rust layout may reorder fields and insert \
             padding",
        )),
        Ok(_) => {}
        Err(err) => errors.push(err.clone()),
    }
    let fields = match layout {
        Layout::Struct(fields) | Layout::Union(fields) => fields,
    };
    for field in fields {
        if let Some(advice) = not_plain_data(field.ty) {
            errors.push(syn::Error::new_spanned(field.ty, advice));
        }
    }
    errors.finish()?;
    Ok(Proven { input, layout })
}

/// Field types that can never be `UserCopy`, with advice on what to use.
fn not_plain_data(ty: &Type) -> Option<String> {
    let message = |what: &str, fix: &str| Some(format!("{what} field cannot be `UserCopy`: {fix}"));
    match ty {
        Type::Reference(_) => message(
            "a reference",
            "user space would choose the address; use `UserPtr<T>` or `UserConstPtr<T>`",
        ),
        Type::Ptr(_) => message(
            "a raw pointer",
            "use `UserPtr<T>` or `UserConstPtr<T>`, which are validated before use",
        ),
        Type::BareFn(_) => message(
            "a function pointer",
            "user space would choose the code address; store a `usize`",
        ),
        Type::Paren(inner) => not_plain_data(&inner.elem),
        Type::Group(inner) => not_plain_data(&inner.elem),
        Type::Array(array) => not_plain_data(&array.elem),
        Type::Path(path) if path.qself.is_none() => {
            let last = path.path.segments.last()?;
            match last.ident.to_string().as_str() {
                "bool" if path.path.segments.len() == 1 => message(
                    "a `bool`",
                    "only 0 and 1 are valid `bool`s but user space can write any byte; use `u8` \
                     and compare with 0",
                ),
                "char" if path.path.segments.len() == 1 => message(
                    "a `char`",
                    "not every `u32` is a valid `char`; use `u32` and convert with \
                     `char::from_u32`",
                ),
                "Option" if generic_args(&last.arguments) == 1 => message(
                    "an `Option`",
                    "its `None` may be a niche that user bytes can break; use a nullable \
                     `UserPtr<T>` (null is `None`) or an integer with a sentinel value",
                ),
                _ => None,
            }
        }
        _ => None,
    }
}

fn generic_args(arguments: &PathArguments) -> usize {
    match arguments {
        PathArguments::AngleBracketed(args) => args
            .args
            .iter()
            .filter(|arg| matches!(arg, GenericArgument::Type(_)))
            .count(),
        _ => 0,
    }
}
