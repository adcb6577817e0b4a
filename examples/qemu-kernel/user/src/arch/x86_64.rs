//! x86_64: `syscall` with the number in `rax`, arguments in `rdi`, `rsi`,
//! `rdx`, `r10`, `r8`, `r9`, the result in `rax` (`rcx` and `r11` are
//! clobbered), as in Linux. The numbers are this kernel's (asm-generic, as
//! on the other architectures), not Linux's x86_64 table.

use core::arch::{asm, global_asm};

use axptr_qemu_abi::{clone, nr};

// The kernel starts the program with `rsp` at the top of its stack
// (16-byte aligned, so `main` sees the alignment a call gives). The
// program loads the user data selector into GS, which resets the GS base
// the kernel's per-CPU data lives at: a kernel that relied on it after a
// trap would break (as `gp` and `tp` on riscv64).
global_asm!(
    r#"
    .section .text.entry, "ax"
    .globl _start
_start:
    mov ax, ss
    mov gs, ax
    call {main}
1:  jmp 1b
"#,
    main = sym crate::main,
);

/// Makes syscall `nr` with six arguments; returns `rax`.
///
/// # Safety
///
/// The kernel may write wherever the arguments point and may change the
/// address space: the call must not break what Rust assumes about the
/// program's own memory.
#[inline]
pub unsafe fn syscall(nr: usize, args: [usize; 6]) -> isize {
    let ret: isize;
    // SAFETY: a `syscall` only transfers control to the kernel; what the
    // kernel does to memory is the caller's contract.
    unsafe {
        asm!(
            "syscall",
            inlateout("rax") nr as isize => ret,
            in("rdi") args[0],
            in("rsi") args[1],
            in("rdx") args[2],
            in("r10") args[3],
            in("r8") args[4],
            in("r9") args[5],
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    ret
}

// `__user_clone(entry, stack_top, arg)`: `clone` with the thread flags; the
// child pops `entry` and `arg` from its new stack and calls `entry(arg)`.
global_asm!(
    r#"
    .section .text
    .globl __user_clone
__user_clone:
    sub rsi, 16
    mov [rsi], rdi
    mov [rsi + 8], rdx
    mov edi, {flags}
    xor edx, edx
    xor r10d, r10d
    xor r8d, r8d
    mov eax, {clone}
    syscall
    test rax, rax
    jz 1f
    ret
1:  pop rax
    pop rdi
    mov cx, ss
    mov gs, cx
    call rax
2:  jmp 2b
"#,
    flags = const clone::THREAD_FLAGS,
    clone = const nr::CLONE,
);

unsafe extern "C" {
    /// Starts a thread running `entry(arg)` on the stack ending at
    /// `stack_top`; returns its thread id or `-errno`.
    pub fn __user_clone(entry: extern "C" fn(usize) -> !, stack_top: usize, arg: usize) -> isize;
}
