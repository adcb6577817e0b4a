//! The raw entry of a checked handler.
//!
//! Next to `fn sys_x`, the expansion declares `struct sys_x {}` (a type may
//! share a function's name) and implements `Syscall<C>` for it. The entry
//! is a list of trait calls into `axptr_core::syscall`: one conversion per
//! argument, the handler, one result mapping, then the copy-back of output
//! buffers and, if a tracer is given, one trace event.

use proc_macro2::{Literal, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::{Ident, ReturnType, spanned::Spanned};

use super::{
    ast::{ContextType, Handler, Kind, Param},
    attr::Format,
};

pub fn entry(handler: &Handler) -> TokenStream {
    let func = handler.func;
    let name = &func.sig.ident;
    let vis = &func.vis;
    let trace_name = handler.trace_name();
    let krate = match &handler.args.krate {
        Some(path) => quote!(#path),
        None => quote!(::axptr),
    };
    let rt = rt_at(Span::call_site());

    // Internal names are hygienic: they never meet the user's names.
    let ctx = Ident::new("ctx", Span::mixed_site());
    let regs = Ident::new("regs", Span::mixed_site());
    let tracer = Ident::new("tracer", Span::mixed_site());
    let result = Ident::new("result", Span::mixed_site());
    let value = Ident::new("value", Span::mixed_site());

    let where_clause = &func.sig.generics.where_clause;
    let (impl_generics, ctx_ty) = match handler.context.as_ref().map(|context| &context.ty) {
        Some(ContextType::Named(ty)) => {
            let (impl_generics, _, _) = func.sig.generics.split_for_impl();
            (quote!(#impl_generics), quote!(#ty))
        }
        Some(ContextType::Impl(bounds)) => (quote!(<__AxptrCtx: #bounds>), quote!(__AxptrCtx)),
        None => (
            quote!(<__AxptrCtx: __axptr::AddrSpaceProvider + ?::core::marker::Sized>),
            quote!(__AxptrCtx),
        ),
    };

    let bindings: Vec<Ident> = handler
        .params
        .iter()
        .enumerate()
        .map(|(i, param)| match param.ident {
            Some(ident) => ident.clone(),
            None => format_ident!("arg{}", i, span = Span::mixed_site()),
        })
        .collect();

    // Errors about the result point at the return type.
    let (ret_span, result_ty) = match &func.sig.output {
        ReturnType::Type(_, ret) => (ret.span(), quote!(#ret)),
        ReturnType::Default => (Span::call_site(), quote!(())),
    };
    let value_of = {
        let rt = rt_at(ret_span);
        quote_spanned!(ret_span=> <#result_ty as #rt::SyscallResult>)
    };

    // Kernel copies live outside the conversions so the trace can read them.
    let mut slots = Vec::new();
    let mut values = Vec::new();
    let mut copies = Vec::new();
    let mut copy_backs = Vec::new();
    let mut call_args = Vec::new();
    let mut trace_args = Vec::new();
    if handler.context.is_some() {
        call_args.push(quote!(#ctx));
    }
    for (i, (param, bind)) in handler.params.iter().zip(&bindings).enumerate() {
        let index = Literal::usize_unsuffixed(i);
        let reg = quote!(#regs[#index]);
        let ty = param.ty;
        // `valid` made sure the target is an integer parameter.
        let len = || {
            let (_, target) = param.attrs.len.as_ref()?;
            let rt = rt_at(target.span());
            Some(quote_spanned!(target.span()=> #rt::SyscallLen::syscall_len(&#target)?))
        };
        // Errors about the conversion point at the parameter's type.
        let span = ty.span();
        let srt = rt_at(span);
        match param.kind {
            Kind::Value => {
                let arg = quote_spanned!(span=> <#ty as #srt::SyscallArg<#ctx_ty>>);
                values.push(quote! {
                    let #bind = #arg::from_syscall_arg(#ctx, #reg)?;
                });
                let format = format_variant(param);
                trace_args.push(quote!(#arg::trace(#reg, #rt::ArgFormat::#format)));
                call_args.push(quote!(#bind));
                continue;
            }
            Kind::CStr | Kind::OptionCStr => {
                let holder = match param.kind {
                    Kind::CStr => quote_spanned!(span=> #srt::CStrArg),
                    _ => quote_spanned!(span=> ::core::option::Option<#srt::CStrArg>),
                };
                slots.push(quote!(let mut #bind: ::core::option::Option<#holder> = ::core::option::Option::None;));
                let convert = quote_spanned! {span=>
                    <#holder as #srt::SyscallArg<#ctx_ty>>::from_syscall_arg(#ctx, #reg)?
                };
                copies.push(quote! {
                    let #bind = #bind.insert(#convert);
                });
                call_args.push(match param.kind {
                    Kind::CStr => quote!(#bind),
                    _ => quote!(#bind.as_deref()),
                });
            }
            Kind::SliceIn(elem) => {
                let len = len();
                slots.push(quote!(let mut #bind: ::core::option::Option<#rt::SliceIn<#elem>> = ::core::option::Option::None;));
                let convert = quote_spanned! {span=>
                    #srt::SliceIn::<#elem>::copy_in(#ctx, #reg, #len)?
                };
                copies.push(quote! {
                    let #bind = #bind.insert(#convert);
                });
                call_args.push(quote!(#bind));
            }
            Kind::SliceOut(elem) => {
                let len = len();
                let make = if param.attrs.inout.is_some() {
                    quote!(copy_in_out)
                } else {
                    quote!(new)
                };
                slots.push(quote!(let mut #bind: ::core::option::Option<#rt::SliceOut<#elem>> = ::core::option::Option::None;));
                let convert = quote_spanned! {span=>
                    #srt::SliceOut::<#elem>::#make(#ctx, #reg, #len)?
                };
                copies.push(quote! {
                    let #bind = #bind.insert(#convert);
                });
                copy_backs.push(quote! {
                    #bind.copy_out(#ctx, #value_of::output_len(&#value))?;
                });
                call_args.push(quote!(#bind));
            }
            // Rejected by `valid`.
            Kind::MutRef | Kind::Ref | Kind::ImplTrait => {}
        }
        trace_args.push(quote!(#rt::TraceCopied::trace_copied(#bind.as_ref(), #reg)));
    }

    let call = quote_spanned! {ret_span=>
        let #value = #value_of::into_result(#name(#(#call_args),*))?;
    };
    let uses_ctx = handler.context.is_some() || !handler.params.is_empty();
    let ctx_param = if uses_ctx { quote!(#ctx) } else { quote!(_) };
    let regs_param = if handler.params.is_empty() {
        quote!(_)
    } else {
        quote!(#regs)
    };

    quote! {
        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code)]
        #vis struct #name {}

        const _: () = {
            use #krate::__private::axptr_core as __axptr;

            #[automatically_derived]
            impl #impl_generics #rt::Syscall<#ctx_ty> for #name #where_clause {
                const NAME: &'static str = #trace_name;

                fn entry(
                    #ctx_param: &mut #ctx_ty,
                    #regs_param: #rt::SyscallArgs,
                    #tracer: ::core::option::Option<&mut dyn #rt::SyscallTracer>,
                ) -> isize {
                    #(#slots)*
                    let #result = (|| -> __axptr::LinuxResult<isize> {
                        #(#values)*
                        #(#copies)*
                        #call
                        #(#copy_backs)*
                        ::core::result::Result::Ok(#value_of::into_raw(#value))
                    })();
                    if let ::core::option::Option::Some(#tracer) = #tracer {
                        #tracer.trace(&#rt::SyscallEvent::new(
                            #trace_name,
                            &[#(#trace_args),*],
                            #result,
                        ));
                    }
                    #rt::into_raw(#result)
                }
            }
        };
    }
}

fn format_variant(param: &Param) -> Ident {
    let name = match param.format() {
        None => "Auto",
        Some(Format::Decimal) => "Decimal",
        Some(Format::Hex) => "Hex",
        Some(Format::Octal) => "Octal",
    };
    Ident::new(name, Span::call_site())
}

/// The path of the runtime (`use`d in the expansion's `const _` block),
/// with `span` for errors that should point at the user's tokens.
fn rt_at(span: Span) -> TokenStream {
    quote_spanned!(span=> __axptr::syscall)
}
