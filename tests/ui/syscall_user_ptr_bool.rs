use axptr::{LinuxResult, UserPtr, syscall, testing::HeapSpace};

#[syscall]
fn sys_set_flag(flag: UserPtr<bool>) -> LinuxResult<()> {
    let _ = flag;
    Ok(())
}

fn read_flag(space: &mut HeapSpace, flag: UserPtr<bool>) -> LinuxResult<bool> {
    flag.read(space)
}

fn main() {}
