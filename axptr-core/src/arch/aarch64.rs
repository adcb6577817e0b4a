//! aarch64: the fallible routines and their fault ranges.
//!
//! Unaligned loads and stores of Normal memory are allowed while
//! `SCTLR_EL1.A` is clear (as in Linux and every usual kernel
//! configuration); the routines rely on it for the side of a copy they do
//! not align.
//!
//! Each routine group keeps one invariant at every instruction between its
//! `fault_start` and `fault_end` labels that may fault, which makes its
//! fixup one or two instructions. A faulting load or store performs no
//! base-register write-back, so a fault the kernel resolves simply resumes.
//!
//! - every copy and `clear_raw`: `x6` is the end of the destination and
//!   `x0` the first byte not yet written, so `x6 - x0` bytes are left,
//!   which the routine returns (the array copy in elements).
//!   `copy_raw` and `clear_raw`: byte head until the destination is
//!   8-aligned, doublewords, byte tail.
//! - `copy_until_nul` and `copy_until_zero_u64` store only what
//!   they have checked. The C-string copy aligns the *source* with a byte
//!   head, then copies aligned doublewords that have no zero byte
//!   (`(x - 0x01..01) & !x & 0x80..80 == 0`) and finishes byte by byte at
//!   the doubleword that holds the NUL: an aligned doubleword that holds a
//!   wanted byte lies in that byte's page, so no page past the NUL is read.
//!   The array copy loads each (possibly unaligned) element whole: it
//!   touches only the element's own pages.
//! - `atomic_u32`: nothing to keep; the fixup returns `u64::MAX`, which no
//!   `u32` result can be (writing `w0` zero-extends).
//!
//! The atomics (ARMv8.0, no LSE; sequentially consistent, the mapping LLVM
//! uses for `SeqCst`): `ldaxr`/`stlxr` loops for the read-modify-writes
//! and the compare-exchange (`clrex` when the comparison fails), `ldar` for
//! the load and `stlr` for the store. A fault the kernel resolves inside a
//! loop clears the exclusive monitor, so the `stlxr` fails and the loop
//! retries.
//!
//! Plain `ldr`/`str` are used (not `ldtr`/`sttr`), because either side of
//! a copy may be the user one. With PAN, the access guard clears it around
//! the window on kernels that enabled user-access protection
//! (`arch/mod.rs`).

core::arch::global_asm!(
    routine_start!("%", "copy_raw"),
    ".p2align 2",
    // usize copy_raw(u8 *dst /* x0 */, const u8 *src /* x1 */, usize len /* x2 */)
    entry!("%", "copy_raw"),
    "    add   x6, x0, x2",
    asm_label!("copy_raw", "_fault_start"),
    "    cmp   x2, #16",
    "    b.lo  5f",
    // Head: bytes until the destination is 8-aligned.
    "1:  tst   x0, #7",
    "    b.eq  2f",
    "    ldrb  w3, [x1], #1",
    "    strb  w3, [x0], #1",
    "    b     1b",
    "2:  and   x5, x6, #0xfffffffffffffff8",
    // Doublewords (the source may be unaligned).
    "3:  cmp   x0, x5",
    "    b.hs  5f",
    "    ldr   x3, [x1], #8",
    "    str   x3, [x0], #8",
    "    b     3b",
    // Tail, and whole short copies: bytes.
    "5:  cmp   x0, x6",
    "    b.hs  9f",
    "    ldrb  w3, [x1], #1",
    "    strb  w3, [x0], #1",
    "    b     5b",
    "9:  mov   x0, #0",
    "    ret",
    asm_label!("copy_raw", "_fault_end"),
    // Entered from the trap handler with the registers of the fault.
    asm_label!("copy_raw", "_fixup"),
    "    sub   x0, x6, x0",
    "    ret",
    entry_end!("copy_raw"),
    routine_end!(),
);

core::arch::global_asm!(
    routine_start!("%", "copy_until_nul"),
    ".p2align 2",
    // usize copy_until_nul(u8 *dst /* x0 */, const u8 *src /* x1 */, usize len /* x2 */)
    entry!("%", "copy_until_nul"),
    "    add   x6, x0, x2",
    asm_label!("copy_until_nul", "_fault_start"),
    "    cbz   x2, 9f",
    // Head: bytes until the source is 8-aligned.
    "1:  tst   x1, #7",
    "    b.eq  2f",
    "    ldrb  w3, [x1], #1",
    "    strb  w3, [x0], #1",
    "    cbz   w3, 9f",
    "    subs  x2, x2, #1",
    "    b.ne  1b",
    "    b     9f",
    // x7 = 0x01..01.
    "2:  mov   x7, #0x0101010101010101",
    // Aligned doublewords without a zero byte.
    "3:  cmp   x2, #8",
    "    b.lo  8f",
    "    ldr   x3, [x1]",
    "    sub   x4, x3, x7",
    "    bic   x4, x4, x3",
    "    tst   x4, #0x8080808080808080",
    "    b.ne  8f",
    "    str   x3, [x0], #8",
    "    add   x1, x1, #8",
    "    sub   x2, x2, #8",
    "    b     3b",
    // Tail: bytes, up to the NUL or the limit.
    "8:  cbz   x2, 9f",
    "7:  ldrb  w3, [x1], #1",
    "    strb  w3, [x0], #1",
    "    cbz   w3, 9f",
    "    subs  x2, x2, #1",
    "    b.ne  7b",
    "9:  sub   x0, x6, x0",
    "    ret",
    asm_label!("copy_until_nul", "_fault_end"),
    // Entered from the trap handler with the registers of the fault.
    asm_label!("copy_until_nul", "_fixup"),
    "    sub   x0, x6, x0",
    "    ret",
    entry_end!("copy_until_nul"),
    routine_end!(),
);

core::arch::global_asm!(
    routine_start!("%", "copy_until_zero_u64"),
    ".p2align 2",
    // usize copy_until_zero_u64(u64 *dst /* x0, aligned */, const u8 *src /* x1 */, usize elems /* x2 */)
    entry!("%", "copy_until_zero_u64"),
    "    add   x6, x0, x2, lsl #3",
    asm_label!("copy_until_zero_u64", "_fault_start"),
    "    cbz   x2, 9f",
    "1:  ldr   x3, [x1], #8",
    "    str   x3, [x0], #8",
    "    cbz   x3, 9f",
    "    subs  x2, x2, #1",
    "    b.ne  1b",
    "9:  sub   x0, x6, x0",
    "    lsr   x0, x0, #3",
    "    ret",
    asm_label!("copy_until_zero_u64", "_fault_end"),
    // Entered from the trap handler with the registers of the fault.
    asm_label!("copy_until_zero_u64", "_fixup"),
    "    sub   x0, x6, x0",
    "    lsr   x0, x0, #3",
    "    ret",
    entry_end!("copy_until_zero_u64"),
    routine_end!(),
);

core::arch::global_asm!(
    routine_start!("%", "clear_raw"),
    ".p2align 2",
    // usize clear_raw(u8 *dst /* x0 */, usize len /* x1 */)
    entry!("%", "clear_raw"),
    "    add   x6, x0, x1",
    asm_label!("clear_raw", "_fault_start"),
    "    cmp   x1, #16",
    "    b.lo  5f",
    // Head: bytes until the destination is 8-aligned.
    "1:  tst   x0, #7",
    "    b.eq  2f",
    "    strb  wzr, [x0], #1",
    "    b     1b",
    "2:  and   x5, x6, #0xfffffffffffffff8",
    "3:  cmp   x0, x5",
    "    b.hs  5f",
    "    str   xzr, [x0], #8",
    "    b     3b",
    // Tail, and whole short clears: bytes.
    "5:  cmp   x0, x6",
    "    b.hs  9f",
    "    strb  wzr, [x0], #1",
    "    b     5b",
    "9:  mov   x0, #0",
    "    ret",
    asm_label!("clear_raw", "_fault_end"),
    // Entered from the trap handler with the registers of the fault.
    asm_label!("clear_raw", "_fixup"),
    "    sub   x0, x6, x0",
    "    ret",
    entry_end!("clear_raw"),
    routine_end!(),
);

// u64 atomic_u32_*(u32 *addr /* x0 */, u32 a /* w1 */, u32 b /* w2 */):
// the value read, zero-extended.
core::arch::global_asm!(
    routine_start!("%", "atomic_u32"),
    asm_label!("atomic_u32", "_fault_start"),
    ".p2align 2",
    entry!("%", "atomic_u32_load"),
    "    ldar  w0, [x0]",
    "    ret",
    entry_end!("atomic_u32_load"),
    entry!("%", "atomic_u32_store"),
    "    stlr  w1, [x0]",
    "    mov   x0, #0",
    "    ret",
    entry_end!("atomic_u32_store"),
    entry!("%", "atomic_u32_cmpxchg"),
    "1:  ldaxr w8, [x0]",
    "    cmp   w8, w1",
    "    b.ne  2f",
    "    stlxr w9, w2, [x0]",
    "    cbnz  w9, 1b",
    "    mov   w0, w8",
    "    ret",
    "2:  clrex",
    "    mov   w0, w8",
    "    ret",
    entry_end!("atomic_u32_cmpxchg"),
    entry!("%", "atomic_u32_swap"),
    "1:  ldaxr w8, [x0]",
    "    stlxr w9, w1, [x0]",
    "    cbnz  w9, 1b",
    "    mov   w0, w8",
    "    ret",
    entry_end!("atomic_u32_swap"),
    entry!("%", "atomic_u32_add"),
    "1:  ldaxr w8, [x0]",
    "    add   w10, w8, w1",
    "    stlxr w9, w10, [x0]",
    "    cbnz  w9, 1b",
    "    mov   w0, w8",
    "    ret",
    entry_end!("atomic_u32_add"),
    entry!("%", "atomic_u32_or"),
    "1:  ldaxr w8, [x0]",
    "    orr   w10, w8, w1",
    "    stlxr w9, w10, [x0]",
    "    cbnz  w9, 1b",
    "    mov   w0, w8",
    "    ret",
    entry_end!("atomic_u32_or"),
    entry!("%", "atomic_u32_and"),
    "1:  ldaxr w8, [x0]",
    "    and   w10, w8, w1",
    "    stlxr w9, w10, [x0]",
    "    cbnz  w9, 1b",
    "    mov   w0, w8",
    "    ret",
    entry_end!("atomic_u32_and"),
    entry!("%", "atomic_u32_xor"),
    "1:  ldaxr w8, [x0]",
    "    eor   w10, w8, w1",
    "    stlxr w9, w10, [x0]",
    "    cbnz  w9, 1b",
    "    mov   w0, w8",
    "    ret",
    entry_end!("atomic_u32_xor"),
    asm_label!("atomic_u32", "_fault_end"),
    // Entered from the trap handler with the registers of the fault.
    asm_label!("atomic_u32", "_fixup"),
    "    mov   x0, #-1",
    "    ret",
    routine_end!(),
);
