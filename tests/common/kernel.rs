//! A test kernel for `#[syscall]` entries: an address space (heap-backed,
//! or the host simulation with real page faults) and a log of the handler
//! bodies that ran.

use axptr::{
    AddrSpace, AddrSpaceProvider, LinuxError, MappingFlags, Syscall, is_accessing_user_memory,
    testing::HeapSpace,
};

pub const PAGE: usize = 4096;
pub const RW: MappingFlags = MappingFlags::READ.union(MappingFlags::WRITE);
pub const RO: MappingFlags = MappingFlags::READ;

/// Which address space a test kernel gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpaceKind {
    /// `testing::HeapSpace`: fast, and runs under Miri.
    Heap,
    /// `sim::SimSpace` in demand-paging mode: user memory at real
    /// addresses, lazy pages made present by the simulated page-fault
    /// handler when first touched (Linux x86_64 only).
    Sim,
}

/// The address space of a test kernel, with the test-side accessors both
/// kinds share.
pub enum Space {
    Heap(HeapSpace),
    #[cfg(all(target_os = "linux", target_arch = "x86_64", not(miri), not(fuzzing)))]
    Sim(axptr::sim::SimSpace),
}

impl Space {
    /// A space of `pages` pages, nothing mapped.
    pub fn new(kind: SpaceKind, pages: usize) -> Self {
        match kind {
            SpaceKind::Heap => Self::Heap(HeapSpace::new(pages)),
            SpaceKind::Sim => Self::new_sim(pages),
        }
    }

    #[cfg(all(target_os = "linux", target_arch = "x86_64", not(miri), not(fuzzing)))]
    fn new_sim(pages: usize) -> Self {
        let space = axptr::sim::SimSpace::new(pages * PAGE).expect("reserve a simulated space");
        // Lazy pages are made present by the fault handler on first touch,
        // so the copies of the entries take real faults.
        space.set_demand_paging(true);
        Self::Sim(space)
    }

    #[cfg(not(all(target_os = "linux", target_arch = "x86_64", not(miri), not(fuzzing))))]
    fn new_sim(_pages: usize) -> Self {
        panic!("the host simulation needs Linux x86_64 (and is not run under Miri)")
    }

    /// Hands `f` the address space, as a kernel's provider would.
    pub fn with<R>(&mut self, f: impl FnOnce(&mut (dyn AddrSpace + 'static)) -> R) -> R {
        match self {
            Self::Heap(space) => f(space),
            #[cfg(all(target_os = "linux", target_arch = "x86_64", not(miri), not(fuzzing)))]
            Self::Sim(space) => space.provider().with_addr_space(|areas| f(areas)),
        }
    }

    pub fn base(&self) -> usize {
        match self {
            Self::Heap(space) => space.base(),
            #[cfg(all(target_os = "linux", target_arch = "x86_64", not(miri), not(fuzzing)))]
            Self::Sim(space) => space.base(),
        }
    }

    pub fn map(&mut self, addr: usize, size: usize, flags: MappingFlags) {
        match self {
            Self::Heap(space) => space.map(addr, size, flags),
            #[cfg(all(target_os = "linux", target_arch = "x86_64", not(miri), not(fuzzing)))]
            Self::Sim(space) => space.map(addr, size, flags).expect("map"),
        }
    }

    pub fn map_lazy(&mut self, addr: usize, size: usize, flags: MappingFlags) {
        match self {
            Self::Heap(space) => space.map_lazy(addr, size, flags),
            #[cfg(all(target_os = "linux", target_arch = "x86_64", not(miri), not(fuzzing)))]
            Self::Sim(space) => space.map_lazy(addr, size, flags).expect("map lazily"),
        }
    }

    /// Writes user memory regardless of permissions and presence.
    pub fn poke(&mut self, addr: usize, bytes: &[u8]) {
        match self {
            Self::Heap(space) => space.poke(addr, bytes),
            #[cfg(all(target_os = "linux", target_arch = "x86_64", not(miri), not(fuzzing)))]
            Self::Sim(space) => space.poke(addr, bytes).expect("poke mapped memory"),
        }
    }

    /// Reads user memory regardless of permissions and presence.
    pub fn peek(&self, addr: usize, len: usize) -> Vec<u8> {
        match self {
            Self::Heap(space) => space.peek(addr, len),
            #[cfg(all(target_os = "linux", target_arch = "x86_64", not(miri), not(fuzzing)))]
            Self::Sim(space) => space.peek(addr, len).expect("peek mapped memory"),
        }
    }

    pub fn is_present(&self, addr: usize) -> bool {
        match self {
            Self::Heap(space) => space.is_present(addr),
            #[cfg(all(target_os = "linux", target_arch = "x86_64", not(miri), not(fuzzing)))]
            Self::Sim(space) => space.is_present(addr),
        }
    }
}

/// The context of the test handlers.
pub struct Kernel {
    pub space: Space,
    /// One line per handler body that ran, saying what it saw.
    pub ran: Vec<String>,
    /// Open files by descriptor, for conversions that use the context.
    pub files: Vec<&'static str>,
}

impl AddrSpaceProvider for Kernel {
    type AddrSpace = dyn AddrSpace;

    fn with_addr_space<R>(&mut self, f: impl FnOnce(&mut Self::AddrSpace) -> R) -> R {
        self.space.with(f)
    }
}

/// Addresses of the test layout.
pub struct Pages {
    /// Page 0: read-write.
    pub rw: usize,
    /// Page 1: read-only.
    pub ro: usize,
    /// Page 2: unmapped.
    pub hole: usize,
    /// Page 3: lazily mapped read-write.
    pub lazy: usize,
    /// Pages 4-7: read-write.
    pub big: usize,
    /// Page 8: unmapped, right after `big`.
    pub after_big: usize,
}

/// A heap-backed kernel with the layout above.
pub fn kernel() -> (Kernel, Pages) {
    kernel_with_pages(9)
}

/// A heap-backed kernel with the layout above, then `pages - 9` more
/// read-write pages from page 9.
pub fn kernel_with_pages(pages: usize) -> (Kernel, Pages) {
    kernel_on(SpaceKind::Heap, pages)
}

/// [`kernel_with_pages`] on either kind of address space.
pub fn kernel_on(kind: SpaceKind, pages: usize) -> (Kernel, Pages) {
    let mut space = Space::new(kind, pages);
    let base = space.base();
    let page = |n: usize| base + n * PAGE;
    let pages_at = Pages {
        rw: page(0),
        ro: page(1),
        hole: page(2),
        lazy: page(3),
        big: page(4),
        after_big: page(8),
    };
    space.map(pages_at.rw, PAGE, RW);
    space.map(pages_at.ro, PAGE, RO);
    space.map_lazy(pages_at.lazy, PAGE, RW);
    space.map(pages_at.big, 4 * PAGE, RW);
    if pages > 9 {
        space.map(page(9), (pages - 9) * PAGE, RW);
    }
    let kernel = Kernel {
        space,
        ran: Vec::new(),
        files: vec!["/dev/null", "/etc/passwd"],
    };
    (kernel, pages_at)
}

/// Six registers from up to six values.
pub fn regs(args: &[usize]) -> [usize; 6] {
    let mut regs = [0; 6];
    regs[..args.len()].copy_from_slice(args);
    regs
}

/// Calls the raw entry of `S` without tracing; checks that the fault flag
/// is clear afterwards, whatever happened.
pub fn call<S: Syscall<Kernel>>(kernel: &mut Kernel, args: &[usize]) -> isize {
    let ret = S::call(kernel, regs(args));
    assert!(
        !is_accessing_user_memory(),
        "the entry left the fault flag set"
    );
    ret
}

/// The raw result for `err`.
pub fn errno(err: LinuxError) -> isize {
    -(err.code() as isize)
}

/// A negative number as its register bits.
pub fn neg(value: i64) -> usize {
    value as usize
}
