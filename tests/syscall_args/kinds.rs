// The argument kinds beyond integers, pointers, strings and slices, through
// generated raw entries: transfers (cursors and iovecs), structures in and
// out, sigsets, command-dependent registers, extensible structures,
// limited strings, argv arrays, fd sets, and a pointer stored for a write
// after the syscall returned. Included by `tests/syscall_kinds.rs`
// (`HeapSpace`, also under Miri) and `tests/syscall_kinds_sim.rs`
// (`SimSpace` with demand paging), which define `kernel_with_pages(pages)`.

use core::ffi::CStr;
use std::{collections::VecDeque, ffi::CString};

use axptr::{
    AddrSpace, AddrSpaceProvider, LinuxError, LinuxResult, Syscall, SyscallEvent, SyscallTrace,
    UserCopy, UserPtr, UserReader, UserWriter,
    inject::FaultPlan,
    iovec::{IOV_MAX, IoVec, IoVecReader, IoVecWriter},
    syscall,
    syscall::{
        Extensible, FdSet, MAX_ARG_TOTAL, RawArg, SIGSET_SIZE, SigSet, SigSetSize,
    },
    strings::MAX_ARG_STRLEN,
};
use common::kernel::{PAGE, Space, neg, regs};

/// A process: the test kernel, a pipe on descriptor 3, a signal mask and
/// the `set_tid_address` pointer.
struct Task {
    k: Kernel,
    pipe: VecDeque<u8>,
    mask: SigSet,
    clear_child_tid: Option<UserPtr<i32>>,
}

impl AddrSpaceProvider for Task {
    type AddrSpace = dyn AddrSpace;

    fn with_addr_space<R>(&mut self, f: impl FnOnce(&mut Self::AddrSpace) -> R) -> R {
        self.k.with_addr_space(f)
    }
}

fn task_with_pages(pages: usize) -> (Task, Pages) {
    let (k, p) = kernel_with_pages(pages);
    let task = Task {
        k,
        pipe: VecDeque::new(),
        mask: SigSet::EMPTY,
        clear_child_tid: None,
    };
    (task, p)
}

fn task() -> (Task, Pages) {
    task_with_pages(9)
}

/// Calls the raw entry of `S`; the fault flag must be clear afterwards.
fn call<S: Syscall<Task>>(t: &mut Task, args: &[usize]) -> isize {
    let ret = S::call(t, regs(args));
    assert!(!axptr::is_accessing_user_memory(), "the fault flag is still set");
    ret
}

/// Calls the raw entry of `S` with a tracer; returns the result and the line.
fn traced<S: Syscall<Task>>(t: &mut Task, args: &[usize]) -> (isize, String) {
    let mut lines = Vec::new();
    let mut tracer = |event: &SyscallEvent<'_>| lines.push(event.to_string());
    let ret = S::entry(t, regs(args), Some(&mut tracer));
    assert_eq!(lines.len(), 1, "one event per call: {lines:?}");
    (ret, lines.remove(0))
}

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i as u8).wrapping_mul(7).wrapping_add(seed)).collect()
}

fn bytes_of<T: UserCopy>(value: &T) -> Vec<u8> {
    // SAFETY: `UserCopy` types have no padding: every byte is initialized.
    unsafe { std::slice::from_raw_parts((value as *const T).cast::<u8>(), size_of::<T>()) }
        .to_vec()
}

fn value_at<T: UserCopy>(space: &Space, addr: usize) -> T {
    let bytes = space.peek(addr, size_of::<T>());
    // SAFETY: `size_of::<T>()` bytes, and any bytes are a valid `T`.
    unsafe { std::ptr::read_unaligned(bytes.as_ptr().cast::<T>()) }
}

const EFAULT: isize = -(LinuxError::EFAULT.code() as isize);
const EINVAL: isize = -(LinuxError::EINVAL.code() as isize);
const EBADF: isize = -(LinuxError::EBADF.code() as isize);
const E2BIG: isize = -(LinuxError::E2BIG.code() as isize);

// ---------------------------------------------------------------------------
// Transfers: `read(2)` and `write(2)` over a pipe

/// `read(2)` on the pipe: checks the descriptor, then the buffer (as Linux
/// does before the file operation), moves what fits, keeps the rest.
#[syscall]
fn sys_read(t: &mut Task, fd: i32, #[len = count] mut buf: UserWriter, count: usize) -> LinuxResult<usize> {
    if fd != 3 {
        return Err(LinuxError::EBADF);
    }
    buf.access_ok(t)?;
    let Task { k, pipe, .. } = t;
    let (front, back) = pipe.as_slices();
    let mut n = buf.write(k, front)?;
    if n == front.len() && !back.is_empty() {
        n += buf.write(k, back).unwrap_or(0);
    }
    pipe.drain(..n);
    k.ran.push(format!("read {n} of {count}"));
    Ok(n)
}

/// `write(2)` into the pipe (at most one page buffered).
#[syscall]
fn sys_write(t: &mut Task, fd: i32, #[len = count] mut buf: UserReader, count: usize) -> LinuxResult<usize> {
    if fd != 3 {
        return Err(LinuxError::EBADF);
    }
    buf.access_ok(t)?;
    let room = PAGE - t.pipe.len();
    let mut chunk = vec![0; room.min(count)];
    let n = buf.read(t, &mut chunk)?;
    t.pipe.extend(&chunk[..n]);
    t.k.ran.push(format!("write {n} of {count}"));
    Ok(n)
}

#[test]
fn a_read_that_faults_midway_returns_the_count_and_the_pipe_keeps_the_rest() {
    let (mut t, p) = task();
    let data = pattern(100, 1);
    t.pipe.extend(&data);
    // 10 writable bytes, then the read-only page.
    let buf = p.rw + PAGE - 10;
    t.k.space.poke(p.ro, b"untouched");
    assert_eq!(call::<sys_read>(&mut t, &[3, buf, 64]), 10);
    assert_eq!(t.k.space.peek(buf, 10), data[..10]);
    assert_eq!(t.k.space.peek(p.ro, 9), b"untouched");
    assert_eq!(t.pipe.len(), 90, "no data loss: the rest is still in the pipe");
    // The next read continues where the first stopped.
    assert_eq!(call::<sys_read>(&mut t, &[3, p.big, 4 * PAGE]), 90);
    assert_eq!(t.k.space.peek(p.big, 90), data[10..]);
    assert!(t.pipe.is_empty());
    // Nothing writable at all: EFAULT, and nothing leaves the pipe.
    t.pipe.extend(&data);
    assert_eq!(call::<sys_read>(&mut t, &[3, p.ro, 64]), EFAULT);
    assert_eq!(call::<sys_read>(&mut t, &[3, p.hole, 64]), EFAULT);
    assert_eq!(t.pipe.len(), 100);
    assert_eq!(t.k.ran, ["read 10 of 64", "read 90 of 16384"]);
}

/// The space's fault injector: the next access faults after `after`
/// bytes, as if another thread unmapped the page midway through the copy.
fn fault_next_access_after(space: &Space, after: usize) {
    let plan = FaultPlan::nth(1).after(after);
    match space {
        Space::Heap(space) => space.faults().arm(plan),
        #[cfg(all(target_os = "linux", target_arch = "x86_64", not(miri), not(fuzzing)))]
        Space::Sim(space) => space.faults().arm(plan),
    }
}

#[test]
fn a_read_whose_copy_faults_midway_keeps_the_rest_in_the_pipe() {
    let (mut t, p) = task();
    let data = pattern(100, 5);
    t.pipe.extend(&data);
    t.k.space.poke(p.big, &[0xee; 64]);
    // The buffer is mapped and passes validation; the copy itself faults
    // after 7 bytes (on the sim, in the copy routine, through its fixup).
    fault_next_access_after(&t.k.space, 7);
    assert_eq!(call::<sys_read>(&mut t, &[3, p.big, 64]), 7);
    assert_eq!(t.k.space.peek(p.big, 8), [&data[..7], &[0xee]].concat());
    assert_eq!(t.pipe.len(), 93, "no data loss: what did not reach user memory stays");
    // At the first byte: EFAULT, nothing consumed.
    fault_next_access_after(&t.k.space, 0);
    assert_eq!(call::<sys_read>(&mut t, &[3, p.big, 64]), EFAULT);
    assert_eq!(t.pipe.len(), 93);
    // The same for a write: the pipe takes only what was read.
    t.k.space.poke(p.rw, &pattern(32, 6));
    fault_next_access_after(&t.k.space, 5);
    assert_eq!(call::<sys_write>(&mut t, &[3, p.rw, 32]), 5);
    assert_eq!(t.pipe.len(), 98);
    assert_eq!(t.pipe.range(93..).copied().collect::<Vec<_>>(), pattern(5, 6));
}

#[test]
fn a_read_through_a_lazy_page_populates_it_and_moves_everything() {
    let (mut t, p) = task();
    let data = pattern(300, 2);
    t.pipe.extend(&data);
    // The last 100 bytes of the lazy page and the first 200 of `big`.
    let buf = p.lazy + PAGE - 100;
    assert_eq!(call::<sys_read>(&mut t, &[3, buf, 300]), 300);
    assert_eq!(t.k.space.peek(buf, 300), data);
    assert!(t.k.space.is_present(p.lazy));
}

#[test]
fn a_buffer_outside_user_space_is_efault_before_anything_moves() {
    let (mut t, p) = task();
    t.pipe.extend(b"data");
    // The buffer's end lies past the end of user space (Linux's
    // `access_ok` of the whole buffer), although its start is mapped.
    assert_eq!(call::<sys_read>(&mut t, &[3, p.rw, usize::MAX - p.rw]), EFAULT);
    assert_eq!(call::<sys_read>(&mut t, &[3, usize::MAX - 3, 2]), EFAULT);
    assert_eq!(t.k.space.peek(p.rw, 4), [0; 4]);
    assert_eq!(t.pipe.len(), 4);
    // The descriptor is checked first, by the body.
    assert_eq!(call::<sys_read>(&mut t, &[5, 0, 1]), EBADF);
    // An empty pipe moves nothing, and a null empty buffer is fine.
    t.pipe.clear();
    assert_eq!(call::<sys_read>(&mut t, &[3, 0, 0]), 0);
}

#[test]
fn a_write_takes_what_it_can_read() {
    let (mut t, p) = task();
    let data = pattern(64, 3);
    // 16 readable bytes at the end of `big`, then the unmapped page.
    let buf = p.after_big - 16;
    t.k.space.poke(buf, &data[..16]);
    assert_eq!(call::<sys_write>(&mut t, &[3, buf, 64]), 16);
    assert_eq!(t.pipe.iter().copied().collect::<Vec<_>>(), data[..16]);
    assert_eq!(call::<sys_write>(&mut t, &[3, p.hole, 64]), EFAULT);
    assert_eq!(call::<sys_write>(&mut t, &[3, 0, 1]), EFAULT);
    // The read-only page is readable.
    t.k.space.poke(p.ro, b"ro");
    assert_eq!(call::<sys_write>(&mut t, &[3, p.ro, 2]), 2);
    assert_eq!(t.pipe.len(), 18);
}

#[test]
fn transfers_trace_their_address() {
    let (mut t, p) = task();
    t.pipe.extend(b"axptr\n");
    let (ret, line) = traced::<sys_read>(&mut t, &[3, p.rw, 64]);
    assert_eq!((ret, line), (6, format!("read(3, {:#x}, 64) = 6", p.rw)));
    let (_, line) = traced::<sys_write>(&mut t, &[3, 0, 5]);
    assert_eq!(line, "write(3, NULL, 5) = -14 EFAULT");
}

// ---------------------------------------------------------------------------
// Transfers: iovec arrays

#[syscall]
fn sys_readv(
    t: &mut Task,
    fd: i32,
    #[len = iovcnt] mut iov: IoVecWriter,
    iovcnt: i32,
) -> LinuxResult<usize> {
    if fd != 3 {
        return Err(LinuxError::EBADF);
    }
    let Task { k, pipe, .. } = t;
    let data: Vec<u8> = pipe.iter().copied().collect();
    let n = iov.write(k, &data)?;
    pipe.drain(..n);
    Ok(n)
}

#[syscall]
fn sys_writev(
    t: &mut Task,
    fd: i32,
    #[len = iovcnt] mut iov: IoVecReader,
    iovcnt: usize,
) -> LinuxResult<usize> {
    if fd != 3 {
        return Err(LinuxError::EBADF);
    }
    let mut data = vec![0; iov.remaining().min(PAGE)];
    let n = iov.read(t, &mut data)?;
    t.pipe.extend(&data[..n]);
    Ok(n)
}

/// Pokes an iovec array at `at`.
fn poke_iovecs(space: &mut Space, at: usize, segments: &[(usize, usize)]) {
    let bytes: Vec<u8> = segments
        .iter()
        .flat_map(|&(base, len)| bytes_of(&IoVec { base, len }))
        .collect();
    space.poke(at, &bytes);
}

#[test]
fn readv_scatters_until_a_segment_faults_and_the_pipe_keeps_the_rest() {
    let (mut t, p) = task();
    let data = pattern(40, 4);
    t.pipe.extend(&data);
    let array = p.rw + 1024;
    // 5 bytes, an empty segment, 10 bytes, then a read-only segment.
    poke_iovecs(&mut t.k.space, array, &[(p.big, 5), (0, 0), (p.big + 100, 10), (p.ro, 10)]);
    assert_eq!(call::<sys_readv>(&mut t, &[3, array, 4]), 15);
    assert_eq!(t.k.space.peek(p.big, 5), data[..5]);
    assert_eq!(t.k.space.peek(p.big + 100, 10), data[5..15]);
    assert_eq!(t.pipe.len(), 25, "no data loss");
    // Zero segments: nothing to do, whatever the address.
    assert_eq!(call::<sys_readv>(&mut t, &[3, 0, 0]), 0);
}

#[test]
fn iovec_arrays_follow_import_iovec() {
    let (mut t, p) = task();
    t.pipe.extend(b"data");
    let array = p.rw + 1024;
    // More than IOV_MAX: EINVAL before the array is read (it is null).
    assert_eq!(call::<sys_readv>(&mut t, &[3, 0, IOV_MAX + 1]), EINVAL);
    // A negative `int` count.
    assert_eq!(call::<sys_readv>(&mut t, &[3, array, neg(-1)]), EINVAL);
    // An unreadable array.
    assert_eq!(call::<sys_readv>(&mut t, &[3, p.hole, 1]), EFAULT);
    // A negative length (as `ssize_t`).
    poke_iovecs(&mut t.k.space, array, &[(p.big, 4), (p.big, usize::MAX)]);
    assert_eq!(call::<sys_readv>(&mut t, &[3, array, 2]), EINVAL);
    // A segment outside user space.
    poke_iovecs(&mut t.k.space, array, &[(p.big, 4), (usize::MAX - 8, 4)]);
    assert_eq!(call::<sys_readv>(&mut t, &[3, array, 2]), EFAULT);
    // Only unwritable segments: EFAULT, nothing moved.
    poke_iovecs(&mut t.k.space, array, &[(p.ro, 4)]);
    assert_eq!(call::<sys_readv>(&mut t, &[3, array, 1]), EFAULT);
    assert_eq!(t.pipe.len(), 4);
    // The descriptor is the body's, after the import (Linux imports the
    // array after `fdget`; here the import comes first, like every copied
    // argument, so a bad array wins over a bad descriptor).
    assert_eq!(call::<sys_readv>(&mut t, &[7, 0, IOV_MAX + 1]), EINVAL);
    assert_eq!(call::<sys_readv>(&mut t, &[7, array, 1]), EBADF);
}

#[test]
fn writev_gathers_the_segments_in_order() {
    let (mut t, p) = task();
    t.k.space.poke(p.big, b"hello, ");
    t.k.space.poke(p.ro, b"world");
    let array = p.rw + 512;
    poke_iovecs(&mut t.k.space, array, &[(p.big, 7), (p.ro, 5), (p.hole, 3)]);
    assert_eq!(call::<sys_writev>(&mut t, &[3, array, 3]), 12);
    assert_eq!(t.pipe.iter().copied().collect::<Vec<_>>(), b"hello, world");
}

// ---------------------------------------------------------------------------
// Structures in and out

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, UserCopy, SyscallTrace)]
#[repr(C)]
struct Timespec {
    tv_sec: i64,
    tv_nsec: i64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, UserCopy, SyscallTrace)]
#[repr(C)]
struct Stat {
    st_dev: u64,
    st_ino: u64,
    #[trace(oct)]
    st_mode: u32,
    st_nlink: u32,
    st_size: i64,
}

#[derive(Clone, Copy, UserCopy, SyscallTrace)]
#[repr(C)]
struct Utsname {
    #[trace(str)]
    sysname: [u8; 16],
    #[trace(str)]
    release: [u8; 16],
    #[trace(skip)]
    _reserved: [u8; 8],
}

/// A structure without a trace rendering: traced by its address.
#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
struct Opaque {
    word: u64,
}

#[syscall]
fn sys_fstat(t: &mut Task, fd: i32, #[out] st: &mut Stat) -> LinuxResult<()> {
    t.k.ran.push(format!("fstat {fd}"));
    if fd < 0 {
        return Err(LinuxError::EBADF);
    }
    *st = Stat {
        st_dev: 8,
        st_ino: fd as u64,
        st_mode: 0o100_644,
        st_nlink: 1,
        st_size: 4096,
    };
    Ok(())
}

/// `nanosleep`'s shape: a structure in, an optional one out.
#[syscall]
fn sys_nanosleep(t: &mut Task, req: &Timespec, #[out] rem: Option<&mut Timespec>) -> LinuxResult<()> {
    t.k.ran.push(format!("sleep {}.{:09}", req.tv_sec, req.tv_nsec));
    if !(0..1_000_000_000).contains(&req.tv_nsec) {
        return Err(LinuxError::EINVAL);
    }
    if let Some(rem) = rem {
        rem.tv_sec = req.tv_sec / 2;
    }
    Ok(())
}

/// No context: the first parameter is an output, not the context.
#[syscall]
fn sys_uname(#[out] buf: &mut Utsname) -> LinuxResult<()> {
    buf.sysname[..5].copy_from_slice(b"Linux");
    buf.release[..3].copy_from_slice(b"6.1");
    buf._reserved = [0xff; 8];
    Ok(())
}

#[syscall]
fn sys_opaque(t: &mut Task, v: &Opaque) -> LinuxResult<usize> {
    t.k.ran.push(format!("opaque {}", v.word));
    Ok(v.word as usize)
}

/// `getsockname`'s length pointer: the capacity is read, the written
/// length goes back; the address is cut to the capacity (Linux's
/// `move_addr_to_user`).
#[syscall]
fn sys_getsockname(
    t: &mut Task,
    fd: i32,
    addr: Option<UserPtr<u8>>,
    #[inout] addrlen: Option<&mut u32>,
) -> LinuxResult<()> {
    const SOCKADDR: [u8; 16] = *b"\x02\x00\x1f\x90\x7f\x00\x00\x01\0\0\0\0\0\0\0\0";
    if fd != 3 {
        return Err(LinuxError::EBADF);
    }
    let (Some(addr), Some(addrlen)) = (addr, addrlen) else {
        return Err(LinuxError::EFAULT);
    };
    let capacity = i32::try_from(*addrlen).map_err(|_| LinuxError::EINVAL)? as usize;
    let n = capacity.min(SOCKADDR.len());
    addr.write_slice(t, &SOCKADDR[..n])?;
    *addrlen = SOCKADDR.len() as u32;
    Ok(())
}

#[test]
fn output_structures_are_written_after_the_body_succeeded() {
    let (mut t, p) = task();
    // Misaligned: copies need no alignment.
    assert_eq!(call::<sys_fstat>(&mut t, &[3, p.rw + 3]), 0);
    let st: Stat = value_at(&t.k.space, p.rw + 3);
    assert_eq!((st.st_ino, st.st_mode, st.st_size), (3, 0o100_644, 4096));
    // The body's error wins, and nothing is written.
    t.k.space.poke(p.big, &[0xaa; 40]);
    assert_eq!(call::<sys_fstat>(&mut t, &[neg(-1), p.big]), EBADF);
    assert_eq!(t.k.space.peek(p.big, 40), [0xaa; 40]);
    // A bad pointer is EFAULT after the body ran, as Linux's final
    // `copy_to_user`.
    assert_eq!(call::<sys_fstat>(&mut t, &[4, p.ro]), EFAULT);
    assert_eq!(call::<sys_fstat>(&mut t, &[5, 0]), EFAULT);
    assert_eq!(t.k.ran, ["fstat 3", "fstat -1", "fstat 4", "fstat 5"]);
    // Into a lazy page.
    assert_eq!(call::<sys_fstat>(&mut t, &[6, p.lazy + 8]), 0);
    assert_eq!(value_at::<Stat>(&t.k.space, p.lazy + 8).st_ino, 6);
}

#[test]
fn input_structures_are_copied_before_the_body() {
    let (mut t, p) = task();
    let ts = Timespec {
        tv_sec: 5,
        tv_nsec: 500_000_000,
    };
    t.k.space.poke(p.rw + 1, &bytes_of(&ts));
    assert_eq!(call::<sys_nanosleep>(&mut t, &[p.rw + 1, p.big]), 0);
    assert_eq!(value_at::<Timespec>(&t.k.space, p.big).tv_sec, 2);
    // A null optional output is `None`; a null input is EFAULT.
    assert_eq!(call::<sys_nanosleep>(&mut t, &[p.rw + 1, 0]), 0);
    assert_eq!(call::<sys_nanosleep>(&mut t, &[0, 0]), EFAULT);
    // Partly unmapped: the last byte is in the hole.
    assert_eq!(call::<sys_nanosleep>(&mut t, &[p.hole - 15, 0]), EFAULT);
    assert_eq!(t.k.ran, ["sleep 5.500000000", "sleep 5.500000000"]);
    // What the body read is a snapshot: the same value whatever it writes.
    assert_eq!(call::<sys_nanosleep>(&mut t, &[p.rw + 1, p.rw + 1]), 0);
    assert_eq!(value_at::<Timespec>(&t.k.space, p.rw + 1).tv_sec, 2);
}

#[test]
fn length_pointers_are_read_and_written_back() {
    let (mut t, p) = task();
    let addrlen = p.rw + 64;
    t.k.space.poke(addrlen, &8u32.to_ne_bytes());
    t.k.space.poke(p.big, &[0xee; 16]);
    assert_eq!(call::<sys_getsockname>(&mut t, &[3, p.big, addrlen]), 0);
    assert_eq!(t.k.space.peek(p.big, 16), *b"\x02\x00\x1f\x90\x7f\x00\x00\x01\xee\xee\xee\xee\xee\xee\xee\xee");
    assert_eq!(value_at::<u32>(&t.k.space, addrlen), 16, "the full length");
    // A negative `socklen_t`.
    t.k.space.poke(addrlen, &u32::MAX.to_ne_bytes());
    assert_eq!(call::<sys_getsockname>(&mut t, &[3, p.big, addrlen]), EINVAL);
    assert_eq!(value_at::<u32>(&t.k.space, addrlen), u32::MAX, "unchanged on error");
    // An unreadable length pointer stops the call before the body.
    assert_eq!(call::<sys_getsockname>(&mut t, &[3, p.big, p.hole]), EFAULT);
    // A read-only one is read, then the write back fails.
    t.k.space.poke(p.ro, &4u32.to_ne_bytes());
    assert_eq!(call::<sys_getsockname>(&mut t, &[3, p.big, p.ro]), EFAULT);
}

#[test]
fn structures_trace_their_fields_or_their_address() {
    let (mut t, p) = task();
    let (ret, line) = traced::<sys_fstat>(&mut t, &[3, p.rw]);
    assert_eq!(ret, 0);
    assert_eq!(
        line,
        "fstat(3, {st_dev=8, st_ino=3, st_mode=0o100644, st_nlink=1, st_size=4096}) = 0"
    );
    // A failed call shows the address, as strace does.
    assert_eq!(
        traced::<sys_fstat>(&mut t, &[neg(-1), p.rw]).1,
        format!("fstat(-1, {:#x}) = -9 EBADF", p.rw)
    );
    t.k.space.poke(p.big, &bytes_of(&Timespec { tv_sec: 1, tv_nsec: 500_000_000 }));
    assert_eq!(
        traced::<sys_nanosleep>(&mut t, &[p.big, 0]).1,
        "nanosleep({tv_sec=1, tv_nsec=500000000}, NULL) = 0"
    );
    assert_eq!(
        traced::<sys_nanosleep>(&mut t, &[p.big, p.big + 64]).1,
        "nanosleep({tv_sec=1, tv_nsec=500000000}, {tv_sec=0, tv_nsec=0}) = 0"
    );
    assert_eq!(
        traced::<sys_nanosleep>(&mut t, &[p.hole, 0]).1,
        format!("nanosleep({:#x}, NULL) = -14 EFAULT", p.hole)
    );
    assert_eq!(
        traced::<sys_uname>(&mut t, &[p.rw]).1,
        r#"uname({sysname="Linux", release="6.1"}) = 0"#
    );
    t.k.space.poke(p.big, &7u64.to_ne_bytes());
    assert_eq!(
        traced::<sys_opaque>(&mut t, &[p.big]).1,
        format!("opaque({:#x}) = 7", p.big)
    );
    t.k.space.poke(p.rw + 64, &16u32.to_ne_bytes());
    assert_eq!(
        traced::<sys_getsockname>(&mut t, &[3, p.big, p.rw + 64]).1,
        format!("getsockname(3, {:#x}, [16]) = 0", p.big)
    );
}

// ---------------------------------------------------------------------------
// Signal sets

#[syscall]
fn sys_rt_sigprocmask(
    t: &mut Task,
    how: i32,
    set: Option<&SigSet>,
    #[out] oldset: Option<&mut SigSet>,
    _sigsetsize: SigSetSize,
) -> LinuxResult<()> {
    let old = t.mask;
    if let Some(set) = set {
        t.mask = match how {
            0 => SigSet(old.0 | set.0),
            1 => SigSet(old.0 & !set.0),
            2 => *set,
            _ => return Err(LinuxError::EINVAL),
        };
    }
    if let Some(oldset) = oldset {
        *oldset = old;
    }
    Ok(())
}

/// `ppoll`'s mask: the size is checked only for a non-null mask.
#[syscall]
fn sys_ppoll_mask(
    t: &mut Task,
    #[size = sigsetsize] mask: Option<&SigSet>,
    sigsetsize: usize,
) -> LinuxResult<usize> {
    t.k.ran.push(format!("ppoll {mask:?}"));
    Ok(mask.map_or(0, |mask| mask.0 as usize))
}

#[test]
fn sigsets_come_with_their_size() {
    let (mut t, p) = task();
    let set = SigSet::EMPTY.with(2).with(15);
    t.k.space.poke(p.rw, &set.0.to_ne_bytes());
    assert_eq!(call::<sys_rt_sigprocmask>(&mut t, &[0, p.rw, p.big, SIGSET_SIZE]), 0);
    assert_eq!(t.mask, set);
    assert_eq!(value_at::<u64>(&t.k.space, p.big), 0, "the old, empty mask");
    // Any other size is EINVAL, checked first: even with null sets, even
    // with an unreadable one.
    for size in [0, 4, 16, usize::MAX] {
        assert_eq!(call::<sys_rt_sigprocmask>(&mut t, &[0, 0, 0, size]), EINVAL);
        assert_eq!(call::<sys_rt_sigprocmask>(&mut t, &[0, p.hole, 0, size]), EINVAL);
    }
    assert_eq!(call::<sys_rt_sigprocmask>(&mut t, &[0, p.hole, 0, 8]), EFAULT);
    // `#[size]`: checked where the pointer is used.
    assert_eq!(call::<sys_ppoll_mask>(&mut t, &[p.rw, 8]), set.0 as isize);
    assert_eq!(call::<sys_ppoll_mask>(&mut t, &[p.rw, 4]), EINVAL);
    assert_eq!(call::<sys_ppoll_mask>(&mut t, &[0, 4]), 0);
    assert_eq!(call::<sys_ppoll_mask>(&mut t, &[p.hole, 8]), EFAULT);
    assert_eq!(call::<sys_ppoll_mask>(&mut t, &[p.hole, 7]), EINVAL);
    assert_eq!(t.k.ran, ["ppoll Some(SigSet(16386))", "ppoll None"]);
}

#[test]
fn sigsets_trace_like_strace() {
    let (mut t, p) = task();
    t.k.space.poke(p.rw, &SigSet::EMPTY.with(2).with(15).0.to_ne_bytes());
    assert_eq!(
        traced::<sys_rt_sigprocmask>(&mut t, &[2, p.rw, p.big, 8]).1,
        "rt_sigprocmask(2, [INT TERM], [], 8) = 0"
    );
    t.k.space.poke(p.rw, &(!SigSet::EMPTY.with(9).with(19).0).to_ne_bytes());
    assert_eq!(
        traced::<sys_rt_sigprocmask>(&mut t, &[2, p.rw, 0, 8]).1,
        "rt_sigprocmask(2, ~[KILL STOP], NULL, 8) = 0"
    );
    assert_eq!(
        traced::<sys_rt_sigprocmask>(&mut t, &[2, p.rw, 0, 4]).1,
        format!("rt_sigprocmask(2, {:#x}, NULL, 4) = -22 EINVAL", p.rw)
    );
}

// ---------------------------------------------------------------------------
// Command-dependent registers

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, UserCopy)]
#[repr(C)]
struct Winsize {
    rows: u16,
    cols: u16,
    xpixel: u16,
    ypixel: u16,
}

const TIOCGWINSZ: u32 = 0x5413;
const FIONBIO: u32 = 0x5421;
const SET_NAME: u32 = 0x7001;
const SET_LEVEL: u32 = 0x7002;

#[syscall]
fn sys_ioctl(t: &mut Task, fd: i32, cmd: u32, arg: RawArg) -> LinuxResult<isize> {
    if fd != 1 {
        return Err(LinuxError::EBADF);
    }
    match cmd {
        TIOCGWINSZ => {
            let ws = Winsize { rows: 24, cols: 80, ..Winsize::default() };
            arg.user_ptr::<Winsize>().write(t, ws)?;
            Ok(0)
        }
        FIONBIO => {
            let on: i32 = arg.read(t)?;
            t.k.ran.push(format!("nonblocking {on}"));
            Ok(0)
        }
        SET_NAME => {
            let name = arg.cstr(t)?;
            t.k.ran.push(format!("name {name:?}"));
            Ok(0)
        }
        SET_LEVEL => Ok((arg.int::<i32>() as isize).abs()),
        _ => Err(LinuxError::ENOTTY),
    }
}

#[syscall]
fn sys_fcntl(fd: i32, cmd: i32, #[trace(dec)] arg: RawArg) -> LinuxResult<isize> {
    let _ = (fd, cmd);
    Ok(arg.int::<u32>() as isize)
}

#[test]
fn command_dependent_arguments_convert_on_demand() {
    let (mut t, p) = task();
    assert_eq!(call::<sys_ioctl>(&mut t, &[1, TIOCGWINSZ as usize, p.rw + 1]), 0);
    assert_eq!(value_at::<Winsize>(&t.k.space, p.rw + 1), Winsize { rows: 24, cols: 80, ..Winsize::default() });
    assert_eq!(call::<sys_ioctl>(&mut t, &[1, TIOCGWINSZ as usize, p.ro]), EFAULT);
    t.k.space.poke(p.big, &1i32.to_ne_bytes());
    assert_eq!(call::<sys_ioctl>(&mut t, &[1, FIONBIO as usize, p.big]), 0);
    t.k.space.poke(p.big + 8, b"tty0\0");
    assert_eq!(call::<sys_ioctl>(&mut t, &[1, SET_NAME as usize, p.big + 8]), 0);
    assert_eq!(call::<sys_ioctl>(&mut t, &[1, SET_NAME as usize, p.hole]), EFAULT);
    // An `int`: the low 32 bits, sign-extended from there (the handler
    // returns its absolute value).
    assert_eq!(call::<sys_ioctl>(&mut t, &[1, SET_LEVEL as usize, 0xffff_fffe]), 2);
    assert_eq!(call::<sys_ioctl>(&mut t, &[1, SET_LEVEL as usize, 0x1_0000_0007]), 7);
    assert_eq!(call::<sys_ioctl>(&mut t, &[1, 0x1234, 0]), -(LinuxError::ENOTTY.code() as isize));
    assert_eq!(t.k.ran, ["nonblocking 1", r#"name "tty0""#]);
}

#[test]
fn command_dependent_arguments_trace_in_hex() {
    let (mut t, p) = task();
    assert_eq!(
        traced::<sys_ioctl>(&mut t, &[1, TIOCGWINSZ as usize, p.rw]).1,
        format!("ioctl(1, 21523, {:#x}) = 0", p.rw)
    );
    assert_eq!(traced::<sys_fcntl>(&mut t, &[3, 4, 2048]).1, "fcntl(3, 4, 2048) = 2048");
}

// ---------------------------------------------------------------------------
// Extensible structures

#[derive(Clone, Copy, Debug, PartialEq, Eq, UserCopy, SyscallTrace)]
#[repr(C)]
struct OpenHow {
    flags: u64,
    mode: u64,
    resolve: u64,
}

const OPEN_HOW_SIZE_VER0: usize = 24;

#[syscall]
fn sys_openat2(
    t: &mut Task,
    dirfd: i32,
    path: &CStr,
    #[size = size] how: Extensible<OpenHow, OPEN_HOW_SIZE_VER0>,
    size: usize,
) -> LinuxResult<isize> {
    t.k.ran.push(format!("openat2 {dirfd} {path:?} {:?} {}", *how, how.user_size()));
    Ok(3)
}

#[test]
fn extensible_structures_follow_copy_struct_from_user() {
    let (mut t, p) = task();
    t.k.space.poke(p.rw, b"/f\0");
    let how = OpenHow { flags: 0o2, mode: 0o644, resolve: 8 };
    let at = p.big + 100;
    t.k.space.poke(at, &bytes_of(&how));
    assert_eq!(call::<sys_openat2>(&mut t, &[neg(-100), p.rw, at, 24]), 3);
    // A newer, larger structure whose extra bytes are zero.
    assert_eq!(call::<sys_openat2>(&mut t, &[neg(-100), p.rw, at, 64]), 3);
    // Extra bytes that are not: E2BIG.
    t.k.space.poke(at + 40, &[1]);
    assert_eq!(call::<sys_openat2>(&mut t, &[neg(-100), p.rw, at, 64]), E2BIG);
    assert_eq!(call::<sys_openat2>(&mut t, &[neg(-100), p.rw, at, 41]), E2BIG);
    assert_eq!(call::<sys_openat2>(&mut t, &[neg(-100), p.rw, at, 40]), 3);
    // Below the first version: EINVAL; above a page: E2BIG.
    assert_eq!(call::<sys_openat2>(&mut t, &[neg(-100), p.rw, at, 16]), EINVAL);
    assert_eq!(call::<sys_openat2>(&mut t, &[neg(-100), p.rw, at, PAGE + 1]), E2BIG);
    // Unreadable: the structure, or its tail.
    assert_eq!(call::<sys_openat2>(&mut t, &[neg(-100), p.rw, p.hole, 24]), EFAULT);
    assert_eq!(call::<sys_openat2>(&mut t, &[neg(-100), p.rw, p.hole - 24, 32]), EFAULT);
    let shown = format!("{how:?}");
    assert_eq!(
        t.k.ran,
        [
            format!(r#"openat2 -100 "/f" {shown} 24"#),
            format!(r#"openat2 -100 "/f" {shown} 64"#),
            format!(r#"openat2 -100 "/f" {shown} 40"#),
        ]
    );
}

// ---------------------------------------------------------------------------
// Strings with their own limit

#[syscall]
fn sys_memfd_create(
    t: &mut Task,
    #[cstr(max = 249, err = EINVAL)] name: &CStr,
    flags: u32,
) -> LinuxResult<isize> {
    t.k.ran.push(format!("memfd {} {flags:#x}", name.count_bytes()));
    Ok(3)
}

#[syscall]
fn sys_sethostname_like(#[cstr(max = 8)] name: Option<&CStr>) -> LinuxResult<usize> {
    Ok(name.map_or(0, CStr::count_bytes))
}

#[test]
fn strings_can_have_their_own_limit_and_errno() {
    let (mut t, p) = task();
    t.k.space.poke(p.big, &[b'm'; 300]);
    t.k.space.poke(p.big + 249, &[0]);
    assert_eq!(call::<sys_memfd_create>(&mut t, &[p.big, 1]), 3);
    t.k.space.poke(p.big + 249, b"m\0");
    assert_eq!(call::<sys_memfd_create>(&mut t, &[p.big, 1]), EINVAL);
    assert_eq!(call::<sys_memfd_create>(&mut t, &[p.hole, 1]), EFAULT);
    assert_eq!(t.k.ran, ["memfd 249 0x1"]);
    t.k.space.poke(p.rw, b"12345678\x00123456789\0");
    assert_eq!(call::<sys_sethostname_like>(&mut t, &[p.rw]), 8);
    assert_eq!(
        call::<sys_sethostname_like>(&mut t, &[p.rw + 9]),
        -(LinuxError::ENAMETOOLONG.code() as isize)
    );
    assert_eq!(call::<sys_sethostname_like>(&mut t, &[0]), 0);
}

// ---------------------------------------------------------------------------
// argv and envp

#[syscall]
fn sys_execve(t: &mut Task, path: &CStr, argv: &[CString], envp: &[CString]) -> LinuxResult<usize> {
    t.k.ran.push(format!("exec {path:?} {argv:?} {}", envp.len()));
    Ok(argv.len())
}

/// Pokes a null-terminated pointer array at `at`.
fn poke_pointers(space: &mut Space, at: usize, pointers: &[usize]) {
    let bytes: Vec<u8> = pointers
        .iter()
        .chain([&0])
        .flat_map(|p| p.to_ne_bytes())
        .collect();
    space.poke(at, &bytes);
}

#[test]
fn argument_vectors_are_copied_with_their_strings() {
    let (mut t, p) = task();
    t.k.space.poke(p.rw, b"/bin/ls\0ls\0-l\0HOME=/\0");
    let (argv, envp) = (p.rw + 512, p.rw + 1024);
    poke_pointers(&mut t.k.space, argv, &[p.rw + 8, p.rw + 11]);
    poke_pointers(&mut t.k.space, envp, &[p.rw + 14]);
    assert_eq!(call::<sys_execve>(&mut t, &[p.rw, argv, envp]), 2);
    // Null arrays are empty, as Linux accepts them.
    assert_eq!(call::<sys_execve>(&mut t, &[p.rw, 0, 0]), 0);
    // An unreadable array or string.
    assert_eq!(call::<sys_execve>(&mut t, &[p.rw, p.hole, 0]), EFAULT);
    poke_pointers(&mut t.k.space, argv, &[p.rw + 8, p.hole]);
    assert_eq!(call::<sys_execve>(&mut t, &[p.rw, argv, 0]), EFAULT);
    // No terminator before the hole.
    let tail = p.after_big - 16;
    t.k.space.poke(tail, &[1; 16]);
    assert_eq!(call::<sys_execve>(&mut t, &[p.rw, tail, 0]), EFAULT);
    assert_eq!(t.k.ran, [r#"exec "/bin/ls" ["ls", "-l"] 1"#, r#"exec "/bin/ls" [] 0"#]);
    // Traces show the strings.
    poke_pointers(&mut t.k.space, argv, &[p.rw + 8, p.rw + 11]);
    assert_eq!(
        traced::<sys_execve>(&mut t, &[p.rw, argv, envp]).1,
        r#"execve("/bin/ls", ["ls", "-l"], ["HOME=/"]) = 2"#
    );
    assert_eq!(
        traced::<sys_execve>(&mut t, &[p.rw, 0, p.hole]).1,
        format!(r#"execve("/bin/ls", NULL, {:#x}) = -14 EFAULT"#, p.hole)
    );
}

#[test]
#[cfg_attr(miri, ignore = "copies megabytes")]
fn argument_vectors_past_linux_limits_are_e2big() {
    // A string of exactly MAX_ARG_STRLEN bytes with its NUL, from page 10.
    let pages = 10 + MAX_ARG_STRLEN / PAGE + 1;
    let (mut t, p) = task_with_pages(pages);
    let long = p.after_big + 2 * PAGE;
    t.k.space.poke(long, &vec![b'a'; MAX_ARG_STRLEN - 1]);
    t.k.space.poke(long + MAX_ARG_STRLEN - 1, &[0]);
    t.k.space.poke(p.rw, b"/x\0");
    let argv = p.rw + 512;
    poke_pointers(&mut t.k.space, argv, &[long]);
    assert_eq!(call::<sys_execve>(&mut t, &[p.rw, argv, 0]), 1);
    // One byte more is too long.
    poke_pointers(&mut t.k.space, argv, &[long - 1]);
    t.k.space.poke(long - 1, b"b");
    assert_eq!(call::<sys_execve>(&mut t, &[p.rw, argv, 0]), E2BIG);
    // The total: strings and pointers together.
    let fit = MAX_ARG_TOTAL / MAX_ARG_STRLEN - 1;
    poke_pointers(&mut t.k.space, argv, &vec![long; fit]);
    assert_eq!(call::<sys_execve>(&mut t, &[p.rw, argv, 0]), fit as isize);
    poke_pointers(&mut t.k.space, argv, &vec![long; fit + 1]);
    assert_eq!(call::<sys_execve>(&mut t, &[p.rw, argv, 0]), E2BIG);
}

// ---------------------------------------------------------------------------
// fd sets

/// `select`: descriptor 3 is readable, 4 writable.
#[syscall]
fn sys_select(
    t: &mut Task,
    nfds: i32,
    #[len = nfds] readfds: Option<&mut FdSet>,
    #[len = nfds] writefds: Option<&mut FdSet>,
) -> LinuxResult<usize> {
    t.k.ran.push(format!("select {nfds} {readfds:?} {writefds:?}"));
    let mut ready = 0;
    for (set, fd) in [(readfds, 3), (writefds, 4)] {
        if let Some(set) = set {
            let wanted = set.contains(fd);
            set.clear();
            if wanted {
                set.insert(fd);
                ready += 1;
            }
        }
    }
    Ok(ready)
}

#[test]
fn fd_sets_are_sized_by_nfds_and_copied_both_ways() {
    let (mut t, p) = task();
    let (rfds, wfds) = (p.rw, p.rw + 128);
    t.k.space.poke(rfds, &0b1_1000u64.to_ne_bytes()); // 3 and 4
    t.k.space.poke(wfds, &0b1_1000u64.to_ne_bytes());
    assert_eq!(call::<sys_select>(&mut t, &[5, rfds, wfds]), 2);
    assert_eq!(value_at::<u64>(&t.k.space, rfds), 0b1000);
    assert_eq!(value_at::<u64>(&t.k.space, wfds), 0b1_0000);
    // Only `ceil(nfds / 64)` words are read and written back.
    t.k.space.poke(p.rw + 8, &[0xff; 8]);
    assert_eq!(call::<sys_select>(&mut t, &[64, rfds, 0]), 1);
    assert_eq!(t.k.space.peek(p.rw + 8, 8), [0xff; 8]);
    // A null set is `None`; a negative count EINVAL; an unreadable set
    // EFAULT before the body; a read-only one EFAULT after it.
    assert_eq!(call::<sys_select>(&mut t, &[5, 0, 0]), 0);
    assert_eq!(call::<sys_select>(&mut t, &[neg(-1), rfds, 0]), EINVAL);
    assert_eq!(call::<sys_select>(&mut t, &[5, p.hole, 0]), EFAULT);
    assert_eq!(call::<sys_select>(&mut t, &[5, p.ro, 0]), EFAULT);
    assert_eq!(
        t.k.ran,
        [
            "select 5 Some({3, 4}) Some({3, 4})",
            "select 64 Some({3}) None",
            "select 5 None None",
            "select 5 Some({}) None",
        ]
    );
    t.k.space.poke(rfds, &0b1000u64.to_ne_bytes());
    assert_eq!(
        traced::<sys_select>(&mut t, &[5, rfds, 0]).1,
        "select(5, [3], NULL) = 1"
    );
}

// ---------------------------------------------------------------------------
// Writes after the syscall returns

/// `set_tid_address`: the pointer is stored, written when the thread exits.
#[syscall]
fn sys_set_tid_address(t: &mut Task, tidptr: Option<UserPtr<i32>>) -> LinuxResult<i32> {
    t.clear_child_tid = tidptr;
    Ok(42)
}

/// What the kernel does when the thread exits: clears the stored word
/// (and would wake a futex on it). A fault is ignored, as Linux does: the
/// memory may have been unmapped since.
fn exit_thread(t: &mut Task) -> LinuxResult<()> {
    match t.clear_child_tid.take() {
        Some(tid) => tid.write(t, 0),
        None => Ok(()),
    }
}

#[test]
fn a_stored_pointer_is_written_after_the_syscall_returned() {
    let (mut t, p) = task();
    t.k.space.poke(p.rw + 16, &42i32.to_ne_bytes());
    assert_eq!(call::<sys_set_tid_address>(&mut t, &[p.rw + 16]), 42);
    assert_eq!(value_at::<i32>(&t.k.space, p.rw + 16), 42, "not written yet");
    assert_eq!(exit_thread(&mut t), Ok(()));
    assert_eq!(value_at::<i32>(&t.k.space, p.rw + 16), 0);
    // The page went away between the syscall and the exit: the write is
    // validated when it happens, and fails cleanly.
    assert_eq!(call::<sys_set_tid_address>(&mut t, &[p.big + 4]), 42);
    match &mut t.k.space {
        Space::Heap(space) => space.unmap(p.big, PAGE),
        #[cfg(all(target_os = "linux", target_arch = "x86_64", not(miri), not(fuzzing)))]
        Space::Sim(space) => space.unmap(p.big, PAGE).expect("unmap"),
    }
    assert_eq!(exit_thread(&mut t), Err(LinuxError::EFAULT));
    assert!(!axptr::is_accessing_user_memory());
}
