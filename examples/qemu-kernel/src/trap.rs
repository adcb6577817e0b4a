//! Traps: entering user mode and coming back, and the kernel's own faults.
//!
//! [`UserContext::run`] switches to U-mode and returns at the next trap
//! from it (an `ecall`, a fault), with the user registers saved in the
//! context: the kernel drives the user program as a loop. While user code
//! runs, `stvec` points at the user trap entry, which restores the kernel's
//! `gp` before any Rust code runs: `percpu` (and with it axptr's fault
//! flag) addresses per-CPU data through `gp`, and user code may change it.
//!
//! Traps taken in S-mode go to [`kernel_trap`]. The only ones expected are
//! page faults on user memory while axptr accesses it: a lazy page is
//! populated, a fault that cannot be resolved inside axptr's fallible copy
//! continues at its fixup address (the copy returns `EFAULT`). Anything
//! else is a kernel bug: an oops, and the machine stops.

use core::{
    arch::global_asm,
    sync::atomic::{AtomicUsize, Ordering},
};

use axptr::MappingFlags;
use riscv::{ExceptionNumber, interrupt::supervisor::Exception, register::stvec};

use crate::aspace::{USER_SPACE, is_user_address};

/// Kernel page faults on lazy user pages that the handler populated.
pub static LAZY_PAGES_FAULTED_IN: AtomicUsize = AtomicUsize::new(0);
/// Kernel faults in axptr's copy routine turned into `EFAULT` by its fixup.
pub static COPY_FAULTS_FIXED_UP: AtomicUsize = AtomicUsize::new(0);

const SSTATUS_SPIE: usize = 1 << 5;
const SSTATUS_SPP: usize = 1 << 8;
const SSTATUS_SUM: usize = 1 << 18;

/// Why a trap happened, decoded from `scause`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// A synchronous exception.
    Exception(Exception),
    /// An interrupt, or an exception this kernel does not know.
    Other(usize),
}

impl Cause {
    fn decode(scause: usize) -> Self {
        const INTERRUPT: usize = 1 << (usize::BITS - 1);
        if scause & INTERRUPT == 0 {
            if let Ok(exception) = Exception::from_number(scause) {
                return Self::Exception(exception);
            }
        }
        Self::Other(scause)
    }

    /// The access a page fault was for, if it is a data page fault.
    pub fn page_fault_access(self) -> Option<MappingFlags> {
        match self {
            Self::Exception(Exception::LoadPageFault) => Some(MappingFlags::READ),
            Self::Exception(Exception::StorePageFault) => Some(MappingFlags::WRITE),
            _ => None,
        }
    }
}

/// The user registers and trap state of the user program.
#[repr(C)]
pub struct UserContext {
    /// `x0`..`x31` (the `x0` slot is unused).
    pub regs: [usize; 32],
    /// The user pc: where `run` resumes.
    pub sepc: usize,
    sstatus: usize,
    scause: usize,
    /// The faulting address of the last trap.
    pub stval: usize,
    kernel_sp: usize,
}

impl UserContext {
    /// A context that starts user code at `entry` with `sp`.
    pub fn new(entry: usize, sp: usize) -> Self {
        let mut regs = [0; 32];
        regs[2] = sp;
        // Return to U-mode (SPP = 0) with interrupts off and SUM clear: the
        // kernel reaches user memory only through axptr, which sets SUM.
        let sstatus =
            riscv::register::sstatus::read().bits() & !(SSTATUS_SPP | SSTATUS_SPIE | SSTATUS_SUM);
        Self {
            regs,
            sepc: entry,
            sstatus,
            scause: 0,
            stval: 0,
            kernel_sp: 0,
        }
    }

    /// Runs user code until the next trap, and returns its cause.
    pub fn run(&mut self) -> Cause {
        // SAFETY: `self` is a valid context; `__run_user` saves the kernel's
        // callee-saved registers, gp and tp, and restores them before it
        // returns at the next trap from U-mode.
        unsafe { __run_user(self) };
        Cause::decode(self.scause)
    }

    /// Syscall argument or result register `a<i>`.
    pub fn a(&self, i: usize) -> usize {
        self.regs[10 + i]
    }

    /// Sets `a0`, the syscall result.
    pub fn set_a0(&mut self, value: usize) {
        self.regs[10] = value;
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

/// Sends S-mode traps to [`kernel_trap`].
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
        if is_user_address(frame.stval) && axptr::is_accessing_user_memory() {
            let populated = match USER_SPACE.lock().as_mut() {
                Some(space) => space.handle_page_fault(frame.stval, access),
                None => false,
            };
            if populated {
                LAZY_PAGES_FAULTED_IN.fetch_add(1, Ordering::Relaxed);
                return;
            }
            if let Some(fixup) = axptr::fixup_for(frame.sepc) {
                COPY_FAULTS_FIXED_UP.fetch_add(1, Ordering::Relaxed);
                frame.sepc = fixup;
                return;
            }
        }
    }
    crate::oops(format_args!(
        "{cause:?} in the kernel at pc {:#x}, address {:#x} (accessing user memory: {}, SUM: {})",
        frame.sepc,
        frame.stval,
        axptr::is_accessing_user_memory(),
        frame.sstatus & SSTATUS_SUM != 0,
    ));
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
