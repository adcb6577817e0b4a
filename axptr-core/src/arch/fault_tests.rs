//! The routines against real faults, on the host simulation (`sim`): its
//! SIGSEGV handler plays the kernel's, populating lazy pages and sending
//! the rest to [`fixup_for`](super::fixup_for). The sim's validation would
//! refuse bad memory before a routine runs, so these call the routines
//! (and the `uaccess` helpers built on them) directly on unmapped,
//! read-only and lazy pages.

use alloc::{vec, vec::Vec};
use core::time::Duration;
use std::{
    sync::atomic::{AtomicBool, Ordering},
    time::Instant,
};

use axerrno::LinuxError;
use page_table_multiarch::MappingFlags;

use super::{
    UserAtomicOp, UserFault, clear_raw, copy_until_zero_u64,
    tests::{atomic_cases, cstr_copies},
    user_atomic_u32,
};
use crate::{
    access_user_memory,
    sim::{FaultStats, SimSpace},
    uaccess::{atomic_u32_validated, clear_validated, run_fused},
};

const PAGE: usize = 4096;
const RW: MappingFlags = MappingFlags::READ.union(MappingFlags::WRITE);
const RO: MappingFlags = MappingFlags::READ;
const FILL: u8 = 0xee;

/// The fused C-string copy, inside an access that may be nested.
///
/// # Safety
///
/// As [`run_fused`].
unsafe fn copy_cstr(dst: *mut u8, src: usize, len: usize) -> Result<Option<usize>, LinuxError> {
    // SAFETY: as the caller guarantees; the routine is the one for bytes.
    unsafe { run_fused::<u8, true>(dst, src, len, super::copy_until_nul) }
}

/// The fused copy of a zero-terminated array of 8-byte elements.
///
/// # Safety
///
/// As [`run_fused`].
unsafe fn copy_u64_array(
    dst: *mut u64,
    src: usize,
    elems: usize,
) -> Result<Option<usize>, LinuxError> {
    // SAFETY: as the caller guarantees; the routine is the one for 8-byte
    // elements.
    unsafe { run_fused::<u64, true>(dst, src, elems, copy_until_zero_u64) }
}

/// A space whose first page is mapped with `flags` and whose second is
/// unmapped (its accesses fault and cannot be resolved).
fn page_before_a_hole(flags: MappingFlags) -> SimSpace {
    let space = SimSpace::new(4 * PAGE).expect("a simulated space");
    space.map(space.base(), PAGE, flags).expect("map");
    space
}

/// Non-zero bytes.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8 + 1).collect()
}

fn fixups_since(space: &SimSpace, before: FaultStats) -> u64 {
    space.stats().fixups - before.fixups
}

#[test]
fn cstr_copy_ending_before_a_hole_reads_nothing_past_the_nul() {
    let space = page_before_a_hole(RO);
    let hole = space.base() + PAGE;
    let mut text = pattern(PAGE);
    text[PAGE - 1] = 0;
    space.poke(space.base(), &text).unwrap();
    for (name, copy) in cstr_copies() {
        // Every start in the last 300 bytes, and a limit far into the hole:
        // the NUL is the page's last byte, so the copy must not touch the
        // next page.
        for start in hole - 300..hole {
            let before = space.stats();
            let want = hole - start;
            let mut dst = vec![FILL; 700];
            let copied = access_user_memory(|| {
                // SAFETY: `dst` has room for the limit; the source is user
                // memory up to its NUL, whose faults the sim recovers.
                unsafe { copy(dst.as_mut_ptr(), start as *const u8, 600) }
            });
            assert_eq!(copied, want, "{name} from {:#x}", start - space.base());
            assert_eq!(fixups_since(&space, before), 0, "{name}: no fault");
            assert_eq!(&dst[..want], &text[PAGE - want..]);
            assert!(dst[want..].iter().all(|&b| b == FILL));
        }
    }
    // The helper: the NUL's index.
    let mut dst = [0u8; 64];
    // SAFETY: `dst` holds 64 bytes; the source was mapped above.
    let found = unsafe { copy_cstr(dst.as_mut_ptr(), hole - 10, 64) };
    assert_eq!(found, Ok(Some(9)));
    assert_eq!(&dst[..10], &text[PAGE - 10..]);
}

#[test]
fn cstr_copy_running_into_a_hole_reports_exactly_what_it_copied() {
    let space = page_before_a_hole(RO);
    let hole = space.base() + PAGE;
    let text = pattern(PAGE);
    space.poke(space.base(), &text).unwrap();
    for (name, copy) in cstr_copies() {
        for start in hole - 300..hole {
            let good = hole - start;
            for limit in [good, good + 1, good + 7, good + 64, 1000] {
                let before = space.stats();
                let mut dst = vec![FILL; 1100];
                let copied = access_user_memory(|| {
                    // SAFETY: as above.
                    unsafe { copy(dst.as_mut_ptr(), start as *const u8, limit) }
                });
                let what = (name, good, limit);
                // Aligned loads fault on the first block of the hole, after
                // every byte before it was stored.
                #[cfg(target_arch = "x86_64")]
                assert_eq!(copied, good, "{what:?}");
                assert!(copied <= good && copied + 8 > good, "{what:?}: {copied}");
                let faults = fixups_since(&space, before);
                assert_eq!(faults, u64::from(limit > good), "{what:?}");
                assert_eq!(&dst[..copied], &text[PAGE - good..PAGE - good + copied]);
                assert!(dst[copied..].iter().all(|&b| b == FILL), "{what:?}");
            }
        }
    }
    // The helper: no NUL within a limit that stays in the page is `None`;
    // one that runs into the hole is EFAULT.
    let mut dst = [0u8; 64];
    // SAFETY: `dst` holds 64 bytes; the source bytes were mapped above (or
    // fault into the hole, which the sim recovers).
    unsafe {
        assert_eq!(copy_cstr(dst.as_mut_ptr(), hole - 64, 64), Ok(None));
        assert_eq!(
            copy_cstr(dst.as_mut_ptr(), hole - 10, 64),
            Err(LinuxError::EFAULT)
        );
        assert_eq!(
            copy_cstr(dst.as_mut_ptr(), hole, 64),
            Err(LinuxError::EFAULT)
        );
    }
}

#[test]
fn u64_array_copy_stops_at_the_hole_or_before_it() {
    let space = page_before_a_hole(RO);
    let hole = space.base() + PAGE;
    let words: Vec<u8> = (1..=PAGE as u64 / 8)
        .flat_map(|i| (i * 0x0101_0101).to_ne_bytes())
        .collect();
    space.poke(space.base(), &words).unwrap();
    for start in hole - 200..hole {
        let whole = (hole - start) / 8;
        let before = space.stats();
        let mut dst = vec![u64::MAX; 64];
        let copied = access_user_memory(|| {
            // SAFETY: room for 60 elements; the source faults into the hole,
            // which the sim recovers.
            unsafe { copy_until_zero_u64(dst.as_mut_ptr(), start as *const u8, 60) }
        });
        // The element straddling the hole (if any) faults as a whole.
        assert_eq!(copied, whole, "start {:#x}", start - space.base());
        assert_eq!(fixups_since(&space, before), 1);
        let expected = &words[PAGE - (hole - start)..];
        for (i, elem) in dst.iter().enumerate() {
            if i < copied {
                let bytes: [u8; 8] = expected[i * 8..i * 8 + 8].try_into().unwrap();
                assert_eq!(*elem, u64::from_ne_bytes(bytes));
            } else {
                assert_eq!(*elem, u64::MAX, "nothing written past the fault");
            }
        }
    }
    // A zero element just before the hole ends the copy without a fault.
    space.poke(hole - 8, &[0; 8]).unwrap();
    let mut dst = [0u64; 16];
    // SAFETY: room for 16 elements; the source is mapped up to the zero one.
    let found = unsafe { copy_u64_array(dst.as_mut_ptr(), hole - 40, 16) };
    assert_eq!(found, Ok(Some(4)));
    // SAFETY: as above; the fifth element lies in the hole.
    let fault = unsafe { copy_u64_array(dst.as_mut_ptr(), hole - 44, 16) };
    assert_eq!(fault, Err(LinuxError::EFAULT));
}

#[test]
fn clear_running_into_a_hole_reports_what_it_left() {
    let space = page_before_a_hole(RW);
    let hole = space.base() + PAGE;
    for start in hole - 300..hole {
        let good = hole - start;
        for len in [good, good + 1, good + 9, good + 100, 2000] {
            space.poke(hole - 400, &[FILL; 400]).unwrap();
            let before = space.stats();
            let left = access_user_memory(|| {
                // SAFETY: user memory whose faults the sim recovers.
                unsafe { clear_raw(start as *mut u8, len) }
            });
            let cleared = len - left;
            let what = (good, len, left);
            assert!(cleared <= good && cleared + 8 > good, "{what:?}");
            assert_eq!(
                fixups_since(&space, before),
                u64::from(len > good),
                "{what:?}"
            );
            let page = space.peek(start, good).unwrap();
            assert!(page[..cleared].iter().all(|&b| b == 0), "{what:?}");
            assert!(page[cleared..].iter().all(|&b| b == FILL), "{what:?}");
        }
    }
    // A read-only page: nothing cleared.
    space.protect(space.base(), PAGE, RO).unwrap();
    // SAFETY: user memory whose faults the sim recovers.
    assert_eq!(unsafe { clear_validated(hole - 100, 100) }, 100);
    // SAFETY: as above.
    assert_eq!(unsafe { clear_validated(hole - 8, 0) }, 0);
}

#[test]
fn atomics_on_a_missing_or_read_only_word_fault() {
    let space = page_before_a_hole(RO);
    let base = space.base();
    space.poke(base + 8, &0x1234_5678u32.to_ne_bytes()).unwrap();
    for (op, ..) in atomic_cases() {
        let before = space.stats();
        let in_hole = access_user_memory(|| {
            // SAFETY: an aligned word whose faults the sim recovers.
            unsafe { user_atomic_u32((base + PAGE + 4) as *mut u32, op) }
        });
        assert_eq!(in_hole, Err(UserFault), "{op:?}");
        // On the read-only page, a write faults. The comparison of this
        // compare-exchange succeeds, so it writes on every architecture.
        let op = match op {
            UserAtomicOp::CompareExchange { new, .. } => UserAtomicOp::CompareExchange {
                expected: 0x1234_5678,
                new,
            },
            op => op,
        };
        // SAFETY: as above.
        let read_only = unsafe { atomic_u32_validated(base + 8, op) };
        if op == UserAtomicOp::Load {
            assert_eq!(read_only, Ok(0x1234_5678));
            assert_eq!(fixups_since(&space, before), 1);
        } else {
            assert_eq!(read_only, Err(LinuxError::EFAULT), "{op:?}");
            assert_eq!(fixups_since(&space, before), 2);
        }
        assert_eq!(
            space.peek(base + 8, 4).unwrap(),
            0x1234_5678u32.to_ne_bytes()
        );
    }
    // SAFETY: misaligned: refused before any access.
    let misaligned = unsafe { atomic_u32_validated(base + 2, UserAtomicOp::Load) };
    assert_eq!(misaligned, Err(LinuxError::EINVAL));
}

#[test]
fn routines_fault_lazy_pages_in_and_resume() {
    let space = SimSpace::new(8 * PAGE).unwrap();
    let base = space.base();
    space.map_lazy(base, 6 * PAGE, RW).unwrap();
    space.set_demand_paging(true);
    // A string over pages 0 and 1, an array over 1 and 2, a clear over 2
    // and 3, atomics on 4 and 5: each page faults in once, during the
    // routine, and nothing needs the fixup.
    let text = pattern(PAGE + 100);
    space.poke(base + 50, &text).unwrap();
    space.poke(base + 50 + text.len(), &[0]).unwrap();
    space.evict(base, 6 * PAGE).unwrap();
    for (name, copy) in cstr_copies() {
        space.evict(base, 2 * PAGE).unwrap();
        let before = space.stats();
        let mut dst = vec![FILL; PAGE + 200];
        let copied = access_user_memory(|| {
            // SAFETY: `dst` has room; lazy user memory the sim populates.
            unsafe { copy(dst.as_mut_ptr(), (base + 50) as *const u8, PAGE + 200) }
        });
        assert_eq!(copied, text.len() + 1, "{name}");
        assert_eq!(&dst[..text.len()], &text[..]);
        let stats = space.stats();
        assert_eq!(stats.resolved - before.resolved, 2, "{name}");
        assert_eq!(stats.fixups, 0);
    }

    let array = base + 2 * PAGE - 16;
    space
        .poke(
            array,
            &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16],
        )
        .unwrap();
    let mut dst = [u64::MAX; 4];
    // SAFETY: room for 4 elements; lazy user memory the sim populates (the
    // third element is the zero-filled start of page 2).
    let found = unsafe { copy_u64_array(dst.as_mut_ptr(), array, 4) };
    assert_eq!(found, Ok(Some(2)));

    space.poke(base + 3 * PAGE - 10, &[FILL; 20]).unwrap();
    space.evict(base + 2 * PAGE, 2 * PAGE).unwrap();
    // SAFETY: lazy user memory the sim populates.
    assert_eq!(unsafe { clear_validated(base + 3 * PAGE - 10, 20) }, 0);
    assert_eq!(space.peek(base + 3 * PAGE - 10, 20).unwrap(), [0; 20]);

    for (i, (op, before_value, result, after)) in atomic_cases().into_iter().enumerate() {
        let word = base + 4 * PAGE + (i % 2) * PAGE + 4 * i;
        space.poke(word, &before_value.to_ne_bytes()).unwrap();
        space.evict(base + 4 * PAGE, 2 * PAGE).unwrap();
        let resolved = space.stats().resolved;
        // SAFETY: an aligned lazy user word the sim populates.
        let got = unsafe { atomic_u32_validated(word, op) };
        assert_eq!(got, Ok(result), "{op:?}");
        assert_eq!(space.peek(word, 4).unwrap(), after.to_ne_bytes(), "{op:?}");
        assert!(
            space.stats().resolved > resolved,
            "{op:?} faulted its page in"
        );
    }
    assert_eq!(space.stats().fixups, 0);
}

/// Another user thread unmaps and remaps the pages under a string copy and
/// atomic operations: every result is a consistent success or a fault, and
/// the process survives.
#[test]
fn scans_and_atomics_racing_unmap_get_a_result_or_a_fault() {
    const PAGES: usize = 8;
    let space = SimSpace::new(PAGES * PAGE).unwrap();
    let base = space.base();
    let text = pattern(PAGES * PAGE - 200);
    let fill = |space: &SimSpace| {
        space.map(base, PAGES * PAGE, RW).unwrap();
        space.poke(base + 100, &text).unwrap();
    };
    fill(&space);
    // After the text's terminating zeros, so the copies never read it.
    let counter = base + PAGES * PAGE - 8;
    let stop = AtomicBool::new(false);
    let start = Instant::now();
    let (least, most) = (Duration::from_secs(1), Duration::from_secs(4));
    let (mut oks, mut faults) = (0u64, 0u64);
    std::thread::scope(|scope| {
        let remapper = scope.spawn(|| {
            let mut rounds = 0u64;
            while !stop.load(Ordering::Relaxed) {
                space.unmap(base, PAGES * PAGE).unwrap();
                std::thread::yield_now();
                fill(&space);
                std::thread::yield_now();
                rounds += 1;
            }
            rounds
        });
        // Stops the remapper also if an assertion fails here.
        let _stop = StopOnDrop(&stop);
        let copies = cstr_copies();
        let mut dst = vec![0u8; PAGES * PAGE];
        let mut round = 0usize;
        loop {
            let (name, copy) = copies[round % copies.len()];
            round += 1;
            let copied = access_user_memory(|| {
                // SAFETY: `dst` has room for the limit; user memory whose
                // faults the sim recovers.
                unsafe { copy(dst.as_mut_ptr(), (base + 100) as *const u8, dst.len() - 100) }
            });
            // The bytes copied are the text's, except that a remapped page
            // reads as zeros until refilled: then the copy stops at its
            // first zero byte, which must be the last byte copied.
            let (last, body) = dst[..copied].split_last().unwrap_or((&1, &[]));
            assert!(body.iter().all(|&b| b != 0), "{name}: a NUL before the end");
            assert!(
                body.iter().zip(&text).all(|(a, b)| a == b),
                "{name}: bytes that were never in the page"
            );
            if copied > 0 && *last == 0 {
                oks += 1;
            } else {
                faults += 1;
            }
            let op = UserAtomicOp::FetchAdd(1);
            match access_user_memory(|| {
                // SAFETY: an aligned word whose faults the sim recovers.
                unsafe { user_atomic_u32(counter as *mut u32, op) }
            }) {
                Ok(_) => oks += 1,
                Err(UserFault) => faults += 1,
            }
            let elapsed = start.elapsed();
            if elapsed > most || (elapsed > least && oks > 0 && faults > 0) {
                break;
            }
        }
        stop.store(true, Ordering::Relaxed);
        assert!(remapper.join().unwrap() > 0);
    });
    let stats = space.stats();
    assert!(oks > 0 && faults > 0, "{oks} ok, {faults} faults");
    assert!(
        stats.fixups >= faults,
        "every fault went through the fixup: {stats:?}"
    );
}

struct StopOnDrop<'a>(&'a AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}
