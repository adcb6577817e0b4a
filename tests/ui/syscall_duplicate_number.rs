use axptr::{LinuxResult, SyscallTable, syscall, syscall_table, testing::HeapSpace};

#[syscall]
fn sys_getpid() -> LinuxResult<i32> {
    Ok(1)
}

#[syscall]
fn sys_getppid() -> LinuxResult<i32> {
    Ok(0)
}

static SYSCALLS: SyscallTable<HeapSpace> = syscall_table! {
    HeapSpace;
    172 => sys_getpid,
    172 => sys_getppid,
};

fn main() {
    let _ = &SYSCALLS;
}
