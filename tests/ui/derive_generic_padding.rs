use axptr::{UserConstPtr, UserCopy, testing::HeapSpace};

// Fine for `Pair<u32, u32>`; padded for `Pair<u8, u64>`, which is caught
// where such a pair is copied.
#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
struct Pair<A, B> {
    a: A,
    b: B,
}

fn main() {
    let mut space = HeapSpace::new(1);
    let _ = UserConstPtr::<Pair<u32, u32>>::from(space.base()).read(&mut space);
    let _ = UserConstPtr::<Pair<u8, u64>>::from(space.base()).read(&mut space);
}
