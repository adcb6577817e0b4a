//! riscv64: the fallible routines and their fault ranges.
//!
//! No access is ever misaligned (misaligned accesses may trap or be
//! emulated slowly on riscv): where the source is not aligned like the
//! destination, the doubleword loops read aligned source doublewords and
//! merge neighbours with shifts (as Linux's riscv `__asm_copy_from_user`
//! does). An aligned doubleword that holds a wanted byte lies in that
//! byte's page, so no page outside the copied range is read.
//!
//! Each routine group keeps one invariant at every instruction between its
//! `fault_start` and `fault_end` labels that may fault, which makes its
//! fixup one or two instructions. A fault leaves the registers as they were
//! before the faulting instruction, so a fault the kernel resolves simply
//! resumes.
//!
//! - every copy and `clear_raw`: `t6` is the end of the destination and
//!   `a0` the first byte not yet written, so `t6 - a0` bytes are left,
//!   which the routine returns (the array copy in elements).
//!   `copy_raw` and `clear_raw`: byte head until the destination is
//!   8-aligned, doublewords, byte tail.
//! - `copy_until_nul` and `copy_until_zero_u64` store only what they have
//!   checked. The C-string copy aligns the destination with a
//!   byte head, then copies doublewords that have no zero byte
//!   (`(x - 0x01..01) & !x & 0x80..80 == 0`) and finishes byte by byte at
//!   the doubleword that holds the NUL. On the merging path it checks each
//!   aligned source doubleword before loading the next, so it never loads
//!   one past the NUL's; a fault there can stop up to 7 bytes short of the
//!   faulting page (the count is still exactly what was written).
//! - `atomic_u32`: nothing to keep; the fixup returns `u64::MAX`, which no
//!   `u32` result can be (results are zero-extended).
//!
//! The atomics (sequentially consistent, the mapping LLVM uses for
//! `SeqCst`): `amo<op>.w.aqrl` for swap, add, or, and, xor; an
//! `lr.w.aqrl`/`sc.w.rl` loop for compare-exchange; `fence rw,rw; lw;
//! fence r,rw` for the load and `fence rw,w; sw` for the store.
//!
//! The kernel needs `sstatus.SUM` set during the accesses; axptr's access
//! guard sets it on kernel builds (`arch/riscv64_sum.rs`).

core::arch::global_asm!(
    routine_start!("@", "copy_raw"),
    ".p2align 2",
    // usize copy_raw(u8 *dst /* a0 */, const u8 *src /* a1 */, usize len /* a2 */)
    entry!("@", "copy_raw"),
    "    add   t6, a0, a2",
    asm_label!("copy_raw", "_fault_start"),
    "    li    t0, 16",
    "    bltu  a2, t0, 5f",
    // Head: bytes until the destination is 8-aligned.
    "1:  andi  t0, a0, 7",
    "    beqz  t0, 2f",
    "    lbu   t1, 0(a1)",
    "    sb    t1, 0(a0)",
    "    addi  a0, a0, 1",
    "    addi  a1, a1, 1",
    "    j     1b",
    "2:  andi  t5, t6, -8",
    "    andi  t4, a1, 7",
    "    bnez  t4, 3f",
    // Source and destination both aligned: doublewords.
    "6:  bgeu  a0, t5, 5f",
    "    ld    t1, 0(a1)",
    "    sd    t1, 0(a0)",
    "    addi  a0, a0, 8",
    "    addi  a1, a1, 8",
    "    j     6b",
    // Source off by t4 bytes: aligned loads, merged. Little endian: the
    // wanted bytes are the high part of the current doubleword (shifted
    // right by 8 * t4) and the low part of the next (shifted left by
    // 64 - 8 * t4, which `sll` computes from -8 * t4 modulo 64).
    "3:  slli  t3, t4, 3",
    "    neg   t2, t3",
    "    andi  a1, a1, -8",
    "    ld    t0, 0(a1)",
    "7:  bgeu  a0, t5, 8f",
    "    ld    t1, 8(a1)",
    "    srl   t0, t0, t3",
    "    sll   a4, t1, t2",
    "    or    t0, t0, a4",
    "    sd    t0, 0(a0)",
    "    mv    t0, t1",
    "    addi  a0, a0, 8",
    "    addi  a1, a1, 8",
    "    j     7b",
    "8:  add   a1, a1, t4",
    // Tail, and whole short copies: bytes.
    "5:  bgeu  a0, t6, 9f",
    "    lbu   t1, 0(a1)",
    "    sb    t1, 0(a0)",
    "    addi  a0, a0, 1",
    "    addi  a1, a1, 1",
    "    j     5b",
    "9:  li    a0, 0",
    "    ret",
    asm_label!("copy_raw", "_fault_end"),
    // Entered from the trap handler with the registers of the fault.
    asm_label!("copy_raw", "_fixup"),
    "    sub   a0, t6, a0",
    "    ret",
    entry_end!("copy_raw"),
    routine_end!(),
);

core::arch::global_asm!(
    routine_start!("@", "copy_until_nul"),
    ".p2align 2",
    // usize copy_until_nul(u8 *dst /* a0 */, const u8 *src /* a1 */, usize len /* a2 */)
    entry!("@", "copy_until_nul"),
    "    add   t6, a0, a2",
    asm_label!("copy_until_nul", "_fault_start"),
    "    beqz  a2, 9f",
    // Head: bytes until the destination is 8-aligned.
    "1:  andi  t0, a0, 7",
    "    beqz  t0, 2f",
    "    lbu   t1, 0(a1)",
    "    sb    t1, 0(a0)",
    "    addi  a0, a0, 1",
    "    addi  a1, a1, 1",
    "    beqz  t1, 9f",
    "    addi  a2, a2, -1",
    "    bnez  a2, 1b",
    "    j     9f",
    // t5 = 0x01..01, t4 = 0x80..80: x has a zero byte iff
    // (x - t5) & !x & t4 != 0.
    "2:  li    t5, 0x0101010101010101",
    "    slli  t4, t5, 7",
    "    andi  t3, a1, 7",
    "    bnez  t3, 4f",
    // Source and destination both aligned: doublewords.
    "3:  sltiu t0, a2, 8",
    "    bnez  t0, 8f",
    "    ld    t1, 0(a1)",
    "    sub   t0, t1, t5",
    "    not   t2, t1",
    "    and   t0, t0, t2",
    "    and   t0, t0, t4",
    "    bnez  t0, 8f",
    "    sd    t1, 0(a0)",
    "    addi  a0, a0, 8",
    "    addi  a1, a1, 8",
    "    addi  a2, a2, -8",
    "    j     3b",
    // Source off by t3 bytes: aligned loads a6 (current) and a7 (next) at
    // a5, merged as in `copy_raw` (a3 = 8 * t3, a4 = -a3).
    "4:  sltiu t0, a2, 8",
    "    bnez  t0, 8f",
    "    slli  a3, t3, 3",
    "    neg   a4, a3",
    "    andi  a5, a1, -8",
    "    ld    a6, 0(a5)",
    // The bytes of a6 before the source do not count: make them 0xff.
    "    li    t0, -1",
    "    sll   t0, t0, a3",
    "    not   t0, t0",
    "    or    t1, a6, t0",
    "    sub   t0, t1, t5",
    "    not   t2, t1",
    "    and   t0, t0, t2",
    "    and   t0, t0, t4",
    "    bnez  t0, 8f",
    // Invariant: the wanted bytes of a6 hold no NUL, so the string goes on
    // into the next aligned doubleword, which may be loaded.
    "5:  sltiu t0, a2, 8",
    "    bnez  t0, 8f",
    "    ld    a7, 8(a5)",
    // A NUL anywhere in it: finish byte by byte (the merged doubleword
    // would take its low bytes).
    "    sub   t0, a7, t5",
    "    not   t2, a7",
    "    and   t0, t0, t2",
    "    and   t0, t0, t4",
    "    bnez  t0, 8f",
    "    srl   t1, a6, a3",
    "    sll   t2, a7, a4",
    "    or    t1, t1, t2",
    "    sd    t1, 0(a0)",
    "    mv    a6, a7",
    "    addi  a0, a0, 8",
    "    addi  a1, a1, 8",
    "    addi  a5, a5, 8",
    "    addi  a2, a2, -8",
    "    j     5b",
    // Tail: bytes from a1, up to the NUL or the limit.
    "8:  beqz  a2, 9f",
    "7:  lbu   t1, 0(a1)",
    "    sb    t1, 0(a0)",
    "    addi  a0, a0, 1",
    "    addi  a1, a1, 1",
    "    beqz  t1, 9f",
    "    addi  a2, a2, -1",
    "    bnez  a2, 7b",
    "9:  sub   a0, t6, a0",
    "    ret",
    asm_label!("copy_until_nul", "_fault_end"),
    // Entered from the trap handler with the registers of the fault.
    asm_label!("copy_until_nul", "_fixup"),
    "    sub   a0, t6, a0",
    "    ret",
    entry_end!("copy_until_nul"),
    routine_end!(),
);

core::arch::global_asm!(
    routine_start!("@", "copy_until_zero_u64"),
    ".p2align 2",
    // usize copy_until_zero_u64(u64 *dst /* a0, aligned */, const u8 *src /* a1 */, usize elems /* a2 */)
    entry!("@", "copy_until_zero_u64"),
    "    slli  t0, a2, 3",
    "    add   t6, a0, t0",
    asm_label!("copy_until_zero_u64", "_fault_start"),
    "    beqz  a2, 9f",
    "    andi  t3, a1, 7",
    "    bnez  t3, 4f",
    "1:  ld    t1, 0(a1)",
    "    sd    t1, 0(a0)",
    "    addi  a0, a0, 8",
    "    addi  a1, a1, 8",
    "    beqz  t1, 9f",
    "    addi  a2, a2, -1",
    "    bnez  a2, 1b",
    "    j     9f",
    // Unaligned source: each element is merged from the two aligned
    // doublewords it straddles (both hold its bytes, so both pages are
    // the element's own).
    "4:  slli  a3, t3, 3",
    "    neg   a4, a3",
    "    andi  a5, a1, -8",
    "    ld    a6, 0(a5)",
    "5:  ld    a7, 8(a5)",
    "    srl   t1, a6, a3",
    "    sll   t2, a7, a4",
    "    or    t1, t1, t2",
    "    sd    t1, 0(a0)",
    "    addi  a0, a0, 8",
    "    addi  a5, a5, 8",
    "    beqz  t1, 9f",
    "    mv    a6, a7",
    "    addi  a2, a2, -1",
    "    bnez  a2, 5b",
    "9:  sub   a0, t6, a0",
    "    srli  a0, a0, 3",
    "    ret",
    asm_label!("copy_until_zero_u64", "_fault_end"),
    // Entered from the trap handler with the registers of the fault.
    asm_label!("copy_until_zero_u64", "_fixup"),
    "    sub   a0, t6, a0",
    "    srli  a0, a0, 3",
    "    ret",
    entry_end!("copy_until_zero_u64"),
    routine_end!(),
);

core::arch::global_asm!(
    routine_start!("@", "clear_raw"),
    ".p2align 2",
    // usize clear_raw(u8 *dst /* a0 */, usize len /* a1 */)
    entry!("@", "clear_raw"),
    "    add   t6, a0, a1",
    asm_label!("clear_raw", "_fault_start"),
    "    li    t0, 16",
    "    bltu  a1, t0, 5f",
    // Head: bytes until the destination is 8-aligned.
    "1:  andi  t0, a0, 7",
    "    beqz  t0, 2f",
    "    sb    zero, 0(a0)",
    "    addi  a0, a0, 1",
    "    j     1b",
    "2:  andi  t5, t6, -8",
    "3:  bgeu  a0, t5, 5f",
    "    sd    zero, 0(a0)",
    "    addi  a0, a0, 8",
    "    j     3b",
    // Tail, and whole short clears: bytes.
    "5:  bgeu  a0, t6, 9f",
    "    sb    zero, 0(a0)",
    "    addi  a0, a0, 1",
    "    j     5b",
    "9:  li    a0, 0",
    "    ret",
    asm_label!("clear_raw", "_fault_end"),
    // Entered from the trap handler with the registers of the fault.
    asm_label!("clear_raw", "_fixup"),
    "    sub   a0, t6, a0",
    "    ret",
    entry_end!("clear_raw"),
    routine_end!(),
);

// u64 atomic_u32_*(u32 *addr /* a0 */, u32 a /* a1 */, u32 b /* a2 */):
// the value read, zero-extended (word loads and AMOs sign-extend).
core::arch::global_asm!(
    routine_start!("@", "atomic_u32"),
    // The assembler of module-level assembly may not see the target's `A`
    // extension (`lr`/`sc` then fail to assemble in optimized builds).
    ".option push",
    ".option arch, +a",
    asm_label!("atomic_u32", "_fault_start"),
    ".p2align 2",
    entry!("@", "atomic_u32_load"),
    "    fence rw, rw",
    "    lw    a0, 0(a0)",
    "    fence r, rw",
    "    slli  a0, a0, 32",
    "    srli  a0, a0, 32",
    "    ret",
    entry_end!("atomic_u32_load"),
    entry!("@", "atomic_u32_store"),
    "    fence rw, w",
    "    sw    a1, 0(a0)",
    "    li    a0, 0",
    "    ret",
    entry_end!("atomic_u32_store"),
    entry!("@", "atomic_u32_cmpxchg"),
    // lr.w sign-extends: compare with the sign-extended expected value.
    "    sext.w a1, a1",
    "1:  lr.w.aqrl t0, (a0)",
    "    bne   t0, a1, 2f",
    "    sc.w.rl t1, a2, (a0)",
    "    bnez  t1, 1b",
    "2:  slli  a0, t0, 32",
    "    srli  a0, a0, 32",
    "    ret",
    entry_end!("atomic_u32_cmpxchg"),
    entry!("@", "atomic_u32_swap"),
    "    amoswap.w.aqrl a0, a1, (a0)",
    "    slli  a0, a0, 32",
    "    srli  a0, a0, 32",
    "    ret",
    entry_end!("atomic_u32_swap"),
    entry!("@", "atomic_u32_add"),
    "    amoadd.w.aqrl a0, a1, (a0)",
    "    slli  a0, a0, 32",
    "    srli  a0, a0, 32",
    "    ret",
    entry_end!("atomic_u32_add"),
    entry!("@", "atomic_u32_or"),
    "    amoor.w.aqrl a0, a1, (a0)",
    "    slli  a0, a0, 32",
    "    srli  a0, a0, 32",
    "    ret",
    entry_end!("atomic_u32_or"),
    entry!("@", "atomic_u32_and"),
    "    amoand.w.aqrl a0, a1, (a0)",
    "    slli  a0, a0, 32",
    "    srli  a0, a0, 32",
    "    ret",
    entry_end!("atomic_u32_and"),
    entry!("@", "atomic_u32_xor"),
    "    amoxor.w.aqrl a0, a1, (a0)",
    "    slli  a0, a0, 32",
    "    srli  a0, a0, 32",
    "    ret",
    entry_end!("atomic_u32_xor"),
    asm_label!("atomic_u32", "_fault_end"),
    // Entered from the trap handler with the registers of the fault.
    asm_label!("atomic_u32", "_fixup"),
    "    li    a0, -1",
    "    ret",
    ".option pop",
    routine_end!(),
);
