//! The user program, and the user address space it runs in.
//!
//! The program is assembly linked into the kernel image (sections
//! `.user_text`, `.user_rodata`, `.user_data`, page-aligned and kept
//! together by the linker script), mapped into user space at
//! [`USER_IMAGE_BASE`] with its layout intact, so it reaches its own data
//! pc-relatively. It makes one syscall per case, good or hostile, and
//! reports each result with a label through [`SYS_REPORT`]; the kernel
//! prints `label: result`.
//!
//! User address space:
//!
//! | address | area |
//! |---|---|
//! | `0x1000_0000` | text (R X), read-only data (R), data (R W, 3 pages) |
//! | just after the data | unmapped |
//! | [`LAZY_BASE`] | lazy area (R W, 4 pages, populated on fault) |
//! | [`DOOMED_BASE`] | lazy area (R W, 1 page) that gets unmapped mid-call |
//! | [`UNMAPPED`] | nothing |

use core::arch::global_asm;

use axptr::{LinuxResult, MappingFlags, PAGE_SIZE_4K};
use memory_addr::PhysAddr;

use crate::{
    aspace::{Backing, UserSpace},
    syscall::{
        SYS_EXIT, SYS_FSTAT, SYS_GETCWD, SYS_NANOSLEEP, SYS_OPENAT, SYS_REPORT, SYS_UNMAP_RACE,
        SYS_WRITE,
    },
};

/// Where the program image is mapped in user space.
pub const USER_IMAGE_BASE: usize = 0x1000_0000;
/// The lazily populated area.
pub const LAZY_BASE: usize = 0x2000_0000;
const LAZY_PAGES: usize = 4;
/// A lazy page that the program has unmapped during a syscall.
pub const DOOMED_BASE: usize = 0x2100_0000;
/// An address with nothing mapped around it.
pub const UNMAPPED: usize = 0x3000_0000;
/// A kernel address (the start of the kernel's text).
const KERNEL_TEXT: usize = 0x8020_0000;
/// A syscall number that this kernel does not know.
const SYS_UNKNOWN: usize = 1234;

unsafe extern "C" {
    static _suser: u8;
    static _suser_rodata: u8;
    static _suser_data: u8;
    static _euser: u8;
}

/// Maps the program into `space` and returns its entry point.
pub fn map_program(space: &mut UserSpace) -> LinuxResult<usize> {
    let start = (&raw const _suser).addr();
    let rodata = (&raw const _suser_rodata).addr();
    let data = (&raw const _suser_data).addr();
    let end = (&raw const _euser).addr();
    let sections = [
        (start, rodata, MappingFlags::READ | MappingFlags::EXECUTE),
        (rodata, data, MappingFlags::READ),
        (data, end, MappingFlags::READ | MappingFlags::WRITE),
    ];
    for (from, to, flags) in sections {
        // The kernel image is identity-mapped: its addresses are physical.
        let user_addr = USER_IMAGE_BASE + (from - start);
        space.map_area(
            user_addr,
            to - from,
            flags,
            Backing::Image(PhysAddr::from(from)),
        )?;
    }
    space.map_area(
        LAZY_BASE,
        LAZY_PAGES * PAGE_SIZE_4K,
        MappingFlags::READ | MappingFlags::WRITE,
        Backing::Lazy,
    )?;
    space.map_area(
        DOOMED_BASE,
        PAGE_SIZE_4K,
        MappingFlags::READ | MappingFlags::WRITE,
        Backing::Lazy,
    )?;
    Ok(USER_IMAGE_BASE)
}

global_asm!(
    r#"
    .macro SYSCALL nr
        li a7, \nr
        ecall
    .endm

    # Reports a0 (the last result) under the label at `label`.
    .macro REPORT label
        mv a1, a0
        la a0, \label
        li a7, {report}
        ecall
    .endm

    .section .user_text, "ax"
    .p2align 2
user_entry:
    # gp and tp are user registers: the kernel must not rely on them after
    # a trap (percpu addresses the fault flag through gp).
    li gp, -1
    li tp, -1

    # A good write.
    li a0, 1
    la a1, hello
    li a2, hello_end - hello
    SYSCALL {write}
    REPORT l_good_write

    # Hostile buffers for write: null, unmapped, kernel memory, a range that
    # wraps around the address space, a range that runs off its mapping.
    li a0, 1
    li a1, 0
    li a2, 16
    SYSCALL {write}
    REPORT l_null

    li a0, 1
    li a1, {unmapped}
    li a2, 16
    SYSCALL {write}
    REPORT l_unmapped

    li a0, 1
    li a1, {kernel_text}
    li a2, 16
    SYSCALL {write}
    REPORT l_kernel

    li a0, 1
    li a1, -16
    li a2, 64
    SYSCALL {write}
    REPORT l_wrap

    li a0, 1
    la a1, data_end - 8
    li a2, 16
    SYSCALL {write}
    REPORT l_partly

    # The kernel writes: into a read-only page, into a buffer too small.
    la a0, ro_buf
    li a1, 64
    SYSCALL {getcwd}
    REPORT l_readonly

    la a0, rw_buf
    li a1, 4
    SYSCALL {getcwd}
    REPORT l_small

    # Paths: crossing a page boundary, running off the end of the mapping,
    # longer than PATH_MAX.
    li a0, -100
    la a1, path_crossing
    li a2, 0
    li a3, 0
    SYSCALL {openat}
    REPORT l_crossing

    li a0, -100
    la a1, path_unterminated
    li a2, 0
    li a3, 0
    SYSCALL {openat}
    REPORT l_unterminated

    li a0, -100
    la a1, path_long
    li a2, 0
    li a3, 0
    SYSCALL {openat}
    REPORT l_long

    # A buffer in a lazy page: the kernel's write faults it in. Then write
    # what landed there back to the console, its NUL made a newline.
    li a0, {lazy_buf}
    li a1, 64
    SYSCALL {getcwd}
    REPORT l_lazy
    li t0, {lazy_buf}
    li t1, 10
    sb t1, 11(t0)
    li a0, 1
    li a1, {lazy_buf}
    li a2, 12
    SYSCALL {write}

    # Structs: `struct stat` written by the kernel, read back here; a
    # timespec read by the kernel and rejected.
    li a0, 1
    la a1, stat_buf
    SYSCALL {fstat}
    REPORT l_fstat
    la t0, stat_buf
    lw a0, 56(t0)
    REPORT l_blksize

    la a0, timespec_bad
    li a1, 0
    SYSCALL {nanosleep}
    REPORT l_nanosleep

    SYSCALL {unknown}
    REPORT l_unknown

    # The buffer is unmapped between the kernel's validation and its copy
    # (as another thread could): the copy faults on a page that is gone,
    # and axptr's fixup turns the fault into EFAULT.
    li a0, {doomed}
    SYSCALL {unmap_race}
    li a0, {doomed}
    li a1, 64
    SYSCALL {getcwd}
    REPORT l_race

    li a0, 0
    SYSCALL {exit}
1:  j 1b

    .section .user_rodata, "a"
hello:          .ascii "hello from user space\n"
hello_end:
l_good_write:   .asciz "good write"
l_null:         .asciz "write from a null pointer"
l_unmapped:     .asciz "write from an unmapped pointer"
l_kernel:       .asciz "write from a kernel pointer"
l_wrap:         .asciz "write from a range that wraps around"
l_partly:       .asciz "write from a partly mapped range"
l_readonly:     .asciz "getcwd into a read-only page"
l_small:        .asciz "getcwd into a too small buffer"
l_crossing:     .asciz "open a path crossing a page boundary"
l_unterminated: .asciz "open a path unterminated at the end of its mapping"
l_long:         .asciz "open a path longer than PATH_MAX"
l_lazy:         .asciz "getcwd into a lazy page"
l_fstat:        .asciz "fstat into a struct stat"
l_blksize:      .asciz "st_blksize seen by user space"
l_nanosleep:    .asciz "nanosleep with tv_nsec out of range"
l_unknown:      .asciz "unknown syscall"
l_race:         .asciz "getcwd into a page unmapped during the call"
    .p2align 6
ro_buf:         .space 64

    # Three pages, laid out to the byte.
    .section .user_data, "aw"
    .p2align 12
data_start:
rw_buf:         .space 64
stat_buf:       .space 128
timespec_bad:   .dword 0, 2000000000
    # "/etc/passwd": 6 bytes in the first page, the rest in the second.
    .org data_start + 4096 - 6
path_crossing:  .ascii "/etc/p"
                .asciz "asswd"
    # 4096 bytes before the NUL: one more than PATH_MAX allows.
path_long:      .fill 4096, 1, 0x61
                .byte 0
    # No NUL before the end of the mapping (the next page is unmapped).
    .org data_start + 3 * 4096 - 12
path_unterminated: .ascii "/unterminate"
data_end:
"#,
    write = const SYS_WRITE,
    getcwd = const SYS_GETCWD,
    openat = const SYS_OPENAT,
    fstat = const SYS_FSTAT,
    nanosleep = const SYS_NANOSLEEP,
    exit = const SYS_EXIT,
    report = const SYS_REPORT,
    unmap_race = const SYS_UNMAP_RACE,
    unknown = const SYS_UNKNOWN,
    unmapped = const UNMAPPED,
    kernel_text = const KERNEL_TEXT,
    lazy_buf = const LAZY_BASE + 0x100,
    doomed = const DOOMED_BASE,
);
