use axptr::{MappingFlags, UserCopy, UserPtr, testing::HeapSpace};

#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
struct Slot<T> {
    value: T,
}

fn main() {
    let mut space = HeapSpace::new(1);
    let base = space.base();
    space.map(base, 4096, MappingFlags::READ | MappingFlags::WRITE);
    // `bool` is not plain data: the error names the field holding it.
    let _ = UserPtr::<Slot<bool>>::from(base).read(&mut space);
}
