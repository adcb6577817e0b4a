use axptr::UserCopy;

// Written through `half`, the union's upper two bytes would be padding.
#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
union Word {
    half: u16,
    full: u32,
}

fn main() {}
