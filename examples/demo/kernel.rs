//! The demo's kernel: one process, an in-memory file system, a fake clock,
//! and ten syscalls written as `#[syscall]` handlers in a dispatch table.
//!
//! This is the code a kernel developer writes. Every value in it that came
//! from user space (registers, strings, structs, buffers) reaches the
//! handlers through axptr, and every bad one becomes an errno: no path that
//! user input reaches has an `unwrap`, `expect` or `panic!`, an index a
//! hostile value could push out of bounds, or arithmetic it could overflow;
//! and there is no `unsafe` at all.

#[path = "../common/racer.rs"]
mod racer;
use racer::Racer;

use core::{
    ffi::{CStr, c_char},
    fmt,
};
use std::{collections::BTreeMap, rc::Rc};

use axptr::{
    AddrSpaceProvider, LinuxError, LinuxResult, SyscallArg, SyscallTable, UserConstPtr, UserCopy,
    UserPtr,
    iovec::{IoVec, IoVecs, MAX_RW_COUNT},
    sim::SimAreas,
    sim::SimSpace,
    syscall,
    syscall::ArgFormat,
    syscall_table,
};

/// Linux (riscv64, asm-generic) syscall numbers.
pub mod nr {
    pub const GETCWD: usize = 17;
    pub const OPENAT: usize = 56;
    pub const CLOSE: usize = 57;
    pub const READ: usize = 63;
    pub const WRITE: usize = 64;
    pub const WRITEV: usize = 66;
    pub const NANOSLEEP: usize = 101;
    pub const CLOCK_GETTIME: usize = 113;
    pub const UNAME: usize = 160;
    pub const EXECVE: usize = 221;
}

/// The dispatch table: what the trap handler calls with the number and
/// the six argument registers.
pub static SYSCALLS: SyscallTable<Process> = syscall_table! {
    Process;
    nr::GETCWD => sys_getcwd,
    nr::OPENAT => sys_openat,
    nr::CLOSE => sys_close,
    nr::READ => sys_read,
    nr::WRITE => sys_write,
    nr::WRITEV => sys_writev,
    nr::NANOSLEEP => sys_nanosleep,
    nr::CLOCK_GETTIME => sys_clock_gettime,
    nr::UNAME => sys_uname,
    nr::EXECVE => sys_execve,
};

pub const AT_FDCWD: isize = -100;
pub const O_RDONLY: u32 = 0;
pub const O_WRONLY: u32 = 0o1;
pub const O_RDWR: u32 = 0o2;
pub const O_ACCMODE: u32 = 0o3;
pub const O_CLOEXEC: u32 = 0o2_000_000;
pub const CLOCK_REALTIME: i32 = 0;
pub const CLOCK_MONOTONIC: i32 = 1;
/// The longest argument or environment string of `execve`, NUL included
/// (Linux: `MAX_ARG_STRLEN`, 32 pages; one page here).
pub const MAX_ARG_STRLEN: usize = 4096;
/// The most argument or environment strings of `execve` (Linux bounds
/// their total size instead).
pub const MAX_ARG_STRINGS: usize = 256;
/// The process's working directory.
pub const CWD: &str = "/home/axptr";

/// `struct timespec`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, UserCopy)]
#[repr(C)]
pub struct Timespec {
    pub tv_sec: i64,
    pub tv_nsec: i64,
}

/// The length of each `struct utsname` field.
pub const UTS_LEN: usize = 65;

/// `struct utsname`: six NUL-terminated fields, no padding.
#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
pub struct UtsName {
    pub sysname: [u8; UTS_LEN],
    pub nodename: [u8; UTS_LEN],
    pub release: [u8; UTS_LEN],
    pub version: [u8; UTS_LEN],
    pub machine: [u8; UTS_LEN],
    pub domainname: [u8; UTS_LEN],
}

/// A `utsname` field: `text` cut to 64 bytes, NUL-padded.
fn uts_field(text: &str) -> [u8; UTS_LEN] {
    let mut field = [0; UTS_LEN];
    for (dst, src) in field.iter_mut().zip(text.bytes().take(UTS_LEN - 1)) {
        *dst = src;
    }
    field
}

/// What a file descriptor refers to.
enum OpenFile {
    /// Standard input: nothing to read.
    ConsoleIn,
    /// Standard output and error: the console.
    ConsoleOut,
    /// A file of the read-only file system, and the read position.
    File { data: Rc<[u8]>, pos: usize },
}

/// What `execve` parsed (the demo records the new image instead of
/// replacing the running program).
#[derive(Debug, PartialEq, Eq)]
pub struct Exec {
    pub path: String,
    pub argv: Vec<String>,
    pub envp: Vec<String>,
}

/// The current process: what every handler gets as its context.
pub struct Process {
    space: SimSpace,
    files: Vec<Option<OpenFile>>,
    fs: BTreeMap<&'static str, Rc<[u8]>>,
    /// The fake clock (`CLOCK_MONOTONIC`): only `nanosleep` moves it, so
    /// every run prints the same times.
    now: Timespec,
    /// Everything written to the console.
    pub console: Vec<u8>,
    /// Kernel messages (`printk`) since the caller last took them.
    pub log: Vec<String>,
    /// The image of the last successful `execve`.
    pub exec: Option<Exec>,
    /// The test rig's racing user thread, if one is set up.
    racer: Option<Racer>,
}

/// The fake clock starts here (`CLOCK_REALTIME` adds an epoch).
pub const BOOT_TIME: Timespec = Timespec {
    tv_sec: 1000,
    tv_nsec: 0,
};
const REALTIME_EPOCH: i64 = 1_700_000_000;
/// How many files a process may hold open.
const MAX_FILES: usize = 16;

impl Process {
    /// A process running in `space`, with the console on descriptors 0-2
    /// and `files` as its (read-only) file system.
    pub fn new(space: SimSpace, files: BTreeMap<&'static str, Rc<[u8]>>) -> Self {
        Self {
            space,
            files: vec![
                Some(OpenFile::ConsoleIn),
                Some(OpenFile::ConsoleOut),
                Some(OpenFile::ConsoleOut),
            ],
            fs: files,
            now: BOOT_TIME,
            console: Vec::new(),
            log: Vec::new(),
            exec: None,
            racer: None,
        }
    }

    /// Plays a user thread that unmaps `page` as soon as the kernel has
    /// made it present, i.e. after validation and before the access (see
    /// [`Racer`]).
    pub fn race_unmap_when_present(&mut self, page: usize) {
        self.racer = Some(Racer { page });
    }

    fn file(&mut self, fd: i32) -> LinuxResult<&mut OpenFile> {
        usize::try_from(fd)
            .ok()
            .and_then(|fd| self.files.get_mut(fd))
            .and_then(Option::as_mut)
            .ok_or(LinuxError::EBADF)
    }

    /// `EBADF` unless `fd` is open for writing: checked before the
    /// buffer, as Linux does.
    fn writable(&mut self, fd: i32) -> LinuxResult<()> {
        match self.file(fd)? {
            OpenFile::ConsoleOut => Ok(()),
            OpenFile::ConsoleIn | OpenFile::File { .. } => Err(LinuxError::EBADF),
        }
    }

    fn write_to(&mut self, fd: i32, bytes: &[u8]) -> LinuxResult<usize> {
        match self.file(fd)? {
            OpenFile::ConsoleOut => {
                self.console.extend_from_slice(bytes);
                Ok(bytes.len())
            }
            // Opened read-only.
            OpenFile::ConsoleIn | OpenFile::File { .. } => Err(LinuxError::EBADF),
        }
    }
}

/// The kernel hands the process's address space to axptr, locked for the
/// duration of each check, as a real kernel does.
impl AddrSpaceProvider for Process {
    type AddrSpace = SimAreas;

    fn with_addr_space<R>(&mut self, f: impl FnOnce(&mut SimAreas) -> R) -> R {
        let result = self.space.provider().with_addr_space(f);
        // The lock is released: the moment another user thread can run.
        if let Some(racer) = self.racer.take_if(|racer| racer.ready(&self.space)) {
            racer.run(&self.space, &mut self.log);
        }
        result
    }
}

// ---------------------------------------------------------------------------
// Argument types of this kernel: conversions with strace-like rendering.

/// The `dirfd` of the `*at` calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DirFd {
    Cwd,
    Fd(i32),
}

impl<C: ?Sized> SyscallArg<C> for DirFd {
    fn from_syscall_arg(_ctx: &mut C, raw: usize) -> LinuxResult<Self> {
        Ok(match raw as i32 {
            -100 => DirFd::Cwd,
            fd => DirFd::Fd(fd),
        })
    }

    fn fmt_syscall_arg(raw: usize, _: ArgFormat, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match raw as i32 {
            -100 => f.write_str("AT_FDCWD"),
            fd => write!(f, "{fd}"),
        }
    }
}

/// The `flags` of `openat`.
#[derive(Clone, Copy, Debug)]
pub struct OpenFlags(u32);

impl<C: ?Sized> SyscallArg<C> for OpenFlags {
    fn from_syscall_arg(_ctx: &mut C, raw: usize) -> LinuxResult<Self> {
        Ok(Self(raw as u32))
    }

    fn fmt_syscall_arg(raw: usize, _: ArgFormat, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let flags = raw as u32;
        f.write_str(match flags & O_ACCMODE {
            O_RDONLY => "O_RDONLY",
            O_WRONLY => "O_WRONLY",
            O_RDWR => "O_RDWR",
            _ => "O_ACCMODE",
        })?;
        if flags & O_CLOEXEC != 0 {
            f.write_str("|O_CLOEXEC")?;
        }
        let rest = flags & !(O_ACCMODE | O_CLOEXEC);
        if rest != 0 {
            write!(f, "|{rest:#o}")?;
        }
        Ok(())
    }
}

/// A clock id: unknown clocks are refused before the handler runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockId {
    Realtime,
    Monotonic,
}

impl<C: ?Sized> SyscallArg<C> for ClockId {
    fn from_syscall_arg(_ctx: &mut C, raw: usize) -> LinuxResult<Self> {
        match raw as i32 {
            CLOCK_REALTIME => Ok(ClockId::Realtime),
            CLOCK_MONOTONIC => Ok(ClockId::Monotonic),
            _ => Err(LinuxError::EINVAL),
        }
    }

    fn fmt_syscall_arg(raw: usize, _: ArgFormat, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match raw as i32 {
            CLOCK_REALTIME => f.write_str("CLOCK_REALTIME"),
            CLOCK_MONOTONIC => f.write_str("CLOCK_MONOTONIC"),
            other => write!(f, "{other}"),
        }
    }
}

// ---------------------------------------------------------------------------
// The handlers.

/// `openat(dirfd, path, flags)`: the path is a kernel copy by the time the
/// body runs (`EFAULT` / `ENAMETOOLONG` before it).
#[syscall]
fn sys_openat(p: &mut Process, dirfd: DirFd, path: &CStr, flags: OpenFlags) -> LinuxResult<i32> {
    let path = path.to_str().map_err(|_| LinuxError::ENOENT)?;
    let absolute = match (path.starts_with('/'), dirfd) {
        (true, _) => path.to_owned(),
        (false, DirFd::Cwd) => format!("{CWD}/{path}"),
        (false, DirFd::Fd(_)) => return Err(LinuxError::ENOTDIR),
    };
    let Some(data) = p.fs.get(absolute.as_str()).cloned() else {
        return Err(LinuxError::ENOENT);
    };
    if flags.0 & O_ACCMODE != O_RDONLY {
        return Err(LinuxError::EROFS);
    }
    let file = Some(OpenFile::File { data, pos: 0 });
    let fd = match p.files.iter().position(Option::is_none) {
        Some(free) => {
            p.files[free] = file;
            free
        }
        None if p.files.len() < MAX_FILES => {
            p.files.push(file);
            p.files.len() - 1
        }
        None => return Err(LinuxError::EMFILE),
    };
    i32::try_from(fd).map_err(|_| LinuxError::EMFILE)
}

#[syscall]
fn sys_close(p: &mut Process, fd: i32) -> LinuxResult<()> {
    let slot = usize::try_from(fd)
        .ok()
        .and_then(|fd| p.files.get_mut(fd))
        .ok_or(LinuxError::EBADF)?;
    slot.take().map(drop).ok_or(LinuxError::EBADF)
}

/// `read(fd, buf, count)`, with Linux's semantics: the buffer must lie in
/// user space (`access_ok`, checked before the file is read), then the
/// file's bytes go out through a cursor as far as the buffer takes them. A
/// buffer that runs into unmapped memory gets a short count, and the bytes
/// it could not take stay unread for the next call; `EFAULT` only when
/// nothing at all could be written.
#[syscall]
fn sys_read(p: &mut Process, fd: i32, buf: UserPtr<u8>, count: usize) -> LinuxResult<usize> {
    let (data, pos) = match p.file(fd)? {
        OpenFile::ConsoleIn => (Rc::from(&[][..]), 0),
        OpenFile::ConsoleOut => return Err(LinuxError::EBADF),
        OpenFile::File { data, pos } => (data.clone(), *pos),
    };
    let mut out = buf.writer(count.min(MAX_RW_COUNT));
    axptr::access_ok(p, buf.address().as_usize(), count)?;
    let rest = data.get(pos..).unwrap_or_default();
    let n = out.write(p, rest)?;
    if let OpenFile::File { pos, .. } = p.file(fd)? {
        *pos += n;
    }
    Ok(n)
}

/// Copies what `input` holds, at most `MAX_RW_COUNT` bytes, to file `fd`:
/// a short count if the user buffer runs into unmapped memory.
fn write_from(
    p: &mut Process,
    fd: i32,
    mut read: impl FnMut(&mut Process, &mut [u8]) -> LinuxResult<usize>,
) -> LinuxResult<usize> {
    let mut data = Vec::new();
    let mut chunk = [0u8; 256];
    while data.len() < MAX_RW_COUNT {
        let want = chunk.len().min(MAX_RW_COUNT - data.len());
        let n = read(p, &mut chunk[..want])?;
        data.extend_from_slice(&chunk[..n]);
        if n < want {
            break;
        }
    }
    p.write_to(fd, &data)
}

/// `write(fd, buf, count)`: the bytes are read through a cursor, as far as
/// the buffer is readable.
#[syscall]
fn sys_write(p: &mut Process, fd: i32, buf: UserConstPtr<u8>, count: usize) -> LinuxResult<usize> {
    p.writable(fd)?;
    let mut input = buf.reader(count);
    input.access_ok(p)?;
    write_from(p, fd, |p, chunk| input.read(p, chunk))
}

/// `writev(fd, iov, iovcnt)`: the `iovec` array is imported with Linux's
/// rules (`IoVecs::import`: at most `IOV_MAX` elements, each buffer inside
/// user space), then read as one stream: a buffer that is unmapped ends it
/// with a short count.
#[syscall]
fn sys_writev(
    p: &mut Process,
    fd: i32,
    iov: UserConstPtr<IoVec>,
    iovcnt: i32,
) -> LinuxResult<usize> {
    p.writable(fd)?;
    // Linux reads the count as an `unsigned int`: -1 is too many.
    let iov = IoVecs::import(p, iov, iovcnt as u32 as usize)?;
    let mut input = iov.reader();
    write_from(p, fd, |p, chunk| input.read(p, chunk))
}

/// `getcwd(buf, size)`: returns the length including the NUL. Only those
/// bytes are written, so only they must be writable.
#[syscall]
fn sys_getcwd(p: &mut Process, buf: UserPtr<u8>, size: usize) -> LinuxResult<usize> {
    let cwd = [CWD.as_bytes(), b"\0"].concat();
    if cwd.len() > size {
        return Err(LinuxError::ERANGE);
    }
    if buf.writer(cwd.len()).write(p, &cwd)? < cwd.len() {
        return Err(LinuxError::EFAULT);
    }
    Ok(cwd.len())
}

/// `uname(buf)`: a whole struct copied out (`#[derive(UserCopy)]` proved
/// it has no padding that could leak kernel bytes).
#[syscall]
fn sys_uname(p: &mut Process, buf: UserPtr<UtsName>) -> LinuxResult<()> {
    let uts = UtsName {
        sysname: uts_field("axptr"),
        nodename: uts_field("demo"),
        release: uts_field("0.1.0"),
        version: uts_field("#1 SMP (simulated)"),
        machine: uts_field("riscv64"),
        domainname: uts_field("(none)"),
    };
    buf.write(p, uts)
}

/// `clock_gettime(clockid, tp)`: written with the copy API, which does
/// not need alignment.
#[syscall]
fn sys_clock_gettime(p: &mut Process, clock: ClockId, tp: UserPtr<Timespec>) -> LinuxResult<()> {
    let mut now = p.now;
    if clock == ClockId::Realtime {
        // OVERFLOW: a program that slept for ages would push it past i64.
        now.tv_sec = now
            .tv_sec
            .checked_add(REALTIME_EPOCH)
            .ok_or(LinuxError::EOVERFLOW)?;
    }
    tp.write(p, now)
}

/// `nanosleep(req, rem)`: copies the request in (any alignment, as on
/// Linux). Sleeping moves the fake clock; it is never interrupted, so `rem`
/// is not written.
#[syscall]
fn sys_nanosleep(
    p: &mut Process,
    req: UserConstPtr<Timespec>,
    rem: Option<UserPtr<Timespec>>,
) -> LinuxResult<()> {
    let _ = rem;
    let req = req.read(p)?;
    if req.tv_sec < 0 || !(0..1_000_000_000).contains(&req.tv_nsec) {
        return Err(LinuxError::EINVAL);
    }
    // OVERFLOW: both below one second.
    let nanos = p.now.tv_nsec + req.tv_nsec;
    p.now.tv_sec = p
        .now
        .tv_sec
        .checked_add(req.tv_sec)
        .and_then(|secs| secs.checked_add(nanos / 1_000_000_000))
        .ok_or(LinuxError::EINVAL)?;
    p.now.tv_nsec = nanos % 1_000_000_000;
    Ok(())
}

/// Copies a null-terminated array of string pointers (`argv`, `envp`) and
/// each string, with Linux's `execve` errors: `EFAULT` for bad memory,
/// `E2BIG` for too many or too long strings.
fn read_strings(
    p: &mut Process,
    array: Option<UserConstPtr<UserConstPtr<c_char>>>,
) -> LinuxResult<Vec<String>> {
    let too_long = |err| match err {
        LinuxError::ENAMETOOLONG => LinuxError::E2BIG,
        other => other,
    };
    // A null array is an empty one (Linux allows it).
    let Some(array) = array else {
        return Ok(Vec::new());
    };
    let pointers = array
        .read_null_terminated_vec(p, MAX_ARG_STRINGS + 1)
        .map_err(too_long)?;
    pointers
        .into_iter()
        .map(|string| {
            let string = string.read_cstring(p, MAX_ARG_STRLEN).map_err(too_long)?;
            Ok(String::from_utf8_lossy(string.as_bytes()).into_owned())
        })
        .collect()
}

/// `execve(path, argv, envp)`.
#[syscall]
fn sys_execve(
    p: &mut Process,
    path: &CStr,
    argv: Option<UserConstPtr<UserConstPtr<c_char>>>,
    envp: Option<UserConstPtr<UserConstPtr<c_char>>>,
) -> LinuxResult<()> {
    let path = path.to_str().map_err(|_| LinuxError::ENOENT)?;
    if !p.fs.contains_key(path) {
        return Err(LinuxError::ENOENT);
    }
    let argv = read_strings(p, argv)?;
    let envp = read_strings(p, envp)?;
    p.log.push(format!(
        "[kernel] exec {path:?}: argv {argv:?}, envp {envp:?}"
    ));
    p.exec = Some(Exec {
        path: path.to_owned(),
        argv,
        envp,
    });
    Ok(())
}
