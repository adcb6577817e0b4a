//! Another process's memory: `process_vm_readv`/`process_vm_writev` and
//! `ptrace(PEEKDATA/POKEDATA)` as `#[syscall]` handlers. The caller's
//! arguments come through the context (the caller's provider); the body
//! reaches the target through the target's own provider, with the same
//! cursors and copies. On two `HeapSpace`s (also under Miri) and on two
//! `SimSpace`s, where the target's lazy pages are faulted in by the
//! simulated page-fault handler while the caller's handler copies.

mod common;

use axptr::{
    AddrSpace, AddrSpaceProvider, LinuxError, LinuxResult, Syscall, UserConstPtr, UserReader,
    UserWriter,
    iovec::{IOV_MAX, IoVec, IoVecReader, IoVecWriter},
    syscall,
    syscall::RawArg,
};
use common::kernel::{Kernel, Pages, SpaceKind, kernel_on, regs};

/// The caller and one other process, pid 2.
struct System {
    me: Kernel,
    target: Kernel,
}

/// The caller's address space: where the syscall's own arguments live.
impl AddrSpaceProvider for System {
    type AddrSpace = dyn AddrSpace;

    fn with_addr_space<R>(&mut self, f: impl FnOnce(&mut Self::AddrSpace) -> R) -> R {
        self.me.with_addr_space(f)
    }
}

impl System {
    /// The caller and the process `pid` (the caller's provider and the
    /// target's, apart).
    fn split(&mut self, pid: i32) -> LinuxResult<(&mut Kernel, &mut Kernel)> {
        match pid {
            2 => Ok((&mut self.me, &mut self.target)),
            _ => Err(LinuxError::ESRCH),
        }
    }
}

/// The remote iovecs: read from the caller's memory, but describing the
/// target's (so they are not checked against the caller's user space, as
/// `IoVecs::import` would).
fn remote_iovecs(
    me: &mut Kernel,
    array: UserConstPtr<IoVec>,
    count: usize,
) -> LinuxResult<Vec<IoVec>> {
    if count > IOV_MAX {
        return Err(LinuxError::EINVAL);
    }
    let mut segments = vec![IoVec::default(); count];
    array.read_slice(me, &mut segments)?;
    Ok(segments)
}

/// Moves bytes between the caller's iovec cursor and the target's
/// segments through a bounce buffer; stops at the first short transfer
/// on either side. `EFAULT` only if nothing moved.
fn transfer(
    me: &mut Kernel,
    target: &mut Kernel,
    segments: &[IoVec],
    mut step: impl FnMut(&mut Kernel, &mut Kernel, IoVec, &mut [u8]) -> LinuxResult<(usize, bool)>,
) -> LinuxResult<usize> {
    let mut bounce = [0u8; 64];
    let mut done = 0;
    for &seg in segments {
        match step(me, target, seg, &mut bounce) {
            Ok((n, complete)) => {
                done += n;
                if !complete {
                    break;
                }
            }
            Err(err) if done == 0 => return Err(err),
            Err(_) => break,
        }
    }
    Ok(done)
}

#[syscall]
fn sys_process_vm_readv(
    sys: &mut System,
    pid: i32,
    #[len = liovcnt] mut local: IoVecWriter,
    liovcnt: usize,
    remote: UserConstPtr<IoVec>,
    riovcnt: usize,
    flags: u32,
) -> LinuxResult<usize> {
    if flags != 0 {
        return Err(LinuxError::EINVAL);
    }
    let (me, target) = sys.split(pid)?;
    let segments = remote_iovecs(me, remote, riovcnt)?;
    transfer(me, target, &segments, |me, target, seg, bounce| {
        let mut from = UserReader::new(seg.base, seg.len);
        let mut moved = 0;
        while !from.is_empty() {
            let want = from.remaining().min(bounce.len());
            let n = from.read(target, &mut bounce[..want])?;
            let written = local.write(me, &bounce[..n])?;
            moved += written;
            if written < want {
                return Ok((moved, false));
            }
        }
        Ok((moved, true))
    })
}

#[syscall]
fn sys_process_vm_writev(
    sys: &mut System,
    pid: i32,
    #[len = liovcnt] mut local: IoVecReader,
    liovcnt: usize,
    remote: UserConstPtr<IoVec>,
    riovcnt: usize,
    flags: u32,
) -> LinuxResult<usize> {
    if flags != 0 {
        return Err(LinuxError::EINVAL);
    }
    let (me, target) = sys.split(pid)?;
    let segments = remote_iovecs(me, remote, riovcnt)?;
    transfer(me, target, &segments, |me, target, seg, bounce| {
        let mut to = UserWriter::new(seg.base, seg.len);
        let mut moved = 0;
        while !to.is_empty() {
            let want = to.remaining().min(bounce.len());
            let n = local.read(me, &mut bounce[..want])?;
            if n == 0 {
                return Ok((moved, false));
            }
            let written = to.write(target, &bounce[..n])?;
            moved += written;
            if written < want {
                return Ok((moved, false));
            }
        }
        Ok((moved, true))
    })
}

const PTRACE_PEEKDATA: i32 = 2;
const PTRACE_POKEDATA: i32 = 5;

/// `ptrace`'s data requests: `addr` is in the target, `data` a value or a
/// pointer in the caller, depending on the request.
#[syscall]
fn sys_ptrace(
    sys: &mut System,
    request: i32,
    pid: i32,
    addr: RawArg,
    data: RawArg,
) -> LinuxResult<isize> {
    let (me, target) = sys.split(pid)?;
    match request {
        PTRACE_PEEKDATA => {
            let word: usize = addr.read(target)?;
            data.user_ptr::<usize>().write(me, word)?;
            Ok(0)
        }
        PTRACE_POKEDATA => {
            addr.user_ptr::<usize>().write(target, data.raw())?;
            Ok(0)
        }
        _ => Err(LinuxError::EIO),
    }
}

fn system(kind: SpaceKind) -> (System, Pages, Pages) {
    let (me, mine) = kernel_on(kind, 9);
    let (target, theirs) = kernel_on(kind, 9);
    (System { me, target }, mine, theirs)
}

fn call<S: Syscall<System>>(sys: &mut System, args: &[usize]) -> isize {
    let ret = S::call(sys, regs(args));
    assert!(!axptr::is_accessing_user_memory());
    ret
}

fn iovecs(segments: &[(usize, usize)]) -> Vec<u8> {
    segments
        .iter()
        .flat_map(|&(base, len)| [base.to_ne_bytes(), len.to_ne_bytes()])
        .flatten()
        .collect()
}

const EFAULT: isize = -(LinuxError::EFAULT.code() as isize);

fn reads_another_process(kind: SpaceKind) {
    let (mut sys, mine, theirs) = system(kind);
    // The target's data: in a present page, and a lazy page not touched
    // yet (zeroes once populated).
    sys.target.space.poke(theirs.big, b"remote data, ");
    assert!(!sys.target.space.is_present(theirs.lazy));
    // The caller's iovec arrays: local buffers, remote ranges.
    let (local, remote) = (mine.rw, mine.rw + 256);
    sys.me.space.poke(mine.big + 100, &[0xff; 30]);
    sys.me
        .space
        .poke(local, &iovecs(&[(mine.big, 10), (mine.big + 100, 30)]));
    sys.me
        .space
        .poke(remote, &iovecs(&[(theirs.big, 13), (theirs.lazy, 8)]));
    assert_eq!(
        call::<sys_process_vm_readv>(&mut sys, &[2, local, 2, remote, 2, 0]),
        21
    );
    assert_eq!(sys.me.space.peek(mine.big, 10), b"remote dat");
    assert_eq!(
        sys.me.space.peek(mine.big + 100, 12),
        b"a, \0\0\0\0\0\0\0\0\xff"
    );
    assert!(
        sys.target.space.is_present(theirs.lazy),
        "populated through the target"
    );
    // The target's addresses mean nothing in the caller's space, and the
    // other way round: a remote range in the target's hole is EFAULT.
    sys.me.space.poke(remote, &iovecs(&[(theirs.hole, 8)]));
    assert_eq!(
        call::<sys_process_vm_readv>(&mut sys, &[2, local, 2, remote, 1, 0]),
        EFAULT
    );
    // A short remote range, then a fault: the count so far.
    sys.me
        .space
        .poke(remote, &iovecs(&[(theirs.after_big - 4, 8)]));
    sys.target.space.poke(theirs.after_big - 4, b"tail");
    assert_eq!(
        call::<sys_process_vm_readv>(&mut sys, &[2, local, 2, remote, 1, 0]),
        4
    );
    assert_eq!(sys.me.space.peek(mine.big, 4), b"tail");
    // Errors of the arguments.
    let esrch = -(LinuxError::ESRCH.code() as isize);
    let einval = -(LinuxError::EINVAL.code() as isize);
    assert_eq!(
        call::<sys_process_vm_readv>(&mut sys, &[9, local, 2, remote, 1, 0]),
        esrch
    );
    assert_eq!(
        call::<sys_process_vm_readv>(&mut sys, &[2, local, 2, remote, 1, 1]),
        einval
    );
    assert_eq!(
        call::<sys_process_vm_readv>(&mut sys, &[2, local, 2, remote, IOV_MAX + 1, 0]),
        einval
    );
    assert_eq!(
        call::<sys_process_vm_readv>(&mut sys, &[2, mine.hole, 2, remote, 1, 0]),
        EFAULT
    );
}

fn writes_another_process(kind: SpaceKind) {
    let (mut sys, mine, theirs) = system(kind);
    sys.me.space.poke(mine.big, b"from the caller");
    let (local, remote) = (mine.rw, mine.rw + 256);
    sys.me.space.poke(local, &iovecs(&[(mine.big, 15)]));
    // Into the target's lazy page, and a read-only page that stops it.
    sys.me
        .space
        .poke(remote, &iovecs(&[(theirs.lazy + 8, 9), (theirs.ro, 6)]));
    assert_eq!(
        call::<sys_process_vm_writev>(&mut sys, &[2, local, 1, remote, 2, 0]),
        9
    );
    assert_eq!(sys.target.space.peek(theirs.lazy + 8, 9), b"from the ");
    assert_eq!(sys.target.space.peek(theirs.ro, 6), [0; 6]);
    // The caller's memory is untouched.
    assert_eq!(sys.me.space.peek(mine.lazy + 8, 9), [0; 9]);
}

fn peeks_and_pokes_another_process(kind: SpaceKind) {
    let (mut sys, mine, theirs) = system(kind);
    sys.target
        .space
        .poke(theirs.big + 3, &0x1122_3344_5566_7788usize.to_ne_bytes());
    let peek = |sys: &mut System, addr, data| {
        call::<sys_ptrace>(sys, &[PTRACE_PEEKDATA as usize, 2, addr, data])
    };
    assert_eq!(peek(&mut sys, theirs.big + 3, mine.rw), 0);
    assert_eq!(
        sys.me.space.peek(mine.rw, 8),
        0x1122_3344_5566_7788usize.to_ne_bytes()
    );
    assert_eq!(peek(&mut sys, theirs.hole, mine.rw), EFAULT);
    assert_eq!(peek(&mut sys, theirs.big, mine.ro), EFAULT);
    let poke = [PTRACE_POKEDATA as usize, 2, theirs.lazy, 0xabcd];
    assert_eq!(call::<sys_ptrace>(&mut sys, &poke), 0);
    assert_eq!(
        sys.target.space.peek(theirs.lazy, 8),
        0xabcdusize.to_ne_bytes()
    );
    assert_eq!(sys.me.space.peek(mine.lazy, 8), [0; 8]);
}

#[test]
fn process_vm_readv_reads_another_heap_space() {
    reads_another_process(SpaceKind::Heap);
}

#[test]
fn process_vm_writev_writes_another_heap_space() {
    writes_another_process(SpaceKind::Heap);
}

#[test]
fn ptrace_peeks_and_pokes_another_heap_space() {
    peeks_and_pokes_another_process(SpaceKind::Heap);
}

#[cfg(all(target_os = "linux", target_arch = "x86_64", not(miri)))]
mod sim {
    use super::*;

    #[test]
    fn process_vm_readv_reads_another_sim_space() {
        reads_another_process(SpaceKind::Sim);
    }

    #[test]
    fn process_vm_writev_writes_another_sim_space() {
        writes_another_process(SpaceKind::Sim);
    }

    #[test]
    fn ptrace_peeks_and_pokes_another_sim_space() {
        peeks_and_pokes_another_process(SpaceKind::Sim);
    }
}
