//! Raw entries and the dispatch table.
//!
//! `#[syscall] fn sys_read(…)` implements [`Syscall<C>`] for a marker type
//! named like the handler (`sys_read`), whose [`entry`](Syscall::entry) is
//! the raw entry. [`syscall_table!`](crate::syscall_table) gathers entries
//! into a [`SyscallTable`], an array indexed by syscall number.

use core::fmt;

use axerrno::LinuxError;

use super::trace::{Numbered, SyscallTracer, trace_unknown};

/// The six argument registers of a syscall.
pub type SyscallArgs = [usize; 6];

/// A raw entry: the context, the six registers and an optional tracer in,
/// the result register (`-errno` on error) out.
pub type RawSyscall<C> = fn(&mut C, SyscallArgs, Option<&mut dyn SyscallTracer>) -> isize;

/// A syscall handler turned into a raw entry by `#[syscall]`.
///
/// Implemented for the marker type that `#[syscall]` declares next to the
/// handler function, with the handler's name (a function and a type may
/// share a name). `C` is the context type: the handler's `&mut C` first
/// parameter, or any [`AddrSpaceProvider`](crate::AddrSpaceProvider) for a
/// handler without one.
///
/// What `#[syscall]` generates, written by hand for a handler without
/// arguments:
///
/// ```
/// use axptr_core::{
///     LinuxResult,
///     syscall::{Syscall, SyscallArgs, SyscallTracer, into_raw},
/// };
///
/// /// The kernel's per-process context.
/// struct Process;
///
/// fn sys_getpid() -> LinuxResult<i32> {
///     Ok(42)
/// }
///
/// #[allow(non_camel_case_types)]
/// struct sys_getpid {}
///
/// impl<C: ?Sized> Syscall<C> for sys_getpid {
///     const NAME: &'static str = "getpid";
///     fn entry(_: &mut C, _: SyscallArgs, _: Option<&mut dyn SyscallTracer>) -> isize {
///         into_raw(sys_getpid().map(|pid| pid as isize))
///     }
/// }
///
/// assert_eq!(<sys_getpid as Syscall<Process>>::call(&mut Process, [0; 6]), 42);
/// ```
pub trait Syscall<C: ?Sized> {
    /// The name in traces: the handler's name without its `sys_` prefix.
    const NAME: &'static str;

    /// The raw entry: converts the registers, runs the handler if every
    /// argument converted, copies output buffers back, reports the call to
    /// `tracer` if there is one, and returns the result register.
    fn entry(ctx: &mut C, args: SyscallArgs, tracer: Option<&mut dyn SyscallTracer>) -> isize;

    /// The entry with its name, for a [`SyscallTable`].
    const DESC: SyscallDesc<C> = SyscallDesc {
        name: Self::NAME,
        entry: Self::entry,
    };

    /// Calls the raw entry without tracing.
    #[inline]
    fn call(ctx: &mut C, args: SyscallArgs) -> isize {
        Self::entry(ctx, args, None)
    }
}

/// A named raw entry, as a [`SyscallTable`] holds it.
pub struct SyscallDesc<C: ?Sized> {
    /// The name in traces.
    pub name: &'static str,
    /// The raw entry.
    pub entry: RawSyscall<C>,
}

impl<C: ?Sized> Clone for SyscallDesc<C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C: ?Sized> Copy for SyscallDesc<C> {}

impl<C: ?Sized> fmt::Debug for SyscallDesc<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SyscallDesc")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Raw entries indexed by syscall number: O(1) dispatch, `-ENOSYS` for a
/// number without a handler. Built by [`syscall_table!`](crate::syscall_table).
pub struct SyscallTable<C: ?Sized + 'static> {
    entries: &'static [Option<SyscallDesc<C>>],
}

impl<C: ?Sized + 'static> SyscallTable<C> {
    /// A table over `entries` (index = syscall number).
    #[must_use]
    pub const fn new(entries: &'static [Option<SyscallDesc<C>>]) -> Self {
        Self { entries }
    }

    /// The handler of `number`, if any.
    #[inline]
    #[must_use]
    pub fn get(&self, number: usize) -> Option<SyscallDesc<C>> {
        self.entries.get(number).copied().flatten()
    }

    /// One more than the highest number with a handler.
    #[must_use]
    pub const fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the table has no handler at all.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Runs syscall `number`: its entry, or `-ENOSYS` for an unknown
    /// number.
    #[inline]
    pub fn dispatch(&self, ctx: &mut C, number: usize, args: SyscallArgs) -> isize {
        match self.get(number) {
            Some(desc) => (desc.entry)(ctx, args, None),
            None => enosys(),
        }
    }

    /// Runs syscall `number` as [`dispatch`](Self::dispatch) does and
    /// reports it to `tracer` (an unknown number as
    /// `syscall_<number>(<registers>) = -38 ENOSYS`).
    pub fn dispatch_traced(
        &self,
        ctx: &mut C,
        number: usize,
        args: SyscallArgs,
        tracer: &mut dyn SyscallTracer,
    ) -> isize {
        match self.get(number) {
            Some(desc) => {
                let mut numbered = Numbered {
                    number,
                    inner: tracer,
                };
                (desc.entry)(ctx, args, Some(&mut numbered))
            }
            None => {
                trace_unknown(tracer, number, args, LinuxError::ENOSYS);
                enosys()
            }
        }
    }
}

impl<C: ?Sized + 'static> Clone for SyscallTable<C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C: ?Sized + 'static> Copy for SyscallTable<C> {}

impl<C: ?Sized + 'static> fmt::Debug for SyscallTable<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(
                self.entries
                    .iter()
                    .enumerate()
                    .filter_map(|(number, desc)| Some((number, desc.as_ref()?.name))),
            )
            .finish()
    }
}

fn enosys() -> isize {
    -(LinuxError::ENOSYS.code() as isize)
}

/// The length of a table holding `numbers`: one more than the highest.
#[doc(hidden)]
#[must_use]
pub const fn __table_len(numbers: &[usize]) -> usize {
    let mut len = 0;
    let mut i = 0;
    while i < numbers.len() {
        if numbers[i] >= len {
            len = numbers[i] + 1;
        }
        i += 1;
    }
    len
}

/// Puts `desc` at `number`; a number given twice stops the build.
#[doc(hidden)]
pub const fn __table_insert<C: ?Sized>(
    entries: &mut [Option<SyscallDesc<C>>],
    number: usize,
    desc: SyscallDesc<C>,
) {
    if entries[number].is_some() {
        panic!("syscall_table!: two handlers for one syscall number");
    }
    entries[number] = Some(desc);
}

/// Builds a [`SyscallTable`] at compile time from `number => handler`
/// pairs, for context type `C`.
///
/// Handlers are the names of `#[syscall]` functions (paths work). A number
/// given twice is a compile error. The table is an array as long as the
/// highest number plus one: lookup is one bounds check and one load.
///
/// ```
/// use axptr_core::{
///     LinuxResult, syscall_table,
///     syscall::{Syscall, SyscallArgs, SyscallTable, SyscallTracer},
/// };
/// # struct Process;
/// # #[allow(non_camel_case_types)]
/// # struct sys_getpid {}
/// # impl<C: ?Sized> Syscall<C> for sys_getpid {
/// #     const NAME: &'static str = "getpid";
/// #     fn entry(_: &mut C, _: SyscallArgs, _: Option<&mut dyn SyscallTracer>) -> isize { 42 }
/// # }
///
/// // `sys_getpid` is a `#[syscall]` handler.
/// static SYSCALLS: SyscallTable<Process> = syscall_table! {
///     Process;
///     172 => sys_getpid,
/// };
///
/// assert_eq!(SYSCALLS.dispatch(&mut Process, 172, [0; 6]), 42);
/// assert_eq!(SYSCALLS.dispatch(&mut Process, 7, [0; 6]), -38); // ENOSYS
/// assert_eq!(SYSCALLS.dispatch(&mut Process, usize::MAX, [0; 6]), -38);
/// ```
#[macro_export]
macro_rules! syscall_table {
    ($ctx:ty; $($number:expr => $handler:path),* $(,)?) => {{
        const LEN: usize = $crate::syscall::__table_len(&[$($number),*]);
        const ENTRIES: [::core::option::Option<$crate::syscall::SyscallDesc<$ctx>>; LEN] = {
            let mut entries = [const { ::core::option::Option::None }; LEN];
            $(
                $crate::syscall::__table_insert(
                    &mut entries,
                    $number,
                    <$handler as $crate::syscall::Syscall<$ctx>>::DESC,
                );
            )*
            entries
        };
        $crate::syscall::SyscallTable::<$ctx>::new(&ENTRIES)
    }};
}
