// Unions whose every field fills the whole union: no byte is padding.
use core::ffi::c_void;

use axptr::{MappingFlags, UserCopy, UserPtr, testing::HeapSpace};

// `epoll_data`: the 4-byte members are widened with explicit padding.
#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
struct Fd {
    fd: i32,
    _pad: [u8; 4],
}

#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
union EpollData {
    ptr: UserPtr<c_void>,
    fd: Fd,
    u64: u64,
}

// `struct epoll_event` is packed on x86_64: 12 bytes, no gap.
#[derive(Clone, Copy, UserCopy)]
#[repr(C, packed)]
struct EpollEvent {
    events: u32,
    data: EpollData,
}

#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
union Either<A: Copy, B: Copy> {
    a: A,
    b: B,
}

#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
union Nothing {
    a: (),
    b: [u64; 0],
}

fn user_copy<T: UserCopy>() {}

fn main() {
    user_copy::<EpollData>();
    user_copy::<Either<u32, [u8; 4]>>();
    user_copy::<Either<[u16; 4], EpollData>>();
    user_copy::<Nothing>();
    assert_eq!(size_of::<EpollEvent>(), 12);

    let mut space = HeapSpace::new(1);
    let base = space.base();
    space.map(base, 4096, MappingFlags::READ | MappingFlags::WRITE);
    let event = EpollEvent {
        events: 1,
        data: EpollData {
            fd: Fd { fd: 3, _pad: [0; 4] },
        },
    };
    UserPtr::from(base + 1).write(&mut space, event).unwrap();
    let back = UserPtr::<EpollEvent>::from(base + 1).read(&mut space).unwrap();
    let data = back.data;
    // SAFETY: every field of `EpollData` accepts any bytes.
    assert_eq!(unsafe { data.fd.fd }, 3);
}
