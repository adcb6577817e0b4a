// User-memory atomics exist on `UserPtr<u32>` only (the futex word): a
// `u64` word has none.
use axptr::{UserPtr, testing::HeapSpace};

fn main() {
    let mut space = HeapSpace::new(1);
    let _ = UserPtr::<u64>::from(space.base()).atomic_fetch_add(&mut space, 1);
}
