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
    let reg_of = |index: usize| {
        let index = Literal::usize_unsuffixed(index);
        quote!(#regs[#index])
    };
    for (i, (param, bind)) in handler.params.iter().zip(&bindings).enumerate() {
        let reg = reg_of(i);
        let ty = param.ty;
        // The partner register of `#[len = n]`/`#[size = n]`: its value as a
        // length (`valid` made sure it is an integer parameter), and the raw
        // register for traces.
        let extent = param.attrs.extent().map(|(_, target)| {
            let rt = rt_at(target.span());
            let value = quote_spanned!(target.span()=> #rt::SyscallLen::syscall_len(&#target)?);
            let index = handler
                .params
                .iter()
                .position(|other| other.ident == Some(target))
                .unwrap_or(i);
            (value, reg_of(index))
        });
        let (len, len_reg) = match &extent {
            Some((value, raw)) => (value.clone(), raw.clone()),
            None => (quote!(0), quote!(0)),
        };
        let size = match (&param.attrs.size, &extent) {
            (Some(_), Some((value, _))) => quote!(::core::option::Option::Some(#value)),
            _ => quote!(::core::option::Option::None),
        };
        // Errors about the conversion point at the parameter's type (at the
        // structure, for a reference to one).
        let span = match param.kind() {
            Kind::ValueIn { elem, .. }
            | Kind::ValueOut { elem, .. }
            | Kind::BufMut { elem, .. } => elem.span(),
            _ => ty.span(),
        };
        let srt = rt_at(span);
        // How the trace renders a structure: chosen where the handler is
        // compiled (its `SyscallTrace`, or the address).
        let render = |elem: &syn::Type| quote_spanned!(span=> (&&#srt::__probe::Probe::<#elem>::NEW).renderer());

        // By-value kinds: the handler owns the argument.
        match param.kind() {
            Kind::Value => {
                let arg = quote_spanned!(span=> <#ty as #srt::SyscallArg<#ctx_ty>>);
                values.push(quote! {
                    let #bind = #arg::from_syscall_arg(#ctx, #reg)?;
                });
                let format = format_variant(param);
                let own = quote!(#arg::trace(#reg, #rt::ArgFormat::#format));
                // A buffer kept by the entry may show its length better
                // (one read from user memory, `[110 => 16]`).
                let kept = kept_buffers_of(handler, &bindings, param, &ctx_ty);
                trace_args.push(match kept.split_first() {
                    None => own,
                    Some((first, rest)) => quote!(#first #(.or(#rest))* .unwrap_or(#own)),
                });
                call_args.push(quote!(#bind));
                continue;
            }
            Kind::Buf => {
                let arg = quote_spanned!(span=> <#ty as #srt::SyscallBufArg<#ctx_ty>>);
                copies.push(quote! {
                    let #bind = #arg::from_syscall_buf(#ctx, #reg, #len)?;
                });
                trace_args.push(quote!(#arg::trace_buf(#reg, #len_reg)));
                call_args.push(quote!(#bind));
                continue;
            }
            Kind::Sized => {
                let arg = quote_spanned!(span=> <#ty as #srt::SyscallSizedArg<#ctx_ty>>);
                copies.push(quote! {
                    let #bind = #arg::from_syscall_sized(#ctx, #reg, #len)?;
                });
                trace_args.push(quote!(#arg::trace_sized(#reg, #len_reg)));
                call_args.push(quote!(#bind));
                continue;
            }
            _ => {}
        }

        // Copied kinds: the entry keeps a holder, the handler borrows it.
        let option = |holder: TokenStream, optional: bool| {
            if optional {
                quote_spanned!(span=> ::core::option::Option<#holder>)
            } else {
                holder
            }
        };
        let (holder, convert, pass, output) = match param.kind() {
            Kind::CStr { optional } => {
                let holder = option(quote_spanned!(span=> #srt::CStrArg), optional);
                let convert = match &param.attrs.cstr {
                    None => quote_spanned! {span=>
                        <#holder as #srt::SyscallArg<#ctx_ty>>::from_syscall_arg(#ctx, #reg)?
                    },
                    Some((_, limit)) => {
                        let max = Literal::usize_unsuffixed(limit.max);
                        let err = match &limit.err {
                            Some(err) => quote_spanned!(err.span()=> __axptr::LinuxError::#err),
                            None => quote!(__axptr::LinuxError::ENAMETOOLONG),
                        };
                        let make = if optional {
                            quote_spanned!(span=> copy_in_nullable)
                        } else {
                            quote_spanned!(span=> copy_in)
                        };
                        quote_spanned!(span=> #srt::CStrArg::#make(#ctx, #reg, #max, #err)?)
                    }
                };
                let pass = if optional {
                    quote!(#bind.as_deref())
                } else {
                    quote!(#bind)
                };
                (holder, convert, pass, false)
            }
            Kind::CStrArray => {
                let holder = quote_spanned!(span=> #srt::CStrArray);
                let convert = quote_spanned! {span=>
                    <#holder as #srt::SyscallArg<#ctx_ty>>::from_syscall_arg(#ctx, #reg)?
                };
                (holder, convert, quote!(#bind), false)
            }
            Kind::SliceIn(elem) => {
                let holder = quote_spanned!(span=> #srt::SliceIn<#elem>);
                let convert =
                    quote_spanned!(span=> #srt::SliceIn::<#elem>::copy_in(#ctx, #reg, #len)?);
                (holder, convert, quote!(#bind), false)
            }
            Kind::SliceOut(elem) => {
                let make = if param.attrs.inout.is_some() {
                    quote_spanned!(span=> copy_in_out)
                } else {
                    quote_spanned!(span=> new)
                };
                let holder = quote_spanned!(span=> #srt::SliceOut<#elem>);
                let convert =
                    quote_spanned!(span=> #srt::SliceOut::<#elem>::#make(#ctx, #reg, #len)?);
                (holder, convert, quote!(#bind), true)
            }
            Kind::ValueIn { elem, optional } => {
                let holder = option(quote_spanned!(span=> #srt::ValueIn<#elem>), optional);
                let make = if optional {
                    quote_spanned!(span=> copy_in_nullable)
                } else {
                    quote_spanned!(span=> copy_in)
                };
                let render = render(elem);
                let convert = quote_spanned! {span=>
                    #srt::ValueIn::<#elem>::#make(&mut #bind, #ctx, #reg, #size, #render)?
                };
                let pass = if optional {
                    quote!(#bind.as_deref())
                } else {
                    quote!(#bind)
                };
                (holder, convert, pass, false)
            }
            Kind::ValueOut { elem, optional } => {
                let holder = option(quote_spanned!(span=> #srt::ValueOut<#elem>), optional);
                let render = render(elem);
                let value_out = quote_spanned!(span=> #srt::ValueOut::<#elem>);
                let convert = match (param.attrs.inout.is_some(), optional) {
                    (false, false) => {
                        quote_spanned!(span=> #value_out::put_zeroed(&mut #bind, #reg, #size, #render)?)
                    }
                    (false, true) => quote_spanned! {span=>
                        #value_out::put_zeroed_nullable(&mut #bind, #reg, #size, #render)?
                    },
                    (true, false) => quote_spanned! {span=>
                        #value_out::copy_in_out(&mut #bind, #ctx, #reg, #size, #render)?
                    },
                    (true, true) => quote_spanned! {span=>
                        #value_out::copy_in_out_nullable(&mut #bind, #ctx, #reg, #size, #render)?
                    },
                };
                let pass = if optional {
                    quote!(#bind.as_deref_mut())
                } else {
                    quote!(#bind)
                };
                (holder, convert, pass, true)
            }
            Kind::BufMut { elem, optional } => {
                let holder = option(quote!(#elem), optional);
                let convert = quote_spanned! {span=>
                    <#holder as #srt::SyscallBufArg<#ctx_ty>>::from_syscall_buf(#ctx, #reg, #len)?
                };
                let pass = if optional {
                    quote!(#bind.as_mut())
                } else {
                    quote!(#bind)
                };
                (holder, convert, pass, true)
            }
            // Handled above, or rejected by `valid`.
            Kind::Value | Kind::Buf | Kind::Sized | Kind::Invalid => continue,
        };
        slots.push(quote! {
            let mut #bind: ::core::option::Option<#holder> = ::core::option::Option::None;
        });
        // Structures are read into their slot in place (never moved after the
        // copy), and the handler borrows the filled slot; the other holders
        // are made, then put in it.
        let in_place = matches!(param.kind(), Kind::ValueIn { .. } | Kind::ValueOut { .. });
        copies.push(if in_place {
            quote! {
                #convert;
                let #bind = #bind.as_mut().ok_or(__axptr::LinuxError::EFAULT)?;
            }
        } else {
            quote!(let #bind = #bind.insert(#convert);)
        });
        if output {
            copy_backs.push(quote_spanned! {span=>
                <#holder as #srt::SyscallOutput<#ctx_ty>>::copy_out(
                    #bind, #ctx, #value_of::output_len(&#value),
                )?;
            });
        }
        call_args.push(pass);
        trace_args.push(if output {
            quote_spanned!(span=> #srt::trace_output::<#ctx_ty, #holder>(#bind.as_ref(), #reg))
        } else {
            quote!(#rt::TraceCopied::trace_copied(#bind.as_ref(), #reg))
        });
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
            #[allow(unused_imports)]
            use __axptr::syscall::__probe::{ViaAddress as _, ViaTrace as _};

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

/// The `trace_len` of each buffer kept by the entry (`#[len = n] &mut T`)
/// whose length is `param`.
fn kept_buffers_of(
    handler: &Handler,
    bindings: &[Ident],
    param: &Param,
    ctx_ty: &TokenStream,
) -> Vec<TokenStream> {
    let Some(ident) = param.ident else {
        return Vec::new();
    };
    handler
        .params
        .iter()
        .zip(bindings)
        .filter_map(|(buf, bind)| {
            let (_, target) = buf.attrs.len.as_ref()?;
            let Kind::BufMut { elem, optional } = buf.kind() else {
                return None;
            };
            if target != ident {
                return None;
            }
            let span = elem.span();
            let rt = rt_at(span);
            let holder = if optional {
                quote_spanned!(span=> ::core::option::Option<#elem>)
            } else {
                quote!(#elem)
            };
            Some(quote_spanned! {span=>
                <#holder as #rt::SyscallBufArg<#ctx_ty>>::trace_len(#bind.as_ref())
            })
        })
        .collect()
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
