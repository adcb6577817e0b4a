use core::ffi::CStr;

use axptr::{LinuxResult, UserCopy, syscall};

#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
struct Timespec {
    sec: i64,
    nsec: i64,
}

/// `#[len]` on a structure (its size register is `#[size]`).
#[syscall]
fn sys_nanosleep(#[len = n] req: &Timespec, n: usize) -> LinuxResult<()> {
    let _ = req;
    Ok(())
}

/// `#[size]` on a slice (a slice counts elements).
#[syscall]
fn sys_write(#[size = n] buf: &[u8], n: usize) -> LinuxResult<usize> {
    Ok(buf.len())
}

/// Both on one pointer.
#[syscall]
fn sys_both(#[len = n] #[size = n] buf: &[u8], n: usize) -> LinuxResult<usize> {
    Ok(buf.len())
}

/// A string ends at its NUL.
#[syscall]
fn sys_open(#[len = n] path: &CStr, n: usize) -> LinuxResult<()> {
    let _ = path;
    Ok(())
}

/// An output structure's size register is `#[size]`.
#[syscall]
fn sys_get(#[len = n] #[out] ts: &mut Timespec, n: usize) -> LinuxResult<()> {
    let _ = ts;
    Ok(())
}

/// The size names a string.
#[syscall]
fn sys_set(#[size = name] ts: &Timespec, name: &CStr) -> LinuxResult<()> {
    let _ = (ts, name);
    Ok(())
}

fn main() {}
