use axptr::UserCopy;

#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
union Word {
    half: u16,
    full: u32,
}

fn main() {}
