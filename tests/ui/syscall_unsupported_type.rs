use core::ffi::CStr;

use axptr::{LinuxResult, UserPtr, syscall};

#[syscall]
fn sys_flag(enable: bool) -> LinuxResult<()> {
    let _ = enable;
    Ok(())
}

#[syscall]
fn sys_pair(pair: (u32, u32)) -> LinuxResult<()> {
    let _ = pair;
    Ok(())
}

#[syscall]
fn sys_stat(path: &CStr, statbuf: &dyn core::any::Any) -> LinuxResult<()> {
    let _ = (path, statbuf);
    Ok(())
}

#[syscall]
fn sys_chdir(path: &str) -> LinuxResult<()> {
    let _ = path;
    Ok(())
}

#[syscall]
fn sys_time(fd: i32, out: &mut u64) -> LinuxResult<()> {
    let _ = (fd, out);
    Ok(())
}

#[syscall]
fn sys_any(arg: impl Copy) -> LinuxResult<()> {
    let _ = arg;
    Ok(())
}

#[syscall]
fn sys_u128(wide: u128, ok: UserPtr<u8>) -> LinuxResult<()> {
    let _ = (wide, ok);
    Ok(())
}

fn main() {}
