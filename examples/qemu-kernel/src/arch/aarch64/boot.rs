//! Entry points. QEMU starts CPU 0 at `_start` (direct boot of an ELF
//! kernel: EL1, MMU off, the device tree at the start of RAM); the other
//! CPUs start at `_secondary_start` when PSCI `CPU_ON` powers them on, with
//! the context id (their index) in `x0`. Each CPU enables FP/SIMD before
//! running Rust code, which uses it, and runs on its own stack.

use core::arch::global_asm;

use crate::cpu::MAX_CPUS;

/// Each CPU's stack: 64 KiB.
const STACK_SHIFT: usize = 16;
const STACK_SIZE: usize = 1 << STACK_SHIFT;
/// Where QEMU puts the device tree of a kernel loaded as an ELF file.
const DTB_ADDR: usize = 0x4000_0000;

#[unsafe(link_section = ".bss.stack")]
static mut STACKS: [[u8; STACK_SIZE]; MAX_CPUS] = [[0; STACK_SIZE]; MAX_CPUS];

// CPU `n` (MPIDR affinity 0) runs on `STACKS[n]`; a CPU the kernel has no
// stack for parks. The boot CPU clears .bss (stacks included) first.
global_asm!(
    r#"
    .section .text.entry, "ax"
    .globl _start
_start:
    mrs x19, mpidr_el1
    and x19, x19, #0xff
    cmp x19, #{max_cpus}
    b.hs 9f
    adrp x0, _sbss
    add x0, x0, :lo12:_sbss
    adrp x1, _ebss
    add x1, x1, :lo12:_ebss
1:  cmp x0, x1
    b.hs 2f
    str xzr, [x0], #8
    b 1b
2:  bl .Lcpu_setup
    mov x0, x19
    ldr x1, ={dtb}
    bl {boot}

    .globl _secondary_start
_secondary_start:
    mov x19, x0
    cmp x19, #{max_cpus}
    b.hs 9f
    bl .Lcpu_setup
    mov x0, x19
    bl {secondary}

    // FP/SIMD on for EL1 and EL0; sp = STACKS + (x19 + 1) * STACK_SIZE.
.Lcpu_setup:
    mov x9, #(3 << 20)
    msr cpacr_el1, x9
    isb
    adrp x9, {stacks}
    add x9, x9, :lo12:{stacks}
    add x10, x19, #1
    lsl x10, x10, #{stack_shift}
    add sp, x9, x10
    ret

9:  wfe
    b 9b
"#,
    max_cpus = const MAX_CPUS,
    dtb = const DTB_ADDR,
    stacks = sym STACKS,
    stack_shift = const STACK_SHIFT,
    boot = sym rust_boot,
    secondary = sym rust_secondary,
);

unsafe extern "C" {
    fn _secondary_start();
}

/// Where a CPU powered on by PSCI begins (a physical address: the kernel
/// is identity-mapped).
pub fn secondary_entry() -> usize {
    _secondary_start as *const () as usize
}

extern "C" fn rust_boot(cpu: usize, dtb: usize) -> ! {
    crate::boot_main(cpu, dtb)
}

extern "C" fn rust_secondary(cpu: usize) -> ! {
    crate::secondary_main(cpu)
}
