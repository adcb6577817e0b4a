use axptr::{UserConstPtr, testing::HeapSpace};

fn main() {
    let mut space = HeapSpace::new(1);
    let flag = UserConstPtr::<bool>::from(space.base());
    let _ = flag.read(&mut space);
}
