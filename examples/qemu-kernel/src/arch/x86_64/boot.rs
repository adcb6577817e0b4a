//! Entry point. QEMU loads the kernel as an ELF file (`-kernel`) and, as
//! the PVH boot protocol has it, starts CPU 0 in 32-bit protected mode at
//! the address in the kernel's `XEN_ELFNOTE_PHYS32_ENTRY` note, paging
//! off, flat segments, with the physical address of the `hvm_start_info`
//! structure in `ebx`. (QEMU's multiboot loader refuses ELF64 kernels; PVH
//! takes them.)
//!
//! `_start32` clears `.bss`, builds a boot page table that identity-maps
//! the first 4 GiB with 2 MiB pages, turns on PAE, long mode (with `NXE`
//! for the kernel's no-execute pages and `SCE` for `syscall`) and paging,
//! loads a boot GDT with a 64-bit code segment and jumps to 64-bit code,
//! which sets up the stack and calls [`rust_boot`]. Later `init_cpu`
//! replaces the GDT with the full one (user segments and the TSS), and
//! `activate` the boot table with the address space's, built with
//! `page_table_multiarch`.

use core::{
    arch::global_asm,
    sync::atomic::{AtomicUsize, Ordering},
};

use crate::cpu::MAX_CPUS;

/// Each CPU's stack: 64 KiB (only CPU 0's is used: one CPU).
const STACK_SHIFT: usize = 16;
const STACK_SIZE: usize = 1 << STACK_SHIFT;

#[unsafe(link_section = ".bss.stack")]
static mut STACKS: [[u8; STACK_SIZE]; MAX_CPUS] = [[0; STACK_SIZE]; MAX_CPUS];

/// A page-table page of the boot table.
#[repr(C, align(4096))]
struct TablePage([u64; 512]);

/// The boot table: one PML4 page, one PDPT page, and four page
/// directories of 2 MiB pages (4 GiB). Written by `_start32` only.
#[unsafe(link_section = ".bss.boot_table")]
static mut BOOT_PML4: TablePage = TablePage([0; 512]);
#[unsafe(link_section = ".bss.boot_table")]
static mut BOOT_PDPT: TablePage = TablePage([0; 512]);
#[unsafe(link_section = ".bss.boot_table")]
static mut BOOT_PD: [TablePage; 4] = [const { TablePage([0; 512]) }; 4];

/// `XEN_ELFNOTE_PHYS32_ENTRY`: the note type QEMU looks for.
const XEN_ELFNOTE_PHYS32_ENTRY: u32 = 18;
/// Present, writable; with `PS` a 2 MiB page.
const PTE_PW: u32 = 0x3;
const PTE_PS: u32 = 0x80;
const CR0_PE: u32 = 1 << 0;
const CR0_WP: u32 = 1 << 16;
const CR0_PG: u32 = 1 << 31;
const CR4_PAE: u32 = 1 << 5;
const MSR_EFER: u32 = 0xc000_0080;
const EFER_SCE: u32 = 1 << 0;
const EFER_LME: u32 = 1 << 8;
const EFER_NXE: u32 = 1 << 11;
/// Selectors of the boot GDT (the same as in the kernel's full GDT).
const BOOT_CS: u32 = 0x08;
const BOOT_DS: u32 = 0x10;

// The PVH note (4-byte aligned: QEMU finds the descriptor by aligning the
// name's size to the note segment's alignment) holds the 32-bit entry as
// a 64-bit value, which is how QEMU reads it for an ELF64 file.
global_asm!(
    r#"
    .pushsection .note.Xen, "a", @note
    .balign 4
    .long 4
    .long 8
    .long {note_type}
    .asciz "Xen"
    .balign 4
    .quad _start32
    .balign 4
    .popsection

    .pushsection .rodata
    .balign 8
.Lboot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff
    .quad 0x00cf92000000ffff
.Lboot_gdt_end:
.Lboot_gdt_ptr:
    .word .Lboot_gdt_end - .Lboot_gdt - 1
    .quad .Lboot_gdt
    .popsection

    .section .text.entry, "ax"
    .code32
    .globl _start32
_start32:
    cli
    cld
    mov esi, ebx

    mov edi, offset _sbss
    mov ecx, offset _ebss
    sub ecx, edi
    shr ecx, 2
    xor eax, eax
    rep stosd

    mov eax, offset {pdpt}
    or eax, {pw}
    mov dword ptr [{pml4}], eax
    xor ecx, ecx
1:  mov eax, ecx
    shl eax, 12
    add eax, offset {pd}
    or eax, {pw}
    mov dword ptr [{pdpt} + ecx * 8], eax
    inc ecx
    cmp ecx, 4
    jb 1b
    xor ecx, ecx
2:  mov eax, ecx
    shl eax, 21
    or eax, {pw} | {ps}
    mov dword ptr [{pd} + ecx * 8], eax
    mov eax, ecx
    shr eax, 11
    mov dword ptr [{pd} + ecx * 8 + 4], eax
    inc ecx
    cmp ecx, 4 * 512
    jb 2b

    mov eax, offset {pml4}
    mov cr3, eax
    mov eax, cr4
    or eax, {cr4_pae}
    mov cr4, eax
    mov ecx, {efer}
    rdmsr
    or eax, {efer_bits}
    wrmsr
    mov eax, cr0
    or eax, {cr0_bits}
    mov cr0, eax

    lgdt [.Lboot_gdt_ptr]
    push {cs}
    mov eax, offset .Llong_mode
    push eax
    retf

    .code64
.Llong_mode:
    mov ax, {ds}
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor eax, eax
    mov fs, ax
    mov gs, ax
    lea rsp, [rip + {stacks} + {stack_size}]
    mov esi, esi
    xor edi, edi
    call {boot}
4:  hlt
    jmp 4b
"#,
    note_type = const XEN_ELFNOTE_PHYS32_ENTRY,
    pml4 = sym BOOT_PML4,
    pdpt = sym BOOT_PDPT,
    pd = sym BOOT_PD,
    pw = const PTE_PW,
    ps = const PTE_PS,
    cr4_pae = const CR4_PAE,
    efer = const MSR_EFER,
    efer_bits = const EFER_SCE | EFER_LME | EFER_NXE,
    cr0_bits = const CR0_PE | CR0_WP | CR0_PG,
    cs = const BOOT_CS,
    ds = const BOOT_DS,
    stacks = sym STACKS,
    stack_size = const STACK_SIZE,
    boot = sym rust_boot,
);

/// The kernel command line QEMU passed (`-append`), copied out of the PVH
/// start info (low memory, which the kernel's own page table leaves
/// unmapped) before anything else runs.
static COMMAND_LINE: CommandLine = CommandLine {
    bytes: [const { AtomicUsize::new(0) }; COMMAND_LINE_WORDS],
    len: AtomicUsize::new(0),
};

const COMMAND_LINE_MAX: usize = 256;
const COMMAND_LINE_WORDS: usize = COMMAND_LINE_MAX / size_of::<usize>();

struct CommandLine {
    bytes: [AtomicUsize; COMMAND_LINE_WORDS],
    len: AtomicUsize,
}

/// `hvm_start_info.magic`.
const HVM_START_MAGIC: u32 = 0x336e_c578;
/// Offset of `hvm_start_info.cmdline_paddr`.
const CMDLINE_PADDR_OFFSET: usize = 24;

/// Copies the command line (up to 256 bytes, the rest is dropped) from the
/// start info at `start_info`.
///
/// # Safety
///
/// `start_info` must be 0 or the address of a PVH start info structure
/// whose command line, if any, is a NUL-terminated string, both readable
/// (identity-mapped by the boot table).
unsafe fn save_command_line(start_info: usize) {
    if start_info == 0 {
        return;
    }
    let info = start_info as *const u8;
    // SAFETY: the start info is readable (caller); its fields are at these
    // offsets, possibly unaligned for all Rust knows.
    let (magic, cmdline) = unsafe {
        (
            info.cast::<u32>().read_unaligned(),
            info.add(CMDLINE_PADDR_OFFSET)
                .cast::<u64>()
                .read_unaligned(),
        )
    };
    if magic != HVM_START_MAGIC || cmdline == 0 {
        return;
    }
    let mut line = [0u8; COMMAND_LINE_MAX];
    let mut len = 0;
    while len < COMMAND_LINE_MAX {
        // SAFETY: a NUL-terminated string (caller), read up to its NUL.
        let byte = unsafe { (cmdline as usize as *const u8).add(len).read() };
        if byte == 0 {
            break;
        }
        line[len] = byte;
        len += 1;
    }
    for (word, chunk) in COMMAND_LINE
        .bytes
        .iter()
        .zip(line.chunks_exact(size_of::<usize>()))
    {
        let value = usize::from_ne_bytes(chunk.try_into().unwrap_or_default());
        word.store(value, Ordering::Relaxed);
    }
    COMMAND_LINE.len.store(len, Ordering::Release);
}

/// The command line QEMU passed, if any.
pub fn command_line() -> Option<&'static str> {
    let len = COMMAND_LINE.len.load(Ordering::Acquire);
    if len == 0 {
        return None;
    }
    // SAFETY: `len` bytes of the words were written before `len` was
    // (release/acquire), once, at boot; they are never written again, so
    // a shared byte view of them for `'static` is sound.
    let bytes =
        unsafe { core::slice::from_raw_parts(COMMAND_LINE.bytes.as_ptr().cast::<u8>(), len) };
    core::str::from_utf8(bytes).ok()
}

extern "C" fn rust_boot(cpu: usize, start_info: usize) -> ! {
    // SAFETY: `_start32` passes what QEMU's PVH boot left in `ebx`: the
    // start info, in low memory that the boot table identity-maps.
    unsafe { save_command_line(start_info) };
    crate::boot_main(cpu, 0)
}
