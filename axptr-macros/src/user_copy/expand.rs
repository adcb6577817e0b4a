//! The code `#[derive(UserCopy)]` emits:
//!
//! ```text
//! const _: () = {
//!     unsafe impl<T> UserCopy for S<T>
//!     where
//!         Self: Copy,
//!         T: UserCopy, // each field type that names a generic parameter
//!     {
//!         const __LAYOUT_CHECKED: () = {
//!             let () = <u8 as UserCopy>::__LAYOUT_CHECKED; // each field type
//!             let () = <T as UserCopy>::__LAYOUT_CHECKED;
//!             check_no_gap_before("S", "a", offset_of!(Self, a), 0);
//!             check_no_gap_before("S", "b", offset_of!(Self, b), offset_of!(Self, a) + size_of::<u8>());
//!             check_no_trailing_padding("S", size_of::<Self>(), offset_of!(Self, b) + size_of::<T>());
//!         };
//!     }
//!     // Only without type or const parameters (lifetimes become 'static):
//!     const _: () = <S as UserCopy>::__LAYOUT_CHECKED;
//! };
//! ```
//!
//! Bounds go on field types, not on type parameters, so `Iov<c_void>`
//! (a `UserPtr<c_void>` field) and a parameter used only in `PhantomData`
//! need nothing of the parameter. Field types that name no parameter get no
//! bound (it would be a "trivial bound" error): the `let ()` line requires
//! them to be `UserCopy` where the impl is defined.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{ToTokens, quote, quote_spanned};
use syn::{Generics, Ident, Type, parse_quote, parse_quote_spanned, spanned::Spanned};

use super::{
    ast::{Field, Input},
    valid::{Layout, Proven},
};

/// The impl with its layout proof.
pub(super) fn user_copy_impl(proven: &Proven) -> TokenStream {
    let input = proven.input;
    let private = private(input);
    let ident = input.ident;
    let fields = match proven.layout {
        Layout::Struct(fields) | Layout::Union(fields) => fields,
    };

    let params = GenericParams::of(input.generics);
    let mut generics = impl_generics(input, &private);
    let predicates = &mut generics.make_where_clause().predicates;
    for ty in fields.iter().map(|field| field.ty) {
        if params.appear_in(ty) {
            let private = private_at(&private, ty.span());
            predicates.push(parse_quote_spanned! {ty.span()=> #ty: #private::UserCopy });
        }
    }
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();

    // Transitive: a field's own layout proof is part of this one.
    let field_proofs = fields.iter().map(|field| {
        let ty = field.ty;
        let private = private_at(&private, ty.span());
        quote_spanned! {ty.span()=>
            let () = <#ty as #private::UserCopy>::__LAYOUT_CHECKED;
        }
    });
    let layout_proof = match proven.layout {
        Layout::Struct(fields) => struct_without_padding(input, fields, &private),
        Layout::Union(fields) => union_without_padding(input, fields, &private),
    };
    let eager = eager_check(input, &private);

    quote! {
        const _: () = {
            // SAFETY: `#[repr(C)]`/`#[repr(transparent)]` (checked by the
            // derive), every field type is `UserCopy` (the bounds and the
            // `let ()` lines), and `__LAYOUT_CHECKED` proves there is no
            // padding, here and in every field type; `Self: Copy` is the
            // supertrait.
            #[automatically_derived]
            unsafe impl #impl_generics #private::UserCopy for #ident #ty_generics #where_clause {
                const __LAYOUT_CHECKED: () = {
                    #(#field_proofs)*
                    #layout_proof
                };
            }

            #eager
        };
    }
}

/// The impl emitted next to the derive's errors: it has no proof, which is
/// sound only because those errors stop compilation before any code using
/// it exists. It spares the user an error at every use of the type.
pub(super) fn impl_after_error(input: &Input) -> TokenStream {
    let private = private(input);
    let ident = input.ident;
    let generics = impl_generics(input, &private);
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    quote! {
        const _: () = {
            // SAFETY: never compiled into anything: the compile error next
            // to this impl stops the build.
            #[automatically_derived]
            unsafe impl #impl_generics #private::UserCopy for #ident #ty_generics #where_clause {}
        };
    }
}

fn private(input: &Input) -> TokenStream {
    let krate = &input.krate;
    quote!(#krate::__private)
}

/// `private` with every token at `span`: an expression's span runs from
/// its first token, and a `#[track_caller]` check reports the span of its
/// call, so the whole call must carry the field's span for the error to
/// point at the field rather than at the derive.
fn private_at(private: &TokenStream, span: Span) -> TokenStream {
    private
        .clone()
        .into_iter()
        .map(|mut token| {
            token.set_span(span);
            token
        })
        .collect()
}

/// The type's own generics and where clause, plus `Self: Copy` (the
/// supertrait) when generic, so that a derived `Copy` with its `T: Copy`
/// bounds and a hand-written unconditional one both work.
fn impl_generics(input: &Input, private: &TokenStream) -> Generics {
    let mut generics = input.generics.clone();
    if !generics.params.is_empty() {
        generics
            .make_where_clause()
            .predicates
            .push(parse_quote!(Self: #private::Copy));
    }
    generics
}

/// Each field starts where the previous one ends; the struct ends where the
/// last one ends. The error names the field after the gap.
fn struct_without_padding(input: &Input, fields: &[Field], private: &TokenStream) -> TokenStream {
    let name = input.ident.to_string();
    let mut checks = TokenStream::new();
    let mut end = quote!(0);
    for field in fields {
        let (member, ty, field_name) = (&field.member, field.ty, field.name());
        let private = private_at(private, field.span());
        checks.extend(quote_spanned! {field.span()=>
            #private::check_no_gap_before(
                #name,
                #field_name,
                #private::offset_of!(Self, #member),
                #end,
            );
        });
        end = quote!(#private::offset_of!(Self, #member) + #private::size_of::<#ty>());
    }
    let private = private_at(private, input.ident.span());
    checks.extend(quote_spanned! {input.ident.span()=>
        #private::check_no_trailing_padding(#name, #private::size_of::<Self>(), #end);
    });
    checks
}

/// Every field is exactly as big as the union, so whichever field was
/// written last, all of the union's bytes are its (initialized) bytes.
fn union_without_padding(input: &Input, fields: &[Field], private: &TokenStream) -> TokenStream {
    let name = input.ident.to_string();
    fields
        .iter()
        .map(|field| {
            let (ty, field_name) = (field.ty, field.name());
            let private = private_at(private, field.span());
            quote_spanned! {field.span()=>
                #private::check_union_field::<Self, #ty>(#name, #field_name);
            }
        })
        .collect()
}

/// Types with no type or const parameter have one layout (lifetimes do not
/// change it): prove it where the type is defined, even if it is never
/// copied itself, since it may be copied inside another type.
fn eager_check(input: &Input, private: &TokenStream) -> TokenStream {
    let generics = input.generics;
    if generics.type_params().next().is_some() || generics.const_params().next().is_some() {
        return TokenStream::new();
    }
    let ident = input.ident;
    let args = if generics.params.is_empty() {
        TokenStream::new()
    } else {
        let statics = generics.lifetimes().map(|_| quote!('static));
        quote!(<#(#statics),*>)
    };
    quote! {
        const _: () = <#ident #args as #private::UserCopy>::__LAYOUT_CHECKED;
    }
}

/// The names of a type's generic parameters.
struct GenericParams {
    /// Type and const parameters.
    idents: Vec<Ident>,
    lifetimes: Vec<Ident>,
}

impl GenericParams {
    fn of(generics: &Generics) -> Self {
        Self {
            idents: generics
                .type_params()
                .map(|param| param.ident.clone())
                .chain(generics.const_params().map(|param| param.ident.clone()))
                .collect(),
            lifetimes: generics
                .lifetimes()
                .map(|param| param.lifetime.ident.clone())
                .collect(),
        }
    }

    /// Whether `ty` names one of the parameters, so that its bound depends
    /// on them. Scans tokens, which also sees inside macros in type
    /// position. A false positive (a path segment spelled like a parameter)
    /// only moves a "not `UserCopy`" error from the `let ()` line to the
    /// bound.
    fn appear_in(&self, ty: &Type) -> bool {
        self.appear_in_tokens(ty.to_token_stream())
    }

    fn appear_in_tokens(&self, tokens: TokenStream) -> bool {
        let mut after_apostrophe = false;
        for token in tokens {
            let found = match &token {
                TokenTree::Ident(ident) if after_apostrophe => self.lifetimes.contains(ident),
                TokenTree::Ident(ident) => self.idents.contains(ident),
                TokenTree::Group(group) => self.appear_in_tokens(group.stream()),
                TokenTree::Punct(_) | TokenTree::Literal(_) => false,
            };
            if found {
                return true;
            }
            after_apostrophe = matches!(&token, TokenTree::Punct(punct) if punct.as_char() == '\'');
        }
        false
    }
}
