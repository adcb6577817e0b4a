//! The routines on valid memory: every length and alignment, exactly.
//! (Faults: `fault_tests.rs`, on the host simulation.) These run on the
//! assembly routines natively and on `generic.rs` under Miri.

use alloc::{vec, vec::Vec};

use super::{
    UserAtomicOp, clear_raw, copy_raw, copy_until_nul, copy_until_zero_u64, fixup_for,
    user_atomic_u32,
};

/// A byte-string copy routine (`copy_until_nul` and, on the x86_64 host,
/// each of its versions too).
type CstrCopy = unsafe fn(*mut u8, *const u8, usize) -> usize;

/// Every C-string copy routine this build has, by name.
pub(super) fn cstr_copies() -> Vec<(&'static str, CstrCopy)> {
    #[allow(unused_mut)]
    let mut copies: Vec<(&'static str, CstrCopy)> = vec![("copy_until_nul", copy_until_nul)];
    #[cfg(all(target_arch = "x86_64", not(miri), not(target_os = "none")))]
    {
        use super::x86_64;
        copies.push(("copy_until_nul_words", x86_64::copy_until_nul_words));
        copies.push(("copy_until_nul_sse2", x86_64::copy_until_nul_sse2));
        if x86_64::has_avx2() {
            copies.push(("copy_until_nul_avx2", x86_64::copy_until_nul_avx2));
        }
    }
    copies
}

/// Lengths and alignment offsets to try: Miri interprets every byte, so
/// fewer there.
fn lengths_and_offsets() -> (core::ops::Range<usize>, core::ops::Range<usize>) {
    if cfg!(miri) {
        (0..20, 0..3)
    } else {
        (0..300, 0..9)
    }
}

/// Bytes that are never zero.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8 + 1).collect()
}

const FILL: u8 = 0xee;

#[test]
fn copies_every_length_at_every_alignment() {
    let src: Vec<u8> = (0..400u32).map(|i| (i * 7 + 3) as u8).collect();
    let (lengths, offsets) = lengths_and_offsets();
    for len in lengths {
        for src_off in offsets.clone() {
            for dst_off in offsets.clone() {
                let mut dst = [0u8; 320];
                // SAFETY: both ranges lie inside their own arrays.
                let left = unsafe {
                    copy_raw(
                        dst.as_mut_ptr().add(dst_off),
                        src.as_ptr().add(src_off),
                        len,
                    )
                };
                assert_eq!(left, 0);
                assert_eq!(&dst[dst_off..dst_off + len], &src[src_off..src_off + len]);
                assert!(dst[..dst_off].iter().all(|&b| b == 0), "nothing before");
                assert!(
                    dst[dst_off + len..].iter().all(|&b| b == 0),
                    "nothing after"
                );
            }
        }
    }
}

#[test]
fn cstr_copy_stops_right_after_the_nul_or_at_the_limit() {
    let (lengths, offsets) = lengths_and_offsets();
    let max = lengths.end;
    for (name, copy) in cstr_copies() {
        for limit in lengths.clone() {
            // NUL positions: at the start, inside, at the last byte the
            // limit allows, just past it, and none at all.
            let mut nuls = vec![
                0,
                1,
                limit / 2,
                limit.saturating_sub(2),
                limit.saturating_sub(1),
            ];
            nuls.extend([limit, max + 8]);
            nuls.sort_unstable();
            nuls.dedup();
            for nul in nuls {
                let mut src = pattern(max + 32);
                if let Some(byte) = src.get_mut(nul) {
                    *byte = 0;
                }
                let expected = if nul < limit { nul + 1 } else { limit };
                for src_off in offsets.clone() {
                    // The string starts at `src_off`: shift it there.
                    let mut shifted = vec![0x5a; src_off];
                    shifted.extend_from_slice(&src);
                    for dst_off in offsets.clone() {
                        let mut dst = vec![FILL; max + 16];
                        // SAFETY: the destination has room for `limit`
                        // bytes after `dst_off`, the source holds `limit`
                        // bytes after `src_off`.
                        let copied = unsafe {
                            copy(
                                dst.as_mut_ptr().add(dst_off),
                                shifted.as_ptr().add(src_off),
                                limit,
                            )
                        };
                        let what = (name, limit, nul, src_off, dst_off);
                        assert_eq!(copied, expected, "{what:?}");
                        assert_eq!(&dst[dst_off..dst_off + copied], &src[..copied], "{what:?}");
                        assert!(dst[..dst_off].iter().all(|&b| b == FILL), "{what:?}");
                        assert!(
                            dst[dst_off + copied..].iter().all(|&b| b == FILL),
                            "written past the NUL or the limit: {what:?}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn cstr_copy_of_a_long_string_finds_a_nul_in_every_position_of_a_block() {
    // The 64-byte groups of the SSE2 copy, the 256-byte groups of the AVX2
    // one and the word pairs: a NUL at every offset of a long run, from
    // every source alignment.
    let (_, offsets) = lengths_and_offsets();
    let (len, run) = if cfg!(miri) { (80, 80) } else { (1100, 300) };
    for (name, copy) in cstr_copies() {
        for nul in (len - run..len).chain([len / 2]) {
            let mut src = pattern(len + 64);
            src[nul] = 0;
            for src_off in offsets.clone() {
                let mut shifted = vec![0x5a; src_off];
                shifted.extend_from_slice(&src);
                let mut dst = vec![FILL; len + 64];
                // SAFETY: both buffers hold `len + 64` bytes past the
                // offsets used.
                let copied =
                    unsafe { copy(dst.as_mut_ptr(), shifted.as_ptr().add(src_off), len + 64) };
                assert_eq!(copied, nul + 1, "{name} nul {nul} src_off {src_off}");
                assert_eq!(&dst[..copied], &src[..copied]);
                assert!(dst[copied..].iter().all(|&b| b == FILL));
            }
        }
    }
}

#[test]
fn u64_array_copy_stops_right_after_the_zero_element_or_at_the_limit() {
    let (max, offsets): (usize, _) = if cfg!(miri) { (6, 0..3) } else { (40, 0..9) };
    let elems: Vec<u64> = (0..max as u64 + 4)
        .map(|i| 0x0102_0304_0506_0700 + i * 0x1111)
        .collect();
    for limit in 0..max {
        for zero in [0, 1, limit / 2, limit.saturating_sub(1), limit, max + 2] {
            let mut src = elems.clone();
            if let Some(elem) = src.get_mut(zero) {
                *elem = 0;
            }
            let bytes: Vec<u8> = src.iter().flat_map(|e| e.to_ne_bytes()).collect();
            let expected = if zero < limit { zero + 1 } else { limit };
            for src_off in offsets.clone() {
                let mut shifted = vec![0x5a; src_off];
                shifted.extend_from_slice(&bytes);
                let mut dst = vec![u64::MAX; max + 4];
                // SAFETY: room for `limit` elements on both sides; `dst`
                // is a `u64` array, so aligned.
                let copied = unsafe {
                    copy_until_zero_u64(dst.as_mut_ptr(), shifted.as_ptr().add(src_off), limit)
                };
                let what = (limit, zero, src_off);
                assert_eq!(copied, expected, "{what:?}");
                assert_eq!(&dst[..copied], &src[..copied], "{what:?}");
                assert!(dst[copied..].iter().all(|&e| e == u64::MAX), "{what:?}");
            }
        }
    }
}

#[test]
fn clear_zeroes_every_length_at_every_alignment() {
    let (lengths, offsets) = lengths_and_offsets();
    for len in lengths {
        for off in offsets.clone() {
            let mut dst = vec![FILL; 320];
            // SAFETY: the range lies inside the array.
            let left = unsafe { clear_raw(dst.as_mut_ptr().add(off), len) };
            assert_eq!(left, 0);
            assert!(
                dst[off..off + len].iter().all(|&b| b == 0),
                "{len} at {off}"
            );
            assert!(dst[..off].iter().all(|&b| b == FILL), "nothing before");
            assert!(dst[off + len..].iter().all(|&b| b == FILL), "nothing after");
        }
    }
}

/// The operations' cases, shared with the bare-metal checker.
pub(super) fn atomic_cases() -> [(UserAtomicOp, u32, u32, u32); 14] {
    super::interface::ATOMIC_CASES
}

#[test]
fn atomics_return_the_old_value_and_leave_the_new_one() {
    for (op, before, result, after) in atomic_cases() {
        // Neighbours that must not change.
        let mut words = [0x5555_5555u32, before, 0xaaaa_aaaa];
        // SAFETY: an aligned word of our own array, accessed only here.
        let got = unsafe { user_atomic_u32(&raw mut words[1], op) };
        assert_eq!(got, Ok(result), "{op:?}");
        assert_eq!(words, [0x5555_5555, after, 0xaaaa_aaaa], "{op:?}");
    }
}

#[test]
fn fixup_lookup_misses_outside_the_routines() {
    assert_eq!(fixup_for(0), None);
    assert_eq!(fixup_for(usize::MAX), None);
    let this_test = fixup_lookup_misses_outside_the_routines as *const ();
    assert_eq!(fixup_for(this_test.addr()), None);
}

#[cfg(not(miri))]
#[test]
fn every_routine_group_has_a_fault_range_ending_before_its_fixup() {
    let ranges: Vec<_> = super::imp::fault_ranges().collect();
    // copy, C string, u64 array, clear, atomics (and the x86_64 host's
    // AVX2 C-string copy).
    let host_x86 = cfg!(all(target_arch = "x86_64", not(target_os = "none")));
    assert_eq!(ranges.len(), if host_x86 { 6 } else { 5 });
    for range in ranges {
        assert!(
            range.start < range.end && range.end <= range.fixup,
            "{range:?}"
        );
        assert_eq!(fixup_for(range.start), Some(range.fixup));
        assert_eq!(fixup_for(range.end - 1), Some(range.fixup));
        assert_eq!(fixup_for(range.end), None, "{range:?}");
    }
}
