//! Every argument kind, context form and result type compiles, and the
//! entries run.

use core::ffi::CStr;

use axptr::{
    AddrSpaceProvider, LinuxResult, Syscall, SyscallArg, SyscallTable, UserConstPtr, UserPtr,
    syscall, syscall_table, testing::HeapSpace,
};

struct Fd(i32);

impl<C: ?Sized> SyscallArg<C> for Fd {
    fn from_syscall_arg(_: &mut C, raw: usize) -> LinuxResult<Self> {
        Ok(Fd(raw as i32))
    }
}

#[syscall]
fn sys_ints(a: i8, b: u8, c: i16, d: u16, e: i32, f: u32) -> LinuxResult<isize> {
    Ok(a as isize + b as isize + c as isize + d as isize + e as isize + f as isize)
}

#[syscall]
fn sys_wide(a: i64, b: u64, c: isize, d: usize) -> LinuxResult<usize> {
    Ok((a as usize) ^ (b as usize) ^ (c as usize) ^ d)
}

#[syscall]
fn sys_pointers(
    a: UserPtr<u32>,
    b: UserConstPtr<[u8; 16]>,
    c: Option<UserPtr<u64>>,
    d: Option<UserConstPtr<UserConstPtr<u8>>>,
) -> LinuxResult<i32> {
    let _ = (a, b, c, d);
    Ok(0)
}

#[syscall]
fn sys_strings(path: &CStr, other: Option<&CStr>) -> LinuxResult<u32> {
    let _ = (path, other);
    Ok(0)
}

#[syscall]
fn sys_slices(
    #[len = n] input: &[u32],
    #[len = n] output: &mut [u32],
    #[len = m]
    #[inout]
    both: &mut [[u8; 3]],
    n: usize,
    m: i32,
) -> LinuxResult<()> {
    let _ = (input, output, both, n, m);
    Ok(())
}

#[syscall]
fn sys_custom(k: &mut HeapSpace, fd: Fd, #[trace(oct)] perm: u32) -> LinuxResult<()> {
    let _ = (k, fd.0, perm);
    Ok(())
}

#[syscall]
fn sys_generic<P: AddrSpaceProvider + ?Sized>(p: &mut P, path: &CStr) -> LinuxResult<()>
where
    P: Sized,
{
    let _ = (p, path);
    Ok(())
}

#[syscall]
fn sys_impl(p: &mut impl AddrSpaceProvider, ptr: UserConstPtr<u8>) -> LinuxResult<u32> {
    ptr.read(p).map(u32::from)
}

#[syscall(name = "renamed")]
pub fn sys_named(_: u32, Fd(fd): Fd) -> LinuxResult<()>
where
    Fd: Sized,
{
    let _ = fd;
    Ok(())
}

impl<C: ?Sized> SyscallArg<C> for Pair {
    fn from_syscall_arg(_: &mut C, raw: usize) -> LinuxResult<Self> {
        Ok(Pair(raw as u32, 0))
    }
}

struct Pair(u32, u32);

#[syscall]
fn sys_pattern(Pair(a, b): Pair, _: i32) -> LinuxResult<()> {
    let _ = (a, b);
    Ok(())
}

#[syscall]
fn sys_transfers(
    #[len = n] input: axptr::UserReader,
    #[len = n] output: axptr::UserWriter,
    n: usize,
    #[len = iovcnt] iov: axptr::iovec::IoVecReader,
    iovcnt: i32,
) -> LinuxResult<usize> {
    Ok(input.remaining() + output.remaining() + iov.remaining())
}

#[syscall]
fn sys_signals(
    set: Option<&axptr::syscall::SigSet>,
    #[out] old: Option<&mut axptr::syscall::SigSet>,
    #[size = size] wait: Option<&axptr::syscall::SigSet>,
    size: usize,
    _sigsetsize: axptr::syscall::SigSetSize,
) -> LinuxResult<()> {
    let _ = (set, old, wait);
    Ok(())
}

#[syscall]
fn sys_exec(path: &CStr, argv: &[std::ffi::CString], envp: &[std::ffi::CString]) -> LinuxResult<()> {
    let _ = (path, argv, envp);
    Ok(())
}

static SYSCALLS: SyscallTable<HeapSpace> = syscall_table! {
    HeapSpace;
    0 => sys_ints,
    1 => sys_wide,
    2 => sys_pointers,
    3 => sys_strings,
    4 => sys_slices,
    5 => sys_custom,
    6 => sys_generic,
    7 => sys_impl,
    9 => sys_pattern,
    10 => sys_transfers,
    11 => sys_signals,
    12 => sys_exec,
};

fn main() {
    let mut space = HeapSpace::new(1);
    assert_eq!(SYSCALLS.dispatch(&mut space, 0, [1, 2, 3, 4, 5, 6]), 21);
    assert_eq!(SYSCALLS.dispatch(&mut space, 8, [0; 6]), -38);
    assert_eq!(SYSCALLS.dispatch(&mut space, 10, [0, 0, 0, 0, 0, 0]), 0);
    assert_eq!(SYSCALLS.dispatch(&mut space, 11, [0, 0, 0, 0, 8, 0]), 0);
    assert_eq!(SYSCALLS.dispatch(&mut space, 11, [0, 0, 0, 0, 4, 0]), -22);
    assert_eq!(SYSCALLS.dispatch(&mut space, 12, [0; 6]), -14);
    assert_eq!(<sys_named as Syscall<HeapSpace>>::NAME, "renamed");
}
