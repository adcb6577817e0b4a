//! The user-memory primitives beyond copies: `clear_user`,
//! `check_zeroed_user`, extensible structs (`copy_struct_from_user`,
//! `copy_struct_to_user`, `read_extensible`, `write_extensible`), strings
//! and arrays with caller-chosen limits, and the `argv`/`envp` reader. All
//! on `HeapSpace`, so Miri runs them.

use core::ffi::c_char;

use axptr::{
    EXTENSIBLE_SIZE_MAX, LinuxError, MappingFlags, UserConstPtr, UserCopy, UserPtr,
    check_zeroed_user, clear_user, copy_struct_from_user, copy_struct_to_user,
    strings::{ArgLimits, Limit, MAX_ARG_STRINGS, MAX_ARG_STRLEN},
    testing::HeapSpace,
};

const PAGE: usize = 4096;
const RW: MappingFlags = MappingFlags::READ.union(MappingFlags::WRITE);

/// `pages` pages, the first `mapped` of them read-write and filled with
/// 0xff, the rest unmapped.
fn filled(pages: usize, mapped: usize) -> (HeapSpace, usize) {
    let mut space = HeapSpace::new(pages);
    let base = space.base();
    if mapped > 0 {
        space.map(base, mapped * PAGE, RW);
        space.poke(base, &vec![0xff; mapped * PAGE]);
    }
    (space, base)
}

// ---- clear_user ------------------------------------------------------

#[test]
fn clear_user_zeroes_the_whole_range() {
    let (mut space, base) = filled(2, 2);
    assert_eq!(
        clear_user(&mut space, UserPtr::from(base + 100), 5000),
        Ok(5000)
    );
    let after = space.peek(base, 2 * PAGE);
    assert!(after[..100].iter().all(|&b| b == 0xff));
    assert!(after[100..5100].iter().all(|&b| b == 0));
    assert!(after[5100..].iter().all(|&b| b == 0xff));
}

#[test]
fn clear_user_stops_at_an_unmapped_page_and_reports_the_count() {
    let (mut space, base) = filled(2, 1);
    assert_eq!(
        clear_user(&mut space, UserPtr::from(base + PAGE - 10), 100),
        Ok(10)
    );
    assert!(space.peek(base + PAGE - 10, 10).iter().all(|&b| b == 0));
}

#[test]
fn clear_user_stops_at_a_read_only_page() {
    let (mut space, base) = filled(2, 2);
    space.protect(base + PAGE, PAGE, MappingFlags::READ);
    assert_eq!(
        clear_user(&mut space, UserPtr::from(base + PAGE - 3), 100),
        Ok(3)
    );
    assert!(space.peek(base + PAGE, 97).iter().all(|&b| b == 0xff));
    assert_eq!(
        clear_user(&mut space, UserPtr::from(base + PAGE), 1),
        Err(LinuxError::EFAULT)
    );
}

#[test]
fn clear_user_of_nothing_is_fine_anywhere_in_user_space_and_efault_outside() {
    let (mut space, _) = filled(1, 1);
    assert_eq!(clear_user(&mut space, UserPtr::null(), 0), Ok(0));
    assert_eq!(
        clear_user(&mut space, UserPtr::null(), 1),
        Err(LinuxError::EFAULT)
    );
    assert_eq!(
        clear_user(&mut space, UserPtr::from(usize::MAX), 0),
        Err(LinuxError::EFAULT)
    );
    assert_eq!(
        clear_user(&mut space, UserPtr::from(usize::MAX - 3), 8),
        Err(LinuxError::EFAULT)
    );
}

#[test]
fn clear_user_populates_lazy_pages() {
    let mut space = HeapSpace::new(2);
    let base = space.base();
    space.map_lazy(base, 2 * PAGE, RW);
    assert_eq!(
        clear_user(&mut space, UserPtr::from(base + 10), PAGE),
        Ok(PAGE)
    );
    assert!(space.is_present(base) && space.is_present(base + PAGE));
}

#[test]
fn writer_zero_moves_with_the_cursor_and_reports_partial_progress() {
    let (mut space, base) = filled(2, 1);
    let mut w = UserPtr::<u8>::from(base + PAGE - 30).writer(60);
    assert_eq!(w.write(&mut space, &[1; 10]), Ok(10));
    assert_eq!(w.zero(&mut space, 50), Ok(20));
    assert_eq!(w.transferred(), 30);
    assert!(w.is_empty(), "a fault exhausts the cursor");
    let bytes = space.peek(base + PAGE - 30, 30);
    assert_eq!(bytes[..10], [1; 10]);
    assert_eq!(bytes[10..], [0; 20]);
}

// ---- check_zeroed_user -------------------------------------------------

#[test]
fn check_zeroed_user_stops_at_the_first_non_zero_byte_before_a_hole() {
    let mut space = HeapSpace::new(3);
    let base = space.base();
    space.map(base, PAGE, RW);
    space.poke(base + PAGE - 1, &[7]);
    // The next page is unmapped, but the check never gets there.
    let p = UserConstPtr::<u8>::from(base + 10);
    assert_eq!(check_zeroed_user(&mut space, p, 2 * PAGE), Ok(false));
    assert_eq!(check_zeroed_user(&mut space, p, PAGE - 11), Ok(true));
    // A hole before any non-zero byte: EFAULT.
    space.poke(base + PAGE - 1, &[0]);
    assert_eq!(
        check_zeroed_user(&mut space, p, 2 * PAGE),
        Err(LinuxError::EFAULT)
    );
}

#[test]
fn check_zeroed_user_needs_readable_memory_inside_user_space() {
    let mut space = HeapSpace::new(2);
    let base = space.base();
    space.map(base, PAGE, MappingFlags::WRITE);
    let p = UserPtr::<u8>::from(base);
    assert_eq!(check_zeroed_user(&mut space, p, 1), Err(LinuxError::EFAULT));
    assert_eq!(check_zeroed_user(&mut space, p, 0), Ok(true));
    assert_eq!(
        check_zeroed_user(&mut space, UserPtr::<u8>::null(), 0),
        Ok(true)
    );
    assert_eq!(
        check_zeroed_user(&mut space, UserPtr::<u8>::from(usize::MAX - 1), 0),
        Err(LinuxError::EFAULT)
    );
    assert_eq!(
        check_zeroed_user(&mut space, UserPtr::<u8>::from(usize::MAX - 1), 4),
        Err(LinuxError::EFAULT)
    );
}

#[test]
fn check_zeroed_user_sees_a_single_byte_at_any_place_of_a_long_range() {
    let mut space = HeapSpace::new(3);
    let base = space.base();
    space.map(base, 3 * PAGE, MappingFlags::READ);
    let start = base + 5;
    let len = 2 * PAGE + 100;
    let step = if cfg!(miri) { 397 } else { 1 };
    for at in (0..len).step_by(step) {
        space.poke(start + at, &[0x80]);
        assert_eq!(
            check_zeroed_user(&mut space, UserConstPtr::<u8>::from(start), len),
            Ok(false),
            "byte {at}"
        );
        space.poke(start + at, &[0]);
    }
    assert_eq!(
        check_zeroed_user(&mut space, UserConstPtr::<u8>::from(start), len),
        Ok(true)
    );
}

// ---- extensible structs ------------------------------------------------

/// `struct clone_args`-like: three versions of growing size.
#[derive(Clone, Copy, Debug, PartialEq, Default, UserCopy)]
#[repr(C)]
struct Args {
    flags: u64,
    pidfd: u64,
    stack: u64,
}

fn args_at(space: &mut HeapSpace, addr: usize, words: &[u64]) {
    space.poke(
        addr,
        &words
            .iter()
            .flat_map(|w| w.to_ne_bytes())
            .collect::<Vec<_>>(),
    );
}

#[test]
fn read_extensible_zero_extends_an_older_struct() {
    let (mut space, base) = filled(1, 1);
    args_at(&mut space, base, &[1, 2, 3]);
    let p = UserConstPtr::<Args>::from(base);
    let old = Args {
        flags: 1,
        pidfd: 2,
        stack: 0,
    };
    assert_eq!(p.read_extensible(&mut space, 16), Ok(old));
    // An unaligned user size: a partial field is copied as far as it goes.
    let partial = p.read_extensible(&mut space, 9).expect("readable");
    assert_eq!(partial.flags, 1);
    assert_eq!(partial.pidfd, u64::from_ne_bytes([2, 0, 0, 0, 0, 0, 0, 0]));
    assert_eq!(p.read_extensible(&mut space, 0), Ok(Args::default()));
}

#[test]
fn read_extensible_accepts_a_newer_struct_only_if_its_extra_bytes_are_zero() {
    let (mut space, base) = filled(1, 1);
    args_at(&mut space, base, &[1, 2, 3, 0, 0]);
    let p = UserConstPtr::<Args>::from(base);
    let full = Args {
        flags: 1,
        pidfd: 2,
        stack: 3,
    };
    assert_eq!(p.read_extensible(&mut space, 24), Ok(full));
    assert_eq!(p.read_extensible(&mut space, 40), Ok(full));
    for byte in 24..40 {
        space.poke(base + byte, &[1]);
        assert_eq!(
            p.read_extensible(&mut space, 40),
            Err(LinuxError::E2BIG),
            "{byte}"
        );
        space.poke(base + byte, &[0]);
    }
}

#[test]
fn read_extensible_refuses_a_size_above_a_page_before_reading() {
    let mut space = HeapSpace::new(3);
    let base = space.base();
    space.map(base, 3 * PAGE, MappingFlags::READ);
    let p = UserConstPtr::<Args>::from(base);
    assert_eq!(
        p.read_extensible(&mut space, EXTENSIBLE_SIZE_MAX),
        Ok(Args::default())
    );
    assert_eq!(
        p.read_extensible(&mut space, EXTENSIBLE_SIZE_MAX + 1),
        Err(LinuxError::E2BIG)
    );
    // Even an unmapped struct: the size is checked first.
    assert_eq!(
        UserConstPtr::<Args>::null().read_extensible(&mut space, usize::MAX),
        Err(LinuxError::E2BIG)
    );
}

#[test]
fn read_extensible_faults_on_unreadable_memory() {
    let (mut space, base) = filled(2, 1);
    // The struct's known part runs into the hole.
    let p = UserConstPtr::<Args>::from(base + PAGE - 8);
    assert_eq!(p.read_extensible(&mut space, 24), Err(LinuxError::EFAULT));
    // Its zero tail runs into the hole.
    space.poke(base + PAGE - 24, &[0; 24]);
    let p = UserConstPtr::<Args>::from(base + PAGE - 40);
    assert_eq!(p.read_extensible(&mut space, 64), Err(LinuxError::EFAULT));
    // Null, and a struct whose end wraps.
    assert_eq!(
        UserConstPtr::<Args>::null().read_extensible(&mut space, 8),
        Err(LinuxError::EFAULT)
    );
    assert_eq!(
        UserConstPtr::<Args>::from(usize::MAX - 8).read_extensible(&mut space, 32),
        Err(LinuxError::EFAULT)
    );
}

#[test]
fn copy_struct_from_user_leaves_the_kernel_struct_zeroed_on_error() {
    let (mut space, base) = filled(1, 1);
    let mut kernel = [0x55u8; 16];
    assert_eq!(
        copy_struct_from_user(&mut space, &mut kernel, UserConstPtr::<u8>::from(base), 32),
        Err(LinuxError::E2BIG)
    );
    assert_eq!(kernel, [0; 16]);
    kernel.fill(0x55);
    assert_eq!(
        copy_struct_from_user(&mut space, &mut kernel, UserConstPtr::<u8>::null(), 8),
        Err(LinuxError::EFAULT)
    );
    assert_eq!(kernel, [0; 16]);
}

#[test]
fn write_extensible_to_an_older_struct_reports_non_zero_fields_left_out() {
    let (mut space, base) = filled(1, 1);
    let p = UserPtr::<Args>::from(base);
    let with_stack = Args {
        flags: 1,
        pidfd: 2,
        stack: 3,
    };
    assert_eq!(p.write_extensible(&mut space, &with_stack, 16), Ok(true));
    assert_eq!(
        space.peek(base, 16),
        [1u64.to_ne_bytes(), 2u64.to_ne_bytes()].concat()
    );
    assert_eq!(
        space.peek(base + 16, 8),
        [0xff; 8],
        "nothing past the user size"
    );
    let without = Args {
        flags: 1,
        pidfd: 2,
        stack: 0,
    };
    assert_eq!(p.write_extensible(&mut space, &without, 16), Ok(false));
}

#[test]
fn write_extensible_to_a_newer_struct_zeroes_its_extra_bytes() {
    let (mut space, base) = filled(1, 1);
    let p = UserPtr::<Args>::from(base);
    let args = Args {
        flags: 1,
        pidfd: 2,
        stack: 3,
    };
    assert_eq!(p.write_extensible(&mut space, &args, 40), Ok(false));
    let bytes = space.peek(base, 48);
    assert_eq!(bytes[..24], [1u64, 2, 3].map(u64::to_ne_bytes).concat());
    assert_eq!(bytes[24..40], [0; 16]);
    assert_eq!(bytes[40..], [0xff; 8]);
}

#[test]
fn write_extensible_refusals() {
    let (mut space, base) = filled(2, 1);
    let args = Args {
        flags: 1,
        pidfd: 2,
        stack: 3,
    };
    let p = UserPtr::<Args>::from(base);
    assert_eq!(
        p.write_extensible(&mut space, &args, EXTENSIBLE_SIZE_MAX + 1),
        Err(LinuxError::E2BIG)
    );
    // The zero tail runs into the hole.
    let q = UserPtr::<Args>::from(base + PAGE - 32);
    assert_eq!(
        q.write_extensible(&mut space, &args, 64),
        Err(LinuxError::EFAULT)
    );
    // Read-only memory.
    space.protect(base, PAGE, MappingFlags::READ);
    assert_eq!(
        p.write_extensible(&mut space, &args, 24),
        Err(LinuxError::EFAULT)
    );
    assert_eq!(space.peek(base, 24), [0xff; 24]);
}

#[test]
fn copy_struct_to_user_of_an_empty_user_struct_writes_nothing() {
    let (mut space, base) = filled(1, 1);
    assert_eq!(
        copy_struct_to_user(&mut space, UserPtr::null(), 0, &[1, 2, 3]),
        Ok(true)
    );
    assert_eq!(
        copy_struct_to_user(&mut space, UserPtr::from(base), 0, &[0, 0]),
        Ok(false)
    );
    assert_eq!(space.peek(base, 4), [0xff; 4]);
}

// ---- strings with limits -------------------------------------------------

/// A readable page holding `text` at its start, then a NUL.
fn string_space(text: &[u8]) -> (HeapSpace, UserConstPtr<c_char>) {
    let pages = (text.len() + 1).div_ceil(PAGE) + 1;
    let mut space = HeapSpace::new(pages);
    let base = space.base();
    space.map(base, (pages - 1) * PAGE, MappingFlags::READ);
    space.poke(base, text);
    (space, UserConstPtr::from(base))
}

#[test]
fn memfd_name_of_249_bytes_is_accepted_and_250_is_einval() {
    let (mut space, p) = string_space(&[b'm'; 249]);
    let name = p.read_cstring_limited(&mut space, Limit::MEMFD_NAME);
    assert_eq!(name.map(|n| n.count_bytes()), Ok(249));
    let (mut space, p) = string_space(&[b'm'; 250]);
    assert_eq!(
        p.read_cstring_limited(&mut space, Limit::MEMFD_NAME),
        Err(LinuxError::EINVAL)
    );
}

#[test]
fn xattr_name_of_255_bytes_is_accepted_and_256_is_erange() {
    let (mut space, p) = string_space(&[b'x'; 255]);
    let mut buf = [0u8; 256];
    let name = p.read_cstr_limited(&mut space, &mut buf, Limit::XATTR_NAME);
    assert_eq!(name.map(|n| n.count_bytes()), Ok(255));
    let (mut space, p) = string_space(&[b'x'; 256]);
    assert_eq!(
        p.read_cstr_limited(&mut space, &mut buf, Limit::XATTR_NAME),
        Err(LinuxError::ERANGE)
    );
}

#[test]
fn a_buffer_smaller_than_the_limit_is_a_tighter_limit_with_the_same_error() {
    let (mut space, p) = string_space(b"twelve bytes");
    let mut small = [0u8; 12];
    assert_eq!(
        p.read_cstr_limited(&mut space, &mut small, Limit::XATTR_NAME),
        Err(LinuxError::ERANGE)
    );
    let mut enough = [0u8; 13];
    let s = p.read_cstr_limited(&mut space, &mut enough, Limit::XATTR_NAME);
    assert_eq!(
        s.map(|s| s.to_bytes().to_vec()),
        Ok(b"twelve bytes".to_vec())
    );
}

#[test]
fn path_limit_keeps_enametoolong_and_the_plain_readers_are_unchanged() {
    let (mut space, p) = string_space(&[b'p'; 4096]);
    assert_eq!(
        p.read_cstring_limited(&mut space, Limit::PATH),
        Err(LinuxError::ENAMETOOLONG)
    );
    assert_eq!(
        p.read_cstring(&mut space, 4096),
        Err(LinuxError::ENAMETOOLONG)
    );
    let (mut space, p) = string_space(&[b'p'; 4095]);
    assert_eq!(
        p.read_cstring_limited(&mut space, Limit::PATH)
            .map(|s| s.count_bytes()),
        Ok(4095)
    );
}

#[test]
fn a_zero_limit_fails_with_its_error_and_a_fault_is_still_efault() {
    let (mut space, p) = string_space(b"");
    let none = Limit::new(0, LinuxError::E2BIG);
    assert_eq!(
        p.read_cstring_limited(&mut space, none),
        Err(LinuxError::E2BIG)
    );
    let hole = UserConstPtr::<c_char>::from(space.end() - 1);
    assert_eq!(
        hole.read_cstring_limited(&mut space, Limit::MEMFD_NAME),
        Err(LinuxError::EFAULT)
    );
    assert_eq!(
        UserConstPtr::<c_char>::null().read_cstring_limited(&mut space, Limit::PATH),
        Err(LinuxError::EFAULT)
    );
}

#[test]
fn null_terminated_arrays_take_limits_too() {
    let mut space = HeapSpace::new(1);
    let base = space.base();
    space.map(base, PAGE, MappingFlags::READ);
    space.poke(base, &[5u32, 6, 7, 0].map(u32::to_ne_bytes).concat());
    let p = UserConstPtr::<u32>::from(base);
    let four = Limit::new(4, LinuxError::E2BIG);
    assert_eq!(
        p.read_null_terminated_vec_limited(&mut space, four),
        Ok(vec![5, 6, 7])
    );
    let three = Limit::new(3, LinuxError::E2BIG);
    assert_eq!(
        p.read_null_terminated_vec_limited(&mut space, three),
        Err(LinuxError::E2BIG)
    );
    let mut buf = [0u32; 8];
    assert_eq!(
        p.read_null_terminated_limited(&mut space, &mut buf, four)
            .map(<[u32]>::to_vec),
        Ok(vec![5, 6, 7])
    );
    assert_eq!(
        p.read_null_terminated_limited(&mut space, &mut buf, three),
        Err(LinuxError::E2BIG)
    );
}

// ---- argv / envp -------------------------------------------------------

/// A space holding `strings` and a pointer array to them (with `nulls`
/// extra null pointers in place of some, for the terminator).
struct Argv {
    space: HeapSpace,
    array: UserConstPtr<UserConstPtr<c_char>>,
}

fn argv(strings: &[&[u8]]) -> Argv {
    let bytes: usize = strings.iter().map(|s| s.len() + 1).sum();
    let pointers = (strings.len() + 1) * size_of::<usize>();
    let pages = (bytes + pointers).div_ceil(PAGE) + 1;
    let mut space = HeapSpace::new(pages);
    let base = space.base();
    space.map(base, (pages - 1) * PAGE, MappingFlags::READ);
    let mut at = base + pointers;
    let mut array = Vec::new();
    for s in strings {
        space.poke(at, s);
        array.push(at);
        at += s.len() + 1;
    }
    array.push(0);
    space.poke(
        base,
        &array
            .iter()
            .flat_map(|p| p.to_ne_bytes())
            .collect::<Vec<_>>(),
    );
    Argv {
        space,
        array: UserConstPtr::from(base),
    }
}

fn texts(strings: &[std::ffi::CString]) -> Vec<&[u8]> {
    strings.iter().map(|s| s.to_bytes()).collect()
}

#[test]
fn argv_is_copied_and_charged_to_the_stack_budget() {
    let mut a = argv(&[b"/bin/sh", b"-c", b"", b"echo hi"]);
    let mut limits = ArgLimits::new(1 << 20);
    let got = a
        .array
        .read_arg_strings(&mut a.space, &mut limits)
        .expect("argv");
    assert_eq!(texts(&got), [&b"/bin/sh"[..], b"-c", b"", b"echo hi"]);
    let charged = (8 + 3 + 1 + 8) + 4 * size_of::<usize>();
    assert_eq!(limits.stack_left, (1 << 20) - charged);
}

#[test]
fn a_null_argv_is_empty() {
    let mut a = argv(&[]);
    let mut limits = ArgLimits::new(100);
    let null = UserConstPtr::<UserConstPtr<c_char>>::null();
    assert_eq!(null.read_arg_strings(&mut a.space, &mut limits), Ok(vec![]));
    assert_eq!(
        a.array.read_arg_strings(&mut a.space, &mut limits),
        Ok(vec![])
    );
    assert_eq!(limits.stack_left, 100);
}

#[test]
fn argv_and_envp_share_one_budget_to_the_byte() {
    let strings: [&[u8]; 2] = [b"abc", b"de"];
    let exact = 4 + 3 + 2 * size_of::<usize>();
    for (budget, expect_ok) in [(exact, true), (exact - 1, false)] {
        let mut a = argv(&strings);
        let mut limits = ArgLimits::new(budget + exact);
        assert!(a.array.read_arg_strings(&mut a.space, &mut limits).is_ok());
        let envp = a.array.read_arg_strings(&mut a.space, &mut limits);
        if expect_ok {
            assert_eq!(envp.map(|e| e.len()), Ok(2));
            assert_eq!(limits.stack_left, 0);
        } else {
            assert_eq!(envp, Err(LinuxError::E2BIG));
        }
    }
}

#[test]
fn too_many_strings_is_e2big() {
    let mut a = argv(&[b"a", b"b", b"c"]);
    let mut limits = ArgLimits {
        max_strings: 2,
        ..ArgLimits::new(1 << 20)
    };
    assert_eq!(
        a.array.read_arg_strings(&mut a.space, &mut limits),
        Err(LinuxError::E2BIG)
    );
    limits.max_strings = 3;
    assert!(a.array.read_arg_strings(&mut a.space, &mut limits).is_ok());
    assert_eq!(ArgLimits::new(0).max_strings, MAX_ARG_STRINGS);
}

#[test]
fn a_string_of_max_arg_strlen_is_e2big_and_one_less_is_fine() {
    let ok = vec![b'a'; MAX_ARG_STRLEN - 1];
    let mut a = argv(&[&ok]);
    let mut limits = ArgLimits::new(1 << 24);
    let got = a.array.read_arg_strings(&mut a.space, &mut limits);
    assert_eq!(got.map(|v| v[0].count_bytes()), Ok(MAX_ARG_STRLEN - 1));
    let long = vec![b'a'; MAX_ARG_STRLEN];
    let mut a = argv(&[&long]);
    assert_eq!(
        a.array
            .read_arg_strings(&mut a.space, &mut ArgLimits::new(1 << 24)),
        Err(LinuxError::E2BIG)
    );
}

#[test]
fn a_bad_pointer_or_array_is_efault() {
    let mut a = argv(&[b"ok", b"ok"]);
    let base = a.array.addr();
    // The second pointer points into the hole after the space.
    a.space.poke(base + 8, &(a.space.end() + 16).to_ne_bytes());
    let mut limits = ArgLimits::new(1 << 20);
    assert_eq!(
        a.array.read_arg_strings(&mut a.space, &mut limits),
        Err(LinuxError::EFAULT)
    );
    // An array running into the hole.
    let end = UserConstPtr::<UserConstPtr<c_char>>::from(a.space.end() - PAGE - 8);
    a.space
        .poke(a.space.end() - PAGE - 8, &(base + 100).to_ne_bytes());
    assert_eq!(
        end.read_arg_strings(&mut a.space, &mut ArgLimits::new(1 << 20)),
        Err(LinuxError::EFAULT)
    );
}

#[test]
fn the_pointer_array_is_bounded_by_the_budget_before_the_strings_are_read() {
    // 100 pointers to one unreadable address: a budget for 10 pointers
    // fails with E2BIG on the array alone, without reading a string.
    let mut space = HeapSpace::new(1);
    let base = space.base();
    space.map(base, PAGE, MappingFlags::READ);
    space.poke(
        base,
        &[usize::MAX - 1; 100].map(usize::to_ne_bytes).concat(),
    );
    let array = UserConstPtr::<UserConstPtr<c_char>>::from(base);
    let mut limits = ArgLimits::new(10 * size_of::<usize>());
    assert_eq!(
        array.read_arg_strings(&mut space, &mut limits),
        Err(LinuxError::E2BIG)
    );
}
