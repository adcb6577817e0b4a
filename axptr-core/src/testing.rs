//! A heap-backed user address space for tests (feature `testing`).
//!
//! [`HeapSpace`] hands out real host addresses inside one heap allocation
//! and keeps a mapping state per page: unmapped, mapped with some flags, and
//! present or not yet (lazy). Permissions are enforced by
//! [`check_region_access`](AddrSpace::check_region_access) only: nothing
//! faults, so it runs anywhere, including under Miri. For real page faults,
//! `mprotect` and the fault handler, use the `sim` address space.

use alloc::{vec, vec::Vec};
use core::{alloc::Layout, ptr::NonNull};

use axerrno::{LinuxError, LinuxResult};
use memory_addr::{PAGE_SIZE_4K, VirtAddr, VirtAddrRange};
use page_table_multiarch::MappingFlags;

use crate::{AddrSpace, inject::FaultInjector};

#[derive(Clone, Copy, Debug, Default)]
struct PageState {
    /// `None`: unmapped.
    flags: Option<MappingFlags>,
    present: bool,
}

/// A user address space of `pages` pages backed by a heap allocation.
///
/// All pages start unmapped. Addresses passed to [`map`](Self::map) and the
/// other edits must be page-aligned and inside the space; they panic
/// otherwise (they are test set-up, not user input).
///
/// ```
/// use axptr_core::{UserConstPtr, testing::HeapSpace};
/// use page_table_multiarch::MappingFlags;
///
/// let mut space = HeapSpace::new(4);
/// let page = space.base();
/// space.map(page, 4096, MappingFlags::READ);
/// space.poke(page, &7u32.to_ne_bytes());
/// assert_eq!(UserConstPtr::<u32>::from(page).read(&mut space), Ok(7));
/// ```
pub struct HeapSpace {
    base: NonNull<u8>,
    pages: Vec<PageState>,
    populated: usize,
    faults: FaultInjector,
}

impl HeapSpace {
    /// Creates a space of `pages` unmapped pages.
    ///
    /// # Panics
    ///
    /// If `pages` is zero or the allocation fails.
    pub fn new(pages: usize) -> Self {
        let layout = Self::layout(pages);
        // SAFETY: the layout has a non-zero size (asserted by `layout`).
        let raw = unsafe { alloc::alloc::alloc_zeroed(layout) };
        let Some(base) = NonNull::new(raw) else {
            alloc::alloc::handle_alloc_error(layout)
        };
        // User pointers are made from plain addresses; expose the
        // allocation's provenance so that they may access it.
        let start = base.as_ptr().expose_provenance();
        Self {
            base,
            pages: vec![PageState::default(); pages],
            populated: 0,
            // OVERFLOW: the allocation of `pages` pages exists.
            faults: FaultInjector::new(start, start + pages * PAGE_SIZE_4K),
        }
    }

    fn layout(pages: usize) -> Layout {
        assert!(pages > 0, "a HeapSpace needs at least one page");
        let size = pages
            .checked_mul(PAGE_SIZE_4K)
            .expect("HeapSpace too large");
        Layout::from_size_align(size, PAGE_SIZE_4K).expect("HeapSpace too large")
    }

    /// The first address of the space (page-aligned, never null).
    pub fn base(&self) -> usize {
        self.base.as_ptr().addr()
    }

    /// One past the last address of the space.
    pub fn end(&self) -> usize {
        self.base() + self.pages.len() * PAGE_SIZE_4K
    }

    /// Maps `[addr, addr + size)` with `flags`, present at once.
    pub fn map(&mut self, addr: usize, size: usize, flags: MappingFlags) {
        self.set_pages(addr, size, Some(flags), true);
    }

    /// Maps `[addr, addr + size)` with `flags`, populated only on demand.
    pub fn map_lazy(&mut self, addr: usize, size: usize, flags: MappingFlags) {
        self.set_pages(addr, size, Some(flags), false);
    }

    /// Unmaps `[addr, addr + size)`; its contents are zeroed.
    pub fn unmap(&mut self, addr: usize, size: usize) {
        self.set_pages(addr, size, None, false);
    }

    /// Changes the flags of the mapped pages of `[addr, addr + size)`.
    pub fn protect(&mut self, addr: usize, size: usize, flags: MappingFlags) {
        for index in self.page_indices(addr, size) {
            if let Some(old) = self.pages[index].flags.as_mut() {
                *old = flags;
            }
        }
    }

    /// Writes `bytes` at `addr`, ignoring permissions (test set-up); makes
    /// the touched pages present.
    pub fn poke(&mut self, addr: usize, bytes: &[u8]) {
        let offset = self.offset_of(addr, bytes.len());
        for index in self.page_indices_unaligned(addr, bytes.len()) {
            self.pages[index].present = true;
        }
        // SAFETY: `offset_of` checked that the range is inside the
        // allocation; `bytes` is a separate kernel buffer.
        unsafe {
            core::ptr::copy_nonoverlapping(
                bytes.as_ptr(),
                self.base.as_ptr().add(offset),
                bytes.len(),
            )
        };
    }

    /// Reads `len` bytes at `addr`, ignoring permissions (test inspection).
    pub fn peek(&self, addr: usize, len: usize) -> Vec<u8> {
        let offset = self.offset_of(addr, len);
        let mut out = vec![0; len];
        // SAFETY: `offset_of` checked that the range is inside the allocation.
        unsafe {
            core::ptr::copy_nonoverlapping(self.base.as_ptr().add(offset), out.as_mut_ptr(), len)
        };
        out
    }

    /// Whether the page containing `addr` is present.
    pub fn is_present(&self, addr: usize) -> bool {
        self.page_index(addr)
            .is_some_and(|index| self.pages[index].present)
    }

    /// The space's fault injection: make the *n*-th access to its memory
    /// fail (see [`inject`](crate::inject)).
    pub fn faults(&self) -> &FaultInjector {
        &self.faults
    }

    /// How many pages [`populate_area`](AddrSpace::populate_area) has made
    /// present so far.
    pub fn populated_pages(&self) -> usize {
        self.populated
    }

    fn page_index(&self, addr: usize) -> Option<usize> {
        let index = addr.checked_sub(self.base())? / PAGE_SIZE_4K;
        (index < self.pages.len()).then_some(index)
    }

    fn offset_of(&self, addr: usize, len: usize) -> usize {
        let offset = addr
            .checked_sub(self.base())
            .expect("address below the space");
        let end = offset.checked_add(len).expect("range overflows");
        assert!(
            end <= self.pages.len() * PAGE_SIZE_4K,
            "range beyond the space"
        );
        offset
    }

    fn page_indices(&self, addr: usize, size: usize) -> core::ops::Range<usize> {
        assert!(
            addr % PAGE_SIZE_4K == 0 && size % PAGE_SIZE_4K == 0,
            "HeapSpace edits are page-aligned"
        );
        self.page_indices_unaligned(addr, size)
    }

    fn page_indices_unaligned(&self, addr: usize, size: usize) -> core::ops::Range<usize> {
        let offset = self.offset_of(addr, size);
        offset / PAGE_SIZE_4K..(offset + size).div_ceil(PAGE_SIZE_4K)
    }

    fn set_pages(&mut self, addr: usize, size: usize, flags: Option<MappingFlags>, present: bool) {
        for index in self.page_indices(addr, size) {
            // A page that changes mapping starts from zeroes, as a fresh
            // kernel mapping would.
            // SAFETY: `page_indices` checked the range is inside the allocation.
            unsafe {
                self.base
                    .as_ptr()
                    .add(index * PAGE_SIZE_4K)
                    .write_bytes(0, PAGE_SIZE_4K)
            };
            self.pages[index] = PageState { flags, present };
        }
    }

    /// The states of the pages covering `[start, end)`, or `None` if part of
    /// it lies outside the space.
    fn pages_of(&self, start: usize, end: usize) -> Option<&[PageState]> {
        if start >= end {
            return Some(&[]);
        }
        let first = self.page_index(start)?;
        let last = self.page_index(end - 1)?;
        Some(&self.pages[first..=last])
    }
}

// SAFETY: `true` only for ranges inside the space's own heap allocation,
// which no kernel object uses (the tests reach it only through `poke` and
// `peek`, which take the space itself) and which lives as long as the
// space; nothing there ever faults.
unsafe impl AddrSpace for HeapSpace {
    fn check_region_access(&self, range: VirtAddrRange, flags: MappingFlags) -> bool {
        self.pages_of(range.start.as_usize(), range.end.as_usize())
            .is_some_and(|pages| {
                pages
                    .iter()
                    .all(|page| page.flags.is_some_and(|mapped| mapped.contains(flags)))
            })
    }

    fn populate_area(
        &mut self,
        start: VirtAddr,
        size: usize,
        flags: MappingFlags,
    ) -> LinuxResult<()> {
        let start = start.as_usize();
        let end = start.checked_add(size).ok_or(LinuxError::EFAULT)?;
        let first = self.page_index(start).ok_or(LinuxError::EFAULT)?;
        let count = self.pages_of(start, end).ok_or(LinuxError::EFAULT)?.len();
        for page in &mut self.pages[first..first + count] {
            if !page.flags.is_some_and(|mapped| mapped.contains(flags)) {
                return Err(LinuxError::EFAULT);
            }
            if !page.present {
                page.present = true;
                self.populated += 1;
            }
        }
        Ok(())
    }

    /// From 0 (so that empty ranges at null are valid, as on Linux) to the
    /// end of the allocation.
    fn user_range(&self) -> VirtAddrRange {
        VirtAddrRange::new(VirtAddr::from(0), VirtAddr::from(self.end()))
    }
}

impl Drop for HeapSpace {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with this same layout.
        unsafe { alloc::alloc::dealloc(self.base.as_ptr(), Self::layout(self.pages.len())) };
    }
}
