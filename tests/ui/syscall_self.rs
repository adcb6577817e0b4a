use axptr::{LinuxResult, syscall};

struct Kernel;

impl Kernel {
    #[syscall]
    fn sys_getpid(&self) -> LinuxResult<i32> {
        Ok(1)
    }
}

fn main() {}
