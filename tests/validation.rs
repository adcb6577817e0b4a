//! Every row of the validation table, through the public API, on a
//! heap-backed address space (no faults, so these also run under Miri).

use core::ffi::{CStr, c_char};

use axptr::{
    AddrSpace, AddrSpaceProvider, LinuxError, MappingFlags, PATH_MAX, UserConstPtr, UserPtr,
    VirtAddr, VirtAddrRange, is_accessing_user_memory, testing::HeapSpace,
};

const PAGE: usize = 4096;

/// The in-place API is `unsafe`: every call in this file lends memory of a
/// `HeapSpace` that only this single-threaded test touches, and drops the
/// reference before the space is used again.
macro_rules! lend {
    ($call:expr) => {
        // SAFETY: see the macro's docs: nothing else writes or unmaps the
        // lent memory while the reference lives.
        unsafe { $call }
    };
}
const RW: MappingFlags = MappingFlags::READ.union(MappingFlags::WRITE);
const RO: MappingFlags = MappingFlags::READ;

/// Page 0 read-write, 1 read-only, 2 unmapped, 3 lazy read-write,
/// 4-6 read-write, 7 unmapped, 8 read-write.
struct Layout {
    space: HeapSpace,
    rw: usize,
    ro: usize,
    hole: usize,
    lazy: usize,
    rw2: usize,
    last: usize,
}

fn layout() -> Layout {
    let mut space = HeapSpace::new(9);
    let base = space.base();
    let page = |n: usize| base + n * PAGE;
    space.map(page(0), PAGE, RW);
    space.map(page(1), PAGE, RO);
    space.map_lazy(page(3), PAGE, RW);
    space.map(page(4), 3 * PAGE, RW);
    space.map(page(8), PAGE, RW);
    Layout {
        rw: page(0),
        ro: page(1),
        hole: page(2),
        lazy: page(3),
        rw2: page(4),
        last: page(8),
        space,
    }
}

#[test]
fn null_pointer_is_efault_everywhere() {
    let mut l = layout();
    let s = &mut l.space;
    let null = UserPtr::<u32>::null();
    let cnull = UserConstPtr::<c_char>::null();
    assert_eq!(null.read(s), Err(LinuxError::EFAULT));
    assert_eq!(null.write(s, 1), Err(LinuxError::EFAULT));
    assert_eq!(lend!(null.get(s)).err(), Some(LinuxError::EFAULT));
    assert_eq!(
        lend!(null.get_as_slice(s, 4)).err(),
        Some(LinuxError::EFAULT)
    );
    assert_eq!(
        lend!(null.get_as_null_terminated(s)).err(),
        Some(LinuxError::EFAULT)
    );
    assert_eq!(null.read_slice(s, &mut [0; 4]), Err(LinuxError::EFAULT));
    assert_eq!(null.write_slice(s, &[1, 2]), Err(LinuxError::EFAULT));
    assert_eq!(lend!(cnull.get_as_cstr(s)).err(), Some(LinuxError::EFAULT));
    assert_eq!(lend!(cnull.get_as_str(s)).err(), Some(LinuxError::EFAULT));
    assert_eq!(
        cnull.read_cstr(s, &mut [0; 64]).err(),
        Some(LinuxError::EFAULT)
    );
    assert_eq!(
        cnull.read_cstring(s, PATH_MAX).err(),
        Some(LinuxError::EFAULT)
    );
    assert_eq!(null.nullable(), None);
    assert!(null.is_null());
}

#[test]
fn unmapped_pointer_is_efault() {
    let mut l = layout();
    let s = &mut l.space;
    let p = UserPtr::<u64>::from(l.hole + 64);
    assert_eq!(p.read(s), Err(LinuxError::EFAULT));
    assert_eq!(p.write(s, 7), Err(LinuxError::EFAULT));
    assert_eq!(lend!(p.get(s)).err(), Some(LinuxError::EFAULT));
    // Outside the space altogether (below its base).
    let below = UserConstPtr::<u8>::from(l.rw - PAGE);
    assert_eq!(below.read(s), Err(LinuxError::EFAULT));
}

#[test]
fn partly_unmapped_range_is_efault() {
    let mut l = layout();
    let s = &mut l.space;
    // The last 8 bytes of the read-only page and 8 of the hole.
    let straddle = UserConstPtr::<[u8; 16]>::from(l.hole - 8);
    assert_eq!(straddle.read(s), Err(LinuxError::EFAULT));
    let slice = UserConstPtr::<u8>::from(l.ro);
    assert_eq!(
        lend!(slice.get_as_slice(s, PAGE + 1)).err(),
        Some(LinuxError::EFAULT)
    );
    assert!(lend!(slice.get_as_slice(s, PAGE)).is_ok());
    let mut buf = vec![0u8; 3 * PAGE + 1];
    let rw2 = UserConstPtr::<u8>::from(l.rw2);
    assert_eq!(rw2.read_slice(s, &mut buf), Err(LinuxError::EFAULT));
    assert_eq!(rw2.read_slice(s, &mut buf[..3 * PAGE]), Ok(()));
    assert_eq!(
        UserPtr::<u8>::from(l.rw2 + 8).write_slice(s, &buf[..3 * PAGE]),
        Err(LinuxError::EFAULT)
    );
}

#[test]
fn unaligned_reference_is_efault_but_unaligned_copy_is_fine() {
    let mut l = layout();
    let s = &mut l.space;
    s.poke(l.rw + 1, &0x1122_3344u32.to_ne_bytes());
    let odd = UserPtr::<u32>::from(l.rw + 1);
    assert_eq!(lend!(odd.get(s)).err(), Some(LinuxError::EFAULT));
    assert_eq!(
        lend!(odd.get_as_slice(s, 2)).err(),
        Some(LinuxError::EFAULT)
    );
    assert_eq!(
        lend!(odd.get_as_null_terminated(s)).err(),
        Some(LinuxError::EFAULT)
    );
    assert_eq!(
        lend!(UserConstPtr::<u32>::from(l.rw + 2).get(s)).err(),
        Some(LinuxError::EFAULT)
    );
    // Copies do not need alignment.
    assert_eq!(odd.read(s), Ok(0x1122_3344));
    odd.write(s, 0x5566_7788).unwrap();
    assert_eq!(s.peek(l.rw + 1, 4), 0x5566_7788u32.to_ne_bytes());
    let mut two = [0u32; 2];
    odd.read_slice(s, &mut two).unwrap();
    assert_eq!(two[0], 0x5566_7788);
}

#[test]
fn overflowing_range_is_efault_without_panic() {
    let mut l = layout();
    let s = &mut l.space;
    assert_eq!(
        UserConstPtr::<u8>::from(usize::MAX).read(s),
        Err(LinuxError::EFAULT)
    );
    assert_eq!(
        UserConstPtr::<u64>::from(usize::MAX - 3).read(s),
        Err(LinuxError::EFAULT)
    );
    assert_eq!(
        UserConstPtr::<u8>::from(usize::MAX - 10).read_slice(s, &mut [0; 100]),
        Err(LinuxError::EFAULT)
    );
    // The last page of the address space: rounding the end up overflows.
    let top = UserConstPtr::<u8>::from(usize::MAX - PAGE + 1);
    assert_eq!(
        lend!(top.get_as_slice(s, PAGE - 1)).err(),
        Some(LinuxError::EFAULT)
    );
    // len * size_of::<T>() overflows.
    let p = UserConstPtr::<u64>::from(l.rw);
    assert_eq!(
        lend!(p.get_as_slice(s, usize::MAX / 4)).err(),
        Some(LinuxError::EFAULT)
    );
    assert_eq!(
        lend!(p.get_as_slice(s, usize::MAX)).err(),
        Some(LinuxError::EFAULT)
    );
    assert_eq!(
        lend!(UserPtr::<[u8; 3]>::from(l.rw).get_as_slice(s, usize::MAX / 2)).err(),
        Some(LinuxError::EFAULT)
    );
    // Larger than isize::MAX bytes, even if it does not wrap.
    assert_eq!(
        lend!(UserConstPtr::<u8>::from(l.rw).get_as_slice(s, isize::MAX as usize + 1)).err(),
        Some(LinuxError::EFAULT)
    );
    // A null-terminated scan that runs into the end of the address space.
    assert_eq!(
        lend!(UserConstPtr::<c_char>::from(usize::MAX - 2).get_as_cstr(s)).err(),
        Some(LinuxError::EFAULT)
    );
}

#[test]
fn write_through_read_only_mapping_is_efault() {
    let mut l = layout();
    let s = &mut l.space;
    s.poke(l.ro, &[9; 8]);
    let p = UserPtr::<u64>::from(l.ro);
    assert_eq!(p.write(s, 1), Err(LinuxError::EFAULT));
    assert_eq!(p.write_slice(s, &[1, 2]), Err(LinuxError::EFAULT));
    assert_eq!(lend!(p.get(s)).err(), Some(LinuxError::EFAULT));
    assert_eq!(lend!(p.get_as_slice(s, 1)).err(), Some(LinuxError::EFAULT));
    assert_eq!(
        lend!(p.cast::<u8>().get_as_null_terminated(s)).err(),
        Some(LinuxError::EFAULT)
    );
    assert_eq!(s.peek(l.ro, 8), [9; 8], "nothing was written");
    // Reading it is fine, through either pointer type.
    assert_eq!(p.read(s), Ok(u64::from_ne_bytes([9; 8])));
    assert_eq!(
        lend!(UserConstPtr::<u64>::from(l.ro).get(s)).copied(),
        Ok(u64::from_ne_bytes([9; 8]))
    );
    // A write range that only ends in the read-only page.
    assert_eq!(
        UserPtr::<u64>::from(l.ro - 4).write(s, 0),
        Err(LinuxError::EFAULT)
    );
}

#[test]
fn zero_length_range_is_ok_anywhere_in_user_space() {
    let mut l = layout();
    let s = &mut l.space;
    // Null, unaligned, unmapped, read-only: all inside user space.
    for addr in [0, 1, 3, l.hole, l.ro + 1, s.end()] {
        let empty = lend!(UserPtr::<u64>::from(addr).get_as_slice(s, 0)).unwrap();
        assert!(empty.is_empty());
        assert_ne!(empty.as_ptr().addr(), 0);
        assert!(empty.as_ptr().is_aligned());
        let empty = lend!(UserConstPtr::<u32>::from(addr).get_as_slice(s, 0)).unwrap();
        assert!(empty.is_empty() && empty.as_ptr().addr() != 0 && empty.as_ptr().is_aligned());
        assert_eq!(
            UserConstPtr::<u8>::from(addr).read_slice(s, &mut []),
            Ok(())
        );
        assert_eq!(UserPtr::<u8>::from(addr).write_slice(s, &[]), Ok(()));
        assert_eq!(axptr::access_ok(s, addr, 0), Ok(()));
    }
}

#[test]
fn zero_length_range_outside_user_space_is_efault() {
    let mut l = layout();
    let s = &mut l.space;
    // Past the end of user space (the kernel half, for a real kernel).
    for addr in [s.end() + 1, s.end() + PAGE, usize::MAX] {
        assert_eq!(
            lend!(UserPtr::<u64>::from(addr).get_as_slice(s, 0)).err(),
            Some(LinuxError::EFAULT)
        );
        assert_eq!(
            UserConstPtr::<u8>::from(addr).read_slice(s, &mut []),
            Err(LinuxError::EFAULT)
        );
        assert_eq!(
            UserPtr::<u8>::from(addr).write_slice(s, &[]),
            Err(LinuxError::EFAULT)
        );
        assert_eq!(
            UserPtr::<u8>::from(addr).write_slice_partial(s, &[]),
            Err(LinuxError::EFAULT)
        );
        assert_eq!(axptr::access_ok(s, addr, 0), Err(LinuxError::EFAULT));
    }
    // A range that starts inside and ends outside.
    assert_eq!(
        axptr::access_ok(s, l.last, 2 * PAGE),
        Err(LinuxError::EFAULT)
    );
    assert_eq!(
        axptr::access_ok(s, l.last, usize::MAX),
        Err(LinuxError::EFAULT)
    );
}

#[test]
fn zero_sized_types_are_never_built_from_null() {
    let mut l = layout();
    let s = &mut l.space;
    let unit = lend!(UserPtr::<()>::null().get(s)).unwrap();
    assert!(!(&raw const *unit).is_null());
    assert_eq!(
        lend!(UserPtr::<()>::null().get_as_slice(s, 5))
            .unwrap()
            .len(),
        5
    );
    assert_eq!(UserConstPtr::<()>::from(l.hole).read(s), Ok(()));
}

#[test]
fn unterminated_string_is_enametoolong() {
    let mut l = layout();
    let s = &mut l.space;
    // Two read-write pages of 'a' with no NUL: more than PATH_MAX bytes.
    s.poke(l.rw2, &[b'a'; 2 * PAGE]);
    let p = UserConstPtr::<c_char>::from(l.rw2);
    assert_eq!(
        lend!(p.get_as_cstr(s)).err(),
        Some(LinuxError::ENAMETOOLONG)
    );
    assert_eq!(lend!(p.get_as_str(s)).err(), Some(LinuxError::ENAMETOOLONG));
    assert_eq!(
        p.read_cstring(s, PATH_MAX).err(),
        Some(LinuxError::ENAMETOOLONG)
    );
    let mut buf = [0u8; PATH_MAX];
    assert_eq!(
        p.read_cstr(s, &mut buf).err(),
        Some(LinuxError::ENAMETOOLONG)
    );
    let mut small = [0u8; 16];
    assert_eq!(
        p.read_cstr(s, &mut small).err(),
        Some(LinuxError::ENAMETOOLONG)
    );
    assert_eq!(
        p.read_cstr(s, &mut []).err(),
        Some(LinuxError::ENAMETOOLONG)
    );
    assert_eq!(
        lend!(UserConstPtr::<u8>::from(l.rw2).get_as_null_terminated(s)).err(),
        Some(LinuxError::ENAMETOOLONG)
    );
}

#[test]
fn path_limit_counts_the_nul() {
    let mut l = layout();
    let s = &mut l.space;
    // 4095 bytes and a NUL: exactly PATH_MAX, accepted.
    let mut path = vec![b'x'; PATH_MAX - 1];
    path.push(0);
    s.poke(l.rw2 + 100, &path);
    let p = UserConstPtr::<c_char>::from(l.rw2 + 100);
    assert_eq!(
        lend!(p.get_as_cstr(s)).unwrap().to_bytes().len(),
        PATH_MAX - 1
    );
    assert_eq!(lend!(p.get_as_str(s)).unwrap().len(), PATH_MAX - 1);
    let mut buf = [0u8; PATH_MAX];
    assert_eq!(
        p.read_cstr(s, &mut buf).unwrap().to_bytes().len(),
        PATH_MAX - 1
    );
    assert_eq!(
        p.read_cstring(s, PATH_MAX).unwrap().as_bytes().len(),
        PATH_MAX - 1
    );
    // One byte more is too long.
    s.poke(l.rw2 + 99, b"y");
    let q = UserConstPtr::<c_char>::from(l.rw2 + 99);
    assert_eq!(
        lend!(q.get_as_cstr(s)).err(),
        Some(LinuxError::ENAMETOOLONG)
    );
    assert_eq!(
        q.read_cstr(s, &mut buf).err(),
        Some(LinuxError::ENAMETOOLONG)
    );
}

#[test]
fn string_running_into_unmapped_memory_is_efault() {
    let mut l = layout();
    let s = &mut l.space;
    // "abc" at the very end of the read-only page, followed by the hole.
    s.poke(l.hole - 3, b"abc");
    let p = UserConstPtr::<c_char>::from(l.hole - 3);
    assert_eq!(lend!(p.get_as_cstr(s)).err(), Some(LinuxError::EFAULT));
    assert_eq!(p.read_cstr(s, &mut [0; 64]).err(), Some(LinuxError::EFAULT));
    assert_eq!(p.read_cstring(s, PATH_MAX).err(), Some(LinuxError::EFAULT));
}

#[test]
fn null_terminated_copies_are_whole_at_every_length() {
    // The copy API copies in blocks growing from 256 bytes to a page:
    // terminators on both sides of block boundaries, data crossing a page,
    // elements that do not divide a block or are wider than one.
    let mut l = layout();
    let s = &mut l.space;
    let start = l.rw2 + PAGE - 700;
    let lengths: &[usize] = if cfg!(miri) {
        &[0, 255, 256, 257, 800]
    } else {
        &[
            0, 1, 255, 256, 257, 699, 700, 767, 768, 769, 1791, 1792, 1793, 5000,
        ]
    };
    for &len in lengths {
        let mut bytes: Vec<u8> = (0..len).map(|i| (i % 255 + 1) as u8).collect();
        bytes.push(0);
        s.poke(start, &bytes);
        let p = UserConstPtr::<c_char>::from(start);
        let mut buf = vec![0u8; 2 * PAGE];
        assert_eq!(p.read_cstr(s, &mut buf).unwrap().to_bytes(), &bytes[..len]);
        assert_eq!(
            p.read_cstring(s, 2 * PAGE).unwrap().as_bytes(),
            &bytes[..len]
        );
        let mut exact = vec![0u8; len + 1];
        assert_eq!(
            p.read_cstr(s, &mut exact).unwrap().to_bytes(),
            &bytes[..len]
        );
        let mut short = vec![0u8; len];
        assert_eq!(
            p.read_cstr(s, &mut short).err(),
            Some(LinuxError::ENAMETOOLONG),
            "{len}"
        );
    }

    let triples: Vec<[u8; 3]> = (1..=100u8).map(|i| [i, 0, i]).collect();
    let mut bytes: Vec<u8> = triples.concat();
    bytes.extend([0; 3]);
    s.poke(start, &bytes);
    let p = UserConstPtr::<[u8; 3]>::from(start);
    assert_eq!(p.read_null_terminated_vec(s, 1000).unwrap(), triples);
    let mut buf = [[0u8; 3]; 101];
    assert_eq!(p.read_null_terminated(s, &mut buf).unwrap(), &triples[..]);

    let wide: Vec<[u8; 300]> = (1..=6u8).map(|i| [i; 300]).collect();
    let mut bytes: Vec<u8> = wide.concat();
    bytes.extend([0; 300]);
    s.poke(start, &bytes);
    let p = UserConstPtr::<[u8; 300]>::from(start);
    assert_eq!(p.read_null_terminated_vec(s, 1000).unwrap(), wide);
    assert_eq!(
        p.read_null_terminated_vec(s, 6).err(),
        Some(LinuxError::ENAMETOOLONG)
    );
}

#[test]
fn string_crossing_a_page_boundary_is_read_whole() {
    let mut l = layout();
    let s = &mut l.space;
    s.poke(l.rw2 + PAGE - 5, b"hello, world\0");
    let p = UserConstPtr::<c_char>::from(l.rw2 + PAGE - 5);
    assert_eq!(lend!(p.get_as_str(s)), Ok("hello, world"));
    assert_eq!(lend!(p.get_as_cstr(s)), Ok(c"hello, world"));
    let mut buf = [0u8; 32];
    assert_eq!(p.read_cstr(s, &mut buf), Ok(c"hello, world"));
    assert_eq!(p.read_cstring(s, 64).unwrap().as_c_str(), c"hello, world");
    // The empty string.
    s.poke(l.rw, b"\0");
    assert_eq!(
        lend!(UserConstPtr::<c_char>::from(l.rw).get_as_str(s)),
        Ok("")
    );
}

#[test]
fn invalid_utf8_is_eilseq() {
    let mut l = layout();
    let s = &mut l.space;
    s.poke(l.rw, b"bad \xff\xfe utf8\0");
    let p = UserConstPtr::<c_char>::from(l.rw);
    assert_eq!(lend!(p.get_as_str(s)).err(), Some(LinuxError::EILSEQ));
    let cstr: &CStr = lend!(p.get_as_cstr(s)).unwrap();
    assert_eq!(cstr.to_bytes(), b"bad \xff\xfe utf8");
}

#[test]
fn lazy_page_is_populated_then_ok() {
    let mut l = layout();
    let s = &mut l.space;
    assert!(!s.is_present(l.lazy));
    let before = s.populated_pages();
    let p = UserPtr::<u32>::from(l.lazy + 8);
    p.write(s, 0xdead_beef).unwrap();
    assert!(s.is_present(l.lazy));
    assert_eq!(s.populated_pages(), before + 1);
    assert_eq!(p.read(s), Ok(0xdead_beef));
    assert_eq!(*lend!(p.get(s)).unwrap(), 0xdead_beef);
    assert_eq!(s.populated_pages(), before + 1, "populated once");
}

#[test]
fn lazy_page_is_populated_by_a_string_scan() {
    let mut l = layout();
    let s = &mut l.space;
    // A zero-filled lazy page reads as the empty string once populated.
    let p = UserConstPtr::<c_char>::from(l.lazy + 100);
    assert_eq!(lend!(p.get_as_str(s)), Ok(""));
    assert!(s.is_present(l.lazy));
}

#[test]
fn reference_access_reads_and_writes_in_place() {
    let mut l = layout();
    let s = &mut l.space;
    let p = UserPtr::<[u32; 4]>::from(l.rw + 16);
    *lend!(p.get(s)).unwrap() = [1, 2, 3, 4];
    assert_eq!(s.peek(l.rw + 16, 4), 1u32.to_ne_bytes());
    let slice = lend!(UserPtr::<u32>::from(l.rw + 16).get_as_slice(s, 4)).unwrap();
    slice[3] = 40;
    assert_eq!(
        UserConstPtr::<[u32; 4]>::from(l.rw + 16).read(s),
        Ok([1, 2, 3, 40])
    );
}

#[test]
fn null_terminated_arrays_of_wider_elements() {
    let mut l = layout();
    let s = &mut l.space;
    // An argv-style array of pointers crossing into the next page.
    let strings = l.rw2 + 2 * PAGE - 64;
    s.poke(strings, b"ls\0-l\0");
    let argv = l.rw2 + PAGE - 16;
    let words: [usize; 3] = [strings, strings + 3, 0];
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_ne_bytes()).collect();
    s.poke(argv, &bytes);
    let arr = UserConstPtr::<UserConstPtr<c_char>>::from(argv);
    let args: Vec<UserConstPtr<c_char>> = lend!(arr.get_as_null_terminated(s)).unwrap().to_vec();
    assert_eq!(args.len(), 2);
    let strs: Vec<String> = args
        .iter()
        .map(|a| a.read_cstring(s, PATH_MAX).unwrap().into_string().unwrap())
        .collect();
    assert_eq!(strs, ["ls", "-l"]);
    assert_eq!(arr.read_null_terminated_vec(s, 16).unwrap(), args);
    let mut buf = [UserConstPtr::null(); 8];
    assert_eq!(arr.read_null_terminated(s, &mut buf).unwrap(), &args[..]);
    let mut short = [UserConstPtr::null(); 2];
    assert_eq!(
        arr.read_null_terminated(s, &mut short).err(),
        Some(LinuxError::ENAMETOOLONG)
    );
    // u32 elements, unaligned in a copy.
    s.poke(l.last + 1, &[1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]);
    let ints = UserConstPtr::<u32>::from(l.last + 1);
    assert_eq!(ints.read_null_terminated_vec(s, 100), Ok(vec![1, 2]));
    assert_eq!(
        lend!(ints.get_as_null_terminated(s)).err(),
        Some(LinuxError::EFAULT),
        "misaligned"
    );
}

#[test]
fn hostile_limit_does_not_allocate_up_front() {
    let mut l = layout();
    let s = &mut l.space;
    s.poke(l.rw, b"short\0");
    let p = UserConstPtr::<c_char>::from(l.rw);
    let cstring = p.read_cstring(s, usize::MAX).unwrap();
    assert_eq!(cstring.as_bytes(), b"short");
    assert!(cstring.as_bytes_with_nul().len() < PAGE);
}

#[test]
fn pointer_basics() {
    let p = UserPtr::<u32>::from(0x1000);
    assert_eq!(p.address(), VirtAddr::from(0x1000));
    assert_eq!(format!("{p:?}"), "UserPtr(0x1000)");
    assert_eq!(
        format!("{:?}", UserConstPtr::<u8>::from(0xabc)),
        "UserConstPtr(0xabc)"
    );
    assert_eq!(p.cast::<u8>().address(), p.address());
    assert_eq!(p.nullable(), Some(p));
    assert!(!p.is_null());
    assert_eq!(UserConstPtr::from(p), UserConstPtr::<u32>::from(0x1000));
    assert_eq!(UserPtr::<u8>::ACCESS_FLAGS, RW);
    assert_eq!(UserConstPtr::<u8>::ACCESS_FLAGS, RO);
    // SAFETY: only the address is compared; nothing is dereferenced.
    assert_eq!(unsafe { p.as_ptr() }.addr(), 0x1000);
    assert_eq!(size_of::<UserPtr<[u8; 64]>>(), size_of::<usize>());
    assert_eq!(p.wrapping_add(3).address(), VirtAddr::from(0x100c));
    assert_eq!(p.wrapping_byte_add(3).address(), VirtAddr::from(0x1003));
    assert_eq!(
        UserConstPtr::<u64>::from(8)
            .wrapping_add(usize::MAX)
            .address(),
        VirtAddr::from(0)
    );
}

#[test]
fn walking_an_array_in_chunks() {
    let mut l = layout();
    let s = &mut l.space;
    let values: Vec<u8> = (0..32u32).flat_map(u32::to_ne_bytes).collect();
    s.poke(l.rw2 + PAGE - 40, &values);
    let array = UserConstPtr::<u32>::from(l.rw2 + PAGE - 40);
    let mut chunk = [0u32; 8];
    let mut seen = Vec::new();
    for i in 0..4 {
        array.wrapping_add(8 * i).read_slice(s, &mut chunk).unwrap();
        seen.extend_from_slice(&chunk);
    }
    assert_eq!(seen, (0..32).collect::<Vec<u32>>());
    // Walking off the end of the mapping is an error, not a wild read.
    assert_eq!(
        array.wrapping_add(3 * 1024).read(s),
        Err(LinuxError::EFAULT)
    );
    assert_eq!(
        array.wrapping_add(usize::MAX / 8).read(s),
        Err(LinuxError::EFAULT)
    );
}

/// Wraps a space and records what the address space methods observed.
struct Spy<'a> {
    inner: &'a mut HeapSpace,
    locked: bool,
    calls: usize,
    flag_seen_set: bool,
}

// SAFETY: every answer is the inner `HeapSpace`'s.
unsafe impl AddrSpace for Spy<'_> {
    fn check_region_access(&self, range: VirtAddrRange, flags: MappingFlags) -> bool {
        assert!(self.locked, "called outside with_addr_space");
        self.inner.check_region_access(range, flags)
    }
    fn populate_area(
        &mut self,
        start: VirtAddr,
        size: usize,
        flags: MappingFlags,
    ) -> axptr::LinuxResult<()> {
        self.inner.populate_area(start, size, flags)
    }
    fn user_range(&self) -> VirtAddrRange {
        self.inner.user_range()
    }
}

/// A provider that "locks" like a kernel's would.
struct Locking<'a>(Spy<'a>);

impl<'a> AddrSpaceProvider for Locking<'a> {
    type AddrSpace = Spy<'a>;
    fn with_addr_space<R>(&mut self, f: impl FnOnce(&mut Spy<'a>) -> R) -> R {
        self.0.calls += 1;
        self.0.flag_seen_set |= is_accessing_user_memory();
        self.0.locked = true;
        let r = f(&mut self.0);
        self.0.locked = false;
        r
    }
}

#[test]
fn string_scan_locks_page_by_page_and_never_with_the_flag() {
    let mut l = layout();
    l.space.poke(l.rw2 + PAGE - 2, b"ab");
    l.space.poke(l.rw2 + PAGE, &[b'c'; PAGE]);
    l.space.poke(l.rw2 + 2 * PAGE, b"\0");
    let mut provider = Locking(Spy {
        inner: &mut l.space,
        locked: false,
        calls: 0,
        flag_seen_set: false,
    });
    let p = UserConstPtr::<c_char>::from(l.rw2 + PAGE - 2);
    assert_eq!(
        p.read_cstring(&mut provider, 3 * PAGE)
            .unwrap()
            .as_bytes()
            .len(),
        PAGE + 2
    );
    // One validation per page touched (three pages), lock released between.
    assert_eq!(provider.0.calls, 3);
    assert_eq!(
        lend!(p.get_as_cstr(&mut provider)).err(),
        Some(LinuxError::ENAMETOOLONG)
    );
    assert!(!provider.0.flag_seen_set);
    // Validation from inside an enclosing access still runs without the flag.
    axptr::access_user_memory(|| {
        assert_eq!(UserConstPtr::<u8>::from(l.rw).read(&mut provider), Ok(0));
        assert!(is_accessing_user_memory(), "enclosing access restored");
    });
    assert!(!provider.0.flag_seen_set);
    assert!(!is_accessing_user_memory());
}

#[test]
fn flag_is_clear_outside_accesses_and_after_errors() {
    let mut l = layout();
    let s = &mut l.space;
    assert!(!is_accessing_user_memory());
    assert!(UserConstPtr::<u8>::from(l.rw).read(s).is_ok());
    assert!(!is_accessing_user_memory());
    assert_eq!(
        UserConstPtr::<u8>::from(l.hole).read(s),
        Err(LinuxError::EFAULT)
    );
    assert!(!is_accessing_user_memory());
    assert!(lend!(UserConstPtr::<c_char>::from(l.hole).get_as_cstr(s)).is_err());
    assert!(!is_accessing_user_memory());
    fn with_question_mark(s: &mut HeapSpace, addr: usize) -> axptr::LinuxResult<u8> {
        let v = UserConstPtr::<u8>::from(addr).read(s)?;
        Ok(v)
    }
    assert!(with_question_mark(s, 0).is_err());
    assert!(!is_accessing_user_memory());
}

#[test]
fn terminator_before_a_straddling_element_needs_nothing_after_it() {
    // Found by the model tests: the scan used to validate the element that
    // straddles into the next page together with the elements before it,
    // so a terminator right before a hole was EFAULT.
    let mut l = layout();
    let s = &mut l.space;
    // A zero [u8; 3] at the end of the read-only page; the next element
    // would straddle into the hole.
    let arr = UserConstPtr::<[u8; 3]>::from(l.hole - 4);
    assert_eq!(lend!(arr.get_as_null_terminated(s)).map(<[_]>::len), Ok(0));
    assert_eq!(arr.read_null_terminated_vec(s, 8), Ok(vec![]));
    // Unaligned u32s (copy API): [1, 0] ends one byte before the hole.
    s.poke(l.hole - 9, &[1, 0, 0, 0, 0, 0, 0, 0, 0xff]);
    let ints = UserConstPtr::<u32>::from(l.hole - 9);
    assert_eq!(ints.read_null_terminated_vec(s, 8), Ok(vec![1]));
    let mut buf = [0u32; 8];
    assert_eq!(ints.read_null_terminated(s, &mut buf), Ok(&[1][..]));
    // Without a terminator before it, the straddling element is EFAULT.
    s.poke(l.hole - 9, &[1, 0, 0, 0, 2, 0, 0, 0, 0xff]);
    assert_eq!(ints.read_null_terminated_vec(s, 8), Err(LinuxError::EFAULT));
    // A straddling element over two mapped pages is read whole.
    s.poke(l.rw2 + PAGE - 2, &[7, 7, 7, 0, 0, 0]);
    let wide = UserConstPtr::<[u8; 3]>::from(l.rw2 + PAGE - 2);
    assert_eq!(lend!(wide.get_as_null_terminated(s)), Ok(&[[7, 7, 7]][..]));
}

#[test]
fn scan_does_not_populate_the_page_after_the_terminator() {
    let mut space = HeapSpace::new(2);
    let base = space.base();
    space.map(base, PAGE, RW);
    space.map_lazy(base + PAGE, PAGE, RW);
    let arr = UserConstPtr::<[u8; 3]>::from(base + PAGE - 4);
    assert_eq!(
        lend!(arr.get_as_null_terminated(&mut space)).map(<[_]>::len),
        Ok(0)
    );
    assert!(!space.is_present(base + PAGE));
}

#[test]
fn zero_limit_is_enametoolong_even_for_zero_sized_elements() {
    // Found by the model tests: a limit counts the terminator, so a zero
    // limit has no room for it, whatever its size.
    let mut l = layout();
    let s = &mut l.space;
    let unit = UserConstPtr::<()>::from(l.rw);
    assert_eq!(
        unit.read_null_terminated(s, &mut []).err(),
        Some(LinuxError::ENAMETOOLONG)
    );
    assert_eq!(
        unit.read_null_terminated_vec(s, 0),
        Err(LinuxError::ENAMETOOLONG)
    );
    assert_eq!(unit.read_null_terminated(s, &mut [()]), Ok(&[][..]));
    assert_eq!(
        UserConstPtr::<u8>::from(l.rw).read_null_terminated_vec(s, 0),
        Err(LinuxError::ENAMETOOLONG)
    );
}

/// An address space that claims every range is mapped and present: it
/// shows the rules that do not depend on the address space (on a real one
/// such ranges are never mapped, so the address space alone would refuse
/// them too). Only failing requests may be made on it: a successful one
/// would touch memory that does not exist.
struct EverythingMapped;

// SAFETY: this space breaks the contract on purpose (it claims kernel
// addresses are user memory); the test below only makes requests that axptr
// refuses before it touches any memory.
unsafe impl AddrSpace for EverythingMapped {
    fn check_region_access(&self, _: VirtAddrRange, _: MappingFlags) -> bool {
        true
    }
    fn populate_area(&mut self, _: VirtAddr, _: usize, _: MappingFlags) -> axptr::LinuxResult<()> {
        Ok(())
    }
    fn user_range(&self) -> VirtAddrRange {
        VirtAddrRange::new(VirtAddr::from(0), VirtAddr::from(usize::MAX))
    }
}

#[test]
fn address_space_independent_rules_hold_even_if_everything_is_mapped() {
    let s = &mut EverythingMapped;
    // Null.
    assert_eq!(UserConstPtr::<u8>::null().read(s), Err(LinuxError::EFAULT));
    assert_eq!(UserPtr::<u8>::null().write(s, 1), Err(LinuxError::EFAULT));
    assert_eq!(
        lend!(UserPtr::<u64>::null().get_as_slice(s, 2)).err(),
        Some(LinuxError::EFAULT)
    );
    assert_eq!(
        lend!(UserConstPtr::<c_char>::null().get_as_cstr(s)).err(),
        Some(LinuxError::EFAULT)
    );
    // Misaligned reference.
    assert_eq!(
        lend!(UserConstPtr::<u32>::from(0x1002).get(s)).err(),
        Some(LinuxError::EFAULT)
    );
    // More than isize::MAX bytes, without wrapping.
    assert_eq!(
        lend!(UserConstPtr::<u8>::from(0x1000).get_as_slice(s, isize::MAX as usize + 1)).err(),
        Some(LinuxError::EFAULT)
    );
    assert_eq!(
        lend!(UserConstPtr::<u16>::from(0x1000).get_as_slice(s, isize::MAX as usize / 2 + 1)).err(),
        Some(LinuxError::EFAULT)
    );
    // An end that wraps, and a range in the last page of the address
    // space, whose page-rounded end wraps.
    assert_eq!(
        UserConstPtr::<[u8; 16]>::from(usize::MAX - 7).read(s),
        Err(LinuxError::EFAULT)
    );
    assert_eq!(
        UserConstPtr::<u8>::from(usize::MAX - 10).read(s),
        Err(LinuxError::EFAULT)
    );
}
