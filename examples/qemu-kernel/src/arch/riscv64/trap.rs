//! Traps: entering user mode and coming back, and the kernel's own faults.
//!
//! [`UserContext::run`] switches to U-mode and returns at the next trap
//! from it (an `ecall`, a fault), with the user registers saved in the
//! context. While user code runs, `stvec` points at the user trap entry,
//! which restores the kernel's `gp` before any Rust code runs: `percpu`
//! (and with it axptr's fault flag) addresses per-CPU data through `gp`,
//! and user code may change it. Each hart has its own `gp`, saved on its
//! own kernel stack by `__run_user`.
//!
//! Traps taken in S-mode go to [`kernel_trap`]: its page faults go to
//! [`crate::fault`]; anything else is a kernel bug (an oops).

use core::arch::global_asm;

use axptr::MappingFlags;
use riscv::{
    ExceptionNumber, InterruptNumber,
    interrupt::supervisor::{Exception, Interrupt},
    register::stvec,
};

use crate::{
    arch::UserTrap,
    fault::{self, Outcome},
};

const SSTATUS_SPIE: usize = 1 << 5;
const SSTATUS_SPP: usize = 1 << 8;
const SSTATUS_FS: usize = 3 << 13;
const SSTATUS_SUM: usize = 1 << 18;
const SCAUSE_INTERRUPT: usize = 1 << (usize::BITS - 1);

/// A decoded `scause`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cause {
    Exception(Exception),
    Interrupt(Interrupt),
    Unknown(usize),
}

impl Cause {
    fn decode(scause: usize) -> Self {
        let code = scause & !SCAUSE_INTERRUPT;
        if scause & SCAUSE_INTERRUPT != 0 {
            Interrupt::from_number(code).map_or(Self::Unknown(scause), Self::Interrupt)
        } else {
            Exception::from_number(code).map_or(Self::Unknown(scause), Self::Exception)
        }
    }

    /// The access a page fault was for, if it is a page fault.
    fn page_fault_access(self) -> Option<MappingFlags> {
        match self {
            Self::Exception(Exception::LoadPageFault) => Some(MappingFlags::READ),
            Self::Exception(Exception::StorePageFault) => Some(MappingFlags::WRITE),
            Self::Exception(Exception::InstructionPageFault) => Some(MappingFlags::EXECUTE),
            _ => None,
        }
    }
}

/// The user registers and trap state of a user thread.
#[repr(C)]
#[derive(Clone)]
pub struct UserContext {
    /// `x0`..`x31` (the `x0` slot is unused).
    regs: [usize; 32],
    sepc: usize,
    sstatus: usize,
    scause: usize,
    stval: usize,
    kernel_sp: usize,
}

impl UserContext {
    /// A context that starts user code at `entry` with `sp`.
    pub fn new(entry: usize, sp: usize) -> Self {
        let mut regs = [0; 32];
        regs[2] = sp;
        // Return to U-mode (SPP = 0) with interrupts off and SUM clear: the
        // kernel reaches user memory only through axptr, which sets SUM. The
        // FPU is off (FS = 0): this kernel keeps no floating-point state,
        // so an FP instruction in user code traps and ends the program
        // instead of seeing registers another thread left.
        let sstatus = riscv::register::sstatus::read().bits()
            & !(SSTATUS_SPP | SSTATUS_SPIE | SSTATUS_SUM | SSTATUS_FS);
        Self {
            regs,
            sepc: entry,
            sstatus,
            scause: 0,
            stval: 0,
            kernel_sp: 0,
        }
    }

    /// Runs user code until the next trap; returns why it trapped.
    pub fn run(&mut self) -> UserTrap {
        // SAFETY: `self` is a valid context; `__run_user` saves the kernel's
        // callee-saved registers, gp and tp, and restores them before it
        // returns at the next trap from U-mode.
        unsafe { __run_user(self) };
        let cause = Cause::decode(self.scause);
        if cause == Cause::Exception(Exception::UserEnvCall) {
            // Resume after the `ecall`.
            self.sepc += 4;
            return UserTrap::Syscall;
        }
        if let Some(access) = cause.page_fault_access() {
            return UserTrap::PageFault {
                addr: self.stval,
                access,
            };
        }
        match cause {
            Cause::Interrupt(_) => UserTrap::Interrupt,
            _ => UserTrap::Other {
                cause: self.scause,
                addr: self.stval,
            },
        }
    }

    /// The user pc.
    pub fn pc(&self) -> usize {
        self.sepc
    }

    /// The syscall number (`a7`).
    pub fn syscall_nr(&self) -> usize {
        self.regs[17]
    }

    /// The six syscall arguments (`a0`..`a5`).
    pub fn syscall_args(&self) -> [usize; 6] {
        let a = &self.regs[10..16];
        [a[0], a[1], a[2], a[3], a[4], a[5]]
    }

    /// Sets the syscall result (`a0`).
    pub fn set_syscall_ret(&mut self, value: usize) {
        self.regs[10] = value;
    }

    /// Sets the stack pointer.
    pub fn set_sp(&mut self, sp: usize) {
        self.regs[2] = sp;
    }
}

/// Registers saved by the S-mode trap entry.
#[repr(C)]
struct KernelTrapFrame {
    regs: [usize; 32],
    sepc: usize,
    sstatus: usize,
    scause: usize,
    stval: usize,
}

unsafe extern "C" {
    fn __run_user(ctx: &mut UserContext);
    fn __kernel_trap_entry();
}

/// Sends S-mode traps of the running hart to [`kernel_trap`].
pub fn init() {
    // SAFETY: the entry is a valid, 4-byte-aligned trap vector that saves
    // and restores all registers.
    unsafe {
        stvec::write(stvec::Stvec::new(
            __kernel_trap_entry as *const () as usize,
            stvec::TrapMode::Direct,
        ))
    };
}

#[unsafe(no_mangle)]
extern "C" fn kernel_trap(frame: &mut KernelTrapFrame) {
    let cause = Cause::decode(frame.scause);
    if let Some(access) = cause.page_fault_access() {
        match fault::kernel_page_fault(frame.sepc, frame.stval, access) {
            Outcome::Retry => return,
            Outcome::Fixup(pc) => {
                frame.sepc = pc;
                return;
            }
            Outcome::Oops => {}
        }
    }
    match cause {
        Cause::Exception(e) => kernel_oops(frame, format_args!("Exception({e:?})")),
        _ => kernel_oops(frame, format_args!("trap {:#x}", frame.scause)),
    }
}

fn kernel_oops(frame: &KernelTrapFrame, cause: core::fmt::Arguments<'_>) -> ! {
    crate::oops(format_args!(
        "{cause} in the kernel at pc {:#x}, address {:#x} (accessing user memory: {}, SUM: {})",
        frame.sepc,
        frame.stval,
        axptr::is_accessing_user_memory(),
        frame.sstatus & SSTATUS_SUM != 0,
    ))
}

// UserContext offsets: regs 0, sepc 256, sstatus 264, scause 272,
// stval 280, kernel_sp 288. The kernel frame of `__run_user` holds ra, gp,
// tp and s0..s11.
global_asm!(
    r#"
    .section .text
    .p2align 2
    .globl __run_user
__run_user:
    addi sp, sp, -15*8
    sd ra, 0*8(sp)
    sd gp, 1*8(sp)
    sd tp, 2*8(sp)
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11
    sd s\n, (3+\n)*8(sp)
    .endr
    sd sp, 288(a0)
    csrw sscratch, a0
    ld t0, 256(a0)
    csrw sepc, t0
    ld t0, 264(a0)
    csrw sstatus, t0
    la t0, __user_trap_entry
    csrw stvec, t0
    .irp n, 1,2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    ld x\n, \n*8(a0)
    .endr
    ld a0, 10*8(a0)
    sret

    .p2align 2
__user_trap_entry:
    csrrw a0, sscratch, a0
    .irp n, 1,2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sd x\n, \n*8(a0)
    .endr
    csrr t0, sscratch
    sd t0, 10*8(a0)
    csrr t0, sepc
    sd t0, 256(a0)
    csrr t0, sstatus
    sd t0, 264(a0)
    csrr t0, scause
    sd t0, 272(a0)
    csrr t0, stval
    sd t0, 280(a0)
    la t0, __kernel_trap_entry
    csrw stvec, t0
    ld sp, 288(a0)
    ld ra, 0*8(sp)
    ld gp, 1*8(sp)
    ld tp, 2*8(sp)
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11
    ld s\n, (3+\n)*8(sp)
    .endr
    addi sp, sp, 15*8
    ret

    .p2align 2
    .globl __kernel_trap_entry
__kernel_trap_entry:
    addi sp, sp, -36*8
    .irp n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sd x\n, \n*8(sp)
    .endr
    addi t0, sp, 36*8
    sd t0, 2*8(sp)
    csrr t0, sepc
    sd t0, 32*8(sp)
    csrr t0, sstatus
    sd t0, 33*8(sp)
    csrr t0, scause
    sd t0, 34*8(sp)
    csrr t0, stval
    sd t0, 35*8(sp)
    mv a0, sp
    call kernel_trap
    ld t0, 32*8(sp)
    csrw sepc, t0
    ld t0, 33*8(sp)
    csrw sstatus, t0
    .irp n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    ld x\n, \n*8(sp)
    .endr
    addi sp, sp, 36*8
    sret
"#
);
