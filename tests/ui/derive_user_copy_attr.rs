use axptr::UserCopy;

#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
#[user_copy(crate = axptr, krate = axptr)]
struct Unknown {
    a: u32,
}

#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
#[user_copy(crate = axptr)]
#[user_copy(crate = axptr)]
struct Duplicate {
    a: u32,
}

#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
struct OnField {
    #[user_copy(crate = axptr)]
    a: u32,
}

fn main() {}
