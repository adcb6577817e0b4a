use axptr::{LinuxResult, MappingFlags, UserCopy, UserPtr, testing::HeapSpace};

#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
struct S<T> {
    a: u8,
    b: T,
}

// `O<T>` itself has no padding around `s`, but `S<u64>` has 7 bytes of it.
#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
struct O<T> {
    s: S<T>,
}

fn main() -> LinuxResult<()> {
    let mut space = HeapSpace::new(1);
    let base = space.base();
    space.map(base, 4096, MappingFlags::READ | MappingFlags::WRITE);
    let o = O { s: S { a: 1, b: 2u64 } };
    UserPtr::<O<u64>>::from(base).write(&mut space, o)
}
