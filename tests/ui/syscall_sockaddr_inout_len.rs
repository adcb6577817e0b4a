use axptr::{
    LinuxResult, syscall,
    syscall::{SockAddrOut, SockLenPtr},
};

/// Half converted from `#[inout] addrlen: &mut u32`: `#[len]` names a
/// length copied in and out, not the length pointer.
#[syscall]
fn sys_getsockname(
    fd: i32,
    #[len = addrlen] addr: &mut SockAddrOut,
    #[inout] addrlen: &mut u32,
) -> LinuxResult<()> {
    let _ = fd;
    addr.set(b"\x01\x00")?;
    *addrlen = 2;
    Ok(())
}

/// The length pointer without its buffer's `#[len]`: nothing pairs them.
#[syscall]
fn sys_getpeername(fd: i32, addr: &mut SockAddrOut, addrlen: SockLenPtr) -> LinuxResult<()> {
    let _ = (fd, addrlen);
    addr.set(b"\x01\x00")
}

fn main() {}
