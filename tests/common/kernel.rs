//! A test kernel for `#[syscall]` entries: a heap-backed address space and a
//! log of the handler bodies that ran.

use axptr::{
    AddrSpaceProvider, LinuxError, MappingFlags, Syscall, is_accessing_user_memory,
    testing::HeapSpace,
};

pub const PAGE: usize = 4096;
pub const RW: MappingFlags = MappingFlags::READ.union(MappingFlags::WRITE);
pub const RO: MappingFlags = MappingFlags::READ;

/// The context of the test handlers.
pub struct Kernel {
    pub space: HeapSpace,
    /// One line per handler body that ran, saying what it saw.
    pub ran: Vec<String>,
    /// Open files by descriptor, for conversions that use the context.
    pub files: Vec<&'static str>,
}

impl AddrSpaceProvider for Kernel {
    type AddrSpace = HeapSpace;

    fn with_addr_space<R>(&mut self, f: impl FnOnce(&mut HeapSpace) -> R) -> R {
        f(&mut self.space)
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

pub fn kernel() -> (Kernel, Pages) {
    kernel_with_pages(9)
}

/// The layout above, then `pages - 9` more read-write pages from page 9.
pub fn kernel_with_pages(pages: usize) -> (Kernel, Pages) {
    let mut space = HeapSpace::new(pages);
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
