use axptr::UserCopy;

// `packed(2)` still aligns `value` to 2: one byte of padding before it.
#[derive(Clone, Copy, UserCopy)]
#[repr(C, packed(2))]
struct Packed2 {
    tag: u8,
    value: u32,
}

// `align(16)` grows the struct past its 8 bytes of fields.
#[derive(Clone, Copy, UserCopy)]
#[repr(C, align(16))]
struct Aligned {
    value: u64,
}

fn main() {}
