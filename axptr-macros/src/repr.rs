//! The `#[repr(...)]` of a type, parsed explicitly: anything not understood
//! is an error, never silently accepted.
//!
//! `packed` and `align` are accepted next to `C`: they change where fields
//! sit and how big the type is, and the layout assertions of
//! `#[derive(UserCopy)]` measure the result with `offset_of!`/`size_of`
//! rather than predicting it. `packed(N)` that opens a gap, or `align(N)`
//! that grows the type past its fields, is refused as padding; `packed`
//! alone only removes padding, and copies never need alignment.

use syn::{Attribute, LitInt};

/// The layout a type asked for.
#[derive(Default)]
pub(crate) struct Repr {
    /// `C` or `transparent`; `None` when the type asked for neither.
    pub(crate) kind: Option<ReprKind>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReprKind {
    C,
    Transparent,
}

impl Repr {
    /// Parses every `#[repr]` attribute.
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
                    // `packed` may stand alone; `align` needs its argument
                    // (rustc insists too, this only keeps parsing strict).
                    if meta.input.peek(syn::token::Paren) {
                        let content;
                        syn::parenthesized!(content in meta.input);
                        content.parse::<LitInt>()?;
                    } else if path.is_ident("align") {
                        return Err(meta.error("`align` needs an argument: `align(N)`"));
                    }
                    return Ok(());
                } else {
                    return Err(meta.error(
                        "`UserCopy` does not support this repr; use `#[repr(C)]` or `#[repr(transparent)]`",
                    ));
                };
                repr.kind = Some(kind);
                Ok(())
            })?;
        }
        Ok(repr)
    }
}
