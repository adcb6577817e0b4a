//! Entry points: OpenSBI enters `_start` on the boot hart (chosen by
//! lottery: any hart id) and `_secondary_start` on each hart started
//! through HSM, in S-mode with paging off, the hart id in `a0`.

use core::arch::global_asm;

use crate::cpu::MAX_CPUS;

/// Each hart's stack: 64 KiB.
const STACK_SHIFT: usize = 16;
const STACK_SIZE: usize = 1 << STACK_SHIFT;

#[unsafe(link_section = ".bss.stack")]
static mut STACKS: [[u8; STACK_SIZE]; MAX_CPUS] = [[0; STACK_SIZE]; MAX_CPUS];

// Hart `n` runs on `STACKS[n]`; a hart id the kernel has no stack for
// parks. The boot hart clears .bss (stacks included) before using it.
global_asm!(
    r#"
    .section .text.entry
    .globl _start
_start:
    li t0, {max_cpus}
    bgeu a0, t0, 9f
    la t0, _sbss
    la t1, _ebss
1:  bgeu t0, t1, 2f
    sd zero, 0(t0)
    addi t0, t0, 8
    j 1b
2:  jal .Lset_stack
    call {boot}

    .globl _secondary_start
_secondary_start:
    li t0, {max_cpus}
    bgeu a0, t0, 9f
    jal .Lset_stack
    call {secondary}

    # sp = STACKS + (a0 + 1) * STACK_SIZE
.Lset_stack:
    la sp, {stacks}
    addi t0, a0, 1
    slli t0, t0, {stack_shift}
    add sp, sp, t0
    ret

9:  wfi
    j 9b
"#,
    max_cpus = const MAX_CPUS,
    stacks = sym STACKS,
    stack_shift = const STACK_SHIFT,
    boot = sym rust_boot,
    secondary = sym rust_secondary,
);

unsafe extern "C" {
    fn _secondary_start();
}

/// Where a hart started through HSM begins (a physical address: the kernel
/// is identity-mapped).
pub fn secondary_entry() -> usize {
    _secondary_start as *const () as usize
}

extern "C" fn rust_boot(hart: usize, dtb: usize) -> ! {
    crate::boot_main(hart, dtb)
}

extern "C" fn rust_secondary(hart: usize) -> ! {
    crate::secondary_main(hart)
}
