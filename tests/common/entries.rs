//! `#[syscall]` entries of every argument kind in a `syscall_table!`,
//! called with symbolic, mostly hostile registers on a harness address
//! space, each call's outcome predicted by the reference model.
//!
//! [`run`] dispatches every call through [`TABLE`] (with or without a
//! tracer) and checks, after each:
//! - the result register is the model's: a success value, or `-errno` with
//!   the errno in [`KNOWN_ERRNOS`];
//! - the handler body saw exactly the bytes and integers the model says
//!   (strings, slices, truncated integers), or did not run;
//! - user memory is the model's (nothing written on an error, output
//!   slices copied back as far as the result says);
//! - the fault flag is clear;
//! - a traced call produced exactly one event, agreeing with the result;
//! - the call allocated no more than the largest valid argument needs,
//!   whatever the lengths in the registers (when [`alloc_probe`] is the
//!   global allocator).
//!
//! The handlers are small and their effects easy to state, so that the
//! prediction ([`predict`]) is a plain reading of the rules on the model;
//! it shares no code with `axptr-core` beyond the documented constants.
//! Under Miri the model is not consulted (see [`Proc::consult_model`]):
//! there the same calls check the implementation for undefined behaviour.
//! Used by `tests/syscall_entries.rs` (fixed calls and a property test) and
//! the `syscall_entries` fuzz target.
//!
//! [`alloc_probe`]: super::alloc_probe

use core::{
    ffi::{CStr, c_char},
    fmt,
};

use std::ffi::CString;

use axptr::{
    AddrSpaceProvider, LinuxError, LinuxResult, MappingFlags, PATH_MAX, SyscallArg, SyscallEvent,
    SyscallTable, SyscallTrace, UserConstPtr, UserCopy, UserPtr, UserReader, UserWriter,
    iovec::{IOV_MAX, IoVecReader, IoVecWriter, MAX_RW_COUNT},
    is_accessing_user_memory,
    strings::{MAX_ARG_STRINGS, MAX_ARG_STRLEN},
    syscall,
    syscall::{
        ArgFormat, Extensible, FdSet, MAX_ARG_TOTAL, MAX_SLICE_ARG_BYTES, RawArg, SIGSET_SIZE,
        SigSet, SigSetSize, SockAddrOut, SockLenPtr, SockOptOut,
    },
    syscall_table,
    testing::HeapSpace,
};

use super::{
    alloc_probe,
    harness::{Addr, Env, MAX_PAGES, PageSpec},
    model::{Access, Layout, Model, PAGE},
};

/// At most this many calls per case.
pub const MAX_CALLS: usize = 8;

/// The errnos an entry may return: those of the validation rules, of the
/// argument conversions, and of these handlers. Anything else is a finding.
pub const KNOWN_ERRNOS: [LinuxError; 10] = [
    LinuxError::EFAULT,
    LinuxError::EINVAL,
    LinuxError::ENAMETOOLONG,
    LinuxError::EILSEQ,
    LinuxError::EBADF,
    LinuxError::E2BIG,
    LinuxError::ENOSYS,
    LinuxError::ENOMEM,
    LinuxError::ENOTTY,
    LinuxError::ENOPROTOOPT,
];

/// No single allocation of a call may be larger than this: the largest
/// valid argument (a slice over a whole space, a string of `PATH_MAX`
/// bytes) fits, a kernel buffer sized by a hostile length does not.
pub const ALLOC_LIMIT: usize = (MAX_PAGES + 2) * PAGE;

/// The sum of a call's allocations stays below this.
pub const ALLOC_TOTAL_LIMIT: usize = 16 * ALLOC_LIMIT;

/// The sum of the allocations of `execve2`, which copies up to
/// `MAX_ARG_TOTAL` bytes of strings per array as Linux does (each string
/// and the pointer array grow by doubling: twice that, per array).
const EXEC_ALLOC_TOTAL_LIMIT: usize = 2 * (2 * MAX_ARG_TOTAL + ALLOC_TOTAL_LIMIT);

/// The largest single allocation of `execve2`: a string or a pointer array
/// over the whole space, grown by doubling, or the vector of `CString`s for
/// a space full of pointers.
const EXEC_ALLOC_LIMIT: usize = 4 * MAX_PAGES * PAGE;

/// A strace line is at most this long: six arguments of at most 32 shown
/// bytes each, escaped, or two argument vectors of at most 32 such strings.
const MAX_TRACE_LINE: usize = 2 * 32 * (4 * 32 + 4) + 1024;

/// `execve`'s limits, small so that random input reaches them.
const MAX_ARGS: usize = 8;
const MAX_ARG_LEN: usize = 64;

// ---------------------------------------------------------------------------
// Inputs

/// An address space and the syscalls made on it.
#[cfg_attr(fuzzing, derive(arbitrary::Arbitrary))]
#[derive(Clone, Debug)]
pub struct Case {
    /// The pages of the space (at most [`MAX_PAGES`] are used).
    pub space: Vec<PageSpec>,
    /// The calls (at most [`MAX_CALLS`] are made).
    pub calls: Vec<Call>,
}

/// One syscall: its number and six registers.
#[cfg_attr(fuzzing, derive(arbitrary::Arbitrary))]
#[derive(Clone, Copy, Debug)]
pub struct Call {
    /// The syscall number.
    pub number: Number,
    /// The argument registers.
    pub regs: [Reg; 6],
    /// Dispatched with a tracer.
    pub traced: bool,
}

/// A syscall number.
#[cfg_attr(fuzzing, derive(arbitrary::Arbitrary))]
#[derive(Clone, Copy, Debug)]
pub enum Number {
    /// Modulo two more than the table's length: every handler, the gap in
    /// the table, and the numbers just past it.
    Table(u8),
    /// Anything.
    Raw(usize),
}

/// A register value.
#[cfg_attr(fuzzing, derive(arbitrary::Arbitrary))]
#[derive(Clone, Copy, Debug)]
pub enum Reg {
    /// An address in or around the space (page edges, before a terminator,
    /// near null, near `usize::MAX`, ...).
    Addr(Addr),
    /// A small number: a length, a count, a descriptor.
    Small(u16),
    /// `-1 - n`: negative lengths and descriptors.
    Negative(u16),
    /// `2^exp + delta` (modulo `2^64`, `exp` modulo 65): the edges of every
    /// integer width, and lengths whose byte size overflows.
    Pow2 {
        /// The power of two.
        exp: u8,
        /// Added to it.
        delta: i8,
    },
    /// Anything.
    Raw(usize),
}

// ---------------------------------------------------------------------------
// The handlers

/// What a handler body saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seen {
    /// Integer arguments, widened.
    Ints(Vec<i128>),
    /// A string or slice argument's bytes (native byte order).
    Bytes(Vec<u8>),
    /// A `None` argument.
    Absent,
}

/// The context of the handlers: the space under test (with its model) and
/// what the bodies saw.
pub struct Proc {
    /// The space and its model.
    pub env: Env,
    /// One entry per observation of a body, in order.
    pub seen: Vec<Seen>,
    /// The kernel objects the handlers use.
    pub state: State,
    /// The model's prediction of `state`.
    pub model_state: State,
    /// Whether calls are predicted by the model. Off under Miri, where the
    /// model's byte-by-byte walks of long strings take minutes: Miri checks
    /// the implementation's memory accesses on the same calls, native runs
    /// check the answers.
    pub consult_model: bool,
}

impl Proc {
    /// A process on a space built from `spec`.
    pub fn new(spec: &[PageSpec]) -> Self {
        Self {
            env: Env::new(spec),
            seen: Vec::new(),
            state: State::new(),
            model_state: State::new(),
            consult_model: !cfg!(miri),
        }
    }

    fn saw(&mut self, seen: Seen) {
        self.seen.push(seen);
    }
}

/// Kernel objects that outlive a call: a pipe on descriptor 3, a signal
/// mask, a directory's read position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// The pipe's unread bytes.
    pub pipe: Vec<u8>,
    /// The signal mask.
    pub mask: SigSet,
    /// How many entries of the directory were read.
    pub dir_pos: usize,
}

/// The pipe holds at most this many bytes.
const PIPE_CAPACITY: usize = 512;

impl State {
    fn new() -> Self {
        Self {
            // Some data to read from the start.
            pipe: (0..100u8).map(|i| i.wrapping_mul(37) | 1).collect(),
            mask: SigSet::EMPTY,
            dir_pos: 0,
        }
    }
}

impl AddrSpaceProvider for Proc {
    type AddrSpace = HeapSpace;

    fn with_addr_space<R>(&mut self, f: impl FnOnce(&mut HeapSpace) -> R) -> R {
        f(self.env.space_mut())
    }
}

fn bytes_of<const N: usize>(values: impl IntoIterator<Item = [u8; N]>) -> Vec<u8> {
    values.into_iter().flatten().collect()
}

#[syscall]
fn sys_getpid() -> LinuxResult<i32> {
    Ok(42)
}

#[syscall]
fn sys_narrow(p: &mut Proc, a: i8, b: u8, c: i16, d: u16, e: i32, f: u32) -> LinuxResult<()> {
    let ints = [a.into(), b.into(), c.into(), d.into(), e.into(), f.into()];
    p.saw(Seen::Ints(ints.to_vec()));
    Ok(())
}

#[syscall]
fn sys_wide(p: &mut Proc, a: i64, b: u64, c: isize, d: usize) -> LinuxResult<()> {
    p.saw(Seen::Ints(vec![a.into(), b.into(), c as i128, d as i128]));
    Ok(())
}

/// Copy API, both directions.
#[syscall]
fn sys_copy(p: &mut Proc, dst: UserPtr<u64>, src: UserConstPtr<u64>) -> LinuxResult<()> {
    let value = src.read(p)?;
    dst.write(p, value)
}

/// Reference API, read-write in place.
#[syscall]
fn sys_get_add(p: &mut Proc, counter: UserPtr<u32>, add: u32) -> LinuxResult<u32> {
    // SAFETY: the process is single-threaded and nothing else reaches the
    // counter while the reference lives.
    let counter = unsafe { counter.get(p)? };
    let old = *counter;
    *counter = old.wrapping_add(add);
    Ok(old)
}

/// Reference API, a slice lent in place.
#[syscall]
fn sys_get_slice(p: &mut Proc, words: UserConstPtr<u16>, n: usize) -> LinuxResult<usize> {
    // SAFETY: the process is single-threaded and nothing writes the words
    // while the slice lives.
    let words = unsafe { words.get_as_slice(p, n)? };
    let bytes = bytes_of(words.iter().map(|w| w.to_ne_bytes()));
    p.saw(Seen::Bytes(bytes));
    Ok(n)
}

/// Optional pointers: a default for a null input, nothing written for a
/// null output.
#[syscall]
fn sys_opt(
    p: &mut Proc,
    out: Option<UserPtr<u32>>,
    input: Option<UserConstPtr<u32>>,
) -> LinuxResult<u32> {
    let value = match input {
        Some(input) => input.read(p)?,
        None => 7,
    };
    if let Some(out) = out {
        out.write(p, value)?;
    }
    Ok(value)
}

/// (`_flags` traces in hex, `_mode` in octal.)
#[syscall]
fn sys_open(p: &mut Proc, path: &CStr, _flags: u32, _mode: u32) -> LinuxResult<usize> {
    p.saw(Seen::Bytes(path.to_bytes().to_vec()));
    Ok(path.count_bytes())
}

#[syscall]
fn sys_mount(p: &mut Proc, source: Option<&CStr>, target: &CStr, _flags: u64) -> LinuxResult<()> {
    p.saw(source.map_or(Seen::Absent, |s| Seen::Bytes(s.to_bytes().to_vec())));
    p.saw(Seen::Bytes(target.to_bytes().to_vec()));
    Ok(())
}

/// A file descriptor: `int`, negative numbers are `EBADF`.
pub struct Fd(pub u32);

impl<C: ?Sized> SyscallArg<C> for Fd {
    fn from_syscall_arg(_ctx: &mut C, raw: usize) -> LinuxResult<Self> {
        u32::try_from(raw as u32 as i32)
            .map(Fd)
            .map_err(|_| LinuxError::EBADF)
    }

    fn fmt_syscall_arg(raw: usize, _: ArgFormat, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", raw as u32 as i32)
    }
}

#[syscall]
fn sys_write(p: &mut Proc, _fd: Fd, #[len = count] buf: &[u8], count: usize) -> LinuxResult<usize> {
    p.saw(Seen::Bytes(buf.to_vec()));
    Ok(buf.len())
}

/// A slice of wider elements, with a signed length.
#[syscall]
fn sys_sum32(p: &mut Proc, #[len = n] values: &[u32], n: i32) -> LinuxResult<u32> {
    p.saw(Seen::Bytes(bytes_of(
        values.iter().map(|v| v.to_ne_bytes()),
    )));
    Ok(values.iter().fold(0, |sum: u32, &v| sum.wrapping_add(v)))
}

/// An output slice: the first `produced` bytes are copied back.
#[syscall]
fn sys_read(
    p: &mut Proc,
    fd: i32,
    #[len = count] buf: &mut [u8],
    count: usize,
    produced: isize,
) -> LinuxResult<isize> {
    p.saw(Seen::Bytes(buf.to_vec()));
    for (i, byte) in buf.iter_mut().enumerate() {
        *byte = i as u8 ^ fd as u8;
    }
    if (-4095..0).contains(&produced) {
        // The result register would read as an errno.
        return Err(LinuxError::EINVAL);
    }
    Ok(produced)
}

/// An in-out slice (`poll`): `revents = fd & events`, copied back whole.
#[syscall]
fn sys_poll(
    p: &mut Proc,
    #[len = nfds]
    #[inout]
    fds: &mut [[u32; 3]],
    nfds: u32,
) -> LinuxResult<isize> {
    p.saw(Seen::Bytes(bytes_of(
        fds.iter().flatten().map(|w| w.to_ne_bytes()),
    )));
    let mut ready = 0;
    for fd in fds.iter_mut() {
        fd[2] = fd[0] & fd[1];
        ready += isize::from(fd[2] != 0);
    }
    Ok(ready)
}

/// An input and an output slice, which the user may make overlap.
#[syscall]
fn sys_reverse(
    p: &mut Proc,
    #[len = len] src: &[u8],
    #[len = len] dst: &mut [u8],
    len: usize,
) -> LinuxResult<usize> {
    for (d, s) in dst.iter_mut().zip(src.iter().rev()) {
        *d = *s;
    }
    p.saw(Seen::Bytes(src.to_vec()));
    Ok(len)
}

/// A `#[derive(UserCopy)]` struct written out.
#[derive(Clone, Copy, Debug, UserCopy, SyscallTrace)]
#[repr(C)]
pub struct Stat {
    /// The path's length.
    pub size: u64,
    /// Always a regular file, 0644.
    pub mode: u32,
    /// Always 1.
    pub nlink: u32,
}

const STAT_MODE: u32 = 0o100_644;

#[syscall]
fn sys_stat(p: &mut Proc, path: &CStr, out: UserPtr<Stat>) -> LinuxResult<()> {
    let stat = Stat {
        size: path.count_bytes() as u64,
        mode: STAT_MODE,
        nlink: 1,
    };
    out.write(p, stat)
}

/// A `struct timespec` argument: a conversion that reads user memory
/// through the context, before the body runs (traced by the default
/// renderer, as its address).
pub struct Timespec {
    sec: i64,
    nsec: i64,
}

impl SyscallArg<Proc> for Timespec {
    fn from_syscall_arg(p: &mut Proc, raw: usize) -> LinuxResult<Self> {
        let [sec, nsec] = UserConstPtr::<[i64; 2]>::from(raw).read(p)?;
        if !(0..1_000_000_000).contains(&nsec) {
            return Err(LinuxError::EINVAL);
        }
        Ok(Self { sec, nsec })
    }
}

#[syscall]
fn sys_settime(p: &mut Proc, clock: i32, ts: Timespec) -> LinuxResult<usize> {
    p.saw(Seen::Ints(vec![
        clock.into(),
        ts.sec.into(),
        ts.nsec.into(),
    ]));
    if clock < 0 {
        return Err(LinuxError::EINVAL);
    }
    Ok(ts.nsec as usize)
}

/// Reference API, a C string lent in place as UTF-8.
#[syscall]
fn sys_get_str(p: &mut Proc, s: UserConstPtr<c_char>) -> LinuxResult<usize> {
    // SAFETY: the process is single-threaded and nothing rewrites the
    // string while it is lent.
    let bytes = unsafe { s.get_as_str(p)? }.as_bytes().to_vec();
    let len = bytes.len();
    p.saw(Seen::Bytes(bytes));
    Ok(len)
}

/// Linux says `E2BIG` where a string or array of `execve` is too long.
fn too_big(err: LinuxError) -> LinuxError {
    match err {
        LinuxError::ENAMETOOLONG => LinuxError::E2BIG,
        other => other,
    }
}

/// A null-terminated array of pointers to strings, read in the body.
#[syscall]
fn sys_execve(
    p: &mut Proc,
    path: &CStr,
    argv: Option<UserConstPtr<UserConstPtr<c_char>>>,
) -> LinuxResult<usize> {
    p.saw(Seen::Bytes(path.to_bytes().to_vec()));
    let args = match argv {
        Some(argv) => argv
            .read_null_terminated_vec(p, MAX_ARGS + 1)
            .map_err(too_big)?,
        None => Vec::new(),
    };
    for arg in &args {
        let arg = arg.read_cstring(p, MAX_ARG_LEN).map_err(too_big)?;
        p.saw(Seen::Bytes(arg.into_bytes()));
    }
    Ok(args.len())
}

/// No context: an output slice of `u16`, copied back whole (`()` result).
#[syscall]
fn sys_fill16(#[len = n] buf: &mut [u16], n: u16, value: u16) -> LinuxResult<()> {
    buf.fill(value);
    Ok(())
}

/// A context generic over the provider, a slice with an `isize` length.
#[syscall]
fn sys_nonzero<P: AddrSpaceProvider>(
    _p: &mut P,
    #[len = n] words: &[u64],
    n: isize,
) -> LinuxResult<usize> {
    Ok(words.iter().filter(|&&w| w != 0).count())
}

/// `read(2)` on the pipe, into a cursor: checks the descriptor, then the
/// buffer (Linux's `access_ok` before the file operation), moves what
/// fits and keeps the rest.
#[syscall]
fn sys_pipe_read(
    p: &mut Proc,
    fd: i32,
    #[len = count] mut buf: UserWriter,
    count: usize,
) -> LinuxResult<usize> {
    if fd != 3 {
        return Err(LinuxError::EBADF);
    }
    buf.access_ok(p)?;
    let data = std::mem::take(&mut p.state.pipe);
    let moved = buf.write(p, &data);
    p.state.pipe = data;
    let n = moved?;
    p.state.pipe.drain(..n);
    Ok(n)
}

/// `write(2)` into the pipe, from a cursor.
#[syscall]
fn sys_pipe_write(
    p: &mut Proc,
    fd: i32,
    #[len = count] mut buf: UserReader,
    count: usize,
) -> LinuxResult<usize> {
    if fd != 3 {
        return Err(LinuxError::EBADF);
    }
    buf.access_ok(p)?;
    let room = PIPE_CAPACITY - p.state.pipe.len();
    let mut chunk = vec![0; room.min(count)];
    let n = buf.read(p, &mut chunk)?;
    p.state.pipe.extend_from_slice(&chunk[..n]);
    Ok(n)
}

/// `readv(2)` on the pipe (an `int` count).
#[syscall]
fn sys_pipe_readv(
    p: &mut Proc,
    fd: i32,
    #[len = iovcnt] mut iov: IoVecWriter,
    iovcnt: i32,
) -> LinuxResult<usize> {
    if fd != 3 {
        return Err(LinuxError::EBADF);
    }
    let data = std::mem::take(&mut p.state.pipe);
    let moved = iov.write(p, &data);
    p.state.pipe = data;
    let n = moved?;
    p.state.pipe.drain(..n);
    Ok(n)
}

/// `writev(2)` into the pipe.
#[syscall]
fn sys_pipe_writev(
    p: &mut Proc,
    fd: i32,
    #[len = iovcnt] mut iov: IoVecReader,
    iovcnt: usize,
) -> LinuxResult<usize> {
    if fd != 3 {
        return Err(LinuxError::EBADF);
    }
    let room = PIPE_CAPACITY - p.state.pipe.len();
    let mut chunk = vec![0; room.min(iov.remaining())];
    let n = iov.read(p, &mut chunk)?;
    p.state.pipe.extend_from_slice(&chunk[..n]);
    Ok(n)
}

/// An output structure, written after `Ok`.
#[syscall]
fn sys_fstat(p: &mut Proc, fd: i32, #[out] st: &mut Stat) -> LinuxResult<()> {
    p.saw(Seen::Ints(vec![fd.into()]));
    if fd < 0 {
        return Err(LinuxError::EBADF);
    }
    *st = Stat {
        size: fd as u64,
        mode: STAT_MODE,
        nlink: 1,
    };
    Ok(())
}

/// `struct timespec`, with a trace rendering.
#[derive(Clone, Copy, Debug, UserCopy, SyscallTrace)]
#[repr(C)]
pub struct Ts {
    /// Seconds.
    pub tv_sec: i64,
    /// Nanoseconds.
    pub tv_nsec: i64,
}

/// A structure in, an optional one out.
#[syscall]
fn sys_clock_nanosleep(
    p: &mut Proc,
    clock: i32,
    req: &Ts,
    #[out] rem: Option<&mut Ts>,
) -> LinuxResult<usize> {
    p.saw(Seen::Ints(vec![
        clock.into(),
        req.tv_sec.into(),
        req.tv_nsec.into(),
    ]));
    if !(0..1_000_000_000).contains(&req.tv_nsec) {
        return Err(LinuxError::EINVAL);
    }
    if let Some(rem) = rem {
        rem.tv_sec = req.tv_sec / 2;
    }
    Ok((req.tv_nsec % 1000) as usize)
}

/// Sigsets with their size register.
#[syscall]
fn sys_sigprocmask(
    p: &mut Proc,
    how: i32,
    set: Option<&SigSet>,
    #[out] oldset: Option<&mut SigSet>,
    _sigsetsize: SigSetSize,
) -> LinuxResult<()> {
    let old = p.state.mask;
    if let Some(set) = set {
        p.state.mask = match how {
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

/// The address `getsockname` reports.
const SOCKADDR: [u8; 16] = *b"\x02\x00\x1f\x90\x7f\x00\x00\x01\0\0\0\0\0\0\0\0";

/// A length pointer, read before the body and written back after it.
#[syscall]
fn sys_getsockname(
    p: &mut Proc,
    fd: i32,
    addr: Option<UserPtr<u8>>,
    #[inout] addrlen: Option<&mut u32>,
) -> LinuxResult<()> {
    if fd != 3 {
        return Err(LinuxError::EBADF);
    }
    let (Some(addr), Some(addrlen)) = (addr, addrlen) else {
        return Err(LinuxError::EFAULT);
    };
    let capacity = usize::try_from(*addrlen as i32).map_err(|_| LinuxError::EINVAL)?;
    let n = capacity.min(SOCKADDR.len());
    addr.write_slice(p, &SOCKADDR[..n])?;
    *addrlen = SOCKADDR.len() as u32;
    Ok(())
}

/// A command-dependent register.
#[syscall]
fn sys_ioctl(p: &mut Proc, fd: i32, cmd: u32, arg: RawArg) -> LinuxResult<usize> {
    if fd != 1 {
        return Err(LinuxError::EBADF);
    }
    match cmd {
        0 => Ok(i64::from(arg.int::<i32>()).unsigned_abs() as usize),
        1 => arg.read::<u32, _>(p).map(|v| v as usize),
        2 => arg.user_ptr::<u64>().write(p, IOCTL_WORD).map(|()| 0),
        3 => {
            let name = arg.cstr(p)?;
            p.saw(Seen::Bytes(name.as_bytes().to_vec()));
            Ok(name.as_bytes().len())
        }
        _ => Err(LinuxError::ENOTTY),
    }
}

/// What `ioctl` command 2 writes.
const IOCTL_WORD: u64 = 0x1122_3344_5566_7788;

/// `open_how`: 24 bytes, the first version 16.
#[derive(Clone, Copy, Debug, UserCopy, SyscallTrace)]
#[repr(C)]
pub struct How {
    /// Flags.
    pub flags: u64,
    /// Mode.
    pub mode: u64,
    /// Resolve flags (a later version).
    pub resolve: u64,
}

/// An extensible structure.
#[syscall]
fn sys_openat2(
    p: &mut Proc,
    _dirfd: i32,
    #[size = size] how: Extensible<How, 16>,
    size: usize,
) -> LinuxResult<usize> {
    p.saw(Seen::Ints(vec![
        how.flags.into(),
        how.mode.into(),
        how.resolve.into(),
    ]));
    Ok((how.flags & 0xffff) as usize)
}

/// A name with its own limit and errno.
#[syscall]
fn sys_memfd(
    p: &mut Proc,
    #[cstr(max = 12, err = EINVAL)] name: &CStr,
    _flags: u32,
) -> LinuxResult<usize> {
    p.saw(Seen::Bytes(name.to_bytes().to_vec()));
    Ok(name.count_bytes())
}

/// Argument vectors.
#[syscall]
fn sys_execve2(
    p: &mut Proc,
    path: &CStr,
    argv: &[CString],
    envp: &[CString],
) -> LinuxResult<usize> {
    p.saw(Seen::Bytes(path.to_bytes().to_vec()));
    for arg in argv.iter().chain(envp) {
        p.saw(Seen::Bytes(arg.as_bytes().to_vec()));
    }
    Ok(argv.len())
}

/// fd sets: 3 is readable, 4 writable.
#[syscall]
fn sys_select(
    p: &mut Proc,
    nfds: i32,
    #[len = nfds] readfds: Option<&mut FdSet>,
    #[len = nfds] writefds: Option<&mut FdSet>,
) -> LinuxResult<usize> {
    let mut ready = 0;
    for (set, fd) in [(readfds, 3), (writefds, 4)] {
        match set {
            Some(set) => {
                // How many descriptors are in it, and whether 3 and 4 are.
                let summary = [
                    set.iter().count(),
                    set.contains(3).into(),
                    set.contains(4).into(),
                ];
                p.saw(Seen::Ints(summary.map(|n| n as i128).to_vec()));
                let wanted = set.contains(fd);
                set.clear();
                if wanted {
                    set.insert(fd);
                    ready += 1;
                }
            }
            None => p.saw(Seen::Absent),
        }
    }
    Ok(ready)
}

/// The directory `getdents64` lists: names of 1 to 20 letters.
const DIR_ENTRIES: usize = 40;

/// The `linux_dirent64` record of entry `index`: inode, offset, record
/// length, type, the name and its NUL, padded to 8 bytes.
fn dirent(index: usize) -> Vec<u8> {
    let name = vec![b'a' + (index % 26) as u8; index % 20 + 1];
    let reclen = (19 + name.len() + 1).next_multiple_of(8);
    let mut rec = Vec::with_capacity(reclen);
    rec.extend_from_slice(&(index as u64 + 100).to_ne_bytes());
    rec.extend_from_slice(&(index as i64 + 1).to_ne_bytes());
    rec.extend_from_slice(&(reclen as u16).to_ne_bytes());
    rec.push(8);
    rec.extend_from_slice(&name);
    rec.resize(reclen, 0);
    rec
}

/// Variable-length records into a cursor: whole records only; `EINVAL`
/// if the first does not fit; a record cut by a fault ends the listing
/// before it (`EFAULT` if it is the first, as Linux's `filldir64`).
#[syscall]
fn sys_getdents64(
    p: &mut Proc,
    fd: i32,
    #[len = count] mut dirp: UserWriter,
    count: usize,
) -> LinuxResult<usize> {
    if fd != 5 {
        return Err(LinuxError::EBADF);
    }
    let mut written = 0;
    while p.state.dir_pos < DIR_ENTRIES {
        let rec = dirent(p.state.dir_pos);
        if dirp.remaining() < rec.len() {
            if written == 0 {
                return Err(LinuxError::EINVAL);
            }
            break;
        }
        match dirp.write(p, &rec) {
            Ok(n) if n == rec.len() => {
                written += n;
                p.state.dir_pos += 1;
            }
            Ok(_) | Err(_) if written == 0 => return Err(LinuxError::EFAULT),
            Ok(_) | Err(_) => break,
        }
    }
    Ok(written)
}

/// An address whose capacity is in user memory: read after the body,
/// the address cut to it, the full length written back.
#[syscall]
fn sys_getsockname2(
    p: &mut Proc,
    fd: i32,
    #[len = addrlen] addr: &mut SockAddrOut,
    addrlen: SockLenPtr,
) -> LinuxResult<()> {
    if fd != 3 {
        return Err(LinuxError::EBADF);
    }
    p.saw(Seen::Ints(vec![fd.into()]));
    addr.set(&SOCKADDR)
}

/// The same, nullable: a null address ignores its length pointer.
#[syscall]
fn sys_accept(
    p: &mut Proc,
    fd: i32,
    #[len = addrlen] addr: Option<&mut SockAddrOut>,
    addrlen: SockLenPtr,
) -> LinuxResult<usize> {
    if fd != 3 {
        return Err(LinuxError::EBADF);
    }
    p.saw(Seen::Ints(vec![i128::from(addr.is_some())]));
    if let Some(addr) = addr {
        addr.set(&SOCKADDR[..8])?;
    }
    Ok(4)
}

/// The value `getsockopt` reports for option 0.
const SOCKOPT_INT: i32 = 212_992;

/// A socket option of at most 8 bytes: the length copied goes back.
#[syscall]
fn sys_getsockopt(
    p: &mut Proc,
    fd: i32,
    optname: u32,
    #[len = optlen] optval: &mut SockOptOut<8>,
    optlen: SockLenPtr,
) -> LinuxResult<()> {
    if fd != 3 {
        return Err(LinuxError::EBADF);
    }
    p.saw(Seen::Ints(vec![optname.into()]));
    match optname {
        0 => optval.set_value(&SOCKOPT_INT),
        1 => optval.set(b"eth0\0"),
        2 => optval.set(&[7; 9]),
        _ => Err(LinuxError::ENOPROTOOPT),
    }
}

/// The number without a handler inside the table.
pub const GAP: usize = 18;

/// Every handler, by number.
pub static TABLE: SyscallTable<Proc> = syscall_table! {
    Proc;
    0 => sys_getpid,
    1 => sys_narrow,
    2 => sys_wide,
    3 => sys_copy,
    4 => sys_get_add,
    5 => sys_get_slice,
    6 => sys_opt,
    7 => sys_open,
    8 => sys_mount,
    9 => sys_write,
    10 => sys_sum32,
    11 => sys_read,
    12 => sys_poll,
    13 => sys_reverse,
    14 => sys_stat,
    15 => sys_settime,
    16 => sys_get_str,
    17 => sys_execve,
    19 => sys_fill16,
    20 => sys_nonzero,
    21 => sys_pipe_read,
    22 => sys_pipe_write,
    23 => sys_pipe_readv,
    24 => sys_pipe_writev,
    25 => sys_fstat,
    26 => sys_clock_nanosleep,
    27 => sys_sigprocmask,
    28 => sys_getsockname,
    29 => sys_ioctl,
    30 => sys_openat2,
    31 => sys_memfd,
    32 => sys_execve2,
    33 => sys_select,
    34 => sys_getdents64,
    35 => sys_getsockname2,
    36 => sys_accept,
    37 => sys_getsockopt,
};

/// The name and number of parameters of each number's handler, as a trace
/// shows them (an unknown number shows its six registers).
fn signature(number: usize) -> Option<(&'static str, usize)> {
    Some(match number {
        0 => ("getpid", 0),
        1 => ("narrow", 6),
        2 => ("wide", 4),
        3 => ("copy", 2),
        4 => ("get_add", 2),
        5 => ("get_slice", 2),
        6 => ("opt", 2),
        7 => ("open", 3),
        8 => ("mount", 3),
        9 => ("write", 3),
        10 => ("sum32", 2),
        11 => ("read", 4),
        12 => ("poll", 2),
        13 => ("reverse", 3),
        14 => ("stat", 2),
        15 => ("settime", 2),
        16 => ("get_str", 1),
        17 => ("execve", 2),
        19 => ("fill16", 3),
        20 => ("nonzero", 2),
        21 => ("pipe_read", 3),
        22 => ("pipe_write", 3),
        23 => ("pipe_readv", 3),
        24 => ("pipe_writev", 3),
        25 => ("fstat", 2),
        26 => ("clock_nanosleep", 3),
        27 => ("sigprocmask", 4),
        28 => ("getsockname", 3),
        29 => ("ioctl", 3),
        30 => ("openat2", 3),
        31 => ("memfd", 2),
        32 => ("execve2", 3),
        33 => ("select", 3),
        34 => ("getdents64", 3),
        35 => ("getsockname2", 3),
        36 => ("accept", 3),
        37 => ("getsockopt", 4),
        _ => return None,
    })
}

// ---------------------------------------------------------------------------
// The model's prediction

type Step<T> = Result<T, LinuxError>;

const READ: MappingFlags = MappingFlags::READ;
const WRITE: MappingFlags = MappingFlags::WRITE;
const BYTE: Layout = Layout { size: 1, align: 1 };

fn layout<T>() -> Layout {
    Layout {
        size: size_of::<T>(),
        align: align_of::<T>(),
    }
}

fn copy(flags: MappingFlags) -> Access {
    Access {
        flags,
        reference: false,
    }
}

fn lent(flags: MappingFlags) -> Access {
    Access {
        flags,
        reference: true,
    }
}

/// The low `bits` bits of a register.
fn unsigned(raw: usize, bits: u32) -> i128 {
    (raw as u128 & ((1u128 << bits) - 1)) as i128
}

/// The low `bits` bits of a register, read as two's complement.
fn signed(raw: usize, bits: u32) -> i128 {
    let low = unsigned(raw, bits);
    if low >= 1 << (bits - 1) {
        low - (1 << bits)
    } else {
        low
    }
}

/// A length parameter: a negative signed length is `EINVAL`.
fn count(len: i128) -> Step<usize> {
    usize::try_from(len).map_err(|_| LinuxError::EINVAL)
}

/// The model of one call: the space (updated as the call goes) and what
/// the body sees.
pub struct Expect<'m> {
    model: &'m mut Model,
    seen: Vec<Seen>,
    state: &'m mut State,
}

impl Expect<'_> {
    /// `count` elements of `layout` copied in (`read`, `read_slice`).
    fn copy_in(&self, addr: usize, count: usize, layout: Layout) -> Step<Vec<u8>> {
        self.model.region(addr, count, layout, copy(READ)).result?;
        Ok(self.model.bytes(addr, count * layout.size))
    }

    /// `data`, `count` elements of `layout`, copied out (`write`,
    /// `write_slice`).
    fn copy_out(&mut self, addr: usize, data: &[u8], count: usize, layout: Layout) -> Step<()> {
        self.model.region(addr, count, layout, copy(WRITE)).result?;
        self.model.write(addr, data);
        Ok(())
    }

    /// `count` elements lent in place (`get`, `get_as_slice`).
    fn lend(
        &self,
        addr: usize,
        count: usize,
        layout: Layout,
        flags: MappingFlags,
    ) -> Step<Vec<u8>> {
        self.model.region(addr, count, layout, lent(flags)).result?;
        Ok(self.model.bytes(addr, count * layout.size))
    }

    /// A C string of at most `limit` bytes (NUL included), copied in.
    fn c_string(&self, addr: usize, limit: usize) -> Step<Vec<u8>> {
        let len = self
            .model
            .null_terminated(addr, BYTE, copy(READ), limit)
            .result?;
        Ok(self.model.bytes(addr, len))
    }

    /// The number of elements a slice argument of `len` elements holds in
    /// the kernel: at most `MAX_SLICE_ARG_BYTES` worth.
    fn capped(len: usize, layout: Layout) -> usize {
        len.min((MAX_SLICE_ARG_BYTES / layout.size).max(1))
    }

    /// A `&[T]` argument: the whole user buffer must be readable; the
    /// kernel copy holds its capped prefix.
    fn slice_in(&self, addr: usize, len: usize, layout: Layout) -> Step<Vec<u8>> {
        self.model.region(addr, len, layout, copy(READ)).result?;
        let kept = Self::capped(len, layout);
        Ok(self.model.bytes(addr, kept * layout.size))
    }

    /// A `&mut [T]` argument: the whole user buffer must be mapped with
    /// `flags`; returns how many elements the kernel buffer holds.
    fn slice_out(
        &self,
        addr: usize,
        len: usize,
        layout: Layout,
        flags: MappingFlags,
    ) -> Step<usize> {
        self.model.region(addr, len, layout, copy(flags)).result?;
        Ok(Self::capped(len, layout))
    }

    fn saw(&mut self, seen: Seen) {
        self.seen.push(seen);
    }

    /// Linux's `access_ok`: the range lies in user space.
    fn access_ok(&self, addr: usize, len: usize) -> Step<()> {
        if addr as u128 + len as u128 <= self.model.user_end {
            Ok(())
        } else {
            Err(LinuxError::EFAULT)
        }
    }

    /// How many of the `len` bytes at `addr` a transfer moves: up to the
    /// first page not mapped with `flags` (validation is a page at a
    /// time), nothing at null.
    fn movable(&self, addr: usize, len: usize, flags: MappingFlags) -> usize {
        let mut done = 0;
        while done < len && addr != 0 {
            let at = addr as u128 + done as u128;
            let chunk = (len - done).min(PAGE - (at % PAGE as u128) as usize);
            if !self.model.mapped(at, chunk as u128, flags) {
                break;
            }
            done += chunk;
        }
        done
    }

    /// A cursor's transfer of `len` bytes (after its bounds were checked):
    /// how many moved; `EFAULT` if `len > 0` and none did.
    fn transfer(&self, addr: usize, len: usize, flags: MappingFlags) -> Step<usize> {
        let moved = self.movable(addr, len, flags);
        if len > 0 && moved == 0 {
            return Err(LinuxError::EFAULT);
        }
        Ok(moved)
    }

    /// `IoVecs::import`: the segments, with Linux's checks in Linux's
    /// order and the total capped at `MAX_RW_COUNT`.
    fn import_iovecs(&self, addr: usize, count: usize) -> Step<Vec<(usize, usize)>> {
        if count > IOV_MAX {
            return Err(LinuxError::EINVAL);
        }
        if count == 0 {
            // Not read at all.
            return Ok(Vec::new());
        }
        // Read as far as possible; a negative length among the elements
        // read wins over the fault that stopped the read.
        let iovec = layout::<[usize; 2]>();
        self.access_ok(addr, count * iovec.size)?;
        let readable = self.movable(addr, count * iovec.size, READ);
        if readable == 0 {
            return Err(LinuxError::EFAULT);
        }
        let read = readable / iovec.size;
        let bytes = self.model.bytes(addr, read * iovec.size);
        let mut segments: Vec<(usize, usize)> = bytes
            .chunks(iovec.size)
            .map(|seg| {
                let word =
                    |i: usize| usize::from_ne_bytes(seg[i * 8..i * 8 + 8].try_into().expect("8"));
                (word(0), word(1))
            })
            .collect();
        if segments.iter().any(|&(_, len)| len > isize::MAX as usize) {
            return Err(LinuxError::EINVAL);
        }
        if read < count {
            return Err(LinuxError::EFAULT);
        }
        let mut total = 0;
        for (base, len) in &mut segments {
            if count == 1 {
                *len = (*len).min(MAX_RW_COUNT);
            }
            self.access_ok(*base, *len)?;
            *len = (*len).min(MAX_RW_COUNT - total);
            total += *len;
        }
        Ok(segments)
    }

    /// An iovec cursor's transfer of up to `want` bytes across `segments`:
    /// the bytes moved per segment; `EFAULT` if none moved at all.
    fn iovec_transfer(
        &self,
        segments: &[(usize, usize)],
        want: usize,
        flags: MappingFlags,
    ) -> Step<Vec<(usize, usize)>> {
        let mut moved = Vec::new();
        let mut done = 0;
        for &(base, len) in segments {
            if done == want {
                break;
            }
            if len == 0 {
                continue;
            }
            let chunk = len.min(want - done);
            let n = self.movable(base, chunk, flags);
            if n == 0 && done == 0 {
                return Err(LinuxError::EFAULT);
            }
            moved.push((base, n));
            done += n;
            if n < chunk {
                break;
            }
        }
        Ok(moved)
    }

    /// A structure of `layout` copied in, or `None` for a null pointer.
    fn copy_in_nullable(&self, addr: usize, layout: Layout) -> Step<Option<Vec<u8>>> {
        match addr {
            0 => Ok(None),
            addr => self.copy_in(addr, 1, layout).map(Some),
        }
    }

    /// A null-terminated array of string pointers (`&[CString]`), with
    /// `execve`'s limits: a budget of `MAX_ARG_TOTAL` bytes that each
    /// pointer and each string with its NUL consume, the strings read from
    /// the first.
    fn string_array(&self, addr: usize) -> Step<Vec<Vec<u8>>> {
        if addr == 0 {
            return Ok(Vec::new());
        }
        let ptr = layout::<usize>();
        let most = MAX_ARG_STRINGS.min(MAX_ARG_TOTAL / ptr.size);
        let count = self
            .model
            .null_terminated(addr, ptr, copy(READ), most + 1)
            .result
            .map_err(too_big)?;
        let pointers = self.model.bytes(addr, count * ptr.size);
        let mut left = MAX_ARG_TOTAL - count * ptr.size;
        let mut strings = Vec::new();
        for pointer in pointers.chunks(ptr.size) {
            let pointer = usize::from_ne_bytes(pointer.try_into().expect("a pointer"));
            let string = self
                .c_string(pointer, MAX_ARG_STRLEN.min(left))
                .map_err(too_big)?;
            left -= string.len() + 1;
            strings.push(string);
        }
        Ok(strings)
    }

    /// A buffer whose capacity is the `int` at `len_ptr`, after the body
    /// set `value`: the capacity read, `EINVAL` if negative, `value` cut
    /// to it copied to `buf` (nothing for 0), then the length written
    /// back: `value`'s (`full`) or the one copied.
    fn len_out(&mut self, buf: usize, len_ptr: usize, value: &[u8], full: bool) -> Step<()> {
        let int = layout::<i32>();
        let capacity = self.copy_in(len_ptr, 1, int)?;
        let capacity = i32::from_ne_bytes(capacity.try_into().expect("4 bytes"));
        let capacity = usize::try_from(capacity).map_err(|_| LinuxError::EINVAL)?;
        let n = capacity.min(value.len());
        if n > 0 {
            self.copy_out(buf, &value[..n], n, BYTE)?;
        }
        let back = if full { value.len() } else { n };
        self.copy_out(len_ptr, &(back as u32).to_ne_bytes(), 1, int)
    }

    /// An fd set of `nfds` descriptors (`None` for null): its words.
    fn fd_set(&self, addr: usize, nfds: usize) -> Step<Option<Vec<u8>>> {
        if addr == 0 {
            return Ok(None);
        }
        let words = nfds.min(FdSet::MAX_FDS).div_ceil(usize::BITS as usize);
        self.copy_in(addr, words, layout::<usize>()).map(Some)
    }
}

/// The descriptors in an fd set's words.
fn fds_in(words: &[u8]) -> Vec<i128> {
    (0..words.len() * 8)
        .filter(|&fd| words[fd / 8] & (1 << (fd % 8)) != 0)
        .map(|fd| fd as i128)
        .collect()
}

/// What syscall `number` with registers `r` returns, according to the
/// model; applies its effects to the model and records what the body sees.
///
/// Conversions happen in the documented order: by-value arguments in
/// parameter order, then strings and slices in parameter order, then the
/// body, then output slices are copied back.
pub fn predict(number: usize, r: [usize; 6], m: &mut Expect<'_>) -> Step<isize> {
    let u64_ = layout::<u64>();
    let u32_ = layout::<u32>();
    match number {
        0 => Ok(42),
        1 => {
            let ints = [
                signed(r[0], 8),
                unsigned(r[1], 8),
                signed(r[2], 16),
                unsigned(r[3], 16),
                signed(r[4], 32),
                unsigned(r[5], 32),
            ];
            m.saw(Seen::Ints(ints.to_vec()));
            Ok(0)
        }
        2 => {
            let ints = [
                signed(r[0], 64),
                unsigned(r[1], 64),
                signed(r[2], 64),
                unsigned(r[3], 64),
            ];
            m.saw(Seen::Ints(ints.to_vec()));
            Ok(0)
        }
        3 => {
            let value = m.copy_in(r[1], 1, u64_)?;
            m.copy_out(r[0], &value, 1, u64_)?;
            Ok(0)
        }
        4 => {
            let old = m.lend(r[0], 1, u32_, READ | WRITE)?;
            let old = u32::from_ne_bytes(old.try_into().expect("4 bytes"));
            let new = (i128::from(old) + unsigned(r[1], 32)) as u32;
            m.model.write(r[0], &new.to_ne_bytes());
            Ok(old as isize)
        }
        5 => {
            let words = m.lend(r[0], r[1], layout::<u16>(), READ)?;
            m.saw(Seen::Bytes(words));
            Ok(r[1] as isize)
        }
        6 => {
            let value = match r[1] {
                0 => 7,
                input => u32::from_ne_bytes(m.copy_in(input, 1, u32_)?.try_into().expect("4")),
            };
            if r[0] != 0 {
                m.copy_out(r[0], &value.to_ne_bytes(), 1, u32_)?;
            }
            Ok(value as isize)
        }
        7 => {
            let path = m.c_string(r[0], PATH_MAX)?;
            let len = path.len();
            m.saw(Seen::Bytes(path));
            Ok(len as isize)
        }
        8 => {
            let source = match r[0] {
                0 => Seen::Absent,
                addr => Seen::Bytes(m.c_string(addr, PATH_MAX)?),
            };
            let target = m.c_string(r[1], PATH_MAX)?;
            m.saw(source);
            m.saw(Seen::Bytes(target));
            Ok(0)
        }
        9 => {
            if signed(r[0], 32) < 0 {
                return Err(LinuxError::EBADF);
            }
            let data = m.slice_in(r[1], r[2], BYTE)?;
            let len = data.len();
            m.saw(Seen::Bytes(data));
            Ok(len as isize)
        }
        10 => {
            let len = count(signed(r[1], 32))?;
            let data = m.slice_in(r[0], len, u32_)?;
            let sum = data
                .chunks(4)
                .map(|w| i128::from(u32::from_ne_bytes(w.try_into().expect("4"))))
                .sum::<i128>();
            m.saw(Seen::Bytes(data));
            Ok((sum % (1 << 32)) as isize)
        }
        11 => {
            let kept = m.slice_out(r[1], r[2], BYTE, WRITE)?;
            m.saw(Seen::Bytes(vec![0; kept]));
            let fd = unsigned(r[0], 8) as u8;
            let data: Vec<u8> = (0..kept).map(|i| (i % 256) as u8 ^ fd).collect();
            let produced = signed(r[3], 64);
            if (-4095..0).contains(&produced) {
                return Err(LinuxError::EINVAL);
            }
            // A negative count copies nothing back, a large one the buffer.
            let back = usize::try_from(produced).unwrap_or(0).min(kept);
            m.copy_out(r[1], &data[..back], back, BYTE)?;
            Ok(produced as isize)
        }
        12 => {
            let entry = layout::<[u32; 3]>();
            let len = count(unsigned(r[1], 32))?;
            let kept = m.slice_out(r[0], len, entry, READ | WRITE)?;
            let data = m.model.bytes(r[0], kept * entry.size);
            m.saw(Seen::Bytes(data.clone()));
            let mut words: Vec<u32> = data
                .chunks(4)
                .map(|w| u32::from_ne_bytes(w.try_into().expect("4")))
                .collect();
            let mut ready = 0;
            for fd in words.chunks_mut(3) {
                fd[2] = fd[0] & fd[1];
                ready += isize::from(fd[2] != 0);
            }
            let back = bytes_of(words.iter().map(|w| w.to_ne_bytes()));
            m.copy_out(r[0], &back, kept, entry)?;
            Ok(ready)
        }
        13 => {
            let src = m.slice_in(r[0], r[2], BYTE)?;
            let kept = m.slice_out(r[1], r[2], BYTE, WRITE)?;
            let mut dst = src.clone();
            dst.reverse();
            dst.resize(kept, 0);
            m.saw(Seen::Bytes(src));
            m.copy_out(r[1], &dst, kept, BYTE)?;
            Ok(r[2] as isize)
        }
        14 => {
            let path = m.c_string(r[0], PATH_MAX)?;
            let stat = [
                (path.len() as u64).to_ne_bytes().to_vec(),
                STAT_MODE.to_ne_bytes().to_vec(),
                1u32.to_ne_bytes().to_vec(),
            ]
            .concat();
            m.copy_out(r[1], &stat, 1, layout::<Stat>())?;
            Ok(0)
        }
        15 => {
            let ts = m.copy_in(r[1], 1, layout::<[i64; 2]>())?;
            let sec = i64::from_ne_bytes(ts[..8].try_into().expect("8"));
            let nsec = i64::from_ne_bytes(ts[8..].try_into().expect("8"));
            if !(0..1_000_000_000).contains(&nsec) {
                return Err(LinuxError::EINVAL);
            }
            let clock = signed(r[0], 32);
            m.saw(Seen::Ints(vec![clock, sec.into(), nsec.into()]));
            if clock < 0 {
                return Err(LinuxError::EINVAL);
            }
            Ok(nsec as isize)
        }
        16 => {
            let len = m
                .model
                .null_terminated(r[0], BYTE, lent(READ), PATH_MAX)
                .result?;
            let bytes = m.model.bytes(r[0], len);
            if std::str::from_utf8(&bytes).is_err() {
                return Err(LinuxError::EILSEQ);
            }
            m.saw(Seen::Bytes(bytes));
            Ok(len as isize)
        }
        17 => {
            let path = m.c_string(r[0], PATH_MAX)?;
            m.saw(Seen::Bytes(path));
            if r[1] == 0 {
                return Ok(0);
            }
            let ptr = layout::<usize>();
            let argc = m
                .model
                .null_terminated(r[1], ptr, copy(READ), MAX_ARGS + 1)
                .result
                .map_err(too_big)?;
            let argv = m.model.bytes(r[1], argc * ptr.size);
            for arg in argv.chunks(ptr.size) {
                let arg = usize::from_ne_bytes(arg.try_into().expect("a pointer"));
                let arg = m.c_string(arg, MAX_ARG_LEN).map_err(too_big)?;
                m.saw(Seen::Bytes(arg));
            }
            Ok(argc as isize)
        }
        19 => {
            let word = layout::<u16>();
            let len = count(unsigned(r[1], 16))?;
            let kept = m.slice_out(r[0], len, word, WRITE)?;
            let value = (unsigned(r[2], 16) as u16).to_ne_bytes();
            m.copy_out(r[0], &value.repeat(kept), kept, word)?;
            Ok(0)
        }
        20 => {
            let len = count(signed(r[1], 64))?;
            let words = m.slice_in(r[0], len, u64_)?;
            Ok(words
                .chunks(8)
                .filter(|w| w.iter().any(|&b| b != 0))
                .count() as isize)
        }
        21 => {
            if signed(r[0], 32) != 3 {
                return Err(LinuxError::EBADF);
            }
            m.access_ok(r[1], r[2])?;
            let want = m.state.pipe.len().min(r[2]);
            let n = m.transfer(r[1], want, WRITE)?;
            let data: Vec<u8> = m.state.pipe.drain(..n).collect();
            m.model.write(r[1], &data);
            Ok(n as isize)
        }
        22 => {
            if signed(r[0], 32) != 3 {
                return Err(LinuxError::EBADF);
            }
            m.access_ok(r[1], r[2])?;
            let want = (PIPE_CAPACITY - m.state.pipe.len()).min(r[2]);
            let n = m.transfer(r[1], want, READ)?;
            let data = m.model.bytes(r[1], n);
            m.state.pipe.extend_from_slice(&data);
            Ok(n as isize)
        }
        23 => {
            let count = count(signed(r[2], 32))?;
            let segments = m.import_iovecs(r[1], count)?;
            if signed(r[0], 32) != 3 {
                return Err(LinuxError::EBADF);
            }
            let moved = m.iovec_transfer(&segments, m.state.pipe.len(), WRITE)?;
            let mut n = 0;
            for (base, len) in moved {
                let data: Vec<u8> = m.state.pipe[n..n + len].to_vec();
                m.model.write(base, &data);
                n += len;
            }
            m.state.pipe.drain(..n);
            Ok(n as isize)
        }
        24 => {
            let segments = m.import_iovecs(r[1], r[2])?;
            if signed(r[0], 32) != 3 {
                return Err(LinuxError::EBADF);
            }
            let total: usize = segments.iter().map(|&(_, len)| len).sum();
            let want = (PIPE_CAPACITY - m.state.pipe.len()).min(total);
            let moved = m.iovec_transfer(&segments, want, READ)?;
            let mut n = 0;
            for (base, len) in moved {
                let data = m.model.bytes(base, len);
                m.state.pipe.extend_from_slice(&data);
                n += len;
            }
            Ok(n as isize)
        }
        25 => {
            let fd = signed(r[0], 32);
            m.saw(Seen::Ints(vec![fd]));
            if fd < 0 {
                return Err(LinuxError::EBADF);
            }
            let stat = [
                (fd as u64).to_ne_bytes().to_vec(),
                STAT_MODE.to_ne_bytes().to_vec(),
                1u32.to_ne_bytes().to_vec(),
            ]
            .concat();
            m.copy_out(r[1], &stat, 1, layout::<Stat>())?;
            Ok(0)
        }
        26 => {
            let ts = layout::<Ts>();
            let req = m.copy_in(r[1], 1, ts)?;
            let sec = i64::from_ne_bytes(req[..8].try_into().expect("8"));
            let nsec = i64::from_ne_bytes(req[8..].try_into().expect("8"));
            m.saw(Seen::Ints(vec![signed(r[0], 32), sec.into(), nsec.into()]));
            if !(0..1_000_000_000).contains(&nsec) {
                return Err(LinuxError::EINVAL);
            }
            if r[2] != 0 {
                let rem = [(sec / 2).to_ne_bytes(), 0i64.to_ne_bytes()].concat();
                m.copy_out(r[2], &rem, 1, ts)?;
            }
            Ok((nsec % 1000) as isize)
        }
        27 => {
            if r[3] != SIGSET_SIZE {
                return Err(LinuxError::EINVAL);
            }
            let set = layout::<SigSet>();
            let new = m.copy_in_nullable(r[1], set)?;
            let old = m.state.mask;
            if let Some(new) = new {
                let new = u64::from_ne_bytes(new.try_into().expect("8"));
                m.state.mask = match signed(r[0], 32) {
                    0 => SigSet(old.0 | new),
                    1 => SigSet(old.0 & !new),
                    2 => SigSet(new),
                    _ => return Err(LinuxError::EINVAL),
                };
            }
            if r[2] != 0 {
                m.copy_out(r[2], &old.0.to_ne_bytes(), 1, set)?;
            }
            Ok(0)
        }
        28 => {
            let len = layout::<u32>();
            let capacity = m.copy_in_nullable(r[2], len)?;
            if signed(r[0], 32) != 3 {
                return Err(LinuxError::EBADF);
            }
            let (addr, Some(capacity)) = (r[1], capacity) else {
                return Err(LinuxError::EFAULT);
            };
            if addr == 0 {
                return Err(LinuxError::EFAULT);
            }
            let capacity = i32::from_ne_bytes(capacity.try_into().expect("4"));
            let capacity = usize::try_from(capacity).map_err(|_| LinuxError::EINVAL)?;
            let n = capacity.min(SOCKADDR.len());
            m.copy_out(addr, &SOCKADDR[..n], n, BYTE)?;
            m.copy_out(r[2], &(SOCKADDR.len() as u32).to_ne_bytes(), 1, len)?;
            Ok(0)
        }
        29 => {
            if signed(r[0], 32) != 1 {
                return Err(LinuxError::EBADF);
            }
            match unsigned(r[1], 32) {
                0 => Ok(signed(r[2], 32).unsigned_abs() as isize),
                1 => {
                    let v = m.copy_in(r[2], 1, layout::<u32>())?;
                    Ok(u32::from_ne_bytes(v.try_into().expect("4")) as isize)
                }
                2 => {
                    m.copy_out(r[2], &IOCTL_WORD.to_ne_bytes(), 1, layout::<u64>())?;
                    Ok(0)
                }
                3 => {
                    let name = m.c_string(r[2], PATH_MAX)?;
                    let len = name.len();
                    m.saw(Seen::Bytes(name));
                    Ok(len as isize)
                }
                _ => Err(LinuxError::ENOTTY),
            }
        }
        30 => {
            let size = r[2];
            if size < 16 {
                return Err(LinuxError::EINVAL);
            }
            if size > PAGE {
                return Err(LinuxError::E2BIG);
            }
            let ksize = size_of::<How>();
            // The bytes past the kernel's structure: inside user space, then
            // a page at a time, readable and zero; the first non-zero byte
            // ends the check.
            if size > ksize {
                let tail = r[1].checked_add(ksize).ok_or(LinuxError::EFAULT)?;
                m.access_ok(tail, size - ksize)?;
                let mut done = 0;
                while done < size - ksize {
                    let at = tail + done;
                    let n = (size - ksize - done).min(PAGE - at % PAGE);
                    if !m.model.mapped(at as u128, n as u128, READ) {
                        return Err(LinuxError::EFAULT);
                    }
                    if m.model.bytes(at, n).iter().any(|&b| b != 0) {
                        return Err(LinuxError::E2BIG);
                    }
                    done += n;
                }
            }
            let mut how = m.copy_in(r[1], ksize.min(size), BYTE)?;
            how.resize(ksize, 0);
            let word = |i: usize| u64::from_ne_bytes(how[i * 8..i * 8 + 8].try_into().expect("8"));
            m.saw(Seen::Ints(vec![
                word(0).into(),
                word(1).into(),
                word(2).into(),
            ]));
            Ok((word(0) & 0xffff) as isize)
        }
        31 => {
            let name = m.c_string(r[0], 13).map_err(|err| match err {
                LinuxError::ENAMETOOLONG => LinuxError::EINVAL,
                other => other,
            })?;
            let len = name.len();
            m.saw(Seen::Bytes(name));
            Ok(len as isize)
        }
        32 => {
            let path = m.c_string(r[0], PATH_MAX)?;
            let argv = m.string_array(r[1])?;
            let envp = m.string_array(r[2])?;
            let argc = argv.len();
            m.saw(Seen::Bytes(path));
            for arg in argv.into_iter().chain(envp) {
                m.saw(Seen::Bytes(arg));
            }
            Ok(argc as isize)
        }
        33 => {
            let nfds = count(signed(r[0], 32))?;
            let sets = [m.fd_set(r[1], nfds)?, m.fd_set(r[2], nfds)?];
            let mut ready = 0;
            let mut back = Vec::new();
            for (set, fd) in sets.into_iter().zip([3usize, 4]) {
                let Some(mut words) = set else {
                    m.saw(Seen::Absent);
                    continue;
                };
                let fds = fds_in(&words);
                let nfds = nfds.min(FdSet::MAX_FDS);
                let wanted = fds.contains(&(fd as i128)) && fd < nfds;
                let fds: Vec<i128> = fds.into_iter().filter(|&f| (f as usize) < nfds).collect();
                let has = |fd: i128| i128::from(fds.contains(&fd));
                m.saw(Seen::Ints(vec![fds.len() as i128, has(3), has(4)]));
                words.fill(0);
                if wanted {
                    words[fd / 8] |= 1 << (fd % 8);
                    ready += 1;
                }
                back.push(words);
            }
            let mut backs = back.into_iter();
            for addr in [r[1], r[2]] {
                if addr != 0 {
                    let words = backs.next().expect("a copied set");
                    let n = words.len() / size_of::<usize>();
                    m.copy_out(addr, &words, n, layout::<usize>())?;
                }
            }
            Ok(ready)
        }
        34 => {
            if signed(r[0], 32) != 5 {
                return Err(LinuxError::EBADF);
            }
            let (mut at, mut left) = (r[1], r[2]);
            let mut written = 0;
            while m.state.dir_pos < DIR_ENTRIES {
                let rec = dirent(m.state.dir_pos);
                if left < rec.len() {
                    if written == 0 {
                        return Err(LinuxError::EINVAL);
                    }
                    break;
                }
                if written == 0 {
                    // The cursor's first transfer checks the whole buffer.
                    m.access_ok(r[1], r[2])?;
                }
                let n = m.movable(at, rec.len(), WRITE);
                m.model.write(at, &rec[..n]);
                if n < rec.len() {
                    if written == 0 {
                        return Err(LinuxError::EFAULT);
                    }
                    break;
                }
                written += n;
                at += n;
                left -= n;
                m.state.dir_pos += 1;
            }
            Ok(written as isize)
        }
        35 => {
            let fd = signed(r[0], 32);
            if fd != 3 {
                return Err(LinuxError::EBADF);
            }
            m.saw(Seen::Ints(vec![fd]));
            m.len_out(r[1], r[2], &SOCKADDR, true)?;
            Ok(0)
        }
        36 => {
            if signed(r[0], 32) != 3 {
                return Err(LinuxError::EBADF);
            }
            m.saw(Seen::Ints(vec![i128::from(r[1] != 0)]));
            if r[1] != 0 {
                m.len_out(r[1], r[2], &SOCKADDR[..8], true)?;
            }
            Ok(4)
        }
        37 => {
            if signed(r[0], 32) != 3 {
                return Err(LinuxError::EBADF);
            }
            let optname = unsigned(r[1], 32);
            m.saw(Seen::Ints(vec![optname]));
            let value = match optname {
                0 => SOCKOPT_INT.to_ne_bytes().to_vec(),
                1 => b"eth0\0".to_vec(),
                // Nine bytes do not fit in eight.
                2 => return Err(LinuxError::EINVAL),
                _ => return Err(LinuxError::ENOPROTOOPT),
            };
            m.len_out(r[2], r[3], &value, false)?;
            Ok(0)
        }
        _ => Err(LinuxError::ENOSYS),
    }
}

// ---------------------------------------------------------------------------
// Running and checking

/// What a tracer received.
struct Traced {
    line: String,
    name: &'static str,
    number: Option<usize>,
    args: usize,
    result: LinuxResult<isize>,
}

/// The raw result of `result`.
fn raw(result: Step<isize>) -> isize {
    match result {
        Ok(value) => value,
        Err(err) => -(err.code() as isize),
    }
}

/// Makes the calls of `case` on a fresh space; `Err` describes the first
/// finding.
pub fn run(case: &Case) -> Result<(), String> {
    let mut proc = Proc::new(&case.space);
    for (index, call) in case.calls.iter().take(MAX_CALLS).enumerate() {
        proc.call(call)
            .map_err(|e| format!("call {index} {call:?}: {e}"))?;
    }
    Ok(())
}

impl Proc {
    /// The concrete value of a symbolic register.
    pub fn reg(&self, reg: Reg) -> usize {
        match reg {
            Reg::Addr(addr) => self.env.addr(addr),
            Reg::Small(n) => n.into(),
            Reg::Negative(n) => (-1 - n as isize) as usize,
            Reg::Pow2 { exp, delta } => {
                (1u128 << (exp % 65)).wrapping_add_signed(delta.into()) as usize
            }
            Reg::Raw(value) => value,
        }
    }

    /// The concrete number of a symbolic one.
    pub fn number(number: Number) -> usize {
        match number {
            Number::Table(n) => usize::from(n) % (TABLE.len() + 2),
            Number::Raw(n) => n,
        }
    }

    /// Makes one call and checks it (see the [module docs](self)).
    pub fn call(&mut self, call: &Call) -> Result<isize, String> {
        let regs = call.regs.map(|reg| self.reg(reg));
        self.call_raw(Self::number(call.number), regs, call.traced)
    }

    /// Makes one call with concrete registers and checks it.
    pub fn call_raw(
        &mut self,
        number: usize,
        regs: [usize; 6],
        traced: bool,
    ) -> Result<isize, String> {
        let want = self.consult_model.then(|| {
            let mut expect = Expect {
                model: self.env.model_mut(),
                seen: Vec::new(),
                state: &mut self.model_state,
            };
            (predict(number, regs, &mut expect), expect.seen)
        });

        self.seen.clear();
        let mut events = Vec::new();
        let (ret, usage) = alloc_probe::measure(|| {
            if traced {
                let mut tracer = |event: &SyscallEvent<'_>| {
                    events.push(Traced {
                        line: event.to_string(),
                        name: event.name(),
                        number: event.number(),
                        args: event.args().len(),
                        result: event.result(),
                    });
                };
                TABLE.dispatch_traced(self, number, regs, &mut tracer)
            } else {
                TABLE.dispatch(self, number, regs)
            }
        });

        if is_accessing_user_memory() {
            return Err("the fault flag is still set".into());
        }
        // What the tracer must have been told: the call's own result.
        let mut result = Ok(ret);
        if (-4095..0).contains(&ret) {
            let known = LinuxError::try_from(-ret as i32)
                .ok()
                .filter(|err| KNOWN_ERRNOS.contains(err));
            let Some(err) = known else {
                return Err(format!("returned {ret}, not an errno it may return"));
            };
            result = Err(err);
        }
        if let Some((want, want_seen)) = want {
            if ret != raw(want) {
                return Err(format!(
                    "returned {ret}, the model says {} ({want:?})",
                    raw(want)
                ));
            }
            if self.seen != want_seen {
                return Err(format!(
                    "the body saw {:?}, the model says {want_seen:?}",
                    self.seen
                ));
            }
            self.env.compare_memory()?;
            if self.state != self.model_state {
                return Err(format!(
                    "the kernel state is {:?}, the model says {:?}",
                    self.state, self.model_state
                ));
            }
        }
        if traced {
            check_trace(&events, number, result)?;
        }
        if let Some(usage) = usage {
            let (largest, total) = match signature(number) {
                Some(("execve2", _)) => (EXEC_ALLOC_LIMIT, EXEC_ALLOC_TOTAL_LIMIT),
                _ => (ALLOC_LIMIT, ALLOC_TOTAL_LIMIT),
            };
            if usage.largest > largest || usage.total > total {
                return Err(format!(
                    "allocated {} bytes at once, {} in all (limits {largest}, {total})",
                    usage.largest, usage.total
                ));
            }
        }
        Ok(ret)
    }
}

/// One event per traced call, agreeing with the call's result.
fn check_trace(events: &[Traced], number: usize, want: Step<isize>) -> Result<(), String> {
    let [event] = events else {
        return Err(format!("{} trace events for one call", events.len()));
    };
    let (name, args) = signature(number).unwrap_or(("", 6));
    let start = match name {
        "" => format!("syscall_{number}("),
        name => format!("{name}("),
    };
    let end = match want {
        Ok(value) => format!(") = {value}"),
        Err(err) => format!(") = -{} {err:?}", err.code()),
    };
    let agrees = event.name == name
        && event.number == Some(number)
        && event.args == args
        && event.result == want
        && event.line.starts_with(&start)
        && event.line.ends_with(&end)
        && event.line.len() <= MAX_TRACE_LINE;
    if !agrees {
        return Err(format!(
            "trace {:?} (name {:?}, number {:?}, {} args, {:?}) does not match the call",
            event.line, event.name, event.number, event.args, event.result
        ));
    }
    Ok(())
}
