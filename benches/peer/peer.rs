//! axptr against starry-vm 0.6, the peer a Starry-style kernel would
//! otherwise use, with its `VmIo` implemented on the same address spaces
//! (a `HeapSpace` and a `SimSpace`) through the same providers.
//!
//! - C strings of 1, 16, 64, 256, 1,024 and 4,000 bytes (plus the NUL;
//!   each starts mid-page, so the 4,000-byte one crosses a page boundary):
//!   axptr's `read_cstring` (allocating) and `read_cstr` (into a buffer on
//!   the stack) against starry-vm's `vm_load_until_nul`, its only C-string
//!   read (it allocates).
//! - The same bytes as slices of known length: `read_slice` against
//!   `vm_read_slice` (no bar: both are a validation and a copy).
//! - An argv-style array of 8 pointers and a null, and the strings it
//!   points to, read as `execve` does: axptr's `read_null_terminated_vec`
//!   of `UserConstPtr<c_char>` then `read_cstring` per element, against
//!   `vm_load_until_nul` of the pointers then of each string.
//!
//! The peer's `VmIo::read` validates exactly like the "direct" baselines
//! of the other benches (`check_region_access` and `populate_area` through
//! the provider), then copies with `copy_nonoverlapping` inside the fault
//! flag: cheaper than the fallible copy routine a kernel needs, so the
//! peer's side is, if anything, flattered.
//!
//! Ratios are peer time / axptr time (above 1: axptr is faster), the
//! median of 5 alternating rounds. Set `PEER_MEASURE_MS` to change each
//! measurement's length (default 600 ms, plus a third of it to warm up).

#[path = "../common/mod.rs"]
mod common;

use core::{
    ffi::{CStr, c_char},
    mem::MaybeUninit,
};
use std::{ffi::CString, hint::black_box, time::Duration, time::SystemTime};

use axptr::{
    AddrSpace, AddrSpaceProvider, MappingFlags, PATH_MAX, UserConstPtr, VirtAddr, VirtAddrRange,
    access_user_memory, sim::SimSpace, testing::HeapSpace,
};
use criterion::{BenchmarkGroup, Criterion, measurement::WallTime};
use starry_vm::{VmError, VmIo, VmResult, vm_load_until_nul, vm_read_slice};

use common::{Bar, PAGE, ROUNDS, Ratio, round_id, round_param_id};

/// String lengths, without the NUL.
const SIZES: [usize; 6] = [1, 16, 64, 256, 1024, 4000];

/// The argv strings (a shell command line of 8 arguments).
const ARGV: [&str; 8] = [
    "/bin/busybox",
    "sh",
    "-c",
    "exec \"$0\" \"$@\"",
    "--color=auto",
    "-l",
    "/usr/share/zoneinfo/Europe/Paris",
    "LC_ALL=C.UTF-8",
];

/// Two pages per string, the string from the middle of the first; then a
/// page for the argv array and a page for its strings.
const PAGES: usize = 2 * SIZES.len() + 2;

const RW: MappingFlags = MappingFlags::READ.union(MappingFlags::WRITE);

/// Where the data lies in a space of `PAGES` pages at `base`.
struct Layout {
    strings: [usize; SIZES.len()],
    argv: usize,
}

impl Layout {
    fn new(base: usize) -> Self {
        Self {
            strings: core::array::from_fn(|i| base + 2 * i * PAGE + PAGE / 2),
            argv: base + 2 * SIZES.len() * PAGE + 64,
        }
    }

    /// The bytes to poke: each string with its NUL, the argv array and its
    /// strings.
    fn contents(&self) -> Vec<(usize, Vec<u8>)> {
        let mut contents: Vec<(usize, Vec<u8>)> = SIZES
            .iter()
            .zip(self.strings)
            .map(|(&size, addr)| {
                let mut bytes = vec![b'x'; size + 1];
                bytes[size] = 0;
                (addr, bytes)
            })
            .collect();
        let mut pointers = Vec::new();
        let mut addr = self.argv - 64 + PAGE;
        for arg in ARGV {
            let bytes = CString::new(arg).expect("no NUL").into_bytes_with_nul();
            pointers.extend_from_slice(&addr.to_ne_bytes());
            let len = bytes.len();
            contents.push((addr, bytes));
            addr += len;
        }
        pointers.extend_from_slice(&0usize.to_ne_bytes());
        contents.push((self.argv, pointers));
        contents
    }
}

/// starry-vm's `VmIo` on an axptr provider, as a kernel would write it:
/// validate through the address space, then copy with the fault flag set.
struct PeerVm<'a, P>(&'a mut P);

impl<P: AddrSpaceProvider> PeerVm<'_, P> {
    /// `check_region_access` and `populate_area` of the pages, through the
    /// provider (the "direct" baseline of the validation benches).
    fn validate(&mut self, start: usize, len: usize, flags: MappingFlags) -> VmResult {
        if len == 0 {
            return Ok(());
        }
        let range = VirtAddrRange::try_from_start_size(VirtAddr::from(start), len)
            .ok_or(VmError::BadAddress)?;
        let pages = start & !(PAGE - 1);
        let pages_end = range
            .end
            .as_usize()
            .checked_next_multiple_of(PAGE)
            .ok_or(VmError::BadAddress)?;
        self.0.with_addr_space(|aspace| {
            if !aspace.check_region_access(range, flags) {
                return Err(VmError::AccessDenied);
            }
            aspace
                .populate_area(VirtAddr::from(pages), pages_end - pages, flags)
                .map_err(|_| VmError::BadAddress)
        })
    }
}

// SAFETY: `read` returns `Ok` only after copying every byte of `buf` from
// memory the address space confirmed mapped and populated (and the
// benchmark's spaces never unmap it); `write` copies out of `buf` and keeps
// no reference to it. The provider stays borrowed for the whole operation.
unsafe impl<P: AddrSpaceProvider> VmIo for PeerVm<'_, P> {
    fn read(&mut self, start: usize, buf: &mut [MaybeUninit<u8>]) -> VmResult {
        self.validate(start, buf.len(), MappingFlags::READ)?;
        let src = core::ptr::with_exposed_provenance::<u8>(start);
        // SAFETY: validated readable and populated just above; `buf` is
        // kernel memory, apart from the user range.
        access_user_memory(|| unsafe {
            core::ptr::copy_nonoverlapping(src, buf.as_mut_ptr().cast(), buf.len());
        });
        Ok(())
    }

    fn write(&mut self, start: usize, buf: &[u8]) -> VmResult {
        self.validate(start, buf.len(), MappingFlags::WRITE)?;
        let dst = core::ptr::with_exposed_provenance_mut::<u8>(start);
        // SAFETY: validated writable and populated just above; `buf` is
        // kernel memory, apart from the user range.
        access_user_memory(|| unsafe {
            core::ptr::copy_nonoverlapping(buf.as_ptr(), dst, buf.len());
        });
        Ok(())
    }
}

/// axptr's argv read: the pointers, then each string.
fn axptr_argv<P: AddrSpaceProvider>(provider: &mut P, argv: usize) -> Option<Vec<CString>> {
    let pointers = UserConstPtr::<UserConstPtr<c_char>>::from(argv)
        .read_null_terminated_vec(provider, PATH_MAX)
        .ok()?;
    pointers
        .into_iter()
        .map(|arg| arg.read_cstring(provider, PATH_MAX).ok())
        .collect()
}

/// The peer's argv read: the pointers, then each string.
fn peer_argv<P: AddrSpaceProvider>(provider: &mut P, argv: usize) -> Option<Vec<Vec<u8>>> {
    let mut vm = PeerVm(provider);
    let pointers = vm_load_until_nul(&mut vm, core::ptr::without_provenance::<usize>(argv)).ok()?;
    pointers
        .into_iter()
        .map(|arg| vm_load_until_nul(&mut vm, core::ptr::without_provenance::<u8>(arg)).ok())
        .collect()
}

/// Each measurement's length, from `PEER_MEASURE_MS`.
fn measure_time() -> Duration {
    let ms = std::env::var("PEER_MEASURE_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .unwrap_or(600);
    Duration::from_millis(ms)
}

/// Checks that both sides read the same data, then measures them.
fn bench_space<P: AddrSpaceProvider>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    provider: &mut P,
    layout: &Layout,
) {
    let measure = measure_time();
    group
        .sample_size(50)
        .warm_up_time(measure / 3)
        .measurement_time(measure);
    let mut stack = [0u8; PATH_MAX];
    let mut slice = vec![MaybeUninit::<u8>::uninit(); PATH_MAX];
    let mut kernel = vec![0u8; PATH_MAX];
    for (&size, &addr) in SIZES.iter().zip(&layout.strings) {
        let ptr = UserConstPtr::<c_char>::from(addr);
        let raw = core::ptr::without_provenance::<u8>(addr);
        let expected = vec![b'x'; size];
        let cstring = ptr.read_cstring(provider, PATH_MAX).expect("read_cstring");
        assert_eq!(cstring.as_bytes(), expected);
        let cstr = ptr.read_cstr(provider, &mut stack).map(CStr::to_bytes);
        assert_eq!(cstr, Ok(&expected[..]));
        let loaded = vm_load_until_nul(&mut PeerVm(provider), raw).expect("vm_load_until_nul");
        assert_eq!(loaded, expected);

        for round in 1..=ROUNDS {
            let mut order = [0, 1, 2, 3, 4];
            if round % 2 == 0 {
                order.reverse();
            }
            for contender in order {
                match contender {
                    0 => {
                        let id = round_param_id("axptr_read_cstring", size, round);
                        group.bench_function(id, |b| {
                            b.iter(|| black_box(black_box(ptr).read_cstring(provider, PATH_MAX)));
                        });
                    }
                    1 => {
                        let id = round_param_id("axptr_read_cstr", size, round);
                        group.bench_function(id, |b| {
                            b.iter(|| {
                                let read = black_box(ptr).read_cstr(provider, &mut stack);
                                black_box(read.map(CStr::as_ptr))
                            });
                        });
                    }
                    2 => {
                        let id = round_param_id("peer_load_until_nul", size, round);
                        group.bench_function(id, |b| {
                            b.iter(|| {
                                black_box(vm_load_until_nul(&mut PeerVm(provider), black_box(raw)))
                            });
                        });
                    }
                    3 => {
                        let id = round_param_id("axptr_read_slice", size, round);
                        let dst = &mut kernel[..=size];
                        group.bench_function(id, |b| {
                            b.iter(|| {
                                black_box(black_box(ptr.cast::<u8>()).read_slice(provider, dst))
                            });
                        });
                    }
                    _ => {
                        let id = round_param_id("peer_read_slice", size, round);
                        let dst = &mut slice[..=size];
                        group.bench_function(id, |b| {
                            b.iter(|| {
                                black_box(vm_read_slice(&mut PeerVm(provider), black_box(raw), dst))
                            });
                        });
                    }
                }
            }
        }
    }

    let argv: Vec<Vec<u8>> = ARGV.iter().map(|arg| arg.as_bytes().to_vec()).collect();
    let axptr = axptr_argv(provider, layout.argv).expect("axptr argv");
    let axptr: Vec<Vec<u8>> = axptr.into_iter().map(CString::into_bytes).collect();
    assert_eq!(axptr, argv);
    assert_eq!(peer_argv(provider, layout.argv), Some(argv));
    for round in 1..=ROUNDS {
        let mut order = [0, 1];
        if round % 2 == 0 {
            order.reverse();
        }
        for contender in order {
            if contender == 0 {
                group.bench_function(round_id("axptr_argv", round), |b| {
                    b.iter(|| black_box(axptr_argv(provider, black_box(layout.argv))));
                });
            } else {
                group.bench_function(round_id("peer_argv", round), |b| {
                    b.iter(|| black_box(peer_argv(provider, black_box(layout.argv))));
                });
            }
        }
    }
}

fn peer_heap(c: &mut Criterion) {
    let mut space = HeapSpace::new(PAGES);
    let base = space.base();
    space.map(base, PAGES * PAGE, RW);
    let layout = Layout::new(base);
    for (addr, bytes) in layout.contents() {
        space.poke(addr, &bytes);
    }
    let mut group = c.benchmark_group("peer_heap");
    bench_space(&mut group, &mut space, &layout);
    group.finish();
}

fn peer_sim(c: &mut Criterion) {
    let space = SimSpace::new(PAGES * PAGE).expect("SimSpace");
    let base = space.base();
    space.map(base, PAGES * PAGE, RW).expect("map");
    let layout = Layout::new(base);
    for (addr, bytes) in layout.contents() {
        space.poke(addr, &bytes).expect("poke");
    }
    let mut group = c.benchmark_group("peer_sim");
    bench_space(&mut group, &mut space.provider(), &layout);
    group.finish();
}

/// The CPU's name and the features that decide copy and search speed,
/// from /proc/cpuinfo.
fn cpu() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let field = |name: &str| {
        info.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            (key.trim() == name).then(|| value.trim().to_owned())
        })
    };
    let model = field("model name").unwrap_or_else(|| "unknown CPU".to_owned());
    let flags = field("flags").unwrap_or_default();
    let features: Vec<&str> = ["erms", "fsrm", "avx2", "avx512bw"]
        .into_iter()
        .filter(|feature| flags.split_whitespace().any(|flag| flag == *feature))
        .collect();
    format!(
        "{model} (of erms, fsrm, avx2, avx512bw: {})",
        features.join(", ")
    )
}

/// How much faster the host's `memchr` is than its portable fallback over
/// 64 KiB: about 1 when the crate was built for the kernel configuration
/// (no SIMD), several times otherwise.
fn memchr_speedup() -> f64 {
    let haystack = vec![b'x'; 64 * 1024];
    let time = |f: &dyn Fn(&[u8]) -> Option<usize>| {
        let start = std::time::Instant::now();
        for _ in 0..200 {
            black_box(f(black_box(&haystack)));
        }
        start.elapsed().as_secs_f64()
    };
    let fallback = memchr::arch::all::memchr::One::new(0);
    let portable = time(&|h| fallback.find(h));
    let host = time(&|h| memchr::memchr(0, h));
    portable / host
}

fn main() {
    let start = SystemTime::now();
    let mut c = common::criterion();
    peer_heap(&mut c);
    peer_sim(&mut c);
    c.final_summary();

    let mut ratios = Vec::new();
    for group in ["peer_heap", "peer_sim"] {
        for size in SIZES {
            let id = |name: &str| format!("{name}/{size}");
            let peer = id("peer_load_until_nul");
            for axptr in ["axptr_read_cstring", "axptr_read_cstr"] {
                ratios.push(Ratio::rounds(group, &peer, &id(axptr), Bar::AtLeast(1.5)));
            }
            let (peer, axptr) = (id("peer_read_slice"), id("axptr_read_slice"));
            ratios.push(Ratio::rounds(group, &peer, &axptr, Bar::None));
        }
        ratios.push(Ratio::rounds(
            group,
            "peer_argv",
            "axptr_argv",
            Bar::AtLeast(1.5),
        ));
    }
    let config = std::env::var("AXPTR_PEER_CONFIG").unwrap_or_else(|_| "host".to_owned());
    println!("\nCPU: {}", cpu());
    println!(
        "configuration: {config} (host memchr is {:.1}× its portable fallback here)",
        memchr_speedup()
    );
    common::report(
        "starry-vm / axptr (time ratio; above 1: axptr is faster)",
        &ratios,
        start,
    );
}
