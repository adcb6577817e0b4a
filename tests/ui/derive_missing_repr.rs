use axptr::{MappingFlags, UserCopy, UserPtr, testing::HeapSpace};

#[derive(Clone, Copy, UserCopy)]
struct Timespec {
    tv_sec: i64,
    tv_nsec: i64,
}

fn main() {
    let mut space = HeapSpace::new(1);
    let base = space.base();
    space.map(base, 4096, MappingFlags::READ | MappingFlags::WRITE);
    // The one error is at the struct: its uses compile, so they add none.
    let _ = UserPtr::<Timespec>::from(base).read(&mut space);
}
