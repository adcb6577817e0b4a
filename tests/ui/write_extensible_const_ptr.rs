// Writing an extensible struct needs a `UserPtr`, not a `UserConstPtr`.
use axptr::{UserConstPtr, testing::HeapSpace};

fn main() {
    let mut space = HeapSpace::new(1);
    let _ = UserConstPtr::<u64>::from(space.base()).write_extensible(&mut space, &1, 8);
}
