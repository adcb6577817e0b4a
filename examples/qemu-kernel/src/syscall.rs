//! The syscalls, written against axptr: `#[syscall]` handlers taking typed
//! user pointers, kernel copies of strings and buffers, and integers, in a
//! dispatch table. Bad pointers come back as errnos before or from the body.

use core::{ffi::CStr, mem::size_of};

use axptr::{
    AddrSpaceProvider, LinuxError, LinuxResult, MappingFlags, UserConstPtr, UserCopy, UserPtr,
    syscall,
    syscall::{SyscallEvent, SyscallTable},
    syscall_table,
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

/// The syscalls of this kernel, by number; any other number is `ENOSYS`.
static SYSCALLS: SyscallTable<CurrentSpace> = syscall_table! {
    CurrentSpace;
    SYS_GETCWD => sys_getcwd,
    SYS_OPENAT => sys_openat,
    SYS_WRITE => sys_write,
    SYS_FSTAT => sys_fstat,
    SYS_NANOSLEEP => sys_nanosleep,
    SYS_REPORT => sys_report,
    SYS_UNMAP_RACE => sys_unmap_race,
};

/// Runs syscall `nr` with the six argument registers; returns the value for
/// `a0` (`-errno` on error). With `strace`, prints each call with its
/// decoded arguments and result.
pub fn dispatch(nr: usize, args: [usize; 6], strace: bool) -> isize {
    if strace {
        let mut print = |event: &SyscallEvent<'_>| println!("[strace] {event}");
        SYSCALLS.dispatch_traced(&mut CurrentSpace, nr, args, &mut print)
    } else {
        SYSCALLS.dispatch(&mut CurrentSpace, nr, args)
    }
}

/// Prints the buffer through a small kernel copy, a chunk at a time: each
/// copy runs in an access window, where `SUM` is set (this kernel keeps it
/// clear otherwise) and the fault flag lets a lazy page be faulted in.
#[syscall]
fn sys_write(
    aspace: &mut CurrentSpace,
    fd: i32,
    buf: UserConstPtr<u8>,
    count: usize,
) -> LinuxResult<usize> {
    if fd != 1 && fd != 2 {
        return Err(LinuxError::EBADF);
    }
    // The whole buffer first, so that a bad one prints nothing; then
    // copies a chunk at a time (no reference into user memory).
    axptr::check_region(aspace, buf.addr(), count, MappingFlags::READ)?;
    let mut chunk = [0u8; 128];
    let mut reader = buf.reader(count);
    while !reader.is_empty() {
        let n = reader.read(aspace, &mut chunk)?;
        crate::console::put_bytes(&chunk[..n]);
        if n == 0 {
            break;
        }
    }
    Ok(reader.transferred())
}

/// Writes only the string, as Linux does (not the whole `size` bytes).
#[syscall]
fn sys_getcwd(aspace: &mut CurrentSpace, buf: UserPtr<u8>, size: usize) -> LinuxResult<usize> {
    const CWD: &[u8] = b"/home/axptr\0";
    if size < CWD.len() {
        return Err(LinuxError::ERANGE);
    }
    buf.write_slice(aspace, CWD)?;
    Ok(CWD.len())
}

#[syscall]
fn sys_openat(dirfd: i32, path: &CStr, flags: u32, mode: u32) -> LinuxResult<i32> {
    const AT_FDCWD: i32 = -100;
    if dirfd != AT_FDCWD || flags != 0 || mode != 0 {
        return Err(LinuxError::EINVAL);
    }
    // One file exists.
    if path == c"/etc/passwd" {
        Ok(3)
    } else {
        Err(LinuxError::ENOENT)
    }
}

#[syscall]
fn sys_fstat(aspace: &mut CurrentSpace, fd: i32, statbuf: UserPtr<Stat>) -> LinuxResult<()> {
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
    statbuf.write(aspace, stat)
}

#[syscall]
fn sys_nanosleep(
    aspace: &mut CurrentSpace,
    req: UserConstPtr<Timespec>,
    _rem: Option<UserPtr<Timespec>>,
) -> LinuxResult<()> {
    let req = req.read(aspace)?;
    if req.tv_sec < 0 || !(0..1_000_000_000).contains(&req.tv_nsec) {
        return Err(LinuxError::EINVAL);
    }
    // No timer in this kernel: a valid request returns at once.
    Ok(())
}

/// Prints `label: value`, the value as an errno name if it is one.
#[syscall]
fn sys_report(label: &CStr, value: isize) -> LinuxResult<()> {
    let label = label.to_str().map_err(|_| LinuxError::EILSEQ)?;
    match errno_of(value) {
        Some(err) => println!("{label}: {err:?}"),
        None => println!("{label}: {value}"),
    }
    Ok(())
}

#[syscall]
fn sys_unmap_race(aspace: &mut CurrentSpace, #[trace(hex)] addr: usize) -> LinuxResult<()> {
    aspace.with_addr_space(|space| space.unmap_after_next_check(addr))
}

/// The errno a syscall result stands for, if it is one.
fn errno_of(value: isize) -> Option<LinuxError> {
    if (-4095..0).contains(&value) {
        LinuxError::try_from(-value as i32).ok()
    } else {
        None
    }
}
