//! aarch64: the fallible copy routine and its fixup table.
//!
//! Byte head until the destination is 8-aligned, then doublewords, then a
//! byte tail. Source loads may be unaligned, which Normal memory allows
//! while `SCTLR_EL1.A` is clear (as in Linux and every usual kernel
//! configuration).
//!
//! The invariant that makes the fixup trivial: at every instruction between
//! `fault_start` and `fault_end`, `x6` is the end of the destination and
//! `x0` the first destination byte not yet written, so `x6 - x0` bytes are
//! not copied. A faulting load or store performs no base-register
//! write-back, so a fault the kernel resolves simply resumes.
//!
//! Plain `ldr`/`str` are used (not `ldtr`/`sttr`), because either side of
//! the copy may be the user one. Kernels running with PAN set must clear it
//! around axptr's accesses themselves.

core::arch::global_asm!(
    copy_routine_start!("%"),
    ".p2align 2",
    // usize copy_raw(u8 *dst /* x0 */, const u8 *src /* x1 */, usize len /* x2 */)
    concat!(asm_symbol!("copy_raw"), ":"),
    "    add   x6, x0, x2",
    concat!(asm_symbol!("copy_fault_start"), ":"),
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
    concat!(asm_symbol!("copy_fault_end"), ":"),
    // Entered from the trap handler with the registers of the fault.
    concat!(asm_symbol!("copy_fixup"), ":"),
    "    sub   x0, x6, x0",
    "    ret",
    copy_routine_end!(),
);
