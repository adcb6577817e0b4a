use axptr::{LinuxResult, syscall};

#[syscall]
fn sys_write(fd: i32, buf: &[u8], count: usize) -> LinuxResult<isize> {
    let _ = (fd, buf, count);
    Ok(0)
}

#[syscall]
fn sys_read(fd: i32, buf: &mut [u8], count: usize) -> LinuxResult<isize> {
    let _ = (fd, buf, count);
    Ok(0)
}

fn main() {}
