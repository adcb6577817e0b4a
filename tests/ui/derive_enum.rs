use axptr::UserCopy;

#[derive(Clone, Copy, UserCopy)]
#[repr(u32)]
enum Mode {
    Read,
    Write,
}

fn main() {}
