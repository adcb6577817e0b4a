use axptr::{LinuxResult, UserCopy, UserPtr, syscall};

#[syscall]
fn sys_get<T: UserCopy>(ptr: UserPtr<T>) -> LinuxResult<()> {
    let _ = ptr;
    Ok(())
}

#[syscall]
fn sys_array<const N: usize>(ptr: UserPtr<[u8; N]>) -> LinuxResult<()> {
    let _ = ptr;
    Ok(())
}

#[syscall]
fn sys_borrow<'a>(path: &'a core::ffi::CStr) -> LinuxResult<()> {
    let _ = path;
    Ok(())
}

fn main() {}
