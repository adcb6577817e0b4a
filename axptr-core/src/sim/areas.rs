//! The state of a simulated space: its areas and which pages are present.
//!
//! Areas live in a vector sorted by start address, so finding the area of
//! an address is a binary search, logarithmic in the number of areas (a
//! third of the instructions of a `BTreeMap` range query, which finds both
//! ends of its range; edits, rare and already a system call's worth of
//! `mprotect`, shift the vector). Presence is a
//! [`PageBitmap`]; the host protection of the user view follows it: a
//! present page has its area's permissions, every other page is
//! `PROT_NONE`, so touching it faults.

use std::{sync::Arc, vec::Vec};

use core::ops::Range;

use axerrno::{LinuxError, LinuxResult};
use memory_addr::{PAGE_SIZE_4K, VirtAddr, VirtAddrRange};
use page_table_multiarch::MappingFlags;

use super::{
    bitmap::PageBitmap,
    host::{HostMemory, prot_of},
    stats::FaultCounters,
};
use crate::AddrSpace;

/// One mapped area: `[start, end)` (the start is kept beside it).
#[derive(Clone, Copy, Debug)]
struct Area {
    end: usize,
    flags: MappingFlags,
}

impl Area {
    /// Whether the area allows an access needing `flags`. As Linux does on
    /// x86_64, arm64 and riscv64 (whose page tables cannot express
    /// write-only), a writable area is readable too.
    fn allows(&self, flags: MappingFlags) -> bool {
        let mut granted = self.flags;
        if granted.contains(MappingFlags::WRITE) {
            granted |= MappingFlags::READ;
        }
        granted.contains(flags)
    }
}

/// What the fault handler did with a fault.
pub(super) enum Resolution {
    /// The page was made present: retry the access.
    Populated,
    /// The page was already present with an allowing area (made present by
    /// another thread meanwhile): retry the access.
    AlreadyPresent,
    /// No area, or one that does not allow the access: not resolvable.
    Refused,
}

/// The areas and page states of a [`SimSpace`](super::SimSpace), reached
/// only with its lock held: through
/// [`SimProvider`](super::SimProvider)`::with_addr_space` (as a kernel
/// reaches its locked address space) or the space's own methods.
///
/// It implements [`AddrSpace`]: `check_region_access` looks the areas up
/// (logarithmic in the number of areas); `populate_area` makes pages present
/// with their area's permissions (unless the space is in demand-paging mode,
/// where it only checks and the fault handler populates on first touch).
/// A range whose pages are all present already costs a few bitmap word
/// tests and no area lookup: like axptr itself, callers are expected to
/// have checked the permissions with `check_region_access` first.
pub struct SimAreas {
    memory: HostMemory,
    base: usize,
    end: usize,
    /// `(start, area)`, sorted by start, not overlapping.
    areas: Vec<(usize, Area)>,
    present: PageBitmap,
    demand_paging: bool,
    counters: Arc<FaultCounters>,
}

impl SimAreas {
    pub(super) fn new(
        size: usize,
        at: Option<usize>,
        counters: Arc<FaultCounters>,
    ) -> LinuxResult<Self> {
        if size == 0 || size % PAGE_SIZE_4K != 0 {
            return Err(LinuxError::EINVAL);
        }
        if at.is_some_and(|base| base == 0 || base % PAGE_SIZE_4K != 0) {
            return Err(LinuxError::EINVAL);
        }
        let memory = HostMemory::new(size, at)?;
        let base = memory.base();
        Ok(Self {
            memory,
            base,
            end: base + size,
            areas: Vec::new(),
            present: PageBitmap::new(size / PAGE_SIZE_4K),
            demand_paging: false,
            counters,
        })
    }

    pub(super) fn base(&self) -> usize {
        self.base
    }

    pub(super) fn end(&self) -> usize {
        self.end
    }

    /// Whether the page containing `addr` is present (an address outside
    /// the space is not).
    pub fn is_present(&self, addr: usize) -> bool {
        (self.base..self.end).contains(&addr) && self.present.get(self.page_index(addr))
    }

    /// Whether `populate_area` leaves population to the fault handler.
    pub fn demand_paging(&self) -> bool {
        self.demand_paging
    }

    pub(super) fn set_demand_paging(&mut self, on: bool) {
        self.demand_paging = on;
    }

    fn page_index(&self, addr: usize) -> usize {
        (addr - self.base) / PAGE_SIZE_4K
    }

    /// Page indices of `[start, end)` (page-aligned, inside the space).
    fn pages(&self, start: usize, end: usize) -> Range<usize> {
        self.page_index(start)..self.page_index(end)
    }

    /// Checks an edit's arguments; returns its end.
    pub(super) fn edit_range(&self, addr: usize, size: usize) -> LinuxResult<usize> {
        let end = addr.checked_add(size).ok_or(LinuxError::EINVAL)?;
        let aligned = addr % PAGE_SIZE_4K == 0 && size % PAGE_SIZE_4K == 0;
        if !aligned || addr < self.base || end > self.end {
            return Err(LinuxError::EINVAL);
        }
        Ok(end)
    }

    /// The index of the first area starting at or after `addr`.
    fn first_from(&self, addr: usize) -> usize {
        self.areas.partition_point(|&(start, _)| start < addr)
    }

    /// The index of the area containing `addr`.
    fn index_at(&self, addr: usize) -> Option<usize> {
        let index = self
            .areas
            .partition_point(|&(start, _)| start <= addr)
            .checked_sub(1)?;
        (addr < self.areas[index].1.end).then_some(index)
    }

    /// The area containing `addr`, with its start.
    fn area_at(&self, addr: usize) -> Option<(usize, Area)> {
        self.index_at(addr).map(|index| self.areas[index])
    }

    /// Splits the area straddling `at`, if any, so that `at` is an area
    /// boundary.
    fn split_at(&mut self, at: usize) {
        if let Some(index) = self.index_at(at) {
            let (start, area) = self.areas[index];
            if start < at {
                self.areas[index].1.end = at;
                self.areas.insert(index + 1, (at, area));
            }
        }
    }

    /// Removes every area inside `[start, end)` (whose ends were split).
    fn remove_areas(&mut self, start: usize, end: usize) {
        let range = self.first_from(start)..self.first_from(end);
        self.areas.drain(range);
    }

    /// Sets the user view's protection of `pages`; failures of `mprotect`
    /// on our own mapping are host resource exhaustion (`ENOMEM`).
    fn protect_pages(&self, pages: Range<usize>, prot: core::ffi::c_int) -> LinuxResult<()> {
        if pages.is_empty() {
            return Ok(());
        }
        self.memory
            .protect(pages.start * PAGE_SIZE_4K, pages.len() * PAGE_SIZE_4K, prot)
    }

    /// Maps `[addr, end)` with `flags`, replacing whatever was there, with
    /// zeroed contents; present at once or lazily.
    pub(super) fn map(
        &mut self,
        addr: usize,
        end: usize,
        flags: MappingFlags,
        present: bool,
    ) -> LinuxResult<()> {
        self.unmap(addr, end)?;
        let index = self.first_from(addr);
        self.areas.insert(index, (addr, Area { end, flags }));
        let pages = self.pages(addr, end);
        if present {
            self.protect_pages(pages.clone(), prot_of(flags))?;
            self.present.set(pages);
        }
        Ok(())
    }

    /// Unmaps `[addr, end)`: the pages become non-present and zero.
    pub(super) fn unmap(&mut self, addr: usize, end: usize) -> LinuxResult<()> {
        self.split_at(addr);
        self.split_at(end);
        self.remove_areas(addr, end);
        let pages = self.pages(addr, end);
        // Revoke access first, then drop the contents: a racing access sees
        // the old bytes or faults, never a half-cleared page it may keep.
        self.protect_pages(pages.clone(), libc::PROT_NONE)?;
        self.present.clear(pages);
        self.memory.discard(addr - self.base, end - addr);
        Ok(())
    }

    /// Changes the flags of the areas inside `[addr, end)` (holes stay
    /// holes); present pages get the new permissions at once.
    pub(super) fn protect(
        &mut self,
        addr: usize,
        end: usize,
        flags: MappingFlags,
    ) -> LinuxResult<()> {
        self.split_at(addr);
        self.split_at(end);
        let range = self.first_from(addr)..self.first_from(end);
        let pieces: Vec<(usize, usize)> = self.areas[range]
            .iter_mut()
            .map(|(start, area)| {
                area.flags = flags;
                (*start, area.end)
            })
            .collect();
        for (start, end) in pieces {
            let pages = self.pages(start, end);
            let runs: Vec<Range<usize>> = self.present.runs(pages, true).collect();
            for run in runs {
                self.protect_pages(run, prot_of(flags))?;
            }
        }
        Ok(())
    }

    /// Makes the present pages of `[addr, end)` non-present again, keeping
    /// their contents (reclaim: the next touch faults them back in).
    pub(super) fn evict(&mut self, addr: usize, end: usize) -> LinuxResult<()> {
        let pages = self.pages(addr, end);
        self.protect_pages(pages.clone(), libc::PROT_NONE)?;
        self.present.clear(pages);
        Ok(())
    }

    /// Whether every byte of `[start, end)` lies in areas allowing `flags`.
    fn covers(&self, start: usize, end: usize, flags: MappingFlags) -> bool {
        let mut cur = start;
        while cur < end {
            match self.area_at(cur) {
                Some((_, area)) if area.allows(flags) => cur = area.end,
                _ => return false,
            }
        }
        true
    }

    /// Checks that `[addr, addr + len)` is inside mapped areas (any
    /// permissions), for test-side pokes and peeks; returns its offset.
    pub(super) fn mapped_offset(&self, addr: usize, len: usize) -> LinuxResult<usize> {
        let end = addr.checked_add(len).ok_or(LinuxError::EFAULT)?;
        if addr < self.base || end > self.end || !self.covers(addr, end, MappingFlags::empty()) {
            return Err(LinuxError::EFAULT);
        }
        Ok(addr - self.base)
    }

    pub(super) fn memory(&self) -> &HostMemory {
        &self.memory
    }

    /// The fault handler's question: may the faulting `access` at `addr`
    /// proceed, and if the page is missing, make it present.
    ///
    /// Async-signal-safe: a binary search (no allocation), one `mprotect`, a
    /// bit set.
    pub(super) fn resolve_fault(&mut self, addr: usize, access: MappingFlags) -> Resolution {
        let Some((_, area)) = self.area_at(addr) else {
            return Resolution::Refused;
        };
        if !area.allows(access) {
            return Resolution::Refused;
        }
        let page = self.page_index(addr);
        if self.present.get(page) {
            return Resolution::AlreadyPresent;
        }
        if self
            .protect_pages(page..page + 1, prot_of(area.flags))
            .is_err()
        {
            return Resolution::Refused;
        }
        self.present.set(page..page + 1);
        Resolution::Populated
    }
}

// SAFETY: `true` only for ranges inside the space's own reserved host
// memory (`base..end`), which no kernel object uses, and covered by areas
// with the flags; pages are made present with those permissions here or by
// the process-wide fault handler, which also applies the copy routines'
// fixups. The space outlives every provider handle (shared `Arc`).
unsafe impl AddrSpace for SimAreas {
    fn check_region_access(&self, range: VirtAddrRange, flags: MappingFlags) -> bool {
        let (start, end) = (range.start.as_usize(), range.end.as_usize());
        start >= self.base && end <= self.end && self.covers(start, end, flags)
    }

    fn populate_area(
        &mut self,
        start: VirtAddr,
        size: usize,
        flags: MappingFlags,
    ) -> LinuxResult<()> {
        let start = start.as_usize();
        let end = start.checked_add(size).ok_or(LinuxError::EFAULT)?;
        if start < self.base || end > self.end {
            return Err(LinuxError::EFAULT);
        }
        let first = self.page_index(start);
        let last = self.page_index(end.next_multiple_of(PAGE_SIZE_4K));
        // The common case: everything present already, a few word tests.
        if !self.demand_paging && self.present.all_set(first..last) {
            return Ok(());
        }
        if !self.covers(start, end, flags) {
            return Err(LinuxError::EFAULT);
        }
        if self.demand_paging {
            return Ok(());
        }
        let missing: Vec<Range<usize>> = self.present.runs(first..last, false).collect();
        for run in missing {
            // A run may span areas with different permissions.
            let mut page = run.start;
            while page < run.end {
                let addr = self.base + page * PAGE_SIZE_4K;
                let (_, area) = self.area_at(addr).ok_or(LinuxError::EFAULT)?;
                let stop = run.end.min(self.page_index(area.end));
                self.protect_pages(page..stop, prot_of(area.flags))?;
                self.present.set(page..stop);
                FaultCounters::bump(&self.counters.populated_by_check, (stop - page) as u64);
                page = stop;
            }
        }
        Ok(())
    }

    fn user_range(&self) -> VirtAddrRange {
        super::USER_SPACE
    }
}
