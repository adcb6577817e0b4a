//! Exceptions: entering EL0 and coming back, and the kernel's own faults.
//!
//! [`UserContext::run`] saves the kernel's callee-saved registers, points
//! `SP_EL1` at the context and `eret`s to EL0; the lower-EL vectors store
//! the user registers (general, FP/SIMD, `SP_EL0`, `TPIDR_EL0`) straight
//! into the context, switch back to the kernel stack saved in it and return
//! from `run`. User code cannot reach `TPIDR_EL1`, where `percpu` keeps the
//! per-CPU base, so nothing needs restoring for it.
//!
//! Exceptions taken at EL1 go to [`kernel_trap`]: data aborts go to
//! [`crate::fault`], which populates, retries or sends axptr's copy to its
//! fixup (`ELR_EL1` is moved there); anything else is a kernel bug (an
//! oops). The kernel frame holds the FP/SIMD registers too: the handler is
//! Rust code that may use them, and so may the code it interrupted.

use core::{arch::global_asm, mem::offset_of};

use axptr::MappingFlags;

use crate::{
    arch::UserTrap,
    fault::{self, Outcome},
};

/// `SPSR_EL1` for EL0t with debug, SError, IRQ and FIQ masked: this kernel
/// takes no interrupts in user mode.
const SPSR_EL0_MASKED: usize = 0x3c0;

/// Exception kinds, as the vector stubs record them.
const KIND_SYNC: usize = 0;
const KIND_IRQ: usize = 1;

/// Exception classes (`ESR_EL1.EC`).
const EC_SVC64: usize = 0x15;
const EC_IABT_LOWER: usize = 0x20;
const EC_IABT_CURRENT: usize = 0x21;
const EC_DABT_LOWER: usize = 0x24;
const EC_DABT_CURRENT: usize = 0x25;

/// The user registers and exception state of a user thread.
#[repr(C, align(16))]
#[derive(Clone)]
pub struct UserContext {
    x: [usize; 31],
    sp: usize,
    elr: usize,
    spsr: usize,
    tpidr: usize,
    esr: usize,
    far: usize,
    kind: usize,
    kernel_sp: usize,
    fpcr: usize,
    fpsr: usize,
    q: [u128; 32],
}

impl UserContext {
    /// A context that starts user code at `entry` with `sp`.
    pub fn new(entry: usize, sp: usize) -> Self {
        Self {
            x: [0; 31],
            sp,
            elr: entry,
            spsr: SPSR_EL0_MASKED,
            tpidr: 0,
            esr: 0,
            far: 0,
            kind: 0,
            kernel_sp: 0,
            fpcr: 0,
            fpsr: 0,
            q: [0; 32],
        }
    }

    /// Runs user code until the next exception; returns why it came.
    pub fn run(&mut self) -> UserTrap {
        // SAFETY: `self` is a valid context; `__run_user` saves the kernel's
        // callee-saved registers (general and FP) and restores them before
        // it returns at the next exception from EL0.
        unsafe { __run_user(self) };
        if self.kind == KIND_IRQ {
            return UserTrap::Interrupt;
        }
        let other = UserTrap::Other {
            cause: self.esr,
            addr: self.far,
        };
        if self.kind != KIND_SYNC {
            return other;
        }
        match Abort::decode(self.esr) {
            _ if exception_class(self.esr) == EC_SVC64 => UserTrap::Syscall,
            Some(abort) if abort.is_page_fault() => UserTrap::PageFault {
                addr: self.far,
                access: abort.access,
            },
            _ => other,
        }
    }

    /// The user pc.
    pub fn pc(&self) -> usize {
        self.elr
    }

    /// The syscall number (`x8`).
    pub fn syscall_nr(&self) -> usize {
        self.x[8]
    }

    /// The six syscall arguments (`x0`..`x5`).
    pub fn syscall_args(&self) -> [usize; 6] {
        let x = &self.x;
        [x[0], x[1], x[2], x[3], x[4], x[5]]
    }

    /// Sets the syscall result (`x0`).
    pub fn set_syscall_ret(&mut self, value: usize) {
        self.x[0] = value;
    }

    /// Sets the stack pointer.
    pub fn set_sp(&mut self, sp: usize) {
        self.sp = sp;
    }
}

fn exception_class(esr: usize) -> usize {
    (esr >> 26) & 0x3f
}

/// A decoded instruction or data abort.
#[derive(Clone, Copy, Debug)]
struct Abort {
    /// The fault status code (`DFSC`/`IFSC`).
    status: usize,
    access: MappingFlags,
}

impl Abort {
    fn decode(esr: usize) -> Option<Self> {
        let status = esr & 0x3f;
        let access = match exception_class(esr) {
            EC_IABT_LOWER | EC_IABT_CURRENT => MappingFlags::EXECUTE,
            // WnR, unless it is a cache maintenance operation (CM).
            EC_DABT_LOWER | EC_DABT_CURRENT if esr & (1 << 6) != 0 && esr & (1 << 8) == 0 => {
                MappingFlags::WRITE
            }
            EC_DABT_LOWER | EC_DABT_CURRENT => MappingFlags::READ,
            _ => return None,
        };
        Some(Self { status, access })
    }

    /// Translation, access flag and permission faults: what a page fault
    /// handler resolves (or not).
    fn is_page_fault(self) -> bool {
        matches!(self.status >> 2, 0b0001..=0b0011) && self.status != 0b1000
    }

    fn kind(self) -> &'static str {
        match self.status >> 2 {
            0b0001 => "translation fault",
            0b0010 => "access flag fault",
            0b0011 => "permission fault",
            _ => "fault",
        }
    }
}

/// Registers saved by the EL1 exception entry.
#[repr(C, align(16))]
struct KernelFrame {
    x: [usize; 31],
    elr: usize,
    spsr: usize,
    esr: usize,
    far: usize,
    kind: usize,
    fpcr: usize,
    fpsr: usize,
    q: [u128; 32],
}

unsafe extern "C" {
    fn __run_user(ctx: &mut UserContext);
    static __exception_vectors: u8;
}

/// Points the running CPU's `VBAR_EL1` at the vectors.
pub fn init() {
    let vectors = (&raw const __exception_vectors).addr();
    // SAFETY: a valid, 2 KiB-aligned vector table whose entries save and
    // restore everything they touch.
    unsafe { core::arch::asm!("msr vbar_el1, {}", "isb", in(reg) vectors) };
}

#[unsafe(no_mangle)]
extern "C" fn kernel_trap(frame: &mut KernelFrame) {
    let abort = Abort::decode(frame.esr);
    if frame.kind == KIND_SYNC && exception_class(frame.esr) == EC_DABT_CURRENT {
        if let Some(abort) = abort.filter(|a| a.is_page_fault()) {
            match fault::kernel_page_fault(frame.elr, frame.far, abort.access) {
                Outcome::Retry => return,
                Outcome::Fixup(pc) => {
                    frame.elr = pc;
                    return;
                }
                Outcome::Oops => {}
            }
        }
    }
    // PSTATE.PAN where the exception was taken (SPSR_EL1.PAN).
    let pan = if super::pan_present() && frame.spsr & (1 << 22) != 0 {
        "on"
    } else {
        "off"
    };
    let (pc, addr) = (frame.elr, frame.far);
    let flag = axptr::is_accessing_user_memory();
    match abort {
        Some(abort) if frame.kind == KIND_SYNC => {
            let what = if abort.access == MappingFlags::EXECUTE {
                "instruction abort"
            } else {
                "data abort"
            };
            let access = match abort.access {
                MappingFlags::WRITE => "write",
                MappingFlags::EXECUTE => "execute",
                _ => "read",
            };
            crate::oops(format_args!(
                "{what} ({}, level {}, {access}) in the kernel at pc {pc:#x}, address {addr:#x} \
                 (accessing user memory: {flag}, PAN: {pan})",
                abort.kind(),
                abort.status & 3,
            ))
        }
        _ => crate::oops(format_args!(
            "exception (kind {}, ESR {:#x}) in the kernel at pc {pc:#x}, address {addr:#x} \
             (accessing user memory: {flag}, PAN: {pan})",
            frame.kind, frame.esr,
        )),
    }
}

// Vector stubs record the kind and jump to a common entry. EL1 entries
// push a `KernelFrame`; EL0 entries find `SP_EL1` pointing at the
// `UserContext` (`__run_user` left it there).
global_asm!(
    r#"
    // x2..x30 at `base` + 8 * n (x0 and x1 are handled by each path).
    .macro SAVE_X2_X30 base
    .irp n, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30
    str x\n, [\base, #\n * 8]
    .endr
    .endm

    .macro LOAD_X2_X30 base
    .irp n, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30
    ldr x\n, [\base, #\n * 8]
    .endr
    .endm

    .macro SAVE_Q base
    stp q0, q1, [\base, #0]
    stp q2, q3, [\base, #32]
    stp q4, q5, [\base, #64]
    stp q6, q7, [\base, #96]
    stp q8, q9, [\base, #128]
    stp q10, q11, [\base, #160]
    stp q12, q13, [\base, #192]
    stp q14, q15, [\base, #224]
    stp q16, q17, [\base, #256]
    stp q18, q19, [\base, #288]
    stp q20, q21, [\base, #320]
    stp q22, q23, [\base, #352]
    stp q24, q25, [\base, #384]
    stp q26, q27, [\base, #416]
    stp q28, q29, [\base, #448]
    stp q30, q31, [\base, #480]
    .endm

    .macro LOAD_Q base
    ldp q0, q1, [\base, #0]
    ldp q2, q3, [\base, #32]
    ldp q4, q5, [\base, #64]
    ldp q6, q7, [\base, #96]
    ldp q8, q9, [\base, #128]
    ldp q10, q11, [\base, #160]
    ldp q12, q13, [\base, #192]
    ldp q14, q15, [\base, #224]
    ldp q16, q17, [\base, #256]
    ldp q18, q19, [\base, #288]
    ldp q20, q21, [\base, #320]
    ldp q22, q23, [\base, #352]
    ldp q24, q25, [\base, #384]
    ldp q26, q27, [\base, #416]
    ldp q28, q29, [\base, #448]
    ldp q30, q31, [\base, #480]
    .endm

    .macro KERNEL_VECTOR kind
    .balign 0x80
    sub sp, sp, #{kframe_size}
    stp x0, x1, [sp]
    mov x0, #\kind
    b __kernel_trap_common
    .endm

    .macro USER_VECTOR kind
    .balign 0x80
    stp x0, x1, [sp]
    mov x0, #\kind
    b __user_trap_common
    .endm

    .section .text
    .balign 0x800
    .globl __exception_vectors
__exception_vectors:
    KERNEL_VECTOR 10
    KERNEL_VECTOR 11
    KERNEL_VECTOR 12
    KERNEL_VECTOR 13
    KERNEL_VECTOR {sync}
    KERNEL_VECTOR {irq}
    KERNEL_VECTOR 2
    KERNEL_VECTOR 3
    USER_VECTOR {sync}
    USER_VECTOR {irq}
    USER_VECTOR 2
    USER_VECTOR 3
    USER_VECTOR 20
    USER_VECTOR 21
    USER_VECTOR 22
    USER_VECTOR 23

__kernel_trap_common:
    str x0, [sp, #{k_kind}]
    SAVE_X2_X30 sp
    mrs x9, elr_el1
    mrs x10, spsr_el1
    stp x9, x10, [sp, #{k_elr}]
    mrs x9, esr_el1
    mrs x10, far_el1
    stp x9, x10, [sp, #{k_esr}]
    mrs x9, fpcr
    mrs x10, fpsr
    stp x9, x10, [sp, #{k_fpcr}]
    add x9, sp, #{k_q}
    SAVE_Q x9
    mov x0, sp
    bl kernel_trap
    add x9, sp, #{k_q}
    LOAD_Q x9
    ldp x9, x10, [sp, #{k_fpcr}]
    msr fpcr, x9
    msr fpsr, x10
    ldp x9, x10, [sp, #{k_elr}]
    msr elr_el1, x9
    msr spsr_el1, x10
    ldp x0, x1, [sp]
    LOAD_X2_X30 sp
    add sp, sp, #{kframe_size}
    eret

    // __run_user(ctx: x0): the kernel frame holds x19..x30 and d8..d15.
    .globl __run_user
__run_user:
    sub sp, sp, #160
    stp x19, x20, [sp]
    stp x21, x22, [sp, #16]
    stp x23, x24, [sp, #32]
    stp x25, x26, [sp, #48]
    stp x27, x28, [sp, #64]
    stp x29, x30, [sp, #80]
    stp d8, d9, [sp, #96]
    stp d10, d11, [sp, #112]
    stp d12, d13, [sp, #128]
    stp d14, d15, [sp, #144]
    mov x9, sp
    str x9, [x0, #{u_kernel_sp}]
    add x9, x0, #{u_q}
    LOAD_Q x9
    ldp x9, x10, [x0, #{u_fpcr}]
    msr fpcr, x9
    msr fpsr, x10
    ldp x9, x10, [x0, #{u_sp}]
    msr sp_el0, x9
    msr elr_el1, x10
    ldp x9, x10, [x0, #{u_spsr}]
    msr spsr_el1, x9
    msr tpidr_el0, x10
    mov sp, x0
    LOAD_X2_X30 x0
    ldp x0, x1, [x0]
    eret

__user_trap_common:
    str x0, [sp, #{u_kind}]
    SAVE_X2_X30 sp
    mrs x9, sp_el0
    mrs x10, elr_el1
    stp x9, x10, [sp, #{u_sp}]
    mrs x9, spsr_el1
    mrs x10, tpidr_el0
    stp x9, x10, [sp, #{u_spsr}]
    mrs x9, esr_el1
    mrs x10, far_el1
    stp x9, x10, [sp, #{u_esr}]
    mrs x9, fpcr
    mrs x10, fpsr
    stp x9, x10, [sp, #{u_fpcr}]
    add x9, sp, #{u_q}
    SAVE_Q x9
    ldr x9, [sp, #{u_kernel_sp}]
    mov sp, x9
    ldp x19, x20, [sp]
    ldp x21, x22, [sp, #16]
    ldp x23, x24, [sp, #32]
    ldp x25, x26, [sp, #48]
    ldp x27, x28, [sp, #64]
    ldp x29, x30, [sp, #80]
    ldp d8, d9, [sp, #96]
    ldp d10, d11, [sp, #112]
    ldp d12, d13, [sp, #128]
    ldp d14, d15, [sp, #144]
    add sp, sp, #160
    ret
"#,
    sync = const KIND_SYNC,
    irq = const KIND_IRQ,
    kframe_size = const size_of::<KernelFrame>(),
    k_kind = const offset_of!(KernelFrame, kind),
    k_elr = const offset_of!(KernelFrame, elr),
    k_esr = const offset_of!(KernelFrame, esr),
    k_fpcr = const offset_of!(KernelFrame, fpcr),
    k_q = const offset_of!(KernelFrame, q),
    u_sp = const offset_of!(UserContext, sp),
    u_spsr = const offset_of!(UserContext, spsr),
    u_esr = const offset_of!(UserContext, esr),
    u_kind = const offset_of!(UserContext, kind),
    u_kernel_sp = const offset_of!(UserContext, kernel_sp),
    u_fpcr = const offset_of!(UserContext, fpcr),
    u_q = const offset_of!(UserContext, q),
);

// The `stp`/`ldp` pairs above rely on this field order.
const _: () = {
    assert!(offset_of!(KernelFrame, spsr) == offset_of!(KernelFrame, elr) + 8);
    assert!(offset_of!(KernelFrame, far) == offset_of!(KernelFrame, esr) + 8);
    assert!(offset_of!(KernelFrame, fpsr) == offset_of!(KernelFrame, fpcr) + 8);
    assert!(offset_of!(UserContext, elr) == offset_of!(UserContext, sp) + 8);
    assert!(offset_of!(UserContext, tpidr) == offset_of!(UserContext, spsr) + 8);
    assert!(offset_of!(UserContext, far) == offset_of!(UserContext, esr) + 8);
    assert!(offset_of!(UserContext, fpsr) == offset_of!(UserContext, fpcr) + 8);
};
