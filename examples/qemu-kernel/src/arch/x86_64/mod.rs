//! x86_64 on QEMU's `pc` machine, one CPU: PVH entry, 4-level page tables
//! from `page_table_multiarch`, `syscall` from user mode, the serial port
//! for the console, ACPI power-off for a clean exit and `isa-debug-exit`
//! for a failing one, and SMAP/SMEP on CPUs that have them (`-cpu max`):
//! axptr then opens user access (`stac`/`clac`) for its own accesses only.
//!
//! One CPU: the run's parts that need a second one (the futex handshake
//! and the race) are skipped by the user program when `clone` finds no
//! idle CPU. Starting more would take the local APIC (INIT/SIPI, a 16-bit
//! trampoline) and IPIs for wake-ups and TLB shootdowns.
//!
//! RAM: QEMU's `pc` machine puts RAM at physical address 0, where user
//! space is (`[0, 1 GiB)`), so the kernel runs from the second GiB, as on
//! aarch64 (`-m 2G`; the kernel uses `[1 GiB, 1 GiB + 128 MiB)`,
//! identity-mapped, and leaves the rest, and the firmware's tables at the
//! top, alone).

mod boot;
mod trap;

pub use boot::command_line;
pub use trap::UserContext;

use core::{
    arch::asm,
    sync::atomic::{AtomicBool, Ordering},
};

use page_table_multiarch::x86_64::X64PageTable;

use crate::mm::Frames;

/// The architecture's name in the banner.
pub const NAME: &str = "x86_64";
/// The user program's `e_machine`.
pub const ELF_MACHINE: u16 = elf::abi::EM_X86_64;
/// The kernel's RAM: the kernel is loaded at 1 GiB + 2 MiB (see
/// `linker/x86_64.ld`).
pub const RAM_START: usize = 0x4000_0000;
/// End of the RAM the kernel uses (QEMU has RAM up to 2 GiB with `-m 2G`).
pub const RAM_END: usize = 0x4800_0000;
/// No MMIO: the serial port and the exit devices are I/O ports.
pub const DEVICES: [usize; 0] = [];

/// The 4-level page table of this kernel.
pub type PageTable = X64PageTable<Frames>;

/// The serial port (COM1).
const COM1: u16 = 0x3f8;
/// QEMU's `isa-debug-exit` device (`-device isa-debug-exit,iobase=0xf4`):
/// writing `v` makes QEMU exit with `(v << 1) | 1`.
const DEBUG_EXIT_PORT: u16 = 0xf4;
/// The ACPI PM1a control register of QEMU's PIIX4 (at the I/O base the
/// firmware gives it) and the value that enters S5 (`SLP_TYP` 0 for QEMU,
/// `SLP_EN`): QEMU powers off and exits 0.
const ACPI_PM1A_CNT: u16 = 0x604;
const ACPI_SLP_EN_S5: u16 = 0x2000;

const CR4_SMEP: usize = 1 << 20;
const CR4_SMAP: usize = 1 << 21;
/// `CPUID.(EAX=7, ECX=0):EBX` bits.
const CPUID7_EBX_SMEP: u32 = 1 << 7;
const CPUID7_EBX_SMAP: u32 = 1 << 20;

/// Sets up the CPU: the GDT with the user segments and the TSS, the IDT,
/// the `syscall` MSRs; SMEP and SMAP where the CPU has them. (`percpu`
/// has already pointed `IA32_GS_BASE` at this CPU's area: see
/// [`crate::cpu::init_this`].)
pub fn init_cpu() {
    trap::init();
    let (smep, smap) = protection_features();
    if smap {
        // SAFETY: this runs on the boot CPU, the only one, before any user
        // access; the CPU has SMAP, so axptr's `stac`/`clac` are defined.
        unsafe { axptr::enable_user_access_protection() };
    }
    let mut cr4: usize;
    // SAFETY: reads a control register.
    unsafe { asm!("mov {}, cr4", out(reg) cr4, options(nomem, nostack)) };
    if smep {
        cr4 |= CR4_SMEP;
    }
    if smap {
        cr4 |= CR4_SMAP;
    }
    // SAFETY: SMEP and SMAP only narrow what the kernel may do: it never
    // runs user code, and it reaches user pages only through axptr, which
    // sets `EFLAGS.AC` around its accesses now that it was told.
    unsafe { asm!("mov cr4, {}", in(reg) cr4, options(nomem, nostack)) };
}

/// Whether the CPU has SMEP and SMAP (`-cpu max` has both).
fn protection_features() -> (bool, bool) {
    let max_leaf = core::arch::x86_64::__cpuid(0).eax;
    if max_leaf < 7 {
        return (false, false);
    }
    let ebx = core::arch::x86_64::__cpuid_count(7, 0).ebx;
    (ebx & CPUID7_EBX_SMEP != 0, ebx & CPUID7_EBX_SMAP != 0)
}

/// Whether SMAP is on (`CR4.SMAP`).
pub fn smap_on() -> bool {
    let cr4: usize;
    // SAFETY: reads a control register.
    unsafe { asm!("mov {}, cr4", out(reg) cr4, options(nomem, nostack)) };
    cr4 & CR4_SMAP != 0
}

/// One CPU: nothing to start; returns how many CPUs are online (this
/// one).
pub fn start_secondary_cpus(_dtb: Option<&[u8]>) -> usize {
    crate::cpu::online_mask().count_ones() as usize
}

/// Switches the MMU to `pt`.
///
/// # Safety
///
/// `pt` must map the kernel (see [`crate::mm::map_kernel`]) and stay alive
/// while it is active.
pub unsafe fn activate(pt: &PageTable) {
    let root = pt.root_paddr().as_usize();
    // SAFETY: the caller guarantees the table maps the running kernel, so
    // execution continues at the same (identity-mapped) addresses; writing
    // CR3 drops the previous table's (non-global) translations.
    unsafe { asm!("mov cr3, {}", in(reg) root, options(nostack)) };
}

/// Drops this CPU's cached translation of `vaddr`.
pub fn flush_tlb_local(vaddr: usize) {
    // SAFETY: TLB maintenance has no effect on memory.
    unsafe { asm!("invlpg [{}]", in(reg) vaddr, options(nostack)) };
}

/// Nothing to do on one CPU: the page-table cursor has already flushed
/// this CPU's TLB.
pub fn shoot_down_tlb(_start: usize, _len: usize) {}

/// Nothing to do: no other CPU asks for a flush.
pub fn serve_flush_request() {}

/// Nothing to do: x86 keeps instruction fetches coherent with stores.
pub fn sync_icache(_addr: usize, _len: usize) {}

/// Nothing to forget: no other CPU sends wake-ups.
pub fn clear_wakeup() {}

/// Never sleeps: with one CPU nothing could wake it (interrupts stay
/// off), and the kernel only waits for threads of other CPUs, which there
/// are none of.
pub fn wait_for_event() {
    core::hint::spin_loop();
}

/// No other CPU to wake.
pub fn wake_all() {}

fn outb(port: u16, value: u8) {
    // SAFETY: port I/O to a device of QEMU's `pc` machine; it touches no
    // memory.
    unsafe { asm!("out dx, al", in("dx") port, in("al") value, options(nomem, nostack)) };
}

fn inb(port: u16) -> u8 {
    let value: u8;
    // SAFETY: as `outb`.
    unsafe { asm!("in al, dx", in("dx") port, out("al") value, options(nomem, nostack)) };
    value
}

/// Writes bytes to the serial port (COM1), waiting for the transmitter.
pub fn console_write(bytes: &[u8]) {
    const LSR: u16 = COM1 + 5;
    const THR_EMPTY: u8 = 1 << 5;
    for &byte in bytes {
        while inb(LSR) & THR_EMPTY == 0 {
            core::hint::spin_loop();
        }
        outb(COM1, byte);
    }
}

/// Stops the machine. Success: ACPI S5 through the PIIX4's PM1a control
/// register (QEMU exits 0). Failure: `isa-debug-exit` with 0, so QEMU exits
/// 1, which needs `-device isa-debug-exit,iobase=0xf4,iosize=0x04`;
/// without it the write is ignored and the kernel powers off (exit 0:
/// the printed oops is then the only sign). The write is the one
/// `qemu-exit`'s `X86::exit_failure` makes, done here because that one
/// halts forever when the device is missing.
pub fn shutdown(success: bool) -> ! {
    static STOPPING: AtomicBool = AtomicBool::new(false);
    if !success && !STOPPING.swap(true, Ordering::AcqRel) {
        // SAFETY: port I/O to the device the test gives QEMU; the write
        // has no other effect (and none at all without the device).
        unsafe {
            asm!("out dx, eax", in("dx") DEBUG_EXIT_PORT, in("eax") 0u32,
                 options(nomem, nostack));
        }
    }
    // SAFETY: port I/O to the PIIX4's power management registers.
    unsafe {
        asm!("out dx, ax", in("dx") ACPI_PM1A_CNT, in("ax") ACPI_SLP_EN_S5,
             options(nomem, nostack));
    }
    loop {
        // SAFETY: interrupts are off: the CPU stops here for good.
        unsafe { asm!("cli", "hlt", options(nomem, nostack)) };
    }
}
