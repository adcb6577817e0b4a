use core::marker::PhantomData;

use axptr::{MappingFlags, UserConstPtr, UserCopy, UserPtr, testing::HeapSpace};

#[derive(Clone, Copy, Debug, PartialEq, UserCopy)]
#[repr(C)]
struct Timespec {
    tv_sec: i64,
    tv_nsec: i64,
}

#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
struct Iovec {
    base: UserPtr<u8>,
    len: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, UserCopy)]
#[repr(C)]
struct Explicit {
    mode: u32,
    _pad: [u8; 4],
    size: u64,
}

#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
struct Utsname {
    sysname: [u8; 65],
    nodename: [u8; 65],
}

#[derive(Clone, Copy, Debug, PartialEq, UserCopy)]
#[repr(transparent)]
struct Fd(i32);

#[derive(Clone, Copy, UserCopy)]
#[repr(C, packed)]
struct Packed {
    tag: u8,
    value: u64,
}

// `packed(N)` and `align(N)` are fine when no padding results.
#[derive(Clone, Copy, UserCopy)]
#[repr(C, packed(2))]
struct Packed2 {
    tag: u16,
    value: u64,
}

#[derive(Clone, Copy, UserCopy)]
#[repr(C, align(8))]
struct Aligned {
    lo: u32,
    hi: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, UserCopy)]
#[repr(C)]
struct Pair<A, B> {
    a: A,
    b: B,
}

#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
struct Tagged<T: Copy, const N: usize> {
    items: [T; N],
    _marker: PhantomData<fn() -> T>,
}

#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
struct Nested {
    when: Timespec,
    fds: [Fd; 2],
    args: UserConstPtr<UserConstPtr<u8>>,
}

#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
struct Empty;

fn main() {
    let mut space = HeapSpace::new(1);
    let base = space.base();
    space.map(base, 4096, MappingFlags::READ | MappingFlags::WRITE);
    let ts = UserPtr::<Timespec>::from(base);
    ts.write(&mut space, Timespec { tv_sec: 1, tv_nsec: 2 }).unwrap();
    assert_eq!(ts.read(&mut space).unwrap(), Timespec { tv_sec: 1, tv_nsec: 2 });
    let pair = UserPtr::<Pair<u32, u32>>::from(base);
    assert_eq!(pair.read(&mut space).unwrap(), Pair { a: 1, b: 0 });
    let _ = UserPtr::<Explicit>::from(base).read(&mut space).unwrap();
    let _ = UserPtr::<Utsname>::from(base).read(&mut space).unwrap();
    let _ = UserPtr::<Packed>::from(base + 1).read(&mut space).unwrap();
    let _ = UserPtr::<Packed2>::from(base + 2).read(&mut space).unwrap();
    let _ = UserPtr::<Aligned>::from(base).read(&mut space).unwrap();
    let _ = UserPtr::<Tagged<u16, 3>>::from(base).read(&mut space).unwrap();
    let _ = UserPtr::<Nested>::from(base).read(&mut space).unwrap();
    let _ = UserPtr::<Iovec>::from(base).read(&mut space).unwrap();
    let _ = UserPtr::<Empty>::from(base).read(&mut space).unwrap();
    assert_eq!(UserPtr::<Fd>::from(base).read(&mut space).unwrap(), Fd(1));
}
