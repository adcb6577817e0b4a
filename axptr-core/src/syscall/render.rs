//! strace-style rendering of values copied from or to user memory.
//!
//! A structure argument (`struct timespec *`, `struct stat *`) is traced
//! from the kernel copy the handler saw, as strace prints it:
//! `{tv_sec=1, tv_nsec=500000000}`, a pointed-to integer as `[16]`, an
//! array as `[3, 4]`. [`SyscallTrace`] is that rendering;
//! `#[derive(SyscallTrace)]` writes it for a struct from its fields.
//!
//! A type without it still works as an argument: its trace shows the
//! address, as strace does for a structure it cannot decode. (The entry
//! finds out which at compile time, see [`__probe`].)

use core::{fmt, marker::PhantomData};

use super::trace::{fmt_ptr, fmt_quoted};
use crate::{UserPtr, access::Access};

/// How a value appears in a strace line.
///
/// Implemented for the integers (decimal), arrays (`[1, 2]`), user pointers
/// (`0x…`/`NULL`) and axptr's argument types; `#[derive(SyscallTrace)]`
/// implements it for a struct as `{field=value, …}`:
///
/// ```
/// use axptr_core::syscall::{SyscallTrace, TraceDisplay};
///
/// struct Timespec {
///     tv_sec: i64,
///     tv_nsec: i64,
/// }
///
/// // What the derive writes.
/// impl SyscallTrace for Timespec {
///     fn fmt_trace(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
///         f.write_str("{tv_sec=")?;
///         self.tv_sec.fmt_trace(f)?;
///         f.write_str(", tv_nsec=")?;
///         self.tv_nsec.fmt_trace(f)?;
///         f.write_str("}")
///     }
/// }
///
/// let ts = Timespec { tv_sec: 1, tv_nsec: 500_000_000 };
/// assert_eq!(TraceDisplay(&ts).to_string(), "{tv_sec=1, tv_nsec=500000000}");
/// assert_eq!(TraceDisplay(&[3u32, 4]).to_string(), "[3, 4]");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no strace rendering",
    label = "not `SyscallTrace`",
    note = "add `#[derive(SyscallTrace)]` to the struct, implement `SyscallTrace` for it, or leave \
            the field out of the trace with `#[trace(skip)]`"
)]
pub trait SyscallTrace {
    /// Renders the value as strace shows it inside a structure or array.
    ///
    /// # Errors
    ///
    /// Only those of the formatter.
    fn fmt_trace(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result;

    /// Renders the value as the argument a pointer points to. Scalars are
    /// bracketed, as strace shows an `int *` (`[16]`); everything else is
    /// [`fmt_trace`](Self::fmt_trace).
    ///
    /// # Errors
    ///
    /// Only those of the formatter.
    fn fmt_pointee(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_trace(f)
    }
}

/// How a copied value of type `T` is rendered: `T`'s
/// [`SyscallTrace::fmt_pointee`], or nothing (the trace shows the address).
pub type TraceFn<T> = fn(&T, &mut fmt::Formatter<'_>) -> fmt::Result;

/// Displays a value with its [`SyscallTrace`] rendering.
pub struct TraceDisplay<'a, T: ?Sized>(pub &'a T);

impl<T: SyscallTrace + ?Sized> fmt::Display for TraceDisplay<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt_trace(f)
    }
}

macro_rules! scalar_traces {
    ($($ty:ty),*) => {
        $(
            impl SyscallTrace for $ty {
                fn fmt_trace(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    write!(f, "{self}")
                }

                fn fmt_pointee(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    write!(f, "[{self}]")
                }
            }
        )*
    };
}

scalar_traces!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize);

/// Arrays longer than this print their first elements, then `...`
/// (strace's default `-s 32` applies to arrays too).
const TRACE_ARRAY_LIMIT: usize = 32;

impl<T: SyscallTrace, const N: usize> SyscallTrace for [T; N] {
    fn fmt_trace(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_list(self.iter(), f)
    }
}

impl<T, A: Access> SyscallTrace for UserPtr<T, A> {
    fn fmt_trace(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_ptr(self.addr(), f)
    }

    fn fmt_pointee(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        fmt_ptr(self.addr(), f)?;
        f.write_str("]")
    }
}

#[cfg(feature = "alloc")]
impl SyscallTrace for crate::iovec::IoVec {
    fn fmt_trace(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{iov_base=")?;
        fmt_ptr(self.base, f)?;
        write!(f, ", iov_len={}}}", self.len)
    }
}

/// `[a, b, …]`, at most [`TRACE_ARRAY_LIMIT`] elements.
pub(crate) fn fmt_list<'a, T: SyscallTrace + 'a>(
    items: impl ExactSizeIterator<Item = &'a T>,
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    let len = items.len();
    f.write_str("[")?;
    for (i, item) in items.take(TRACE_ARRAY_LIMIT).enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        item.fmt_trace(f)?;
    }
    if len > TRACE_ARRAY_LIMIT {
        f.write_str(", ...")?;
    }
    f.write_str("]")
}

/// A fixed-size C character array (`char sysname[65]`), which strace shows
/// as a string up to its first NUL: `#[trace(str)]` fields of
/// `#[derive(SyscallTrace)]`.
pub trait TraceChars {
    /// The characters as bytes.
    fn trace_bytes(&self) -> &[u8];
}

impl<const N: usize> TraceChars for [u8; N] {
    fn trace_bytes(&self) -> &[u8] {
        self
    }
}

impl<const N: usize> TraceChars for [i8; N] {
    fn trace_bytes(&self) -> &[u8] {
        // SAFETY: `i8` and `u8` have the same size and alignment, and every
        // bit pattern is valid for both; the slice borrows `self`.
        unsafe { core::slice::from_raw_parts(self.as_ptr().cast(), N) }
    }
}

/// Renders a C character array up to its first NUL, quoted
/// (`#[trace(str)]`).
///
/// # Errors
///
/// Only those of the formatter.
pub fn fmt_chars<C: TraceChars + ?Sized>(chars: &C, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let bytes = chars.trace_bytes();
    let len = memchr::memchr(0, bytes).unwrap_or(bytes.len());
    fmt_quoted(&bytes[..len], f)
}

/// Renders an integer field in hex (`#[trace(hex)]`).
///
/// # Errors
///
/// Only those of the formatter.
pub fn fmt_hex<T: fmt::LowerHex>(value: &T, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    write!(f, "{value:#x}")
}

/// Renders an integer field in octal (`#[trace(oct)]`).
///
/// # Errors
///
/// Only those of the formatter.
pub fn fmt_oct<T: fmt::Octal>(value: &T, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    write!(f, "{value:#o}")
}

/// Compile-time choice of a copied value's rendering: [`SyscallTrace`] if
/// the type has it, the address otherwise.
///
/// Rust has no specialization, but method lookup tries `&&Probe<T>` before
/// `&Probe<T>`: the first finds `ViaTrace` only when `T: SyscallTrace`,
/// the second always finds `ViaAddress`. `#[syscall]` writes
/// `(&&Probe::<T>::NEW).renderer()` with `T` concrete, so the choice is
/// made where the handler is compiled.
#[doc(hidden)]
pub mod __probe {
    use super::{PhantomData, SyscallTrace, TraceFn};

    /// The probe for `T`.
    pub struct Probe<T>(PhantomData<fn() -> T>);

    impl<T> Probe<T> {
        /// The probe.
        pub const NEW: Self = Self(PhantomData);
    }

    /// Found for `T: SyscallTrace`.
    pub trait ViaTrace<T> {
        /// `T`'s rendering.
        fn renderer(&self) -> Option<TraceFn<T>>;
    }

    impl<T: SyscallTrace> ViaTrace<T> for &Probe<T> {
        fn renderer(&self) -> Option<TraceFn<T>> {
            Some(T::fmt_pointee)
        }
    }

    /// Found for every `T`, after [`ViaTrace`].
    pub trait ViaAddress<T> {
        /// No rendering: the trace shows the address.
        fn renderer(&self) -> Option<TraceFn<T>>;
    }

    impl<T> ViaAddress<T> for Probe<T> {
        fn renderer(&self) -> Option<TraceFn<T>> {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;

    use super::{
        __probe::{Probe, ViaAddress as _, ViaTrace as _},
        *,
    };

    struct Plain;

    // The double borrow is the probe: it is what picks the rendering.
    #[allow(clippy::needless_borrow)]
    #[test]
    fn the_probe_finds_the_rendering_when_there_is_one() {
        assert!((&&Probe::<u32>::NEW).renderer().is_some());
        assert!((&&Probe::<[u8; 4]>::NEW).renderer().is_some());
        assert!((&&Probe::<Plain>::NEW).renderer().is_none());
    }

    #[test]
    fn scalars_are_bracketed_as_pointees_only() {
        struct Pointee<'a, T>(&'a T);
        impl<T: SyscallTrace> fmt::Display for Pointee<'_, T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt_pointee(f)
            }
        }
        assert_eq!(Pointee(&16u32).to_string(), "[16]");
        assert_eq!(TraceDisplay(&-1i32).to_string(), "-1");
        assert_eq!(Pointee(&[3i32, 4]).to_string(), "[3, 4]");
        let long = [7u8; 40];
        let shown = TraceDisplay(&long).to_string();
        assert!(shown.ends_with(", 7, ...]"), "{shown}");
    }

    #[test]
    fn char_arrays_stop_at_the_nul() {
        struct Chars<'a>(&'a [u8; 8]);
        impl fmt::Display for Chars<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt_chars(self.0, f)
            }
        }
        assert_eq!(Chars(b"Linux\0\0\0").to_string(), "\"Linux\"");
        assert_eq!(Chars(b"12345678").to_string(), "\"12345678\"");
    }
}
