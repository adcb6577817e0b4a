//! The simulated page-fault handler resolves what a kernel's would, and the
//! copy routine's fixup turns the rest into EFAULT.
#![cfg(all(target_os = "linux", target_arch = "x86_64", not(miri)))]

mod sim_support;

use core::ffi::c_char;

use axptr::{
    LinuxError, UserConstPtr, UserPtr, fixup_for, is_accessing_user_memory, sim::SimSpace,
};
use sim_support::{AfterCheck, PAGE, RO, RW, store, touch};

/// In-place access: the in-place API is `unsafe`: every call in this file lends memory of a
/// `SimSpace` that no other thread touches while the reference lives.
macro_rules! lend {
    ($call:expr) => {
        // SAFETY: see the macro's docs: nothing else writes or unmaps the lent memory while the reference lives.
        unsafe { $call }
    };
}

fn space(pages: usize) -> SimSpace {
    SimSpace::new(pages * PAGE).expect("a simulated space")
}

#[test]
fn validation_populates_lazy_pages_without_faulting() {
    let space = space(4);
    let page = space.base();
    space.map_lazy(page, PAGE, RW).unwrap();
    space.poke(page + 8, &5u64.to_ne_bytes()).unwrap();
    assert!(!space.is_present(page));

    let value = UserConstPtr::<u64>::from(page + 8).read(&mut space.provider());
    assert_eq!(value, Ok(5));
    assert!(space.is_present(page));
    let stats = space.stats();
    assert_eq!((stats.populated_by_check, stats.resolved), (1, 0));
}

#[test]
fn lazy_page_lent_by_reference_is_populated_by_the_fault_handler() {
    let space = space(4);
    let page = space.base();
    space.map_lazy(page, PAGE, RW).unwrap();
    space.poke(page + 16, &0xfeed_u32.to_ne_bytes()).unwrap();
    space.set_demand_paging(true);

    let mut user = space.provider();
    let value = lend!(UserPtr::<u32>::from(page + 16).get(&mut user)).unwrap();
    assert!(
        !space.is_present(page),
        "demand paging: validation only checks"
    );
    let before = space.stats();
    assert_eq!(touch(value), 0xfeed);
    store(value, 0xbeef);
    let after = space.stats();
    assert_eq!(after.resolved, before.resolved + 1);
    assert_eq!(after.populated_by_check, 0);
    assert!(space.is_present(page));
    assert_eq!(space.peek(page + 16, 4).unwrap(), 0xbeef_u32.to_ne_bytes());
}

/// The scoped reference API opens the access window around its closure:
/// in demand-paging mode, where a reference from `get` used later is an
/// oops (`sim_crashes`), the same access inside `with` is an expected
/// fault that the handler resolves.
#[test]
fn scoped_access_faults_lazy_pages_in() {
    let space = space(4);
    let page = space.base();
    space.map_lazy(page, 2 * PAGE, RW).unwrap();
    space.poke(page + 16, &0xfeed_u32.to_ne_bytes()).unwrap();
    space.set_demand_paging(true);

    let mut user = space.provider();
    let seen = lend!(UserPtr::<u32>::from(page + 16).with(&mut user, |value| {
        let seen = *value;
        *value = 0xbeef;
        seen
    }));
    assert_eq!(seen, Ok(0xfeed));
    let stats = space.stats();
    assert_eq!((stats.resolved, stats.populated_by_check), (1, 0));
    assert_eq!(space.peek(page + 16, 4).unwrap(), 0xbeef_u32.to_ne_bytes());

    // The second lazy page: a slice read in place, faulted in inside `f`.
    space.poke(page + PAGE, b"in place").unwrap();
    let sum = lend!(
        UserConstPtr::<u8>::from(page + PAGE).with_slice(&mut user, 8, |bytes| {
            bytes.iter().map(|&b| u32::from(b)).sum::<u32>()
        })
    );
    assert_eq!(sum, Ok(b"in place".iter().map(|&b| u32::from(b)).sum()));
    assert_eq!(space.stats().resolved, 2);
    assert!(!is_accessing_user_memory());
}

#[test]
fn page_evicted_after_validation_is_faulted_back_in() {
    let space = space(4);
    let page = space.base();
    space.map(page, PAGE, RO).unwrap();
    space.poke(page, b"contents survive eviction").unwrap();

    let mut user = space.provider();
    let bytes = lend!(UserConstPtr::<u8>::from(page).get_as_slice(&mut user, 25)).unwrap();
    space.evict(page, PAGE).unwrap();
    assert!(!space.is_present(page));
    let before = space.stats();
    let copy: Vec<u8> = bytes.iter().map(touch).collect();
    assert_eq!(copy, b"contents survive eviction");
    assert_eq!(space.stats().resolved, before.resolved + 1);
}

#[test]
fn null_terminated_scan_faults_in_each_lazy_page() {
    let space = space(4);
    let base = space.base();
    space.map_lazy(base, 2 * PAGE, RO).unwrap();
    // A string straddling the two lazy pages.
    let start = base + PAGE - 5;
    space.poke(start, b"/etc/passwd\0").unwrap();
    space.set_demand_paging(true);

    let mut user = space.provider();
    let name = lend!(UserConstPtr::<u8>::from(start).get_as_null_terminated(&mut user)).unwrap();
    assert_eq!(name, b"/etc/passwd");
    let stats = space.stats();
    assert_eq!(
        stats.resolved, 2,
        "the scan faulted in both pages: {stats:?}"
    );
    assert_eq!(stats.populated_by_check, 0);
    let path = lend!(UserConstPtr::<c_char>::from(start).get_as_str(&mut user));
    assert_eq!(path, Ok("/etc/passwd"));
    assert_eq!(
        space.stats().resolved,
        2,
        "present pages do not fault again"
    );
}

#[test]
fn copies_fault_in_lazy_pages_in_demand_paging_mode() {
    let space = space(8);
    let base = space.base();
    space.map_lazy(base, 4 * PAGE, RW).unwrap();
    space.set_demand_paging(true);
    let mut user = space.provider();

    let data: Vec<u8> = (0..3 * PAGE).map(|i| (i % 251) as u8).collect();
    UserPtr::<u8>::from(base + 100)
        .write_slice(&mut user, &data)
        .unwrap();
    assert_eq!(
        space.stats().resolved,
        4,
        "pages 0..4 faulted in by the copy"
    );
    let mut back = vec![0u8; data.len()];
    UserConstPtr::<u8>::from(base + 100)
        .read_slice(&mut user, &mut back)
        .unwrap();
    assert_eq!(back, data);
    assert_eq!(space.stats().fixups, 0);
}

#[test]
fn copy_from_page_unmapped_after_validation_is_efault_via_fixup() {
    let space = space(4);
    let page = space.base();
    space.map(page, PAGE, RW).unwrap();
    let mut user = AfterCheck {
        inner: space.provider(),
        hook: || space.unmap(page, PAGE).unwrap(),
    };
    let before = space.stats();
    assert_eq!(
        UserConstPtr::<[u64; 8]>::from(page).read(&mut user),
        Err(LinuxError::EFAULT)
    );
    assert_eq!(space.stats().fixups, before.fixups + 1);
    assert!(
        !is_accessing_user_memory(),
        "the flag is restored after a fixup"
    );
}

#[test]
fn copy_into_page_protected_after_validation_is_efault_via_fixup() {
    let space = space(4);
    let page = space.base();
    space.map(page, PAGE, RW).unwrap();
    let mut user = AfterCheck {
        inner: space.provider(),
        hook: || space.protect(page, PAGE, RO).unwrap(),
    };
    let before = space.stats();
    assert_eq!(
        UserPtr::<u32>::from(page + 4).write(&mut user, 7),
        Err(LinuxError::EFAULT)
    );
    assert_eq!(space.stats().fixups, before.fixups + 1);
    assert_eq!(space.peek(page + 4, 4).unwrap(), [0; 4], "nothing written");
}

#[test]
fn large_copy_cut_short_keeps_the_prefix_it_wrote() {
    let space = space(4);
    let base = space.base();
    space.map(base, 2 * PAGE, RW).unwrap();
    let second = base + PAGE;
    let mut user = AfterCheck {
        inner: space.provider(),
        hook: || space.protect(second, PAGE, RO).unwrap(),
    };
    let data = vec![0xa5u8; PAGE];
    // Half a page before the boundary, half after: `rep movsb` writes the
    // first half, faults on the read-only page, and the fixup reports the
    // rest as not copied.
    let start = base + PAGE / 2;
    assert_eq!(
        UserPtr::<u8>::from(start).write_slice(&mut user, &data),
        Err(LinuxError::EFAULT)
    );
    assert_eq!(space.stats().fixups, 1);
    assert_eq!(space.peek(start, PAGE / 2).unwrap(), vec![0xa5; PAGE / 2]);
    assert_eq!(space.peek(second, PAGE / 2).unwrap(), vec![0; PAGE / 2]);
}

#[test]
fn short_copy_cut_short_is_efault_too() {
    // Below 64 bytes the routine copies quadwords and bytes, not `rep movsb`.
    let space = space(4);
    let base = space.base();
    space.map(base, 2 * PAGE, RW).unwrap();
    let second = base + PAGE;
    let mut user = AfterCheck {
        inner: space.provider(),
        hook: || space.unmap(second, PAGE).unwrap(),
    };
    let mut buf = [0u8; 21];
    assert_eq!(
        UserConstPtr::<u8>::from(second - 11).read_slice(&mut user, &mut buf),
        Err(LinuxError::EFAULT)
    );
    assert_eq!(space.stats().fixups, 1);
}

#[test]
fn c_string_copy_rescued_from_a_vanishing_page() {
    let space = space(4);
    let base = space.base();
    space.map(base, 2 * PAGE, RO).unwrap();
    space.poke(base + PAGE - 3, b"abcdef\0").unwrap();
    let mut user = AfterCheck {
        inner: space.provider(),
        hook: || space.unmap(base + PAGE, PAGE).unwrap(),
    };
    let mut buf = [0u8; 64];
    let result = UserConstPtr::<c_char>::from(base + PAGE - 3).read_cstr(&mut user, &mut buf);
    // The first chunk (3 bytes) validates and copies; the second page is
    // gone by then, so its validation fails: EFAULT either way, no crash.
    assert_eq!(result.err(), Some(LinuxError::EFAULT));
}

#[test]
fn fixup_table_is_found_only_for_copy_instructions() {
    assert_eq!(fixup_for(0), None);
    assert_eq!(fixup_for(usize::MAX), None);
    let this_test = fixup_table_is_found_only_for_copy_instructions as *const ();
    assert_eq!(fixup_for(this_test.addr()), None);
}

#[test]
fn parallel_threads_resolve_faults_with_their_own_flag() {
    const THREADS: usize = 4;
    const PAGES: usize = 16;
    let barrier = std::sync::Barrier::new(THREADS);
    std::thread::scope(|scope| {
        for t in 0..THREADS {
            let barrier = &barrier;
            scope.spawn(move || {
                let space = space(PAGES);
                let base = space.base();
                space.map_lazy(base, PAGES * PAGE, RW).unwrap();
                space.set_demand_paging(true);
                let mut user = space.provider();
                barrier.wait();
                for page in 0..PAGES {
                    assert!(!is_accessing_user_memory());
                    let ptr = UserPtr::<u64>::from(base + page * PAGE);
                    let slot = lend!(ptr.get(&mut user)).unwrap();
                    store(slot, (t * 100 + page) as u64);
                    assert!(!is_accessing_user_memory());
                    assert_eq!(ptr.read(&mut user), Ok((t * 100 + page) as u64));
                }
                // Every fault of this thread was counted on its own space.
                let stats = space.stats();
                assert_eq!((stats.resolved, stats.fixups), (PAGES as u64, 0));
            });
        }
    });
}

#[test]
fn many_spaces_come_and_go() {
    // More than the registry's slots, one after another.
    for _ in 0..300 {
        let space = space(1);
        space.map(space.base(), PAGE, RW).unwrap();
        let ptr = UserPtr::<u8>::from(space.base());
        ptr.write(&mut space.provider(), 1).unwrap();
    }
}

#[test]
fn space_at_a_fixed_base_never_replaces_host_memory() {
    // An address no other test of this binary uses.
    const BASE: usize = 0x5b00_0000;
    let space = SimSpace::new_at(BASE, 4 * PAGE).unwrap();
    assert_eq!((space.base(), space.end()), (BASE, BASE + 4 * PAGE));
    // It is an ordinary space: lazy pages, faults, fixups.
    space.map_lazy(BASE, PAGE, RW).unwrap();
    space.set_demand_paging(true);
    let ptr = UserPtr::<u32>::from(BASE + 8);
    assert_eq!(ptr.write(&mut space.provider(), 7), Ok(()));
    assert_eq!(space.peek(BASE + 8, 4).unwrap(), 7u32.to_ne_bytes());
    assert_eq!(space.stats().resolved, 1);

    // Taken ranges are refused, whoever holds them.
    let overlapping = SimSpace::new_at(BASE + 3 * PAGE, 2 * PAGE);
    assert_eq!(overlapping.err(), Some(LinuxError::EEXIST));
    let heap = Box::new([0u8; 64]);
    let heap_page = (&raw const *heap).addr() & !(PAGE - 1);
    assert_eq!(
        SimSpace::new_at(heap_page, PAGE).err(),
        Some(LinuxError::EEXIST)
    );
    assert_eq!(heap[63], 0, "the heap is untouched");
    // Bad requests.
    for (base, size) in [
        (0, PAGE),
        (BASE + 5 * PAGE + 1, PAGE),
        (usize::MAX & !(PAGE - 1), 2 * PAGE),
    ] {
        assert_eq!(
            SimSpace::new_at(base, size).err(),
            Some(LinuxError::EINVAL),
            "{base:#x}"
        );
    }

    // Dropping the last handle frees the range.
    drop(space);
    let again = SimSpace::new_at(BASE, PAGE).unwrap();
    assert_eq!(again.base(), BASE);
}

/// Maps, protects and unmaps overlapping ranges (splitting areas at both
/// ends, inside one area, across several, over holes), and after each edit
/// compares every page's and every pair of pages' answer with a page
/// array of permissions.
#[test]
fn area_edits_agree_with_a_page_model() {
    use axptr::{AddrSpace, AddrSpaceProvider, MappingFlags, VirtAddr, VirtAddrRange};

    const PAGES: usize = 12;
    let space = space(PAGES);
    let base = space.base();
    let mut model: [Option<MappingFlags>; PAGES] = [None; PAGES];
    let edits: [(&str, usize, usize, MappingFlags); 10] = [
        ("map", 0, 12, RW),
        ("protect", 3, 2, RO),
        ("unmap", 4, 3, RW),
        ("map", 5, 1, RO),
        ("protect", 2, 8, RW),
        ("map", 0, 1, RO),
        ("unmap", 11, 1, RW),
        ("protect", 9, 3, RO),
        ("map", 3, 6, RO),
        ("unmap", 0, 12, RW),
    ];
    let allows = |granted: Option<MappingFlags>, wanted: MappingFlags| {
        granted.is_some_and(|granted| {
            let readable = if granted.contains(MappingFlags::WRITE) {
                granted | MappingFlags::READ
            } else {
                granted
            };
            readable.contains(wanted)
        })
    };
    for (step, &(edit, first, pages, flags)) in edits.iter().enumerate() {
        let (addr, size) = (base + first * PAGE, pages * PAGE);
        let result = match edit {
            "map" => space.map(addr, size, flags),
            "protect" => space.protect(addr, size, flags),
            _ => space.unmap(addr, size),
        };
        assert_eq!(result, Ok(()), "step {step}: {edit}");
        for page in &mut model[first..first + pages] {
            *page = match edit {
                "map" => Some(flags),
                "protect" => page.map(|_| flags),
                _ => None,
            };
        }
        for start in 0..PAGES {
            for len in 1..=2.min(PAGES - start) {
                for wanted in [RO, RW] {
                    let range = VirtAddrRange::from_start_size(
                        VirtAddr::from(base + start * PAGE),
                        len * PAGE,
                    );
                    let answer = space
                        .provider()
                        .with_addr_space(|aspace| aspace.check_region_access(range, wanted));
                    let expected = model[start..start + len]
                        .iter()
                        .all(|&page| allows(page, wanted));
                    assert_eq!(
                        answer,
                        expected,
                        "step {step} ({edit}): pages {start}..{} for {wanted:?}",
                        start + len
                    );
                }
            }
        }
    }
}
