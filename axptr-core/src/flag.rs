//! The "kernel is accessing user memory" flag.
//!
//! A page fault taken in kernel mode on a user address means one of two
//! things: axptr is touching user memory on purpose (the fault is expected,
//! and the handler should populate the page or apply the fixup), or the
//! kernel has a bug (the handler should oops). The flag tells them apart:
//! it is true exactly while axptr touches user memory.
//!
//! On kernel builds (`target_os = "none"`) the flag is a `percpu` variable
//! (`ACCESSING_USER_MEM`); on host builds it is a thread-local, because a
//! host thread plays a CPU and needs no setup. [`access_user_memory`] sets
//! it around a closure and restores the previous value afterwards, so
//! accesses nest and every exit path (`?`, early return, unwinding) leaves
//! it as it was.
//!
//! Safe code cannot leave the flag set: a flag left set would make the
//! page-fault handler treat a later kernel bug on a user address as an
//! expected access. The closure form restores it whatever the closure
//! does; the guard underneath ([`UserAccessGuard`]) restores it only if
//! guards are dropped in the reverse order of their creation and none is
//! forgotten, so making one is `unsafe`.
//!
//! The guard puts compiler fences at the flagged region's edges: the flag is
//! a plain per-CPU (or thread-local) store that does not alias user memory,
//! so without them the optimizer may move an access through a raw pointer
//! (the in-place NUL scan) out of the region, and a fault there would find
//! the flag clear. Accesses through a *reference* cannot be pinned this way:
//! the compiler may perform them anywhere in the reference's lifetime
//! (release builds do hoist them above the flag store), which is why the
//! reference API relies on validation having made its pages present.
//!
//! A preemptible kernel must not migrate a task while the flag is set, or
//! must carry it across the switch with [`take_user_access_flag`] and
//! [`restore_user_access_flag`].

use core::{
    marker::PhantomData,
    sync::atomic::{Ordering, compiler_fence},
};

#[cfg(target_os = "none")]
mod imp {
    #[percpu::def_percpu]
    static ACCESSING_USER_MEM: bool = false;

    #[inline]
    pub(super) fn get() -> bool {
        ACCESSING_USER_MEM.read_current()
    }

    #[inline]
    pub(super) fn set(value: bool) {
        ACCESSING_USER_MEM.write_current(value);
    }
}

#[cfg(not(target_os = "none"))]
mod imp {
    use core::cell::Cell;

    std::thread_local! {
        static ACCESSING_USER_MEM: Cell<bool> = const { Cell::new(false) };
    }

    #[inline]
    pub(super) fn get() -> bool {
        ACCESSING_USER_MEM.with(Cell::get)
    }

    #[inline]
    pub(super) fn set(value: bool) {
        ACCESSING_USER_MEM.with(|flag| flag.set(value));
    }
}

/// Returns whether the current CPU (host: thread) is accessing user memory
/// through axptr.
///
/// The kernel's page-fault handler calls this: a kernel-mode fault on a user
/// address is expected only while it returns true.
#[inline]
#[must_use]
pub fn is_accessing_user_memory() -> bool {
    imp::get()
}

/// Clears the flag and returns its value, for a context switch that
/// carries the flag with the task (pair with [`restore_user_access_flag`]).
#[inline]
pub fn take_user_access_flag() -> bool {
    let value = imp::get();
    imp::set(false);
    value
}

/// Sets the flag to a value saved by [`take_user_access_flag`].
///
/// # Safety
///
/// `value` must have been returned by [`take_user_access_flag`] when the
/// task now resumed on this CPU was switched out, and the task must resume
/// where it was switched out: restoring `true` anywhere else leaves the
/// flag set outside any access.
#[inline]
pub unsafe fn restore_user_access_flag(value: bool) {
    imp::set(value);
}

/// Sets the fault flag for its lifetime and restores the previous value on
/// drop.
///
/// On kernel builds it also opens the architecture's supervisor access to
/// user pages and restores its previous state: riscv64 `sstatus.SUM`
/// always, x86_64 SMAP (`stac`) and aarch64 PAN once the kernel has called
/// [`enable_user_access_protection`](crate::enable_user_access_protection).
/// So copies work in kernels that keep user access closed outside
/// accesses. References lent by `get` and its family outlive the guard:
/// they need the kernel to keep user pages accessible for as long as they
/// are used. The scoped `with` family runs its closure inside a guard
/// instead.
///
/// The guard is neither `Send` nor `Sync`: it belongs to the CPU that made it.
#[must_use = "the flag is cleared again when the guard is dropped"]
pub struct UserAccessGuard {
    prev: bool,
    arch: crate::arch::UserAccessState,
    _not_send: PhantomData<*mut ()>,
}

impl UserAccessGuard {
    /// Sets the flag (and the architecture's user-access permission).
    ///
    /// # Safety
    ///
    /// The guard must be dropped on this CPU, after every guard made later
    /// on this CPU has been dropped (reverse order of creation), and must
    /// not be forgotten (`mem::forget`, a leaked `Box`, a reference
    /// cycle): each drop restores the value the flag had when its guard
    /// was made, so an out-of-order drop or a forgotten guard leaves the
    /// flag set outside any access. Keep it in a local binding of the
    /// function that makes it, or use [`access_user_memory`].
    #[inline]
    pub unsafe fn new() -> Self {
        let prev = imp::get();
        imp::set(true);
        let arch = crate::arch::enable_user_access();
        // Accesses of user memory stay after the flag is set.
        compiler_fence(Ordering::SeqCst);
        Self {
            prev,
            arch,
            _not_send: PhantomData,
        }
    }
}

impl Drop for UserAccessGuard {
    #[inline]
    fn drop(&mut self) {
        // Accesses of user memory stay before the flag is restored.
        compiler_fence(Ordering::SeqCst);
        crate::arch::restore_user_access(self.arch);
        imp::set(self.prev);
    }
}

/// Runs `f` with the fault flag set, restoring the previous value afterwards
/// (also when `f` unwinds).
#[inline]
pub fn access_user_memory<R>(f: impl FnOnce() -> R) -> R {
    // SAFETY: a local binding, dropped when this function returns or
    // unwinds, after any guard `f` made and dropped.
    let _guard = unsafe { UserAccessGuard::new() };
    f()
}

/// Clears the flag for its lifetime (while axptr calls the address space
/// from inside an enclosing access) and puts it back on drop.
pub(crate) struct FlagCleared(bool);

impl FlagCleared {
    #[inline]
    pub(crate) fn new() -> Self {
        let was_set = imp::get();
        if was_set {
            imp::set(false);
        }
        Self(was_set)
    }
}

impl Drop for FlagCleared {
    #[inline]
    fn drop(&mut self) {
        if self.0 {
            imp::set(true);
        }
    }
}
