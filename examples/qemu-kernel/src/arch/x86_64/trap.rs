//! Descriptor tables, entering user mode and coming back, and the kernel's
//! own faults.
//!
//! The GDT has the segments in the order `syscall`/`sysret` want (`STAR`):
//! kernel code, kernel data, then a 32-bit user code slot (unused), user
//! data, user code, then the TSS, whose `RSP0` is where the CPU switches
//! stacks on an exception from user mode.
//!
//! [`UserContext::run`] saves the kernel's callee-saved registers and
//! `IA32_GS_BASE` on the kernel stack, points `RSP0` at the end of the
//! context's trap frame and `iretq`s to user mode. An exception from user
//! mode then pushes its frame straight into the context, and the vector
//! stub and common entry push the vector and the general registers below
//! it: the context is complete. The `syscall` entry, which gets no stack
//! switch, loads the same `RSP0` and builds the same frame. Both then go
//! back to the kernel stack saved in the context and return from `run`.
//!
//! No `swapgs`: `percpu` keeps this CPU's base in `IA32_GS_BASE`, which
//! user code cannot write (`CR4.FSGSBASE` stays off and there is no
//! `arch_prctl`), but loading a GS selector resets the base (the user
//! program does so on purpose), so the way back from user mode writes the
//! kernel's base again before any Rust code runs, as riscv64 restores `gp`.
//! The way back also clears `EFLAGS.AC` (user code may set it, and an
//! exception does not clear it: with it set SMAP would let the kernel
//! touch user pages) and `EFLAGS.DF`.
//!
//! Exceptions in kernel mode go to [`kernel_trap`]: page faults go to
//! [`crate::fault`], which populates, retries or sends axptr's copy to its
//! fixup (`rip` is moved there); anything else is a kernel bug (an oops).
//! Interrupts stay off throughout (`IF` clear in the kernel and in user
//! mode, where `IOPL` 0 keeps user code from turning them on), so the IDT
//! has only the 32 exception vectors.

use core::{
    arch::{asm, global_asm},
    cell::UnsafeCell,
    mem::offset_of,
    sync::atomic::AtomicUsize,
};

use axptr::MappingFlags;

use crate::{
    arch::UserTrap,
    fault::{self, Outcome},
};

/// GDT selectors.
const KERNEL_CS: u16 = 0x08;
const KERNEL_DS: u16 = 0x10;
/// The base of `sysret`'s selectors (`STAR[63:48]`): user data is this
/// + 8, user code + 16.
const USER_BASE: u16 = 0x18;
const USER_DS: u16 = 0x20 | 3;
const USER_CS: u16 = 0x28 | 3;
const TSS_SEL: u16 = 0x30;

/// The vector the `syscall` entry records (not an IDT vector).
const VECTOR_SYSCALL: usize = 256;
const VECTOR_PAGE_FAULT: usize = 14;
/// Bytes per exception stub (each is aligned to this).
const STUB_SIZE: usize = 16;

const MSR_STAR: u32 = 0xc000_0081;
const MSR_LSTAR: u32 = 0xc000_0082;
const MSR_FMASK: u32 = 0xc000_0084;
const MSR_GS_BASE: u32 = 0xc000_0101;

const RFLAGS_RESERVED: usize = 1 << 1;
const RFLAGS_TF: usize = 1 << 8;
const RFLAGS_IF: usize = 1 << 9;
const RFLAGS_DF: usize = 1 << 10;
const RFLAGS_IOPL: usize = 3 << 12;
const RFLAGS_NT: usize = 1 << 14;
const RFLAGS_AC: usize = 1 << 18;

/// Page-fault error code bits.
const PF_PRESENT: usize = 1 << 0;
const PF_WRITE: usize = 1 << 1;
const PF_USER: usize = 1 << 2;
const PF_RESERVED: usize = 1 << 3;
const PF_FETCH: usize = 1 << 4;

/// The general registers, in the order the entry code pushes them (the
/// last pushed first).
#[repr(C)]
#[derive(Clone, Default)]
struct Regs {
    r15: usize,
    r14: usize,
    r13: usize,
    r12: usize,
    r11: usize,
    r10: usize,
    r9: usize,
    r8: usize,
    rbp: usize,
    rdi: usize,
    rsi: usize,
    rdx: usize,
    rcx: usize,
    rbx: usize,
    rax: usize,
}

/// What an exception (or the `syscall` entry) leaves on the stack: the
/// registers, the vector and error code, and the CPU's `iretq` frame.
#[repr(C)]
#[derive(Clone)]
struct TrapFrame {
    regs: Regs,
    vector: usize,
    error: usize,
    rip: usize,
    cs: usize,
    rflags: usize,
    rsp: usize,
    ss: usize,
}

/// The user registers and trap state of a user thread. Its trap frame
/// ends 16-byte aligned, where `RSP0` points while it runs (the CPU aligns
/// the stack to 16 bytes before pushing an exception frame).
#[repr(C, align(16))]
#[derive(Clone)]
pub struct UserContext {
    frame: TrapFrame,
    kernel_sp: usize,
    cr2: usize,
}

const _: () = assert!(size_of::<TrapFrame>() % 16 == 0);

impl UserContext {
    /// A context that starts user code at `entry` with `sp`, interrupts
    /// off.
    pub fn new(entry: usize, sp: usize) -> Self {
        Self {
            frame: TrapFrame {
                regs: Regs::default(),
                vector: 0,
                error: 0,
                rip: entry,
                cs: usize::from(USER_CS),
                rflags: RFLAGS_RESERVED,
                rsp: sp,
                ss: usize::from(USER_DS),
            },
            kernel_sp: 0,
            cr2: 0,
        }
    }

    /// Runs user code until the next exception or `syscall`; returns why it
    /// came.
    pub fn run(&mut self) -> UserTrap {
        // SAFETY: `self` is a valid context whose selectors and flags are
        // the user's (the kernel sets no others); `__run_user` saves the
        // kernel's callee-saved registers and GS base and restores them
        // before it returns at the next trap from user mode.
        unsafe { __run_user(self) };
        let frame = &self.frame;
        match frame.vector {
            VECTOR_SYSCALL => UserTrap::Syscall,
            VECTOR_PAGE_FAULT if frame.error & PF_RESERVED == 0 => UserTrap::PageFault {
                addr: self.cr2,
                access: fault_access(frame.error),
            },
            vector => UserTrap::Other {
                cause: vector,
                addr: self.cr2,
            },
        }
    }

    /// The user pc.
    pub fn pc(&self) -> usize {
        self.frame.rip
    }

    /// The syscall number (`rax`).
    pub fn syscall_nr(&self) -> usize {
        self.frame.regs.rax
    }

    /// The six syscall arguments (`rdi`, `rsi`, `rdx`, `r10`, `r8`, `r9`).
    pub fn syscall_args(&self) -> [usize; 6] {
        let r = &self.frame.regs;
        [r.rdi, r.rsi, r.rdx, r.r10, r.r8, r.r9]
    }

    /// Sets the syscall result (`rax`).
    pub fn set_syscall_ret(&mut self, value: usize) {
        self.frame.regs.rax = value;
    }

    /// Sets the stack pointer.
    pub fn set_sp(&mut self, sp: usize) {
        self.frame.rsp = sp;
    }
}

/// The access a page fault was for.
fn fault_access(error: usize) -> MappingFlags {
    if error & PF_FETCH != 0 {
        MappingFlags::EXECUTE
    } else if error & PF_WRITE != 0 {
        MappingFlags::WRITE
    } else {
        MappingFlags::READ
    }
}

/// The 64-bit TSS: only `RSP0` is used.
#[repr(C, packed(4))]
struct Tss {
    reserved0: u32,
    rsp: [u64; 3],
    reserved1: u64,
    ist: [u64; 7],
    reserved2: u64,
    reserved3: u16,
    iomap_base: u16,
}

const _: () = assert!(size_of::<Tss>() == 104);
const TSS_RSP0: usize = 4;

/// Tables the CPU reads, written once by [`init`] (and `RSP0` by
/// `__run_user`) on the one CPU.
#[repr(C, align(16))]
struct CpuTable<T>(UnsafeCell<T>);

// SAFETY: one CPU; the tables are written by `init` before they are
// loaded, and afterwards only `RSP0` is, by the CPU's own assembly.
unsafe impl<T> Sync for CpuTable<T> {}

static TSS: CpuTable<Tss> = CpuTable(UnsafeCell::new(Tss {
    reserved0: 0,
    rsp: [0; 3],
    reserved1: 0,
    ist: [0; 7],
    reserved2: 0,
    reserved3: 0,
    iomap_base: size_of::<Tss>() as u16,
}));

static GDT: CpuTable<[u64; 8]> = CpuTable(UnsafeCell::new([0; 8]));
static IDT: CpuTable<[u64; 64]> = CpuTable(UnsafeCell::new([0; 64]));

/// The user's `rsp` while the `syscall` entry switches stacks (one CPU:
/// with more, a per-CPU slot that does not depend on the user's GS).
static SYSCALL_USER_RSP: AtomicUsize = AtomicUsize::new(0);

unsafe extern "C" {
    fn __run_user(ctx: &mut UserContext);
    static __trap_stubs: u8;
    static __syscall_entry: u8;
}

/// A code or data segment descriptor with `access` and `flags`, flat.
const fn segment(access: u64, flags: u64) -> u64 {
    0xffff | (access << 40) | (0xf << 48) | (flags << 52)
}

/// Loads the GDT (with the TSS) and the IDT, and sets up `syscall`.
pub fn init() {
    let tss = TSS.0.get().addr() as u64;
    let tss_limit = size_of::<Tss>() as u64 - 1;
    let gdt: [u64; 8] = [
        0,
        segment(0x9a, 0xa), // kernel code: present, DPL 0, code; L, G
        segment(0x92, 0xc), // kernel data: present, DPL 0, data; D/B, G
        segment(0xfa, 0xc), // user code, 32-bit: unused, `STAR`'s base
        segment(0xf2, 0xc), // user data: DPL 3
        segment(0xfa, 0xa), // user code, 64-bit: DPL 3
        // The TSS (available 64-bit TSS, present), 16 bytes.
        tss_limit | ((tss & 0xff_ffff) << 16) | (0x89 << 40) | (((tss >> 24) & 0xff) << 56),
        tss >> 32,
    ];
    // SAFETY: one CPU, and the tables are not loaded yet: nothing else
    // reads or writes them meanwhile.
    unsafe { GDT.0.get().write(gdt) };

    let stubs = (&raw const __trap_stubs).addr();
    let mut idt = [0u64; 64];
    for vector in 0..32 {
        let handler = (stubs + vector * STUB_SIZE) as u64;
        // An interrupt gate (IF cleared on entry), present, DPL 0.
        idt[2 * vector] = (handler & 0xffff)
            | (u64::from(KERNEL_CS) << 16)
            | (0x8e << 40)
            | (((handler >> 16) & 0xffff) << 48);
        idt[2 * vector + 1] = handler >> 32;
    }
    // SAFETY: as for the GDT.
    unsafe { IDT.0.get().write(idt) };

    #[repr(C, packed)]
    struct Pointer {
        limit: u16,
        base: u64,
    }
    let gdt_ptr = Pointer {
        limit: (size_of::<[u64; 8]>() - 1) as u16,
        base: GDT.0.get().addr() as u64,
    };
    let idt_ptr = Pointer {
        limit: (size_of::<[u64; 64]>() - 1) as u16,
        base: IDT.0.get().addr() as u64,
    };
    // SAFETY: the GDT has the kernel segments at the selectors the running
    // code uses (the boot GDT's), so reloading them keeps executing here;
    // the TSS descriptor is valid and not busy; the IDT's gates point at
    // the stubs below. GS is not reloaded: its base is percpu's.
    unsafe {
        asm!(
            "lgdt [{gdt}]",
            "push {cs}",
            "lea {tmp}, [rip + 2f]",
            "push {tmp}",
            "retfq",
            "2:",
            "mov {tmp:x}, {ds}",
            "mov ds, {tmp:x}",
            "mov es, {tmp:x}",
            "mov ss, {tmp:x}",
            "mov {tmp:x}, {tss_sel}",
            "ltr {tmp:x}",
            "lidt [{idt}]",
            gdt = in(reg) &raw const gdt_ptr,
            idt = in(reg) &raw const idt_ptr,
            cs = const KERNEL_CS,
            ds = const KERNEL_DS,
            tss_sel = const TSS_SEL,
            tmp = out(reg) _,
        );
    }

    let star = (u64::from(USER_BASE) << 48) | (u64::from(KERNEL_CS) << 32);
    let lstar = (&raw const __syscall_entry).addr() as u64;
    // Cleared on `syscall`: interrupts, tracing, direction, AC (SMAP).
    let fmask = (RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_IOPL | RFLAGS_NT | RFLAGS_AC) as u64;
    // SAFETY: the `syscall` MSRs: the entry below and the GDT's selectors.
    // `EFER.SCE` is set by the boot code.
    unsafe {
        wrmsr(MSR_STAR, star);
        wrmsr(MSR_LSTAR, lstar);
        wrmsr(MSR_FMASK, fmask);
    }
}

/// Writes a model-specific register.
///
/// # Safety
///
/// The MSR must exist and the value must be one the kernel can run with.
unsafe fn wrmsr(msr: u32, value: u64) {
    // SAFETY: the caller's promise.
    unsafe {
        asm!("wrmsr", in("ecx") msr, in("eax") value as u32, in("edx") (value >> 32) as u32,
             options(nostack));
    }
}

#[unsafe(no_mangle)]
extern "C" fn kernel_trap(frame: &mut TrapFrame) {
    let cr2: usize;
    // SAFETY: reads the faulting address of the last page fault.
    unsafe { asm!("mov {}, cr2", out(reg) cr2, options(nomem, nostack)) };
    let error = frame.error;
    if frame.vector == VECTOR_PAGE_FAULT && error & (PF_USER | PF_RESERVED) == 0 {
        match fault::kernel_page_fault(frame.rip, cr2, fault_access(error)) {
            Outcome::Retry => return,
            Outcome::Fixup(pc) => {
                frame.rip = pc;
                return;
            }
            Outcome::Oops => {}
        }
    }
    let smap = if super::smap_on() {
        if frame.rflags & RFLAGS_AC != 0 {
            "open"
        } else {
            "on"
        }
    } else {
        "off"
    };
    let (pc, flag) = (frame.rip, axptr::is_accessing_user_memory());
    if frame.vector == VECTOR_PAGE_FAULT {
        let kind = if error & PF_PRESENT != 0 {
            "protection violation"
        } else {
            "not present"
        };
        let access = match fault_access(error) {
            MappingFlags::WRITE => "write",
            MappingFlags::EXECUTE => "execute",
            _ => "read",
        };
        crate::oops(format_args!(
            "page fault ({kind}, {access}) in the kernel at pc {pc:#x}, address {cr2:#x} \
             (accessing user memory: {flag}, SMAP: {smap})"
        ))
    }
    crate::oops(format_args!(
        "exception {} (error code {error:#x}) in the kernel at pc {pc:#x}, address {cr2:#x} \
         (accessing user memory: {flag}, SMAP: {smap})",
        frame.vector,
    ))
}

// Exception stubs, `STUB_SIZE` bytes apart: each pushes a zero where the
// CPU pushes no error code (all but vectors 8, 10-14, 17, 21, 29 and 30),
// then its vector. The common entry tells a
// trap from user mode by the saved CS.
global_asm!(
    r#"
    .macro PUSH_REGS
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    .endm

    .macro POP_REGS
    pop r15
    pop r14
    pop r13
    pop r12
    pop r11
    pop r10
    pop r9
    pop r8
    pop rbp
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rbx
    pop rax
    .endm

    .section .text
    .balign {stub_size}
    .globl __trap_stubs
__trap_stubs:
    .set vector, 0
    .rept 32
    .balign {stub_size}
    .if vector == 8 || vector == 10 || vector == 11 || vector == 12 || vector == 13 || vector == 14 || vector == 17 || vector == 21 || vector == 29 || vector == 30
    .else
    push 0
    .endif
    push vector
    jmp __trap_common
    .set vector, vector + 1
    .endr

__trap_common:
    test byte ptr [rsp + {f_cs} - {f_vector}], 3
    jnz __user_trap_common
    PUSH_REGS
    mov rdi, rsp
    call kernel_trap
    POP_REGS
    add rsp, 16
    iretq

    // The `syscall` entry: rcx holds the user rip, r11 the user rflags.
    // Build the frame an exception would have pushed, on RSP0.
    .balign 16
    .globl __syscall_entry
__syscall_entry:
    mov [rip + {user_rsp}], rsp
    mov rsp, [rip + {tss} + {tss_rsp0}]
    push {user_ds}
    push qword ptr [rip + {user_rsp}]
    push r11
    push {user_cs}
    push rcx
    push 0
    push {vector_syscall}

    // The context is complete once the registers are pushed: go back to
    // the kernel stack, restore the kernel's flags and GS base, and
    // return from `__run_user`.
__user_trap_common:
    PUSH_REGS
    mov rax, rsp
    mov rcx, cr2
    mov [rax + {u_cr2}], rcx
    mov rsp, [rax + {u_kernel_sp}]
    pushfq
    and qword ptr [rsp], {flags_mask}
    popfq
    pop rax
    pop rdx
    mov ecx, {gs_base}
    wrmsr
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbp
    pop rbx
    ret

    // __run_user(ctx: rdi)
    .globl __run_user
__run_user:
    push rbx
    push rbp
    push r12
    push r13
    push r14
    push r15
    mov ecx, {gs_base}
    rdmsr
    push rdx
    push rax
    mov [rdi + {u_kernel_sp}], rsp
    lea rax, [rdi + {u_kernel_sp}]
    mov [rip + {tss} + {tss_rsp0}], rax
    mov rsp, rdi
    POP_REGS
    add rsp, 16
    iretq
"#,
    stub_size = const STUB_SIZE,
    f_cs = const offset_of!(TrapFrame, cs),
    f_vector = const offset_of!(TrapFrame, vector),
    tss = sym TSS,
    user_rsp = sym SYSCALL_USER_RSP,
    tss_rsp0 = const TSS_RSP0,
    user_ds = const USER_DS,
    user_cs = const USER_CS,
    vector_syscall = const VECTOR_SYSCALL,
    u_cr2 = const offset_of!(UserContext, cr2),
    u_kernel_sp = const offset_of!(UserContext, kernel_sp),
    flags_mask = const !(RFLAGS_AC | RFLAGS_DF) as i32,
    gs_base = const MSR_GS_BASE,
);

// The assembly above relies on these.
const _: () = {
    assert!(offset_of!(UserContext, kernel_sp) == size_of::<TrapFrame>());
    assert!(offset_of!(TrapFrame, vector) == size_of::<Regs>());
    assert!(offset_of!(TrapFrame, ss) + 8 == size_of::<TrapFrame>());
};
