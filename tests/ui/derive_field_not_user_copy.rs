use axptr::UserCopy;

#[derive(Clone, Copy)]
struct Opaque(u64);

#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
struct Wrapper {
    inner: Opaque,
    flags: [std::time::Duration; 2],
}

fn main() {}
