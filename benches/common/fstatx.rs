//! The `#[syscall]` of the entry-cost comparisons (criterion's `syscall`
//! bench and the instruction counts): `fstatx(fd, buf, flags)` writing a
//! 64-byte struct, its generated entry, the same unpacking written by
//! hand, and a dispatch table holding it.

use axptr::{LinuxResult, SyscallTable, UserPtr, syscall, syscall_table, testing::HeapSpace};

use super::Stat64;

/// The handler: fills a `stat` from its arguments.
#[syscall]
pub fn sys_fstatx(
    space: &mut HeapSpace,
    fd: i32,
    buf: UserPtr<Stat64>,
    flags: u32,
) -> LinuxResult<isize> {
    let stat = Stat64 {
        dev: 8,
        ino: u64::from(fd.unsigned_abs()),
        mode: flags,
        nlink: 1,
        size: 4096,
        ..Stat64::default()
    };
    buf.write(space, stat)?;
    Ok(0)
}

/// What a kernel writes without the macro: unpack the registers (Linux
/// truncation for the `int`s), call the body, turn the result into the
/// result register.
pub fn fstatx_by_hand(space: &mut HeapSpace, regs: [usize; 6]) -> isize {
    let fd = regs[0] as u32 as i32;
    let buf = UserPtr::<Stat64>::from(regs[1]);
    let flags = regs[2] as u32;
    match sys_fstatx(space, fd, buf, flags) {
        Ok(ret) => ret,
        Err(err) => -(err.code() as isize),
    }
}

/// The number of `fstatx` in [`SYSCALLS`].
pub const NR_FSTATX: usize = 80;

/// A table holding the handler.
pub static SYSCALLS: SyscallTable<HeapSpace> = syscall_table! {
    HeapSpace;
    NR_FSTATX => sys_fstatx,
};
