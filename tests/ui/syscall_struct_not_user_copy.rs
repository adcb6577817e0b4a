use axptr::{LinuxResult, Syscall, syscall, testing::HeapSpace};

/// Not `#[repr(C)]`, not `UserCopy`.
#[derive(Clone, Copy)]
struct Timespec {
    sec: i64,
    nsec: i64,
}

#[syscall]
fn sys_nanosleep(req: &Timespec) -> LinuxResult<()> {
    let _ = (req.sec, req.nsec);
    Ok(())
}

#[syscall]
fn sys_isatty(#[out] yes: &mut bool) -> LinuxResult<()> {
    *yes = true;
    Ok(())
}

fn main() {
    let mut space = HeapSpace::new(1);
    let _ = <sys_nanosleep as Syscall<HeapSpace>>::call(&mut space, [0; 6]);
    let _ = <sys_isatty as Syscall<HeapSpace>>::call(&mut space, [0; 6]);
}
