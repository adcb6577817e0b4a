// The derive must not rely on the user's imports or on the prelude.
#![no_implicit_prelude]

mod inner {
    #[derive(::core::clone::Clone, ::core::marker::Copy, ::axptr::UserCopy)]
    #[repr(C)]
    pub struct Timespec {
        pub tv_sec: i64,
        pub tv_nsec: i64,
    }

    #[derive(::core::clone::Clone, ::core::marker::Copy, ::axptr::UserCopy)]
    #[repr(C)]
    pub struct Generic<T> {
        pub value: T,
    }
}

// Names the derive might use, shadowed by unrelated items.
#[allow(dead_code)]
struct UserCopy;
#[allow(dead_code)]
mod core {}

fn main() {
    fn needs_user_copy<T: ::axptr::UserCopy>() {}
    needs_user_copy::<inner::Timespec>();
    needs_user_copy::<inner::Generic<u32>>();
}
