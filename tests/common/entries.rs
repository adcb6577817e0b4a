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

use axptr::{
    AddrSpaceProvider, LinuxError, LinuxResult, MappingFlags, PATH_MAX, SyscallArg, SyscallEvent,
    SyscallTable, UserConstPtr, UserCopy, UserPtr, is_accessing_user_memory, syscall,
    syscall::{ArgFormat, MAX_SLICE_ARG_BYTES},
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
pub const KNOWN_ERRNOS: [LinuxError; 8] = [
    LinuxError::EFAULT,
    LinuxError::EINVAL,
    LinuxError::ENAMETOOLONG,
    LinuxError::EILSEQ,
    LinuxError::EBADF,
    LinuxError::E2BIG,
    LinuxError::ENOSYS,
    LinuxError::ENOMEM,
];

/// No single allocation of a call may be larger than this: the largest
/// valid argument (a slice over a whole space, a string of `PATH_MAX`
/// bytes) fits, a kernel buffer sized by a hostile length does not.
pub const ALLOC_LIMIT: usize = (MAX_PAGES + 2) * PAGE;

/// The sum of a call's allocations stays below this.
pub const ALLOC_TOTAL_LIMIT: usize = 16 * ALLOC_LIMIT;

/// A strace line is at most this long (six arguments of at most 32 shown
/// bytes each, escaped).
const MAX_TRACE_LINE: usize = 1024;

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
            consult_model: !cfg!(miri),
        }
    }

    fn saw(&mut self, seen: Seen) {
        self.seen.push(seen);
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
#[derive(Clone, Copy, Debug, UserCopy)]
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
        }
        if traced {
            check_trace(&events, number, result)?;
        }
        if let Some(usage) = usage {
            if usage.largest > ALLOC_LIMIT || usage.total > ALLOC_TOTAL_LIMIT {
                return Err(format!(
                    "allocated {} bytes at once, {} in all (limits {ALLOC_LIMIT}, \
                     {ALLOC_TOTAL_LIMIT})",
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
