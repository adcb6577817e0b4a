//! The user address space: a few areas over the Sv39 page table, and the
//! two questions axptr asks about it ([`AddrSpace`]).
//!
//! Areas come in two kinds. *Image* areas map pages of the kernel image
//! (the user program's text, read-only data and data) and are present from
//! the start. *Lazy* areas get a zeroed frame on their first page fault.
//!
//! This kernel populates lazy pages only in its page-fault handler, as a
//! kernel whose user copies simply fault pages in (like Linux's
//! `copy_from_user`) does: [`AddrSpace::populate_area`] leaves them alone.
//! So every lazy page the kernel touches through axptr goes through the
//! fault path that [`axptr::is_accessing_user_memory`] gates, and the
//! counter printed at the end shows it ran.

use axptr::{
    AddrSpace, AddrSpaceProvider, LinuxError, LinuxResult, MappingFlags, PAGE_SIZE_4K, VirtAddr,
    VirtAddrRange,
};
use memory_addr::PhysAddr;
use page_table_multiarch::PageSize;

use crate::{
    lock::Lock,
    mm::{self, PageTable},
};

/// User space is `[0, USER_END)`; the kernel's identity map starts above.
pub const USER_END: usize = 0x4000_0000;

/// Whether `addr` is a user address.
pub fn is_user_address(addr: usize) -> bool {
    addr < USER_END
}

const MAX_AREAS: usize = 8;

/// Where an area's pages come from.
#[derive(Clone, Copy)]
pub enum Backing {
    /// Pages of the kernel image starting at this physical address, mapped
    /// in place and present from the start.
    Image(PhysAddr),
    /// Zeroed frames, allocated on the first fault on each page.
    Lazy,
}

#[derive(Clone, Copy)]
struct Area {
    start: usize,
    end: usize,
    flags: MappingFlags,
    backing: Backing,
}

/// The address space of the (only) user process.
pub struct UserSpace {
    page_table: PageTable,
    areas: [Option<Area>; MAX_AREAS],
    /// An area to unmap right after the next check (see
    /// [`unmap_after_next_check`](Self::unmap_after_next_check)).
    racing_unmap: Option<usize>,
}

impl UserSpace {
    /// An empty user space over a page table that maps the kernel.
    pub fn new() -> LinuxResult<Self> {
        let mut page_table = mm::paging(PageTable::try_new())?;
        mm::map_kernel(&mut page_table)?;
        Ok(Self {
            page_table,
            areas: [None; MAX_AREAS],
            racing_unmap: None,
        })
    }

    /// The page table, to activate.
    pub fn page_table(&self) -> &PageTable {
        &self.page_table
    }

    /// Adds an area of `size` bytes at `start` (both page-aligned, in user
    /// space) with `flags` (`USER` is implied).
    pub fn map_area(
        &mut self,
        start: usize,
        size: usize,
        flags: MappingFlags,
        backing: Backing,
    ) -> LinuxResult<()> {
        let end = start.checked_add(size).ok_or(LinuxError::EINVAL)?;
        if start % PAGE_SIZE_4K != 0 || size % PAGE_SIZE_4K != 0 || end > USER_END {
            return Err(LinuxError::EINVAL);
        }
        if self
            .areas
            .iter()
            .flatten()
            .any(|a| start < a.end && a.start < end)
        {
            return Err(LinuxError::EEXIST);
        }
        let slot = self
            .areas
            .iter_mut()
            .find(|slot| slot.is_none())
            .ok_or(LinuxError::ENOMEM)?;
        let flags = flags | MappingFlags::USER;
        if let Backing::Image(paddr) = backing {
            mm::paging(self.page_table.cursor().map_region(
                VirtAddr::from(start),
                |va| paddr + (va.as_usize() - start),
                size,
                flags,
                false,
            ))?;
        }
        *slot = Some(Area {
            start,
            end,
            flags,
            backing,
        });
        Ok(())
    }

    /// Removes the area that starts at `start`, unmapping its present
    /// pages.
    pub fn unmap_area(&mut self, start: usize) -> LinuxResult<()> {
        let slot = self
            .areas
            .iter_mut()
            .find(|slot| slot.is_some_and(|a| a.start == start))
            .ok_or(LinuxError::EINVAL)?;
        let Some(area) = slot.take() else {
            return Err(LinuxError::EINVAL);
        };
        let mut cursor = self.page_table.cursor();
        for page in (area.start..area.end).step_by(PAGE_SIZE_4K) {
            // Lazy pages never faulted in are not mapped: nothing to undo.
            let _ = cursor.unmap(VirtAddr::from(page));
        }
        Ok(())
    }

    /// Unmaps the area at `start` right after the next check of this
    /// address space, between axptr's validation and its copy: what
    /// another thread's `munmap` can do on a multi-hart kernel.
    pub fn unmap_after_next_check(&mut self, start: usize) -> LinuxResult<()> {
        if !self.areas.iter().flatten().any(|a| a.start == start) {
            return Err(LinuxError::EINVAL);
        }
        self.racing_unmap = Some(start);
        Ok(())
    }

    fn area_at(&self, addr: usize) -> Option<&Area> {
        self.areas
            .iter()
            .flatten()
            .find(|a| a.start <= addr && addr < a.end)
    }

    /// Resolves a page fault at `addr` for an access needing `access`:
    /// populates a lazy page, and returns whether the access can be
    /// retried.
    pub fn handle_page_fault(&mut self, addr: usize, access: MappingFlags) -> bool {
        let Some(area) = self.area_at(addr).copied() else {
            return false;
        };
        if !area.flags.contains(access) {
            return false;
        }
        match area.backing {
            // Present from the start: a fault there is a permission fault.
            Backing::Image(_) => false,
            Backing::Lazy => {
                let page = VirtAddr::from(addr & !(PAGE_SIZE_4K - 1));
                if self.page_table.query(page).is_ok() {
                    return false;
                }
                let Some(frame) = mm::alloc_zeroed_frame() else {
                    return false;
                };
                self.page_table
                    .cursor()
                    .map(page, frame, PageSize::Size4K, area.flags)
                    .is_ok()
            }
        }
    }
}

// SAFETY: `true` only for ranges inside the areas of the user half
// (`[0, USER_END)`, below the kernel's identity map), which hold user frames
// and never kernel objects; lazy pages are made present by the page-fault
// handler while the fault flag is set, and a page unmapped meanwhile faults
// into axptr's fixup (see `trap.rs`).
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
        // Image pages are present; lazy pages are left to the fault handler
        // (see the module docs).
        Ok(())
    }

    fn user_range(&self) -> VirtAddrRange {
        VirtAddrRange::new(VirtAddr::from(0), VirtAddr::from(USER_END))
    }
}

/// The user address space, behind the lock that the page-fault handler
/// also takes.
pub static USER_SPACE: Lock<Option<UserSpace>> = Lock::new("the user address space lock", None);

/// The provider handed to axptr: locks [`USER_SPACE`] for each check.
pub struct CurrentSpace;

impl AddrSpaceProvider for CurrentSpace {
    type AddrSpace = UserSpace;

    fn with_addr_space<R>(&mut self, f: impl FnOnce(&mut UserSpace) -> R) -> R {
        let mut space = USER_SPACE.lock();
        let Some(space) = space.as_mut() else {
            crate::oops(format_args!("no user address space"));
        };
        let racing_unmap = space.racing_unmap.take();
        let result = f(space);
        if let Some(start) = racing_unmap {
            // The area was armed before this check, so it exists.
            let _ = space.unmap_area(start);
        }
        result
    }
}
