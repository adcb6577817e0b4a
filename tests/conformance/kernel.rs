//! The kernel under test: `#[syscall]` handlers for the conformance
//! syscalls on a `SimSpace`, written as the guide recommends, with Linux's
//! order of checks and its transfer rules:
//!
//! - checks that Linux makes before touching user memory (flags, counts,
//!   descriptors, `sigsetsize`) come first, so pointers the call takes as
//!   plain `UserPtr`s are read in the body, after them;
//! - buffers whose bytes are produced or consumed as the call goes
//!   (`read`, `write`, `readv`, `writev`, `getrandom`, `getcwd`) move
//!   through `UserReader`/`UserWriter` cursors: a fault after `n` bytes
//!   returns `n`, bytes never transferred are never checked, and
//!   `access_ok` of the whole buffer is an explicit call where Linux makes
//!   it (`vfs_read`/`vfs_write`) even if nothing is transferred;
//! - iovec arrays are imported with `IoVecs::import`;
//! - fixed-size objects (`utsname`, `timespec`, the `pipe2` pair, a
//!   `sigset_t`) are whole-object copies.
//!
//! The files model Linux's: a memfd (shmem: partial reads and writes), a
//! pipe (a ring of page buffers, each consumed whole or not at all; writes
//! merge into the last one), `/dev/null`, `/dev/zero`, a directory.

use core::ffi::c_char;
use std::collections::{BTreeMap, VecDeque};

use axptr::{
    AddrSpaceProvider, LinuxError, LinuxResult, PAGE_SIZE_4K as PAGE, SyscallTable, UserConstPtr,
    UserCopy, UserPtr, UserReader, UserWriter,
    iovec::{IoVec, IoVecReader, IoVecWriter, IoVecs, MAX_RW_COUNT},
    sim::{SimAreas, SimSpace},
    syscall, syscall_table,
};

use super::layout::{self, FD_PIPE_W, FILE_LEN, NOFILE};

/// x86_64 syscall numbers.
pub mod nr {
    pub const READ: usize = 0;
    pub const WRITE: usize = 1;
    pub const POLL: usize = 7;
    pub const RT_SIGPROCMASK: usize = 14;
    pub const PREAD64: usize = 17;
    pub const READV: usize = 19;
    pub const WRITEV: usize = 20;
    pub const NANOSLEEP: usize = 35;
    pub const UNAME: usize = 63;
    pub const GETCWD: usize = 79;
    pub const CLOCK_GETTIME: usize = 228;
    pub const OPENAT: usize = 257;
    pub const PIPE2: usize = 293;
    pub const GETRANDOM: usize = 318;
}

pub static SYSCALLS: SyscallTable<Kernel> = syscall_table! {
    Kernel;
    nr::READ => sys_read,
    nr::WRITE => sys_write,
    nr::POLL => sys_poll,
    nr::RT_SIGPROCMASK => sys_rt_sigprocmask,
    nr::PREAD64 => sys_pread64,
    nr::READV => sys_readv,
    nr::WRITEV => sys_writev,
    nr::NANOSLEEP => sys_nanosleep,
    nr::UNAME => sys_uname,
    nr::GETCWD => sys_getcwd,
    nr::CLOCK_GETTIME => sys_clock_gettime,
    nr::OPENAT => sys_openat,
    nr::PIPE2 => sys_pipe2,
    nr::GETRANDOM => sys_getrandom,
};

pub const PATH_MAX: usize = 4096;
const NAME_MAX: usize = 255;
/// Buffers a pipe holds (16 pages: 64 KiB).
const PIPE_BUFFERS: usize = 16;

const O_ACCMODE: u32 = 0o3;
const O_WRONLY: u32 = 0o1;
const O_RDWR: u32 = 0o2;
const O_CREAT: u32 = 0o100;
const O_EXCL: u32 = 0o200;
const O_NONBLOCK: u32 = 0o4000;
const O_DIRECT: u32 = 0o40000;
const O_DIRECTORY: u32 = 0o200000;
const O_CLOEXEC: u32 = 0o2000000;
const O_TMPFILE: u32 = 0o20000000 | O_DIRECTORY;
const AT_FDCWD: i32 = -100;

/// `struct timespec`.
#[derive(Clone, Copy, Debug, Default, UserCopy)]
#[repr(C)]
pub struct Timespec {
    pub tv_sec: i64,
    pub tv_nsec: i64,
}

/// `struct new_utsname`: six fields of 65 bytes.
#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
pub struct UtsName {
    pub fields: [[u8; 65]; 6],
}

/// `struct pollfd`.
#[derive(Clone, Copy, Debug, Default, UserCopy)]
#[repr(C)]
pub struct PollFd {
    pub fd: i32,
    pub events: u16,
    pub revents: u16,
}

/// An open file's object.
#[derive(Clone, Debug)]
pub(super) enum Object {
    Null,
    Zero,
    /// A memory file (index into `Kernel::inodes`).
    Mem(usize),
    PipeRead(usize),
    PipeWrite(usize),
    /// A directory, by absolute path.
    Dir(String),
}

#[derive(Clone, Debug)]
pub(super) struct OpenFile {
    pub(super) object: Object,
    read: bool,
    write: bool,
    pos: u64,
}

/// One pipe buffer: a page holding `data` (unread) ending at `end`.
#[derive(Debug)]
struct PipeBuf {
    data: Vec<u8>,
    end: usize,
}

#[derive(Debug, Default)]
struct Pipe {
    bufs: VecDeque<PipeBuf>,
    packets: bool,
}

/// The nodes of the file system model, by absolute path.
#[derive(Clone, Debug)]
pub(super) enum Node {
    Dir,
    File(usize),
    Null,
    Zero,
}

/// The simulated process and its kernel state.
pub struct Kernel {
    /// The user address space.
    pub user: SimSpace,
    fds: Vec<Option<OpenFile>>,
    inodes: Vec<Vec<u8>>,
    pipes: Vec<Pipe>,
    nodes: BTreeMap<String, Node>,
    pub(super) cwd: String,
    uts: UtsName,
    pub sigmask: u64,
    clock: Timespec,
    random: u64,
}

impl AddrSpaceProvider for Kernel {
    type AddrSpace = SimAreas;

    fn with_addr_space<R>(&mut self, f: impl FnOnce(&mut SimAreas) -> R) -> R {
        self.user.provider().with_addr_space(f)
    }
}

/// Where a read puts its bytes: a user buffer or an iovec array.
pub(super) trait Sink {
    fn put(&mut self, user: &mut SimSpace, bytes: &[u8]) -> LinuxResult<usize>;
}

impl Sink for UserWriter {
    fn put(&mut self, user: &mut SimSpace, bytes: &[u8]) -> LinuxResult<usize> {
        self.write(user, bytes)
    }
}

impl Sink for IoVecWriter {
    fn put(&mut self, user: &mut SimSpace, bytes: &[u8]) -> LinuxResult<usize> {
        self.write(user, bytes)
    }
}

/// Where a write takes its bytes from.
pub(super) trait Source {
    fn take(&mut self, user: &mut SimSpace, dst: &mut [u8]) -> LinuxResult<usize>;
}

impl Source for UserReader {
    fn take(&mut self, user: &mut SimSpace, dst: &mut [u8]) -> LinuxResult<usize> {
        self.read(user, dst)
    }
}

impl Source for IoVecReader {
    fn take(&mut self, user: &mut SimSpace, dst: &mut [u8]) -> LinuxResult<usize> {
        self.read(user, dst)
    }
}

/// Kernel bytes (the set-up writes into the pipe).
impl Source for &[u8] {
    fn take(&mut self, _: &mut SimSpace, dst: &mut [u8]) -> LinuxResult<usize> {
        let n = dst.len().min(self.len());
        dst[..n].copy_from_slice(&self[..n]);
        *self = &self[n..];
        Ok(n)
    }
}

/// Writes `len` zero bytes into `sink` (`clear_user`), a page at a time.
fn put_zeros(sink: &mut impl Sink, user: &mut SimSpace, len: usize) -> LinuxResult<usize> {
    let zeros = [0u8; PAGE];
    let mut done = 0;
    while done < len {
        let chunk = (len - done).min(PAGE);
        let n = sink.put(user, &zeros[..chunk])?;
        done += n;
        if n < chunk {
            break;
        }
    }
    Ok(done)
}

impl Pipe {
    /// `pipe_read`: each buffer is copied whole (up to what the reader
    /// wants) or the read stops there, consuming nothing of it.
    fn read(
        &mut self,
        user: &mut SimSpace,
        sink: &mut impl Sink,
        mut want: usize,
    ) -> LinuxResult<usize> {
        if want == 0 {
            return Ok(0);
        }
        let mut done = 0;
        while let Some(buf) = self.bufs.front_mut() {
            let chars = buf.data.len().min(want);
            let copied = sink.put(user, &buf.data[..chars]).unwrap_or(0);
            if copied < chars {
                return if done == 0 {
                    Err(LinuxError::EFAULT)
                } else {
                    Ok(done)
                };
            }
            done += chars;
            buf.data.drain(..chars);
            if buf.data.is_empty() || self.packets {
                self.bufs.pop_front();
            }
            want -= chars;
            if want == 0 || self.packets {
                return Ok(done);
            }
        }
        // Empty, and the write end is open: a non-blocking read would wait.
        if done > 0 {
            Ok(done)
        } else {
            Err(LinuxError::EAGAIN)
        }
    }

    /// `pipe_write`: the part past the last whole page merges into the
    /// last buffer, all or nothing; then a page per buffer, each filled
    /// whole unless the source ends in it.
    fn write(
        &mut self,
        user: &mut SimSpace,
        src: &mut impl Source,
        len: usize,
    ) -> LinuxResult<usize> {
        if len == 0 {
            return Ok(0);
        }
        let mut done = 0;
        let chars = len % PAGE;
        if chars != 0 && !self.packets {
            if let Some(last) = self.bufs.back_mut().filter(|last| last.end + chars <= PAGE) {
                let mut bytes = vec![0; chars];
                if src.take(user, &mut bytes).unwrap_or(0) < chars {
                    return Err(LinuxError::EFAULT);
                }
                last.data.extend_from_slice(&bytes);
                last.end += chars;
                done = chars;
                if done == len {
                    return Ok(done);
                }
            }
        }
        while self.bufs.len() < PIPE_BUFFERS {
            let want = (len - done).min(PAGE);
            let mut page = vec![0; want];
            let copied = src.take(user, &mut page).unwrap_or(0);
            if copied < want {
                return if done == 0 {
                    Err(LinuxError::EFAULT)
                } else {
                    Ok(done)
                };
            }
            self.bufs.push_back(PipeBuf {
                data: page,
                end: copied,
            });
            done += copied;
            if done == len {
                return Ok(done);
            }
        }
        if done > 0 {
            Ok(done)
        } else {
            Err(LinuxError::EAGAIN)
        }
    }

    fn contents(&self) -> Vec<u8> {
        self.bufs
            .iter()
            .flat_map(|buf| buf.data.iter().copied())
            .collect()
    }
}

impl Kernel {
    /// The process both sides start as (see `layout`), with `pipe` written
    /// into pipe A and the memfd's position at `file_pos`.
    pub fn new(user: SimSpace, cwd: &str, uts: UtsName, pipe: &[Vec<u8>], file_pos: u64) -> Self {
        let open = |object, read, write| {
            Some(OpenFile {
                object,
                read,
                write,
                pos: 0,
            })
        };
        let mut nodes = BTreeMap::from([
            ("/".to_owned(), Node::Dir),
            ("/dev".to_owned(), Node::Dir),
            ("/dev/null".to_owned(), Node::Null),
            ("/dev/zero".to_owned(), Node::Zero),
        ]);
        let mut ancestor = String::new();
        for part in cwd.split('/').filter(|part| !part.is_empty()) {
            ancestor = format!("{ancestor}/{part}");
            nodes.insert(ancestor.clone(), Node::Dir);
        }
        let mut inodes = vec![layout::file_contents()];
        for dir in layout::TREE_DIRS {
            nodes.insert(format!("{cwd}/{dir}"), Node::Dir);
        }
        for (name, contents) in layout::TREE_FILES {
            nodes.insert(format!("{cwd}/{name}"), Node::File(inodes.len()));
            inodes.push(contents.to_vec());
        }
        let mut kernel = Self {
            user,
            fds: vec![
                open(Object::Null, true, true),
                open(Object::Mem(0), true, true),
                open(Object::Mem(0), true, false),
                open(Object::PipeRead(0), true, false),
                open(Object::PipeWrite(0), false, true),
                open(Object::PipeRead(1), true, false),
                open(Object::PipeWrite(1), false, true),
                open(Object::Dir(cwd.to_owned()), true, false),
                open(Object::Zero, true, true),
            ],
            inodes,
            pipes: vec![Pipe::default(), Pipe::default()],
            nodes,
            cwd: cwd.to_owned(),
            uts,
            sigmask: layout::INITIAL_SIGMASK,
            clock: Timespec {
                tv_sec: 1000,
                tv_nsec: 0,
            },
            random: 0x9e37_79b9_7f4a_7c15,
        };
        for write in pipe {
            let mut bytes = write.as_slice();
            let result = kernel.pipes[0].write(&mut kernel.user, &mut bytes, write.len());
            assert_eq!(result, Ok(write.len()), "the set-up fits in pipe A");
        }
        if let Some(Some(file)) = kernel.fds.get_mut(layout::FD_FILE as usize) {
            file.pos = file_pos;
        }
        let _ = FD_PIPE_W;
        kernel
    }

    /// The state the comparison looks at, but memory.
    pub fn pipe_contents(&self, pipe: usize) -> Vec<u8> {
        self.pipes[pipe].contents()
    }

    pub fn file_contents(&self) -> &[u8] {
        &self.inodes[0]
    }

    pub fn positions(&self) -> [i64; 2] {
        [layout::FD_FILE, layout::FD_FILE_RO].map(|fd| match &self.fds[fd as usize] {
            Some(file) => file.pos as i64,
            None => -i64::from(LinuxError::EBADF.code()),
        })
    }

    pub fn open_fds(&self) -> u64 {
        self.fds
            .iter()
            .take(64)
            .enumerate()
            .filter(|(_, file)| file.is_some())
            .fold(0, |bits, (fd, _)| bits | 1 << fd)
    }

    pub(super) fn file(&mut self, fd: u32) -> LinuxResult<&mut OpenFile> {
        self.fds
            .get_mut(fd as usize)
            .and_then(Option::as_mut)
            .ok_or(LinuxError::EBADF)
    }

    /// The lowest free descriptor, reserved by `file`.
    pub(super) fn install(&mut self, file: OpenFile) -> LinuxResult<u32> {
        let free = self
            .fds
            .iter()
            .position(Option::is_none)
            .unwrap_or(self.fds.len());
        if free >= NOFILE {
            return Err(LinuxError::EMFILE);
        }
        if free == self.fds.len() {
            self.fds.push(None);
        }
        self.fds[free] = Some(file);
        Ok(free as u32)
    }

    /// The file operation of a read: up to `limit` bytes into `sink`, at
    /// `pos` or the file's position.
    pub(super) fn read_file(
        &mut self,
        fd: u32,
        sink: &mut impl Sink,
        limit: usize,
        pos: Option<u64>,
    ) -> LinuxResult<usize> {
        let file = self.file(fd)?.clone();
        match file.object {
            Object::Null => Ok(0),
            Object::Zero => put_zeros(sink, &mut self.user, limit),
            Object::Mem(inode) => {
                let at = pos.unwrap_or(file.pos);
                let data = &self.inodes[inode];
                let start = usize::try_from(at).unwrap_or(usize::MAX).min(data.len());
                let end = start.saturating_add(limit).min(data.len());
                let n = sink.put(&mut self.user, &data[start..end])?;
                if pos.is_none() {
                    self.file(fd)?.pos = at + n as u64;
                }
                Ok(n)
            }
            Object::PipeRead(pipe) => self.pipes[pipe].read(&mut self.user, sink, limit),
            Object::Dir(_) => Err(LinuxError::EISDIR),
            Object::PipeWrite(_) => Err(LinuxError::EBADF),
        }
    }

    /// The file operation of a write: up to `limit` bytes from `src`.
    pub(super) fn write_file(
        &mut self,
        fd: u32,
        src: &mut impl Source,
        limit: usize,
    ) -> LinuxResult<usize> {
        let file = self.file(fd)?.clone();
        match file.object {
            // Never looks at the buffer.
            Object::Null | Object::Zero => Ok(limit),
            Object::Mem(inode) => {
                // shmem's write: page by page, as far as the source reads.
                let mut pos = usize::try_from(file.pos).map_err(|_| LinuxError::EFBIG)?;
                let mut done = 0;
                let mut page = [0u8; PAGE];
                while done < limit {
                    let want = (limit - done).min(PAGE - pos % PAGE);
                    let n = src.take(&mut self.user, &mut page[..want])?;
                    let data = &mut self.inodes[inode];
                    if data.len() < pos + n {
                        data.resize(pos + n, 0);
                    }
                    data[pos..pos + n].copy_from_slice(&page[..n]);
                    pos += n;
                    done += n;
                    if n < want {
                        break;
                    }
                }
                self.file(fd)?.pos = pos as u64;
                Ok(done)
            }
            Object::PipeWrite(pipe) => self.pipes[pipe].write(&mut self.user, src, limit),
            Object::PipeRead(_) | Object::Dir(_) => Err(LinuxError::EBADF),
        }
    }

    pub(super) fn readable(&mut self, fd: u32) -> LinuxResult<()> {
        if self.file(fd)?.read {
            Ok(())
        } else {
            Err(LinuxError::EBADF)
        }
    }

    pub(super) fn writable(&mut self, fd: u32) -> LinuxResult<()> {
        if self.file(fd)?.write {
            Ok(())
        } else {
            Err(LinuxError::EBADF)
        }
    }

    pub(super) fn next_random(&mut self) -> [u8; 64] {
        let mut block = [0u8; 64];
        for chunk in block.chunks_mut(8) {
            // xorshift: the bytes are masked by the comparison anyway.
            self.random ^= self.random << 13;
            self.random ^= self.random >> 7;
            self.random ^= self.random << 17;
            chunk.copy_from_slice(&self.random.to_ne_bytes());
        }
        block
    }

    /// Resolves `path` from `start` (an absolute directory path): the
    /// absolute path of what it names, which must exist.
    pub(super) fn walk(&self, start: &str, path: &str) -> LinuxResult<(String, Node)> {
        let mut at = if path.starts_with('/') {
            String::from("/")
        } else {
            start.to_owned()
        };
        let mut node = Node::Dir;
        for part in path
            .split('/')
            .filter(|part| !part.is_empty() && *part != ".")
        {
            if !matches!(node, Node::Dir) {
                return Err(LinuxError::ENOTDIR);
            }
            if part == ".." {
                at = match at.rfind('/') {
                    Some(0) | None => "/".to_owned(),
                    Some(slash) => at[..slash].to_owned(),
                };
                node = Node::Dir;
                continue;
            }
            if part.len() > NAME_MAX {
                return Err(LinuxError::ENAMETOOLONG);
            }
            at = if at == "/" {
                format!("/{part}")
            } else {
                format!("{at}/{part}")
            };
            node = self.nodes.get(&at).cloned().ok_or(LinuxError::ENOENT)?;
        }
        if path.ends_with('/') && !matches!(node, Node::Dir) {
            return Err(LinuxError::ENOTDIR);
        }
        Ok((at, node))
    }
}

/// Linux's `access_ok` of a buffer, then its cap at `MAX_RW_COUNT`: what
/// `vfs_read`/`vfs_write` do before the file sees the buffer.
fn checked_len(k: &mut Kernel, addr: usize, count: usize) -> LinuxResult<usize> {
    axptr::access_ok(k, addr, count)?;
    Ok(count.min(MAX_RW_COUNT))
}

/// `read(fd, buf, count)`.
#[syscall]
fn sys_read(k: &mut Kernel, fd: u32, buf: UserPtr<u8>, count: usize) -> LinuxResult<usize> {
    k.readable(fd)?;
    let limit = checked_len(k, buf.address().as_usize(), count)?;
    let mut out = buf.writer(limit);
    k.read_file(fd, &mut out, limit, None)
}

/// `pread64(fd, buf, count, pos)`.
#[syscall]
fn sys_pread64(
    k: &mut Kernel,
    fd: u32,
    buf: UserPtr<u8>,
    count: usize,
    pos: i64,
) -> LinuxResult<usize> {
    if pos < 0 {
        return Err(LinuxError::EINVAL);
    }
    if matches!(
        k.file(fd)?.object,
        Object::PipeRead(_) | Object::PipeWrite(_)
    ) {
        return Err(LinuxError::ESPIPE);
    }
    k.readable(fd)?;
    let limit = checked_len(k, buf.address().as_usize(), count)?;
    // rw_verify_area: the end of the range must fit in a loff_t.
    // OVERFLOW: `count` is below 2^47 once `access_ok` passed.
    if pos.checked_add(count as i64).is_none() {
        return Err(LinuxError::EINVAL);
    }
    let mut out = buf.writer(limit);
    k.read_file(fd, &mut out, limit, Some(pos as u64))
}

/// `write(fd, buf, count)`.
#[syscall]
fn sys_write(k: &mut Kernel, fd: u32, buf: UserConstPtr<u8>, count: usize) -> LinuxResult<usize> {
    k.writable(fd)?;
    let limit = checked_len(k, buf.address().as_usize(), count)?;
    let mut src = buf.reader(limit);
    k.write_file(fd, &mut src, limit)
}

/// `readv(fd, iov, iovcnt)`. The count register is an `unsigned long`,
/// but Linux's `import_iovec` takes an `unsigned int`: the high half is
/// dropped.
#[syscall]
fn sys_readv(k: &mut Kernel, fd: u32, iov: UserConstPtr<IoVec>, iovcnt: u32) -> LinuxResult<usize> {
    k.readable(fd)?;
    let iov = IoVecs::import(k, iov, iovcnt as usize)?;
    let total = iov.total_len();
    if total == 0 {
        return Ok(0);
    }
    let mut out = iov.writer();
    k.read_file(fd, &mut out, total, None)
}

/// `writev(fd, iov, iovcnt)`: `iovcnt` as for `readv`.
#[syscall]
fn sys_writev(
    k: &mut Kernel,
    fd: u32,
    iov: UserConstPtr<IoVec>,
    iovcnt: u32,
) -> LinuxResult<usize> {
    k.writable(fd)?;
    let iov = IoVecs::import(k, iov, iovcnt as usize)?;
    let total = iov.total_len();
    if total == 0 {
        return Ok(0);
    }
    let mut src = iov.reader();
    k.write_file(fd, &mut src, total)
}

/// `openat(dirfd, path, flags, mode)`: the flags are checked before the
/// path is read, so the path is a pointer read in the body.
#[syscall]
fn sys_openat(
    k: &mut Kernel,
    dirfd: i32,
    path: UserConstPtr<c_char>,
    flags: u32,
    mode: u32,
) -> LinuxResult<u32> {
    let _ = mode; // nothing is created
    check_open_flags(flags)?;
    let path = path.read_cstring(k, PATH_MAX)?;
    k.open(dirfd, path.to_str().map_err(|_| LinuxError::ENOENT)?, flags)
}

/// `build_open_flags`: the flags `openat` refuses before it reads the path.
pub(super) fn check_open_flags(flags: u32) -> LinuxResult<()> {
    const TMPFILE_ONLY: u32 = O_TMPFILE & !O_DIRECTORY;
    if flags & (O_DIRECTORY | O_CREAT) == O_DIRECTORY | O_CREAT {
        return Err(LinuxError::EINVAL);
    }
    if flags & TMPFILE_ONLY != 0
        && (flags & (O_TMPFILE | O_CREAT) != O_TMPFILE || flags & O_ACCMODE == 0)
    {
        return Err(LinuxError::EINVAL);
    }
    Ok(())
}

impl Kernel {
    /// The rest of `openat`, once the path is a kernel string.
    pub(super) fn open(&mut self, dirfd: i32, path: &str, flags: u32) -> LinuxResult<u32> {
        if path.is_empty() {
            return Err(LinuxError::ENOENT);
        }
        let start = if path.starts_with('/') || dirfd == AT_FDCWD {
            self.cwd.clone()
        } else {
            let dirfd = u32::try_from(dirfd).map_err(|_| LinuxError::EBADF)?;
            match &self.file(dirfd)?.object {
                Object::Dir(dir) => dir.clone(),
                _ => return Err(LinuxError::ENOTDIR),
            }
        };
        let (at, node) = self.walk(&start, path)?;
        if flags & (O_CREAT | O_EXCL) == O_CREAT | O_EXCL {
            return Err(LinuxError::EEXIST);
        }
        let access = flags & O_ACCMODE;
        let (read, write) = (access != O_WRONLY, access == O_WRONLY || access == O_RDWR);
        let object = match node {
            Node::Dir if write => return Err(LinuxError::EISDIR),
            Node::Dir => Object::Dir(at),
            _ if flags & O_DIRECTORY != 0 => return Err(LinuxError::ENOTDIR),
            Node::File(inode) => Object::Mem(inode),
            Node::Null => Object::Null,
            Node::Zero => Object::Zero,
        };
        self.install(OpenFile {
            object,
            read,
            write,
            pos: 0,
        })
    }

    /// What `poll` reports for `fd` asked about `events`.
    pub(super) fn poll_mask(&mut self, fd: i32, events: u16) -> u16 {
        const POLLIN: u16 = 0x1;
        const POLLOUT: u16 = 0x4;
        const POLLERR: u16 = 0x8;
        const POLLHUP: u16 = 0x10;
        const POLLNVAL: u16 = 0x20;
        const POLLRDNORM: u16 = 0x40;
        const POLLWRNORM: u16 = 0x100;
        let Ok(fd) = u32::try_from(fd) else {
            return 0;
        };
        let Ok(object) = self.file(fd).map(|file| file.object.clone()) else {
            return POLLNVAL;
        };
        let mask = match object {
            Object::PipeRead(pipe) if self.pipes[pipe].bufs.is_empty() => 0,
            Object::PipeRead(_) => POLLIN | POLLRDNORM,
            Object::PipeWrite(pipe) if self.pipes[pipe].bufs.len() >= PIPE_BUFFERS => 0,
            Object::PipeWrite(_) => POLLOUT | POLLWRNORM,
            _ => POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM,
        };
        mask & (events | POLLERR | POLLHUP)
    }
}

/// `getcwd(buf, size)`: the length with the NUL. Only those bytes are
/// written, so only they are checked.
#[syscall]
fn sys_getcwd(k: &mut Kernel, buf: UserPtr<u8>, size: usize) -> LinuxResult<usize> {
    let mut cwd = k.cwd.clone().into_bytes();
    cwd.push(0);
    if cwd.len() > size {
        return Err(LinuxError::ERANGE);
    }
    let mut out = buf.writer(cwd.len());
    if out.write(&mut k.user, &cwd)? < cwd.len() {
        return Err(LinuxError::EFAULT);
    }
    Ok(cwd.len())
}

/// `uname(buf)`.
#[syscall]
pub(super) fn sys_uname(k: &mut Kernel, buf: UserPtr<UtsName>) -> LinuxResult<()> {
    let uts = k.uts;
    buf.write(k, uts)
}

/// `clock_gettime(clockid, tp)`: an unknown clock is refused before `tp`
/// is looked at.
#[syscall]
pub(super) fn sys_clock_gettime(
    k: &mut Kernel,
    clockid: i32,
    tp: UserPtr<Timespec>,
) -> LinuxResult<()> {
    // REALTIME, MONOTONIC, PROCESS_CPUTIME, THREAD_CPUTIME, MONOTONIC_RAW,
    // REALTIME_COARSE, MONOTONIC_COARSE, BOOTTIME, TAI.
    if !matches!(clockid, 0..=7 | 11) {
        return Err(LinuxError::EINVAL);
    }
    let now = k.clock;
    tp.write(k, now)
}

/// `nanosleep(req, rem)`: never interrupted, so `rem` is not written.
#[syscall]
pub(super) fn sys_nanosleep(
    k: &mut Kernel,
    req: UserConstPtr<Timespec>,
    rem: Option<UserPtr<Timespec>>,
) -> LinuxResult<()> {
    let _ = rem;
    let req = req.read(k)?;
    if req.tv_sec < 0 || !(0..1_000_000_000).contains(&req.tv_nsec) {
        return Err(LinuxError::EINVAL);
    }
    let nanos = k.clock.tv_nsec + req.tv_nsec;
    k.clock.tv_sec = k
        .clock
        .tv_sec
        .saturating_add(req.tv_sec)
        .saturating_add(nanos / 1_000_000_000);
    k.clock.tv_nsec = nanos % 1_000_000_000;
    Ok(())
}

/// `pipe2(fds, flags)`: the descriptors are released if the pair cannot
/// be written.
#[syscall]
pub(super) fn sys_pipe2(k: &mut Kernel, fds: UserPtr<[i32; 2]>, flags: u32) -> LinuxResult<()> {
    if flags & !(O_CLOEXEC | O_NONBLOCK | O_DIRECT) != 0 {
        return Err(LinuxError::EINVAL);
    }
    let pipe = k.pipes.len();
    k.pipes.push(Pipe {
        packets: flags & O_DIRECT != 0,
        ..Pipe::default()
    });
    let r = k.install(OpenFile {
        object: Object::PipeRead(pipe),
        read: true,
        write: false,
        pos: 0,
    })?;
    let w = k.install(OpenFile {
        object: Object::PipeWrite(pipe),
        read: false,
        write: true,
        pos: 0,
    })?;
    if let Err(err) = fds.write(k, [r as i32, w as i32]) {
        k.fds[r as usize] = None;
        k.fds[w as usize] = None;
        return Err(err);
    }
    Ok(())
}

/// `poll(fds, nfds, timeout)`: `nfds` is checked against the descriptor
/// limit before the array is read; each `revents` is written back in turn.
#[syscall]
fn sys_poll(k: &mut Kernel, fds: UserPtr<PollFd>, nfds: u32, timeout: i32) -> LinuxResult<usize> {
    let _ = timeout; // every case polls what is ready now
    let nfds = nfds as usize;
    if nfds > NOFILE {
        return Err(LinuxError::EINVAL);
    }
    let mut entries = vec![PollFd::default(); nfds];
    fds.read_slice(k, &mut entries)?;
    let mut ready = 0;
    for entry in &mut entries {
        entry.revents = k.poll_mask(entry.fd, entry.events);
        ready += usize::from(entry.revents != 0);
    }
    axptr::access_ok(k, fds.address().as_usize(), nfds * size_of::<PollFd>())?;
    for (i, entry) in entries.iter().enumerate() {
        let revents = UserPtr::<u16>::from(fds.address().as_usize() + i * size_of::<PollFd>() + 6);
        revents.write(k, entry.revents)?;
    }
    Ok(ready)
}

/// `getrandom(buf, len, flags)`: the flags first, then `access_ok` of the
/// capped length, then as many bytes as the buffer takes.
#[syscall]
fn sys_getrandom(k: &mut Kernel, buf: UserPtr<u8>, len: usize, flags: u32) -> LinuxResult<usize> {
    const GRND_NONBLOCK: u32 = 1;
    const GRND_RANDOM: u32 = 2;
    const GRND_INSECURE: u32 = 4;
    if flags & !(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE) != 0
        || flags & (GRND_INSECURE | GRND_RANDOM) == GRND_INSECURE | GRND_RANDOM
    {
        return Err(LinuxError::EINVAL);
    }
    let mut out = buf.writer(len.min(MAX_RW_COUNT));
    out.access_ok(k)?;
    while !out.is_empty() {
        let block = k.next_random();
        let want = block.len().min(out.remaining());
        if out.write(&mut k.user, &block)? < want {
            break;
        }
    }
    Ok(out.transferred())
}

/// `rt_sigprocmask(how, set, oset, sigsetsize)`: `how` is only looked at
/// when there is a new set.
#[syscall]
pub(super) fn sys_rt_sigprocmask(
    k: &mut Kernel,
    how: i32,
    set: Option<UserConstPtr<u64>>,
    oset: Option<UserPtr<u64>>,
    sigsetsize: usize,
) -> LinuxResult<()> {
    const SIGKILL_STOP: u64 = (1 << (9 - 1)) | (1 << (19 - 1));
    if sigsetsize != size_of::<u64>() {
        return Err(LinuxError::EINVAL);
    }
    let old = k.sigmask;
    if let Some(set) = set {
        let new = set.read(k)? & !SIGKILL_STOP;
        k.sigmask = match how {
            0 => old | new,
            1 => old & !new,
            2 => new,
            _ => return Err(LinuxError::EINVAL),
        };
    }
    if let Some(oset) = oset {
        oset.write(k, old)?;
    }
    Ok(())
}

const _: usize = FILE_LEN;
