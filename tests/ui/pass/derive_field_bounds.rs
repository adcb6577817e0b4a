// Bounds go on field types, not on type parameters.
use core::{ffi::c_void, marker::PhantomData};

use axptr::{MappingFlags, UserConstPtr, UserCopy, UserPtr, testing::HeapSpace};

// `UserPtr<T>` is `UserCopy` for every `T`, so `Iov<c_void>` is too.
// (`c_void` is not `Copy`, so `Copy` is written by hand, for every `T`.)
#[derive(UserCopy)]
#[repr(C)]
struct Iov<T> {
    base: UserPtr<T>,
    len: usize,
}

impl<T> Clone for Iov<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Iov<T> {}

// With a derived `Copy` (which wants `T: Copy`) the derive works as well.
#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
struct ConstIov<T> {
    base: UserConstPtr<T>,
    len: usize,
}

// A parameter only inside `PhantomData` needs nothing from `T`.
#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
struct Tagged<T> {
    value: u32,
    _kind: PhantomData<T>,
}

#[derive(Clone, Copy, UserCopy)]
#[repr(transparent)]
struct Id<K>(u64, PhantomData<fn() -> K>);

fn user_copy<T: UserCopy>() {}

fn main() {
    user_copy::<Iov<c_void>>();
    user_copy::<ConstIov<u8>>();
    user_copy::<Tagged<bool>>();
    user_copy::<Tagged<char>>();
    user_copy::<Id<&'static str>>();

    let mut space = HeapSpace::new(1);
    let base = space.base();
    space.map(base, 4096, MappingFlags::READ | MappingFlags::WRITE);
    let iov = Iov::<c_void> {
        base: UserPtr::from(base + 64),
        len: 16,
    };
    UserPtr::from(base).write(&mut space, iov).unwrap();
    let back = UserPtr::<Iov<c_void>>::from(base).read(&mut space).unwrap();
    assert_eq!((back.base.address().as_usize(), back.len), (base + 64, 16));
    let tagged = Tagged::<bool> {
        value: 7,
        _kind: PhantomData,
    };
    UserPtr::from(base).write(&mut space, tagged).unwrap();
    assert_eq!(space.peek(base, 4), 7u32.to_ne_bytes());
}
