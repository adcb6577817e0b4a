//! `#[derive(UserCopy)]`: proves at compile time that a struct may be
//! copied from and to user memory.
//!
//! - the struct is `#[repr(C)]` or `#[repr(transparent)]` (the default
//!   layout may reorder fields and insert padding);
//! - every field is `UserCopy` (a bound per field type, so the compiler
//!   points at the field that is not plain data; obvious offenders such as
//!   `bool` get a tailored message first);
//! - there is no padding: each field starts where the previous one ends and
//!   the struct ends where the last field ends (const assertions per field,
//!   so the error names the field after the gap).

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::{
    Data, DeriveInput, Fields, GenericArgument, Member, PathArguments, Type, spanned::Spanned,
};

use crate::repr::Repr;

pub(crate) fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let fields = match &input.data {
        Data::Struct(data) => &data.fields,
        Data::Enum(data) => {
            return Err(syn::Error::new_spanned(
                data.enum_token,
                "`UserCopy` cannot be derived for an enum: user space can put any value in the \
                 discriminant; use a `#[repr(C)]` struct with an integer field and convert it with \
                 `TryFrom` after reading",
            ));
        }
        Data::Union(data) => {
            return Err(syn::Error::new_spanned(
                data.union_token,
                "`UserCopy` cannot be derived for a union: the bytes of one variant may be padding \
                 of another; use a byte array (`[u8; N]`) and decode it explicitly",
            ));
        }
    };

    let mut errors = Vec::new();
    match Repr::parse(&input.attrs) {
        Ok(repr) if repr.kind.is_none() => errors.push(syn::Error::new_spanned(
            &input.ident,
            "`UserCopy` needs a defined layout: add `#[repr(C)]` (or `#[repr(transparent)]` for a \
             single-field wrapper); the default Rust layout may reorder fields and insert padding",
        )),
        Ok(_) => {}
        Err(err) => errors.push(err),
    }
    for field in fields {
        if let Some(advice) = not_plain_data(&field.ty) {
            errors.push(syn::Error::new_spanned(&field.ty, advice));
        }
    }
    if let Some(combined) = errors.into_iter().reduce(|mut all, err| {
        all.combine(err);
        all
    }) {
        return Err(combined);
    }

    Ok(emit(input, fields))
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

fn emit(input: &DeriveInput, fields: &Fields) -> TokenStream {
    let private = quote!(::axptr::__private);
    let ident = &input.ident;

    // Every type parameter must itself be `UserCopy`.
    let mut generics = input.generics.clone();
    for param in generics.type_params_mut() {
        param.bounds.push(syn::parse_quote!(#private::UserCopy));
    }
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();

    let field_checks = fields.iter().map(|field| {
        let ty = &field.ty;
        quote_spanned! {ty.span()=> #private::assert_user_copy::<#ty>(); }
    });

    let members: Vec<Member> = fields.members().collect();
    let types: Vec<&Type> = fields.iter().map(|field| &field.ty).collect();
    let mut layout_checks = Vec::new();
    for (index, (member, ty)) in members.iter().zip(&types).enumerate() {
        let expected_offset = match index {
            0 => quote!(0),
            _ => {
                let (prev, prev_ty) = (&members[index - 1], types[index - 1]);
                quote!(
                    ::core::mem::offset_of!(Self, #prev) + ::core::mem::size_of::<#prev_ty>()
                )
            }
        };
        let message = format!(
            "`{ident}` has padding before field `{}`, which would leak kernel memory to user \
             space: add an explicit padding field (e.g. `_pad: [u8; N]`) before it",
            member_name(member)
        );
        layout_checks.push(quote_spanned! {member_span(member, ty)=>
            ::core::assert!(::core::mem::offset_of!(Self, #member) == #expected_offset, #message);
        });
    }
    let end = match (members.last(), types.last()) {
        (Some(last), Some(last_ty)) => {
            quote!(::core::mem::offset_of!(Self, #last) + ::core::mem::size_of::<#last_ty>())
        }
        _ => quote!(0),
    };
    let trailing = format!(
        "`{ident}` has trailing padding, which would leak kernel memory to user space: add an \
         explicit padding field (e.g. `_pad: [u8; N]`) at the end"
    );
    layout_checks.push(quote_spanned! {ident.span()=>
        ::core::assert!(::core::mem::size_of::<Self>() == #end, #trailing);
    });

    let check_fields = format_ident!("__axptr_check_{}_fields", ident);
    // Non-generic structs are checked where they are defined; generic ones
    // when an instance is first copied (the layout depends on the arguments).
    let eager = if input.generics.params.is_empty() {
        quote!(const _: () = <#ident as #private::UserCopy>::__LAYOUT_CHECKED;)
    } else {
        TokenStream::new()
    };

    quote! {
        const _: () = {
            #[automatically_derived]
            #[allow(non_snake_case)]
            fn #check_fields #impl_generics () #where_clause {
                #(#field_checks)*
            }

            // SAFETY: `#[repr(C)]`/`#[repr(transparent)]` (checked by the
            // derive), every field is `UserCopy` (checked by the function
            // above), and `__LAYOUT_CHECKED` proves there is no padding.
            #[automatically_derived]
            unsafe impl #impl_generics #private::UserCopy for #ident #ty_generics #where_clause {
                const __LAYOUT_CHECKED: () = {
                    #(#layout_checks)*
                };
            }

            #eager
        };
    }
}

fn member_name(member: &Member) -> String {
    match member {
        Member::Named(ident) => ident.to_string(),
        Member::Unnamed(index) => index.index.to_string(),
    }
}

fn member_span(member: &Member, ty: &Type) -> Span {
    match member {
        Member::Named(ident) => ident.span(),
        Member::Unnamed(_) => ty.span(),
    }
}
