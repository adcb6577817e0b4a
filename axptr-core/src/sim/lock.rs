//! The space's lock: a spin lock that knows its owner thread.
//!
//! The fault handler runs on the faulting thread, in a signal handler: it
//! cannot use `std::sync::Mutex` (not async-signal-safe, and a thread that
//! faults while holding it would hang silently). This lock is an atomic
//! owner word. Knowing the owner lets the handler report a fault taken
//! while the faulting thread itself holds the lock: in a kernel, the
//! page-fault handler would wait for that lock forever.

use core::{
    cell::UnsafeCell,
    ops::{Deref, DerefMut},
    sync::atomic::{AtomicUsize, Ordering},
};

/// A token for the current thread, never zero, distinct between live
/// threads: the address of a thread-local. Reading it is a plain TLS access
/// (constant initializer, no destructor), so the signal handler may too.
fn thread_token() -> usize {
    std::thread_local! {
        static ANCHOR: u8 = const { 0 };
    }
    ANCHOR.with(|anchor| core::ptr::from_ref(anchor).addr())
}

/// A spin lock with an owner.
pub(super) struct SpinLock<T> {
    owner: AtomicUsize,
    value: UnsafeCell<T>,
}

// SAFETY: the lock hands out the value to one thread at a time.
unsafe impl<T: Send> Send for SpinLock<T> {}
// SAFETY: as above; `&SpinLock` only gives access through `lock`.
unsafe impl<T: Send> Sync for SpinLock<T> {}

/// Why a lock attempt gave up.
pub(super) struct HeldByThisThread;

impl<T> SpinLock<T> {
    pub(super) const fn new(value: T) -> Self {
        Self {
            owner: AtomicUsize::new(0),
            value: UnsafeCell::new(value),
        }
    }

    /// Whether the current thread holds the lock.
    pub(super) fn held_by_current_thread(&self) -> bool {
        self.owner.load(Ordering::Relaxed) == thread_token()
    }

    /// Takes the lock, spinning (and yielding the CPU) while another thread
    /// holds it. Fails instead of deadlocking if this thread holds it.
    ///
    /// Async-signal-safe: atomics and `sched_yield`.
    pub(super) fn try_lock_spinning(&self) -> Result<SpinGuard<'_, T>, HeldByThisThread> {
        let me = thread_token();
        let mut spins = 0u32;
        loop {
            match self
                .owner
                .compare_exchange_weak(0, me, Ordering::Acquire, Ordering::Relaxed)
            {
                Ok(_) => return Ok(SpinGuard { lock: self }),
                Err(owner) if owner == me => return Err(HeldByThisThread),
                Err(_) => {
                    spins += 1;
                    if spins < 64 {
                        core::hint::spin_loop();
                    } else {
                        // SAFETY: a system call without arguments.
                        unsafe { libc::sched_yield() };
                    }
                }
            }
        }
    }

    /// Takes the lock.
    ///
    /// # Panics
    ///
    /// If the current thread already holds it (calling the space from
    /// inside `with_addr_space`): a deadlock in a kernel.
    pub(super) fn lock(&self) -> SpinGuard<'_, T> {
        match self.try_lock_spinning() {
            Ok(guard) => guard,
            Err(HeldByThisThread) => panic!(
                "deadlock: this thread already holds the SimSpace lock \
                 (the space was called from inside `with_addr_space`)"
            ),
        }
    }
}

/// Access to the locked value; unlocks on drop.
pub(super) struct SpinGuard<'a, T> {
    lock: &'a SpinLock<T>,
}

impl<T> Deref for SpinGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard is the lock's only holder.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T> DerefMut for SpinGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard is the lock's only holder, borrowed mutably.
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T> Drop for SpinGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.owner.store(0, Ordering::Release);
    }
}
