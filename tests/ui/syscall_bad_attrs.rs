use axptr::{LinuxResult, syscall};

#[syscall(nmae = "typo")]
fn sys_one() -> LinuxResult<()> {
    Ok(())
}

#[syscall]
fn sys_write(#[len(count)] buf: &[u8], count: usize) -> LinuxResult<isize> {
    let _ = (buf, count);
    Ok(0)
}

#[syscall]
fn sys_send(#[len = count] #[inout] buf: &[u8], count: usize) -> LinuxResult<isize> {
    let _ = (buf, count);
    Ok(0)
}

#[syscall]
fn sys_kill(pid: i32, #[trace(bin)] sig: i32) -> LinuxResult<()> {
    let _ = (pid, sig);
    Ok(())
}

#[syscall]
fn sys_unlink(#[trace(hex)] path: &core::ffi::CStr) -> LinuxResult<()> {
    let _ = path;
    Ok(())
}

fn main() {}
