//! The `#[repr(...)]` of a type, parsed explicitly: anything not understood
//! is an error, never silently accepted.

use proc_macro2::Span;
use syn::{Attribute, LitInt, spanned::Spanned};

/// The layout a struct asked for.
#[derive(Default)]
pub(crate) struct Repr {
    /// `C` or `transparent`, with the span of the word.
    pub(crate) kind: Option<(ReprKind, Span)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReprKind {
    C,
    Transparent,
}

impl Repr {
    /// Parses every `#[repr]` attribute; `packed` and `align` are accepted
    /// (the padding check sees their effect).
    pub(crate) fn parse(attrs: &[Attribute]) -> syn::Result<Self> {
        let mut repr = Repr::default();
        for attr in attrs.iter().filter(|attr| attr.path().is_ident("repr")) {
            attr.parse_nested_meta(|meta| {
                let path = &meta.path;
                let kind = if path.is_ident("C") {
                    ReprKind::C
                } else if path.is_ident("transparent") {
                    ReprKind::Transparent
                } else if path.is_ident("packed") || path.is_ident("align") {
                    if meta.input.peek(syn::token::Paren) {
                        let content;
                        syn::parenthesized!(content in meta.input);
                        content.parse::<LitInt>()?;
                    }
                    return Ok(());
                } else {
                    return Err(meta.error(
                        "`UserCopy` does not support this repr; use `#[repr(C)]` or `#[repr(transparent)]`",
                    ));
                };
                repr.kind = Some((kind, path.span()));
                Ok(())
            })?;
        }
        Ok(repr)
    }
}
