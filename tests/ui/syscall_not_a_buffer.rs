use axptr::{LinuxResult, UserWriter, syscall, syscall::Extensible};

/// `#[len]` on a type without a pointer-and-length conversion.
#[syscall]
fn sys_close(#[len = n] fd: u32, n: usize) -> LinuxResult<()> {
    let _ = fd;
    Ok(())
}

/// A cursor with `#[size]`, an extensible structure with `#[len]`.
#[syscall]
fn sys_read(#[size = n] buf: UserWriter, n: usize) -> LinuxResult<usize> {
    Ok(buf.remaining())
}

#[syscall]
fn sys_openat2(#[len = n] how: Extensible<[u64; 3]>, n: usize) -> LinuxResult<()> {
    let _ = how;
    Ok(())
}

/// A cursor taken as `&mut`: it has nothing to copy back.
#[syscall]
fn sys_pread(#[len = n] buf: &mut UserWriter, n: usize) -> LinuxResult<usize> {
    Ok(buf.remaining())
}

fn main() {}
