//! Conversion of one register into a handler argument.
//!
//! [`SyscallArg`] is the public conversion trait: `#[syscall]` calls it
//! once per by-value argument, before the handler runs. axptr implements it
//! for the integers (with Linux's truncation rules), the user pointers and
//! their `Option`s; a kernel implements it for its own types (file
//! descriptor newtypes, flag sets, resolved objects).

use core::fmt;

use axerrno::{LinuxError, LinuxResult};

use super::trace::{ArgFormat, TraceArg, fmt_in, fmt_ptr};
use crate::{UserCopy, UserPtr, access::Access};

/// A handler argument made from one register.
///
/// `C` is the handler's context (the type of its `&mut C` first
/// parameter, or any address-space provider for handlers without one).
/// Implement it for every `C` unless the conversion needs the context:
///
/// ```
/// use core::fmt;
/// use axptr_core::{LinuxError, LinuxResult, syscall::{ArgFormat, SyscallArg}};
///
/// /// An open file descriptor number (negative values are refused).
/// struct Fd(u32);
///
/// impl<C: ?Sized> SyscallArg<C> for Fd {
///     fn from_syscall_arg(_ctx: &mut C, raw: usize) -> LinuxResult<Self> {
///         // `int fd`: the low 32 bits, signed.
///         u32::try_from(raw as i32).map(Fd).map_err(|_| LinuxError::EBADF)
///     }
///
///     fn fmt_syscall_arg(raw: usize, _: ArgFormat, f: &mut fmt::Formatter<'_>) -> fmt::Result {
///         write!(f, "{}", raw as i32)
///     }
/// }
/// ```
///
/// A conversion that needs the context (say, to look the descriptor up in
/// the process's file table and fail with `EBADF` before the handler runs)
/// implements `SyscallArg<MyKernel>` instead. The value must not borrow the
/// context: the handler receives the context next to it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a syscall argument",
    label = "no conversion from a register to this type",
    note = "use an integer, `UserPtr<T>`/`UserConstPtr<T>` or an `Option` of one, `&CStr`, \
            a slice paired with `#[len = <parameter>]`, or implement `SyscallArg` for it"
)]
pub trait SyscallArg<C: ?Sized>: Sized {
    /// Converts the register. May use the context (and through it, user
    /// memory); an error stops the call before the handler runs.
    ///
    /// # Errors
    ///
    /// Whatever errno the syscall reports for a bad argument.
    fn from_syscall_arg(ctx: &mut C, raw: usize) -> LinuxResult<Self>;

    /// Renders the register strace-style, without touching user memory.
    /// The default prints it in hex.
    ///
    /// # Errors
    ///
    /// Only those of the formatter.
    fn fmt_syscall_arg(raw: usize, format: ArgFormat, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let _ = format;
        write!(f, "{raw:#x}")
    }

    /// The register as a trace argument rendered by
    /// [`fmt_syscall_arg`](Self::fmt_syscall_arg).
    #[must_use]
    fn trace(raw: usize, format: ArgFormat) -> TraceArg<'static> {
        TraceArg::Raw {
            raw,
            format,
            fmt: Self::fmt_syscall_arg,
        }
    }
}

/// The value of a length or size parameter named by `#[len = …]` or
/// `#[size = …]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the length or size of a pointer argument",
    label = "`#[len = …]` or `#[size = …]` names this parameter",
    note = "name a parameter of an integer type"
)]
pub trait SyscallLen {
    /// The number of elements.
    ///
    /// # Errors
    ///
    /// `EINVAL` for a negative length; `EFAULT` for one that does not fit
    /// a `usize` (no such range can be mapped).
    fn syscall_len(&self) -> LinuxResult<usize>;
}

mod sealed {
    pub trait Sealed {}
}

/// An integer type read from a register with Linux's truncation: the low
/// bits for the type's width, two's complement for signed types (what an
/// `int` argument is). [`RawArg::int`](super::RawArg::int) uses it.
pub trait RegisterInt: sealed::Sealed + Sized {
    /// The value of the register for this type.
    fn from_register(raw: usize) -> Self;
}

macro_rules! int_args {
    ($($ty:ty: |$raw:ident| $decode:expr;)*) => {
        $(
            impl sealed::Sealed for $ty {}

            impl RegisterInt for $ty {
                #[inline]
                fn from_register($raw: usize) -> Self {
                    $decode
                }
            }

            /// Linux semantics: the register truncated to the width of the
            /// type; a signed type reads those low bits as two's complement.
            impl<C: ?Sized> SyscallArg<C> for $ty {
                #[inline]
                fn from_syscall_arg(_ctx: &mut C, $raw: usize) -> LinuxResult<Self> {
                    Ok($decode)
                }

                fn fmt_syscall_arg(
                    $raw: usize,
                    format: ArgFormat,
                    f: &mut fmt::Formatter<'_>,
                ) -> fmt::Result {
                    fmt_in::<$ty>($decode, format, f)
                }
            }
        )*
    };
}

// The casts are the point: `as` from `usize` keeps the low bits, and `as`
// between signed and unsigned of one width reinterprets them.
int_args! {
    u8: |raw| raw as u8;
    u16: |raw| raw as u16;
    u32: |raw| raw as u32;
    u64: |raw| raw as u64;
    usize: |raw| raw;
    i8: |raw| raw as u8 as i8;
    i16: |raw| raw as u16 as i16;
    i32: |raw| raw as u32 as i32;
    // Sign-extends on 32-bit targets, where the register is 32 bits.
    i64: |raw| raw as isize as i64;
    isize: |raw| raw as isize;
}

macro_rules! len_args {
    (unsigned: $($uty:ty),*; signed: $($ity:ty),*) => {
        $(
            impl SyscallLen for $uty {
                #[inline]
                fn syscall_len(&self) -> LinuxResult<usize> {
                    usize::try_from(*self).map_err(|_| LinuxError::EFAULT)
                }
            }
        )*
        $(
            impl SyscallLen for $ity {
                #[inline]
                fn syscall_len(&self) -> LinuxResult<usize> {
                    if *self < 0 {
                        return Err(LinuxError::EINVAL);
                    }
                    usize::try_from(*self).map_err(|_| LinuxError::EFAULT)
                }
            }
        )*
    };
}

len_args!(unsigned: u8, u16, u32, u64, usize; signed: i8, i16, i32, i64, isize);

/// The address, unchecked: the handler validates it when it reads or
/// writes through the pointer.
impl<C: ?Sized, T: UserCopy, A: Access> SyscallArg<C> for UserPtr<T, A> {
    #[inline]
    fn from_syscall_arg(_ctx: &mut C, raw: usize) -> LinuxResult<Self> {
        Ok(Self::from(raw))
    }

    fn fmt_syscall_arg(raw: usize, _format: ArgFormat, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_ptr(raw, f)
    }
}

/// `None` for a null pointer (an optional argument).
impl<C: ?Sized, T: UserCopy, A: Access> SyscallArg<C> for Option<UserPtr<T, A>> {
    #[inline]
    fn from_syscall_arg(_ctx: &mut C, raw: usize) -> LinuxResult<Self> {
        Ok(UserPtr::from(raw).nullable())
    }

    fn fmt_syscall_arg(raw: usize, _format: ArgFormat, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_ptr(raw, f)
    }
}
