use axptr::UserCopy;

#[derive(Clone, Copy)]
struct Opaque(u32);

#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
union Data {
    raw: u32,
    opaque: Opaque,
}

fn main() {}
