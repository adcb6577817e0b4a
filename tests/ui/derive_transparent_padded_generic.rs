use axptr::{LinuxResult, MappingFlags, UserCopy, UserPtr, testing::HeapSpace};

// `S<u16>` has a padding byte after `a`; a transparent wrapper keeps it.
#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
struct S<T> {
    a: u8,
    b: T,
}

#[derive(Clone, Copy, UserCopy)]
#[repr(transparent)]
struct W(S<u16>);

fn main() -> LinuxResult<()> {
    let mut space = HeapSpace::new(1);
    let base = space.base();
    space.map(base, 4096, MappingFlags::READ | MappingFlags::WRITE);
    UserPtr::<W>::from(base).write(&mut space, W(S { a: 1, b: 2 }))
}
