//! Waiting for descriptors: `select` and `pselect6` (fd-set bitmaps),
//! `poll` and `ppoll` (an in/out `pollfd` array), and epoll (a packed
//! `epoll_event` with a union inside).

use core::fmt;
use std::{
    cell::RefCell,
    collections::BTreeMap,
    rc::{Rc, Weak},
};

use axptr::{
    LinuxError, LinuxResult, SyscallArg, SyscallLen, syscall,
    syscall::{ArgFormat, FdSet, RawArg, SigSet},
};

use super::{
    FileKind, OpenFile, Process,
    args::{EpollOp, FdFlags, IntCount},
    own::SigmaskArgpack,
    signal,
    time::timespec_ns,
};
use crate::abi::{self, EpollEvent, Pollfd, Timespec, Timeval};

/// An epoll instance: the descriptors it watches and what for.
#[derive(Default)]
pub struct Epoll {
    interest: BTreeMap<i32, (Weak<RefCell<OpenFile>>, EpollEvent)>,
}

/// What `file` is ready for now, as `POLL*` bits (the same values as
/// `EPOLL*`).
fn events_of(p: &Process, file: &OpenFile) -> u32 {
    let (pollin, pollout, pollhup, pollerr) = (
        abi::POLLIN as u32,
        abi::POLLOUT as u32,
        abi::POLLHUP as u32,
        abi::POLLERR as u32,
    );
    match &file.kind {
        FileKind::Tty => pollout | if p.tty.input.is_empty() { 0 } else { pollin },
        FileKind::Node(_) | FileKind::Memfd(_) => pollin | pollout,
        FileKind::Pipe(end) => {
            let pipe = end.pipe.borrow();
            match end.write {
                false if pipe.writers == 0 => pollin | pollhup,
                false if !pipe.buf.is_empty() => pollin,
                false => 0,
                true if pipe.readers == 0 => pollerr,
                true if pipe.buf.len() < super::vfs::PIPE_CAPACITY => pollout,
                true => 0,
            }
        }
        FileKind::Socket(socket) => {
            let socket = socket.borrow();
            let readable = !socket.rx.is_empty() || socket.has_pending();
            match (socket.is_connected(), socket.was_connected) {
                (true, _) => pollout | if readable { pollin } else { 0 },
                (false, true) => pollin | pollhup,
                (false, false) => {
                    if readable {
                        pollin
                    } else {
                        0
                    }
                }
            }
        }
        FileKind::Epoll(epoll) => {
            if ready_events(p, &epoll.borrow(), 1).is_empty() {
                0
            } else {
                pollin
            }
        }
    }
}

/// The events of `fd`, `None` when it is not open.
fn fd_events(p: &Process, fd: i32) -> Option<u32> {
    let file = p.file(fd).ok()?;
    let file = file.borrow();
    Some(events_of(p, &file))
}

/// A `poll`/`ppoll` `nfds`: `EINVAL` above `RLIMIT_NOFILE`, before the
/// array is copied in (Linux checks it first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PollCount(pub usize);

impl SyscallArg<Process> for PollCount {
    fn from_syscall_arg(p: &mut Process, raw: usize) -> LinuxResult<Self> {
        let limit = p.rlimits[abi::RLIMIT_NOFILE as usize].rlim_cur;
        if raw as u64 > limit {
            return Err(LinuxError::EINVAL);
        }
        Ok(PollCount(raw))
    }

    fn fmt_syscall_arg(raw: usize, _: ArgFormat, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{raw}")
    }
}

impl SyscallLen for PollCount {
    fn syscall_len(&self) -> LinuxResult<usize> {
        Ok(self.0)
    }
}

/// Fills `revents`; returns how many entries have some.
fn poll_once(p: &Process, fds: &mut [Pollfd]) -> usize {
    let always = abi::POLLERR | abi::POLLHUP | abi::POLLNVAL;
    for pfd in fds.iter_mut() {
        pfd.revents = if pfd.fd < 0 {
            0
        } else {
            match fd_events(p, pfd.fd) {
                None => abi::POLLNVAL,
                Some(events) => events as i16 & (pfd.events | always),
            }
        };
    }
    fds.iter().filter(|pfd| pfd.revents != 0).count()
}

/// Waits (on the fake clock) until `check` finds something or the timeout
/// passes; `None` waits as long as a timer can end the wait.
fn wait_for(
    p: &mut Process,
    timeout_ns: Option<u64>,
    mut check: impl FnMut(&Process) -> usize,
) -> LinuxResult<usize> {
    let mut found = check(p);
    if found > 0 || timeout_ns == Some(0) {
        return Ok(found);
    }
    p.wait_until(timeout_ns, |p| {
        found = check(p);
        found > 0
    })?;
    Ok(found)
}

fn millis(timeout: i32) -> Option<u64> {
    u64::try_from(timeout).ok().map(|ms| ms * 1_000_000)
}

/// `poll(fds, nfds, timeout)`: the array is copied in, and back out after
/// `Ok` (`#[inout]`).
#[syscall]
pub fn sys_poll(
    p: &mut Process,
    #[len = nfds]
    #[inout]
    fds: &mut [Pollfd],
    nfds: PollCount,
    timeout: i32,
) -> LinuxResult<usize> {
    wait_for(p, millis(timeout), |p| poll_once(p, fds))
}

/// Runs `wait` with the signal mask `mask` in place (`ppoll`, `pselect6`,
/// `epoll_pwait`); a signal it lets through is delivered before the mask
/// comes back.
fn with_mask<T>(
    p: &mut Process,
    mask: Option<SigSet>,
    wait: impl FnOnce(&mut Process) -> LinuxResult<T>,
) -> LinuxResult<T> {
    let Some(mask) = mask else {
        return wait(p);
    };
    let saved = p.signals.mask;
    p.signals.mask = mask;
    let result = wait(p);
    signal::deliver(p);
    p.signals.mask = saved;
    result
}

/// Subtracts the time waited from a timeout (`ppoll`, `pselect6` and
/// `select` report what is left).
fn remaining(timeout_ns: Option<u64>, start: u64, now: u64) -> u64 {
    timeout_ns.map_or(0, |ns| ns.saturating_sub(now - start))
}

/// `ppoll(fds, nfds, tsp, sigmask, sigsetsize)`: the mask's size is
/// checked only if there is a mask (`#[size]`); `tsp` comes back with the
/// time left.
#[syscall]
pub fn sys_ppoll(
    p: &mut Process,
    #[len = nfds]
    #[inout]
    fds: &mut [Pollfd],
    nfds: PollCount,
    #[inout] tsp: Option<&mut Timespec>,
    #[size = sigsetsize] sigmask: Option<&SigSet>,
    sigsetsize: usize,
) -> LinuxResult<usize> {
    let timeout = tsp.as_deref().map(timespec_ns).transpose()?;
    let start = p.clock.now_ns;
    let found = with_mask(p, sigmask.copied(), |p| {
        wait_for(p, timeout, |p| poll_once(p, fds))
    })?;
    if let Some(tsp) = tsp {
        *tsp = super::time::timespec(remaining(timeout, start, p.clock.now_ns));
    }
    Ok(found)
}

/// One pass of `select`: which descriptors of the three sets are ready;
/// `EBADF` for a set bit naming a closed descriptor.
fn select_once(
    p: &Process,
    sets: [Option<&FdSet>; 3],
    out: &mut [Vec<usize>; 3],
) -> LinuxResult<usize> {
    let wanted = [
        abi::POLLIN as u32 | abi::POLLHUP as u32,
        abi::POLLOUT as u32 | abi::POLLERR as u32,
        abi::POLLPRI as u32,
    ];
    let mut count = 0;
    for ((set, ready), wanted) in sets.into_iter().zip(out.iter_mut()).zip(wanted) {
        ready.clear();
        let Some(set) = set else { continue };
        // Linux looks at the bits of the descriptor table's capacity only
        // (at least one `long`); a huge `nfds` costs no more.
        let capacity = p.files.len().max(usize::BITS as usize).min(set.nfds());
        for fd in (0..capacity).filter(|&fd| set.contains(fd)) {
            let fd32 = i32::try_from(fd).map_err(|_| LinuxError::EBADF)?;
            let events = fd_events(p, fd32).ok_or(LinuxError::EBADF)?;
            if events & wanted != 0 {
                ready.push(fd);
                count += 1;
            }
        }
    }
    Ok(count)
}

/// `select` and `pselect6`: waits, then leaves in each set only its
/// ready descriptors.
fn select(
    p: &mut Process,
    mut sets: [Option<&mut FdSet>; 3],
    timeout_ns: Option<u64>,
    mask: Option<SigSet>,
) -> LinuxResult<usize> {
    let mut ready: [Vec<usize>; 3] = Default::default();
    let mut error = None;
    let found = {
        let views = [sets[0].as_deref(), sets[1].as_deref(), sets[2].as_deref()];
        with_mask(p, mask, |p| {
            wait_for(p, timeout_ns, |p| match select_once(p, views, &mut ready) {
                Ok(count) => count,
                Err(err) => {
                    error = Some(err);
                    1
                }
            })
        })?
    };
    if let Some(err) = error {
        return Err(err);
    }
    for (set, ready) in sets.iter_mut().zip(&ready) {
        if let Some(set) = set {
            set.clear();
            for &fd in ready {
                set.insert(fd);
            }
        }
    }
    Ok(found)
}

/// `select(nfds, readfds, writefds, exceptfds, timeout)`: the sets are
/// copied in and out by the entry (`nfds` bits each); the timeout comes
/// back with the time left.
#[syscall]
pub fn sys_select(
    p: &mut Process,
    nfds: i32,
    #[len = nfds] readfds: Option<&mut FdSet>,
    #[len = nfds] writefds: Option<&mut FdSet>,
    #[len = nfds] exceptfds: Option<&mut FdSet>,
    #[inout] timeout: Option<&mut Timeval>,
) -> LinuxResult<usize> {
    let timeout_ns = match timeout.as_deref() {
        None => None,
        Some(tv) if tv.tv_sec < 0 || !(0..1_000_000).contains(&tv.tv_usec) => {
            return Err(LinuxError::EINVAL);
        }
        Some(tv) => Some(
            (tv.tv_sec as u64)
                .saturating_mul(1_000_000_000)
                .saturating_add(tv.tv_usec as u64 * 1000),
        ),
    };
    let start = p.clock.now_ns;
    let found = select(p, [readfds, writefds, exceptfds], timeout_ns, None)?;
    if let Some(timeout) = timeout {
        let left = remaining(timeout_ns, start, p.clock.now_ns);
        *timeout = Timeval {
            tv_sec: (left / 1_000_000_000) as i64,
            tv_usec: (left % 1_000_000_000 / 1000) as i64,
        };
    }
    Ok(found)
}

/// `pselect6(nfds, readfds, writefds, exceptfds, timeout, sigmask)`: the
/// sixth argument points to a sigset pointer and its size, read by the
/// kernel's own kind (`SigmaskArgpack`).
#[syscall]
pub fn sys_pselect6(
    p: &mut Process,
    nfds: i32,
    #[len = nfds] readfds: Option<&mut FdSet>,
    #[len = nfds] writefds: Option<&mut FdSet>,
    #[len = nfds] exceptfds: Option<&mut FdSet>,
    #[inout] timeout: Option<&mut Timespec>,
    sigmask: SigmaskArgpack,
) -> LinuxResult<usize> {
    let timeout_ns = timeout.as_deref().map(timespec_ns).transpose()?;
    let start = p.clock.now_ns;
    let found = select(p, [readfds, writefds, exceptfds], timeout_ns, sigmask.0)?;
    if let Some(timeout) = timeout {
        *timeout = super::time::timespec(remaining(timeout_ns, start, p.clock.now_ns));
    }
    Ok(found)
}

/// `epoll_create1(flags)`.
#[syscall]
pub fn sys_epoll_create1(p: &mut Process, flags: FdFlags) -> LinuxResult<i32> {
    if flags.0 & !abi::EPOLL_CLOEXEC != 0 {
        return Err(LinuxError::EINVAL);
    }
    let epoll = Rc::new(RefCell::new(Epoll::default()));
    let file = OpenFile::new(
        FileKind::Epoll(epoll),
        abi::O_RDWR,
        b"anon_inode:[eventpoll]",
    );
    p.install(file, flags.has(abi::EPOLL_CLOEXEC))
}

/// `epoll_ctl(epfd, op, fd, event)`: whether `event` is read depends on
/// `op` (`EPOLL_CTL_DEL` ignores it), and Linux reads it before it looks
/// at the descriptors: the body converts it first.
#[syscall]
pub fn sys_epoll_ctl(
    p: &mut Process,
    epfd: i32,
    op: EpollOp,
    fd: i32,
    event: RawArg,
) -> LinuxResult<()> {
    let has_event = matches!(op.0, abi::EPOLL_CTL_ADD | abi::EPOLL_CTL_MOD);
    let event: Option<EpollEvent> = if has_event {
        Some(event.read(p)?)
    } else {
        None
    };
    let epoll = p.file(epfd)?;
    let target = p.file(fd)?;
    if epfd == fd {
        return Err(LinuxError::EINVAL);
    }
    if matches!(target.borrow().kind, FileKind::Node(_) | FileKind::Memfd(_)) {
        // Regular files are always ready: Linux refuses to watch them.
        return Err(LinuxError::EPERM);
    }
    let epoll = match &epoll.borrow().kind {
        FileKind::Epoll(epoll) => epoll.clone(),
        _ => return Err(LinuxError::EINVAL),
    };
    let mut epoll = epoll.borrow_mut();
    let exists = epoll.interest.contains_key(&fd);
    match (op.0, event) {
        (abi::EPOLL_CTL_ADD, Some(_)) if exists => Err(LinuxError::EEXIST),
        (abi::EPOLL_CTL_MOD | abi::EPOLL_CTL_DEL, _) if !exists => Err(LinuxError::ENOENT),
        (abi::EPOLL_CTL_ADD | abi::EPOLL_CTL_MOD, Some(event)) => {
            epoll.interest.insert(fd, (Rc::downgrade(&target), event));
            Ok(())
        }
        (abi::EPOLL_CTL_DEL, _) => {
            epoll.interest.remove(&fd);
            Ok(())
        }
        _ => Err(LinuxError::EINVAL),
    }
}

/// The ready events of an epoll instance, at most `max`.
fn ready_events(p: &Process, epoll: &Epoll, max: usize) -> Vec<EpollEvent> {
    let always = abi::EPOLLERR | abi::EPOLLHUP;
    epoll
        .interest
        .values()
        .filter_map(|(file, event)| {
            let file = file.upgrade()?;
            let file = file.borrow();
            let wanted = event.events;
            let ready = events_of(p, &file) & (wanted | always);
            (ready != 0).then(|| EpollEvent::new(ready, event.data_u64()))
        })
        .take(max)
        .collect()
}

/// `epoll_wait` and `epoll_pwait`.
fn epoll_wait(
    p: &mut Process,
    epfd: i32,
    events: &mut [EpollEvent],
    timeout: i32,
    mask: Option<SigSet>,
) -> LinuxResult<usize> {
    let epoll = match &p.file(epfd)?.borrow().kind {
        FileKind::Epoll(epoll) => epoll.clone(),
        _ => return Err(LinuxError::EINVAL),
    };
    let max = events.len();
    let mut ready = Vec::new();
    with_mask(p, mask, |p| {
        wait_for(p, millis(timeout), |p| {
            ready = ready_events(p, &epoll.borrow(), max);
            ready.len()
        })
    })?;
    for (slot, event) in events.iter_mut().zip(&ready) {
        *slot = *event;
    }
    Ok(ready.len())
}

/// The most events one call returns.
const MAX_EVENTS: usize = abi::EP_MAX_EVENTS;

/// `epoll_wait(epfd, events, maxevents, timeout)`: `maxevents` is checked
/// first (`EINVAL` unless 1..=`EP_MAX_EVENTS`), then the array, then the
/// descriptor, as Linux does; the events the result counts are copied out.
#[syscall]
pub fn sys_epoll_wait(
    p: &mut Process,
    epfd: i32,
    #[len = maxevents] events: &mut [EpollEvent],
    maxevents: IntCount<1, MAX_EVENTS>,
    timeout: i32,
) -> LinuxResult<usize> {
    epoll_wait(p, epfd, events, timeout, None)
}

/// `epoll_pwait(epfd, events, maxevents, timeout, sigmask, sigsetsize)`.
#[syscall]
pub fn sys_epoll_pwait(
    p: &mut Process,
    epfd: i32,
    #[len = maxevents] events: &mut [EpollEvent],
    maxevents: IntCount<1, MAX_EVENTS>,
    timeout: i32,
    #[size = sigsetsize] sigmask: Option<&SigSet>,
    sigsetsize: usize,
) -> LinuxResult<usize> {
    epoll_wait(p, epfd, events, timeout, sigmask.copied())
}
