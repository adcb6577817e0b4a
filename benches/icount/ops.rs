//! The measured operations: each is an `#[inline(never)]` function of the
//! [`Fixture`], so that the axptr call (or its baseline) is inlined into a
//! function of its own, as into a syscall handler, and callgrind's
//! per-function view names it.
//!
//! Inputs go through `black_box` (so nothing is folded at compile time)
//! and results into it (so nothing is dropped as unused), the same way on
//! both sides of a comparison; [`empty`] does only that, and its count is
//! subtracted from every other.

use core::ffi::{CStr, c_char};
use std::hint::black_box;

use axptr::{
    AddrSpace, AddrSpaceProvider, LinuxError, LinuxResult, MappingFlags, PATH_MAX, Syscall,
    UserConstPtr, UserPtr, VirtAddr, VirtAddrRange,
    sim::{SimProvider, SimSpace},
    testing::HeapSpace,
};

use crate::common::{
    PAGE, Stat64,
    fstatx::{fstatx_by_hand, sys_fstatx},
};

const RW: MappingFlags = MappingFlags::READ.union(MappingFlags::WRITE);

/// The size of the short C string, NUL included.
const CSTR_SMALL: usize = 64;
/// The size of the long C string, NUL included: it starts mid-page, so it
/// crosses a page boundary.
const CSTR_LARGE: usize = 4 * 1024;

/// Pages of each space: the struct in page 1, the short string in page 3,
/// the long one from the middle of page 4 into page 5.
const PAGES: usize = 8;
const STAT_OFFSET: usize = PAGE + 128;
const CSTR_SMALL_OFFSET: usize = 3 * PAGE + 64;
const CSTR_LARGE_OFFSET: usize = 4 * PAGE + PAGE / 2;

/// The area counts of the lookup comparison.
const AREAS_FEW: usize = 10;
const AREAS_MANY: usize = 1_000;

/// One user address space and where its data lies.
pub struct Space<P> {
    provider: P,
    stat: usize,
    cstr_small: usize,
    cstr_large: usize,
}

/// What the operations take besides a space.
pub struct Data {
    /// The value written by `write`.
    stat: Stat64,
    /// The bytes of a 64-byte transfer.
    bytes: [u8; 64],
    /// The kernel buffer of the C-string reads (on the heap: a 4 KiB stack
    /// frame would add a stack probe to one side only).
    buf: Box<[u8]>,
    /// The registers of the `#[syscall]` comparison.
    regs: [usize; 6],
}

/// Everything the operations touch, set up before measuring.
pub struct Fixture {
    heap: Space<HeapSpace>,
    sim: Space<SimProvider<'static>>,
    areas_few: Space<SimProvider<'static>>,
    areas_many: Space<SimProvider<'static>>,
    data: Data,
}

/// The user bytes of the spaces: a struct with a recognizable field and
/// two C strings.
fn contents() -> [(usize, Vec<u8>); 3] {
    let mut stat = vec![0u8; size_of::<Stat64>()];
    stat[8..16].copy_from_slice(&7u64.to_ne_bytes());
    let cstr = |size: usize| {
        let mut bytes = vec![b'x'; size];
        bytes[size - 1] = 0;
        bytes
    };
    [
        (STAT_OFFSET, stat),
        (CSTR_SMALL_OFFSET, cstr(CSTR_SMALL)),
        (CSTR_LARGE_OFFSET, cstr(CSTR_LARGE)),
    ]
}

fn heap_space() -> Space<HeapSpace> {
    let mut space = HeapSpace::new(PAGES);
    let base = space.base();
    space.map(base, PAGES * PAGE, RW);
    for (offset, bytes) in contents() {
        space.poke(base + offset, &bytes);
    }
    Space {
        provider: space,
        stat: base + STAT_OFFSET,
        cstr_small: base + CSTR_SMALL_OFFSET,
        cstr_large: base + CSTR_LARGE_OFFSET,
    }
}

/// A `SimSpace` of `areas` one-page areas with the struct in the middle
/// one (and no strings), or with `areas` 1, one area of `PAGES` pages laid
/// out as the heap space's. The space lives as long as the process, so its
/// provider can be kept.
fn sim_space(areas: usize) -> Space<SimProvider<'static>> {
    let pages = areas.max(PAGES);
    let space: &'static SimSpace =
        Box::leak(Box::new(SimSpace::new(pages * PAGE).expect("SimSpace")));
    let base = space.base();
    let mut stat = base + STAT_OFFSET;
    if areas == 1 {
        space.map(base, PAGES * PAGE, RW).expect("map");
        for (offset, bytes) in contents() {
            space.poke(base + offset, &bytes).expect("poke");
        }
    } else {
        for area in 0..areas {
            space.map(base + area * PAGE, PAGE, RW).expect("map");
        }
        stat = base + areas / 2 * PAGE + 128;
        space.poke(stat, &contents()[0].1).expect("poke");
    }
    Space {
        provider: space.provider(),
        stat,
        cstr_small: base + CSTR_SMALL_OFFSET,
        cstr_large: base + CSTR_LARGE_OFFSET,
    }
}

impl Fixture {
    /// Sets up the spaces, then runs every operation once and checks the
    /// results (which also warms up whatever is lazy).
    pub fn new() -> Self {
        let heap = heap_space();
        let regs = [3, heap.stat + 256, 0o644, 0, 0, 0];
        let mut fixture = Self {
            heap,
            sim: sim_space(1),
            areas_few: sim_space(AREAS_FEW),
            areas_many: sim_space(AREAS_MANY),
            data: Data {
                stat: Stat64 {
                    ino: 7,
                    ..Stat64::default()
                },
                bytes: [0x5a; 64],
                buf: vec![0; PATH_MAX].into_boxed_slice(),
                regs,
            },
        };
        check_space(&mut fixture.heap);
        check_space(&mut fixture.sim);
        for space in [&mut fixture.areas_few, &mut fixture.areas_many] {
            let read = UserConstPtr::<Stat64>::from(space.stat).read(&mut space.provider);
            assert_eq!(read.map(|stat| stat.ino), Ok(7));
        }
        let heap = &mut fixture.heap.provider;
        assert_eq!(fstatx_by_hand(heap, regs), 0);
        assert_eq!(<sys_fstatx as Syscall<HeapSpace>>::call(heap, regs), 0);
        let efault = -(LinuxError::EFAULT.code() as isize);
        assert_eq!(fstatx_by_hand(heap, [3, 0, 0, 0, 0, 0]), efault);
        for op in OPS {
            (op.run)(&mut fixture);
        }
        fixture
    }
}

/// Checks that the struct and string operations of `space` find what
/// the fixture put there.
fn check_space<P: AddrSpaceProvider>(space: &mut Space<P>) {
    let p = &mut space.provider;
    let read = UserConstPtr::<Stat64>::from(space.stat).read(p);
    assert_eq!(read.map(|stat| stat.ino), Ok(7));
    assert_eq!(direct_read(p, space.stat).map(|stat| stat.ino), Ok(7));
    let mut buf = vec![0u8; PATH_MAX];
    for (addr, size) in [
        (space.cstr_small, CSTR_SMALL),
        (space.cstr_large, CSTR_LARGE),
    ] {
        let copied = UserConstPtr::<c_char>::from(addr).read_cstr(p, &mut buf);
        assert_eq!(copied.map(CStr::count_bytes), Ok(size - 1));
        assert_eq!(fallback_cstr(addr, size, &mut buf), Some(size - 1));
        assert_eq!(memchr_scan(addr, size), Some(size - 1));
    }
}

/// The least a framework must do before touching `size` bytes at `addr`:
/// check the range and populate its pages, through the provider.
#[inline(always)]
fn check_and_populate<P: AddrSpaceProvider>(
    provider: &mut P,
    addr: usize,
    size: usize,
    flags: MappingFlags,
) -> LinuxResult<()> {
    let range =
        VirtAddrRange::try_from_start_size(VirtAddr::from(addr), size).ok_or(LinuxError::EFAULT)?;
    let pages = addr & !(PAGE - 1);
    let pages_size = range.end.as_usize().next_multiple_of(PAGE) - pages;
    provider.with_addr_space(|aspace| {
        if !aspace.check_region_access(range, flags) {
            return Err(LinuxError::EFAULT);
        }
        aspace.populate_area(VirtAddr::from(pages), pages_size, flags)
    })
}

/// `get` of the struct at `addr`, keeping only the address of the lent
/// reference.
#[inline(always)]
fn lend<P: AddrSpaceProvider>(provider: &mut P, addr: usize) -> LinuxResult<*mut Stat64> {
    let ptr = UserPtr::<Stat64>::from(addr);
    // SAFETY: the reference becomes a raw pointer at once and is never
    // used; the fixture's spaces are touched by this thread only.
    unsafe { ptr.get(provider) }.map(core::ptr::from_mut)
}

/// `get`'s baseline: check and populate, then a reference.
#[inline(always)]
fn direct_get<P: AddrSpaceProvider>(provider: &mut P, addr: usize) -> LinuxResult<*mut Stat64> {
    check_and_populate(provider, addr, size_of::<Stat64>(), RW)?;
    Ok(core::ptr::with_exposed_provenance_mut(addr))
}

/// `read`'s baseline: check and populate, then a plain unaligned read.
#[inline(always)]
fn direct_read<P: AddrSpaceProvider>(provider: &mut P, addr: usize) -> LinuxResult<Stat64> {
    check_and_populate(provider, addr, size_of::<Stat64>(), MappingFlags::READ)?;
    // SAFETY: checked readable and populated; the fixture's spaces stay
    // mapped and nothing else accesses them meanwhile.
    Ok(unsafe { core::ptr::with_exposed_provenance::<Stat64>(addr).read_unaligned() })
}

/// `write`'s baseline: check and populate, then a plain unaligned write.
#[inline(always)]
fn direct_write<P: AddrSpaceProvider>(
    provider: &mut P,
    addr: usize,
    value: Stat64,
) -> LinuxResult<()> {
    check_and_populate(provider, addr, size_of::<Stat64>(), MappingFlags::WRITE)?;
    // SAFETY: checked writable and populated, as in `direct_read`.
    unsafe { core::ptr::with_exposed_provenance_mut::<Stat64>(addr).write_unaligned(value) };
    Ok(())
}

/// A 64-byte transfer's baseline: check and populate, then a plain copy.
#[inline(always)]
fn direct_write_bytes<P: AddrSpaceProvider>(
    provider: &mut P,
    addr: usize,
    bytes: &[u8; 64],
) -> LinuxResult<()> {
    check_and_populate(provider, addr, bytes.len(), MappingFlags::WRITE)?;
    let dst = core::ptr::with_exposed_provenance_mut::<u8>(addr);
    // SAFETY: checked writable and populated, as in `direct_read`; `bytes`
    // is kernel memory, apart from the user range.
    unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), dst, bytes.len()) };
    Ok(())
}

/// The `size` populated user bytes at `addr`.
///
/// # Safety
///
/// They must stay mapped and unchanged while the slice lives.
unsafe fn user_bytes<'a>(addr: usize, size: usize) -> &'a [u8] {
    // SAFETY: as the caller guarantees.
    unsafe { core::slice::from_raw_parts(core::ptr::with_exposed_provenance::<u8>(addr), size) }
}

/// `read_cstr`'s baseline in the kernel configuration: `memchr`'s portable
/// (word-at-a-time, no SIMD) search over the same bytes, then a copy of
/// the string and its NUL. Nothing is validated.
#[inline(always)]
fn fallback_cstr(addr: usize, size: usize, buf: &mut [u8]) -> Option<usize> {
    // SAFETY: the fixture's strings stay mapped and unchanged.
    let bytes = unsafe { user_bytes(addr, size) };
    let len = memchr::arch::all::memchr::One::new(0).find(bytes)?;
    let with_nul = bytes.get(..=len)?;
    buf.get_mut(..=len)?.copy_from_slice(with_nul);
    Some(len)
}

/// The host `memchr` (SIMD) over the same bytes: the design's second C
/// string baseline (a search, no copy).
#[inline(always)]
fn memchr_scan(addr: usize, size: usize) -> Option<usize> {
    // SAFETY: the fixture's strings stay mapped and unchanged.
    memchr::memchr(0, unsafe { user_bytes(addr, size) })
}

/// A measured operation.
pub struct Op {
    /// Its name on the command line and in the table.
    pub name: &'static str,
    /// Runs it once.
    pub run: fn(&mut Fixture),
}

/// The loop overhead every count includes: a call through a function
/// pointer and the `black_box`es of an operation's input and result.
#[inline(never)]
fn empty(f: &mut Fixture) {
    black_box(black_box(f.heap.stat));
}

/// Hands `value` to the optimizer as used.
#[inline(always)]
fn consume<T>(value: T) {
    black_box(value);
}

/// Operations written once for any provider: a module per operation with
/// an `#[inline(never)]` function per address space.
macro_rules! per_space {
    ($($name:ident(|$s:ident, $d:ident| $body:expr);)*) => {
        $(
            mod $name {
                use super::*;

                #[inline(always)]
                fn op<P: AddrSpaceProvider>($s: &mut Space<P>, $d: &mut Data) {
                    $body
                }

                #[inline(never)]
                pub(super) fn heap(f: &mut Fixture) {
                    op(&mut f.heap, &mut f.data);
                }

                #[inline(never)]
                pub(super) fn sim(f: &mut Fixture) {
                    op(&mut f.sim, &mut f.data);
                }
            }
        )*
    };
}

per_space! {
    get(|s, _d| {
        consume(lend(&mut s.provider, black_box(s.stat)));
    });
    direct_get(|s, _d| {
        consume(direct_get(&mut s.provider, black_box(s.stat)));
    });
    read(|s, _d| {
        let ptr = UserConstPtr::<Stat64>::from(black_box(s.stat));
        consume(ptr.read(&mut s.provider));
    });
    direct_read(|s, _d| {
        consume(direct_read(&mut s.provider, black_box(s.stat)));
    });
    write(|s, d| {
        let ptr = UserPtr::<Stat64>::from(black_box(s.stat));
        consume(ptr.write(&mut s.provider, black_box(d.stat)));
    });
    direct_write(|s, d| {
        consume(direct_write(&mut s.provider, black_box(s.stat), black_box(d.stat)));
    });
    // A cursor over 64 user bytes, and one write of all of them.
    transfer(|s, d| {
        let mut writer = UserPtr::<u8>::from(black_box(s.stat)).writer(64);
        consume(writer.write(&mut s.provider, black_box(&d.bytes)));
    });
    direct_transfer(|s, d| {
        consume(direct_write_bytes(&mut s.provider, black_box(s.stat), black_box(&d.bytes)));
    });
    cstr_small(|s, d| {
        let ptr = UserConstPtr::<c_char>::from(black_box(s.cstr_small));
        consume(ptr.read_cstr(&mut s.provider, &mut d.buf).map(CStr::as_ptr));
    });
    fallback_cstr_small(|s, d| {
        consume(fallback_cstr(black_box(s.cstr_small), CSTR_SMALL, &mut d.buf));
    });
    memchr_cstr_small(|s, _d| {
        consume(memchr_scan(black_box(s.cstr_small), CSTR_SMALL));
    });
    cstr_large(|s, d| {
        let ptr = UserConstPtr::<c_char>::from(black_box(s.cstr_large));
        consume(ptr.read_cstr(&mut s.provider, &mut d.buf).map(CStr::as_ptr));
    });
    fallback_cstr_large(|s, d| {
        consume(fallback_cstr(black_box(s.cstr_large), CSTR_LARGE, &mut d.buf));
    });
    memchr_cstr_large(|s, _d| {
        consume(memchr_scan(black_box(s.cstr_large), CSTR_LARGE));
    });
}

/// `get` in a space of many areas.
#[inline(never)]
fn get_areas_few(f: &mut Fixture) {
    let s = &mut f.areas_few;
    consume(lend(&mut s.provider, black_box(s.stat)));
}

/// `get` in a space of few areas.
#[inline(never)]
fn get_areas_many(f: &mut Fixture) {
    let s = &mut f.areas_many;
    consume(lend(&mut s.provider, black_box(s.stat)));
}

/// The generated `#[syscall]` entry.
#[inline(never)]
fn syscall_entry(f: &mut Fixture) {
    consume(<sys_fstatx as Syscall<HeapSpace>>::call(
        &mut f.heap.provider,
        black_box(f.data.regs),
    ));
}

/// The same unpacking written by hand.
#[inline(never)]
fn syscall_by_hand(f: &mut Fixture) {
    consume(fstatx_by_hand(&mut f.heap.provider, black_box(f.data.regs)));
}

/// Every operation, by name (`space/operation`).
pub const OPS: &[Op] = &[
    Op {
        name: "empty",
        run: empty,
    },
    Op {
        name: "heap/get",
        run: get::heap,
    },
    Op {
        name: "heap/direct_get",
        run: direct_get::heap,
    },
    Op {
        name: "heap/read",
        run: read::heap,
    },
    Op {
        name: "heap/direct_read",
        run: direct_read::heap,
    },
    Op {
        name: "heap/write",
        run: write::heap,
    },
    Op {
        name: "heap/direct_write",
        run: direct_write::heap,
    },
    Op {
        name: "heap/transfer",
        run: transfer::heap,
    },
    Op {
        name: "heap/direct_transfer",
        run: direct_transfer::heap,
    },
    Op {
        name: "heap/read_cstr_64",
        run: cstr_small::heap,
    },
    Op {
        name: "heap/fallback_cstr_64",
        run: fallback_cstr_small::heap,
    },
    Op {
        name: "heap/memchr_64",
        run: memchr_cstr_small::heap,
    },
    Op {
        name: "heap/read_cstr_4096",
        run: cstr_large::heap,
    },
    Op {
        name: "heap/fallback_cstr_4096",
        run: fallback_cstr_large::heap,
    },
    Op {
        name: "heap/memchr_4096",
        run: memchr_cstr_large::heap,
    },
    Op {
        name: "sim/get",
        run: get::sim,
    },
    Op {
        name: "sim/direct_get",
        run: direct_get::sim,
    },
    Op {
        name: "sim/read",
        run: read::sim,
    },
    Op {
        name: "sim/direct_read",
        run: direct_read::sim,
    },
    Op {
        name: "sim/write",
        run: write::sim,
    },
    Op {
        name: "sim/direct_write",
        run: direct_write::sim,
    },
    Op {
        name: "sim/transfer",
        run: transfer::sim,
    },
    Op {
        name: "sim/direct_transfer",
        run: direct_transfer::sim,
    },
    Op {
        name: "sim/read_cstr_64",
        run: cstr_small::sim,
    },
    Op {
        name: "sim/fallback_cstr_64",
        run: fallback_cstr_small::sim,
    },
    Op {
        name: "sim/memchr_64",
        run: memchr_cstr_small::sim,
    },
    Op {
        name: "sim/read_cstr_4096",
        run: cstr_large::sim,
    },
    Op {
        name: "sim/fallback_cstr_4096",
        run: fallback_cstr_large::sim,
    },
    Op {
        name: "sim/memchr_4096",
        run: memchr_cstr_large::sim,
    },
    Op {
        name: "areas10/get",
        run: get_areas_few,
    },
    Op {
        name: "areas1000/get",
        run: get_areas_many,
    },
    Op {
        name: "syscall/entry",
        run: syscall_entry,
    },
    Op {
        name: "syscall/by_hand",
        run: syscall_by_hand,
    },
];

/// The operation named `name`.
pub fn op(name: &str) -> Option<&'static Op> {
    OPS.iter().find(|op| op.name == name)
}
