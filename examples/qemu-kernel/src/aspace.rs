//! The user address space: areas over the page table, the two questions
//! axptr asks about them ([`AddrSpace`]), and the page-fault policy.
//!
//! An area is a range of user addresses with permissions. Its pages are
//! populated on demand: the page-fault handler gives a page its zeroed
//! frame on the first fault (the loader fills the program's pages up
//! front). [`AddrSpace::populate_area`] leaves lazy pages alone, as a kernel
//! whose user copies simply fault pages in (like Linux's `copy_from_user`)
//! does, so every lazy page the kernel touches through axptr goes through
//! the fault path that [`axptr::is_accessing_user_memory`] gates.
//!
//! The address space is shared by all the threads of the process, on all
//! CPUs, behind [`USER_SPACE`]'s lock. `munmap` and `mprotect` edit the page
//! table, then shoot the old translations down on every CPU, and only then
//! free the frames: another CPU in the middle of a copy then faults on the
//! page instead of writing a frame that has a new owner, and axptr's fixup
//! turns that fault into `EFAULT`.

use alloc::{collections::BTreeMap, vec::Vec};

use axptr::{
    AddrSpace, AddrSpaceProvider, LinuxError, LinuxResult, MappingFlags, PAGE_SIZE_4K, VirtAddr,
    VirtAddrRange,
};
use axptr_qemu_abi::{MMAP_BASE, USER_END, USER_IMAGE_BASE};
use memory_addr::PhysAddr;
use page_table_multiarch::PageSize;

use crate::{
    arch::{self, PageTable},
    cpu,
    lock::SpinLock,
    mm,
};

/// The lowest address a user area may start at (Linux's `mmap_min_addr`):
/// the kernel keeps its device windows below it.
const MMAP_MIN_ADDR: usize = USER_IMAGE_BASE;

/// Whether `addr` is a user address.
pub fn is_user_address(addr: usize) -> bool {
    addr < USER_END
}

/// How a page fault on a user address was resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// A lazy page got its frame: retry the access.
    Populated,
    /// The page is already there with the needed permission (another CPU
    /// populated it first, or the TLB held a stale entry): retry.
    Spurious,
    /// No area allows the access: the fault stands.
    Denied,
}

#[derive(Clone, Copy)]
struct Area {
    end: usize,
    flags: MappingFlags,
}

/// The address space of the (only) user process.
pub struct UserSpace {
    page_table: PageTable,
    /// Areas by start address; they never overlap.
    areas: BTreeMap<usize, Area>,
    /// A range to unmap right after the next check (see
    /// [`unmap_after_next_check`](Self::unmap_after_next_check)).
    racing_unmap: Option<(usize, usize)>,
}

impl UserSpace {
    /// An empty user space over a page table that maps the kernel.
    pub fn new() -> LinuxResult<Self> {
        let mut page_table = mm::paging(PageTable::try_new())?;
        mm::map_kernel(&mut page_table)?;
        Ok(Self {
            page_table,
            areas: BTreeMap::new(),
            racing_unmap: None,
        })
    }

    /// The page table, to activate.
    pub fn page_table(&self) -> &PageTable {
        &self.page_table
    }

    /// Checks that `[start, start + len)` is a page-aligned, non-empty range
    /// of user space; returns its end.
    fn user_pages(start: usize, len: usize) -> LinuxResult<usize> {
        let end = start
            .checked_add(len.next_multiple_of(PAGE_SIZE_4K))
            .ok_or(LinuxError::EINVAL)?;
        if start % PAGE_SIZE_4K != 0 || len == 0 || start < MMAP_MIN_ADDR || end > USER_END {
            return Err(LinuxError::EINVAL);
        }
        Ok(end)
    }

    /// Adds an empty (lazily populated) area `[start, start + len)` with
    /// `flags` (`USER` is implied); `EEXIST` if it overlaps another.
    pub fn map_area(&mut self, start: usize, len: usize, flags: MappingFlags) -> LinuxResult<()> {
        let end = Self::user_pages(start, len)?;
        if self.overlapping(start, end).next().is_some() {
            return Err(LinuxError::EEXIST);
        }
        let flags = flags | MappingFlags::USER;
        self.areas.insert(start, Area { end, flags });
        Ok(())
    }

    /// Maps `frame` at the page `page` of an area (for the loader, which
    /// fills the program's pages itself).
    pub fn map_page(&mut self, page: usize, frame: PhysAddr) -> LinuxResult<()> {
        let area = self.area_at(page).ok_or(LinuxError::EFAULT)?;
        let flags = area.flags;
        mm::paging(self.page_table.cursor().map(
            VirtAddr::from(page),
            frame,
            PageSize::Size4K,
            flags,
        ))
    }

    /// `mmap` of anonymous memory: at `addr` exactly (`fixed`, replacing
    /// what is there) or wherever there is room; returns the start.
    pub fn mmap(
        &mut self,
        addr: usize,
        len: usize,
        flags: MappingFlags,
        fixed: bool,
    ) -> LinuxResult<usize> {
        let start = if fixed {
            Self::user_pages(addr, len)?;
            self.munmap(addr, len)?;
            addr
        } else {
            self.free_range(len)?
        };
        self.map_area(start, len, flags)?;
        Ok(start)
    }

    /// The lowest free range of `len` bytes at or above [`MMAP_BASE`].
    fn free_range(&self, len: usize) -> LinuxResult<usize> {
        let len = len.next_multiple_of(PAGE_SIZE_4K);
        let mut start = MMAP_BASE;
        for (&a_start, area) in self.areas.range(..) {
            if area.end <= start {
                continue;
            }
            if a_start >= start.checked_add(len).ok_or(LinuxError::ENOMEM)? {
                break;
            }
            start = area.end;
        }
        Self::user_pages(start, len).map_err(|_| LinuxError::ENOMEM)?;
        Ok(start)
    }

    /// `munmap`: removes `[addr, addr + len)` from the areas and unmaps its
    /// present pages on every CPU before freeing their frames.
    pub fn munmap(&mut self, addr: usize, len: usize) -> LinuxResult<()> {
        let end = Self::user_pages(addr, len)?;
        let removed = self.carve(addr, end);
        let mut frames = Vec::new();
        {
            let mut cursor = self.page_table.cursor();
            for (start, area) in &removed {
                for page in (*start..area.end).step_by(PAGE_SIZE_4K) {
                    // Lazy pages never faulted in are not mapped.
                    if let Ok((frame, _, _)) = cursor.unmap(VirtAddr::from(page)) {
                        frames.push(frame);
                    }
                }
            }
            // Dropping the cursor flushes this CPU's TLB.
        }
        if !frames.is_empty() {
            arch::shoot_down_tlb(addr, end - addr);
        }
        // No CPU can reach these frames any more.
        for frame in frames {
            mm::free_frame(frame);
        }
        cpu::count(|s| &s.unmaps);
        Ok(())
    }

    /// `mprotect`: gives `[addr, addr + len)` the permissions `flags`;
    /// `ENOMEM` if part of the range is not mapped.
    pub fn mprotect(&mut self, addr: usize, len: usize, flags: MappingFlags) -> LinuxResult<()> {
        let end = Self::user_pages(addr, len)?;
        let mut covered = addr;
        for (&start, area) in self.overlapping(addr, end) {
            if start > covered {
                break;
            }
            covered = area.end;
        }
        if covered < end {
            return Err(LinuxError::ENOMEM);
        }
        let flags = flags | MappingFlags::USER;
        self.carve(addr, end);
        self.areas.insert(addr, Area { end, flags });
        {
            let mut cursor = self.page_table.cursor();
            for page in (addr..end).step_by(PAGE_SIZE_4K) {
                // Pages not populated yet get the new flags when they are.
                let _ = cursor.protect(VirtAddr::from(page), flags);
            }
        }
        arch::shoot_down_tlb(addr, end - addr);
        cpu::count(|s| &s.unmaps);
        Ok(())
    }

    /// The areas that overlap `[start, end)`, in order.
    fn overlapping(&self, start: usize, end: usize) -> impl Iterator<Item = (&usize, &Area)> {
        // The area before `start` may reach into the range.
        let first = self
            .areas
            .range(..=start)
            .next_back()
            .filter(|(_, area)| area.end > start)
            .map_or(start, |(&s, _)| s);
        self.areas.range(first..end)
    }

    /// Removes `[start, end)` from the areas, keeping what lies outside;
    /// returns the parts removed.
    fn carve(&mut self, start: usize, end: usize) -> Vec<(usize, Area)> {
        let hit: Vec<(usize, Area)> = self
            .overlapping(start, end)
            .map(|(&s, &area)| (s, area))
            .collect();
        let mut removed = Vec::with_capacity(hit.len());
        for (s, area) in hit {
            self.areas.remove(&s);
            if s < start {
                self.areas.insert(s, Area { end: start, ..area });
            }
            if area.end > end {
                self.areas.insert(end, area);
            }
            let inner = Area {
                end: area.end.min(end),
                ..area
            };
            removed.push((s.max(start), inner));
        }
        removed
    }

    /// Unmaps the area at `start` right after the next check of this
    /// address space, between axptr's validation and its copy: what another
    /// thread's `munmap` can do at any time, at a moment chosen for a
    /// deterministic transcript.
    pub fn unmap_after_next_check(&mut self, start: usize) -> LinuxResult<()> {
        let area = self.areas.get(&start).ok_or(LinuxError::EINVAL)?;
        self.racing_unmap = Some((start, area.end - start));
        Ok(())
    }

    fn area_at(&self, addr: usize) -> Option<&Area> {
        self.areas
            .range(..=addr)
            .next_back()
            .map(|(_, area)| area)
            .filter(|area| addr < area.end)
    }

    /// Resolves a page fault at `addr` for an access needing `access`.
    pub fn resolve_fault(&mut self, addr: usize, access: MappingFlags) -> Resolution {
        let Some(area) = self.area_at(addr).copied() else {
            return Resolution::Denied;
        };
        if !area.flags.contains(access) {
            return Resolution::Denied;
        }
        let page = VirtAddr::from(addr & !(PAGE_SIZE_4K - 1));
        if let Ok((_, flags, _)) = self.page_table.query(page) {
            if flags.contains(access) {
                arch::flush_tlb_local(page.as_usize());
                return Resolution::Spurious;
            }
            return Resolution::Denied;
        }
        let Some(frame) = mm::alloc_zeroed_frame() else {
            return Resolution::Denied;
        };
        match self
            .page_table
            .cursor()
            .map(page, frame, PageSize::Size4K, area.flags)
        {
            Ok(()) => Resolution::Populated,
            Err(_) => {
                mm::free_frame(frame);
                Resolution::Denied
            }
        }
    }
}

// SAFETY: `true` only for ranges inside the areas, which lie in
// `[MMAP_MIN_ADDR, USER_END)` and hold user frames only (the kernel's RAM and
// device mappings are elsewhere and kernel-only). Lazy pages are made present
// by the page-fault handler while the fault flag is set; a page another CPU
// unmaps meanwhile is shot down on every CPU before its frame is freed, so
// the access faults into axptr's fixup (`fault.rs`) instead of reaching a
// frame with a new owner.
unsafe impl AddrSpace for UserSpace {
    fn check_region_access(&self, range: VirtAddrRange, flags: MappingFlags) -> bool {
        // Walk the areas that cover the range back to back.
        let mut cur = range.start.as_usize();
        let end = range.end.as_usize();
        while cur < end {
            match self.area_at(cur) {
                Some(area) if area.flags.contains(flags) => cur = area.end,
                _ => return false,
            }
        }
        true
    }

    fn populate_area(
        &mut self,
        start: VirtAddr,
        size: usize,
        flags: MappingFlags,
    ) -> LinuxResult<()> {
        let range = VirtAddrRange::try_from_start_size(start, size).ok_or(LinuxError::EFAULT)?;
        if !self.check_region_access(range, flags) {
            return Err(LinuxError::EFAULT);
        }
        // Lazy pages are left to the fault handler (see the module docs).
        Ok(())
    }

    fn user_range(&self) -> VirtAddrRange {
        VirtAddrRange::new(VirtAddr::from(0), VirtAddr::from(USER_END))
    }
}

/// The user address space, behind the lock that the page-fault handler
/// also takes.
pub static USER_SPACE: SpinLock<Option<UserSpace>> =
    SpinLock::new("the user address space lock", None);

/// Runs `f` on the user address space (locked).
pub fn with_user_space<R>(f: impl FnOnce(&mut UserSpace) -> R) -> R {
    let mut space = USER_SPACE.lock();
    let Some(space) = space.as_mut() else {
        crate::oops(format_args!("no user address space"));
    };
    f(space)
}

/// The provider handed to axptr: locks [`USER_SPACE`] for each check.
pub struct CurrentSpace;

impl AddrSpaceProvider for CurrentSpace {
    type AddrSpace = UserSpace;

    fn with_addr_space<R>(&mut self, f: impl FnOnce(&mut UserSpace) -> R) -> R {
        with_user_space(|space| {
            let racing_unmap = space.racing_unmap.take();
            let result = f(space);
            if let Some((start, len)) = racing_unmap {
                // A range of user pages, checked when the unmap was armed.
                let _ = space.munmap(start, len);
            }
            result
        })
    }
}
