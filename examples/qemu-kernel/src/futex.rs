//! `futex(2)`: `FUTEX_WAIT` and `FUTEX_WAKE`, private futexes only, no
//! timeouts (this kernel has no timer).
//!
//! A sleeper is its CPU: threads never migrate, so `FUTEX_WAIT` queues the
//! CPU's index under the futex address and the CPU sleeps until
//! `FUTEX_WAKE` marks it woken. The value check (axptr's fault-safe
//! `atomic_load` of the user word) and the queueing happen under the queue
//! lock, which `FUTEX_WAKE` also takes, so a wake-up that follows a change
//! of the value cannot be missed (Linux's hash-bucket lock plays this
//! part).

use alloc::vec::Vec;
use core::sync::atomic::Ordering;

use axptr::{AddrSpaceProvider, LinuxError, LinuxResult, UserConstPtr};

use crate::{arch, cpu, lock::SpinLock};

/// Sleepers: the futex address and the sleeping CPU.
static SLEEPERS: SpinLock<Vec<(usize, usize)>> = SpinLock::new("the futex queue lock", Vec::new());

/// `FUTEX_WAIT`: sleeps while the word at `uaddr` holds `expected`.
///
/// # Errors
///
/// `EINVAL` for an unaligned word, `EFAULT` if it cannot be read, `EAGAIN`
/// if it does not hold `expected`.
pub fn wait<P: AddrSpaceProvider>(
    aspace: &mut P,
    uaddr: UserConstPtr<u32>,
    expected: u32,
) -> LinuxResult<()> {
    let addr = uaddr.address().as_usize();
    if addr % 4 != 0 {
        return Err(LinuxError::EINVAL);
    }
    let me = cpu::id();
    {
        let mut sleepers = SLEEPERS.lock();
        // The queue lock is not the address space lock: the fault handler
        // can still populate the page if the load faults.
        if uaddr.atomic_load(aspace)? != expected {
            return Err(LinuxError::EAGAIN);
        }
        cpu::this().futex_woken.store(false, Ordering::Relaxed);
        sleepers.push((addr, me));
    }
    loop {
        arch::clear_wakeup();
        if cpu::this().futex_woken.load(Ordering::Acquire) {
            return Ok(());
        }
        arch::wait_for_event();
    }
}

/// `FUTEX_WAKE`: wakes up to `count` sleepers on `uaddr`; returns how many
/// it woke.
pub fn wake(uaddr: UserConstPtr<u32>, count: u32) -> LinuxResult<usize> {
    let addr = uaddr.address().as_usize();
    if addr % 4 != 0 {
        return Err(LinuxError::EINVAL);
    }
    let mut woken = 0;
    {
        let mut sleepers = SLEEPERS.lock();
        sleepers.retain(|&(sleeping_on, cpu)| {
            if sleeping_on != addr || woken >= count as usize {
                return true;
            }
            cpu::CPUS[cpu].futex_woken.store(true, Ordering::Release);
            woken += 1;
            false
        });
    }
    if woken > 0 {
        arch::wake_all();
    }
    Ok(woken)
}
