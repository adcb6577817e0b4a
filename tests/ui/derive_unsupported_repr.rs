use axptr::UserCopy;

#[derive(Clone, Copy, UserCopy)]
#[repr(Rust)]
struct Timespec {
    tv_sec: i64,
    tv_nsec: i64,
}

fn main() {}
