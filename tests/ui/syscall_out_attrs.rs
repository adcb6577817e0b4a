use axptr::{LinuxResult, UserCopy, syscall};

#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
struct Stat {
    size: u64,
}

/// A `&mut T` that says neither `#[out]` nor `#[inout]`.
#[syscall]
fn sys_fstat(fd: i32, statbuf: &mut Stat) -> LinuxResult<()> {
    let _ = (fd, statbuf);
    Ok(())
}

/// `#[out]` on an input, on a slice, and together with `#[inout]`.
#[syscall]
fn sys_settime(#[out] ts: &Stat) -> LinuxResult<()> {
    let _ = ts;
    Ok(())
}

#[syscall]
fn sys_read(#[len = n] #[out] buf: &mut [u8], n: usize) -> LinuxResult<usize> {
    Ok(buf.len().min(n))
}

#[syscall]
fn sys_both(#[out] #[inout] len: &mut u32) -> LinuxResult<()> {
    let _ = len;
    Ok(())
}

/// `#[inout]` on a value.
#[syscall]
fn sys_value(#[inout] len: u32) -> LinuxResult<()> {
    let _ = len;
    Ok(())
}

fn main() {}
