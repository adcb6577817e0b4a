use axptr::{LinuxResult, syscall};

#[syscall]
fn sys_getpid() -> isize {
    1
}

#[syscall]
fn sys_isatty(fd: i32) -> LinuxResult<bool> {
    Ok(fd == 0)
}

#[syscall]
fn sys_time() -> LinuxResult<impl Copy> {
    Ok(0)
}

#[syscall]
fn sys_uptime() -> impl Sized {
    0
}

fn main() {}
