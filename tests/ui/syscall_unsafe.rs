use axptr::{LinuxResult, syscall};

#[syscall]
unsafe fn sys_reboot(magic: u32) -> LinuxResult<()> {
    let _ = magic;
    Ok(())
}

fn main() {}
