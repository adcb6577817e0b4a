//! Physical frames and the kernel's half of the page table.
//!
//! QEMU virt puts RAM at `0x8000_0000` (the kernel runs with `-m 128M`);
//! OpenSBI owns its first 2 MiB. The kernel identity-maps the rest with
//! 2 MiB pages (kernel-only: no `U` bit) and hands out the frames after its
//! image with a bump allocator: it runs one program and powers off, so it
//! never frees frames. The first frames become the heap, where `#[syscall]`
//! copies string and buffer arguments.

use core::sync::atomic::{AtomicUsize, Ordering};

use axptr::{LinuxError, LinuxResult, MappingFlags, PAGE_SIZE_4K, VirtAddr};
use buddy_system_allocator::LockedHeap;
use memory_addr::PhysAddr;
use page_table_multiarch::{PageSize, PagingHandler, PagingResult, riscv::Sv39PageTable};
use riscv::register::satp;

use crate::power::SIFIVE_TEST_BASE;

/// Where the kernel is loaded (OpenSBI's jump address on QEMU virt).
const KERNEL_BASE: usize = 0x8020_0000;
/// End of the RAM this kernel uses (`-m 128M`).
pub const PHYS_MEMORY_END: usize = 0x8800_0000;

/// The next free frame; 0 until [`init`].
static NEXT_FRAME: AtomicUsize = AtomicUsize::new(0);

unsafe extern "C" {
    static _ekernel: u8;
}

/// Heap size: room for the largest buffer argument `#[syscall]` copies in
/// (`axptr::syscall::MAX_SLICE_ARG_BYTES`, 1 MiB), twice.
const HEAP_SIZE: usize = 2 * 1024 * 1024;

#[global_allocator]
static HEAP: LockedHeap<32> = LockedHeap::empty();

/// Starts the frame allocator after the kernel image, and the heap on its
/// first frames.
pub fn init() -> LinuxResult<()> {
    let end = (&raw const _ekernel).addr();
    NEXT_FRAME.store(end.next_multiple_of(PAGE_SIZE_4K), Ordering::Relaxed);
    let heap =
        Frames::alloc_frames(HEAP_SIZE / PAGE_SIZE_4K, PAGE_SIZE_4K).ok_or(LinuxError::ENOMEM)?;
    // SAFETY: fresh frames, identity-mapped, owned by the heap from now on.
    unsafe { HEAP.lock().init(heap.as_usize(), HEAP_SIZE) };
    Ok(())
}

/// Frames for page tables and user pages; RAM is identity-mapped.
pub struct Frames;

impl PagingHandler for Frames {
    fn alloc_frames(num: usize, align: usize) -> Option<PhysAddr> {
        let size = num.checked_mul(PAGE_SIZE_4K)?;
        let mut start = 0;
        NEXT_FRAME
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |next| {
                start = next.checked_next_multiple_of(align)?;
                let end = start.checked_add(size)?;
                (next != 0 && end <= PHYS_MEMORY_END).then_some(end)
            })
            .ok()?;
        Some(PhysAddr::from(start))
    }

    fn dealloc_frames(_paddr: PhysAddr, _num: usize) {}

    fn phys_to_virt(paddr: PhysAddr) -> VirtAddr {
        VirtAddr::from(paddr.as_usize())
    }
}

/// The Sv39 page table of this kernel.
pub type PageTable = Sv39PageTable<Frames>;

/// Allocates a zeroed frame (for a user page).
pub fn alloc_zeroed_frame() -> Option<PhysAddr> {
    let frame = Frames::alloc_frame()?;
    let page = Frames::phys_to_virt(frame).as_mut_ptr();
    // SAFETY: a fresh frame of RAM, identity-mapped for the kernel and used
    // by nobody else yet.
    unsafe { page.write_bytes(0, PAGE_SIZE_4K) };
    Some(frame)
}

/// Maps the kernel's RAM and the `sifive_test` device into `pt`.
pub fn map_kernel(pt: &mut PageTable) -> LinuxResult<()> {
    let rwx = MappingFlags::READ | MappingFlags::WRITE | MappingFlags::EXECUTE;
    let mut cursor = pt.cursor();
    paging(cursor.map_region(
        VirtAddr::from(KERNEL_BASE),
        |va| PhysAddr::from(va.as_usize()),
        PHYS_MEMORY_END - KERNEL_BASE,
        rwx,
        true,
    ))?;
    paging(cursor.map(
        VirtAddr::from(SIFIVE_TEST_BASE),
        PhysAddr::from(SIFIVE_TEST_BASE),
        PageSize::Size4K,
        MappingFlags::READ | MappingFlags::WRITE | MappingFlags::DEVICE,
    ))
}

/// Switches the MMU to `pt`.
///
/// # Safety
///
/// `pt` must map the kernel (see [`map_kernel`]) and stay alive while it is
/// active.
pub unsafe fn activate(pt: &PageTable) {
    let ppn = pt.root_paddr().as_usize() >> 12;
    // SAFETY: the caller guarantees the table maps the running kernel, so
    // execution continues at the same (identity-mapped) addresses.
    unsafe { satp::set(satp::Mode::Sv39, 0, ppn) };
    riscv::asm::sfence_vma_all();
}

/// Page-table errors as errnos (`page_table_multiarch`'s own conversion
/// targets an older `axerrno`).
pub fn paging<T>(result: PagingResult<T>) -> LinuxResult<T> {
    result.map_err(|err| match err {
        page_table_multiarch::PagingError::NoMemory => LinuxError::ENOMEM,
        _ => LinuxError::EINVAL,
    })
}
