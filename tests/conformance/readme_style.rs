//! The same kernel with the handlers written the way the README recommended
//! before Linux's transfer rules were measured: buffers as `#[len]` kernel
//! copies (`&[u8]` in, `&mut [u8]` out, `#[inout]` for `poll`), paths as
//! `&CStr`, iovec buffers copied whole with `read_slice`/`write_slice`.
//! Run against the same Linux outcomes, it shows what the conformance test
//! catches: every cause the issue measured.

use core::ffi::CStr;

use axptr::{
    LinuxError, LinuxResult, SyscallTable, UserConstPtr, UserPtr,
    iovec::{IOV_MAX, IoVec},
    sim::SimSpace,
    syscall,
    syscall::MAX_SLICE_ARG_BYTES,
    syscall_table,
};

use super::{
    kernel::{
        Kernel, Object, PollFd, Sink, check_open_flags, nr, sys_clock_gettime, sys_nanosleep,
        sys_pipe2, sys_rt_sigprocmask, sys_uname,
    },
    layout::NOFILE,
};

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

/// A kernel buffer the file operations fill.
struct KernelBuf<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl Sink for KernelBuf<'_> {
    fn put(&mut self, _: &mut SimSpace, bytes: &[u8]) -> LinuxResult<usize> {
        let n = bytes.len().min(self.buf.len() - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&bytes[..n]);
        self.len += n;
        Ok(n)
    }
}

#[syscall]
fn sys_read(
    k: &mut Kernel,
    fd: u32,
    #[len = count] buf: &mut [u8],
    count: usize,
) -> LinuxResult<usize> {
    let _ = count;
    k.readable(fd)?;
    let limit = buf.len();
    k.read_file(fd, &mut KernelBuf { buf, len: 0 }, limit, None)
}

#[syscall]
fn sys_pread64(
    k: &mut Kernel,
    fd: u32,
    #[len = count] buf: &mut [u8],
    count: usize,
    pos: i64,
) -> LinuxResult<usize> {
    if pos < 0 || pos.checked_add(count as i64).is_none() {
        return Err(LinuxError::EINVAL);
    }
    if matches!(
        k.file(fd)?.object,
        Object::PipeRead(_) | Object::PipeWrite(_)
    ) {
        return Err(LinuxError::ESPIPE);
    }
    k.readable(fd)?;
    let limit = buf.len();
    k.read_file(fd, &mut KernelBuf { buf, len: 0 }, limit, Some(pos as u64))
}

#[syscall]
fn sys_write(
    k: &mut Kernel,
    fd: u32,
    #[len = count] buf: &[u8],
    count: usize,
) -> LinuxResult<usize> {
    let _ = count;
    k.writable(fd)?;
    let mut src = buf;
    k.write_file(fd, &mut src, buf.len())
}

/// Reads and checks an iovec array as the README's `writev` did: the
/// lengths must add up to at most `SSIZE_MAX`.
fn iovecs(
    k: &mut Kernel,
    iov: UserConstPtr<IoVec>,
    iovcnt: i32,
) -> LinuxResult<(Vec<IoVec>, usize)> {
    let count = usize::try_from(iovcnt)
        .ok()
        .filter(|&count| count <= IOV_MAX)
        .ok_or(LinuxError::EINVAL)?;
    let mut iovs = vec![IoVec::default(); count];
    iov.read_slice(k, &mut iovs)?;
    let total = iovs
        .iter()
        .try_fold(0usize, |total, iov| total.checked_add(iov.len))
        .filter(|&total| isize::try_from(total).is_ok())
        .ok_or(LinuxError::EINVAL)?;
    Ok((iovs, total.min(MAX_SLICE_ARG_BYTES)))
}

#[syscall]
fn sys_readv(k: &mut Kernel, fd: u32, iov: UserConstPtr<IoVec>, iovcnt: i32) -> LinuxResult<usize> {
    k.readable(fd)?;
    let (iovs, total) = iovecs(k, iov, iovcnt)?;
    let mut data = vec![0; total];
    let n = k.read_file(
        fd,
        &mut KernelBuf {
            buf: &mut data,
            len: 0,
        },
        total,
        None,
    )?;
    let mut done = 0;
    for iov in &iovs {
        let take = iov.len.min(n - done);
        UserPtr::<u8>::from(iov.base).write_slice(k, &data[done..done + take])?;
        done += take;
    }
    Ok(n)
}

#[syscall]
fn sys_writev(
    k: &mut Kernel,
    fd: u32,
    iov: UserConstPtr<IoVec>,
    iovcnt: i32,
) -> LinuxResult<usize> {
    k.writable(fd)?;
    let (iovs, total) = iovecs(k, iov, iovcnt)?;
    let mut data = Vec::new();
    for iov in &iovs {
        let start = data.len();
        data.resize(start + iov.len.min(total - start), 0);
        UserConstPtr::<u8>::from(iov.base).read_slice(k, &mut data[start..])?;
    }
    let mut src = data.as_slice();
    k.write_file(fd, &mut src, data.len())
}

#[syscall]
fn sys_getcwd(k: &mut Kernel, #[len = size] buf: &mut [u8], size: usize) -> LinuxResult<usize> {
    let _ = size;
    let cwd = k.cwd.as_bytes();
    let out = buf.get_mut(..=cwd.len()).ok_or(LinuxError::ERANGE)?;
    out[..cwd.len()].copy_from_slice(cwd);
    out[cwd.len()] = 0;
    Ok(out.len())
}

#[syscall]
fn sys_openat(k: &mut Kernel, dirfd: i32, path: &CStr, flags: u32, mode: u32) -> LinuxResult<u32> {
    let _ = mode;
    check_open_flags(flags)?;
    k.open(dirfd, path.to_str().map_err(|_| LinuxError::ENOENT)?, flags)
}

#[syscall]
fn sys_poll(
    k: &mut Kernel,
    #[len = nfds]
    #[inout]
    fds: &mut [PollFd],
    nfds: u32,
    timeout: i32,
) -> LinuxResult<usize> {
    let _ = timeout;
    if nfds as usize > NOFILE {
        return Err(LinuxError::EINVAL);
    }
    let mut ready = 0;
    for entry in fds.iter_mut() {
        entry.revents = k.poll_mask(entry.fd, entry.events);
        ready += usize::from(entry.revents != 0);
    }
    Ok(ready)
}

#[syscall]
fn sys_getrandom(
    k: &mut Kernel,
    #[len = len] buf: &mut [u8],
    len: usize,
    flags: u32,
) -> LinuxResult<usize> {
    let _ = len;
    if flags & !7 != 0 || flags & 6 == 6 {
        return Err(LinuxError::EINVAL);
    }
    for chunk in buf.chunks_mut(64) {
        let block = k.next_random();
        chunk.copy_from_slice(&block[..chunk.len()]);
    }
    Ok(buf.len())
}
