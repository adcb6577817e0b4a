//! Signal sets and their size register.
//!
//! `rt_sigprocmask`, `rt_sigaction`, `rt_sigpending`, `rt_sigsuspend`,
//! `rt_sigtimedwait`, `signalfd4`, `ppoll`, `epoll_pwait`... pass a
//! `sigset_t *` together with `sizeof(sigset_t)` in another register, and
//! Linux refuses any other size with `EINVAL` (so that a future larger
//! `sigset_t` cannot be confused with today's). Two ways to say it:
//!
//! - `sigsetsize: SigSetSize` checks the register before anything else is
//!   converted (Linux's `rt_sigprocmask`, `rt_sigaction`, `rt_sigsuspend`,
//!   `signalfd4`, `rt_sigtimedwait`, which check first, even with null
//!   sets);
//! - `#[size = sigsetsize] mask: Option<&SigSet>` checks it where the
//!   pointer is used, only when it is not null (Linux's `ppoll` and
//!   `epoll_pwait`).
//!
//! Traces show a set as strace does: `[INT TERM]`, or `~[KILL STOP]` when
//! more than half the signals are in it.

use core::fmt;

use axerrno::{LinuxError, LinuxResult};

use super::{
    SyscallArg, SyscallTrace,
    trace::{ArgFormat, fmt_in},
};
use crate::UserCopy;

/// The kernel's `sizeof(sigset_t)`: 64 signals, 8 bytes.
pub const SIGSET_SIZE: usize = 8;

/// A `sigset_t`: bit `n - 1` is signal `n` (1 to 64).
#[repr(transparent)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct SigSet(pub u64);

// SAFETY: one `u64`: no padding, any bits valid, all-zero is the empty set.
unsafe impl UserCopy for SigSet {}

impl SigSet {
    /// The empty set.
    pub const EMPTY: Self = Self(0);

    /// Whether signal `sig` (1 to 64) is in the set; `false` for any other
    /// number.
    #[must_use]
    pub const fn contains(self, sig: u32) -> bool {
        sig >= 1 && sig <= 64 && self.0 & (1 << (sig - 1)) != 0
    }

    /// The set with signal `sig` (1 to 64) added; unchanged for any other
    /// number.
    #[must_use]
    pub const fn with(self, sig: u32) -> Self {
        if sig >= 1 && sig <= 64 {
            Self(self.0 | 1 << (sig - 1))
        } else {
            self
        }
    }
}

/// strace's signal names (`SIG` dropped), signal 1 first.
const NAMES: [&str; 31] = [
    "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
    "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG",
    "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
];

fn fmt_signal(sig: u32, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match sig {
        1..=31 => f.write_str(NAMES[sig as usize - 1]),
        32 => f.write_str("RTMIN"),
        _ => write!(f, "RT_{}", sig - 32),
    }
}

/// `[INT TERM]`, or `~[…]` listing the signals not in the set when it
/// holds more than half of them.
impl SyscallTrace for SigSet {
    fn fmt_trace(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inverted = self.0.count_ones() > 32;
        let shown = if inverted { !self.0 } else { self.0 };
        f.write_str(if inverted { "~[" } else { "[" })?;
        let mut first = true;
        for sig in (1..=64).filter(|&sig| shown & (1 << (sig - 1)) != 0) {
            if !first {
                f.write_str(" ")?;
            }
            first = false;
            fmt_signal(sig, f)?;
        }
        f.write_str("]")
    }
}

/// A `size_t sigsetsize` register: `EINVAL` unless it is
/// [`SIGSET_SIZE`], before any other argument is copied in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SigSetSize;

impl<C: ?Sized> SyscallArg<C> for SigSetSize {
    #[inline]
    fn from_syscall_arg(_ctx: &mut C, raw: usize) -> LinuxResult<Self> {
        if raw == SIGSET_SIZE {
            Ok(Self)
        } else {
            Err(LinuxError::EINVAL)
        }
    }

    fn fmt_syscall_arg(raw: usize, format: ArgFormat, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_in(raw, format, f)
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;

    use super::*;
    use crate::syscall::TraceDisplay;

    #[test]
    fn sets_trace_like_strace() {
        let set = SigSet::EMPTY.with(2).with(15);
        assert_eq!(TraceDisplay(&set).to_string(), "[INT TERM]");
        assert_eq!(TraceDisplay(&SigSet::EMPTY).to_string(), "[]");
        let all_but = SigSet(!SigSet::EMPTY.with(9).with(19).0);
        assert_eq!(TraceDisplay(&all_but).to_string(), "~[KILL STOP]");
        assert_eq!(TraceDisplay(&SigSet(u64::MAX)).to_string(), "~[]");
        let rt = SigSet::EMPTY.with(32).with(33).with(64);
        assert_eq!(TraceDisplay(&rt).to_string(), "[RTMIN RT_1 RT_32]");
    }

    #[test]
    fn signal_numbers_outside_1_to_64_are_not_members() {
        let set = SigSet(u64::MAX);
        assert!(set.contains(1) && set.contains(64));
        assert!(!set.contains(0) && !set.contains(65));
        assert_eq!(SigSet::EMPTY.with(0).with(65), SigSet::EMPTY);
    }
}
