// `clear_user` writes: a `UserConstPtr` (read-only) is refused.
use axptr::{UserConstPtr, clear_user, testing::HeapSpace};

fn main() {
    let mut space = HeapSpace::new(1);
    let _ = clear_user(&mut space, UserConstPtr::<u8>::from(space.base()), 8);
}
