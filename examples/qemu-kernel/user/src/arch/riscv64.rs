//! riscv64: `ecall` with the number in `a7`, arguments in `a0`..`a5`, the
//! result in `a0`.

use core::arch::{asm, global_asm};

use axptr_qemu_abi::{clone, nr};

// The kernel starts the program with `sp` at the top of its stack. `gp` and
// `tp` are user registers: the program spoils them so that a kernel relying
// on them after a trap (percpu addresses its data through `gp`) breaks.
global_asm!(
    r#"
    .section .text.entry, "ax"
    .globl _start
_start:
    li gp, -1
    li tp, -1
    call {main}
1:  j 1b
"#,
    main = sym crate::main,
);

/// Makes syscall `nr` with six arguments; returns `a0`.
///
/// # Safety
///
/// The kernel may write wherever the arguments point and may change the
/// address space: the call must not break what Rust assumes about the
/// program's own memory.
#[inline]
pub unsafe fn syscall(nr: usize, args: [usize; 6]) -> isize {
    let ret: isize;
    // SAFETY: an `ecall` only transfers control to the kernel; what the
    // kernel does to memory is the caller's contract.
    unsafe {
        asm!(
            "ecall",
            inlateout("a0") args[0] => ret,
            in("a1") args[1],
            in("a2") args[2],
            in("a3") args[3],
            in("a4") args[4],
            in("a5") args[5],
            in("a7") nr,
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
    addi a1, a1, -16
    sd a0, 0(a1)
    sd a2, 8(a1)
    li a0, {flags}
    li a2, 0
    li a3, 0
    li a4, 0
    li a7, {clone}
    ecall
    beqz a0, 1f
    ret
1:  ld t0, 0(sp)
    ld a0, 8(sp)
    li gp, -1
    li tp, -1
    jalr t0
2:  j 2b
"#,
    flags = const clone::THREAD_FLAGS,
    clone = const nr::CLONE,
);

unsafe extern "C" {
    /// Starts a thread running `entry(arg)` on the stack ending at
    /// `stack_top`; returns its thread id or `-errno`.
    pub fn __user_clone(entry: extern "C" fn(usize) -> !, stack_top: usize, arg: usize) -> isize;
}
