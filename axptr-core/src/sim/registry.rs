//! The live simulated spaces, as the fault handler finds them.
//!
//! A fixed table of slots, each an atomic pointer to a space's shared state
//! plus a count of handlers using it: the handler finds the space of a
//! faulting address without allocating or locking, and a space is only
//! released after every handler that may have seen it has left.

use std::sync::Arc;

use core::sync::atomic::{AtomicPtr, AtomicUsize, Ordering::SeqCst};

use axerrno::{LinuxError, LinuxResult};

use super::space::Shared;

/// At most this many spaces exist at once.
const SLOTS: usize = 256;

struct Slot {
    space: AtomicPtr<Shared>,
    users: AtomicUsize,
}

static REGISTRY: [Slot; SLOTS] = [const {
    Slot {
        space: AtomicPtr::new(core::ptr::null_mut()),
        users: AtomicUsize::new(0),
    }
}; SLOTS];

/// Registers a space; returns its slot. The registry keeps a strong
/// reference until [`unregister`].
pub(super) fn register(shared: Arc<Shared>) -> LinuxResult<usize> {
    let raw = Arc::into_raw(shared).cast_mut();
    for (index, slot) in REGISTRY.iter().enumerate() {
        if slot
            .space
            .compare_exchange(core::ptr::null_mut(), raw, SeqCst, SeqCst)
            .is_ok()
        {
            return Ok(index);
        }
    }
    // SAFETY: `raw` came from `Arc::into_raw` above and was not stored.
    drop(unsafe { Arc::from_raw(raw) });
    Err(LinuxError::ENOMEM)
}

/// Removes a space, waits until no fault handler uses it, and drops the
/// registry's reference.
pub(super) fn unregister(index: usize) {
    let Some(slot) = REGISTRY.get(index) else {
        return;
    };
    let raw = slot.space.swap(core::ptr::null_mut(), SeqCst);
    // A handler that loaded the old pointer incremented `users` before the
    // load (both SeqCst), so it is counted here.
    while slot.users.load(SeqCst) != 0 {
        std::thread::yield_now();
    }
    if !raw.is_null() {
        // SAFETY: the pointer came from `Arc::into_raw` in `register`, and
        // no handler refers to it any more.
        drop(unsafe { Arc::from_raw(raw) });
    }
}

/// Runs `f` on the space whose range contains `addr`, if any.
///
/// Async-signal-safe: atomics only, besides `f`.
pub(super) fn with_space_containing<R>(addr: usize, f: impl FnOnce(&Shared) -> R) -> Option<R> {
    for slot in &REGISTRY {
        slot.users.fetch_add(1, SeqCst);
        let raw = slot.space.load(SeqCst);
        // SAFETY: a non-null pointer is the registry's strong reference,
        // kept alive until `unregister` sees `users` drop to zero.
        match unsafe { raw.as_ref() } {
            Some(space) if space.contains(addr) => {
                let result = f(space);
                slot.users.fetch_sub(1, SeqCst);
                return Some(result);
            }
            _ => {
                slot.users.fetch_sub(1, SeqCst);
            }
        }
    }
    None
}
