//! The expansion names everything by absolute path: it works with the
//! crate under another name, in a `#![no_implicit_prelude]` module, beside
//! user items named like the prelude's, and with parameters named like the
//! entry's own variables.

extern crate axptr as kernel_api;

mod no_prelude {
    #![no_implicit_prelude]

    use ::core::ffi::CStr;

    use ::kernel_api::{LinuxResult, UserPtr, testing::HeapSpace};

    // Shadow what generated code must not rely on.
    #[allow(dead_code)]
    pub struct Option;
    #[allow(dead_code)]
    pub struct Result;
    #[allow(dead_code)]
    pub struct Ok;
    #[allow(dead_code)]
    pub struct Some;
    #[allow(dead_code)]
    pub struct None;
    #[allow(dead_code)]
    pub struct Vec;
    #[allow(dead_code)]
    pub trait SyscallArg {}

    #[::kernel_api::syscall(crate = ::kernel_api)]
    pub fn sys_hygiene(
        ctx: &mut HeapSpace,
        regs: i32,
        tracer: ::core::option::Option<UserPtr<u8>>,
        result: &CStr,
        #[len = value] entry: &mut [u8],
        value: usize,
    ) -> LinuxResult<()> {
        let _ = (ctx, regs, tracer, result, entry, value);
        ::core::result::Result::Ok(())
    }

    #[::kernel_api::syscall]
    pub fn sys_plain(__axptr: u32) -> LinuxResult<u32> {
        ::core::result::Result::Ok(__axptr)
    }

    #[derive(::core::clone::Clone, ::core::marker::Copy, ::kernel_api::SyscallTrace)]
    #[trace(crate = ::kernel_api)]
    #[repr(C)]
    pub struct Timespec {
        pub sec: i64,
        #[trace(hex)]
        pub nsec: i64,
    }

    // SAFETY: two `i64`s, no padding.
    unsafe impl ::kernel_api::UserCopy for Timespec {}

    /// Every other kind, with names that shadow the entry's own.
    #[::kernel_api::syscall(crate = ::kernel_api)]
    pub fn sys_kinds(
        ctx: &mut HeapSpace,
        #[len = value] render: ::kernel_api::UserWriter,
        value: usize,
        #[out] regs: ::core::option::Option<&mut Timespec>,
        #[inout] tracer: &mut u32,
        #[size = value] result: ::kernel_api::syscall::Extensible<Timespec>,
        #[cstr(max = 8, err = EINVAL)] entry: &CStr,
    ) -> LinuxResult<()> {
        let _ = (ctx, render, value, regs, tracer, result, entry);
        ::core::result::Result::Ok(())
    }

    #[::kernel_api::syscall(crate = ::kernel_api)]
    pub fn sys_more(
        ctx: &mut HeapSpace,
        argv: &[::std::ffi::CString],
        #[len = nfds] fds: ::core::option::Option<&mut ::kernel_api::syscall::FdSet>,
        nfds: i32,
        ts: ::core::option::Option<&Timespec>,
        arg: ::kernel_api::syscall::RawArg,
    ) -> LinuxResult<()> {
        let _ = (ctx, argv, fds, nfds, ts, arg);
        ::core::result::Result::Ok(())
    }

    /// Buffers whose capacity is in user memory, their trace taking the
    /// length parameter's place.
    #[::kernel_api::syscall(crate = ::kernel_api)]
    pub fn sys_sockname(
        ctx: &mut HeapSpace,
        #[len = tracer] regs: &mut ::kernel_api::syscall::SockAddrOut,
        tracer: ::kernel_api::syscall::SockLenPtr,
        #[len = result] value: ::core::option::Option<&mut ::kernel_api::syscall::SockOptOut<4>>,
        result: ::kernel_api::syscall::SockLenPtr,
    ) -> LinuxResult<()> {
        let _ = (ctx, value);
        regs.set(b"\x01\x00")
    }
}

use kernel_api::{Syscall, testing::HeapSpace};

fn main() {
    // A handler local to a function body.
    #[kernel_api::syscall]
    fn sys_local(x: u8) -> kernel_api::LinuxResult<u32> {
        Ok(u32::from(x))
    }

    let mut space = HeapSpace::new(1);
    assert_eq!(<sys_local as Syscall<HeapSpace>>::call(&mut space, [0x1ff, 0, 0, 0, 0, 0]), 0xff);
    assert_eq!(
        <no_prelude::sys_plain as Syscall<HeapSpace>>::call(&mut space, [7, 0, 0, 0, 0, 0]),
        7
    );
    assert_eq!(
        <no_prelude::sys_hygiene as Syscall<HeapSpace>>::call(&mut space, [0; 6]),
        -14
    );
    assert_eq!(
        <no_prelude::sys_kinds as Syscall<HeapSpace>>::call(&mut space, [0; 6]),
        -14
    );
    assert_eq!(
        <no_prelude::sys_more as Syscall<HeapSpace>>::call(&mut space, [0; 6]),
        0
    );
    let mut lines = 0;
    let mut tracer = |_: &kernel_api::SyscallEvent<'_>| lines += 1;
    assert_eq!(
        <no_prelude::sys_sockname as Syscall<HeapSpace>>::entry(
            &mut space,
            [0; 6],
            Some(&mut tracer)
        ),
        -14
    );
    assert_eq!(lines, 1);
}
