// A length parameter the body does not read is no warning: its slice uses it.
#![deny(warnings)]

use axptr::{LinuxResult, syscall};

#[syscall]
fn sys_write(fd: i32, #[len = count] buf: &[u8], count: usize) -> LinuxResult<usize> {
    let _ = fd;
    Ok(buf.len())
}

fn main() {
    let _ = sys_write;
}
