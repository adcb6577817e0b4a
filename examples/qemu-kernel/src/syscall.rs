//! The syscalls, written against axptr: each takes typed user pointers and
//! returns a `LinuxResult`; bad pointers come back as errnos.

use core::{
    ffi::{CStr, c_char},
    mem::size_of,
};

use axptr::{
    AddrSpaceProvider, LinuxError, LinuxResult, PATH_MAX, UserConstPtr, UserCopy, UserPtr,
};

use crate::{aspace::CurrentSpace, println};

/// `getcwd(buf, size)`.
pub const SYS_GETCWD: usize = 17;
/// `openat(dirfd, path, flags, mode)`.
pub const SYS_OPENAT: usize = 56;
/// `write(fd, buf, count)`.
pub const SYS_WRITE: usize = 64;
/// `fstat(fd, statbuf)`.
pub const SYS_FSTAT: usize = 80;
/// `exit(status)`: handled by the run loop, not dispatched.
pub const SYS_EXIT: usize = 93;
/// `nanosleep(req, rem)`.
pub const SYS_NANOSLEEP: usize = 101;
/// This kernel's own: `report(label, value)` prints `label: value`.
pub const SYS_REPORT: usize = 1000;
/// This kernel's own: `unmap_race(addr)` unmaps the area at `addr` right
/// after the next syscall's validation, as another thread could.
pub const SYS_UNMAP_RACE: usize = 1001;

/// `struct stat` of Linux on riscv64 (asm-generic): its padding is
/// explicit fields, as `#[derive(UserCopy)]` requires.
#[repr(C)]
#[derive(Clone, Copy, Default, UserCopy)]
pub struct Stat {
    st_dev: u64,
    st_ino: u64,
    st_mode: u32,
    st_nlink: u32,
    st_uid: u32,
    st_gid: u32,
    st_rdev: u64,
    pad1: u64,
    st_size: i64,
    st_blksize: i32,
    pad2: i32,
    st_blocks: i64,
    st_atime: i64,
    st_atime_nsec: u64,
    st_mtime: i64,
    st_mtime_nsec: u64,
    st_ctime: i64,
    st_ctime_nsec: u64,
    unused4: u32,
    unused5: u32,
}

const _: () = assert!(size_of::<Stat>() == 128);

/// `struct timespec`.
#[repr(C)]
#[derive(Clone, Copy, UserCopy)]
pub struct Timespec {
    tv_sec: i64,
    tv_nsec: i64,
}

/// Runs syscall `nr` with the six argument registers; returns the value for
/// `a0` (`-errno` on error).
pub fn dispatch(nr: usize, args: [usize; 6]) -> isize {
    let aspace = &mut CurrentSpace;
    let result = match nr {
        SYS_GETCWD => sys_getcwd(aspace, args[0].into(), args[1]),
        SYS_OPENAT => sys_openat(aspace, args[0] as i32, args[1].into(), args[2] as u32),
        SYS_WRITE => sys_write(aspace, args[0] as i32, args[1].into(), args[2]),
        SYS_FSTAT => sys_fstat(aspace, args[0] as i32, args[1].into()),
        SYS_NANOSLEEP => sys_nanosleep(aspace, args[0].into()),
        SYS_REPORT => sys_report(aspace, args[0].into(), args[1] as isize),
        SYS_UNMAP_RACE => sys_unmap_race(aspace, args[0]),
        _ => Err(LinuxError::ENOSYS),
    };
    result.unwrap_or_else(|err| -(err.code() as isize))
}

fn sys_write(
    aspace: &mut CurrentSpace,
    fd: i32,
    buf: UserConstPtr<u8>,
    count: usize,
) -> LinuxResult<isize> {
    if fd != 1 && fd != 2 {
        return Err(LinuxError::EBADF);
    }
    // Copy through a kernel buffer, a chunk at a time; like Linux, report
    // the bytes written before a fault, or the fault if there were none.
    let mut chunk = [0u8; 256];
    let mut done = 0;
    while done < count {
        let len = chunk.len().min(count - done);
        let at = UserConstPtr::<u8>::from(buf.address().as_usize().wrapping_add(done));
        if let Err(err) = at.read_slice(aspace, &mut chunk[..len]) {
            return if done > 0 {
                Ok(done as isize)
            } else {
                Err(err)
            };
        }
        crate::console::put_bytes(&chunk[..len]);
        done += len;
    }
    Ok(done as isize)
}

fn sys_getcwd(aspace: &mut CurrentSpace, buf: UserPtr<u8>, size: usize) -> LinuxResult<isize> {
    const CWD: &[u8] = b"/home/axptr\0";
    if size < CWD.len() {
        return Err(LinuxError::ERANGE);
    }
    buf.write_slice(aspace, CWD)?;
    Ok(CWD.len() as isize)
}

fn sys_openat(
    aspace: &mut CurrentSpace,
    dirfd: i32,
    path: UserConstPtr<c_char>,
    flags: u32,
) -> LinuxResult<isize> {
    const AT_FDCWD: i32 = -100;
    let mut buf = [0u8; PATH_MAX];
    let path = path.read_cstr(aspace, &mut buf)?;
    if dirfd != AT_FDCWD || flags != 0 {
        return Err(LinuxError::EINVAL);
    }
    // One file exists.
    if path == c"/etc/passwd" {
        Ok(3)
    } else {
        Err(LinuxError::ENOENT)
    }
}

fn sys_fstat(aspace: &mut CurrentSpace, fd: i32, statbuf: UserPtr<Stat>) -> LinuxResult<isize> {
    const S_IFCHR: u32 = 0o020000;
    if !(0..=2).contains(&fd) {
        return Err(LinuxError::EBADF);
    }
    let stat = Stat {
        st_ino: fd as u64 + 1,
        st_mode: S_IFCHR | 0o620,
        st_nlink: 1,
        st_blksize: 1024,
        ..Stat::default()
    };
    statbuf.write(aspace, stat)?;
    Ok(0)
}

fn sys_nanosleep(aspace: &mut CurrentSpace, req: UserConstPtr<Timespec>) -> LinuxResult<isize> {
    let req = req.read(aspace)?;
    if req.tv_sec < 0 || !(0..1_000_000_000).contains(&req.tv_nsec) {
        return Err(LinuxError::EINVAL);
    }
    // No timer in this kernel: a valid request returns at once.
    Ok(0)
}

fn sys_report(
    aspace: &mut CurrentSpace,
    label: UserConstPtr<c_char>,
    value: isize,
) -> LinuxResult<isize> {
    let mut buf = [0u8; 128];
    let label: &CStr = label.read_cstr(aspace, &mut buf)?;
    let label = label.to_str().map_err(|_| LinuxError::EILSEQ)?;
    match errno_of(value) {
        Some(err) => println!("{label}: {err:?}"),
        None => println!("{label}: {value}"),
    }
    Ok(0)
}

fn sys_unmap_race(aspace: &mut CurrentSpace, addr: usize) -> LinuxResult<isize> {
    aspace.with_addr_space(|space| space.unmap_after_next_check(addr))?;
    Ok(0)
}

/// The errno a syscall result stands for, if it is one.
fn errno_of(value: isize) -> Option<LinuxError> {
    if (-4095..0).contains(&value) {
        LinuxError::try_from(-value as i32).ok()
    } else {
        None
    }
}
