//! Fault injection for tests (features `testing` and `sim`): Linux's
//! `should_fail_usercopy`.
//!
//! A handler's error paths are the ones tests rarely reach: the copy-out
//! that fails after the handler allocated a file descriptor, the second
//! argument that faults after the first was consumed. A test space
//! ([`HeapSpace`](crate::testing::HeapSpace),
//! [`SimSpace`](crate::sim::SimSpace)) carries a [`FaultInjector`] that
//! makes the *n*-th access to its memory fail, at its first byte or after
//! a few bytes (a short copy), exactly as a page unmapped by another thread
//! would make it fail:
//!
//! ```
//! # #[cfg(feature = "testing")] fn main() {
//! use axptr_core::{LinuxError, MappingFlags, UserPtr, inject::FaultPlan, testing::HeapSpace};
//!
//! let mut space = HeapSpace::new(1);
//! let page = space.base();
//! space.map(page, 4096, MappingFlags::READ | MappingFlags::WRITE);
//! let out = UserPtr::<u32>::from(page);
//!
//! space.faults().arm(FaultPlan::nth(2));
//! assert_eq!(out.write(&mut space, 1), Ok(()));
//! assert_eq!(out.write(&mut space, 2), Err(LinuxError::EFAULT)); // injected
//! assert_eq!(out.write(&mut space, 3), Ok(())); // one fault only
//! assert_eq!(space.faults().accesses(), 3);
//! assert_eq!(space.faults().injected(), 1);
//! # }
//! # #[cfg(not(feature = "testing"))] fn main() {}
//! ```
//!
//! **What counts as an access:** each call of a fallible user-memory
//! routine — a copy (of a value, a slice, a cursor transfer, one block of a
//! string), a clear, an atomic operation — whose first byte lies in the
//! space. Validation is not an access (it reaches the address space, not
//! user memory), and neither are the `unsafe` in-place references, which
//! have no fault path. To learn how many accesses a handler makes, arm
//! [`FaultPlan::never`] and read [`accesses`](FaultInjector::accesses);
//! then fail each of them in turn.
//!
//! **Cost:** the check is compiled only with the `testing` or `sim`
//! feature (a kernel build has neither); there it is one relaxed atomic
//! load, combined with the read of the fault flag that every access makes
//! anyway: while no space has injection armed, accesses take their fast
//! path, and once one is armed every access takes the general path, which
//! asks the injector.

use core::sync::atomic::{
    AtomicBool, AtomicUsize,
    Ordering::{Acquire, Relaxed, Release, SeqCst},
};

/// Which access of a space fails, and how far it gets first.
///
/// One-shot: once the access has failed, the injector counts on without
/// failing another (arm it again for more).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub struct FaultPlan {
    /// The access that fails, counting from 1 at arming; 0 for none.
    nth: usize,
    /// Bytes that access moves before it faults.
    after: usize,
}

impl FaultPlan {
    /// The `n`-th access after arming (the first is 1) fails at its first
    /// byte, as if its memory had been unmapped.
    ///
    /// # Panics
    ///
    /// If `n` is 0 (use [`never`](Self::never) to only count).
    pub const fn nth(n: usize) -> Self {
        assert!(
            n > 0,
            "accesses are counted from 1; FaultPlan::never() fails none"
        );
        Self { nth: n, after: 0 }
    }

    /// No access fails; the injector only counts them.
    pub const fn never() -> Self {
        Self { nth: 0, after: 0 }
    }

    /// The failing access moves `bytes` bytes before it faults: a short
    /// copy (a cursor then reports `bytes`, a partial copy returns it). An
    /// access of at most `bytes` bytes completes, and the plan is spent.
    pub const fn after(self, bytes: usize) -> Self {
        Self {
            after: bytes,
            ..self
        }
    }
}

/// At most this many spaces have injection armed at once.
const SLOTS: usize = 64;

/// One space's injection state, shared with the copy path.
struct Slot {
    /// Whether a space owns the slot.
    owned: AtomicBool,
    /// Whether the copy path looks at the slot: `base` and `end` are
    /// written before it is set (release) and read after it is seen
    /// (acquire).
    active: AtomicBool,
    base: AtomicUsize,
    end: AtomicUsize,
    /// Accesses since the last arming.
    accesses: AtomicUsize,
    /// The access that fails (`FaultPlan::nth`), 0 once spent or never.
    fail_at: AtomicUsize,
    after: AtomicUsize,
    /// Faults injected since the last arming.
    injected: AtomicUsize,
}

static TABLE: [Slot; SLOTS] = [const {
    Slot {
        owned: AtomicBool::new(false),
        active: AtomicBool::new(false),
        base: AtomicUsize::new(0),
        end: AtomicUsize::new(0),
        accesses: AtomicUsize::new(0),
        fail_at: AtomicUsize::new(0),
        after: AtomicUsize::new(0),
        injected: AtomicUsize::new(0),
    }
}; SLOTS];

/// How many slots are claimed: the copy path looks no further while 0.
static CLAIMED: AtomicUsize = AtomicUsize::new(0);

/// How many spaces have injection armed (or did, and live on): non-zero
/// sends every access to the general path, which asks [`allowed`].
#[inline(always)]
pub(crate) fn claimed() -> usize {
    CLAIMED.load(Relaxed)
}

/// How many of the `len` bytes of the access at `user` may move before an
/// injected fault: `len` unless the access is the one a plan fails.
#[inline]
pub(crate) fn allowed(user: usize, len: usize) -> usize {
    if CLAIMED.load(Relaxed) == 0 {
        return len;
    }
    allowed_slow(user, len)
}

#[cold]
fn allowed_slow(user: usize, len: usize) -> usize {
    for slot in &TABLE {
        if !slot.active.load(Acquire)
            || !(slot.base.load(Relaxed)..slot.end.load(Relaxed)).contains(&user)
        {
            continue;
        }
        let n = slot.accesses.fetch_add(1, SeqCst).wrapping_add(1);
        if n == 0 {
            // A count that wrapped is no access a plan can name.
            return len;
        }
        // One-shot: the thread that takes the plan injects it.
        if slot.fail_at.compare_exchange(n, 0, SeqCst, SeqCst).is_err() {
            return len;
        }
        slot.injected.fetch_add(1, SeqCst);
        return slot.after.load(SeqCst).min(len);
    }
    len
}

/// The fault-injection hook of one test space: see the
/// [module documentation](self). Made by the space; reached through its
/// `faults()` method.
#[derive(Debug)]
pub struct FaultInjector {
    base: usize,
    end: usize,
    /// The claimed slot's index, or `usize::MAX` before the first arming.
    slot: AtomicUsize,
}

const UNCLAIMED: usize = usize::MAX;

impl FaultInjector {
    /// The injector of the space `[base, end)`; nothing is registered until
    /// it is armed.
    pub(crate) const fn new(base: usize, end: usize) -> Self {
        Self {
            base,
            end,
            slot: AtomicUsize::new(UNCLAIMED),
        }
    }

    /// The slot of this space, claimed on first use.
    fn slot(&self) -> &'static Slot {
        let index = self.slot.load(Acquire);
        if let Some(slot) = TABLE.get(index) {
            return slot;
        }
        for (index, slot) in TABLE.iter().enumerate() {
            if slot
                .owned
                .compare_exchange(false, true, Acquire, Relaxed)
                .is_ok()
            {
                slot.fail_at.store(0, SeqCst);
                slot.base.store(self.base, Relaxed);
                slot.end.store(self.end, Relaxed);
                slot.active.store(true, Release);
                match self
                    .slot
                    .compare_exchange(UNCLAIMED, index, Release, Acquire)
                {
                    Ok(_) => {
                        CLAIMED.fetch_add(1, SeqCst);
                        return slot;
                    }
                    Err(theirs) => {
                        // Another thread armed this space first.
                        slot.active.store(false, Release);
                        slot.owned.store(false, Release);
                        if let Some(slot) = TABLE.get(theirs) {
                            return slot;
                        }
                    }
                }
            }
        }
        panic!("fault injection is armed on more than {SLOTS} spaces at once");
    }

    /// Arms `plan`, replacing any earlier one, and restarts the counts.
    ///
    /// # Panics
    ///
    /// If more than 64 spaces have injection armed at once.
    pub fn arm(&self, plan: FaultPlan) {
        let slot = self.slot();
        slot.fail_at.store(0, SeqCst);
        slot.accesses.store(0, SeqCst);
        slot.injected.store(0, SeqCst);
        slot.after.store(plan.after, SeqCst);
        slot.fail_at.store(plan.nth, SeqCst);
    }

    /// Cancels the plan (counting goes on).
    pub fn disarm(&self) {
        if let Some(slot) = TABLE.get(self.slot.load(Acquire)) {
            slot.fail_at.store(0, SeqCst);
        }
    }

    /// The accesses to the space since the last [`arm`](Self::arm) (0 if it
    /// was never armed).
    #[must_use]
    pub fn accesses(&self) -> usize {
        TABLE
            .get(self.slot.load(Acquire))
            .map_or(0, |slot| slot.accesses.load(SeqCst))
    }

    /// The faults injected since the last [`arm`](Self::arm): 0 or 1.
    #[must_use]
    pub fn injected(&self) -> usize {
        TABLE
            .get(self.slot.load(Acquire))
            .map_or(0, |slot| slot.injected.load(SeqCst))
    }
}

impl Drop for FaultInjector {
    fn drop(&mut self) {
        if let Some(slot) = TABLE.get(*self.slot.get_mut()) {
            slot.fail_at.store(0, SeqCst);
            slot.active.store(false, Release);
            slot.owned.store(false, Release);
            CLAIMED.fetch_sub(1, SeqCst);
        }
    }
}
