use core::ffi::CStr;

use axptr::{LinuxResult, UserPtr, syscall};

struct Kernel;

/// The length names no parameter.
#[syscall]
fn sys_write(fd: i32, #[len = size] buf: &[u8], count: usize) -> LinuxResult<isize> {
    let _ = (fd, buf, count);
    Ok(0)
}

/// The length names a string, and another names the slice itself.
#[syscall]
fn sys_getcwd(
    #[len = path] buf: &mut [u8],
    path: &CStr,
    #[len = other] other: &[u8],
) -> LinuxResult<isize> {
    let _ = (buf, path, other);
    Ok(0)
}

/// The length names the context.
#[syscall]
fn sys_read(k: &mut Kernel, #[len = k] buf: &mut [u8], count: usize) -> LinuxResult<isize> {
    let _ = (k, buf, count);
    Ok(0)
}

/// `#[len]` on something that is not a slice.
#[syscall]
fn sys_close(#[len = fd] fd: i32, out: UserPtr<u8>) -> LinuxResult<()> {
    let _ = (fd, out);
    Ok(())
}

/// The length is not an integer.
#[syscall]
fn sys_send(#[len = count] buf: &[u8], count: UserPtr<u8>) -> LinuxResult<isize> {
    let _ = (buf, count);
    Ok(0)
}

fn main() {}
