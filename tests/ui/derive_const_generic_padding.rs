use axptr::{LinuxResult, MappingFlags, UserCopy, UserPtr, testing::HeapSpace};

// `C<4>` has no padding, `C<1>` has 3 bytes of it before `b`.
#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
struct C<const N: usize> {
    a: [u8; N],
    b: u32,
}

#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
struct Outer {
    c: C<1>,
}

fn main() -> LinuxResult<()> {
    let mut space = HeapSpace::new(1);
    let base = space.base();
    space.map(base, 4096, MappingFlags::READ | MappingFlags::WRITE);
    let outer = Outer { c: C { a: [1], b: 2 } };
    UserPtr::<Outer>::from(base).write(&mut space, outer)
}
