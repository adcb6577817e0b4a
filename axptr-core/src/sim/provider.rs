//! [`SimProvider`]: hands kernel code under test the locked space.

use super::{SimAreas, lock::SpinLock};
use crate::AddrSpaceProvider;

/// The provider of a [`SimSpace`](super::SimSpace), made by
/// [`SimSpace::provider`](super::SimSpace::provider): it locks the space
/// for the duration of `with_addr_space` only, as a kernel locks its
/// address space while checking a user range.
///
/// The lock is the one the simulated page-fault handler takes: touching
/// user memory inside `with_addr_space` is reported as the deadlock it would
/// be in a kernel (and calling the space's own methods there panics, for
/// the same reason).
pub struct SimProvider<'a> {
    lock: &'a SpinLock<SimAreas>,
}

impl<'a> SimProvider<'a> {
    pub(super) fn new(lock: &'a SpinLock<SimAreas>) -> Self {
        Self { lock }
    }
}

impl AddrSpaceProvider for SimProvider<'_> {
    type AddrSpace = SimAreas;

    #[inline]
    fn with_addr_space<R>(&mut self, f: impl FnOnce(&mut SimAreas) -> R) -> R {
        f(&mut self.lock.lock())
    }
}
