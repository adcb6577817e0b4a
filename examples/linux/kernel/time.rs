//! The fake clock, interval timers and POSIX timers, and the time
//! syscalls. Only sleeps and waits move the clock (and each syscall
//! charges a microsecond of CPU time), so every run prints the same times.

use axptr::{LinuxError, LinuxResult, UserPtr, syscall};

use super::{
    Process,
    args::{ClockId, ItimerWhich, TimerFlags},
    signal,
};
use crate::abi::{
    self, Itimerspec, Itimerval, NSEC_PER_SEC, Sigevent, Siginfo, Sigval, Timespec, Timeval,
    Timezone, Tms,
};

/// Seconds since the epoch when the machine booted (`CLOCK_REALTIME` is
/// this plus `CLOCK_MONOTONIC`).
const BOOT_EPOCH: i64 = 1_700_000_000;
/// The monotonic clock at boot of the model: 1000 s, as if it had run a
/// while.
const BOOT_MONOTONIC_NS: u64 = 1000 * NSEC_PER_SEC as u64;
/// CPU time charged per syscall.
const SYSCALL_CPU_NS: u64 = 1000;
/// Clock ticks per second (`times`).
const USER_HZ: u64 = 100;
/// The most POSIX timers a process may have.
const MAX_TIMERS: usize = 32;

/// An armed interval timer or POSIX timer: when it fires next and its
/// period (0: once).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Expiry {
    pub at_ns: u64,
    pub interval_ns: u64,
}

/// A POSIX timer (`timer_create`).
#[derive(Clone, Copy)]
pub struct PosixTimer {
    pub clock: i32,
    pub signo: u32,
    pub notify: i32,
    pub value: Sigval,
    pub armed: Option<Expiry>,
    pub overrun: i32,
}

/// The machine's clocks and the process's timers.
pub struct Clock {
    /// `CLOCK_MONOTONIC` in nanoseconds.
    pub now_ns: u64,
    /// The process's CPU time.
    pub cpu_ns: u64,
    /// `ITIMER_REAL` (fires `SIGALRM`).
    pub itimer_real: Option<Expiry>,
    /// `ITIMER_VIRTUAL` and `ITIMER_PROF`: kept, never fire (the model's
    /// CPU time barely moves).
    pub itimer_cpu: [Itimerval; 2],
    pub timers: Vec<Option<PosixTimer>>,
}

impl Default for Clock {
    fn default() -> Self {
        Self {
            now_ns: BOOT_MONOTONIC_NS,
            cpu_ns: 0,
            itimer_real: None,
            itimer_cpu: [Itimerval::default(); 2],
            timers: Vec::new(),
        }
    }
}

pub fn timespec(ns: u64) -> Timespec {
    Timespec {
        tv_sec: (ns / NSEC_PER_SEC as u64) as i64,
        tv_nsec: (ns % NSEC_PER_SEC as u64) as i64,
    }
}

fn timeval(ns: u64) -> Timeval {
    Timeval {
        tv_sec: (ns / NSEC_PER_SEC as u64) as i64,
        tv_usec: (ns % NSEC_PER_SEC as u64 / 1000) as i64,
    }
}

/// A user timespec in nanoseconds: `EINVAL` for a negative one or
/// nanoseconds out of range (Linux's `timespec64_valid`), saturating at
/// the far future.
pub fn timespec_ns(ts: &Timespec) -> LinuxResult<u64> {
    if ts.tv_sec < 0 || !(0..NSEC_PER_SEC).contains(&ts.tv_nsec) {
        return Err(LinuxError::EINVAL);
    }
    // OVERFLOW: a hostile `tv_sec` saturates: "forever".
    Ok((ts.tv_sec as u64)
        .saturating_mul(NSEC_PER_SEC as u64)
        .saturating_add(ts.tv_nsec as u64))
}

/// As [`timespec_ns`], for a `timeval` (microseconds below a million).
fn timeval_ns(tv: &Timeval) -> LinuxResult<u64> {
    if tv.tv_sec < 0 || !(0..1_000_000).contains(&tv.tv_usec) {
        return Err(LinuxError::EINVAL);
    }
    Ok((tv.tv_sec as u64)
        .saturating_mul(NSEC_PER_SEC as u64)
        .saturating_add(tv.tv_usec as u64 * 1000))
}

impl Clock {
    pub fn realtime(&self) -> Timespec {
        let mut ts = timespec(self.now_ns);
        ts.tv_sec += BOOT_EPOCH;
        ts
    }

    pub fn charge_syscall(&mut self) {
        self.cpu_ns += SYSCALL_CPU_NS;
    }

    /// Reads `clock`.
    pub fn read(&self, clock: ClockId) -> LinuxResult<Timespec> {
        match clock.0 {
            abi::CLOCK_REALTIME => Ok(self.realtime()),
            abi::CLOCK_MONOTONIC | abi::CLOCK_BOOTTIME => Ok(timespec(self.now_ns)),
            abi::CLOCK_PROCESS_CPUTIME_ID | abi::CLOCK_THREAD_CPUTIME_ID => {
                Ok(timespec(self.cpu_ns))
            }
            _ => Err(LinuxError::EINVAL),
        }
    }

    /// The remaining time and period of a timer, as `itimerspec`.
    fn itimerspec(&self, expiry: Option<Expiry>) -> Itimerspec {
        match expiry {
            Some(expiry) => Itimerspec {
                it_interval: timespec(expiry.interval_ns),
                it_value: timespec(expiry.at_ns.saturating_sub(self.now_ns).max(1)),
            },
            None => Itimerspec::default(),
        }
    }

    /// When the next timer fires, if any is armed.
    pub fn next_expiry(&self) -> Option<u64> {
        let posix = self
            .timers
            .iter()
            .flatten()
            .filter_map(|timer| timer.armed.map(|armed| armed.at_ns));
        self.itimer_real
            .map(|armed| armed.at_ns)
            .into_iter()
            .chain(posix)
            .min()
    }
}

impl Process {
    /// Moves the clock to `target_ns` and fires the timers due by then,
    /// each once: a periodic timer that expired several times on the way
    /// counts the missed expiries as its overrun (a hostile 1 ns period
    /// costs one step, not a billion).
    pub fn advance_to(&mut self, target_ns: u64) {
        let now = self.clock.now_ns.max(target_ns);
        self.clock.now_ns = now;
        // The next expiry after `now`, and how many were missed.
        let rearm = |armed: Expiry| -> (Option<Expiry>, u64) {
            if armed.interval_ns == 0 {
                return (None, 0);
            }
            let missed = (now - armed.at_ns) / armed.interval_ns;
            let next = missed
                .saturating_add(1)
                .saturating_mul(armed.interval_ns)
                .saturating_add(armed.at_ns);
            let expiry = Expiry {
                at_ns: next,
                interval_ns: armed.interval_ns,
            };
            (Some(expiry), missed)
        };
        if let Some(armed) = self.clock.itimer_real.filter(|armed| armed.at_ns <= now) {
            self.clock.itimer_real = rearm(armed).0;
            let info = Siginfo::user(abi::SIGALRM, abi::SI_KERNEL, 0, 0);
            signal::generate(self, info);
        }
        for id in 0..self.clock.timers.len() {
            let Some(Some(timer)) = self.clock.timers.get_mut(id) else {
                continue;
            };
            let Some(armed) = timer.armed.filter(|armed| armed.at_ns <= now) else {
                continue;
            };
            let (next, missed) = rearm(armed);
            timer.armed = next;
            timer.overrun = i32::try_from(missed).unwrap_or(i32::MAX);
            let timer = *timer;
            if timer.notify != abi::SIGEV_NONE {
                let info = Siginfo::timer(timer.signo, id as i32, timer.overrun, timer.value);
                signal::generate(self, info);
            }
        }
    }

    /// Sleeps until `target_ns`, unless a timer's signal interrupts the
    /// sleep first (`Err(remaining)`).
    pub fn sleep_until(&mut self, target_ns: u64) -> Result<(), u64> {
        for _ in 0..MAX_WAIT_STEPS {
            match self.clock.next_expiry().filter(|&at| at <= target_ns) {
                Some(at) => self.advance_to(at),
                None => break,
            }
            if signal::has_deliverable(self) {
                return Err(target_ns - self.clock.now_ns);
            }
        }
        self.advance_to(target_ns);
        if signal::has_deliverable(self) {
            return Err(0);
        }
        Ok(())
    }

    /// Waits up to `timeout_ns` for `ready` to hold, moving the clock to
    /// the timers on the way; `None` waits as long as a timer can end the
    /// wait. Returns whether `ready` held (a signal to deliver ends the
    /// wait with `EINTR`). After [`MAX_WAIT_STEPS`] timer expiries the
    /// clock jumps to the deadline (or the wait ends with `EAGAIN`).
    pub fn wait_until(
        &mut self,
        timeout_ns: Option<u64>,
        mut ready: impl FnMut(&mut Process) -> bool,
    ) -> LinuxResult<bool> {
        let deadline = timeout_ns.map(|ns| self.clock.now_ns.saturating_add(ns));
        for _ in 0..MAX_WAIT_STEPS {
            if ready(self) {
                return Ok(true);
            }
            let next = self.clock.next_expiry();
            match (next, deadline) {
                (Some(at), Some(deadline)) if at <= deadline => self.advance_to(at),
                (Some(at), None) => self.advance_to(at),
                (_, Some(deadline)) => {
                    self.advance_to(deadline);
                    return Ok(ready(self));
                }
                (None, None) => break,
            }
            if signal::has_deliverable(self) {
                return Err(LinuxError::EINTR);
            }
        }
        if let Some(deadline) = deadline {
            self.advance_to(deadline);
            return Ok(ready(self));
        }
        self.printk("[kernel] nothing can end this wait; the model returns EAGAIN");
        Err(LinuxError::EAGAIN)
    }
}

/// The most timer expiries one wait steps through before the clock jumps.
const MAX_WAIT_STEPS: usize = 1000;

/// `clock_gettime(clockid, tp)`.
#[syscall]
pub fn sys_clock_gettime(
    p: &mut Process,
    clock: ClockId,
    #[out] tp: &mut Timespec,
) -> LinuxResult<()> {
    *tp = p.clock.read(clock)?;
    Ok(())
}

/// `clock_getres(clockid, res)`: `res` may be null.
#[syscall]
pub fn sys_clock_getres(
    p: &mut Process,
    clock: ClockId,
    #[out] res: Option<&mut Timespec>,
) -> LinuxResult<()> {
    p.clock.read(clock)?;
    if let Some(res) = res {
        *res = Timespec {
            tv_sec: 0,
            tv_nsec: 1,
        };
    }
    Ok(())
}

/// Sleeps `req`; on a signal, `rem` gets what was left and the call
/// fails with `EINTR` (an output on an error: written by the body).
fn sleep(p: &mut Process, target_ns: u64, rem: Option<UserPtr<Timespec>>) -> LinuxResult<()> {
    match p.sleep_until(target_ns) {
        Ok(()) => Ok(()),
        Err(left) => {
            if let Some(rem) = rem {
                rem.write(p, timespec(left))?;
            }
            Err(LinuxError::EINTR)
        }
    }
}

/// `nanosleep(req, rem)`.
#[syscall]
pub fn sys_nanosleep(
    p: &mut Process,
    req: &Timespec,
    rem: Option<UserPtr<Timespec>>,
) -> LinuxResult<()> {
    let target = p.clock.now_ns.saturating_add(timespec_ns(req)?);
    sleep(p, target, rem)
}

/// `clock_nanosleep(clockid, flags, req, rem)`.
#[syscall]
pub fn sys_clock_nanosleep(
    p: &mut Process,
    clock: ClockId,
    flags: TimerFlags,
    req: &Timespec,
    rem: Option<UserPtr<Timespec>>,
) -> LinuxResult<()> {
    let realtime = match clock.0 {
        abi::CLOCK_REALTIME => true,
        abi::CLOCK_MONOTONIC | abi::CLOCK_BOOTTIME => false,
        abi::CLOCK_THREAD_CPUTIME_ID => return Err(LinuxError::EINVAL),
        _ => return Err(LinuxError::EOPNOTSUPP),
    };
    let req_ns = timespec_ns(req)?;
    if !flags.has(abi::TIMER_ABSTIME) {
        let target = p.clock.now_ns.saturating_add(req_ns);
        return sleep(p, target, rem);
    }
    // An absolute time: on the monotonic scale; never writes `rem`.
    let epoch = if realtime {
        BOOT_EPOCH as u64 * NSEC_PER_SEC as u64
    } else {
        0
    };
    let target = req_ns.saturating_sub(epoch);
    sleep(p, target.max(p.clock.now_ns), None)
}

/// `gettimeofday(tv, tz)`: both optional.
#[syscall]
pub fn sys_gettimeofday(
    p: &mut Process,
    #[out] tv: Option<&mut Timeval>,
    #[out] tz: Option<&mut Timezone>,
) -> LinuxResult<()> {
    if let Some(tv) = tv {
        let now = p.clock.realtime();
        *tv = Timeval {
            tv_sec: now.tv_sec,
            tv_usec: now.tv_nsec / 1000,
        };
    }
    if let Some(tz) = tz {
        *tz = Timezone::default();
    }
    Ok(())
}

/// `times(buf)`: the CPU times, and the clock ticks since boot.
#[syscall]
pub fn sys_times(p: &mut Process, #[out] buf: Option<&mut Tms>) -> LinuxResult<isize> {
    let ticks = |ns: u64| (ns / (NSEC_PER_SEC as u64 / USER_HZ)) as i64;
    if let Some(buf) = buf {
        *buf = Tms {
            tms_utime: ticks(p.clock.cpu_ns / 2),
            tms_stime: ticks(p.clock.cpu_ns / 2),
            ..Tms::default()
        };
    }
    Ok(ticks(p.clock.now_ns) as isize)
}

fn itimerval(spec: Itimerspec) -> Itimerval {
    let ns = |ts: Timespec| timespec_ns(&ts).unwrap_or(0);
    Itimerval {
        it_interval: timeval(ns(spec.it_interval)),
        it_value: timeval(ns(spec.it_value)),
    }
}

/// The slot of the CPU-time interval timers (`ITIMER_VIRTUAL`,
/// `ITIMER_PROF`).
fn cpu_timer(which: ItimerWhich) -> LinuxResult<usize> {
    match which.0 {
        abi::ITIMER_VIRTUAL => Ok(0),
        abi::ITIMER_PROF => Ok(1),
        _ => Err(LinuxError::EINVAL),
    }
}

/// `getitimer(which, value)`.
#[syscall]
pub fn sys_getitimer(
    p: &mut Process,
    which: ItimerWhich,
    #[out] value: &mut Itimerval,
) -> LinuxResult<()> {
    *value = match which.0 {
        abi::ITIMER_REAL => itimerval(p.clock.itimerspec(p.clock.itimer_real)),
        _ => p.clock.itimer_cpu[cpu_timer(which)?],
    };
    Ok(())
}

/// `setitimer(which, value, ovalue)`: a null `value` disarms the timer (a
/// misfeature Linux keeps).
#[syscall]
pub fn sys_setitimer(
    p: &mut Process,
    which: ItimerWhich,
    value: Option<&Itimerval>,
    #[out] ovalue: Option<&mut Itimerval>,
) -> LinuxResult<()> {
    let new = value.copied().unwrap_or_default();
    let value_ns = timeval_ns(&new.it_value)?;
    let interval_ns = timeval_ns(&new.it_interval)?;
    let old = match which.0 {
        abi::ITIMER_REAL => {
            let old = itimerval(p.clock.itimerspec(p.clock.itimer_real));
            p.clock.itimer_real = (value_ns > 0).then(|| Expiry {
                at_ns: p.clock.now_ns.saturating_add(value_ns),
                interval_ns,
            });
            old
        }
        _ => {
            let slot = cpu_timer(which)?;
            core::mem::replace(&mut p.clock.itimer_cpu[slot], new)
        }
    };
    if let Some(ovalue) = ovalue {
        *ovalue = old;
    }
    Ok(())
}

/// `timer_create(clockid, sevp, timerid)`: the id is written before the
/// timer exists for user space; if that write fails, the timer is gone
/// again (Linux's order), which `#[out]` cannot express: the body writes.
#[syscall]
pub fn sys_timer_create(
    p: &mut Process,
    clock: ClockId,
    sevp: Option<&Sigevent>,
    timerid: UserPtr<i32>,
) -> LinuxResult<()> {
    p.clock.read(clock)?;
    let slot = match p.clock.timers.iter().position(Option::is_none) {
        Some(free) => free,
        None if p.clock.timers.len() < MAX_TIMERS => {
            p.clock.timers.push(None);
            p.clock.timers.len() - 1
        }
        None => return Err(LinuxError::EAGAIN),
    };
    let id = slot as i32;
    let (signo, notify, value) = match sevp {
        None => (abi::SIGALRM, abi::SIGEV_SIGNAL, Sigval::ptr(id as u64)),
        Some(sev) => {
            match sev.sigev_notify {
                abi::SIGEV_SIGNAL | abi::SIGEV_NONE => {}
                abi::SIGEV_THREAD_ID if sev.thread_id() == p.tid => {}
                _ => return Err(LinuxError::EINVAL),
            }
            let signo = u32::try_from(sev.sigev_signo).map_err(|_| LinuxError::EINVAL)?;
            if sev.sigev_notify != abi::SIGEV_NONE && !(1..=abi::NSIG).contains(&signo) {
                return Err(LinuxError::EINVAL);
            }
            (signo, sev.sigev_notify, sev.sigev_value)
        }
    };
    timerid.write(p, id)?;
    p.clock.timers[slot] = Some(PosixTimer {
        clock: clock.0,
        signo,
        notify,
        value,
        armed: None,
        overrun: 0,
    });
    Ok(())
}

fn timer(p: &mut Process, id: i32) -> LinuxResult<&mut PosixTimer> {
    usize::try_from(id)
        .ok()
        .and_then(|id| p.clock.timers.get_mut(id))
        .and_then(Option::as_mut)
        .ok_or(LinuxError::EINVAL)
}

/// `timer_settime(timerid, flags, new, old)`.
#[syscall]
pub fn sys_timer_settime(
    p: &mut Process,
    timerid: i32,
    flags: TimerFlags,
    new: &Itimerspec,
    #[out] old: Option<&mut Itimerspec>,
) -> LinuxResult<()> {
    let value_ns = timespec_ns(&new.it_value)?;
    let interval_ns = timespec_ns(&new.it_interval)?;
    let now = p.clock.now_ns;
    let realtime_epoch = BOOT_EPOCH as u64 * NSEC_PER_SEC as u64;
    let previous = {
        let timer = timer(p, timerid)?;
        let at_ns = if flags.has(abi::TIMER_ABSTIME) {
            let epoch = if timer.clock == abi::CLOCK_REALTIME {
                realtime_epoch
            } else {
                0
            };
            value_ns.saturating_sub(epoch).max(now)
        } else {
            now.saturating_add(value_ns)
        };
        let previous = timer.armed;
        timer.armed = (value_ns > 0).then_some(Expiry { at_ns, interval_ns });
        previous
    };
    if let Some(old) = old {
        *old = p.clock.itimerspec(previous);
    }
    // An absolute time in the past fires at once.
    p.advance_to(now);
    Ok(())
}

/// `timer_gettime(timerid, curr)`.
#[syscall]
pub fn sys_timer_gettime(
    p: &mut Process,
    timerid: i32,
    #[out] curr: &mut Itimerspec,
) -> LinuxResult<()> {
    let armed = timer(p, timerid)?.armed;
    *curr = p.clock.itimerspec(armed);
    Ok(())
}
