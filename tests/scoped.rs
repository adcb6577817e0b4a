//! The scoped reference API (`with`, `with_slice`, `with_null_terminated`,
//! `with_str`, `with_cstr`): the same validation as the `get` family, every
//! error before the closure runs, the fault flag set for exactly the
//! closure (also when it unwinds), and nesting with other accesses. On a
//! heap-backed address space, so these also run under Miri; the sim test
//! `scoped_access_faults_lazy_pages_in` shows the window at work on a real
//! fault.

use core::ffi::{CStr, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};

use axptr::{
    LinuxError, LinuxResult, MappingFlags, PATH_MAX, UserConstPtr, UserPtr,
    is_accessing_user_memory, testing::HeapSpace,
};

/// In-place access: the scoped in-place API is `unsafe`: every call in this file lends
/// memory of a `HeapSpace` that only this single-threaded test touches,
/// to a closure that drops the reference before it returns.
macro_rules! lend {
    ($call:expr) => {
        // SAFETY: see the macro's docs: nothing else writes or unmaps the lent memory while the closure runs.
        unsafe { $call }
    };
}

const PAGE: usize = 4096;
const RW: MappingFlags = MappingFlags::READ.union(MappingFlags::WRITE);
const RO: MappingFlags = MappingFlags::READ;

/// Page 0 read-write, 1 read-only, 2 unmapped, 3 lazy read-write.
fn space() -> (HeapSpace, usize) {
    let mut space = HeapSpace::new(4);
    let base = space.base();
    space.map(base, PAGE, RW);
    space.map(base + PAGE, PAGE, RO);
    space.map_lazy(base + 3 * PAGE, PAGE, RW);
    (space, base)
}

/// Runs a scoped access whose closure records that it ran and whether the
/// flag was set inside; checks the flag is clear again afterwards.
fn scoped<R>(
    access: impl FnOnce(&mut dyn FnMut() -> bool) -> LinuxResult<R>,
) -> (LinuxResult<R>, Option<bool>) {
    let mut seen = None;
    let result = access(&mut || {
        let inside = is_accessing_user_memory();
        seen = Some(inside);
        inside
    });
    assert!(!is_accessing_user_memory(), "the window stayed open");
    (result, seen)
}

#[test]
fn the_closure_runs_inside_the_window_and_sees_the_memory() {
    let (mut s, base) = space();
    s.poke(base, &7u64.to_ne_bytes());
    let (r, seen) =
        scoped(|mark| lend!(UserConstPtr::<u64>::from(base).with(&mut s, |v| (mark(), *v))));
    assert_eq!((r, seen), (Ok((true, 7)), Some(true)));

    // Writes through `UserPtr::with` land in user memory.
    let (r, _) = scoped(|mark| {
        lend!(UserPtr::<u64>::from(base).with(&mut s, |v| {
            mark();
            *v += 1;
        }))
    });
    assert_eq!(r, Ok(()));
    assert_eq!(s.peek(base, 8), 8u64.to_ne_bytes());

    s.poke(base + 16, &[1, 2, 3, 4]);
    let (r, seen) = scoped(|mark| {
        lend!(
            UserPtr::<u8>::from(base + 16).with_slice(&mut s, 4, |bytes| {
                mark();
                bytes.reverse();
                bytes.len()
            })
        )
    });
    assert_eq!((r, seen), (Ok(4), Some(true)));
    assert_eq!(s.peek(base + 16, 4), [4, 3, 2, 1]);
    let (r, _) = scoped(|mark| {
        lend!(
            UserConstPtr::<u8>::from(base + 16).with_slice(&mut s, 4, |bytes| {
                mark();
                bytes.to_vec()
            })
        )
    });
    assert_eq!(r, Ok(vec![4, 3, 2, 1]));
}

#[test]
fn a_lazy_page_is_populated_before_the_closure() {
    let (mut s, base) = space();
    let lazy = base + 3 * PAGE;
    assert!(!s.is_present(lazy));
    let r = lend!(UserPtr::<u32>::from(lazy).with(&mut s, |v| {
        *v = 0xdead_beef;
    }));
    assert_eq!(r, Ok(()));
    assert!(s.is_present(lazy));
    assert_eq!(s.peek(lazy, 4), 0xdead_beef_u32.to_ne_bytes());
}

#[test]
fn every_error_comes_before_the_closure() {
    let (mut s, base) = space();
    let hole = base + 2 * PAGE;
    let ro = base + PAGE;
    let efault = Err(LinuxError::EFAULT);
    for (what, addr) in [("null", 0), ("unmapped", hole), ("misaligned", base + 2)] {
        let (r, seen) =
            scoped(|mark| lend!(UserConstPtr::<u32>::from(addr).with(&mut s, |_| mark())));
        assert_eq!((r, seen), (efault, None), "{what}");
        let (r, seen) = scoped(|mark| lend!(UserPtr::<u32>::from(addr).with(&mut s, |_| mark())));
        assert_eq!((r, seen), (efault, None), "{what}");
    }
    // Read-only memory can be read in place, not written.
    let (r, seen) = scoped(|mark| lend!(UserConstPtr::<u32>::from(ro).with(&mut s, |_| mark())));
    assert_eq!((r, seen), (Ok(true), Some(true)));
    let (r, seen) = scoped(|mark| lend!(UserPtr::<u32>::from(ro).with(&mut s, |_| mark())));
    assert_eq!((r, seen), (efault, None));
    // A slice running into the hole, and lengths whose size overflows.
    let (r, seen) =
        scoped(|mark| lend!(UserPtr::<u8>::from(ro).with_slice(&mut s, PAGE + 1, |_| mark())));
    assert_eq!((r, seen), (efault, None));
    for len in [usize::MAX, usize::MAX / 4 + 1, isize::MAX as usize / 2] {
        let (r, seen) = scoped(|mark| {
            lend!(UserConstPtr::<u32>::from(base).with_slice(&mut s, len, |_| mark()))
        });
        assert_eq!((r, seen), (efault, None), "len {len:#x}");
    }
    // A range whose end wraps around the address space.
    let (r, seen) = scoped(|mark| {
        lend!(UserConstPtr::<u8>::from(usize::MAX - 3).with_slice(&mut s, 8, |_| mark()))
    });
    assert_eq!((r, seen), (efault, None));
}

#[test]
fn an_empty_slice_is_lent_at_any_address_in_user_space() {
    let (mut s, _) = space();
    let outside = s.end() + 1;
    let r = lend!(UserConstPtr::<u64>::from(outside).with_slice(&mut s, 0, |_| ()));
    assert_eq!(r, Err(LinuxError::EFAULT));
    for addr in [0, 1, s.end()] {
        let r = lend!(UserConstPtr::<u64>::from(addr).with_slice(&mut s, 0, |v| {
            assert!(v.is_empty());
            assert_ne!(v.as_ptr().addr(), 0);
            assert!(v.as_ptr().is_aligned());
            is_accessing_user_memory()
        }));
        assert_eq!(r, Ok(true));
    }
}

#[test]
fn strings_in_place() {
    let (mut s, base) = space();
    s.poke(base, b"/etc/passwd\0");
    let (r, seen) = scoped(|mark| {
        lend!(UserConstPtr::<c_char>::from(base).with_str(&mut s, |path| {
            mark();
            path.len()
        }))
    });
    assert_eq!((r, seen), (Ok(11), Some(true)));
    let r = lend!(UserPtr::<c_char>::from(base).with_cstr(&mut s, CStr::to_owned));
    assert_eq!(r.as_deref(), Ok(c"/etc/passwd"));

    // Invalid UTF-8 is EILSEQ, and the closure does not run.
    s.poke(base + 64, b"\xff\xfe\0");
    let (r, seen) =
        scoped(|mark| lend!(UserConstPtr::<c_char>::from(base + 64).with_str(&mut s, |_| mark())));
    assert_eq!((r, seen), (Err(LinuxError::EILSEQ), None));
    // ...but it is a valid C string.
    let r =
        lend!(UserConstPtr::<c_char>::from(base + 64).with_cstr(&mut s, |c| c.to_bytes().len()));
    assert_eq!(r, Ok(2));

    // Unterminated before the hole: EFAULT; longer than PATH_MAX: ENAMETOOLONG.
    let tail = base + 2 * PAGE - 16;
    s.poke(tail, &[b'a'; 16]);
    let (r, seen) =
        scoped(|mark| lend!(UserConstPtr::<c_char>::from(tail).with_cstr(&mut s, |_| mark())));
    assert_eq!((r, seen), (Err(LinuxError::EFAULT), None));
    s.poke(base, &[b'b'; PAGE]);
    let (r, seen) =
        scoped(|mark| lend!(UserConstPtr::<c_char>::from(base).with_str(&mut s, |_| mark())));
    assert_eq!((r, seen), (Err(LinuxError::ENAMETOOLONG), None));
    assert_eq!(PATH_MAX, PAGE);
    let (r, seen) =
        scoped(|mark| lend!(UserConstPtr::<c_char>::from(0).with_cstr(&mut s, |_| mark())));
    assert_eq!((r, seen), (Err(LinuxError::EFAULT), None));
}

#[test]
fn null_terminated_arrays_in_place() {
    let (mut s, base) = space();
    let words: Vec<u8> = [3usize, 2, 1, 0, 9]
        .iter()
        .flat_map(|w| w.to_ne_bytes())
        .collect();
    s.poke(base, &words);
    let r = lend!(
        UserPtr::<usize>::from(base).with_null_terminated(&mut s, |argv| {
            argv.sort_unstable();
            argv.to_vec()
        })
    );
    assert_eq!(r, Ok(vec![1, 2, 3]));
    let r =
        lend!(UserConstPtr::<usize>::from(base).with_null_terminated(&mut s, <[usize]>::to_vec));
    assert_eq!(r, Ok(vec![1, 2, 3]));
    let (r, seen) = scoped(|mark| {
        lend!(UserConstPtr::<usize>::from(base + 1).with_null_terminated(&mut s, |_| mark()))
    });
    assert_eq!((r, seen), (Err(LinuxError::EFAULT), None), "misaligned");
}

#[test]
fn a_panicking_closure_closes_the_window() {
    let (mut s, base) = space();
    let caught = catch_unwind(AssertUnwindSafe(|| {
        lend!(
            UserConstPtr::<u8>::from(base)
                .with(&mut s, |_| panic!("a kernel bug inside the window"))
        )
    }));
    assert!(caught.is_err());
    assert!(!is_accessing_user_memory());
}

#[test]
fn windows_nest_with_other_accesses() {
    let (mut s, base) = space();
    let (mut other, other_base) = space();
    other.poke(other_base, &5u32.to_ne_bytes());
    let r = lend!(UserPtr::<u32>::from(base).with(&mut s, |v| {
        // A copy from another space inside the window: it validates with
        // the flag cleared, copies with it set, and leaves it set.
        let x = UserConstPtr::<u32>::from(other_base).read(&mut other);
        let still_inside = is_accessing_user_memory();
        *v = x.unwrap_or(0) * 2;
        (x, still_inside)
    }));
    assert_eq!(r, Ok((Ok(5), true)));
    assert!(!is_accessing_user_memory());
    assert_eq!(s.peek(base, 4), 10u32.to_ne_bytes());
}
