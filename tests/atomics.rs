//! User-memory atomics (`UserPtr<u32>::atomic_*`): each operation's result
//! and effect, the validation rules (misaligned, unmapped, read-only,
//! outside user space, lazy pages), injected faults, and on the simulated
//! space the real fault-safe routine: contention between threads and a
//! page that faults during the operation.

use axptr::{
    LinuxError, MappingFlags, UserConstPtr, UserPtr, inject::FaultPlan, testing::HeapSpace,
};

const PAGE: usize = 4096;
const RW: MappingFlags = MappingFlags::READ.union(MappingFlags::WRITE);

/// A space of three pages: read-write, read-only, unmapped.
fn space() -> (HeapSpace, usize) {
    let mut space = HeapSpace::new(3);
    let base = space.base();
    space.map(base, PAGE, RW);
    space.map(base + PAGE, PAGE, MappingFlags::READ);
    (space, base)
}

fn word(space: &HeapSpace, addr: usize) -> u32 {
    u32::from_ne_bytes(space.peek(addr, 4).try_into().expect("4 bytes"))
}

#[test]
fn each_operation_returns_the_old_value_and_stores_the_new() {
    let (mut space, base) = space();
    let p = UserPtr::<u32>::from(base + 8);
    space.poke(base + 8, &0b1100u32.to_ne_bytes());
    assert_eq!(p.atomic_load(&mut space), Ok(0b1100));
    assert_eq!(p.atomic_fetch_or(&mut space, 0b0011), Ok(0b1100));
    assert_eq!(word(&space, base + 8), 0b1111);
    assert_eq!(p.atomic_fetch_and(&mut space, 0b0110), Ok(0b1111));
    assert_eq!(word(&space, base + 8), 0b0110);
    assert_eq!(p.atomic_fetch_xor(&mut space, 0b0101), Ok(0b0110));
    assert_eq!(word(&space, base + 8), 0b0011);
    assert_eq!(p.atomic_fetch_add(&mut space, u32::MAX), Ok(0b0011));
    assert_eq!(word(&space, base + 8), 0b0010, "the add wraps");
    assert_eq!(p.atomic_swap(&mut space, 77), Ok(0b0010));
    assert_eq!(word(&space, base + 8), 77);
    assert_eq!(p.atomic_store(&mut space, 5), Ok(()));
    assert_eq!(word(&space, base + 8), 5);
}

#[test]
fn compare_exchange_stores_only_on_a_match_and_returns_the_old_value() {
    let (mut space, base) = space();
    let p = UserPtr::<u32>::from(base);
    assert_eq!(p.atomic_compare_exchange(&mut space, 1, 9), Ok(0));
    assert_eq!(word(&space, base), 0, "no match: nothing stored");
    assert_eq!(p.atomic_compare_exchange(&mut space, 0, 9), Ok(0));
    assert_eq!(word(&space, base), 9);
    assert_eq!(p.atomic_compare_exchange(&mut space, 0, 10), Ok(9));
    assert_eq!(word(&space, base), 9);
}

#[test]
fn misaligned_word_is_efault_for_every_operation() {
    let (mut space, base) = space();
    for offset in 1..4 {
        let p = UserPtr::<u32>::from(base + offset);
        assert_eq!(p.atomic_load(&mut space), Err(LinuxError::EFAULT));
        assert_eq!(p.atomic_store(&mut space, 1), Err(LinuxError::EFAULT));
        assert_eq!(
            p.atomic_compare_exchange(&mut space, 0, 1),
            Err(LinuxError::EFAULT)
        );
        assert_eq!(p.atomic_swap(&mut space, 1), Err(LinuxError::EFAULT));
        assert_eq!(p.atomic_fetch_add(&mut space, 1), Err(LinuxError::EFAULT));
        assert_eq!(p.atomic_fetch_or(&mut space, 1), Err(LinuxError::EFAULT));
        assert_eq!(p.atomic_fetch_and(&mut space, 1), Err(LinuxError::EFAULT));
        assert_eq!(p.atomic_fetch_xor(&mut space, 1), Err(LinuxError::EFAULT));
    }
    assert!(
        space.peek(base, 8).iter().all(|&b| b == 0),
        "nothing written"
    );
}

#[test]
fn read_only_word_loads_but_refuses_every_writing_operation() {
    let (mut space, base) = space();
    let ro = base + PAGE;
    space.poke(ro, &7u32.to_ne_bytes());
    let p = UserPtr::<u32>::from(ro);
    assert_eq!(p.atomic_load(&mut space), Ok(7));
    assert_eq!(p.atomic_store(&mut space, 1), Err(LinuxError::EFAULT));
    // Even a comparison that would fail needs a writable word.
    assert_eq!(
        p.atomic_compare_exchange(&mut space, 0, 1),
        Err(LinuxError::EFAULT)
    );
    assert_eq!(p.atomic_swap(&mut space, 1), Err(LinuxError::EFAULT));
    assert_eq!(p.atomic_fetch_add(&mut space, 1), Err(LinuxError::EFAULT));
    assert_eq!(p.atomic_fetch_or(&mut space, 1), Err(LinuxError::EFAULT));
    assert_eq!(p.atomic_fetch_and(&mut space, 0), Err(LinuxError::EFAULT));
    assert_eq!(p.atomic_fetch_xor(&mut space, 1), Err(LinuxError::EFAULT));
    assert_eq!(word(&space, ro), 7);
    // Through a `UserConstPtr`, only the load exists.
    assert_eq!(UserConstPtr::<u32>::from(ro).atomic_load(&mut space), Ok(7));
}

#[test]
fn unmapped_null_and_out_of_space_words_are_efault() {
    let (mut space, base) = space();
    for addr in [0, base + 2 * PAGE, base - PAGE, usize::MAX - 3, 1 << 62] {
        let p = UserPtr::<u32>::from(addr);
        assert_eq!(
            p.atomic_load(&mut space),
            Err(LinuxError::EFAULT),
            "{addr:#x}"
        );
        assert_eq!(
            p.atomic_fetch_add(&mut space, 1),
            Err(LinuxError::EFAULT),
            "{addr:#x}"
        );
    }
}

#[test]
fn a_lazy_page_is_populated_before_the_operation() {
    let mut space = HeapSpace::new(1);
    let base = space.base();
    space.map_lazy(base, PAGE, RW);
    let p = UserPtr::<u32>::from(base + 12);
    assert_eq!(p.atomic_fetch_add(&mut space, 3), Ok(0));
    assert!(space.is_present(base));
    assert_eq!(p.atomic_load(&mut space), Ok(3));
}

#[test]
fn an_injected_fault_fails_the_operation_without_touching_the_word() {
    let (mut space, base) = space();
    let p = UserPtr::<u32>::from(base);
    space.faults().arm(FaultPlan::nth(2));
    assert_eq!(p.atomic_fetch_add(&mut space, 1), Ok(0));
    assert_eq!(p.atomic_fetch_add(&mut space, 1), Err(LinuxError::EFAULT));
    assert_eq!(word(&space, base), 1);
    assert_eq!(p.atomic_fetch_add(&mut space, 1), Ok(1));
    assert_eq!(space.faults().accesses(), 3);
    // A failed validation is no access.
    assert_eq!(
        UserPtr::<u32>::from(base + 1).atomic_load(&mut space),
        Err(LinuxError::EFAULT)
    );
    assert_eq!(space.faults().accesses(), 3);
}

#[test]
fn the_fault_flag_is_clear_after_every_operation() {
    let (mut space, base) = space();
    let p = UserPtr::<u32>::from(base);
    let _ = p.atomic_fetch_or(&mut space, 1);
    assert!(!axptr::is_accessing_user_memory());
    let _ = UserPtr::<u32>::from(base + 2 * PAGE).atomic_fetch_or(&mut space, 1);
    assert!(!axptr::is_accessing_user_memory());
}

/// On the simulated space, the real routine: atomic under contention, and
/// a page that faults during the operation.
#[cfg(all(target_os = "linux", target_arch = "x86_64", not(miri)))]
mod sim {
    use std::thread;

    use axptr::{LinuxError, MappingFlags, UserPtr, sim::SimSpace};

    const PAGE: usize = 4096;
    const RW: MappingFlags = MappingFlags::READ.union(MappingFlags::WRITE);

    #[test]
    fn fetch_add_from_many_threads_loses_no_update() {
        let space = SimSpace::new(PAGE).expect("space");
        space.map(space.base(), PAGE, RW).expect("map");
        let addr = space.base() + 64;
        const THREADS: u32 = 4;
        const EACH: u32 = 2000;
        thread::scope(|s| {
            for _ in 0..THREADS {
                s.spawn(|| {
                    let mut user = space.provider();
                    for _ in 0..EACH {
                        UserPtr::<u32>::from(addr)
                            .atomic_fetch_add(&mut user, 1)
                            .expect("mapped");
                    }
                });
            }
        });
        let mut user = space.provider();
        assert_eq!(
            UserPtr::<u32>::from(addr).atomic_load(&mut user),
            Ok(THREADS * EACH)
        );
    }

    #[test]
    fn compare_exchange_from_many_threads_is_a_lock() {
        let space = SimSpace::new(PAGE).expect("space");
        space.map(space.base(), PAGE, RW).expect("map");
        let lock = space.base();
        let counter = space.base() + 8;
        thread::scope(|s| {
            for tid in 1..=4u32 {
                let space = &space;
                s.spawn(move || {
                    let mut user = space.provider();
                    let lock = UserPtr::<u32>::from(lock);
                    let counter = UserPtr::<u32>::from(counter);
                    for _ in 0..500 {
                        while lock.atomic_compare_exchange(&mut user, 0, tid) != Ok(0) {
                            thread::yield_now();
                        }
                        // A non-atomic read-modify-write, protected by the lock.
                        let n = counter.read(&mut user).expect("mapped");
                        counter.write(&mut user, n + 1).expect("mapped");
                        assert_eq!(lock.atomic_swap(&mut user, 0), Ok(tid));
                    }
                });
            }
        });
        let mut user = space.provider();
        assert_eq!(UserPtr::<u32>::from(counter).read(&mut user), Ok(2000));
    }

    #[test]
    fn an_evicted_page_is_faulted_back_in_by_the_handler() {
        let space = SimSpace::new(PAGE).expect("space");
        space.map(space.base(), PAGE, RW).expect("map");
        space.set_demand_paging(true);
        space.evict(space.base(), PAGE).expect("evict");
        let before = space.stats();
        let mut user = space.provider();
        let p = UserPtr::<u32>::from(space.base());
        assert_eq!(p.atomic_fetch_add(&mut user, 5), Ok(0));
        assert_eq!(space.stats().resolved, before.resolved + 1);
        assert_eq!(p.atomic_load(&mut user), Ok(5));
    }

    #[test]
    fn a_page_unmapped_after_validation_is_efault_through_the_fixup() {
        use axptr::{AddrSpace, AddrSpaceProvider, VirtAddr, VirtAddrRange};

        /// A provider that unmaps the page right after validating it: the
        /// race of another thread's `munmap`, made deterministic.
        struct Unmapping<'a> {
            space: &'a SimSpace,
        }
        impl AddrSpaceProvider for Unmapping<'_> {
            type AddrSpace = Racing;
            fn with_addr_space<R>(&mut self, f: impl FnOnce(&mut Racing) -> R) -> R {
                let mut racing = Racing {
                    space: self.space.clone(),
                    validated: false,
                };
                let r = f(&mut racing);
                if racing.validated {
                    self.space.unmap(self.space.base(), PAGE).expect("unmap");
                }
                r
            }
        }
        struct Racing {
            space: SimSpace,
            validated: bool,
        }
        // SAFETY: forwards to the simulated space, whose answers are
        // honest; the page it then unmaps faults into the routine's fixup.
        unsafe impl AddrSpace for Racing {
            fn check_region_access(&self, range: VirtAddrRange, flags: MappingFlags) -> bool {
                let space = self.space.clone();
                space.check_region_access(range, flags)
            }
            fn populate_area(
                &mut self,
                start: VirtAddr,
                size: usize,
                flags: MappingFlags,
            ) -> axptr::LinuxResult<()> {
                self.validated = true;
                self.space.clone().populate_area(start, size, flags)
            }
            fn user_range(&self) -> VirtAddrRange {
                axptr::sim::USER_SPACE
            }
        }

        let space = SimSpace::new(PAGE).expect("space");
        space.map(space.base(), PAGE, RW).expect("map");
        let before = space.stats();
        let mut provider = Unmapping { space: &space };
        let p = UserPtr::<u32>::from(space.base());
        assert_eq!(
            p.atomic_fetch_add(&mut provider, 1),
            Err(LinuxError::EFAULT)
        );
        assert_eq!(space.stats().fixups, before.fixups + 1);
    }
}
