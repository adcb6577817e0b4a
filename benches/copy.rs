//! Bar 2: the copy API against a plain copy of the same bytes.
//!
//! `read_slice` / `write_slice` of 64 B, 4 KiB and 64 KiB between a kernel
//! buffer and populated user memory of a `SimSpace`, against
//! `copy_from_slice` between the same two buffers (validation, the fault
//! flag and the fallible copy routine are the difference).

mod common;

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn main() {
    sim_host::main();
}

#[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
fn main() {
    eprintln!("the copy benchmarks run on axptr's `sim` address space: Linux x86_64 only");
}

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod sim_host {
    use std::{hint::black_box, time::SystemTime};

    use axptr::{MappingFlags, UserConstPtr, UserPtr, sim::SimSpace};
    use criterion::{Criterion, Throughput};

    use crate::common::{self, Bar, PAGE, ROUNDS, Ratio, round_param_id};

    const SIZES: [usize; 3] = [64, 4 * 1024, 64 * 1024];

    /// The user buffer as a kernel slice, for the plain copies.
    ///
    /// # Safety
    ///
    /// `[addr, addr + len)` must stay mapped read-write and present, and
    /// not be accessed otherwise, while the slice lives.
    unsafe fn user_slice<'a>(addr: usize, len: usize) -> &'a mut [u8] {
        // SAFETY: as the caller guarantees.
        unsafe {
            core::slice::from_raw_parts_mut(core::ptr::with_exposed_provenance_mut(addr), len)
        }
    }

    fn copy(c: &mut Criterion) {
        let max = SIZES[SIZES.len() - 1];
        let space = SimSpace::new(max + PAGE).expect("SimSpace");
        let addr = space.base();
        space
            .map(addr, max, MappingFlags::READ | MappingFlags::WRITE)
            .expect("map");
        let pattern: Vec<u8> = (0..max).map(|i| (i % 251) as u8).collect();
        space.poke(addr, &pattern).expect("poke");

        let mut group = c.benchmark_group("copy");
        common::rounds_config(&mut group);
        for size in SIZES {
            let mut user = space.provider();
            let mut kernel = vec![0u8; size];
            group.throughput(Throughput::Bytes(size as u64));
            for round in 1..=ROUNDS {
                let mut order = vec![0, 1, 2, 3];
                if round % 2 == 0 {
                    order.reverse();
                }
                for contender in order {
                    match contender {
                        0 => {
                            let id = round_param_id("read_slice", size, round);
                            group.bench_function(id, |b| {
                                let src = UserConstPtr::<u8>::from(addr);
                                b.iter(|| {
                                    black_box(black_box(src).read_slice(&mut user, &mut kernel))
                                });
                            });
                            assert_eq!(kernel, pattern[..size]);
                        }
                        1 => {
                            let id = round_param_id("copy_from_slice_in", size, round);
                            group.bench_function(id, |b| {
                                // SAFETY: the space maps `size` bytes at
                                // `addr` for as long as it lives, and only
                                // this copy touches them here.
                                let src = unsafe { user_slice(addr, size) };
                                b.iter(|| black_box(&mut kernel).copy_from_slice(black_box(&*src)));
                            });
                        }
                        2 => {
                            let id = round_param_id("write_slice", size, round);
                            group.bench_function(id, |b| {
                                let dst = UserPtr::<u8>::from(addr);
                                b.iter(|| {
                                    black_box(black_box(dst).write_slice(&mut user, &kernel))
                                });
                            });
                        }
                        _ => {
                            let id = round_param_id("copy_from_slice_out", size, round);
                            group.bench_function(id, |b| {
                                // SAFETY: as above.
                                let dst = unsafe { user_slice(addr, size) };
                                b.iter(|| black_box(&mut *dst).copy_from_slice(black_box(&kernel)));
                            });
                        }
                    }
                }
            }
            assert_eq!(space.peek(addr, size).expect("peek"), pattern[..size]);
        }
        group.finish();
    }

    pub(crate) fn main() {
        let start = SystemTime::now();
        let mut c = common::criterion();
        copy(&mut c);
        c.final_summary();

        let mut ratios = Vec::new();
        for size in SIZES {
            let bar = if size == 64 * 1024 {
                Bar::AtMost(1.2)
            } else {
                Bar::None
            };
            for (axptr, plain) in [
                ("read_slice", "copy_from_slice_in"),
                ("write_slice", "copy_from_slice_out"),
            ] {
                ratios.push(Ratio::rounds(
                    "copy",
                    &format!("{axptr}/{size}"),
                    &format!("{plain}/{size}"),
                    bar,
                ));
            }
        }
        common::report("Copy API / copy_from_slice", &ratios, start);
    }
}
