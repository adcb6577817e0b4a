//! Bar 3: the cost of validation.
//!
//! - `validation_sim` / `validation_heap`: `get` and `read` of a 64-byte
//!   `#[derive(UserCopy)]` struct against the least any framework must do:
//!   through the same provider, `check_region_access` and `populate_area`
//!   of its pages, then a dereference (a reference, or a copy of the
//!   struct). On a `SimSpace` (spin lock, area tree, present bitmap: the
//!   host setup) and on a `HeapSpace` (a page vector: the cheapest address
//!   space, so axptr's own share weighs most).
//! - `areas`: the same `get` in `SimSpace`s of 10, 100, 1,000 and 10,000
//!   areas (one page each, the accessed one in the middle): the area lookup
//!   must grow logarithmically.

mod common;

use std::{hint::black_box, time::SystemTime};

use axptr::{
    AddrSpace, AddrSpaceProvider, LinuxError, LinuxResult, MappingFlags, UserPtr, VirtAddr,
    VirtAddrRange, testing::HeapSpace,
};
use criterion::{BenchmarkGroup, Criterion, measurement::WallTime};

use common::{Bar, PAGE, ROUNDS, Ratio, Stat64, round_id};

/// In-place access: the in-place API is `unsafe`: the benchmark's space is touched by this
/// thread only, and each reference is dropped before the next iteration.
macro_rules! lend {
    ($call:expr) => {
        // SAFETY: see the macro's docs: nothing else reaches the lent memory while the reference lives.
        unsafe { $call }
    };
}

const FLAGS: MappingFlags = MappingFlags::READ.union(MappingFlags::WRITE);

/// The least a framework must do before lending `*addr`: check the range
/// and populate its pages, through the provider.
fn check_and_populate<P: AddrSpaceProvider>(provider: &mut P, addr: usize) -> LinuxResult<()> {
    let range = VirtAddrRange::try_from_start_size(VirtAddr::from(addr), size_of::<Stat64>())
        .ok_or(LinuxError::EFAULT)?;
    let pages = addr & !(PAGE - 1);
    let pages_size = range.end.as_usize().next_multiple_of(PAGE) - pages;
    provider.with_addr_space(|aspace| {
        if !aspace.check_region_access(range, FLAGS) {
            return Err(LinuxError::EFAULT);
        }
        aspace.populate_area(VirtAddr::from(pages), pages_size, FLAGS)
    })
}

/// The direct counterpart of `get`.
fn direct_get<P: AddrSpaceProvider>(provider: &mut P, addr: usize) -> LinuxResult<&mut Stat64> {
    check_and_populate(provider, addr)?;
    // SAFETY: checked and populated; the benchmark's memory is aligned and
    // stays mapped, and the reference borrows the provider like `get`'s.
    Ok(unsafe { &mut *core::ptr::with_exposed_provenance_mut(addr) })
}

/// The direct counterpart of `read`.
fn direct_read<P: AddrSpaceProvider>(provider: &mut P, addr: usize) -> LinuxResult<Stat64> {
    check_and_populate(provider, addr)?;
    // SAFETY: as in `direct_get`.
    Ok(unsafe { core::ptr::with_exposed_provenance::<Stat64>(addr).read() })
}

/// The four contenders on one provider, the struct at `addr`, in
/// [`ROUNDS`] rounds (every other round in reverse order).
fn bench_provider<P: AddrSpaceProvider>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    provider: &mut P,
    addr: usize,
) {
    let ptr = UserPtr::<Stat64>::from(addr);
    assert_eq!(ptr.read(provider).map(|s| s.ino), Ok(7));
    assert_eq!(direct_read(provider, addr).map(|s| s.ino), Ok(7));
    common::rounds_config(group);
    for round in 1..=ROUNDS {
        let order = if round % 2 == 1 {
            [0, 1, 2, 3]
        } else {
            [3, 2, 1, 0]
        };
        for contender in order {
            match contender {
                0 => group.bench_function(round_id("get", round), |b| {
                    b.iter(|| black_box(lend!(black_box(ptr).get(provider)).is_ok()));
                }),
                1 => group.bench_function(round_id("direct_get", round), |b| {
                    b.iter(|| black_box(direct_get(provider, black_box(addr)).is_ok()));
                }),
                2 => group.bench_function(round_id("read", round), |b| {
                    b.iter(|| black_box(black_box(ptr).read(provider)));
                }),
                _ => group.bench_function(round_id("direct_read", round), |b| {
                    b.iter(|| black_box(direct_read(provider, black_box(addr))));
                }),
            };
        }
    }
}

/// A struct to read, with a recognizable field.
fn stat_bytes() -> Vec<u8> {
    let mut bytes = vec![0u8; size_of::<Stat64>()];
    bytes[8..16].copy_from_slice(&7u64.to_ne_bytes());
    bytes
}

fn validation_heap(c: &mut Criterion) {
    let mut space = HeapSpace::new(4);
    let addr = space.base() + PAGE + 128;
    space.map(space.base(), 4 * PAGE, FLAGS);
    space.poke(addr, &stat_bytes());
    let mut group = c.benchmark_group("validation_heap");
    bench_provider(&mut group, &mut space, addr);
    group.finish();
}

fn ratios(group: &str) -> [Ratio; 2] {
    [
        Ratio::rounds(group, "get", "direct_get", Bar::AtMost(1.2)),
        Ratio::rounds(group, "read", "direct_read", Bar::AtMost(1.2)),
    ]
}

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod sim_host {
    use std::hint::black_box;

    use axptr::{UserPtr, sim::SimSpace};
    use criterion::Criterion;

    use super::{FLAGS, PAGE, ROUNDS, Stat64, bench_provider, stat_bytes};
    use crate::common::{self, round_param_id};

    pub(crate) const AREA_COUNTS: [usize; 4] = [10, 100, 1_000, 10_000];

    pub(crate) fn validation_sim(c: &mut Criterion) {
        let space = SimSpace::new(4 * PAGE).expect("SimSpace");
        let addr = space.base() + PAGE + 128;
        space.map(space.base(), 4 * PAGE, FLAGS).expect("map");
        space.poke(addr, &stat_bytes()).expect("poke");
        let mut group = c.benchmark_group("validation_sim");
        bench_provider(&mut group, &mut space.provider(), addr);
        group.finish();
    }

    pub(crate) fn areas(c: &mut Criterion) {
        let spaces: Vec<(usize, SimSpace, usize)> = AREA_COUNTS
            .into_iter()
            .map(|count| {
                let space = SimSpace::new(count * PAGE).expect("SimSpace");
                // One area per page: the space keeps them apart (the host
                // merges the mappings, so the kernel's VMA count stays
                // small).
                for area in 0..count {
                    space
                        .map(space.base() + area * PAGE, PAGE, FLAGS)
                        .expect("map");
                }
                let addr = space.base() + count / 2 * PAGE + 128;
                space.poke(addr, &stat_bytes()).expect("poke");
                (count, space, addr)
            })
            .collect();
        let mut group = c.benchmark_group("areas");
        common::rounds_config(&mut group);
        for round in 1..=ROUNDS {
            let mut order: Vec<_> = spaces.iter().collect();
            if round % 2 == 0 {
                order.reverse();
            }
            for (count, space, addr) in order {
                let ptr = UserPtr::<Stat64>::from(*addr);
                let mut user = space.provider();
                assert_eq!(lend!(ptr.get(&mut user)).map(|s| s.ino), Ok(7));
                group.bench_function(round_param_id("get", count, round), |b| {
                    b.iter(|| black_box(lend!(black_box(ptr).get(&mut user)).is_ok()));
                });
            }
        }
        group.finish();
    }
}

fn main() {
    let start = SystemTime::now();
    let mut c = common::criterion();
    let mut ratios = Vec::from(ratios("validation_heap"));
    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    {
        sim_host::validation_sim(&mut c);
        ratios.extend(crate::ratios("validation_sim"));
        sim_host::areas(&mut c);
        for count in sim_host::AREA_COUNTS {
            let bar = if count == 1_000 {
                Bar::AtMost(2.0)
            } else {
                Bar::None
            };
            ratios.push(Ratio::rounds(
                "areas",
                &format!("get/{count}"),
                "get/10",
                bar,
            ));
        }
    }
    validation_heap(&mut c);
    c.final_summary();
    common::report(
        "Validation: axptr / direct AddrSpace calls, N areas / 10 areas",
        &ratios,
        start,
    );
}
