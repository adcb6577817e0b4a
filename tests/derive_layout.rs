//! `#[derive(UserCopy)]` types cross the boundary byte for byte: a write
//! puts exactly the value's bytes in user memory (no byte of it left as
//! whatever the kernel had there, none outside it touched), and a read
//! gives them back. User memory is filled with `0xAA` first, so a byte the
//! copy failed to set, or one it set beyond the value, shows.

use core::marker::PhantomData;

use axptr::{MappingFlags, UserConstPtr, UserCopy, UserPtr, testing::HeapSpace};

const PAGE: usize = 4096;
const FILL: u8 = 0xAA;

#[derive(Clone, Copy, Debug, PartialEq, UserCopy)]
#[repr(C)]
struct Header<T> {
    kind: u32,
    len: u32,
    value: T,
}

#[derive(Clone, Copy, Debug, PartialEq, UserCopy)]
#[repr(C)]
struct Message<'a> {
    header: Header<u64>,
    parts: [Header<u32>; 2],
    tail: u16,
    _pad: [u8; 6],
    _borrow: PhantomData<&'a ()>,
}

/// `sigval`: the 4-byte member widened with explicit padding.
#[derive(Clone, Copy, Debug, PartialEq, UserCopy)]
#[repr(C)]
struct Int {
    value: i32,
    _pad: [u8; 4],
}

#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
union Sigval {
    int: Int,
    ptr: UserConstPtr<u8>,
}

fn space() -> (HeapSpace, usize) {
    let mut space = HeapSpace::new(1);
    let base = space.base();
    space.map(base, PAGE, MappingFlags::READ | MappingFlags::WRITE);
    space.poke(base, &[FILL; PAGE]);
    (space, base)
}

fn header_bytes<const N: usize>(kind: u32, len: u32, value: [u8; N]) -> Vec<u8> {
    [&kind.to_ne_bytes()[..], &len.to_ne_bytes(), &value].concat()
}

#[test]
fn nested_derived_struct_is_written_byte_for_byte() {
    let (mut space, base) = space();
    let message = Message {
        header: Header {
            kind: 1,
            len: 2,
            value: 0x0102_0304_0506_0708,
        },
        parts: [
            Header {
                kind: 3,
                len: 4,
                value: 5,
            },
            Header {
                kind: 6,
                len: 7,
                value: 8,
            },
        ],
        tail: 0x0a0b,
        _pad: [0; 6],
        _borrow: PhantomData,
    };
    let at = base + 8;
    UserPtr::<Message>::from(at)
        .write(&mut space, message)
        .unwrap();

    let expected = [
        header_bytes(1, 2, 0x0102_0304_0506_0708u64.to_ne_bytes()),
        header_bytes(3, 4, 5u32.to_ne_bytes()),
        header_bytes(6, 7, 8u32.to_ne_bytes()),
        0x0a0bu16.to_ne_bytes().to_vec(),
        vec![0; 6],
    ]
    .concat();
    assert_eq!(size_of::<Message>(), expected.len());
    assert_eq!(space.peek(at, expected.len()), expected);
    assert_eq!(space.peek(base, 8), [FILL; 8], "bytes before the value");
    assert_eq!(
        space.peek(at + expected.len(), 8),
        [FILL; 8],
        "bytes after the value"
    );
    assert_eq!(
        UserConstPtr::<Message>::from(at).read(&mut space).unwrap(),
        message
    );
}

#[test]
fn union_written_through_its_narrowest_member_sets_every_byte() {
    let (mut space, base) = space();
    let sigval = Sigval {
        int: Int {
            value: -2,
            _pad: [0; 4],
        },
    };
    UserPtr::<Sigval>::from(base)
        .write(&mut space, sigval)
        .unwrap();

    let expected = [&(-2i32).to_ne_bytes()[..], &[0; 4]].concat();
    assert_eq!(space.peek(base, 8), expected);
    assert_eq!(space.peek(base + 8, 8), [FILL; 8]);
    let back = UserConstPtr::<Sigval>::from(base).read(&mut space).unwrap();
    // SAFETY: both members of `Sigval` accept any bytes.
    let (int, ptr) = unsafe { (back.int, back.ptr) };
    assert_eq!(int.value, -2);
    assert_eq!(ptr.address().as_usize().to_ne_bytes()[..], expected[..]);
}

#[test]
fn union_read_from_user_bytes_is_any_member() {
    let (mut space, base) = space();
    let addr = (base + 0x40) as u64;
    space.poke(base, &addr.to_ne_bytes());
    let sigval = UserConstPtr::<Sigval>::from(base).read(&mut space).unwrap();
    // SAFETY: both members of `Sigval` accept any bytes.
    let (int, ptr) = unsafe { (sigval.int, sigval.ptr) };
    assert_eq!(ptr.address().as_usize(), base + 0x40);
    assert_eq!(int.value.to_ne_bytes()[..], addr.to_ne_bytes()[..4]);
}
