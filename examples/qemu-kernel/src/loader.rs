//! Loads the user program into the user address space.
//!
//! The program is a static ELF executable built with the kernel (see
//! `build.rs`) and included in its image. Each `PT_LOAD` segment becomes an
//! area with the segment's permissions, its pages filled up front from the
//! file (the rest of a page, and `.bss`, zeroed); the main thread's stack is
//! a lazy area below [`USER_STACK_TOP`].

use axptr::{LinuxError, LinuxResult, MappingFlags, PAGE_SIZE_4K};
use axptr_qemu_abi::USER_STACK_TOP;
use elf::{ElfBytes, abi, endian::LittleEndian};

use crate::{arch, aspace::UserSpace, mm};

static USER_ELF: &[u8] = include_bytes!(env!("AXPTR_QEMU_USER_ELF"));

/// The main thread's stack size.
const STACK_SIZE: usize = 64 * 1024;

/// Where the program starts, and its main thread's stack pointer.
pub struct Entry {
    /// The entry point.
    pub pc: usize,
    /// The top of the stack.
    pub sp: usize,
}

/// Maps the program and its stack into `space`.
pub fn load(space: &mut UserSpace) -> LinuxResult<Entry> {
    let file =
        ElfBytes::<LittleEndian>::minimal_parse(USER_ELF).map_err(|_| LinuxError::ENOEXEC)?;
    if file.ehdr.e_machine != arch::ELF_MACHINE || file.ehdr.e_type != abi::ET_EXEC {
        return Err(LinuxError::ENOEXEC);
    }
    let segments = file.segments().ok_or(LinuxError::ENOEXEC)?;
    for segment in segments.iter().filter(|s| s.p_type == abi::PT_LOAD) {
        let as_usize = |v: u64| usize::try_from(v).map_err(|_| LinuxError::ENOEXEC);
        let vaddr = as_usize(segment.p_vaddr)?;
        let offset = as_usize(segment.p_offset)?;
        let file_size = as_usize(segment.p_filesz)?;
        let mem_size = as_usize(segment.p_memsz)?;
        let data = offset
            .checked_add(file_size)
            .and_then(|end| USER_ELF.get(offset..end))
            .ok_or(LinuxError::ENOEXEC)?;
        let start = vaddr & !(PAGE_SIZE_4K - 1);
        let end = vaddr
            .checked_add(mem_size.max(file_size))
            .and_then(|end| end.checked_next_multiple_of(PAGE_SIZE_4K))
            .ok_or(LinuxError::ENOEXEC)?;
        space.map_area(start, end - start, segment_flags(segment.p_flags))?;
        for page in (start..end).step_by(PAGE_SIZE_4K) {
            let frame = mm::alloc_zeroed_frame().ok_or(LinuxError::ENOMEM)?;
            // The part of the file that lands in this page.
            let from = page.max(vaddr);
            let to = (page + PAGE_SIZE_4K).min(vaddr + file_size);
            if from < to {
                let bytes = &data[from - vaddr..to - vaddr];
                let dst = core::ptr::with_exposed_provenance_mut::<u8>(frame.as_usize());
                // SAFETY: a fresh, identity-mapped frame; the bytes fit in
                // it from `from - page` on.
                unsafe {
                    dst.add(from - page)
                        .copy_from_nonoverlapping(bytes.as_ptr(), bytes.len())
                };
            }
            // The page was written through the data cache.
            arch::sync_icache(frame.as_usize(), PAGE_SIZE_4K);
            space.map_page(page, frame)?;
        }
    }
    let rw = MappingFlags::READ | MappingFlags::WRITE;
    space.map_area(USER_STACK_TOP - STACK_SIZE, STACK_SIZE, rw)?;
    let pc = usize::try_from(file.ehdr.e_entry).map_err(|_| LinuxError::ENOEXEC)?;
    Ok(Entry {
        pc,
        sp: USER_STACK_TOP,
    })
}

fn segment_flags(p_flags: u32) -> MappingFlags {
    let mut flags = MappingFlags::empty();
    for (bit, flag) in [
        (abi::PF_R, MappingFlags::READ),
        (abi::PF_W, MappingFlags::WRITE),
        (abi::PF_X, MappingFlags::EXECUTE),
    ] {
        if p_flags & bit != 0 {
            flags |= flag;
        }
    }
    flags
}
