use axptr::UserCopy;

#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
struct Event {
    data: u64,
    events: u32,
}

fn main() {}
