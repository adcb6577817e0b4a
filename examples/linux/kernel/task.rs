//! The process and its threads: identity, limits, `uname`/`sysinfo`,
//! `prctl`, futexes, `set_tid_address` and `set_robust_list` (pointers
//! kept for a write at exit), `clone3`'s extensible `clone_args`,
//! `sched_setattr`/`sched_getattr`, `execve`'s argument arrays,
//! `getrandom`, and `process_vm_readv`/`process_vm_writev` into another
//! process's memory.

use core::ffi::CStr;
use std::ffi::CString;

use axptr::{
    LinuxError, LinuxResult, SyscallArg, UserPtr, UserReader, UserWriter,
    iovec::{IoVecReader, IoVecWriter},
    syscall,
    syscall::{ArgFormat, Extensible, RawArg},
};

use super::{
    NR_CPUS, Process,
    args::{DirFd, FutexOp, GrndFlags, IntCount, PrctlOption, Resource, RusageWho},
    own::ExtensibleOut,
    signal,
    time::{timespec, timespec_ns},
};
use crate::abi::{
    self, CloneArgs, Rlimit, RobustListHead, Rusage, SchedAttr, SchedParam, Siginfo, Sysinfo,
    Timespec, Timeval, UTS_LEN, Utsname,
};

/// A thread made by `clone3`. The model runs it to its first blocking
/// point at once: like a pool's worker, it waits on the futex word its
/// `child_tid` names until woken, then exits.
#[derive(Clone, Copy, Debug)]
pub struct Thread {
    pub tid: i32,
    /// `CLONE_CHILD_CLEARTID`: written with 0 (and woken) at exit.
    pub clear_child_tid: Option<UserPtr<i32>>,
    /// The futex word it waits on.
    pub waiting_on: Option<usize>,
}

/// What `execve` copied (the model records the new image instead of
/// replacing the running program).
#[derive(Debug, PartialEq, Eq)]
pub struct Exec {
    pub path: String,
    pub argv: Vec<String>,
    pub envp: Vec<String>,
}

/// `getpid()`.
#[syscall]
pub fn sys_getpid(p: &mut Process) -> LinuxResult<i32> {
    Ok(p.pid)
}

/// `gettid()`.
#[syscall]
pub fn sys_gettid(p: &mut Process) -> LinuxResult<i32> {
    Ok(p.tid)
}

fn uts_field(text: &[u8]) -> [u8; UTS_LEN] {
    let mut field = [0; UTS_LEN];
    for (dst, src) in field.iter_mut().zip(text.iter().take(UTS_LEN - 1)) {
        *dst = *src;
    }
    field
}

/// `uname(buf)`: a structure copied out after `Ok`.
#[syscall]
pub fn sys_uname(p: &mut Process, #[out] buf: &mut Utsname) -> LinuxResult<()> {
    *buf = Utsname {
        sysname: uts_field(b"Linux"),
        nodename: uts_field(&p.hostname),
        release: uts_field(b"6.12.0-axptr"),
        version: uts_field(b"#1 SMP PREEMPT (simulated)"),
        machine: uts_field(b"x86_64"),
        domainname: uts_field(b"(none)"),
    };
    Ok(())
}

/// `sethostname(name, len)`: at most 64 bytes (`EINVAL` before the copy).
#[syscall]
pub fn sys_sethostname(
    p: &mut Process,
    #[len = len] name: &[u8],
    len: IntCount<0, { UTS_LEN - 1 }>,
) -> LinuxResult<()> {
    p.hostname = name.to_vec();
    Ok(())
}

/// `sysinfo(info)`: padding included, every byte of the structure is
/// defined (the derive proved there is no implicit padding).
#[syscall]
pub fn sys_sysinfo(p: &mut Process, #[out] info: &mut Sysinfo) -> LinuxResult<()> {
    *info = Sysinfo {
        uptime: (p.clock.now_ns / 1_000_000_000) as i64,
        loads: [2048, 1024, 512],
        totalram: 256 << 20,
        freeram: 200 << 20,
        procs: u16::try_from(2 + p.threads.len()).unwrap_or(u16::MAX),
        mem_unit: 1,
        ..Sysinfo::default()
    };
    Ok(())
}

fn rlimit_slot(resource: Resource) -> LinuxResult<usize> {
    Some(resource.0 as usize)
        .filter(|&slot| slot < abi::RLIM_NLIMITS)
        .ok_or(LinuxError::EINVAL)
}

/// Sets a limit: the soft one at most the hard one (`EINVAL`).
fn set_rlimit(p: &mut Process, slot: usize, new: &Rlimit) -> LinuxResult<()> {
    if new.rlim_cur > new.rlim_max {
        return Err(LinuxError::EINVAL);
    }
    if slot == abi::RLIMIT_NOFILE as usize && new.rlim_max > 1 << 20 {
        return Err(LinuxError::EPERM);
    }
    p.rlimits[slot] = *new;
    Ok(())
}

/// `getrlimit(resource, rlim)`.
#[syscall]
pub fn sys_getrlimit(
    p: &mut Process,
    resource: Resource,
    #[out] rlim: &mut Rlimit,
) -> LinuxResult<()> {
    *rlim = p.rlimits[rlimit_slot(resource)?];
    Ok(())
}

/// `setrlimit(resource, rlim)`.
#[syscall]
pub fn sys_setrlimit(p: &mut Process, resource: Resource, rlim: &Rlimit) -> LinuxResult<()> {
    let slot = rlimit_slot(resource)?;
    set_rlimit(p, slot, rlim)
}

/// `prlimit64(pid, resource, new, old)`: both structures optional.
#[syscall]
pub fn sys_prlimit64(
    p: &mut Process,
    pid: i32,
    resource: Resource,
    new: Option<&Rlimit>,
    #[out] old: Option<&mut Rlimit>,
) -> LinuxResult<()> {
    let slot = rlimit_slot(resource)?;
    if pid != 0 && pid != p.pid {
        return Err(if p.peers.contains_key(&pid) {
            LinuxError::EPERM
        } else {
            LinuxError::ESRCH
        });
    }
    let previous = p.rlimits[slot];
    if let Some(new) = new {
        set_rlimit(p, slot, new)?;
    }
    if let Some(old) = old {
        *old = previous;
    }
    Ok(())
}

/// `getrusage(who, usage)`.
#[syscall]
pub fn sys_getrusage(
    p: &mut Process,
    who: RusageWho,
    #[out] usage: &mut Rusage,
) -> LinuxResult<()> {
    let cpu = match who.0 {
        abi::RUSAGE_SELF | abi::RUSAGE_THREAD => p.clock.cpu_ns,
        abi::RUSAGE_CHILDREN => 0,
        _ => return Err(LinuxError::EINVAL),
    };
    let half = Timeval {
        tv_sec: 0,
        tv_usec: (cpu / 2 / 1000) as i64,
    };
    *usage = Rusage {
        ru_utime: half,
        ru_stime: half,
        ru_maxrss: 2048,
        ru_nvcsw: 3,
        ..Rusage::default()
    };
    Ok(())
}

/// `getgroups(size, list)`: a zero size asks for the count; a smaller
/// array is `EINVAL`; only the groups the result counts are copied out.
#[syscall]
pub fn sys_getgroups(
    p: &mut Process,
    size: i32,
    #[len = size] list: &mut [u32],
) -> LinuxResult<usize> {
    let count = p.groups.len();
    if size == 0 {
        return Ok(count);
    }
    let out = list.get_mut(..count).ok_or(LinuxError::EINVAL)?;
    out.copy_from_slice(&p.groups);
    Ok(count)
}

/// `setgroups(size, list)`: `size` above `NGROUPS_MAX` is `EINVAL` before
/// the array is copied in.
#[syscall]
pub fn sys_setgroups(
    p: &mut Process,
    size: IntCount<0, { abi::NGROUPS_MAX }>,
    #[len = size] list: &[u32],
) -> LinuxResult<()> {
    p.groups = list.to_vec();
    Ok(())
}

/// `getresuid(ruid, euid, suid)`: three integers out.
#[syscall]
pub fn sys_getresuid(
    p: &mut Process,
    #[out] ruid: &mut u32,
    #[out] euid: &mut u32,
    #[out] suid: &mut u32,
) -> LinuxResult<()> {
    (*ruid, *euid, *suid) = (p.uid, p.uid, p.uid);
    Ok(())
}

/// `prctl(option, arg2, arg3, arg4, arg5)`: `arg2` is an `int`, a string
/// or a buffer, depending on `option`.
#[syscall]
pub fn sys_prctl(
    p: &mut Process,
    option: PrctlOption,
    arg2: RawArg,
    arg3: usize,
    arg4: usize,
    arg5: usize,
) -> LinuxResult<isize> {
    let _ = (arg3, arg4, arg5);
    match option.0 {
        abi::PR_SET_NAME => {
            // `strncpy_from_user` of 15 bytes: a longer name is cut, not an
            // error; a fault before the NUL or the 15th byte is EFAULT.
            let mut name = [0u8; abi::TASK_COMM_LEN - 1];
            let n = arg2
                .user_const_ptr::<u8>()
                .read_slice_partial(p, &mut name)?;
            let end = name[..n].iter().position(|&b| b == 0);
            if end.is_none() && n < name.len() {
                return Err(LinuxError::EFAULT);
            }
            let len = end.unwrap_or(n);
            p.comm = [0; abi::TASK_COMM_LEN];
            p.comm[..len].copy_from_slice(&name[..len]);
            Ok(0)
        }
        abi::PR_GET_NAME => {
            let comm = p.comm;
            arg2.user_ptr::<[u8; abi::TASK_COMM_LEN]>().write(p, comm)?;
            Ok(0)
        }
        abi::PR_GET_DUMPABLE => Ok(isize::from(p.dumpable)),
        abi::PR_SET_DUMPABLE => match arg2.raw() {
            0 | 1 => {
                p.dumpable = arg2.raw() == 1;
                Ok(0)
            }
            _ => Err(LinuxError::EINVAL),
        },
        _ => Err(LinuxError::EINVAL),
    }
}

/// A futex word's address: 4-aligned (`EINVAL`).
fn futex_word(uaddr: RawArg) -> LinuxResult<usize> {
    let addr = uaddr.raw();
    if addr % 4 != 0 {
        return Err(LinuxError::EINVAL);
    }
    Ok(addr)
}

/// Wakes up to `count` threads waiting on `addr`; each runs to its exit.
fn futex_wake(p: &mut Process, addr: usize, count: usize) -> usize {
    let mut woken = 0;
    while woken < count {
        let Some(index) = p.threads.iter().position(|t| t.waiting_on == Some(addr)) else {
            break;
        };
        let thread = p.threads.remove(index);
        woken += 1;
        p.printk(format!("[kernel] thread {} wakes up and exits", thread.tid));
        exit_thread(p, thread.tid, thread.clear_child_tid, None);
    }
    woken
}

/// What the kernel does when a thread exits, with pointers the thread
/// gave it earlier: the robust list's held futexes get `FUTEX_OWNER_DIED`,
/// and `clear_child_tid` is written with 0 and woken. Faults are ignored
/// (the memory may be gone by now), as in Linux, but reported here.
fn exit_thread(
    p: &mut Process,
    tid: i32,
    clear_child_tid: Option<UserPtr<i32>>,
    robust_list: Option<UserPtr<RobustListHead>>,
) {
    if let Some(head) = robust_list {
        if let Err(err) = walk_robust_list(p, tid, head) {
            p.printk(format!(
                "[kernel] robust list of thread {tid}: {err:?}, walk stopped"
            ));
        }
    }
    if let Some(tid_ptr) = clear_child_tid {
        match tid_ptr.write(p, 0) {
            Ok(()) => {
                p.printk(format!(
                    "[kernel] thread {tid} exits: *clear_child_tid ({:#x}) = 0, futex wake",
                    tid_ptr.addr()
                ));
                futex_wake(p, tid_ptr.addr(), 1);
            }
            Err(err) => p.printk(format!(
                "[kernel] thread {tid} exits: clear_child_tid {:#x} not written ({err:?})",
                tid_ptr.addr()
            )),
        }
    }
}

/// The most entries a robust list walk visits (Linux `ROBUST_LIST_LIMIT`).
const ROBUST_LIST_LIMIT: usize = 2048;

/// Marks the futexes the thread held as `FUTEX_OWNER_DIED`.
fn walk_robust_list(p: &mut Process, tid: i32, head: UserPtr<RobustListHead>) -> LinuxResult<()> {
    let list = head.read(p)?;
    let mut entry = list.list;
    let mut marked = 0;
    for _ in 0..ROBUST_LIST_LIMIT {
        if entry == head.addr() || entry == 0 {
            break;
        }
        let word = UserPtr::<u32>::from(entry.wrapping_add_signed(list.futex_offset as isize));
        // Linux's `handle_futex_death`: a compare-exchange, since the
        // other threads of the process may be changing the word.
        let mut value = word.atomic_load(p)?;
        while value & abi::FUTEX_TID_MASK == tid as u32 {
            let new = (value & abi::FUTEX_WAITERS) | abi::FUTEX_OWNER_DIED;
            match word.atomic_compare_exchange(p, value, new)? {
                old if old == value => {
                    marked += 1;
                    break;
                }
                old => value = old,
            }
        }
        entry = UserPtr::<usize>::from(entry).read(p)?;
    }
    p.printk(format!(
        "[kernel] thread {tid} exits: robust list walked, {marked} futex(es) marked FUTEX_OWNER_DIED"
    ));
    Ok(())
}

/// `futex(uaddr, op, val, timeout, uaddr2, val3)`: what `uaddr`,
/// `timeout` and `uaddr2` are depends on `op`; the word is read at the
/// moment the wait decides (never before), so both are converted by the
/// body.
#[syscall]
pub fn sys_futex(
    p: &mut Process,
    uaddr: RawArg,
    op: FutexOp,
    val: u32,
    timeout: RawArg,
    uaddr2: RawArg,
    val3: u32,
) -> LinuxResult<usize> {
    let _ = (uaddr2, val3);
    match op.command() {
        abi::FUTEX_WAIT => {
            let addr = futex_word(uaddr)?;
            let timeout = match timeout.raw() {
                0 => None,
                _ => Some(timespec_ns(&timeout.read::<Timespec, _>(p)?)?),
            };
            // The word is loaded atomically, at the moment the wait
            // decides (Linux's `get_futex_value_locked`).
            if uaddr.user_ptr::<u32>().atomic_load(p)? != val {
                return Err(LinuxError::EAGAIN);
            }
            // Nothing else runs that could wake this thread: the wait ends
            // with its timeout, or a signal.
            match p.wait_until(timeout, |_| false)? {
                true => Ok(0),
                false if timeout.is_some() => Err(LinuxError::ETIMEDOUT),
                false => {
                    p.printk(format!(
                        "[kernel] futex {addr:#x}: no thread can wake the caller"
                    ));
                    Err(LinuxError::EDEADLK)
                }
            }
        }
        abi::FUTEX_WAKE => {
            let addr = futex_word(uaddr)?;
            Ok(futex_wake(p, addr, val as usize))
        }
        _ => Err(LinuxError::ENOSYS),
    }
}

/// `set_tid_address(tidptr)`: the pointer is kept; the kernel writes it
/// when the thread exits, long after this call.
#[syscall]
pub fn sys_set_tid_address(p: &mut Process, tidptr: Option<UserPtr<i32>>) -> LinuxResult<i32> {
    p.clear_child_tid = tidptr;
    Ok(p.tid)
}

/// `set_robust_list(head, len)`: kept for the exit, as `set_tid_address`.
#[syscall]
pub fn sys_set_robust_list(
    p: &mut Process,
    head: Option<UserPtr<RobustListHead>>,
    len: usize,
) -> LinuxResult<()> {
    if len != size_of::<RobustListHead>() {
        return Err(LinuxError::EINVAL);
    }
    p.robust_list = head;
    Ok(())
}

/// `get_robust_list(pid, head_ptr, len_ptr)`: a pointer and a length out.
#[syscall]
pub fn sys_get_robust_list(
    p: &mut Process,
    pid: i32,
    #[out] head_ptr: &mut UserPtr<RobustListHead>,
    #[out] len_ptr: &mut usize,
) -> LinuxResult<()> {
    if pid != 0 && pid != p.tid {
        return Err(if p.peers.contains_key(&pid) {
            LinuxError::EPERM
        } else {
            LinuxError::ESRCH
        });
    }
    *head_ptr = p.robust_list.unwrap_or(UserPtr::null());
    *len_ptr = size_of::<RobustListHead>();
    Ok(())
}

/// `exit_group(status)`: the main thread's exit does the writes the
/// process asked for earlier (`set_tid_address`, `set_robust_list`).
#[syscall]
pub fn sys_exit_group(p: &mut Process, status: i32) -> LinuxResult<()> {
    let (tid, clear, robust) = (p.tid, p.clear_child_tid.take(), p.robust_list.take());
    exit_thread(p, tid, clear, robust);
    p.exited = Some(status & 0xff);
    p.printk(format!(
        "[kernel] process {} exits with status {}",
        p.pid,
        status & 0xff
    ));
    Ok(())
}

/// The most threads the model's process may have (`RLIMIT_NPROC`).
const MAX_THREADS: usize = 1024;

/// `clone3(args, size)`: `clone_args` is extensible (64 bytes as first
/// published, 88 today); the model makes threads only. The tid pointers
/// inside it are written when the flags ask for it (`CLONE_PARENT_SETTID`
/// now, `CLONE_CHILD_SETTID` as the child starts; Linux ignores faults on
/// both) or kept (`CLONE_CHILD_CLEARTID`, at the child's exit).
#[syscall]
pub fn sys_clone3(
    p: &mut Process,
    #[size = size] args: Extensible<CloneArgs, { abi::CLONE_ARGS_SIZE_VER0 }>,
    size: usize,
) -> LinuxResult<i32> {
    let args = args.into_inner();
    let thread = abi::CLONE_VM | abi::CLONE_SIGHAND | abi::CLONE_THREAD;
    if args.flags & thread != thread
        || args.exit_signal != 0
        || (args.stack == 0) != (args.stack_size == 0)
        || args.set_tid_size != 0
    {
        // The model's threads only: a fork, or a thread that is not one,
        // is refused.
        return Err(LinuxError::EINVAL);
    }
    if p.threads.len() >= MAX_THREADS {
        return Err(LinuxError::EAGAIN);
    }
    let tid = p.next_tid();
    let tid_word = |addr: u64| UserPtr::<i32>::from(addr as usize);
    if args.flags & abi::CLONE_PARENT_SETTID != 0 {
        if let Err(err) = tid_word(args.parent_tid).write(p, tid) {
            p.printk(format!(
                "[kernel] parent_tid not written ({err:?}); Linux ignores it too"
            ));
        }
    }
    let mut waiting_on = None;
    if args.flags & abi::CLONE_CHILD_SETTID != 0 {
        match tid_word(args.child_tid).write(p, tid) {
            Ok(()) => waiting_on = Some(args.child_tid as usize),
            Err(err) => p.printk(format!("[kernel] child_tid not written ({err:?})")),
        }
    }
    let clear_child_tid =
        (args.flags & abi::CLONE_CHILD_CLEARTID != 0).then(|| tid_word(args.child_tid));
    p.threads.push(Thread {
        tid,
        clear_child_tid,
        waiting_on,
    });
    match waiting_on {
        Some(addr) => p.printk(format!(
            "[kernel] thread {tid} starts and waits on futex {addr:#x} (the model's worker)"
        )),
        None => p.printk(format!("[kernel] thread {tid} starts")),
    }
    Ok(tid)
}

/// The other side of a scheduling call: this process (0 or its pid).
fn sched_target(p: &Process, pid: i32) -> LinuxResult<()> {
    match pid {
        pid if pid < 0 => Err(LinuxError::EINVAL),
        0 => Ok(()),
        pid if pid == p.pid || p.peers.contains_key(&pid) => Ok(()),
        _ => Err(LinuxError::ESRCH),
    }
}

fn check_sched(attr: &SchedAttr) -> LinuxResult<()> {
    let normal = matches!(
        attr.sched_policy,
        abi::SCHED_OTHER | abi::SCHED_BATCH | abi::SCHED_IDLE
    );
    let realtime = matches!(attr.sched_policy, abi::SCHED_FIFO | abi::SCHED_RR);
    if !(normal || realtime)
        || attr.sched_flags != 0
        || !(-20..=19).contains(&attr.sched_nice)
        || (realtime && !(1..=99).contains(&attr.sched_priority))
        || (normal && attr.sched_priority != 0)
    {
        return Err(LinuxError::EINVAL);
    }
    Ok(())
}

/// `sched_setattr(pid, attr, flags)`: an extensible structure whose size
/// is its own first field (0 means the first version). No kind reads a
/// size from inside the structure: the body reads it, copies with
/// `read_extensible`, and on `E2BIG` writes the size it knows back, as
/// Linux does.
#[syscall]
pub fn sys_sched_setattr(
    p: &mut Process,
    pid: i32,
    attr: UserPtr<SchedAttr>,
    flags: u32,
) -> LinuxResult<()> {
    if attr.is_null() || pid < 0 || flags != 0 {
        return Err(LinuxError::EINVAL);
    }
    let size = match attr.cast::<u32>().read(p)? as usize {
        0 => abi::SCHED_ATTR_SIZE_VER0,
        size => size,
    };
    let too_big = |p: &mut Process| {
        let _ = attr.cast::<u32>().write(p, size_of::<SchedAttr>() as u32);
        Err(LinuxError::E2BIG)
    };
    if size < abi::SCHED_ATTR_SIZE_VER0 {
        return too_big(p);
    }
    let new = match attr.read_extensible(p, size) {
        Err(LinuxError::E2BIG) => return too_big(p),
        other => other?,
    };
    sched_target(p, pid)?;
    check_sched(&new)?;
    p.sched = SchedAttr {
        size: size_of::<SchedAttr>() as u32,
        ..new
    };
    Ok(())
}

/// `sched_getattr(pid, attr, size, flags)`: an extensible structure out,
/// in the user's size (the kernel's own `ExtensibleOut` kind).
#[syscall]
pub fn sys_sched_getattr(
    p: &mut Process,
    pid: i32,
    #[len = size] attr: &mut ExtensibleOut<SchedAttr, { abi::SCHED_ATTR_SIZE_VER0 }>,
    size: u32,
    flags: u32,
) -> LinuxResult<()> {
    if flags != 0 {
        return Err(LinuxError::EINVAL);
    }
    sched_target(p, pid)?;
    let size = attr.user_size().min(size_of::<SchedAttr>()) as u32;
    **attr = SchedAttr { size, ..p.sched };
    Ok(())
}

/// `sched_setparam(pid, param)`.
#[syscall]
pub fn sys_sched_setparam(p: &mut Process, pid: i32, param: &SchedParam) -> LinuxResult<()> {
    sched_target(p, pid)?;
    let new = SchedAttr {
        sched_priority: u32::try_from(param.sched_priority).map_err(|_| LinuxError::EINVAL)?,
        ..p.sched
    };
    check_sched(&new)?;
    p.sched = new;
    Ok(())
}

/// `sched_getparam(pid, param)`.
#[syscall]
pub fn sys_sched_getparam(
    p: &mut Process,
    pid: i32,
    #[out] param: &mut SchedParam,
) -> LinuxResult<()> {
    sched_target(p, pid)?;
    param.sched_priority = p.sched.sched_priority as i32;
    Ok(())
}

/// `sched_rr_get_interval(pid, tp)`.
#[syscall]
pub fn sys_sched_rr_get_interval(
    p: &mut Process,
    pid: i32,
    #[out] tp: &mut Timespec,
) -> LinuxResult<()> {
    sched_target(p, pid)?;
    *tp = match p.sched.sched_policy {
        abi::SCHED_RR => timespec(100_000_000),
        _ => Timespec::default(),
    };
    Ok(())
}

/// The size of the kernel's CPU mask.
const CPUMASK_SIZE: usize = 8;

/// `sched_setaffinity(pid, len, mask)`: a shorter mask reads as zeroes, a
/// longer one is cut (a cursor reads only what the kernel keeps).
#[syscall]
pub fn sys_sched_setaffinity(
    p: &mut Process,
    pid: i32,
    len: u32,
    #[len = len] mut mask: UserReader,
) -> LinuxResult<()> {
    sched_target(p, pid)?;
    let mut bytes = [0u8; CPUMASK_SIZE];
    let want = (len as usize).min(CPUMASK_SIZE);
    if mask.read(p, &mut bytes[..want])? != want {
        return Err(LinuxError::EFAULT);
    }
    let cpus = u64::from_ne_bytes(bytes) & ((1 << NR_CPUS) - 1);
    if cpus == 0 {
        return Err(LinuxError::EINVAL);
    }
    p.affinity = cpus;
    Ok(())
}

/// `sched_getaffinity(pid, len, mask)`: returns the size of the kernel's
/// mask, which is all it writes.
#[syscall]
pub fn sys_sched_getaffinity(
    p: &mut Process,
    pid: i32,
    len: u32,
    #[len = len] mut mask: UserWriter,
) -> LinuxResult<usize> {
    let len = len as usize;
    if len * 8 < NR_CPUS as usize || len % size_of::<u64>() != 0 {
        return Err(LinuxError::EINVAL);
    }
    sched_target(p, pid)?;
    let bytes = p.affinity.to_ne_bytes();
    super::fs::write_all(p, &mut mask, &bytes)?;
    Ok(CPUMASK_SIZE)
}

/// The most bytes one `getrandom` returns (Linux: `(1 << 25) - 1`).
const GETRANDOM_MAX: usize = (1 << 25) - 1;

/// `getrandom(buf, buflen, flags)`: a transfer that stops short at a
/// fault and returns what it wrote.
#[syscall]
pub fn sys_getrandom(
    p: &mut Process,
    #[len = buflen] mut buf: UserWriter,
    buflen: usize,
    flags: GrndFlags,
) -> LinuxResult<usize> {
    let known = abi::GRND_NONBLOCK | abi::GRND_RANDOM | abi::GRND_INSECURE;
    if flags.0 & !known != 0 || flags.has(abi::GRND_RANDOM | abi::GRND_INSECURE) {
        return Err(LinuxError::EINVAL);
    }
    let mut left = buflen.min(GETRANDOM_MAX);
    let mut written = 0;
    while left > 0 {
        let mut block = [0u8; 256];
        for word in block.chunks_mut(8) {
            word.copy_from_slice(&p.random().to_ne_bytes());
        }
        let want = left.min(block.len());
        let n = match buf.write(p, &block[..want]) {
            Ok(n) => n,
            Err(_) if written > 0 => break,
            Err(err) => return Err(err),
        };
        written += n;
        left -= n;
        if n < want {
            break;
        }
    }
    Ok(written)
}

/// `execve(path, argv, envp)`: the strings are copied in with Linux's
/// limits (`E2BIG`) before the body.
#[syscall]
pub fn sys_execve(
    p: &mut Process,
    path: &CStr,
    argv: &[CString],
    envp: &[CString],
) -> LinuxResult<()> {
    let found = p.lookup(DirFd(abi::AT_FDCWD), path.to_bytes(), true)?;
    {
        let node = found.node.borrow();
        if node.is_dir() || node.mode & 0o111 == 0 {
            return Err(LinuxError::EACCES);
        }
    }
    let strings = |list: &[CString]| {
        list.iter()
            .map(|s| String::from_utf8_lossy(s.as_bytes()).into_owned())
            .collect::<Vec<_>>()
    };
    let exec = Exec {
        path: String::from_utf8_lossy(&found.path).into_owned(),
        argv: strings(argv),
        envp: strings(envp),
    };
    p.printk(format!(
        "[kernel] exec {:?}: argv {:?}, envp {:?}",
        exec.path, exec.argv, exec.envp
    ));
    p.exec = Some(exec);
    Ok(())
}

/// `wait4(pid, wstatus, options, rusage)`: reaps the exited child.
#[syscall]
pub fn sys_wait4(
    p: &mut Process,
    pid: i32,
    #[out] wstatus: Option<&mut i32>,
    options: i32,
    #[out] rusage: Option<&mut Rusage>,
) -> LinuxResult<i32> {
    const WNOHANG: i32 = 1;
    const WUNTRACED: i32 = 2;
    if options & !(WNOHANG | WUNTRACED) != 0 {
        return Err(LinuxError::EINVAL);
    }
    let index = p
        .zombies
        .iter()
        .position(|&(child, _)| pid == -1 || pid == child)
        .ok_or(LinuxError::ECHILD)?;
    let (child, status) = p.zombies.remove(index);
    if let Some(wstatus) = wstatus {
        *wstatus = status;
    }
    if let Some(rusage) = rusage {
        *rusage = Rusage::default();
    }
    signal::generate(p, Siginfo::user(abi::SIGCHLD, 1, child, 0));
    Ok(child)
}

/// `flags` of `process_vm_readv`/`process_vm_writev`: none is defined, so
/// any is `EINVAL`, before the iovecs are imported (Linux's order).
#[derive(Clone, Copy, Debug)]
pub struct NoFlags;

impl<C: ?Sized> SyscallArg<C> for NoFlags {
    fn from_syscall_arg(_: &mut C, raw: usize) -> LinuxResult<Self> {
        if raw != 0 {
            return Err(LinuxError::EINVAL);
        }
        Ok(NoFlags)
    }

    fn fmt_syscall_arg(
        raw: usize,
        _: ArgFormat,
        f: &mut core::fmt::Formatter<'_>,
    ) -> core::fmt::Result {
        write!(f, "{raw:#x}")
    }
}

/// `process_vm_readv(pid, local_iov, liovcnt, remote_iov, riovcnt,
/// flags)`: both iovec arrays are this process's memory and imported
/// before the body; the remote segments are read through the other
/// process's address space, the local ones written through ours.
#[syscall]
pub fn sys_process_vm_readv(
    p: &mut Process,
    pid: i32,
    #[len = liovcnt] mut local_iov: IoVecWriter,
    liovcnt: usize,
    #[len = riovcnt] mut remote_iov: IoVecReader,
    riovcnt: usize,
    _flags: NoFlags,
) -> LinuxResult<usize> {
    let remote = p.peer_space(pid)?;
    let mut data = vec![
        0;
        local_iov
            .remaining()
            .min(remote_iov.remaining())
            .min(1 << 20)
    ];
    let n = remote_iov.read(&mut remote.provider(), &mut data)?;
    local_iov.write(p, &data[..n])
}

/// `process_vm_writev(pid, local_iov, liovcnt, remote_iov, riovcnt,
/// flags)`: the other direction.
#[syscall]
pub fn sys_process_vm_writev(
    p: &mut Process,
    pid: i32,
    #[len = liovcnt] mut local_iov: IoVecReader,
    liovcnt: usize,
    #[len = riovcnt] mut remote_iov: IoVecWriter,
    riovcnt: usize,
    _flags: NoFlags,
) -> LinuxResult<usize> {
    let remote = p.peer_space(pid)?;
    let mut data = vec![
        0;
        local_iov
            .remaining()
            .min(remote_iov.remaining())
            .min(1 << 20)
    ];
    let n = local_iov.read(p, &mut data)?;
    remote_iov.write(&mut remote.provider(), &data[..n])
}
