use axptr::{LinuxResult, MappingFlags, UserCopy, UserPtr, testing::HeapSpace};

// `S<u64>` has 7 bytes of padding after `a`; nesting it must not hide them.
#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
struct S<T> {
    a: u8,
    b: T,
}

#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
struct Outer {
    inner: S<u64>,
}

fn main() -> LinuxResult<()> {
    let mut space = HeapSpace::new(1);
    let base = space.base();
    space.map(base, 4096, MappingFlags::READ | MappingFlags::WRITE);
    let outer = Outer { inner: S { a: 1, b: 2 } };
    UserPtr::<Outer>::from(base).write(&mut space, outer)
}
