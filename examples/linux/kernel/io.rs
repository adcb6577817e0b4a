//! Reading and writing: byte transfers through cursors (`read`, `write`,
//! `pread64`, `pwrite64`), iovec arrays (`readv`, `writev`, `preadv`,
//! `pwritev`), and `ioctl`, whose argument depends on the command.
//!
//! A transfer that faults after moving some bytes returns that count, and
//! only what reached user space leaves a pipe or a socket: the rest stays
//! for the next read.

use std::{cell::RefCell, rc::Rc};

use axptr::{
    LinuxError, LinuxResult, UserReader, UserWriter,
    iovec::{IoVecReader, IoVecWriter, MAX_RW_COUNT},
    syscall,
    syscall::RawArg,
};

use super::{
    FileKind, OpenFile, Process,
    args::{Fd, IoctlCmd},
    fs::MAX_FILE_SIZE,
    signal,
    vfs::PIPE_CAPACITY,
};
use crate::abi::{self, Siginfo, Termios, Winsize};

/// The most bytes one call moves through a kernel buffer (a hostile
/// length costs at most this much memory).
const CHUNK: usize = 1 << 20;

/// The data a read of `file` returns, up to `max` bytes, at `offset`
/// (`pread`) or the file position; nothing is consumed yet.
fn peek(p: &mut Process, file: &OpenFile, offset: Option<u64>, max: usize) -> LinuxResult<Vec<u8>> {
    if !file.readable() {
        return Err(LinuxError::EBADF);
    }
    let would_block = |p: &mut Process| -> LinuxResult<Vec<u8>> {
        p.printk("[kernel] nothing to read yet: the call would block; the model returns EAGAIN");
        Err(LinuxError::EAGAIN)
    };
    match &file.kind {
        FileKind::Node(node) | FileKind::Memfd(node) => {
            let node = node.borrow();
            if node.is_dir() {
                return Err(LinuxError::EISDIR);
            }
            let pos = usize::try_from(offset.unwrap_or(file.pos)).unwrap_or(usize::MAX);
            let rest = node.data.get(pos..).unwrap_or_default();
            Ok(rest[..rest.len().min(max)].to_vec())
        }
        _ if offset.is_some() => Err(LinuxError::ESPIPE),
        FileKind::Tty if p.tty.input.is_empty() => would_block(p),
        FileKind::Tty => Ok(p.tty.input.iter().take(max).copied().collect()),
        FileKind::Pipe(end) => {
            let pipe = end.pipe.borrow();
            if pipe.buf.is_empty() && pipe.writers > 0 {
                drop(pipe);
                return would_block(p);
            }
            Ok(pipe.buf.iter().take(max).copied().collect())
        }
        FileKind::Socket(socket) => {
            let socket = socket.borrow();
            if !socket.rx.is_empty() {
                return Ok(socket.rx.iter().take(max).copied().collect());
            }
            match (socket.is_connected(), socket.was_connected) {
                (true, _) => {
                    drop(socket);
                    would_block(p)
                }
                // The peer closed: end of file.
                (false, true) => Ok(Vec::new()),
                (false, false) => Err(LinuxError::ENOTCONN),
            }
        }
        FileKind::Epoll(_) => Err(LinuxError::EINVAL),
    }
}

/// Consumes the `n` bytes that reached user memory.
fn consume(p: &mut Process, file: &mut OpenFile, offset: Option<u64>, n: usize) {
    match &file.kind {
        FileKind::Node(_) | FileKind::Memfd(_) => {
            if offset.is_none() {
                file.pos += n as u64;
            }
        }
        FileKind::Tty => {
            p.tty.input.drain(..n.min(p.tty.input.len()));
        }
        FileKind::Pipe(end) => {
            let mut pipe = end.pipe.borrow_mut();
            let n = n.min(pipe.buf.len());
            pipe.buf.drain(..n);
        }
        FileKind::Socket(socket) => {
            let mut socket = socket.borrow_mut();
            let n = n.min(socket.rx.len());
            socket.rx.drain(..n);
        }
        FileKind::Epoll(_) => {}
    }
}

/// How many bytes a write to `file` can take now. A pipe or a socket
/// without a reader is `EPIPE`, with `SIGPIPE` (unless `nosignal`).
fn room(
    p: &mut Process,
    file: &OpenFile,
    offset: Option<u64>,
    nosignal: bool,
) -> LinuxResult<usize> {
    if !file.writable() {
        return Err(LinuxError::EBADF);
    }
    let broken = |p: &mut Process| {
        if !nosignal {
            signal::generate(p, Siginfo::user(abi::SIGPIPE, abi::SI_USER, p.pid, p.uid));
        }
        Err(LinuxError::EPIPE)
    };
    let room = match &file.kind {
        FileKind::Node(node) | FileKind::Memfd(node) => {
            if node.borrow().is_dir() {
                return Err(LinuxError::EISDIR);
            }
            let pos = usize::try_from(offset.unwrap_or(file.pos)).unwrap_or(usize::MAX);
            MAX_FILE_SIZE.checked_sub(pos).ok_or(LinuxError::EFBIG)?
        }
        _ if offset.is_some() => return Err(LinuxError::ESPIPE),
        FileKind::Tty => CHUNK,
        FileKind::Pipe(end) => {
            let pipe = end.pipe.borrow();
            if pipe.readers == 0 {
                drop(pipe);
                return broken(p);
            }
            PIPE_CAPACITY - pipe.buf.len()
        }
        FileKind::Socket(socket) => {
            let peer = socket.borrow().peer();
            let Some(peer) = peer else {
                let was = socket.borrow().was_connected;
                return if was {
                    broken(p)
                } else {
                    Err(LinuxError::ENOTCONN)
                };
            };
            PIPE_CAPACITY.saturating_sub(peer.borrow().rx.len())
        }
        FileKind::Epoll(_) => return Err(LinuxError::EINVAL),
    };
    if room == 0 {
        p.printk("[kernel] no room: the call would block; the model returns EAGAIN");
        return Err(LinuxError::EAGAIN);
    }
    Ok(room.min(CHUNK))
}

/// Stores `data` (all of it fits: see [`room`]).
fn store(p: &mut Process, file: &mut OpenFile, offset: Option<u64>, data: &[u8]) -> usize {
    match &file.kind {
        FileKind::Node(node) | FileKind::Memfd(node) => {
            let mut node = node.borrow_mut();
            let pos = if file.flags & abi::O_APPEND != 0 {
                node.data.len()
            } else {
                usize::try_from(offset.unwrap_or(file.pos)).unwrap_or(usize::MAX)
            };
            let end = pos.saturating_add(data.len()).min(MAX_FILE_SIZE);
            if node.data.len() < end {
                node.data.resize(end, 0);
            }
            let n = end.saturating_sub(pos);
            node.data[pos.min(end)..end].copy_from_slice(&data[..n]);
            node.mtime = p.clock.realtime();
            if offset.is_none() {
                file.pos = end as u64;
            }
            n
        }
        FileKind::Tty => {
            p.console.extend_from_slice(data);
            data.len()
        }
        FileKind::Pipe(end) => {
            end.pipe.borrow_mut().buf.extend(data);
            data.len()
        }
        FileKind::Socket(socket) => {
            if let Some(peer) = socket.borrow().peer() {
                peer.borrow_mut().rx.extend(data);
            }
            data.len()
        }
        FileKind::Epoll(_) => 0,
    }
}

/// A file offset argument: `EINVAL` when negative.
fn offset(pos: i64) -> LinuxResult<Option<u64>> {
    u64::try_from(pos).map(Some).map_err(|_| LinuxError::EINVAL)
}

/// Reads from `file` into the cursor `out` (any user-memory sink).
pub fn read_into(
    p: &mut Process,
    file: &Rc<RefCell<OpenFile>>,
    offset: Option<u64>,
    max: usize,
    mut out: impl FnMut(&mut Process, &[u8]) -> LinuxResult<usize>,
) -> LinuxResult<usize> {
    let data = peek(p, &file.borrow(), offset, max.min(MAX_RW_COUNT).min(CHUNK))?;
    if data.is_empty() {
        return Ok(0);
    }
    let n = out(p, &data)?;
    consume(p, &mut file.borrow_mut(), offset, n);
    Ok(n)
}

/// Writes to `file` from the cursor `input`.
pub fn write_from(
    p: &mut Process,
    file: &Rc<RefCell<OpenFile>>,
    offset: Option<u64>,
    max: usize,
    nosignal: bool,
    mut input: impl FnMut(&mut Process, &mut [u8]) -> LinuxResult<usize>,
) -> LinuxResult<usize> {
    if max == 0 {
        return Ok(0);
    }
    let room = room(p, &file.borrow(), offset, nosignal)?;
    let mut data = vec![0; room.min(max).min(MAX_RW_COUNT)];
    let n = input(p, &mut data)?;
    Ok(store(p, &mut file.borrow_mut(), offset, &data[..n]))
}

/// `read(fd, buf, count)`: the buffer is a cursor; Linux checks its range
/// (`access_ok`) before the file operation, and so does this body.
#[syscall]
pub fn sys_read(
    p: &mut Process,
    fd: Fd,
    #[len = count] mut buf: UserWriter,
    count: usize,
) -> LinuxResult<usize> {
    let file = p.file(fd.0)?;
    buf.access_ok(p)?;
    read_into(p, &file, None, count, |p, data| buf.write(p, data))
}

/// `write(fd, buf, count)`.
#[syscall]
pub fn sys_write(
    p: &mut Process,
    fd: Fd,
    #[len = count] mut buf: UserReader,
    count: usize,
) -> LinuxResult<usize> {
    let file = p.file(fd.0)?;
    buf.access_ok(p)?;
    write_from(p, &file, None, count, false, |p, data| buf.read(p, data))
}

/// `pread64(fd, buf, count, pos)`.
#[syscall]
pub fn sys_pread64(
    p: &mut Process,
    fd: Fd,
    #[len = count] mut buf: UserWriter,
    count: usize,
    pos: i64,
) -> LinuxResult<usize> {
    let pos = offset(pos)?;
    let file = p.file(fd.0)?;
    buf.access_ok(p)?;
    read_into(p, &file, pos, count, |p, data| buf.write(p, data))
}

/// `pwrite64(fd, buf, count, pos)`.
#[syscall]
pub fn sys_pwrite64(
    p: &mut Process,
    fd: Fd,
    #[len = count] mut buf: UserReader,
    count: usize,
    pos: i64,
) -> LinuxResult<usize> {
    let pos = offset(pos)?;
    let file = p.file(fd.0)?;
    buf.access_ok(p)?;
    write_from(p, &file, pos, count, false, |p, data| buf.read(p, data))
}

/// `readv(fd, iov, iovcnt)`: the array was imported with Linux's rules
/// before the body; the body scatters into it.
#[syscall]
pub fn sys_readv(
    p: &mut Process,
    fd: Fd,
    #[len = iovcnt] mut iov: IoVecWriter,
    iovcnt: i32,
) -> LinuxResult<usize> {
    let file = p.file(fd.0)?;
    let max = iov.remaining();
    read_into(p, &file, None, max, |p, data| iov.write(p, data))
}

/// `writev(fd, iov, iovcnt)`.
#[syscall]
pub fn sys_writev(
    p: &mut Process,
    fd: Fd,
    #[len = iovcnt] mut iov: IoVecReader,
    iovcnt: i32,
) -> LinuxResult<usize> {
    let file = p.file(fd.0)?;
    let max = iov.remaining();
    write_from(p, &file, None, max, false, |p, data| iov.read(p, data))
}

/// `preadv(fd, iov, iovcnt, pos_l, pos_h)`: on x86_64 the offset is
/// `pos_l`.
#[syscall]
pub fn sys_preadv(
    p: &mut Process,
    fd: Fd,
    #[len = iovcnt] mut iov: IoVecWriter,
    iovcnt: i32,
    pos_l: i64,
    pos_h: u64,
) -> LinuxResult<usize> {
    let _ = pos_h;
    let pos = offset(pos_l)?;
    let file = p.file(fd.0)?;
    let max = iov.remaining();
    read_into(p, &file, pos, max, |p, data| iov.write(p, data))
}

/// `pwritev(fd, iov, iovcnt, pos_l, pos_h)`.
#[syscall]
pub fn sys_pwritev(
    p: &mut Process,
    fd: Fd,
    #[len = iovcnt] mut iov: IoVecReader,
    iovcnt: i32,
    pos_l: i64,
    pos_h: u64,
) -> LinuxResult<usize> {
    let _ = pos_h;
    let pos = offset(pos_l)?;
    let file = p.file(fd.0)?;
    let max = iov.remaining();
    write_from(p, &file, pos, max, false, |p, data| iov.read(p, data))
}

/// How many bytes a read would return now (`FIONREAD`).
fn available(p: &Process, file: &OpenFile) -> usize {
    match &file.kind {
        FileKind::Node(node) | FileKind::Memfd(node) => {
            let len = node.borrow().data.len();
            len.saturating_sub(usize::try_from(file.pos).unwrap_or(usize::MAX))
        }
        FileKind::Tty => p.tty.input.len(),
        FileKind::Pipe(end) => end.pipe.borrow().buf.len(),
        FileKind::Socket(socket) => socket.borrow().rx.len(),
        FileKind::Epoll(_) => 0,
    }
}

/// `ioctl(fd, cmd, arg)`: `arg` is an `int *`, a `struct termios *` or a
/// `struct winsize *` depending on `cmd`; the body converts it once it
/// knows. Terminal commands on anything else are `ENOTTY`, as are unknown
/// commands.
#[syscall]
pub fn sys_ioctl(p: &mut Process, fd: Fd, cmd: IoctlCmd, arg: RawArg) -> LinuxResult<()> {
    let file = p.file(fd.0)?;
    let is_tty = matches!(file.borrow().kind, FileKind::Tty);
    match cmd.0 {
        abi::FIONBIO => {
            let on: i32 = arg.read(p)?;
            let mut file = file.borrow_mut();
            if on != 0 {
                file.flags |= abi::O_NONBLOCK;
            } else {
                file.flags &= !abi::O_NONBLOCK;
            }
            Ok(())
        }
        abi::FIONREAD => {
            let n = available(p, &file.borrow());
            arg.user_ptr::<i32>()
                .write(p, i32::try_from(n).unwrap_or(i32::MAX))
        }
        abi::TCGETS | abi::TCSETS | abi::TIOCGWINSZ | abi::TIOCSWINSZ if !is_tty => {
            Err(LinuxError::ENOTTY)
        }
        abi::TCGETS => {
            let termios = p.tty.termios;
            arg.user_ptr::<Termios>().write(p, termios)
        }
        abi::TCSETS => {
            p.tty.termios = arg.read(p)?;
            Ok(())
        }
        abi::TIOCGWINSZ => {
            let winsize = p.tty.winsize;
            arg.user_ptr::<Winsize>().write(p, winsize)
        }
        abi::TIOCSWINSZ => {
            let winsize: Winsize = arg.read(p)?;
            if winsize != p.tty.winsize {
                p.tty.winsize = winsize;
                signal::generate(p, Siginfo::user(abi::SIGWINCH, abi::SI_KERNEL, 0, 0));
            }
            Ok(())
        }
        _ => Err(LinuxError::ENOTTY),
    }
}
