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
}
