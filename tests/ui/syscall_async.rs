use axptr::{LinuxResult, syscall};

#[syscall]
async fn sys_sleep(seconds: u32) -> LinuxResult<()> {
    let _ = seconds;
    Ok(())
}

fn main() {}
