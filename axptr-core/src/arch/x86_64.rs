//! x86_64: the fallible copy routine and its fixup table.
//!
//! Large copies use `rep movsb` (fast on every CPU with ERMSB, and a single
//! faulting instruction that keeps its progress in `rcx`, `rsi` and `rdi`,
//! so a fault resolved by the kernel resumes where it stopped). Short ones
//! (under 64 bytes) use a quadword loop and a 4/2/1-byte tail, which avoids
//! `rep movsb`'s start-up cost on CPUs without FSRM. The invariant that
//! makes the fixup trivial: at every instruction between `fault_start` and
//! `fault_end`, `rcx` holds the number of bytes not yet copied. The fixup
//! returns it.
//!
//! SMAP kernels must open user access (`stac`/`clac`) around axptr's
//! accesses themselves; axptr does not toggle `EFLAGS.AC` on x86_64.

core::arch::global_asm!(
    copy_routine_start!("@"),
    ".p2align 4",
    // usize copy_raw(u8 *dst /* rdi */, const u8 *src /* rsi */, usize len /* rdx */)
    concat!(asm_symbol!("copy_raw"), ":"),
    "    mov rcx, rdx",
    concat!(asm_symbol!("copy_fault_start"), ":"),
    "    cmp rcx, 64",
    "    jb 2f",
    "    rep movsb",
    "    xor eax, eax",
    "    ret",
    // Short copy: quadwords, then a dword, a word and a byte as needed.
    // `rcx` is decremented right after each store, with nothing that can
    // fault in between.
    "2:  cmp rcx, 8",
    "    jb 4f",
    "3:  mov rax, qword ptr [rsi]",
    "    mov qword ptr [rdi], rax",
    "    add rsi, 8",
    "    add rdi, 8",
    "    sub rcx, 8",
    "    cmp rcx, 8",
    "    jae 3b",
    "4:  test ecx, 4",
    "    jz 5f",
    "    mov eax, dword ptr [rsi]",
    "    mov dword ptr [rdi], eax",
    "    add rsi, 4",
    "    add rdi, 4",
    "    sub rcx, 4",
    "5:  test ecx, 2",
    "    jz 6f",
    "    mov ax, word ptr [rsi]",
    "    mov word ptr [rdi], ax",
    "    add rsi, 2",
    "    add rdi, 2",
    "    sub rcx, 2",
    "6:  test ecx, 1",
    "    jz 7f",
    "    mov al, byte ptr [rsi]",
    "    mov byte ptr [rdi], al",
    "    dec rcx",
    "7:  xor eax, eax",
    "    ret",
    concat!(asm_symbol!("copy_fault_end"), ":"),
    // Entered from the trap handler with the registers of the fault.
    concat!(asm_symbol!("copy_fixup"), ":"),
    "    mov rax, rcx",
    "    ret",
    copy_routine_end!(),
);
