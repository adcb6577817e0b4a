//! aarch64: `svc #0` with the number in `x8`, arguments in `x0`..`x5`, the
//! result in `x0`.

use core::arch::{asm, global_asm};

use axptr_qemu_abi::{clone, nr};

// The kernel starts the program with `sp` at the top of its stack.
global_asm!(
    r#"
    .section .text.entry, "ax"
    .globl _start
_start:
    bl {main}
1:  b 1b
"#,
    main = sym crate::main,
);

/// Makes syscall `nr` with six arguments; returns `x0`.
///
/// # Safety
///
/// The kernel may write wherever the arguments point and may change the
/// address space: the call must not break what Rust assumes about the
/// program's own memory.
#[inline]
pub unsafe fn syscall(nr: usize, args: [usize; 6]) -> isize {
    let ret: isize;
    // SAFETY: an `svc` only transfers control to the kernel; what the
    // kernel does to memory is the caller's contract.
    unsafe {
        asm!(
            "svc #0",
            inlateout("x0") args[0] => ret,
            in("x1") args[1],
            in("x2") args[2],
            in("x3") args[3],
            in("x4") args[4],
            in("x5") args[5],
            in("x8") nr,
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
    stp x0, x2, [x1, #-16]!
    movz x0, #({flags} & 0xffff)
    movk x0, #({flags} >> 16), lsl #16
    mov x2, xzr
    mov x3, xzr
    mov x4, xzr
    mov x8, #{clone}
    svc #0
    cbz x0, 1f
    ret
1:  ldp x9, x0, [sp], #16
    blr x9
2:  b 2b
"#,
    flags = const clone::THREAD_FLAGS,
    clone = const nr::CLONE,
);

unsafe extern "C" {
    /// Starts a thread running `entry(arg)` on the stack ending at
    /// `stack_top`; returns its thread id or `-errno`.
    pub fn __user_clone(entry: extern "C" fn(usize) -> !, stack_top: usize, arg: usize) -> isize;
}
