//! What a handler returns, and how it becomes the raw `isize`.

use axerrno::{LinuxError, LinuxResult};

/// The return type of a `#[syscall]` handler: `LinuxResult<T>` with
/// `T:` [`SyscallReturn`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a syscall result",
    label = "a `#[syscall]` handler returns `LinuxResult<T>`",
    note = "return `LinuxResult<T>` with `T` one of `isize`, `usize`, `i32`, `u32`, `()`"
)]
pub trait SyscallResult {
    /// The success value.
    type Value: SyscallReturn;

    /// The result as a `LinuxResult`.
    ///
    /// # Errors
    ///
    /// The handler's error.
    fn into_result(self) -> LinuxResult<Self::Value>;

    /// [`SyscallReturn::output_len`] of the success value.
    #[inline]
    fn output_len(value: &Self::Value) -> Option<usize> {
        value.output_len()
    }

    /// [`SyscallReturn::into_raw`] of the success value.
    #[inline]
    fn into_raw(value: Self::Value) -> isize {
        value.into_raw()
    }
}

impl<T: SyscallReturn> SyscallResult for LinuxResult<T> {
    type Value = T;

    #[inline]
    fn into_result(self) -> LinuxResult<T> {
        self
    }
}

/// The success value of a handler: what the raw entry returns in the
/// result register.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned by a syscall",
    label = "not a value for the result register",
    note = "return `LinuxResult<T>` with `T` one of `isize`, `usize`, `i32`, `u32`, `()`, \
            or implement `SyscallReturn` for it"
)]
pub trait SyscallReturn {
    /// The value of the result register. Values in `-4095..=-1` would read
    /// as errors to user space: [`into_raw`] turns them into `-EOVERFLOW`.
    fn into_raw(self) -> isize;

    /// How many elements of a `&mut [T]` output argument the call produced
    /// (the prefix that is copied to user memory): the value itself for
    /// counts, `None` (the whole buffer) for `()`.
    fn output_len(&self) -> Option<usize>;
}

impl SyscallReturn for () {
    #[inline]
    fn into_raw(self) -> isize {
        0
    }

    #[inline]
    fn output_len(&self) -> Option<usize> {
        None
    }
}

// The casts are Linux's: the result register is a `long`, and an address
// returned as `usize` keeps its bits.
#[allow(clippy::cast_possible_wrap)]
mod ints {
    use super::SyscallReturn;

    macro_rules! int_returns {
        ($($ty:ty),*) => {
            $(
                impl SyscallReturn for $ty {
                    #[inline]
                    fn into_raw(self) -> isize {
                        self as isize
                    }

                    #[inline]
                    fn output_len(&self) -> Option<usize> {
                        Some(usize::try_from(*self).unwrap_or(0))
                    }
                }
            )*
        };
    }

    int_returns!(isize, usize, i32, u32);
}

/// The largest errno: user space reads a result register in
/// `-MAX_ERRNO..=-1` as an error (Linux's `IS_ERR_VALUE`).
pub const MAX_ERRNO: isize = 4095;

/// The raw result: the value, or `-errno`.
///
/// A success value in `-4095..=-1` would read as an error to user space
/// (`Ok(usize::MAX - 5)` as `-ENXIO`, although the call succeeded): it
/// becomes `-EOVERFLOW`, what Linux returns for values that do not fit.
#[inline]
#[must_use]
pub fn into_raw(result: LinuxResult<isize>) -> isize {
    match as_registered(result) {
        Ok(value) => value,
        Err(err) => -errno(err),
    }
}

/// The result as user space will read it: a success value in
/// `-4095..=-1` is `EOVERFLOW` (see [`into_raw`]).
#[inline]
pub(crate) const fn as_registered(result: LinuxResult<isize>) -> LinuxResult<isize> {
    match result {
        Ok(value) if value < 0 && value >= -MAX_ERRNO => Err(LinuxError::EOVERFLOW),
        other => other,
    }
}

/// `err`'s code, as the result register wants it.
#[inline]
fn errno(err: LinuxError) -> isize {
    // Lossless: errno codes are small positive `i32`s.
    err.code() as isize
}
