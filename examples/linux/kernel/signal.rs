//! Signals: actions, the mask, the pending queue, delivery on the way
//! back to user space, and the signal syscalls.

use axptr::{
    LinuxError, LinuxResult, syscall,
    syscall::{SigSet, SigSetSize},
};

use super::{
    Process,
    args::{SigHow, Signal},
    own::PendingSet,
    time::timespec_ns,
};
use crate::abi::{self, Sigaction, Siginfo, StackT, Timespec};

/// The signal state of the (single-threaded) process.
pub struct Signals {
    pub mask: SigSet,
    /// Generated, not delivered yet, in order (a standard signal is queued
    /// once; real-time ones each time).
    pub pending: Vec<Siginfo>,
    pub actions: [Sigaction; abi::NSIG as usize],
    pub altstack: StackT,
}

impl Default for Signals {
    fn default() -> Self {
        Self {
            mask: SigSet::EMPTY,
            pending: Vec::new(),
            actions: [Sigaction::default(); abi::NSIG as usize],
            altstack: StackT {
                ss_flags: abi::SS_DISABLE,
                ..StackT::default()
            },
        }
    }
}

/// Signals that cannot be caught, blocked or ignored.
const UNBLOCKABLE: SigSet = SigSet::EMPTY.with(abi::SIGKILL).with(abi::SIGSTOP);

fn without_unblockable(set: SigSet) -> SigSet {
    SigSet(set.0 & !UNBLOCKABLE.0)
}

/// Signals whose default action is to do nothing.
fn ignored_by_default(sig: u32) -> bool {
    matches!(sig, abi::SIGCHLD | abi::SIGWINCH | 18 | 23)
}

fn valid(sig: i32) -> LinuxResult<u32> {
    u32::try_from(sig)
        .ok()
        .filter(|sig| (1..=abi::NSIG).contains(sig))
        .ok_or(LinuxError::EINVAL)
}

fn action(p: &Process, sig: u32) -> Sigaction {
    p.signals
        .actions
        .get(sig as usize - 1)
        .copied()
        .unwrap_or_default()
}

/// Makes signal `info.si_signo` pending, unless it is ignored.
pub fn generate(p: &mut Process, info: Siginfo) {
    let Ok(sig) = valid(info.si_signo) else {
        return;
    };
    let handler = action(p, sig).sa_handler;
    if handler == abi::SIG_IGN || (handler == abi::SIG_DFL && ignored_by_default(sig)) {
        return;
    }
    let queued = p
        .signals
        .pending
        .iter()
        .any(|pending| pending.si_signo == info.si_signo);
    if sig < abi::SIGRTMIN && queued {
        return;
    }
    p.signals.pending.push(info);
}

/// The pending signals, as a set.
pub fn pending_set(p: &Process) -> SigSet {
    p.signals
        .pending
        .iter()
        .fold(SigSet::EMPTY, |set, info| set.with(info.si_signo as u32))
}

/// Whether a pending signal is not blocked.
pub fn has_deliverable(p: &Process) -> bool {
    pending_set(p).0 & !p.signals.mask.0 != 0
}

/// Takes the first pending signal in `set`.
fn take(p: &mut Process, set: SigSet) -> Option<Siginfo> {
    let index = p
        .signals
        .pending
        .iter()
        .position(|info| set.contains(info.si_signo as u32))?;
    Some(p.signals.pending.remove(index))
}

/// Delivers the pending signals that are not blocked: runs their handlers
/// (the model logs the call; the handler returns at once) or their
/// default action.
pub fn deliver(p: &mut Process) {
    while let Some(info) = take(p, SigSet(!p.signals.mask.0)) {
        let sig = info.si_signo as u32;
        let act = action(p, sig);
        let name = SigName(info.si_signo);
        if act.sa_handler == abi::SIG_DFL {
            p.printk(format!(
                "[kernel] {name}: its default action would end the process; the model only reports it"
            ));
            continue;
        }
        let on_stack = act.sa_flags & abi::SA_ONSTACK != 0
            && p.signals.altstack.ss_flags & abi::SS_DISABLE == 0;
        p.printk(format!(
            "[kernel] {name} delivered: handler {:#x} runs{}, then returns",
            act.sa_handler,
            if on_stack {
                " on the alternate stack"
            } else {
                ""
            },
        ));
        if act.sa_flags & abi::SA_RESETHAND != 0 {
            if let Some(slot) = p.signals.actions.get_mut(sig as usize - 1) {
                *slot = Sigaction::default();
            }
        }
    }
}

/// A signal's name for the log.
pub struct SigName(pub i32);

impl core::fmt::Display for SigName {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        abi::fmt_signal(self.0, f)
    }
}

/// `rt_sigaction(sig, act, oact, sigsetsize)`: the size is checked first,
/// then the action copied in; the old one goes out after `Ok`.
#[syscall]
pub fn sys_rt_sigaction(
    p: &mut Process,
    sig: Signal,
    act: Option<&Sigaction>,
    #[out] oact: Option<&mut Sigaction>,
    _sigsetsize: SigSetSize,
) -> LinuxResult<()> {
    let sig = valid(sig.0)?;
    if act.is_some() && UNBLOCKABLE.contains(sig) {
        return Err(LinuxError::EINVAL);
    }
    let slot = p
        .signals
        .actions
        .get_mut(sig as usize - 1)
        .ok_or(LinuxError::EINVAL)?;
    let old = *slot;
    if let Some(act) = act {
        *slot = Sigaction {
            sa_mask: without_unblockable(act.sa_mask),
            ..*act
        };
        // Ignoring a signal discards it if it is pending.
        let ignored = act.sa_handler == abi::SIG_IGN
            || (act.sa_handler == abi::SIG_DFL && ignored_by_default(sig));
        if ignored {
            p.signals.pending.retain(|info| info.si_signo as u32 != sig);
        }
    }
    if let Some(oact) = oact {
        *oact = old;
    }
    Ok(())
}

/// `rt_sigprocmask(how, set, oset, sigsetsize)`.
#[syscall]
pub fn sys_rt_sigprocmask(
    p: &mut Process,
    how: SigHow,
    set: Option<&SigSet>,
    #[out] oset: Option<&mut SigSet>,
    _sigsetsize: SigSetSize,
) -> LinuxResult<()> {
    let old = p.signals.mask;
    if let Some(set) = set {
        let new = match how.0 {
            abi::SIG_BLOCK => SigSet(old.0 | set.0),
            abi::SIG_UNBLOCK => SigSet(old.0 & !set.0),
            abi::SIG_SETMASK => *set,
            _ => return Err(LinuxError::EINVAL),
        };
        p.signals.mask = without_unblockable(new);
    }
    if let Some(oset) = oset {
        *oset = old;
    }
    Ok(())
}

/// `rt_sigpending(set, sigsetsize)`: the pending signals that are blocked,
/// in `sigsetsize` bytes (the kernel's own kind, see `own.rs`).
#[syscall]
pub fn sys_rt_sigpending(
    p: &mut Process,
    #[len = sigsetsize] set: &mut PendingSet,
    sigsetsize: usize,
) -> LinuxResult<()> {
    set.set = SigSet(pending_set(p).0 & p.signals.mask.0);
    Ok(())
}

/// `rt_sigsuspend(mask, sigsetsize)`: waits with `mask` for a signal to
/// deliver; always ends with `EINTR`.
#[syscall]
pub fn sys_rt_sigsuspend(
    p: &mut Process,
    mask: &SigSet,
    _sigsetsize: SigSetSize,
) -> LinuxResult<()> {
    let saved = p.signals.mask;
    p.signals.mask = without_unblockable(*mask);
    let woken = p.wait_until(None, |p| has_deliverable(p));
    // The handler runs with the temporary mask; its return restores ours.
    deliver(p);
    p.signals.mask = saved;
    match woken {
        Err(LinuxError::EAGAIN) => Err(LinuxError::EAGAIN),
        _ => Err(LinuxError::EINTR),
    }
}

/// `rt_sigtimedwait(set, info, timeout, sigsetsize)`: takes a pending
/// signal of `set` (blocked or not), waiting up to `timeout`.
#[syscall]
pub fn sys_rt_sigtimedwait(
    p: &mut Process,
    set: &SigSet,
    #[out] info: Option<&mut Siginfo>,
    timeout: Option<&Timespec>,
    _sigsetsize: SigSetSize,
) -> LinuxResult<i32> {
    let set = without_unblockable(*set);
    let timeout = timeout.map(timespec_ns).transpose()?;
    let found = p.wait_until(timeout, |p| pending_set(p).0 & set.0 != 0)?;
    let taken = found
        .then(|| take(p, set))
        .flatten()
        .ok_or(LinuxError::EAGAIN)?;
    if let Some(info) = info {
        *info = taken;
    }
    Ok(taken.si_signo)
}

/// `rt_sigqueueinfo(pid, sig, info)`: queues `info` for `sig`; a program
/// may not pretend to be the kernel (`si_code >= 0`) towards another
/// process.
#[syscall]
pub fn sys_rt_sigqueueinfo(
    p: &mut Process,
    pid: i32,
    sig: Signal,
    info: &Siginfo,
) -> LinuxResult<()> {
    let sig = valid(sig.0)?;
    if pid != p.pid {
        if !p.peers.contains_key(&pid) {
            return Err(LinuxError::ESRCH);
        }
        if info.si_code >= 0 || info.si_code == abi::SI_TKILL {
            return Err(LinuxError::EPERM);
        }
        p.printk(format!(
            "[kernel] {} queued for process {pid}",
            SigName(sig as i32)
        ));
        return Ok(());
    }
    let mut info = *info;
    info.si_signo = sig as i32;
    generate(p, info);
    Ok(())
}

/// `sigaltstack(ss, old_ss)`.
#[syscall]
pub fn sys_sigaltstack(
    p: &mut Process,
    ss: Option<&StackT>,
    #[out] old_ss: Option<&mut StackT>,
) -> LinuxResult<()> {
    let old = p.signals.altstack;
    if let Some(ss) = ss {
        p.signals.altstack = match ss.ss_flags {
            abi::SS_DISABLE => StackT {
                ss_flags: abi::SS_DISABLE,
                ..StackT::default()
            },
            0 | abi::SS_ONSTACK if ss.ss_size < abi::MINSIGSTKSZ => return Err(LinuxError::ENOMEM),
            0 | abi::SS_ONSTACK => StackT { ss_flags: 0, ..*ss },
            _ => return Err(LinuxError::EINVAL),
        };
    }
    if let Some(old_ss) = old_ss {
        *old_ss = old;
    }
    Ok(())
}

/// `kill(pid, sig)`: to this process, or to the other one (which the
/// model only reports).
#[syscall]
pub fn sys_kill(p: &mut Process, pid: i32, sig: Signal) -> LinuxResult<()> {
    let sig = match sig.0 {
        0 => None,
        other => Some(valid(other)?),
    };
    if pid == p.pid || pid == 0 || pid == -1 {
        if let Some(sig) = sig {
            generate(p, Siginfo::user(sig, abi::SI_USER, p.pid, p.uid));
        }
        return Ok(());
    }
    if !p.peers.contains_key(&pid) {
        return Err(LinuxError::ESRCH);
    }
    if let Some(sig) = sig {
        p.printk(format!(
            "[kernel] {} sent to process {pid}",
            SigName(sig as i32)
        ));
    }
    Ok(())
}
