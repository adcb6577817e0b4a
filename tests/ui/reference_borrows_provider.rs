//! A reference lent by the reference API borrows the provider mutably:
//! while it lives, nothing else reaches user memory through that provider.
//! Two `&mut` to the same user memory, a shared and a mutable one, or a
//! copy from lent memory into (possibly overlapping) user memory do not
//! compile.

use axptr::{AddrSpaceProvider, LinuxResult, UserConstPtr, UserPtr, syscall, testing::HeapSpace};

fn two_mutable(space: &mut HeapSpace, a: UserPtr<u32>, b: UserPtr<u32>) -> LinuxResult<()> {
    let x = a.get(space)?;
    let y = b.get(space)?;
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
    let src = src.get(p)?;
    let dst = dst.get(p)?;
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
    dst.write_slice(p, src.get_as_slice(p, len)?)
}

fn main() {}
