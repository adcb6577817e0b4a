//! The syscalls, written against axptr: `#[syscall]` handlers taking typed
//! user pointers, kernel copies of strings and buffers, and integers, in a
//! dispatch table. Bad pointers come back as errnos before or from the body.
//!
//! `exit`, `exit_group` and `clone` act on the calling thread's context:
//! the run loop ([`crate::task`]) serves them.

use core::{ffi::CStr, mem::size_of};

use axptr::{
    AddrSpaceProvider, LinuxError, LinuxResult, MappingFlags, UserConstPtr, UserCopy, UserPtr,
    syscall,
    syscall::{SyscallEvent, SyscallTable},
    syscall_table,
};
use axptr_qemu_abi::{futex, map, nr, prot};

use crate::{aspace::CurrentSpace, println};

/// The files of this kernel: each has one fixed descriptor, which every
/// `openat` of it returns.
const FD_PASSWD: i32 = 3;
const FD_NULL: i32 = 4;
const FD_ZERO: i32 = 5;

/// `struct stat` of Linux on riscv64 and aarch64 (asm-generic, this kernel's
/// ABI on x86_64 too): its padding
/// is explicit fields, as `#[derive(UserCopy)]` requires.
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
    nr::GETCWD => sys_getcwd,
    nr::OPENAT => sys_openat,
    nr::READ => sys_read,
    nr::WRITE => sys_write,
    nr::FSTAT => sys_fstat,
    nr::FUTEX => sys_futex,
    nr::NANOSLEEP => sys_nanosleep,
    nr::MUNMAP => sys_munmap,
    nr::MMAP => sys_mmap,
    nr::MPROTECT => sys_mprotect,
    nr::REPORT => sys_report,
    nr::UNMAP_RACE => sys_unmap_race,
};

/// Runs syscall `nr` with the six argument registers; returns the value for
/// the result register (`-errno` on error). With `strace`, prints the call
/// with its decoded arguments and result.
pub fn dispatch(nr: usize, args: [usize; 6], strace: bool) -> isize {
    if strace {
        let mut print = |event: &SyscallEvent<'_>| println!("[strace] {event}");
        SYSCALLS.dispatch_traced(&mut CurrentSpace, nr, args, &mut print)
    } else {
        SYSCALLS.dispatch(&mut CurrentSpace, nr, args)
    }
}

/// Bytes moved per transfer of a `read` or `write`: a kernel buffer's
/// worth.
const CHUNK: usize = 4096;

/// Prints the buffer, or reads it for `/dev/null`, through a kernel copy a
/// chunk at a time, with a [`UserReader`](axptr::UserReader): never a
/// reference into user memory, which another thread could change or unmap
/// meanwhile. The console checks the whole buffer first, so that a bad one
/// prints nothing (as Linux's tty does); `/dev/null`, which here reads what
/// it is given (Linux's does not look at it), stops short at a fault after
/// the first bytes, as a file would.
#[syscall]
fn sys_write(
    aspace: &mut CurrentSpace,
    fd: i32,
    buf: UserConstPtr<u8>,
    count: usize,
) -> LinuxResult<usize> {
    let sink: fn(&[u8]) = match fd {
        1 | 2 => {
            axptr::check_region(aspace, buf.addr(), count, MappingFlags::READ)?;
            crate::console::put_bytes
        }
        FD_NULL => |_| {},
        _ => return Err(LinuxError::EBADF),
    };
    let mut chunk = [0u8; CHUNK];
    let mut reader = buf.reader(count);
    reader.access_ok(aspace)?;
    while !reader.is_empty() {
        let n = reader.read(aspace, &mut chunk)?;
        sink(&chunk[..n]);
        if n == 0 {
            break;
        }
    }
    Ok(reader.transferred())
}

/// Only `/dev/zero` can be read: zeros through a
/// [`UserWriter`](axptr::UserWriter), short at a fault after the first
/// bytes, `EFAULT` if none could be written (Linux's `read_zero`).
#[syscall]
fn sys_read(
    aspace: &mut CurrentSpace,
    fd: i32,
    buf: UserPtr<u8>,
    count: usize,
) -> LinuxResult<usize> {
    static ZEROS: [u8; CHUNK] = [0; CHUNK];
    if fd != FD_ZERO {
        return Err(LinuxError::EBADF);
    }
    let mut writer = buf.writer(count);
    writer.access_ok(aspace)?;
    while !writer.is_empty() {
        let want = writer.remaining().min(CHUNK);
        if writer.write(aspace, &ZEROS[..want])? < want {
            break;
        }
    }
    Ok(writer.transferred())
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
    const O_ACCMODE: u32 = 3;
    if dirfd != AT_FDCWD || flags & !O_ACCMODE != 0 || mode != 0 {
        return Err(LinuxError::EINVAL);
    }
    match path.to_bytes() {
        b"/etc/passwd" => Ok(FD_PASSWD),
        b"/dev/null" => Ok(FD_NULL),
        b"/dev/zero" => Ok(FD_ZERO),
        _ => Err(LinuxError::ENOENT),
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

/// `FUTEX_WAIT` and `FUTEX_WAKE` (see [`crate::futex`]); other operations
/// are `ENOSYS`, as in Linux for an unknown operation.
#[syscall]
fn sys_futex(
    aspace: &mut CurrentSpace,
    uaddr: UserConstPtr<u32>,
    op: i32,
    val: u32,
    timeout: usize,
    _uaddr2: usize,
    _val3: u32,
) -> LinuxResult<usize> {
    const FUTEX_WAIT: i32 = futex::WAIT as i32;
    const FUTEX_WAKE: i32 = futex::WAKE as i32;
    match op & !(futex::PRIVATE_FLAG as i32) {
        // No timer: a wait with a timeout cannot be honoured.
        FUTEX_WAIT if timeout != 0 => Err(LinuxError::EINVAL),
        FUTEX_WAIT => crate::futex::wait(aspace, uaddr, val).map(|()| 0),
        FUTEX_WAKE => crate::futex::wake(uaddr, val),
        _ => Err(LinuxError::ENOSYS),
    }
}

/// `PROT_*` as mapping flags; `EINVAL` for unknown bits.
fn prot_flags(prot: u32) -> LinuxResult<MappingFlags> {
    let prot = prot as usize;
    if prot & !(prot::READ | prot::WRITE | prot::EXEC) != 0 {
        return Err(LinuxError::EINVAL);
    }
    let mut flags = MappingFlags::empty();
    for (bit, flag) in [
        (prot::READ, MappingFlags::READ),
        (prot::WRITE, MappingFlags::WRITE),
        (prot::EXEC, MappingFlags::EXECUTE),
    ] {
        if prot & bit != 0 {
            flags |= flag;
        }
    }
    Ok(flags)
}

/// Anonymous private mappings only.
#[syscall]
fn sys_mmap(
    aspace: &mut CurrentSpace,
    #[trace(hex)] addr: usize,
    len: usize,
    #[trace(hex)] prot: u32,
    #[trace(hex)] flags: u32,
    fd: i32,
    offset: usize,
) -> LinuxResult<usize> {
    let flags = flags as usize;
    let fixed = flags & map::FIXED != 0;
    if flags & !map::FIXED != map::PRIVATE | map::ANONYMOUS || fd != -1 || offset != 0 {
        return Err(LinuxError::EINVAL);
    }
    let prot = prot_flags(prot)?;
    aspace.with_addr_space(|space| space.mmap(addr, len, prot, fixed))
}

#[syscall]
fn sys_munmap(aspace: &mut CurrentSpace, #[trace(hex)] addr: usize, len: usize) -> LinuxResult<()> {
    aspace.with_addr_space(|space| space.munmap(addr, len))
}

#[syscall]
fn sys_mprotect(
    aspace: &mut CurrentSpace,
    #[trace(hex)] addr: usize,
    len: usize,
    #[trace(hex)] prot: u32,
) -> LinuxResult<()> {
    let prot = prot_flags(prot)?;
    aspace.with_addr_space(|space| space.mprotect(addr, len, prot))
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
