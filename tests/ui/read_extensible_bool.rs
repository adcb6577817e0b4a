// An extensible struct is read into any bytes: a `bool` field is refused.
use axptr::{UserConstPtr, testing::HeapSpace};

fn main() {
    let mut space = HeapSpace::new(1);
    let _ = UserConstPtr::<bool>::from(space.base()).read_extensible(&mut space, 1);
}
