//! riscv64: the fallible copy routine and its fixup table.
//!
//! Byte head until the destination is 8-aligned, then doublewords, then a
//! byte tail. When the source is not aligned like the destination, the
//! doubleword loop reads aligned source doublewords and merges neighbours
//! with shifts (as Linux's riscv `__asm_copy_from_user` does), so no access
//! is ever misaligned (those may trap or be emulated slowly on riscv). An
//! aligned doubleword that holds a wanted byte lies in that byte's page, so
//! the merge never touches a page outside the copied range.
//!
//! The invariant that makes the fixup trivial: at every instruction between
//! `fault_start` and `fault_end`, `t6` is the end of the destination and
//! `a0` the first destination byte not yet written, so `t6 - a0` bytes are
//! not copied. A fault leaves the registers as they were before the
//! faulting instruction, so a fault the kernel resolves simply resumes.
//!
//! The kernel needs `sstatus.SUM` set during the copy; axptr's access guard
//! sets it on kernel builds (`arch/riscv64_sum.rs`).

core::arch::global_asm!(
    copy_routine_start!("@"),
    ".p2align 2",
    // usize copy_raw(u8 *dst /* a0 */, const u8 *src /* a1 */, usize len /* a2 */)
    concat!(asm_symbol!("copy_raw"), ":"),
    "    add   t6, a0, a2",
    concat!(asm_symbol!("copy_fault_start"), ":"),
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
    concat!(asm_symbol!("copy_fault_end"), ":"),
    // Entered from the trap handler with the registers of the fault.
    concat!(asm_symbol!("copy_fixup"), ":"),
    "    sub   a0, t6, a0",
    "    ret",
    copy_routine_end!(),
);
