//! x86_64: the fallible routines and their fault ranges.
//!
//! Each routine group keeps one invariant at every instruction between its
//! `fault_start` and `fault_end` labels that may fault, which makes its
//! fixup a couple of instructions:
//!
//! - `copy_raw` and `clear_raw`: `rcx` holds the number of bytes not yet
//!   copied (cleared); the fixup returns it. Large ones use `rep movsb` /
//!   `rep stosb` (fast with ERMSB, and one faulting instruction that keeps
//!   its progress in `rcx`, `rsi` and `rdi`, so a fault the kernel resolves
//!   resumes where it stopped); short ones (under 64 bytes) a quadword loop
//!   and a small tail, which avoids the string instructions' start-up cost
//!   on CPUs without FSRM.
//! - `copy_until_nul` and `copy_until_zero_u64` return what they did not
//!   copy, and store only what they have checked, so the count is exactly
//!   what was written. The general-register and SSE2 C-string copies (one
//!   group): `r8` is the end of the source minus 16 and `rsi` the first
//!   source byte not yet copied, so the fixup returns `r8 + 16 - rsi` (the
//!   general-register one stores at `rsi + rdi`, `rdi` being the distance
//!   from the source to the destination, so only `rsi` moves). The AVX2
//!   one: `r8` is the end of the destination and `rdi` the first byte not
//!   yet written, `r8 - rdi` are left. The array copy: `rdx` holds the
//!   elements not yet copied, decremented right after each store.
//! - `atomic_u32`: nothing to keep; the fixup returns `u64::MAX`, which no
//!   `u32` result can be.
//!
//! The C-string copy reads the source in aligned words (pairs of them in
//! one aligned 16-byte block) after a byte head, and checks each word for a
//! zero byte (`(x - 0x01..01) & !x & 0x80..80`) before storing it: an
//! aligned block that holds a wanted byte lies in that byte's page, so no
//! page past the NUL is read. Kernel builds use this general-register
//! version (kernels save no SIMD state). Host builds, where the routine
//! only serves tests and benchmarks, use SIMD: an AVX2 version when the
//! CPU has it (aligned 32-byte blocks, four at a time in a 128-byte-aligned
//! group, which lies in one page), else an SSE2 one (baseline on x86_64;
//! 16-byte blocks in 64-byte groups). Both store the last block through
//! the red zone, so that nothing past the NUL or the limit is written; the
//! general-register version stays available there as
//! `copy_until_nul_words`.
//!
//! The atomics: `lock cmpxchg`, `xchg` and `lock xadd` (`or`, `and`, `xor`
//! by a `lock cmpxchg` loop), each a full barrier; the load is a plain
//! `mov` (x86's sequentially consistent load, as stores are `xchg`).
//!
//! SMAP: the access guard opens the window with `stac` and closes it with
//! `clac` on kernels that enabled user-access protection
//! (`x86_64_smap.rs`).

core::arch::global_asm!(
    routine_start!("@", "copy_raw"),
    ".p2align 4",
    // usize copy_raw(u8 *dst /* rdi */, const u8 *src /* rsi */, usize len /* rdx */)
    entry!("@", "copy_raw"),
    "    mov rcx, rdx",
    asm_label!("copy_raw", "_fault_start"),
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
    asm_label!("copy_raw", "_fault_end"),
    // Entered from the trap handler with the registers of the fault.
    asm_label!("copy_raw", "_fixup"),
    "    mov rax, rcx",
    "    ret",
    entry_end!("copy_raw"),
    routine_end!(),
);

/// The name of the general-register C-string copy: the routine itself on
/// kernel builds, an alternative on the host.
#[cfg(target_os = "none")]
macro_rules! words_variant {
    () => {
        "copy_until_nul"
    };
}
#[cfg(not(target_os = "none"))]
macro_rules! words_variant {
    () => {
        "copy_until_nul_words"
    };
}

/// The SSE2 C-string copy of host builds (none on kernel builds). Same
/// invariant as the general-register version (`rdi` is the destination
/// here, `rdx` the bytes left); `xmm7` is zero, and the last block goes
/// through the red zone (the routine is a leaf).
#[cfg(target_os = "none")]
macro_rules! sse2_variant {
    () => {
        ""
    };
}
#[cfg(not(target_os = "none"))]
macro_rules! sse2_variant {
    () => {
        concat!(
            ".p2align 4\n",
            // usize copy_until_nul(u8 *dst /* rdi */, const u8 *src /* rsi */, usize len /* rdx */)
            entry!("@", "copy_until_nul"),
            "\n",
            "    lea r8, [rsi + rdx - 16]\n",
            "    test rdx, rdx\n",
            "    jz 90f\n",
            // Head: bytes until the source is 16-aligned.
            "1:  test sil, 15\n",
            "    jz 2f\n",
            "    movzx eax, byte ptr [rsi]\n",
            "    mov byte ptr [rdi], al\n",
            "    inc rsi\n",
            "    inc rdi\n",
            "    test al, al\n",
            "    jz 90f\n",
            "    dec rdx\n",
            "    jnz 1b\n",
            "    jmp 90f\n",
            "2:  pxor xmm7, xmm7\n",
            // Blocks until the source is 64-aligned.
            "3:  test sil, 48\n",
            "    jz 4f\n",
            "    cmp rdx, 16\n",
            "    jb 7f\n",
            "    movdqa xmm0, xmmword ptr [rsi]\n",
            "    movdqa xmm1, xmm0\n",
            "    pcmpeqb xmm1, xmm7\n",
            "    pmovmskb eax, xmm1\n",
            "    test eax, eax\n",
            "    jnz 6f\n",
            "    movdqu xmmword ptr [rdi], xmm0\n",
            "    add rsi, 16\n",
            "    add rdi, 16\n",
            "    sub rdx, 16\n",
            "    jmp 3b\n",
            // Groups of four blocks; a NUL anywhere in them (their bytewise
            // minimum has a zero) sends the rest to the block loop.
            "4:  cmp rdx, 64\n",
            "    jb 5f\n",
            "    movdqa xmm0, xmmword ptr [rsi]\n",
            "    movdqa xmm1, xmmword ptr [rsi + 16]\n",
            "    movdqa xmm2, xmmword ptr [rsi + 32]\n",
            "    movdqa xmm3, xmmword ptr [rsi + 48]\n",
            "    movdqa xmm4, xmm0\n",
            "    pminub xmm4, xmm1\n",
            "    movdqa xmm5, xmm2\n",
            "    pminub xmm5, xmm3\n",
            "    pminub xmm4, xmm5\n",
            "    pcmpeqb xmm4, xmm7\n",
            "    pmovmskb eax, xmm4\n",
            "    test eax, eax\n",
            "    jnz 5f\n",
            "    movdqu xmmword ptr [rdi], xmm0\n",
            "    movdqu xmmword ptr [rdi + 16], xmm1\n",
            "    movdqu xmmword ptr [rdi + 32], xmm2\n",
            "    movdqu xmmword ptr [rdi + 48], xmm3\n",
            "    add rsi, 64\n",
            "    add rdi, 64\n",
            "    sub rdx, 64\n",
            "    jmp 4b\n",
            // Blocks to the end.
            "5:  cmp rdx, 16\n",
            "    jb 7f\n",
            "    movdqa xmm0, xmmword ptr [rsi]\n",
            "    movdqa xmm1, xmm0\n",
            "    pcmpeqb xmm1, xmm7\n",
            "    pmovmskb eax, xmm1\n",
            "    test eax, eax\n",
            "    jnz 6f\n",
            "    movdqu xmmword ptr [rdi], xmm0\n",
            "    add rsi, 16\n",
            "    add rdi, 16\n",
            "    sub rdx, 16\n",
            "    jmp 5b\n",
            // A NUL in xmm0 at the lowest set bit of eax: copy through it.
            "6:  bsf ecx, eax\n",
            "    inc ecx\n",
            "    jmp 8f\n",
            // Fewer than 16 bytes left and no NUL so far: the aligned block
            // holding them, up to its first NUL or the limit.
            "7:  test rdx, rdx\n",
            "    jz 90f\n",
            "    movdqa xmm0, xmmword ptr [rsi]\n",
            "    movdqa xmm1, xmm0\n",
            "    pcmpeqb xmm1, xmm7\n",
            "    pmovmskb eax, xmm1\n",
            "    mov ecx, edx\n",
            "    bsf r9d, eax\n",
            "    jz 8f\n",
            "    inc r9d\n",
            "    cmp r9d, ecx\n",
            "    cmovb ecx, r9d\n",
            // Store the first ecx (1 to 16) bytes of xmm0 at rdi: two
            // overlapping stores of the largest size that fits, from a
            // copy in the red zone (rsp - 24).
            "8:  movdqu xmmword ptr [rsp - 24], xmm0\n",
            "    cmp ecx, 8\n",
            "    jb 81f\n",
            "    mov rax, qword ptr [rsp - 24]\n",
            "    mov r9, qword ptr [rsp + rcx - 32]\n",
            "    mov qword ptr [rdi], rax\n",
            "    mov qword ptr [rdi + rcx - 8], r9\n",
            "    jmp 89f\n",
            "81: cmp ecx, 4\n",
            "    jb 82f\n",
            "    mov eax, dword ptr [rsp - 24]\n",
            "    mov r9d, dword ptr [rsp + rcx - 28]\n",
            "    mov dword ptr [rdi], eax\n",
            "    mov dword ptr [rdi + rcx - 4], r9d\n",
            "    jmp 89f\n",
            "82: cmp ecx, 2\n",
            "    jb 83f\n",
            "    movzx eax, word ptr [rsp - 24]\n",
            "    movzx r9d, word ptr [rsp + rcx - 26]\n",
            "    mov word ptr [rdi], ax\n",
            "    mov word ptr [rdi + rcx - 2], r9w\n",
            "    jmp 89f\n",
            "83: movzx eax, byte ptr [rsp - 24]\n",
            "    mov byte ptr [rdi], al\n",
            "89: add rdi, rcx\n",
            "    add rsi, rcx\n",
            "90: lea rax, [r8 + 16]\n",
            "    sub rax, rsi\n",
            "    ret\n",
            entry_end!("copy_until_nul"),
            "\n",
        )
    };
}

core::arch::global_asm!(
    routine_start!("@", "copy_until_nul"),
    asm_label!("copy_until_nul", "_fault_start"),
    ".p2align 4",
    // usize copy_until_nul(u8 *dst /* rdi */, const u8 *src /* rsi */, usize len /* rdx */)
    entry!("@", words_variant!()),
    "    lea r8, [rsi + rdx - 16]",
    "    sub rdi, rsi",
    "    cmp rdx, 16",
    "    jb 5f",
    // Head: bytes until the source is 8-aligned (at most 7 of the 16 or
    // more).
    "1:  test sil, 7",
    "    jz 2f",
    "    movzx eax, byte ptr [rsi]",
    "    mov byte ptr [rsi + rdi], al",
    "    inc rsi",
    "    test al, al",
    "    jnz 1b",
    "    jmp 90f",
    // r9 = 0x01..01, rdx = 0x80..80: a word x has a zero byte iff
    // (x - r9) & !x & rdx != 0, with (t & !x) computed as (t | x) ^ x (no
    // BMI on the kernel targets).
    "2:  movabs r9, 0x0101010101010101",
    "    movabs rdx, 0x8080808080808080",
    // One word if the source is not 16-aligned (9 or more bytes are left).
    "    test sil, 8",
    "    jz 3f",
    "    mov rax, qword ptr [rsi]",
    "    mov r11, rax",
    "    sub r11, r9",
    "    or r11, rax",
    "    xor r11, rax",
    "    test r11, rdx",
    "    jnz 5f",
    "    mov qword ptr [rsi + rdi], rax",
    "    add rsi, 8",
    "3:  cmp rsi, r8",
    "    ja 5f",
    // Pairs of words (one aligned 16-byte block, so one page) while 16
    // bytes are left.
    ".p2align 4",
    "4:  mov rax, qword ptr [rsi]",
    "    mov rcx, qword ptr [rsi + 8]",
    "    mov r11, rax",
    "    sub r11, r9",
    "    or r11, rax",
    "    xor r11, rax",
    "    mov r10, rcx",
    "    sub r10, r9",
    "    or r10, rcx",
    "    xor r10, rcx",
    "    or r11, r10",
    "    test r11, rdx",
    "    jnz 5f",
    "    mov qword ptr [rsi + rdi], rax",
    "    mov qword ptr [rsi + rdi + 8], rcx",
    "    add rsi, 16",
    "    cmp rsi, r8",
    "    jbe 4b",
    // Tail (fewer than 16 bytes left, or a NUL in the next 16): bytes up
    // to the NUL or the end (rdx).
    "5:  lea rdx, [r8 + 16]",
    "    cmp rsi, rdx",
    "    jae 90f",
    "6:  movzx eax, byte ptr [rsi]",
    "    mov byte ptr [rsi + rdi], al",
    "    inc rsi",
    "    test al, al",
    "    jz 90f",
    "    cmp rsi, rdx",
    "    jb 6b",
    "90: lea rax, [r8 + 16]",
    "    sub rax, rsi",
    "    ret",
    entry_end!(words_variant!()),
    sse2_variant!(),
    asm_label!("copy_until_nul", "_fault_end"),
    // Entered from the trap handler with the registers of the fault.
    asm_label!("copy_until_nul", "_fixup"),
    "    lea rax, [r8 + 16]",
    "    sub rax, rsi",
    "    ret",
    routine_end!(),
);

// The AVX2 C-string copy of host builds, used when the CPU has AVX2:
// aligned 32-byte blocks, four at a time in a 128-byte-aligned group. The
// first block (from the source on) and the last (up to the NUL or the
// limit) go through the red zone. `r8` is the end of the destination and
// `rdi` the first byte not yet written, so `r8 - rdi` bytes are left; its
// own group, so that its fixup can also `vzeroupper`.
#[cfg(not(target_os = "none"))]
core::arch::global_asm!(
    routine_start!("@", "copy_until_nul_avx2"),
    asm_label!("copy_until_nul_avx2", "_fault_start"),
    ".p2align 4",
    // usize copy_until_nul_avx2(u8 *dst /* rdi */, const u8 *src /* rsi */, usize len /* rdx */)
    entry!("@", "copy_until_nul_avx2"),
    "    lea r8, [rdi + rdx]",
    "    test rdx, rdx",
    "    jz 90f",
    "    vpxor xmm7, xmm7, xmm7",
    // Head: the aligned block holding the source, from the source on
    // (ecx = its offset there, r9 = the bytes wanted from it).
    "    mov ecx, esi",
    "    and ecx, 31",
    "    and rsi, -32",
    "    mov r9d, 32",
    "    sub r9d, ecx",
    "    cmp rdx, r9",
    "    cmovb r9, rdx",
    "    jmp 50f",
    // Blocks until the source is 128-aligned.
    "3:  test esi, 96",
    "    jz 4f",
    "    cmp rdx, 32",
    "    jb 7f",
    "    vmovdqa ymm0, ymmword ptr [rsi]",
    "    vpcmpeqb ymm1, ymm0, ymm7",
    "    vpmovmskb eax, ymm1",
    "    test eax, eax",
    "    jnz 6f",
    "    vmovdqu ymmword ptr [rdi], ymm0",
    "    add rsi, 32",
    "    add rdi, 32",
    "    sub rdx, 32",
    "    jmp 3b",
    // Groups of four blocks; a NUL anywhere in them sends the rest to the
    // block loop.
    "4:  cmp rdx, 128",
    "    jb 5f",
    "    vmovdqa ymm0, ymmword ptr [rsi]",
    "    vmovdqa ymm1, ymmword ptr [rsi + 32]",
    "    vmovdqa ymm2, ymmword ptr [rsi + 64]",
    "    vmovdqa ymm3, ymmword ptr [rsi + 96]",
    "    vpminub ymm4, ymm0, ymm1",
    "    vpminub ymm5, ymm2, ymm3",
    "    vpminub ymm4, ymm4, ymm5",
    "    vpcmpeqb ymm4, ymm4, ymm7",
    "    vpmovmskb eax, ymm4",
    "    test eax, eax",
    "    jnz 5f",
    "    vmovdqu ymmword ptr [rdi], ymm0",
    "    vmovdqu ymmword ptr [rdi + 32], ymm1",
    "    vmovdqu ymmword ptr [rdi + 64], ymm2",
    "    vmovdqu ymmword ptr [rdi + 96], ymm3",
    "    add rsi, 128",
    "    add rdi, 128",
    "    sub rdx, 128",
    "    jmp 4b",
    // Blocks to the end.
    "5:  cmp rdx, 32",
    "    jb 7f",
    "    vmovdqa ymm0, ymmword ptr [rsi]",
    "    vpcmpeqb ymm1, ymm0, ymm7",
    "    vpmovmskb eax, ymm1",
    "    test eax, eax",
    "    jnz 6f",
    "    vmovdqu ymmword ptr [rdi], ymm0",
    "    add rsi, 32",
    "    add rdi, 32",
    "    sub rdx, 32",
    "    jmp 5b",
    // A NUL in ymm0, all of whose bytes are wanted.
    "6:  xor ecx, ecx",
    "    mov r9d, 32",
    "    jmp 51f",
    // Fewer than 32 bytes left: the block holding them.
    "7:  test rdx, rdx",
    "    jz 90f",
    "    xor ecx, ecx",
    "    mov r9, rdx",
    // Part of a block: the aligned block at rsi, r9 (1 to 32 - ecx, at
    // most rdx) of its bytes from ecx on, cut after a NUL among them.
    "50: vmovdqa ymm0, ymmword ptr [rsi]",
    "51: vpcmpeqb ymm1, ymm0, ymm7",
    "    vpmovmskb eax, ymm1",
    "    shr eax, cl",
    "    bsf eax, eax",
    "    jz 52f",
    "    inc eax",
    "    cmp eax, r9d",
    "    ja 52f",
    // Through the NUL, and no further: rdx drops to zero below.
    "    mov r9d, eax",
    "    mov rdx, r9",
    // Store those r9 bytes at rdi from a copy in the red zone: two
    // overlapping stores of the largest size that fits.
    "52: vmovdqu ymmword ptr [rsp - 40], ymm0",
    "    lea r10, [rsp + rcx - 40]",
    "    cmp r9d, 16",
    "    jb 53f",
    "    vmovdqu xmm1, xmmword ptr [r10]",
    "    vmovdqu xmm2, xmmword ptr [r10 + r9 - 16]",
    "    vmovdqu xmmword ptr [rdi], xmm1",
    "    vmovdqu xmmword ptr [rdi + r9 - 16], xmm2",
    "    jmp 59f",
    "53: cmp r9d, 8",
    "    jb 54f",
    "    mov rax, qword ptr [r10]",
    "    mov r11, qword ptr [r10 + r9 - 8]",
    "    mov qword ptr [rdi], rax",
    "    mov qword ptr [rdi + r9 - 8], r11",
    "    jmp 59f",
    "54: cmp r9d, 4",
    "    jb 55f",
    "    mov eax, dword ptr [r10]",
    "    mov r11d, dword ptr [r10 + r9 - 4]",
    "    mov dword ptr [rdi], eax",
    "    mov dword ptr [rdi + r9 - 4], r11d",
    "    jmp 59f",
    "55: cmp r9d, 2",
    "    jb 56f",
    "    movzx eax, word ptr [r10]",
    "    movzx r11d, word ptr [r10 + r9 - 2]",
    "    mov word ptr [rdi], ax",
    "    mov word ptr [rdi + r9 - 2], r11w",
    "    jmp 59f",
    "56: movzx eax, byte ptr [r10]",
    "    mov byte ptr [rdi], al",
    "59: add rdi, r9",
    "    sub rdx, r9",
    "    jz 90f",
    "    add rsi, 32",
    "    jmp 3b",
    "90: vzeroupper",
    "    mov rax, r8",
    "    sub rax, rdi",
    "    ret",
    entry_end!("copy_until_nul_avx2"),
    asm_label!("copy_until_nul_avx2", "_fault_end"),
    // Entered from the trap handler with the registers of the fault.
    asm_label!("copy_until_nul_avx2", "_fixup"),
    "    vzeroupper",
    "    mov rax, r8",
    "    sub rax, rdi",
    "    ret",
    routine_end!(),
);

core::arch::global_asm!(
    routine_start!("@", "copy_until_zero_u64"),
    ".p2align 4",
    // usize copy_until_zero_u64(u64 *dst /* rdi */, const u8 *src /* rsi */, usize elems /* rdx */)
    entry!("@", "copy_until_zero_u64"),
    asm_label!("copy_until_zero_u64", "_fault_start"),
    "    test rdx, rdx",
    "    jz 9f",
    // Unaligned loads read only the element's own bytes. `rdx` drops right
    // after each store.
    "1:  mov rax, qword ptr [rsi]",
    "    mov qword ptr [rdi], rax",
    "    add rsi, 8",
    "    add rdi, 8",
    "    dec rdx",
    "    test rax, rax",
    "    jz 9f",
    "    test rdx, rdx",
    "    jnz 1b",
    "9:  mov rax, rdx",
    "    ret",
    asm_label!("copy_until_zero_u64", "_fault_end"),
    // Entered from the trap handler with the registers of the fault.
    asm_label!("copy_until_zero_u64", "_fixup"),
    "    mov rax, rdx",
    "    ret",
    entry_end!("copy_until_zero_u64"),
    routine_end!(),
);

core::arch::global_asm!(
    routine_start!("@", "clear_raw"),
    ".p2align 4",
    // usize clear_raw(u8 *dst /* rdi */, usize len /* rsi */)
    entry!("@", "clear_raw"),
    "    mov rcx, rsi",
    "    xor eax, eax",
    asm_label!("clear_raw", "_fault_start"),
    "    cmp rcx, 64",
    "    jb 2f",
    "    rep stosb",
    "    ret",
    // Short: quadwords, then bytes; `rcx` drops right after each store.
    "2:  cmp rcx, 8",
    "    jb 4f",
    "3:  mov qword ptr [rdi], rax",
    "    add rdi, 8",
    "    sub rcx, 8",
    "    cmp rcx, 8",
    "    jae 3b",
    "4:  test rcx, rcx",
    "    jz 6f",
    "5:  mov byte ptr [rdi], al",
    "    inc rdi",
    "    dec rcx",
    "    jnz 5b",
    "6:  ret",
    asm_label!("clear_raw", "_fault_end"),
    // Entered from the trap handler with the registers of the fault.
    asm_label!("clear_raw", "_fixup"),
    "    mov rax, rcx",
    "    ret",
    entry_end!("clear_raw"),
    routine_end!(),
);

// u64 atomic_u32_*(u32 *addr /* rdi */, u32 a /* esi */, u32 b /* edx */):
// the value read, zero-extended (writing eax clears the upper half).
core::arch::global_asm!(
    routine_start!("@", "atomic_u32"),
    asm_label!("atomic_u32", "_fault_start"),
    ".p2align 4",
    entry!("@", "atomic_u32_load"),
    "    mov eax, dword ptr [rdi]",
    "    ret",
    entry_end!("atomic_u32_load"),
    ".p2align 4",
    entry!("@", "atomic_u32_store"),
    "    xchg dword ptr [rdi], esi",
    "    xor eax, eax",
    "    ret",
    entry_end!("atomic_u32_store"),
    ".p2align 4",
    entry!("@", "atomic_u32_cmpxchg"),
    "    mov eax, esi",
    "    lock cmpxchg dword ptr [rdi], edx",
    "    ret",
    entry_end!("atomic_u32_cmpxchg"),
    ".p2align 4",
    entry!("@", "atomic_u32_swap"),
    "    xchg dword ptr [rdi], esi",
    "    mov eax, esi",
    "    ret",
    entry_end!("atomic_u32_swap"),
    ".p2align 4",
    entry!("@", "atomic_u32_add"),
    "    lock xadd dword ptr [rdi], esi",
    "    mov eax, esi",
    "    ret",
    entry_end!("atomic_u32_add"),
    ".p2align 4",
    entry!("@", "atomic_u32_or"),
    "    mov eax, dword ptr [rdi]",
    "1:  mov ecx, eax",
    "    or ecx, esi",
    "    lock cmpxchg dword ptr [rdi], ecx",
    "    jnz 1b",
    "    ret",
    entry_end!("atomic_u32_or"),
    ".p2align 4",
    entry!("@", "atomic_u32_and"),
    "    mov eax, dword ptr [rdi]",
    "1:  mov ecx, eax",
    "    and ecx, esi",
    "    lock cmpxchg dword ptr [rdi], ecx",
    "    jnz 1b",
    "    ret",
    entry_end!("atomic_u32_and"),
    ".p2align 4",
    entry!("@", "atomic_u32_xor"),
    "    mov eax, dword ptr [rdi]",
    "1:  mov ecx, eax",
    "    xor ecx, esi",
    "    lock cmpxchg dword ptr [rdi], ecx",
    "    jnz 1b",
    "    ret",
    entry_end!("atomic_u32_xor"),
    asm_label!("atomic_u32", "_fault_end"),
    // Entered from the trap handler with the registers of the fault.
    asm_label!("atomic_u32", "_fixup"),
    "    mov rax, -1",
    "    ret",
    routine_end!(),
);

#[cfg(not(target_os = "none"))]
unsafe extern "C" {
    #[link_name = asm_symbol!("copy_until_nul_words")]
    fn asm_copy_until_nul_words(dst: *mut u8, src: *const u8, len: usize) -> usize;
    #[link_name = asm_symbol!("copy_until_nul")]
    fn asm_copy_until_nul_sse2(dst: *mut u8, src: *const u8, len: usize) -> usize;
    #[link_name = asm_symbol!("copy_until_nul_avx2")]
    fn asm_copy_until_nul_avx2(dst: *mut u8, src: *const u8, len: usize) -> usize;
}

/// Whether the host CPU (and OS) support AVX2 (cached by `std`).
#[cfg(not(target_os = "none"))]
#[inline]
pub(crate) fn has_avx2() -> bool {
    std::is_x86_feature_detected!("avx2")
}

/// The general-register C-string copy that kernel builds use as
/// `copy_until_nul`, on the host (for tests and benchmarks).
///
/// # Safety
///
/// As for [`copy_until_nul`](super::imp::copy_until_nul).
#[cfg(not(target_os = "none"))]
#[cfg_attr(not(test), allow(dead_code))]
#[inline]
pub(crate) unsafe fn copy_until_nul_words(dst: *mut u8, src: *const u8, len: usize) -> usize {
    // SAFETY: as for `copy_until_nul`: the routine writes only the bytes it
    // reports and reads only the pages of the bytes it copies.
    len - unsafe { asm_copy_until_nul_words(dst, src, len) }
}

/// The SSE2 C-string copy of host builds whose CPU lacks AVX2.
///
/// # Safety
///
/// As for [`copy_until_nul`](super::imp::copy_until_nul).
#[cfg(not(target_os = "none"))]
#[cfg_attr(not(test), allow(dead_code))]
#[inline]
pub(crate) unsafe fn copy_until_nul_sse2(dst: *mut u8, src: *const u8, len: usize) -> usize {
    // SAFETY: as for `copy_until_nul_words`.
    len - unsafe { asm_copy_until_nul_sse2(dst, src, len) }
}

/// The AVX2 C-string copy of host builds.
///
/// # Safety
///
/// As for [`copy_until_nul`](super::imp::copy_until_nul), and the CPU has
/// AVX2 ([`has_avx2`]).
#[cfg(not(target_os = "none"))]
#[inline]
pub(crate) unsafe fn copy_until_nul_avx2(dst: *mut u8, src: *const u8, len: usize) -> usize {
    // SAFETY: as for `copy_until_nul_words`; the caller checked AVX2.
    len - unsafe { asm_copy_until_nul_avx2(dst, src, len) }
}
