// `#[user_copy(crate = path)]`: the generated code names only that path.
extern crate axptr as renamed;
// `::axptr` now names `core`: code that ignored `crate = ...` would not
// compile.
extern crate core as axptr;

use core::marker::PhantomData;

use renamed::{MappingFlags, UserPtr, testing::HeapSpace};

#[derive(Clone, Copy, Debug, PartialEq, renamed::UserCopy)]
#[repr(C)]
#[user_copy(crate = renamed)]
struct Timespec {
    tv_sec: i64,
    tv_nsec: i64,
}

#[derive(Clone, Copy, renamed::UserCopy)]
#[repr(C)]
#[user_copy(crate = ::renamed)]
struct Pair<T> {
    a: T,
    b: T,
}

#[derive(Clone, Copy, renamed::UserCopy)]
#[repr(C)]
#[user_copy(crate = renamed)]
struct Borrowed<'a> {
    value: u64,
    _p: PhantomData<&'a ()>,
}

#[derive(Clone, Copy, renamed::UserCopy)]
#[repr(C)]
#[user_copy(crate = renamed)]
union Word {
    bytes: [u8; 4],
    value: u32,
}

fn main() {
    let mut space = HeapSpace::new(1);
    let base = space.base();
    space.map(base, 4096, MappingFlags::READ | MappingFlags::WRITE);
    let ts = Timespec { tv_sec: 1, tv_nsec: 2 };
    UserPtr::from(base).write(&mut space, ts).unwrap();
    assert_eq!(UserPtr::<Timespec>::from(base).read(&mut space).unwrap(), ts);
    UserPtr::from(base).write(&mut space, Pair { a: 1u32, b: 2 }).unwrap();
    let word = UserPtr::<Word>::from(base).read(&mut space).unwrap();
    // SAFETY: both fields of `Word` accept any bytes.
    assert_eq!(unsafe { word.value }, 1);
    let _ = UserPtr::<Borrowed<'static>>::from(base).read(&mut space).unwrap();
}
