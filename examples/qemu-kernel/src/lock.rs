//! A lock for a single-hart kernel that reports re-entry instead of
//! spinning.
//!
//! With one hart and no preemption, the only way to find the lock taken is
//! to take it again from a trap handler while the interrupted code holds it:
//! a deadlock on a real kernel. The page-fault handler takes the address
//! space lock, so this is exactly what would happen if axptr touched user
//! memory while holding the provider's lock. Here it is an oops with a name.

use core::{
    cell::UnsafeCell,
    ops::{Deref, DerefMut},
    sync::atomic::{AtomicBool, Ordering},
};

/// A mutual-exclusion lock that oopses when taken twice.
pub struct Lock<T> {
    name: &'static str,
    locked: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: access to `value` is serialized by `locked`.
unsafe impl<T: Send> Sync for Lock<T> {}

impl<T> Lock<T> {
    /// A lock named `name` (in the oops message) around `value`.
    pub const fn new(name: &'static str, value: T) -> Self {
        Self {
            name,
            locked: AtomicBool::new(false),
            value: UnsafeCell::new(value),
        }
    }

    /// Takes the lock; re-entry is a kernel bug and stops the machine.
    pub fn lock(&self) -> LockGuard<'_, T> {
        if self.locked.swap(true, Ordering::Acquire) {
            crate::oops(format_args!("deadlock: {} taken while held", self.name));
        }
        LockGuard { lock: self }
    }
}

/// Access to the value while the lock is held.
pub struct LockGuard<'a, T> {
    lock: &'a Lock<T>,
}

impl<T> Deref for LockGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock, so no other reference exists.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T> DerefMut for LockGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the lock, so no other reference exists.
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T> Drop for LockGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.locked.store(false, Ordering::Release);
    }
}
