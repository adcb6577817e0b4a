use core::ffi::CStr;

use axptr::{LinuxResult, syscall};

#[syscall]
fn sys_no_max(#[cstr(err = EINVAL)] name: &CStr) -> LinuxResult<()> {
    let _ = name;
    Ok(())
}

#[syscall]
fn sys_negative(#[cstr(max = -1)] name: &CStr) -> LinuxResult<()> {
    let _ = name;
    Ok(())
}

#[syscall]
fn sys_typo(#[cstr(maximum = 8)] name: &CStr) -> LinuxResult<()> {
    let _ = name;
    Ok(())
}

#[syscall]
fn sys_not_a_string(#[cstr(max = 8)] fd: i32) -> LinuxResult<()> {
    let _ = fd;
    Ok(())
}

#[syscall]
fn sys_unknown_errno(#[cstr(max = 8, err = ENOPE)] name: &CStr) -> LinuxResult<()> {
    let _ = name;
    Ok(())
}

fn main() {}
