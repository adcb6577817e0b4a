use axptr::UserCopy;

#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
struct Stat {
    mode: u32,
    size: u64,
}

fn main() {}
