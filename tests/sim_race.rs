//! A user thread unmaps and remaps a buffer while the kernel copies from and
//! to it: every copy returns Ok or EFAULT, and the process survives.
#![cfg(all(target_os = "linux", target_arch = "x86_64", not(miri)))]

mod sim_support;

use std::{
    sync::atomic::{AtomicBool, Ordering},
    time::{Duration, Instant},
};

use axptr::{LinuxError, UserConstPtr, UserPtr, sim::SimSpace};
use sim_support::{PAGE, RW};

const PAGES: usize = 16;

#[test]
fn copies_racing_unmap_and_remap_get_ok_or_efault() {
    let space = SimSpace::new(PAGES * PAGE).unwrap();
    let buf = space.base();
    space.map(buf, PAGES * PAGE, RW).unwrap();
    let stop = AtomicBool::new(false);
    let start = Instant::now();
    // Race for at least a second, at most four.
    let (least, most) = (Duration::from_secs(1), Duration::from_secs(4));

    let (oks, efaults) = std::thread::scope(|scope| {
        let remapper = scope.spawn(|| {
            let mut round = 0u64;
            while !stop.load(Ordering::Relaxed) {
                space.unmap(buf, PAGES * PAGE).unwrap();
                std::thread::yield_now();
                if round % 2 == 0 {
                    space.map(buf, PAGES * PAGE, RW).unwrap();
                } else {
                    space.map_lazy(buf, PAGES * PAGE, RW).unwrap();
                }
                std::thread::yield_now();
                round += 1;
            }
            round
        });

        let (mut oks, mut efaults) = (0u64, 0u64);
        let mut user = space.provider();
        let mut kernel_buf = vec![0u8; (PAGES - 1) * PAGE];
        let data = vec![0x5au8; (PAGES - 1) * PAGE];
        loop {
            let read = UserConstPtr::<u8>::from(buf + 123).read_slice(&mut user, &mut kernel_buf);
            let write = UserPtr::<u8>::from(buf + 77).write_slice(&mut user, &data);
            for result in [read, write] {
                match result {
                    Ok(()) => oks += 1,
                    Err(LinuxError::EFAULT) => efaults += 1,
                    Err(other) => panic!("a racing copy returned {other:?}"),
                }
            }
            let seen_all = space.stats().fixups > 0 && oks > 0 && efaults > 0;
            let elapsed = start.elapsed();
            if elapsed > most || (elapsed > least && seen_all) {
                break;
            }
        }
        stop.store(true, Ordering::Relaxed);
        assert!(remapper.join().unwrap() > 0);
        (oks, efaults)
    });
    let stats = space.stats();
    eprintln!("{oks} ok, {efaults} EFAULT, {stats:?}");
    assert!(
        oks > 0 && efaults > 0,
        "both outcomes occur: {oks} ok, {efaults} EFAULT"
    );
    assert!(
        stats.fixups > 0,
        "some copies lost their pages after validation and were rescued by the fixup: {stats:?}"
    );
}

/// The cursors under the same race, with only the second half of the
/// buffer coming and going: every transfer returns a count no larger than
/// asked (the whole buffer, the mapped first half, or a point in between
/// when the fixup stopped a copy mid-page) or EFAULT, never an error after
/// progress, and the first half always transfers.
#[test]
fn cursors_racing_unmap_report_partial_counts() {
    const HALF: usize = PAGES / 2 * PAGE;
    let space = SimSpace::new(PAGES * PAGE).unwrap();
    let buf = space.base();
    space.map(buf, PAGES * PAGE, RW).unwrap();
    let stop = AtomicBool::new(false);
    let start = Instant::now();
    let (least, most) = (Duration::from_secs(1), Duration::from_secs(4));

    let (full, partial, mid_page) = std::thread::scope(|scope| {
        let remapper = scope.spawn(|| {
            while !stop.load(Ordering::Relaxed) {
                space.unmap(buf + HALF, HALF).unwrap();
                std::thread::yield_now();
                space.map(buf + HALF, HALF, RW).unwrap();
                std::thread::yield_now();
            }
        });
        let (mut full, mut partial, mut mid_page) = (0u64, 0u64, 0u64);
        let mut user = space.provider();
        let mut kernel_buf = vec![0u8; PAGES * PAGE];
        let data = vec![0x5au8; PAGES * PAGE];
        loop {
            let mut r = UserConstPtr::<u8>::from(buf).reader(PAGES * PAGE);
            let read = r.read(&mut user, &mut kernel_buf);
            let mut w = UserPtr::<u8>::from(buf).writer(PAGES * PAGE);
            let write = w.write(&mut user, &data);
            for n in [read, write] {
                let n = n.expect("the first half is always mapped: never EFAULT");
                assert!((HALF..=PAGES * PAGE).contains(&n), "count {n}");
                if n == PAGES * PAGE {
                    full += 1;
                } else {
                    partial += 1;
                    if n % PAGE != 0 {
                        mid_page += 1;
                    }
                }
            }
            // A short read zeroed the rest of the kernel buffer.
            if let Ok(n) = read {
                assert!(kernel_buf[n..].iter().all(|&b| b == 0));
            }
            let elapsed = start.elapsed();
            if elapsed > most || (elapsed > least && full > 0 && partial > 0) {
                break;
            }
        }
        stop.store(true, Ordering::Relaxed);
        remapper.join().unwrap();
        (full, partial, mid_page)
    });
    eprintln!("{full} whole, {partial} partial ({mid_page} stopped mid-page by the fixup)");
    assert!(full > 0 && partial > 0, "{full} whole, {partial} partial");
}
