//! Bar 1: scanning a populated C string.
//!
//! axptr's in-place scan (`get_as_cstr`) and its copy (`read_cstr`) against
//! the seed's algorithm (one volatile byte read per iteration, a region
//! check per page, all inside the fault flag) and against `memchr` over the
//! same bytes (the hardware limit: the length is known, nothing validated).
//! Strings of 64 B, 4 KiB (crossing a page boundary) and 64 KiB (crossing
//! 16), NUL included, in a `SimSpace` (the host setup a kernel developer
//! tests on: spin lock, area tree, present bitmap). `get_as_cstr` stops at
//! `PATH_MAX` (4 KiB), so at 64 KiB only the copy runs (`read_cstr` into a
//! 64 KiB buffer).
//!
//! A second group measures axptr's fused copy-and-scan routine
//! (`copy_until_nul`, with the access guard around it, as the `uaccess`
//! helper runs it) against `memchr` over the same bytes: the
//! general-register version that kernel builds use against `memchr`'s
//! portable fallback (`memchr::arch::all::memchr::One`; kernels have no
//! SIMD), and the host's version (`simd`: AVX2 where the CPU has it, else
//! SSE2) against `memchr::memchr` (AVX2 here too).
//! The routines are axptr-core's assembly, compiled into this benchmark as
//! `.ci/arch-copy` compiles it (they are not public API).

mod common;

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn main() {
    sim_host::main();
}

#[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
fn main() {
    eprintln!("the C-string benchmarks run on axptr's `sim` address space: Linux x86_64 only");
}

// axptr-core's fallible routines, assembled into this benchmark with
// symbols of its own (`.ci/arch-copy` does the same): the items they expect
// beside them (`arch/mod.rs`), then the routine files.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
macro_rules! asm_symbol {
    ($($part:expr),+) => {
        concat!("__axptr_benches_", $($part),+)
    };
}
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
#[macro_use]
#[path = "../axptr-core/src/arch/directives.rs"]
mod directives;
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
#[allow(dead_code)]
#[path = "../axptr-core/src/arch/interface.rs"]
mod interface;
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
use interface::{FaultRange, UserAtomicOp, UserFault};
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
#[allow(dead_code)]
#[path = "../axptr-core/src/arch/routine.rs"]
mod imp;
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
#[allow(dead_code)]
#[path = "../axptr-core/src/arch/x86_64.rs"]
mod x86_64;

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod sim_host {
    use core::ffi::c_char;
    use std::{hint::black_box, time::SystemTime};

    use axptr::{
        AddrSpace, AddrSpaceProvider, LinuxError, LinuxResult, MappingFlags, PATH_MAX,
        UserAccessGuard, UserConstPtr, VirtAddr, VirtAddrRange, check_region, sim::SimSpace,
    };
    use criterion::{Criterion, Throughput};

    use crate::common::{self, Bar, PAGE, ROUNDS, Ratio, round_param_id};

    /// The seed's `check_null_terminated`, for bytes: with the flag set
    /// for the whole walk, check each page's access when the walk enters
    /// it, and read one byte per iteration with a volatile load. (The seed
    /// calls the address space with the flag set and user memory in
    /// between, which deadlocks on a fault; here every page is present.)
    fn seed_scan<P: AddrSpaceProvider>(provider: &mut P, addr: usize) -> LinuxResult<usize> {
        // SAFETY: a local, dropped when the scan returns.
        let _flag = unsafe { UserAccessGuard::new() };
        let mut page = addr & !(PAGE - 1);
        let mut len = 0;
        loop {
            let cur = addr + len;
            while cur >= page {
                let range = VirtAddrRange::try_from_start_size(VirtAddr::from(page), PAGE)
                    .ok_or(LinuxError::EFAULT)?;
                if !provider
                    .with_addr_space(|aspace| aspace.check_region_access(range, MappingFlags::READ))
                {
                    return Err(LinuxError::EFAULT);
                }
                page += PAGE;
            }
            let byte = core::ptr::with_exposed_provenance::<u8>(cur);
            // SAFETY: the page of `cur` was checked readable (and the
            // benchmark maps every page present).
            if unsafe { byte.read_volatile() } == 0 {
                return Ok(len);
            }
            len += 1;
        }
    }

    /// `memchr` over the `size` bytes at `addr`.
    fn memchr_scan(addr: usize, size: usize) -> Option<usize> {
        // SAFETY: the benchmark's strings are mapped readable and present,
        // and nothing unmaps them while the space lives.
        let bytes = unsafe {
            core::slice::from_raw_parts(core::ptr::with_exposed_provenance::<u8>(addr), size)
        };
        memchr::memchr(0, bytes)
    }

    /// String sizes (NUL included) and where each starts, as page and
    /// offset: 4 KiB and 64 KiB start mid-page, so they cross boundaries.
    const STRINGS: [(usize, usize, usize); 3] = [
        (64, 0, 64),
        (4 * 1024, 1, PAGE / 2),
        (64 * 1024, 4, PAGE / 2),
    ];
    const PAGES: usize = 24;

    fn cstr_scan(c: &mut Criterion) {
        let space = SimSpace::new(PAGES * PAGE).expect("SimSpace");
        space
            .map(space.base(), PAGES * PAGE, MappingFlags::READ)
            .expect("map");
        let mut group = c.benchmark_group("cstr_scan");
        common::rounds_config(&mut group);
        for (size, page, offset) in STRINGS {
            let addr = space.base() + page * PAGE + offset;
            let mut bytes = vec![b'x'; size];
            bytes[size - 1] = 0;
            space.poke(addr, &bytes).expect("poke");
            let ptr = UserConstPtr::<c_char>::from(addr);
            let mut user = space.provider();
            let mut buf = vec![0u8; size.max(PATH_MAX)];

            // Every contender finds the same NUL.
            assert_eq!(seed_scan(&mut user, addr), Ok(size - 1));
            assert_eq!(memchr_scan(addr, size), Some(size - 1));
            let copied = ptr.read_cstr(&mut user, &mut buf).map(|s| s.count_bytes());
            assert_eq!(copied, Ok(size - 1));
            if size <= PATH_MAX {
                // SAFETY: this thread alone touches the space, and the
                // reference is dropped before the next iteration.
                let lent = unsafe { ptr.get_as_cstr(&mut user) }.map(|s| s.count_bytes());
                assert_eq!(lent, Ok(size - 1));
            }

            group.throughput(Throughput::Bytes(size as u64));
            for round in 1..=ROUNDS {
                let mut order = vec![0, 1, 2, 3];
                if round % 2 == 0 {
                    order.reverse();
                }
                for contender in order {
                    match contender {
                        0 if size <= PATH_MAX => {
                            let id = round_param_id("axptr_get_as_cstr", size, round);
                            group.bench_function(id, |b| {
                                b.iter(|| {
                                    black_box(
                                        // SAFETY: as above.
                                        unsafe { black_box(ptr).get_as_cstr(&mut user) }.is_ok(),
                                    )
                                });
                            });
                        }
                        0 => {}
                        1 => {
                            let id = round_param_id("axptr_read_cstr", size, round);
                            group.bench_function(id, |b| {
                                b.iter(|| {
                                    black_box(black_box(ptr).read_cstr(&mut user, &mut buf).is_ok())
                                });
                            });
                        }
                        2 => {
                            group.bench_function(round_param_id("seed", size, round), |b| {
                                b.iter(|| black_box(seed_scan(&mut user, black_box(addr))));
                            });
                        }
                        _ => {
                            group.bench_function(round_param_id("memchr", size, round), |b| {
                                b.iter(|| black_box(memchr_scan(black_box(addr), size)));
                            });
                        }
                    }
                }
            }
        }
        group.finish();
    }

    /// A C-string copy routine: `(dst, src, limit) -> bytes copied`.
    type CopyRoutine = unsafe fn(*mut u8, *const u8, usize) -> usize;

    /// Runs `routine` inside the access guard, as the `uaccess` helper
    /// does.
    fn guarded_copy(routine: CopyRoutine, buf: &mut [u8], addr: usize) -> usize {
        // SAFETY: a local, dropped when the copy returns.
        let _flag = unsafe { UserAccessGuard::new() };
        let src = core::ptr::with_exposed_provenance::<u8>(addr);
        // SAFETY: `buf` has room for the limit; the string is mapped and
        // present, and its NUL comes within the limit.
        unsafe { routine(buf.as_mut_ptr(), src, buf.len()) }
    }

    /// What `read_cstr` does with the routine: validate a page at a time
    /// (at most up to the limit), copy it, stop at the NUL.
    fn validated_copy<P: AddrSpaceProvider>(
        provider: &mut P,
        routine: CopyRoutine,
        buf: &mut [u8],
        addr: usize,
    ) -> LinuxResult<usize> {
        let mut done = 0;
        while done < buf.len() {
            let cur = addr + done;
            let chunk = (PAGE - cur % PAGE).min(buf.len() - done);
            check_region(provider, cur, chunk, MappingFlags::READ)?;
            let copied = guarded_copy(routine, &mut buf[done..done + chunk], cur);
            done += copied;
            if copied < chunk || buf[done - 1] == 0 {
                return Ok(done);
            }
        }
        Err(LinuxError::ENAMETOOLONG)
    }

    /// The fused copy-and-scan routine against `memchr` over the same bytes
    /// (64 B in one page, 4 KiB across a page boundary), limit `PATH_MAX`.
    fn cstr_copy(c: &mut Criterion) {
        let space = SimSpace::new(PAGES * PAGE).expect("SimSpace");
        space
            .map(space.base(), PAGES * PAGE, MappingFlags::READ)
            .expect("map");
        let mut group = c.benchmark_group("cstr_copy");
        common::rounds_config(&mut group);
        let words: CopyRoutine = crate::x86_64::copy_until_nul_words;
        // The host's routine: AVX2 here (SSE2 on CPUs without it).
        let simd: CopyRoutine = crate::imp::copy_until_nul;
        let fallback = memchr::arch::all::memchr::One::new(0);
        for (size, page, offset) in &STRINGS[..2] {
            let (size, addr) = (*size, space.base() + page * PAGE + offset);
            let mut bytes = vec![b'x'; size];
            bytes[size - 1] = 0;
            space.poke(addr, &bytes).expect("poke");
            let mut user = space.provider();
            let mut buf = vec![0u8; PATH_MAX];
            // SAFETY: the string is mapped readable and present, and
            // nothing unmaps it while the space lives.
            let user_bytes = unsafe {
                core::slice::from_raw_parts(core::ptr::with_exposed_provenance::<u8>(addr), size)
            };

            // Every contender finds the same NUL.
            for routine in [words, simd] {
                assert_eq!(guarded_copy(routine, &mut buf, addr), size);
                assert_eq!(validated_copy(&mut user, routine, &mut buf, addr), Ok(size));
                assert_eq!(buf[..size], bytes[..]);
            }
            assert_eq!(fallback.find(user_bytes), Some(size - 1));
            assert_eq!(memchr::memchr(0, user_bytes), Some(size - 1));

            group.throughput(Throughput::Bytes(size as u64));
            for round in 1..=ROUNDS {
                let mut order = vec![0, 1, 2, 3, 4];
                if round % 2 == 0 {
                    order.reverse();
                }
                for contender in order {
                    let id = |name| round_param_id(name, size, round);
                    match contender {
                        0 => group.bench_function(id("words"), |b| {
                            b.iter(|| black_box(guarded_copy(words, &mut buf, black_box(addr))));
                        }),
                        1 => group.bench_function(id("words_validated"), |b| {
                            b.iter(|| {
                                black_box(validated_copy(
                                    &mut user,
                                    words,
                                    &mut buf,
                                    black_box(addr),
                                ))
                            });
                        }),
                        2 => group.bench_function(id("simd"), |b| {
                            b.iter(|| black_box(guarded_copy(simd, &mut buf, black_box(addr))));
                        }),
                        3 => group.bench_function(id("memchr_fallback"), |b| {
                            b.iter(|| black_box(fallback.find(black_box(user_bytes))));
                        }),
                        _ => group.bench_function(id("memchr"), |b| {
                            b.iter(|| black_box(memchr::memchr(0, black_box(user_bytes))));
                        }),
                    };
                }
            }
        }
        group.finish();
    }

    pub(crate) fn main() {
        let start = SystemTime::now();
        let mut c = common::criterion();
        cstr_scan(&mut c);
        cstr_copy(&mut c);
        c.final_summary();

        let mut ratios = Vec::new();
        for (size, bar_seed, bar_memchr) in [
            ("64", Bar::None, Bar::None),
            ("4096", Bar::AtLeast(8.0), Bar::AtMost(3.0)),
            ("65536", Bar::None, Bar::None),
        ] {
            let id = |name: &str| format!("{name}/{size}");
            for axptr in ["axptr_get_as_cstr", "axptr_read_cstr"] {
                let (seed, axptr, memchr) = (id("seed"), id(axptr), id("memchr"));
                ratios.push(Ratio::rounds("cstr_scan", &seed, &axptr, bar_seed));
                ratios.push(Ratio::rounds("cstr_scan", &axptr, &memchr, bar_memchr));
            }
        }
        common::report(
            "C-string scan: seed / axptr (speed-up), axptr / memchr (cost)",
            &ratios,
            start,
        );

        let mut ratios = Vec::new();
        for (size, bar_kernel, bar_host) in [
            ("64", Bar::None, Bar::None),
            ("4096", Bar::AtMost(1.5), Bar::AtMost(2.0)),
        ] {
            let id = |name: &str| format!("{name}/{size}");
            let group = "cstr_copy";
            let (fallback, memchr) = (id("memchr_fallback"), id("memchr"));
            ratios.push(Ratio::rounds(group, &id("words"), &fallback, bar_kernel));
            ratios.push(Ratio::rounds(
                group,
                &id("words_validated"),
                &fallback,
                Bar::None,
            ));
            ratios.push(Ratio::rounds(group, &id("simd"), &memchr, bar_host));
            ratios.push(Ratio::rounds(group, &id("words"), &memchr, Bar::None));
        }
        common::report(
            "C-string copy-and-scan routine / memchr over the same bytes (cost)",
            &ratios,
            start,
        );
    }
}
