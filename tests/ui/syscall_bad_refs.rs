use core::ffi::CStr;

use axptr::{LinuxResult, syscall};

#[syscall]
fn sys_chdir(path: Option<&str>) -> LinuxResult<()> {
    let _ = path;
    Ok(())
}

#[syscall]
fn sys_rename(dirfd: i32, old: &mut CStr) -> LinuxResult<()> {
    let _ = (dirfd, old);
    Ok(())
}

#[syscall]
fn sys_write(#[len = n] buf: Option<&[u8]>, n: usize) -> LinuxResult<usize> {
    Ok(buf.map_or(0, <[u8]>::len).min(n))
}

#[syscall]
fn sys_any(value: &dyn core::any::Any) -> LinuxResult<()> {
    let _ = value;
    Ok(())
}

#[syscall]
fn sys_twice(value: &&u32) -> LinuxResult<()> {
    let _ = value;
    Ok(())
}

fn main() {}
