// A `UserConstPtr<u32>` only loads: the writing atomics need a `UserPtr`.
use axptr::{UserConstPtr, testing::HeapSpace};

fn main() {
    let mut space = HeapSpace::new(1);
    let _ = UserConstPtr::<u32>::from(space.base()).atomic_store(&mut space, 1);
}
