//! `#[derive(SyscallTrace)]`: strace's rendering of a struct,
//! `{field=value, …}`, for the traces of `#[syscall]` entries.
//!
//! - named fields print as `name=value`, each with its own type's
//!   `SyscallTrace` (the compiler points at a field type without one);
//! - `#[trace(hex)]` / `#[trace(oct)]` print an integer field in hex or
//!   octal, `#[trace(str)]` a C character array as a string up to its NUL,
//!   `#[trace(skip)]` leaves a field out (padding, reserved words);
//! - a one-field tuple struct (a newtype) prints as its field;
//! - `#[trace(crate = path)]` on the struct names the `axptr` crate when it
//!   is not `::axptr`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::{
    Attribute, Data, DeriveInput, Fields, GenericParam, Ident, Member, Path, ext::IdentExt,
    parse_quote, spanned::Spanned,
};

/// How a field is rendered.
enum FieldFormat {
    Trace,
    Hex,
    Octal,
    Chars,
    Skip,
}

pub(crate) fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let fields = match &input.data {
        Data::Struct(data) => &data.fields,
        Data::Enum(data) => {
            return Err(syn::Error::new_spanned(
                data.enum_token,
                "`SyscallTrace` is derived for structs; for an enum, implement it by hand (a \
                 user-space value read as an integer is converted after it was copied in)",
            ));
        }
        Data::Union(data) => {
            return Err(syn::Error::new_spanned(
                data.union_token,
                "`SyscallTrace` is derived for structs; a union does not say which field to \
                 print: implement it by hand",
            ));
        }
    };
    let mut errors: Option<syn::Error> = None;
    let mut push = |err: syn::Error| match &mut errors {
        Some(all) => all.combine(err),
        None => errors = Some(err),
    };
    let krate = match container_crate(&input.attrs) {
        Ok(path) => path,
        Err(err) => {
            push(err);
            None
        }
    };
    let mut formats = Vec::new();
    for field in fields {
        match field_format(&field.attrs) {
            Ok(format) => formats.push(format),
            Err(err) => {
                push(err);
                formats.push(FieldFormat::Skip);
            }
        }
    }
    if let Some(errors) = errors {
        return Err(errors);
    }

    let krate = krate.map_or_else(|| quote!(::axptr), |path| quote!(#path));
    let rt = quote!(#krate::__private::axptr_core::syscall);
    let name = &input.ident;
    let mut generics = input.generics.clone();
    for param in &mut generics.params {
        if let GenericParam::Type(ty) = param {
            ty.bounds.push(parse_quote!(#rt::SyscallTrace));
        }
    }
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();

    let newtype = matches!(fields, Fields::Unnamed(unnamed) if unnamed.unnamed.len() == 1);
    let body = if newtype {
        // A newtype prints as its field, bracketed as a pointee like it.
        quote! {
            fn fmt_trace(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                #rt::SyscallTrace::fmt_trace(&self.0, f)
            }

            fn fmt_pointee(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                #rt::SyscallTrace::fmt_pointee(&self.0, f)
            }
        }
    } else {
        let mut steps = Vec::new();
        let mut first = true;
        for (index, (field, format)) in fields.iter().zip(&formats).enumerate() {
            let member = match &field.ident {
                Some(ident) => Member::Named(ident.clone()),
                None => Member::Unnamed(index.into()),
            };
            let span = field.ty.span();
            let value = match format {
                FieldFormat::Skip => continue,
                FieldFormat::Trace => {
                    let ty = &field.ty;
                    quote_spanned!(span=> <#ty as #rt::SyscallTrace>::fmt_trace(&self.#member, f)?;)
                }
                FieldFormat::Hex => quote_spanned!(span=> #rt::fmt_hex(&self.#member, f)?;),
                FieldFormat::Octal => quote_spanned!(span=> #rt::fmt_oct(&self.#member, f)?;),
                FieldFormat::Chars => quote_spanned!(span=> #rt::fmt_chars(&self.#member, f)?;),
            };
            let separator = if first { "" } else { ", " };
            first = false;
            let label = match &field.ident {
                Some(ident) => format!("{separator}{}=", ident.unraw()),
                None => separator.to_owned(),
            };
            steps.push(quote! {
                f.write_str(#label)?;
                #value
            });
        }
        quote! {
            fn fmt_trace(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str("{")?;
                #(#steps)*
                f.write_str("}")
            }
        }
    };
    Ok(quote! {
        #[automatically_derived]
        impl #impl_generics #rt::SyscallTrace for #name #ty_generics #where_clause {
            #body
        }
    })
}

/// `#[trace(crate = path)]` on the struct.
fn container_crate(attrs: &[Attribute]) -> syn::Result<Option<Path>> {
    let mut krate = None;
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("trace")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("crate") {
                krate = Some(meta.value()?.parse()?);
                Ok(())
            } else {
                Err(meta.error(
                    "on the struct, `#[trace(…)]` takes `crate = path` (where `axptr` is); \
                     field formats go on the fields",
                ))
            }
        })?;
    }
    Ok(krate)
}

/// `#[trace(hex | oct | str | skip)]` on a field.
fn field_format(attrs: &[Attribute]) -> syn::Result<FieldFormat> {
    let mut format = None;
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("trace")) {
        attr.parse_nested_meta(|meta| {
            let ident: Option<&Ident> = meta.path.get_ident();
            let chosen = match ident.map(ToString::to_string).as_deref() {
                Some("hex") => FieldFormat::Hex,
                Some("oct") => FieldFormat::Octal,
                Some("str") => FieldFormat::Chars,
                Some("skip") => FieldFormat::Skip,
                _ => {
                    return Err(meta.error(
                        "expected `hex`, `oct` (an integer), `str` (a C character array) or \
                         `skip` (leave the field out)",
                    ));
                }
            };
            if format.replace(chosen).is_some() {
                return Err(meta.error("give one format per field"));
            }
            Ok(())
        })?;
    }
    Ok(format.unwrap_or(FieldFormat::Trace))
}
