// The derive must not rely on the user's imports or on the prelude: with
// `#![no_implicit_prelude]` only absolute paths resolve.
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
        pub _kind: ::core::marker::PhantomData<T>,
    }

    #[derive(::core::clone::Clone, ::core::marker::Copy, ::axptr::UserCopy)]
    #[repr(C)]
    pub struct Borrowed<'a> {
        pub value: u64,
        pub _p: ::core::marker::PhantomData<&'a ()>,
    }

    #[derive(::core::clone::Clone, ::core::marker::Copy, ::axptr::UserCopy)]
    #[repr(C, packed)]
    pub struct Packed {
        pub tag: u8,
        pub time: Timespec,
    }

    #[derive(::core::clone::Clone, ::core::marker::Copy, ::axptr::UserCopy)]
    #[repr(C)]
    pub union Word<T: ::core::marker::Copy> {
        pub bytes: [u8; 4],
        pub value: T,
    }

    // Names the generated code might use unqualified, shadowed here.
    #[allow(dead_code)]
    struct UserCopy;
    #[allow(dead_code)]
    struct Copy;
    #[allow(dead_code)]
    struct PhantomData;
    #[allow(dead_code)]
    fn check_no_gap_before() {}
    #[allow(dead_code)]
    fn check_union_field() {}
    #[allow(dead_code)]
    fn size_of() {}
    #[allow(unused_macros)]
    macro_rules! offset_of {
        () => {};
    }
}

// More shadows, at the crate root.
#[allow(dead_code)]
struct UserCopy;
#[allow(dead_code)]
mod core {}
#[allow(dead_code)]
mod __private {}

fn main() {
    fn needs_user_copy<T: ::axptr::UserCopy>() {}
    needs_user_copy::<inner::Timespec>();
    needs_user_copy::<inner::Generic<u32>>();
    needs_user_copy::<inner::Borrowed<'static>>();
    needs_user_copy::<inner::Packed>();
    needs_user_copy::<inner::Word<u32>>();
}
