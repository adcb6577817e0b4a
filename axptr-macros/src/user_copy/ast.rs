//! The input of `#[derive(UserCopy)]` as a small model: its shape, fields,
//! `#[repr]`, and `#[user_copy(crate = path)]`.

use proc_macro2::Span;
use syn::{
    Attribute, Data, DeriveInput, Generics, Ident, Member, Path, Token, Type, ext::IdentExt,
    parse_quote, spanned::Spanned,
};

use super::Errors;
use crate::repr::Repr;

pub(super) struct Input<'a> {
    pub(super) ident: &'a Ident,
    pub(super) generics: &'a Generics,
    pub(super) body: Body<'a>,
    /// The `#[repr]`, or why it could not be parsed (irrelevant to enums,
    /// which are refused whatever their repr).
    pub(super) repr: syn::Result<Repr>,
    /// Where the `axptr` crate is: `::axptr` unless `#[user_copy(crate = …)]`.
    pub(super) krate: Path,
}

pub(super) enum Body<'a> {
    Struct(Vec<Field<'a>>),
    Union(Vec<Field<'a>>),
    Enum(&'a Token![enum]),
}

pub(super) struct Field<'a> {
    pub(super) member: Member,
    pub(super) ty: &'a Type,
}

impl<'a> Input<'a> {
    pub(super) fn from_syn(input: &'a DeriveInput, errors: &mut Errors) -> Self {
        let body = match &input.data {
            Data::Struct(data) => Body::Struct(fields(&data.fields, errors)),
            Data::Union(data) => Body::Union(fields(&data.fields.named, errors)),
            Data::Enum(data) => Body::Enum(&data.enum_token),
        };
        let repr = Repr::parse(&input.attrs);
        Input {
            ident: &input.ident,
            generics: &input.generics,
            body,
            repr,
            krate: krate(&input.attrs, errors),
        }
    }
}

fn fields<'a>(
    fields: impl IntoIterator<Item = &'a syn::Field>,
    errors: &mut Errors,
) -> Vec<Field<'a>> {
    fields
        .into_iter()
        .enumerate()
        .map(|(index, field)| {
            for attr in user_copy_attrs(&field.attrs) {
                errors.push(syn::Error::new_spanned(
                    attr,
                    "`#[user_copy(...)]` goes on the type, not on a field",
                ));
            }
            let member = match &field.ident {
                Some(ident) => Member::Named(ident.clone()),
                None => Member::Unnamed(index.into()),
            };
            Field {
                member,
                ty: &field.ty,
            }
        })
        .collect()
}

impl Field<'_> {
    /// The name in messages: `tv_sec`, `0`; raw identifiers without `r#`.
    pub(super) fn name(&self) -> String {
        match &self.member {
            Member::Named(ident) => ident.unraw().to_string(),
            Member::Unnamed(index) => index.index.to_string(),
        }
    }

    /// Where errors about the field's place in the layout point.
    pub(super) fn span(&self) -> Span {
        match &self.member {
            Member::Named(ident) => ident.span(),
            Member::Unnamed(_) => self.ty.span(),
        }
    }
}

fn user_copy_attrs(attrs: &[Attribute]) -> impl Iterator<Item = &Attribute> {
    attrs
        .iter()
        .filter(|attr| attr.path().is_ident("user_copy"))
}

/// `#[user_copy(crate = path)]`, like `#[syscall(crate = path)]`.
fn krate(attrs: &[Attribute], errors: &mut Errors) -> Path {
    let mut krate = None;
    for attr in user_copy_attrs(attrs) {
        let parsed = attr.parse_nested_meta(|meta| {
            if !meta.path.is_ident("crate") {
                return Err(meta.error(
                    "unknown #[user_copy] argument; expected `crate = path` (where `axptr` is)",
                ));
            }
            let path: Path = meta.value()?.parse()?;
            if krate.is_some() {
                return Err(meta.error("duplicate `crate = ...`; keep only one"));
            }
            krate = Some(path);
            Ok(())
        });
        if let Err(err) = parsed {
            errors.push(err);
        }
    }
    krate.unwrap_or_else(|| parse_quote!(::axptr))
}
