//! Arguments with a step after the handler: kernel copies written back to
//! user memory once the handler succeeded.
//!
//! `fstat`'s `struct stat`, `read`'s `&mut [u8]` copy, `poll`'s `pollfd`
//! array, `select`'s fd sets: the handler fills a kernel copy, and the
//! entry copies it out only if the handler returned `Ok`, in parameter
//! order. If that copy faults (another thread unmapped the memory
//! meanwhile), the call returns `EFAULT` although the body ran, as Linux
//! does when its final `copy_to_user` fails.

use axerrno::LinuxResult;

use super::TraceCopied;

/// A kernel copy that the entry writes back to user memory after the
/// handler returned `Ok`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has nothing to copy back after the handler",
    label = "taken as `&mut`, but not an output argument",
    note = "take it by value (`buf: {Self}`): the handler owns it; `&mut` is for arguments the \
            entry copies back after `Ok` (`#[out] &mut T`, `&mut [T]`, `FdSet`)"
)]
///
/// Outputs are traced from their copy (what was copied out), hence the
/// [`TraceCopied`] supertrait.
pub trait SyscallOutput<C: ?Sized>: TraceCopied {
    /// Writes the copy back. `output_len` is what the handler's result says
    /// it produced ([`SyscallReturn::output_len`](super::SyscallReturn::output_len)),
    /// for arguments that copy back only that much.
    ///
    /// # Errors
    ///
    /// `EFAULT` if the user memory cannot be written.
    fn copy_out(&mut self, ctx: &mut C, output_len: Option<usize>) -> LinuxResult<()>;
}

/// The trace of an output argument (through [`SyscallOutput`], so that a
/// type that is not one is reported once, as not an output).
#[inline]
pub fn trace_output<'a, C: ?Sized, T: SyscallOutput<C>>(
    copied: Option<&'a T>,
    raw: usize,
) -> super::TraceArg<'a> {
    T::trace_copied(copied, raw)
}

/// Nothing to do for an absent (null) argument.
impl<C: ?Sized, T: SyscallOutput<C>> SyscallOutput<C> for Option<T> {
    #[inline]
    fn copy_out(&mut self, ctx: &mut C, output_len: Option<usize>) -> LinuxResult<()> {
        match self {
            Some(out) => out.copy_out(ctx, output_len),
            None => Ok(()),
        }
    }
}
