//! Dispatch tables built by `syscall_table!`: O(1) lookup, `-ENOSYS` for
//! every number without a handler, tracing through the table.

mod common;

use core::ffi::CStr;

use axptr::{
    AddrSpaceProvider, LinuxError, LinuxResult, SyscallEvent, SyscallTable, syscall, syscall_table,
    testing::HeapSpace,
};
use common::kernel::{Kernel, call, errno, kernel, regs};

#[syscall]
fn sys_getpid() -> LinuxResult<i32> {
    Ok(42)
}

#[syscall]
fn sys_write(
    k: &mut Kernel,
    fd: i32,
    #[len = count] buf: &[u8],
    count: usize,
) -> LinuxResult<usize> {
    k.ran.push(format!("write {fd} {count}"));
    Ok(buf.len())
}

#[syscall]
fn sys_chdir<P: AddrSpaceProvider>(_ctx: &mut P, path: &CStr) -> LinuxResult<()> {
    if path.to_bytes().starts_with(b"/") {
        Ok(())
    } else {
        Err(LinuxError::ENOENT)
    }
}

mod fs {
    use axptr::{LinuxError, LinuxResult, syscall};

    use super::Kernel;

    #[syscall]
    pub fn sys_close(k: &mut Kernel, fd: i32) -> LinuxResult<()> {
        k.ran.push(format!("close {fd}"));
        if fd < 0 {
            Err(LinuxError::EBADF)
        } else {
            Ok(())
        }
    }
}

const SYS_WRITE: usize = 64;

static SYSCALLS: SyscallTable<Kernel> = syscall_table! {
    Kernel;
    49 => sys_chdir,
    57 => fs::sys_close,
    SYS_WRITE => sys_write,
    172 => sys_getpid,
};

fn enosys() -> isize {
    errno(LinuxError::ENOSYS)
}

#[test]
fn known_numbers_reach_their_entries() {
    let (mut k, p) = kernel();
    k.space.poke(p.rw, b"/tmp\0");
    assert_eq!(SYSCALLS.dispatch(&mut k, 172, [0; 6]), 42);
    assert_eq!(SYSCALLS.dispatch(&mut k, 64, regs(&[1, p.rw, 4])), 4);
    assert_eq!(SYSCALLS.dispatch(&mut k, 57, regs(&[3])), 0);
    assert_eq!(
        SYSCALLS.dispatch(&mut k, 57, regs(&[usize::MAX])),
        errno(LinuxError::EBADF)
    );
    assert_eq!(SYSCALLS.dispatch(&mut k, 49, regs(&[p.rw])), 0);
    assert_eq!(
        SYSCALLS.dispatch(&mut k, 49, regs(&[p.hole])),
        errno(LinuxError::EFAULT)
    );
    assert_eq!(k.ran, ["write 1 4", "close 3", "close -1"]);
}

#[test]
fn unknown_numbers_are_enosys() {
    let (mut k, _) = kernel();
    assert_eq!(SYSCALLS.len(), 173);
    for number in [
        0,
        1,
        48,
        50,
        63,
        65,
        171,
        173,
        174,
        4096,
        1 << 40,
        usize::MAX,
    ] {
        assert_eq!(
            SYSCALLS.dispatch(&mut k, number, [1; 6]),
            enosys(),
            "number {number}"
        );
        assert!(SYSCALLS.get(number).is_none());
    }
    assert!(k.ran.is_empty());
}

#[test]
fn entries_are_named() {
    assert_eq!(SYSCALLS.get(57).map(|desc| desc.name), Some("close"));
    assert_eq!(SYSCALLS.get(SYS_WRITE).map(|desc| desc.name), Some("write"));
    assert_eq!(
        format!("{SYSCALLS:?}"),
        r#"{49: "chdir", 57: "close", 64: "write", 172: "getpid"}"#
    );
}

#[test]
fn traced_dispatch_adds_numbers_and_reports_unknown_calls() {
    let (mut k, p) = kernel();
    k.space.poke(p.rw, b"ok");
    let mut lines = Vec::new();
    let mut numbers = Vec::new();
    let mut tracer = |event: &SyscallEvent<'_>| {
        numbers.push(event.number());
        lines.push(event.to_string());
    };
    let ret = SYSCALLS.dispatch_traced(&mut k, 64, regs(&[1, p.rw, 2]), &mut tracer);
    assert_eq!(ret, 2);
    let ret = SYSCALLS.dispatch_traced(&mut k, 999, [1, 2, 3, 4, 5, 0xff], &mut tracer);
    assert_eq!(ret, enosys());
    let ret = SYSCALLS.dispatch_traced(&mut k, 57, regs(&[usize::MAX]), &mut tracer);
    assert_eq!(ret, errno(LinuxError::EBADF));
    assert_eq!(
        lines,
        [
            r#"write(1, "ok", 2) = 2"#,
            "syscall_999(0x1, 0x2, 0x3, 0x4, 0x5, 0xff) = -38 ENOSYS",
            "close(-1) = -9 EBADF",
        ]
    );
    assert_eq!(numbers, [Some(64), Some(999), Some(57)]);
}

#[test]
fn tables_can_be_local_and_empty() {
    let (mut k, _) = kernel();
    let local = syscall_table! { Kernel; 3 => fs::sys_close };
    assert_eq!(local.len(), 4);
    assert_eq!(local.dispatch(&mut k, 3, [7; 6]), 0);
    assert_eq!(local.dispatch(&mut k, 2, [7; 6]), enosys());

    let empty: SyscallTable<Kernel> = syscall_table! { Kernel; };
    assert!(empty.is_empty());
    assert_eq!(empty.dispatch(&mut k, 0, [0; 6]), enosys());
    assert_eq!(k.ran, ["close 7"]);
}

#[test]
fn generic_handlers_serve_tables_of_any_context() {
    static BARE: SyscallTable<HeapSpace> = syscall_table! {
        HeapSpace;
        0 => sys_getpid,
        1 => sys_chdir,
    };
    let mut space = HeapSpace::new(1);
    assert_eq!(BARE.dispatch(&mut space, 0, [0; 6]), 42);
    assert_eq!(
        BARE.dispatch(&mut space, 1, [0; 6]),
        errno(LinuxError::EFAULT)
    );
    let (mut k, _) = kernel();
    assert_eq!(call::<sys_getpid>(&mut k, &[]), 42);
}
