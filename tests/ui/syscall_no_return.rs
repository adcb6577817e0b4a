use axptr::syscall;

#[syscall]
fn sys_sync(fd: i32) {
    let _ = fd;
}

fn main() {}
