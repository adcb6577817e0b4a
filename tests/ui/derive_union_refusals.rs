use axptr::UserCopy;

// Unions get the same refusals as structs.
#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
union Flagged {
    raw: u8,
    flag: bool,
}

// Without a defined layout the fields could sit anywhere.
#[derive(Clone, Copy, UserCopy)]
union NoRepr {
    a: u32,
    b: [u8; 4],
}

fn main() {}
