//! Fault statistics: which path a fault took, so tests can assert it.

use core::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// How the faults on one simulated space were handled (counts since the
/// space was created). Take a snapshot before and after the code under test
/// and compare the fields.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FaultStats {
    /// Faults the handler resolved by making the page present (with the
    /// fault flag set, on a page whose area allows the access): demand
    /// paging, or a page evicted after validation.
    pub resolved: u64,
    /// Faults on a page that another thread made present while this one was
    /// waiting for the lock: retried as they are.
    pub spurious: u64,
    /// Unresolvable faults inside the fallible copy routine that were sent
    /// to its fixup: each made one copy return `EFAULT`.
    pub fixups: u64,
    /// Pages made present by `populate_area` (validation), not by a fault.
    pub populated_by_check: u64,
}

/// The live counters behind [`FaultStats`]; bumped by the fault handler
/// (atomics: async-signal-safe) and by population.
#[derive(Default)]
pub(super) struct FaultCounters {
    pub(super) resolved: AtomicU64,
    pub(super) spurious: AtomicU64,
    pub(super) fixups: AtomicU64,
    pub(super) populated_by_check: AtomicU64,
}

impl FaultCounters {
    pub(super) fn bump(counter: &AtomicU64, by: u64) {
        counter.fetch_add(by, Relaxed);
    }

    pub(super) fn snapshot(&self) -> FaultStats {
        FaultStats {
            resolved: self.resolved.load(Relaxed),
            spurious: self.spurious.load(Relaxed),
            fixups: self.fixups.load(Relaxed),
            populated_by_check: self.populated_by_check.load(Relaxed),
        }
    }
}
