//! Bar 4: the cost of a `#[syscall]` entry.
//!
//! A three-argument call with a user pointer (`fstatx(fd, buf, flags)`,
//! writing a 64-byte struct) through its generated raw entry, against
//! hand-written unpacking of the same registers calling the same body (so
//! the same validation and copy), and dispatch through a `SyscallTable`
//! (no tracer) against calling the entry directly. On a `HeapSpace`: the
//! address space is the same on both sides, so the cheapest one shows the
//! entry's own cost best.

mod common;

use std::{hint::black_box, time::SystemTime};

use axptr::{MappingFlags, Syscall, testing::HeapSpace};
use criterion::Criterion;

use common::{
    Bar, PAGE, ROUNDS, Ratio,
    fstatx::{NR_FSTATX, SYSCALLS, fstatx_by_hand, sys_fstatx},
    round_id,
};

fn syscall_entry(c: &mut Criterion) {
    let mut space = HeapSpace::new(2);
    space.map(
        space.base(),
        2 * PAGE,
        MappingFlags::READ | MappingFlags::WRITE,
    );
    let regs = [3, space.base() + 256, 0o644, 0, 0, 0];
    assert_eq!(fstatx_by_hand(&mut space, regs), 0);
    assert_eq!(
        <sys_fstatx as Syscall<HeapSpace>>::call(&mut space, regs),
        0
    );
    assert_eq!(SYSCALLS.dispatch(&mut space, NR_FSTATX, regs), 0);
    assert_eq!(fstatx_by_hand(&mut space, [3, 0, 0, 0, 0, 0]), -14);

    let mut group = c.benchmark_group("syscall");
    common::rounds_config(&mut group);
    for round in 1..=ROUNDS {
        let order = if round % 2 == 1 { [0, 1, 2] } else { [2, 1, 0] };
        for contender in order {
            match contender {
                0 => group.bench_function(round_id("by_hand", round), |b| {
                    b.iter(|| black_box(fstatx_by_hand(&mut space, black_box(regs))));
                }),
                1 => group.bench_function(round_id("entry", round), |b| {
                    b.iter(|| {
                        black_box(<sys_fstatx as Syscall<HeapSpace>>::call(
                            &mut space,
                            black_box(regs),
                        ))
                    });
                }),
                _ => group.bench_function(round_id("table_dispatch", round), |b| {
                    b.iter(|| {
                        black_box(SYSCALLS.dispatch(
                            &mut space,
                            black_box(NR_FSTATX),
                            black_box(regs),
                        ))
                    });
                }),
            };
        }
    }
    group.finish();
}

fn main() {
    let start = SystemTime::now();
    let mut c = common::criterion();
    syscall_entry(&mut c);
    c.final_summary();
    common::report(
        "#[syscall]: generated entry / hand-written, table / direct entry",
        &[
            Ratio::rounds("syscall", "entry", "by_hand", Bar::AtMost(1.1)),
            Ratio::rounds("syscall", "table_dispatch", "entry", Bar::None),
        ],
        start,
    );
}
