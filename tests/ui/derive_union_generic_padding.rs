use axptr::{MappingFlags, UserCopy, UserPtr, testing::HeapSpace};

// Fine for `Either<u32, [u8; 4]>`; padded for `Either<u64, u8>`, which is
// caught where such a union is copied.
#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
union Either<A: Copy, B: Copy> {
    a: A,
    b: B,
}

fn main() {
    let mut space = HeapSpace::new(1);
    let base = space.base();
    space.map(base, 4096, MappingFlags::READ | MappingFlags::WRITE);
    let fine = Either::<u32, [u8; 4]> { a: 1 };
    let _ = UserPtr::from(base).write(&mut space, fine);
    let padded = Either::<u64, u8> { b: 1 };
    let _ = UserPtr::from(base).write(&mut space, padded);
}
