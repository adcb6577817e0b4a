//! A fair spinlock that knows which CPU holds it.
//!
//! CPUs take the lock in the order they asked for it (a ticket lock): the
//! thread that unmaps and maps in a loop must not starve the other CPUs'
//! page-fault handlers and syscalls of the address space lock.
//!
//! The same CPU asking for a lock it holds is a deadlock: with no
//! preemption, that only happens when a trap handler takes a lock that the
//! code it interrupted holds. The page-fault handler takes the address
//! space lock, so this is exactly what would happen if axptr touched user
//! memory while holding the provider's lock. Here it is an oops with a
//! name instead of a hang.

use core::{
    cell::UnsafeCell,
    ops::{Deref, DerefMut},
    sync::atomic::{AtomicUsize, Ordering},
};

use crate::{arch, cpu};

const NO_OWNER: usize = usize::MAX;

/// A mutual-exclusion lock between CPUs, first come, first served.
pub struct SpinLock<T> {
    name: &'static str,
    /// The next ticket to hand out.
    next: AtomicUsize,
    /// The ticket that holds the lock.
    serving: AtomicUsize,
    /// The CPU that holds the lock, or [`NO_OWNER`].
    owner: AtomicUsize,
    value: UnsafeCell<T>,
}

// SAFETY: access to `value` is serialized by the tickets.
unsafe impl<T: Send> Sync for SpinLock<T> {}

impl<T> SpinLock<T> {
    /// A lock named `name` (in the oops message) around `value`.
    pub const fn new(name: &'static str, value: T) -> Self {
        Self {
            name,
            next: AtomicUsize::new(0),
            serving: AtomicUsize::new(0),
            owner: AtomicUsize::new(NO_OWNER),
            value: UnsafeCell::new(value),
        }
    }

    /// Takes the lock, waiting for the CPUs that asked before; taking it
    /// again on the CPU that holds it is a kernel bug and stops the machine.
    pub fn lock(&self) -> SpinLockGuard<'_, T> {
        let me = cpu::id();
        // Only this CPU ever writes its own id here, and it clears it before
        // releasing the lock: seeing it means this CPU holds the lock.
        if self.owner.load(Ordering::Relaxed) == me {
            crate::oops(format_args!("deadlock: {} taken while held", self.name));
        }
        let ticket = self.next.fetch_add(1, Ordering::Relaxed);
        while self.serving.load(Ordering::Acquire) != ticket {
            // The holder may be shooting down TLB entries and waiting for
            // this CPU to flush.
            arch::serve_flush_request();
            core::hint::spin_loop();
        }
        self.owner.store(me, Ordering::Relaxed);
        SpinLockGuard { lock: self }
    }

    /// Takes the lock if it is free.
    pub fn try_lock(&self) -> Option<SpinLockGuard<'_, T>> {
        let serving = self.serving.load(Ordering::Acquire);
        self.next
            .compare_exchange(serving, serving + 1, Ordering::Acquire, Ordering::Relaxed)
            .ok()?;
        self.owner.store(cpu::id(), Ordering::Relaxed);
        Some(SpinLockGuard { lock: self })
    }
}

/// Access to the value while the lock is held.
pub struct SpinLockGuard<'a, T> {
    lock: &'a SpinLock<T>,
}

impl<T> Deref for SpinLockGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock, so no other reference exists.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T> DerefMut for SpinLockGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the lock, so no other reference exists.
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T> Drop for SpinLockGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.owner.store(NO_OWNER, Ordering::Relaxed);
        // Only the holder moves `serving`: hand the lock to the next ticket.
        let serving = self.lock.serving.load(Ordering::Relaxed);
        self.lock
            .serving
            .store(serving.wrapping_add(1), Ordering::Release);
    }
}
