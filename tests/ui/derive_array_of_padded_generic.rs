use axptr::{LinuxResult, MappingFlags, UserCopy, UserPtr, testing::HeapSpace};

// Each `S<u32>` has 3 bytes of padding after `a`, also inside an array.
#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
struct S<T> {
    a: u8,
    b: T,
}

#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
struct Table {
    rows: [S<u32>; 2],
}

fn main() -> LinuxResult<()> {
    let mut space = HeapSpace::new(1);
    let base = space.base();
    space.map(base, 4096, MappingFlags::READ | MappingFlags::WRITE);
    let table = Table { rows: [S { a: 1, b: 2 }; 2] };
    UserPtr::<Table>::from(base).write(&mut space, table)
}
