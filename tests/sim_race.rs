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
