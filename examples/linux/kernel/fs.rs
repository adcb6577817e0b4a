//! File-system and descriptor syscalls: paths (`&CStr`), structures out
//! (`stat`, `statx`, `statfs`), directory records (`getdents64`),
//! extended attributes (names with their own limit), `openat2`'s
//! extensible `open_how`, `fcntl`'s command-dependent argument, `pipe2`.

use core::ffi::CStr;
use std::{cell::RefCell, rc::Rc};

use axptr::{
    LinuxError, LinuxResult, UserPtr, UserWriter, syscall, syscall::Extensible, syscall::RawArg,
};

use super::{
    FileKind, OpenFile, Process,
    args::{
        AtFlags, DirFd, FcntlCmd, Fd, FdFlags, MemfdFlags, OpenFlags, SizeUpTo, Whence, XattrFlags,
    },
    vfs::{Inode, Node, PipeEnd},
};
use crate::abi::{
    self, Dirent64Head, Flock, OpenHow, Stat, Statfs, Statx, StatxTimestamp, Timespec,
};

/// The permission bits a process creates files with (`umask` 022).
const UMASK: u32 = 0o022;
/// The device number of the model's file system.
const DEV: u64 = 0x2a;

/// Writes all of `bytes` through `out`, or fails with `EFAULT` (what a
/// single `copy_to_user` of a known length does).
pub fn write_all(p: &mut Process, out: &mut UserWriter, bytes: &[u8]) -> LinuxResult<()> {
    if out.write(p, bytes)? == bytes.len() {
        Ok(())
    } else {
        Err(LinuxError::EFAULT)
    }
}

/// What `stat` reports for an open file.
fn stat_file(file: &OpenFile) -> Stat {
    let special = |ino: u64, mode: u32| Stat {
        st_dev: 0xd,
        st_ino: ino,
        st_nlink: 1,
        st_mode: mode,
        st_blksize: 4096,
        ..Stat::default()
    };
    match &file.kind {
        FileKind::Tty => Stat {
            st_rdev: 0x8800,
            ..special(3, abi::S_IFCHR | 0o620)
        },
        FileKind::Node(node) | FileKind::Memfd(node) => stat_node(&node.borrow()),
        FileKind::Pipe(end) => special(end.pipe.borrow().ino, abi::S_IFIFO | 0o600),
        FileKind::Socket(socket) => special(socket.borrow().ino, abi::S_IFSOCK | 0o777),
        FileKind::Epoll(_) => special(1, 0o600),
    }
}

fn size_of_node(node: &Inode) -> u64 {
    if node.is_dir() {
        4096
    } else {
        node.data.len() as u64
    }
}

fn stat_node(node: &Inode) -> Stat {
    let size = size_of_node(node);
    Stat {
        st_dev: DEV,
        st_ino: node.ino,
        st_nlink: node.nlink,
        st_mode: node.mode,
        st_size: size as i64,
        st_blksize: 4096,
        st_blocks: size.div_ceil(512) as i64,
        st_atime: node.atime.tv_sec,
        st_atime_nsec: node.atime.tv_nsec,
        st_mtime: node.mtime.tv_sec,
        st_mtime_nsec: node.mtime.tv_nsec,
        st_ctime: node.ctime.tv_sec,
        st_ctime_nsec: node.ctime.tv_nsec,
        ..Stat::default()
    }
}

/// The node a `*at` call with `AT_EMPTY_PATH` and an empty path means:
/// the directory descriptor's own file.
fn empty_path_node(p: &Process, dirfd: DirFd) -> LinuxResult<Stat> {
    if dirfd.0 == abi::AT_FDCWD {
        return Ok(stat_node(&p.lookup(dirfd, b".", true)?.node.borrow()));
    }
    Ok(stat_file(&p.file(dirfd.0)?.borrow()))
}

/// `close(fd)`.
#[syscall]
pub fn sys_close(p: &mut Process, fd: i32) -> LinuxResult<()> {
    p.close_fd(fd)
}

/// `dup(fd)`.
#[syscall]
pub fn sys_dup(p: &mut Process, fd: Fd) -> LinuxResult<i32> {
    let file = p.file(fd.0)?;
    p.install(file, false)
}

/// `lseek(fd, offset, whence)`.
#[syscall]
pub fn sys_lseek(p: &mut Process, fd: Fd, offset: i64, whence: Whence) -> LinuxResult<isize> {
    let file = p.file(fd.0)?;
    let mut file = file.borrow_mut();
    let size = match &file.kind {
        FileKind::Node(node) | FileKind::Memfd(node) => size_of_node(&node.borrow()),
        _ => return Err(LinuxError::ESPIPE),
    };
    let base = match whence.0 {
        abi::SEEK_SET => 0,
        abi::SEEK_CUR => file.pos as i64,
        abi::SEEK_END => size as i64,
        _ => return Err(LinuxError::EINVAL),
    };
    // OVERFLOW: a hostile offset must not wrap.
    let pos = base
        .checked_add(offset)
        .filter(|pos| *pos >= 0)
        .ok_or(LinuxError::EINVAL)?;
    file.pos = pos as u64;
    Ok(pos as isize)
}

/// `fstat(fd, statbuf)`: a structure copied out after `Ok`.
#[syscall]
pub fn sys_fstat(p: &mut Process, fd: Fd, #[out] statbuf: &mut Stat) -> LinuxResult<()> {
    *statbuf = stat_file(&p.file(fd.0)?.borrow());
    Ok(())
}

/// `newfstatat(dirfd, path, statbuf, flags)`.
#[syscall]
pub fn sys_newfstatat(
    p: &mut Process,
    dirfd: DirFd,
    path: &CStr,
    #[out] statbuf: &mut Stat,
    flags: AtFlags,
) -> LinuxResult<()> {
    let known = abi::AT_SYMLINK_NOFOLLOW | abi::AT_EMPTY_PATH | abi::AT_NO_AUTOMOUNT;
    if flags.0 & !known != 0 {
        return Err(LinuxError::EINVAL);
    }
    let path = path.to_bytes();
    *statbuf = if path.is_empty() && flags.has(abi::AT_EMPTY_PATH) {
        empty_path_node(p, dirfd)?
    } else {
        let follow = !flags.has(abi::AT_SYMLINK_NOFOLLOW);
        stat_node(&p.lookup(dirfd, path, follow)?.node.borrow())
    };
    Ok(())
}

/// `statx(dirfd, path, flags, mask, buf)`.
#[syscall]
pub fn sys_statx(
    p: &mut Process,
    dirfd: DirFd,
    path: &CStr,
    flags: AtFlags,
    #[trace(hex)] mask: u32,
    #[out] buf: &mut Statx,
) -> LinuxResult<()> {
    let known = abi::AT_SYMLINK_NOFOLLOW
        | abi::AT_EMPTY_PATH
        | abi::AT_NO_AUTOMOUNT
        | abi::AT_STATX_SYNC_TYPE;
    if flags.0 & !known != 0 || mask & abi::STATX_RESERVED != 0 {
        return Err(LinuxError::EINVAL);
    }
    let path = path.to_bytes();
    let st = if path.is_empty() && flags.has(abi::AT_EMPTY_PATH) {
        empty_path_node(p, dirfd)?
    } else {
        stat_node(
            &p.lookup(dirfd, path, !flags.has(abi::AT_SYMLINK_NOFOLLOW))?
                .node
                .borrow(),
        )
    };
    let time = |sec: i64, nsec: i64| StatxTimestamp {
        tv_sec: sec,
        tv_nsec: nsec as u32,
        __reserved: 0,
    };
    *buf = Statx {
        stx_mask: abi::STATX_BASIC_STATS,
        stx_blksize: st.st_blksize as u32,
        stx_nlink: st.st_nlink as u32,
        stx_mode: st.st_mode as u16,
        stx_ino: st.st_ino,
        stx_size: st.st_size as u64,
        stx_blocks: st.st_blocks as u64,
        stx_atime: time(st.st_atime, st.st_atime_nsec),
        stx_ctime: time(st.st_ctime, st.st_ctime_nsec),
        stx_mtime: time(st.st_mtime, st.st_mtime_nsec),
        stx_dev_major: 0,
        stx_dev_minor: st.st_dev as u32,
        ..Statx::default()
    };
    Ok(())
}

fn statfs() -> Statfs {
    Statfs {
        f_type: abi::TMPFS_MAGIC,
        f_bsize: 4096,
        f_blocks: 65536,
        f_bfree: 60000,
        f_bavail: 60000,
        f_files: 1 << 20,
        f_ffree: (1 << 20) - 100,
        f_namelen: 255,
        f_frsize: 4096,
        ..Statfs::default()
    }
}

/// `statfs(path, buf)`.
#[syscall]
pub fn sys_statfs(p: &mut Process, path: &CStr, #[out] buf: &mut Statfs) -> LinuxResult<()> {
    p.lookup(DirFd(abi::AT_FDCWD), path.to_bytes(), true)?;
    *buf = statfs();
    Ok(())
}

/// `fstatfs(fd, buf)`.
#[syscall]
pub fn sys_fstatfs(p: &mut Process, fd: Fd, #[out] buf: &mut Statfs) -> LinuxResult<()> {
    let _ = (p, fd);
    *buf = statfs();
    Ok(())
}

/// Opens `path` as `openat` and `openat2` do.
fn open(
    p: &mut Process,
    dirfd: DirFd,
    path: &[u8],
    flags: u32,
    mode: u32,
    resolve: u64,
) -> LinuxResult<i32> {
    if resolve & (abi::RESOLVE_BENEATH | abi::RESOLVE_IN_ROOT) != 0 {
        let escapes =
            path.first() == Some(&b'/') || path.split(|&b| b == b'/').any(|part| part == b"..");
        if escapes {
            return Err(LinuxError::EXDEV);
        }
    }
    let node = if flags & abi::O_CREAT != 0 {
        let found = p.lookup_parent(dirfd, path)?;
        match found.node {
            Some(_) if flags & abi::O_EXCL != 0 => return Err(LinuxError::EEXIST),
            Some(node) => node,
            None => p.create_in(
                &found.dir,
                &found.name,
                abi::S_IFREG | (mode & 0o7777 & !UMASK),
                b"",
            ),
        }
    } else {
        if resolve & abi::RESOLVE_NO_SYMLINKS != 0
            && p.lookup(dirfd, path, false)?.node.borrow().is_symlink()
        {
            return Err(LinuxError::ELOOP);
        }
        p.lookup(dirfd, path, flags & abi::O_NOFOLLOW == 0)?.node
    };
    let resolved = p
        .lookup(dirfd, path, true)
        .map(|found| found.path)
        .unwrap_or_default();
    let accmode = flags & abi::O_ACCMODE;
    {
        let mut inode = node.borrow_mut();
        if inode.is_symlink() {
            return Err(LinuxError::ELOOP);
        }
        if inode.is_dir() && accmode != abi::O_RDONLY {
            return Err(LinuxError::EISDIR);
        }
        if !inode.is_dir() && flags & abi::O_DIRECTORY != 0 {
            return Err(LinuxError::ENOTDIR);
        }
        if flags & abi::O_TRUNC != 0 && accmode != abi::O_RDONLY {
            inode.data.clear();
        }
    }
    let status = flags & (abi::O_ACCMODE | abi::O_APPEND | abi::O_NONBLOCK);
    let file = OpenFile::new(FileKind::Node(node), status, &resolved);
    p.install(file, flags & abi::O_CLOEXEC != 0)
}

/// `openat(dirfd, path, flags, mode)`.
#[syscall]
pub fn sys_openat(
    p: &mut Process,
    dirfd: DirFd,
    path: &CStr,
    flags: OpenFlags,
    mode: u32,
) -> LinuxResult<i32> {
    open(p, dirfd, path.to_bytes(), flags.0, mode, 0)
}

/// `openat2(dirfd, path, how, size)`: `how` is extensible; sizes below
/// the first version are `EINVAL`, non-zero bytes past the kernel's
/// structure `E2BIG`, both before the body.
#[syscall]
pub fn sys_openat2(
    p: &mut Process,
    dirfd: DirFd,
    path: &CStr,
    #[size = size] how: Extensible<OpenHow, { abi::OPEN_HOW_SIZE_VER0 }>,
    size: usize,
) -> LinuxResult<i32> {
    let how = how.into_inner();
    let known_resolve = abi::RESOLVE_NO_XDEV
        | abi::RESOLVE_NO_MAGICLINKS
        | abi::RESOLVE_NO_SYMLINKS
        | abi::RESOLVE_BENEATH
        | abi::RESOLVE_IN_ROOT
        | abi::RESOLVE_CACHED;
    let flags = u32::try_from(how.flags).map_err(|_| LinuxError::EINVAL)?;
    let beneath_and_in_root = abi::RESOLVE_BENEATH | abi::RESOLVE_IN_ROOT;
    if flags & !abi::VALID_OPEN_FLAGS != 0
        || how.resolve & !known_resolve != 0
        || how.resolve & beneath_and_in_root == beneath_and_in_root
        || (flags & abi::O_CREAT == 0 && how.mode != 0)
        || how.mode & !0o7777 != 0
    {
        return Err(LinuxError::EINVAL);
    }
    open(
        p,
        dirfd,
        path.to_bytes(),
        flags,
        how.mode as u32,
        how.resolve,
    )
}

/// `mkdirat(dirfd, path, mode)`.
#[syscall]
pub fn sys_mkdirat(p: &mut Process, dirfd: DirFd, path: &CStr, mode: u32) -> LinuxResult<()> {
    let found = p.lookup_parent(dirfd, path.to_bytes())?;
    if found.node.is_some() {
        return Err(LinuxError::EEXIST);
    }
    p.create_in(
        &found.dir,
        &found.name,
        abi::S_IFDIR | (mode & 0o7777 & !UMASK),
        b"",
    );
    Ok(())
}

/// `unlinkat(dirfd, path, flags)`: a file, or an empty directory with
/// `AT_REMOVEDIR`.
#[syscall]
pub fn sys_unlinkat(p: &mut Process, dirfd: DirFd, path: &CStr, flags: AtFlags) -> LinuxResult<()> {
    if flags.0 & !abi::AT_REMOVEDIR != 0 {
        return Err(LinuxError::EINVAL);
    }
    let found = p.lookup_parent(dirfd, path.to_bytes())?;
    if found.name == b"." {
        return Err(LinuxError::EINVAL);
    }
    let node = found.node.ok_or(LinuxError::ENOENT)?;
    let is_dir = node.borrow().is_dir();
    match (flags.has(abi::AT_REMOVEDIR), is_dir) {
        (true, false) => return Err(LinuxError::ENOTDIR),
        (false, true) => return Err(LinuxError::EISDIR),
        (true, true) if !node.borrow().entries.is_empty() => return Err(LinuxError::ENOTEMPTY),
        _ => {}
    }
    let mut dir = found.dir.borrow_mut();
    dir.entries.remove(&found.name);
    if is_dir {
        dir.nlink = dir.nlink.saturating_sub(1);
    }
    let mut node = node.borrow_mut();
    node.nlink = node.nlink.saturating_sub(if is_dir { 2 } else { 1 });
    Ok(())
}

/// `renameat(olddirfd, oldpath, newdirfd, newpath)`.
#[syscall]
pub fn sys_renameat(
    p: &mut Process,
    olddirfd: DirFd,
    oldpath: &CStr,
    newdirfd: DirFd,
    newpath: &CStr,
) -> LinuxResult<()> {
    let old = p.lookup_parent(olddirfd, oldpath.to_bytes())?;
    let new = p.lookup_parent(newdirfd, newpath.to_bytes())?;
    let node = old.node.ok_or(LinuxError::ENOENT)?;
    let moving_dir = node.borrow().is_dir();
    if moving_dir && new.path.starts_with(&old.path) && new.path.get(old.path.len()) == Some(&b'/')
    {
        return Err(LinuxError::EINVAL);
    }
    if let Some(target) = &new.node {
        let target = target.borrow();
        match (moving_dir, target.is_dir()) {
            (false, true) => return Err(LinuxError::EISDIR),
            (true, false) => return Err(LinuxError::ENOTDIR),
            (true, true) if !target.entries.is_empty() => return Err(LinuxError::ENOTEMPTY),
            _ => {}
        }
    }
    old.dir.borrow_mut().entries.remove(&old.name);
    new.dir.borrow_mut().entries.insert(new.name, node);
    Ok(())
}

/// `linkat(olddirfd, oldpath, newdirfd, newpath, flags)`.
#[syscall]
pub fn sys_linkat(
    p: &mut Process,
    olddirfd: DirFd,
    oldpath: &CStr,
    newdirfd: DirFd,
    newpath: &CStr,
    flags: AtFlags,
) -> LinuxResult<()> {
    if flags.0 & !(abi::AT_SYMLINK_FOLLOW | abi::AT_EMPTY_PATH) != 0 {
        return Err(LinuxError::EINVAL);
    }
    let follow = flags.has(abi::AT_SYMLINK_FOLLOW);
    let node = p.lookup(olddirfd, oldpath.to_bytes(), follow)?.node;
    if node.borrow().is_dir() {
        return Err(LinuxError::EPERM);
    }
    let new = p.lookup_parent(newdirfd, newpath.to_bytes())?;
    if new.node.is_some() {
        return Err(LinuxError::EEXIST);
    }
    node.borrow_mut().nlink += 1;
    new.dir.borrow_mut().entries.insert(new.name, node);
    Ok(())
}

/// `symlinkat(target, newdirfd, linkpath)`.
#[syscall]
pub fn sys_symlinkat(
    p: &mut Process,
    target: &CStr,
    newdirfd: DirFd,
    linkpath: &CStr,
) -> LinuxResult<()> {
    if target.is_empty() {
        return Err(LinuxError::ENOENT);
    }
    let found = p.lookup_parent(newdirfd, linkpath.to_bytes())?;
    if found.node.is_some() {
        return Err(LinuxError::EEXIST);
    }
    p.create_in(
        &found.dir,
        &found.name,
        abi::S_IFLNK | 0o777,
        target.to_bytes(),
    );
    Ok(())
}

/// `readlinkat(dirfd, path, buf, bufsiz)`: the target, not terminated,
/// cut to `bufsiz`.
#[syscall]
pub fn sys_readlinkat(
    p: &mut Process,
    dirfd: DirFd,
    path: &CStr,
    #[len = bufsiz] mut buf: UserWriter,
    bufsiz: i32,
) -> LinuxResult<usize> {
    if bufsiz == 0 {
        return Err(LinuxError::EINVAL);
    }
    let node = p.lookup(dirfd, path.to_bytes(), false)?.node;
    let target = {
        let node = node.borrow();
        if !node.is_symlink() {
            return Err(LinuxError::EINVAL);
        }
        node.data.clone()
    };
    let n = target.len().min(buf.remaining());
    write_all(p, &mut buf, &target[..n])?;
    Ok(n)
}

/// `fchmodat(dirfd, path, mode)`.
#[syscall]
pub fn sys_fchmodat(p: &mut Process, dirfd: DirFd, path: &CStr, mode: u32) -> LinuxResult<()> {
    let node = p.lookup(dirfd, path.to_bytes(), true)?.node;
    let ctime = p.clock.realtime();
    let mut node = node.borrow_mut();
    node.mode = node.file_type() | (mode & 0o7777);
    node.ctime = ctime;
    Ok(())
}

/// `faccessat(dirfd, path, mode)`: the process is root, so only `X_OK`
/// needs an execute bit.
#[syscall]
pub fn sys_faccessat(
    p: &mut Process,
    dirfd: DirFd,
    path: &CStr,
    #[trace(oct)] mode: i32,
) -> LinuxResult<()> {
    if mode & !(abi::R_OK | abi::W_OK | abi::X_OK) != 0 {
        return Err(LinuxError::EINVAL);
    }
    let node = p.lookup(dirfd, path.to_bytes(), true)?.node;
    let node = node.borrow();
    if mode & abi::X_OK != 0 && !node.is_dir() && node.mode & 0o111 == 0 {
        return Err(LinuxError::EACCES);
    }
    Ok(())
}

/// `truncate(path, length)`.
#[syscall]
pub fn sys_truncate(p: &mut Process, path: &CStr, length: i64) -> LinuxResult<()> {
    let len = usize::try_from(length).map_err(|_| LinuxError::EINVAL)?;
    let node = p.lookup(DirFd(abi::AT_FDCWD), path.to_bytes(), true)?.node;
    let mut node = node.borrow_mut();
    if node.is_dir() {
        return Err(LinuxError::EISDIR);
    }
    if len > MAX_FILE_SIZE {
        return Err(LinuxError::EFBIG);
    }
    node.data.resize(len, 0);
    Ok(())
}

/// The largest file the model's memory holds.
pub const MAX_FILE_SIZE: usize = 16 << 20;

/// `utimensat(dirfd, path, times, flags)`: a null path means `dirfd`
/// itself; null `times` means now; `UTIME_NOW` and `UTIME_OMIT` per
/// field.
#[syscall]
pub fn sys_utimensat(
    p: &mut Process,
    dirfd: DirFd,
    path: Option<&CStr>,
    times: Option<&[Timespec; 2]>,
    flags: AtFlags,
) -> LinuxResult<()> {
    if flags.0 & !(abi::AT_SYMLINK_NOFOLLOW | abi::AT_EMPTY_PATH) != 0 {
        return Err(LinuxError::EINVAL);
    }
    let now = p.clock.realtime();
    let times = times.copied().unwrap_or(
        [Timespec {
            tv_sec: 0,
            tv_nsec: abi::UTIME_NOW,
        }; 2],
    );
    let mut resolved = [None; 2];
    for (slot, time) in resolved.iter_mut().zip(times) {
        *slot = match time.tv_nsec {
            abi::UTIME_OMIT => None,
            abi::UTIME_NOW => Some(now),
            0..abi::NSEC_PER_SEC => Some(time),
            _ => return Err(LinuxError::EINVAL),
        };
    }
    let node = match path {
        Some(path) => {
            p.lookup(dirfd, path.to_bytes(), !flags.has(abi::AT_SYMLINK_NOFOLLOW))?
                .node
        }
        None if dirfd.0 == abi::AT_FDCWD => return Err(LinuxError::EFAULT),
        None => match &p.file(dirfd.0)?.borrow().kind {
            FileKind::Node(node) | FileKind::Memfd(node) => node.clone(),
            _ => return Err(LinuxError::EPERM),
        },
    };
    let mut node = node.borrow_mut();
    if let Some(atime) = resolved[0] {
        node.atime = atime;
    }
    if let Some(mtime) = resolved[1] {
        node.mtime = mtime;
    }
    node.ctime = now;
    Ok(())
}

/// `fcntl(fd, cmd, arg)`: what `arg` is depends on `cmd` (an `int`, or a
/// pointer to a `struct flock`), so the body converts it.
#[syscall]
pub fn sys_fcntl(p: &mut Process, fd: Fd, cmd: FcntlCmd, arg: RawArg) -> LinuxResult<isize> {
    let file = p.file(fd.0)?;
    match cmd.0 {
        abi::F_DUPFD | abi::F_DUPFD_CLOEXEC => {
            let min = usize::try_from(arg.int::<i32>()).map_err(|_| LinuxError::EINVAL)?;
            let limit = p.rlimits[abi::RLIMIT_NOFILE as usize].rlim_cur;
            if min as u64 >= limit {
                return Err(LinuxError::EINVAL);
            }
            let new = p.install_from(min, file, cmd.0 == abi::F_DUPFD_CLOEXEC)?;
            Ok(new as isize)
        }
        abi::F_GETFD => Ok(isize::from(p.entry_mut(fd.0)?.cloexec)),
        abi::F_SETFD => {
            p.entry_mut(fd.0)?.cloexec = arg.int::<u32>() & abi::FD_CLOEXEC != 0;
            Ok(0)
        }
        abi::F_GETFL => Ok(file.borrow().flags as isize),
        abi::F_SETFL => {
            let settable = abi::O_APPEND | abi::O_NONBLOCK;
            let mut file = file.borrow_mut();
            file.flags = (file.flags & !settable) | (arg.int::<u32>() & settable);
            Ok(0)
        }
        abi::F_GETLK | abi::F_SETLK => {
            let mut lock: Flock = arg.read(p)?;
            if !(abi::F_RDLCK..=abi::F_UNLCK).contains(&lock.l_type)
                || !(0..=2).contains(&lock.l_whence)
            {
                return Err(LinuxError::EINVAL);
            }
            if cmd.0 == abi::F_SETLK {
                let file = file.borrow();
                let wrong_mode = (lock.l_type == abi::F_WRLCK && !file.writable())
                    || (lock.l_type == abi::F_RDLCK && !file.readable());
                return if wrong_mode {
                    Err(LinuxError::EBADF)
                } else {
                    Ok(0)
                };
            }
            // One process: no lock of another one can be in the way.
            lock.l_type = abi::F_UNLCK;
            arg.user_ptr::<Flock>().write(p, lock)?;
            Ok(0)
        }
        _ => Err(LinuxError::EINVAL),
    }
}

/// `pipe2(fds, flags)`. Linux installs the descriptors only after it
/// copied them out; `#[out]` would copy after the body installed them, so
/// the body writes them and takes them back if the copy fails.
#[syscall]
pub fn sys_pipe2(p: &mut Process, fds: UserPtr<[i32; 2]>, flags: FdFlags) -> LinuxResult<()> {
    if flags.0 & !(abi::O_CLOEXEC | abi::O_NONBLOCK | abi::O_DIRECT) != 0 {
        return Err(LinuxError::EINVAL);
    }
    let ino = p.next_ino();
    let (read_end, write_end) = PipeEnd::pair(ino);
    let nonblock = flags.0 & abi::O_NONBLOCK;
    let reader = OpenFile::new(FileKind::Pipe(read_end), abi::O_RDONLY | nonblock, b"pipe:");
    let writer = OpenFile::new(
        FileKind::Pipe(write_end),
        abi::O_WRONLY | nonblock,
        b"pipe:",
    );
    let cloexec = flags.has(abi::O_CLOEXEC);
    let pair = [p.install(reader, cloexec)?, p.install(writer, cloexec)?];
    if let Err(err) = fds.write(p, pair) {
        for fd in pair {
            let _ = p.close_fd(fd);
        }
        return Err(err);
    }
    Ok(())
}

/// `memfd_create(name, flags)`: the name has its own limit (249 bytes,
/// `EINVAL` beyond), checked before the body.
#[syscall]
pub fn sys_memfd_create(
    p: &mut Process,
    #[cstr(max = 249, err = EINVAL)] name: &CStr,
    flags: MemfdFlags,
) -> LinuxResult<i32> {
    if flags.0 & !(abi::MFD_CLOEXEC | abi::MFD_ALLOW_SEALING) != 0 {
        return Err(LinuxError::EINVAL);
    }
    let node = Inode::new(p.next_ino(), abi::S_IFREG | 0o777, b"", p.clock.realtime());
    let mut path = b"/memfd:".to_vec();
    path.extend_from_slice(name.to_bytes());
    let file = OpenFile::new(FileKind::Memfd(node), abi::O_RDWR, &path);
    p.install(file, flags.has(abi::MFD_CLOEXEC))
}

/// The entries of a directory as `getdents64` lists them: `.`, `..`, then
/// the names in order.
fn dir_entries(p: &Process, dir: &Node, path: &[u8]) -> Vec<(Vec<u8>, u64, u8)> {
    let parent = p
        .lookup(DirFd(abi::AT_FDCWD), &[path, b"/.."].concat(), true)
        .map_or(dir.borrow().ino, |found| found.node.borrow().ino);
    let dir = dir.borrow();
    let mut entries = vec![
        (b".".to_vec(), dir.ino, abi::DT_DIR),
        (b"..".to_vec(), parent, abi::DT_DIR),
    ];
    for (name, node) in &dir.entries {
        let node = node.borrow();
        entries.push((name.clone(), node.ino, node.dirent_type()));
    }
    entries
}

/// `getdents64(fd, dirp, count)`: variable-length records through a
/// cursor. A record that does not fit ends the call; if none fit, that is
/// `EINVAL`. A fault after complete records returns their length.
#[syscall]
pub fn sys_getdents64(
    p: &mut Process,
    fd: Fd,
    #[len = count] mut dirp: UserWriter,
    count: usize,
) -> LinuxResult<usize> {
    let file = p.file(fd.0)?;
    let (dir, path, pos) = {
        let file = file.borrow();
        match &file.kind {
            FileKind::Node(node) if node.borrow().is_dir() => {
                (node.clone(), file.path.clone(), file.pos as usize)
            }
            _ => return Err(LinuxError::ENOTDIR),
        }
    };
    let entries = dir_entries(p, &dir, &path);
    let mut written = 0;
    let mut next = pos;
    for (index, (name, ino, d_type)) in entries.iter().enumerate().skip(pos) {
        let head = size_of::<Dirent64Head>();
        let reclen = (head + name.len() + 1).next_multiple_of(8);
        if reclen > dirp.remaining() {
            if written == 0 {
                return Err(LinuxError::EINVAL);
            }
            break;
        }
        let record = Dirent64Head {
            d_ino: *ino,
            d_off: index as i64 + 1,
            d_reclen: reclen as u16,
            d_type: *d_type,
        };
        let mut tail = name.clone();
        tail.resize(reclen - head, 0);
        let done = dirp
            .write_obj(p, &record)
            .and_then(|()| write_all(p, &mut dirp, &tail));
        if let Err(err) = done {
            if written == 0 {
                return Err(err);
            }
            break;
        }
        written += reclen;
        next = index + 1;
    }
    file.borrow_mut().pos = next as u64;
    Ok(written)
}

/// `getcwd(buf, size)`: the length with the NUL; `ERANGE` if it does not
/// fit. Only the path is written (a cursor: the rest of the buffer is
/// never touched, as in Linux).
#[syscall]
pub fn sys_getcwd(
    p: &mut Process,
    #[len = size] mut buf: UserWriter,
    size: usize,
) -> LinuxResult<usize> {
    let mut cwd = p.cwd.clone();
    cwd.push(0);
    if size < cwd.len() {
        return Err(LinuxError::ERANGE);
    }
    write_all(p, &mut buf, &cwd)?;
    Ok(cwd.len())
}

/// `chdir(path)`.
#[syscall]
pub fn sys_chdir(p: &mut Process, path: &CStr) -> LinuxResult<()> {
    let found = p.lookup(DirFd(abi::AT_FDCWD), path.to_bytes(), true)?;
    if !found.node.borrow().is_dir() {
        return Err(LinuxError::ENOTDIR);
    }
    p.cwd = found.path;
    Ok(())
}

/// An extended attribute's name: not empty (`ERANGE`), in a namespace
/// the file system knows (`EOPNOTSUPP`).
fn xattr_name(name: &CStr) -> LinuxResult<Vec<u8>> {
    let name = name.to_bytes();
    if name.is_empty() {
        return Err(LinuxError::ERANGE);
    }
    let known = [&b"user."[..], b"trusted.", b"security.", b"system."];
    if !known.iter().any(|prefix| name.starts_with(prefix)) {
        return Err(LinuxError::EOPNOTSUPP);
    }
    Ok(name.to_vec())
}

fn xattr_node(p: &Process, path: &CStr) -> LinuxResult<Rc<RefCell<Inode>>> {
    Ok(p.lookup(DirFd(abi::AT_FDCWD), path.to_bytes(), true)?.node)
}

/// `setxattr(path, name, value, size, flags)`: the name is at most 255
/// bytes (`ERANGE`), the value at most 64 KiB (`E2BIG`, checked before it
/// is copied).
#[syscall]
pub fn sys_setxattr(
    p: &mut Process,
    path: &CStr,
    #[cstr(max = 255, err = ERANGE)] name: &CStr,
    #[len = size] value: &[u8],
    size: SizeUpTo<{ abi::XATTR_SIZE_MAX }>,
    flags: XattrFlags,
) -> LinuxResult<()> {
    let _ = size;
    if flags.0 & !(abi::XATTR_CREATE | abi::XATTR_REPLACE) != 0 {
        return Err(LinuxError::EINVAL);
    }
    let name = xattr_name(name)?;
    let node = xattr_node(p, path)?;
    let mut node = node.borrow_mut();
    let exists = node.xattrs.contains_key(&name);
    if flags.has(abi::XATTR_CREATE) && exists {
        return Err(LinuxError::EEXIST);
    }
    if flags.has(abi::XATTR_REPLACE) && !exists {
        return Err(LinuxError::ENODATA);
    }
    node.xattrs.insert(name, value.to_vec());
    Ok(())
}

/// Copies `data` out as `getxattr` and `listxattr` do: a zero size asks
/// for the length; a smaller buffer is `ERANGE`.
fn xattr_out(
    p: &mut Process,
    out: &mut UserWriter,
    size: usize,
    data: &[u8],
) -> LinuxResult<usize> {
    if size == 0 {
        return Ok(data.len());
    }
    if size < data.len() {
        return Err(LinuxError::ERANGE);
    }
    write_all(p, out, data)?;
    Ok(data.len())
}

/// `getxattr(path, name, value, size)`.
#[syscall]
pub fn sys_getxattr(
    p: &mut Process,
    path: &CStr,
    #[cstr(max = 255, err = ERANGE)] name: &CStr,
    #[len = size] mut value: UserWriter,
    size: usize,
) -> LinuxResult<usize> {
    let name = xattr_name(name)?;
    let data = xattr_node(p, path)?
        .borrow()
        .xattrs
        .get(&name)
        .cloned()
        .ok_or(LinuxError::ENODATA)?;
    xattr_out(p, &mut value, size, &data)
}

/// `listxattr(path, list, size)`: the names, each with its NUL.
#[syscall]
pub fn sys_listxattr(
    p: &mut Process,
    path: &CStr,
    #[len = size] mut list: UserWriter,
    size: usize,
) -> LinuxResult<usize> {
    let names: Vec<u8> = xattr_node(p, path)?
        .borrow()
        .xattrs
        .keys()
        .flat_map(|name| name.iter().copied().chain([0]))
        .collect();
    xattr_out(p, &mut list, size, &names)
}

/// `removexattr(path, name)`.
#[syscall]
pub fn sys_removexattr(
    p: &mut Process,
    path: &CStr,
    #[cstr(max = 255, err = ERANGE)] name: &CStr,
) -> LinuxResult<()> {
    let name = xattr_name(name)?;
    xattr_node(p, path)?
        .borrow_mut()
        .xattrs
        .remove(&name)
        .map(drop)
        .ok_or(LinuxError::ENODATA)
}
