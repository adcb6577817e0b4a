//! A reference lent by the (`unsafe`) in-place API borrows the provider
//! mutably: while it lives, nothing else reaches user memory through that
//! provider. Two `&mut` to the same user memory, a shared and a mutable
//! one, or a copy from lent memory into (possibly overlapping) user memory
//! do not compile, even inside `unsafe` blocks.

use axptr::{AddrSpaceProvider, LinuxResult, UserConstPtr, UserPtr, syscall, testing::HeapSpace};

fn two_mutable(space: &mut HeapSpace, a: UserPtr<u32>, b: UserPtr<u32>) -> LinuxResult<()> {
    // SAFETY: single-threaded test space.
    let x = unsafe { a.get(space)? };
    // SAFETY: as above.
    let y = unsafe { b.get(space)? };
    *x = 1;
    *y = 2;
    Ok(())
}

#[syscall]
fn sys_shared_and_mutable<P: AddrSpaceProvider>(
    p: &mut P,
    dst: UserPtr<u32>,
    src: UserConstPtr<u32>,
) -> LinuxResult<()> {
    // SAFETY: single-threaded test space.
    let src = unsafe { src.get(p)? };
    // SAFETY: as above.
    let dst = unsafe { dst.get(p)? };
    *dst = *src;
    Ok(())
}

#[syscall]
fn sys_copy_from_lent<P: AddrSpaceProvider>(
    p: &mut P,
    dst: UserPtr<u8>,
    src: UserConstPtr<u8>,
    len: usize,
) -> LinuxResult<()> {
    // SAFETY: single-threaded test space.
    dst.write_slice(p, unsafe { src.get_as_slice(p, len)? })
}

fn main() {}
