//! No safe function lends a Rust reference into user memory: another user
//! thread (or a second provider for the same space) could write or unmap
//! it while the reference lives. Each of these calls needs `unsafe`.

use core::ffi::c_char;

use axptr::{UserConstPtr, UserPtr, sim::SimSpace};

fn main() {
    let space = SimSpace::new(4096).unwrap();
    let (mut first, mut second) = (space.provider(), space.provider());
    let p = UserPtr::<u64>::from(space.base());
    // Two providers, two aliasing `&mut u64`.
    let a = p.get(&mut first).unwrap();
    let b = p.get(&mut second).unwrap();
    *a += *b;
    // A `&str` whose bytes user space can rewrite with invalid UTF-8.
    let _ = UserConstPtr::<c_char>::from(space.base()).get_as_str(&mut first);
    let _ = p.cast::<u8>().get_as_slice(&mut first, 8);
    let _ = p.get_as_null_terminated(&mut first);
    let _ = UserConstPtr::<c_char>::from(space.base()).get_as_cstr(&mut first);
    let _ = p.with(&mut first, |v| *v += 1);
    let _ = p.with_slice(&mut first, 2, |v| v[0] += 1);
    let _ = p.with_null_terminated(&mut first, |v| v.len());
    let _ = UserConstPtr::<c_char>::from(space.base()).with_str(&mut first, |s| s.len());
    let _ = UserConstPtr::<c_char>::from(space.base()).with_cstr(&mut first, |s| s.count_bytes());
}
