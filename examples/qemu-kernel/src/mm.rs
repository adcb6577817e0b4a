//! Physical memory: the kernel heap and the frame allocator.
//!
//! RAM is identity-mapped for the kernel (see [`map_kernel`]), so a frame's
//! physical address is also where the kernel reaches it. The heap (where
//! `#[syscall]` copies string and buffer arguments, and where the kernel
//! keeps its lists) takes the first frames after the kernel image; every
//! other frame is handed out, and taken back, by a buddy allocator: page
//! tables, the user program's pages, and lazily populated user pages, which
//! `munmap` frees once no CPU's TLB can still reach them.

use core::alloc::Layout;

use axptr::{LinuxError, LinuxResult, MappingFlags, PAGE_SIZE_4K, VirtAddr};
use buddy_system_allocator::{LockedFrameAllocator, LockedHeap};
use memory_addr::PhysAddr;
use page_table_multiarch::{PageSize, PagingHandler, PagingResult};

use crate::arch::{self, PageTable};

/// Heap size: room for the largest buffer argument `#[syscall]` copies in
/// (`axptr::syscall::MAX_SLICE_ARG_BYTES`, 1 MiB), twice.
const HEAP_SIZE: usize = 2 * 1024 * 1024;

#[global_allocator]
static HEAP: LockedHeap<32> = LockedHeap::empty();

static FRAMES: LockedFrameAllocator<32> = LockedFrameAllocator::new();

unsafe extern "C" {
    static _ekernel: u8;
}

/// Starts the heap right after the kernel image and gives the rest of RAM
/// to the frame allocator.
pub fn init() {
    let heap = (&raw const _ekernel).addr().next_multiple_of(PAGE_SIZE_4K);
    let frames = heap + HEAP_SIZE;
    // SAFETY: the RAM after the kernel image is unused, identity-mapped,
    // and owned by the heap from now on.
    unsafe { HEAP.lock().init(heap, HEAP_SIZE) };
    FRAMES
        .lock()
        .add_frame(frames / PAGE_SIZE_4K, arch::RAM_END / PAGE_SIZE_4K);
}

/// Frames for page tables and user pages.
pub struct Frames;

impl PagingHandler for Frames {
    fn alloc_frames(num: usize, align: usize) -> Option<PhysAddr> {
        let layout = Layout::from_size_align(num, align.div_ceil(PAGE_SIZE_4K).max(1)).ok()?;
        let frame = FRAMES.lock().alloc_aligned(layout)?;
        Some(PhysAddr::from(frame * PAGE_SIZE_4K))
    }

    fn dealloc_frames(paddr: PhysAddr, num: usize) {
        FRAMES.lock().dealloc(paddr.as_usize() / PAGE_SIZE_4K, num);
    }

    fn phys_to_virt(paddr: PhysAddr) -> VirtAddr {
        VirtAddr::from(paddr.as_usize())
    }
}

/// Allocates a zeroed frame (for a user page).
pub fn alloc_zeroed_frame() -> Option<PhysAddr> {
    let frame = Frames::alloc_frame()?;
    let page = Frames::phys_to_virt(frame).as_mut_ptr();
    // SAFETY: a fresh frame of RAM, identity-mapped for the kernel and used
    // by nobody else yet.
    unsafe { page.write_bytes(0, PAGE_SIZE_4K) };
    Some(frame)
}

/// Frees a user page's frame.
pub fn free_frame(frame: PhysAddr) {
    Frames::dealloc_frame(frame);
}

/// Maps the kernel's RAM (kernel-only: no `USER` bit) with 2 MiB pages, and
/// the devices the kernel uses, into `pt`.
pub fn map_kernel(pt: &mut PageTable) -> LinuxResult<()> {
    let rwx = MappingFlags::READ | MappingFlags::WRITE | MappingFlags::EXECUTE;
    let mut cursor = pt.cursor();
    paging(cursor.map_region(
        VirtAddr::from(arch::RAM_START),
        |va| PhysAddr::from(va.as_usize()),
        arch::RAM_END - arch::RAM_START,
        rwx,
        true,
    ))?;
    for device in arch::DEVICES {
        paging(cursor.map(
            VirtAddr::from(device),
            PhysAddr::from(device),
            PageSize::Size4K,
            MappingFlags::READ | MappingFlags::WRITE | MappingFlags::DEVICE,
        ))?;
    }
    Ok(())
}

/// Page-table errors as errnos (`page_table_multiarch`'s own conversion
/// targets an older `axerrno`).
pub fn paging<T>(result: PagingResult<T>) -> LinuxResult<T> {
    result.map_err(|err| match err {
        page_table_multiarch::PagingError::NoMemory => LinuxError::ENOMEM,
        _ => LinuxError::EINVAL,
    })
}
