//! aarch64 on QEMU `virt` (`-cpu cortex-a72` or `-cpu max`, GICv2):
//! 4-level translation tables from `page_table_multiarch`, PSCI for
//! starting CPUs and powering off, a GICv2 software interrupt to wake idle
//! CPUs, the PL011 UART for the console, semihosting for QEMU's exit code
//! on failure, and PAN on CPUs that have it (axptr opens user access for
//! its own accesses only).
//!
//! Register access goes through `aarch64-cpu` (already in the tree through
//! `page_table_entry`); the rest is plain `asm!` and MMIO.

mod boot;
mod trap;

pub use trap::UserContext;

use core::{
    arch::asm,
    ptr::{read_volatile, write_volatile},
    sync::atomic::{AtomicBool, AtomicUsize, Ordering},
};

use aarch64_cpu::registers::{
    ID_AA64MMFR0_EL1, ID_AA64MMFR1_EL1, MAIR_EL1, ReadWriteable, Readable, SCTLR_EL1, TCR_EL1,
    TTBR0_EL1, Writeable,
};
use axptr::{MappingFlags, PAGE_SIZE_4K};
use memory_addr::PhysAddr;
use page_table_entry::{GenericPTE, aarch64::A64PTE, aarch64::MemAttr};
use page_table_multiarch::aarch64::A64PageTable;
use qemu_exit::QEMUExit;

use crate::{cpu, mm::Frames};

/// The architecture's name in the banner.
pub const NAME: &str = "aarch64";
/// The user program's `e_machine`.
pub const ELF_MACHINE: u16 = elf::abi::EM_AARCH64;
/// QEMU virt's RAM starts here (the device tree first, then the kernel).
pub const RAM_START: usize = 0x4000_0000;
/// End of `-m 128M`.
pub const RAM_END: usize = 0x4800_0000;
const UART: usize = 0x0900_0000;
const GICD: usize = 0x0800_0000;
const GICC: usize = 0x0801_0000;
/// MMIO pages the kernel maps (identity, kernel-only).
pub const DEVICES: [usize; 3] = [UART, GICD, GICC];

/// The translation table of this kernel.
pub type PageTable = A64PageTable<Frames>;

/// Sets up the running CPU: exception vectors; the MMU on, with a boot
/// table that identity-maps RAM and devices in 1 GiB blocks (until the
/// address space's table is activated); PAN on where the CPU has it; the
/// GIC's CPU interface ready for wake-up interrupts.
pub fn init_cpu() {
    trap::init();
    let pan = pan_present();
    // SAFETY: the boot table identity-maps all the RAM and devices the
    // kernel uses, so execution continues at the same addresses.
    unsafe { enable_mmu(boot_table(), pan) };
    if pan {
        static AXPTR_TOLD: AtomicBool = AtomicBool::new(false);
        if !AXPTR_TOLD.swap(true, Ordering::AcqRel) {
            // SAFETY: this runs on the boot CPU before the others start
            // and before any user access. The others are the same model
            // (QEMU's `-cpu` applies to all), so they have FEAT_PAN too.
            unsafe { axptr::enable_user_access_protection() };
        }
        // SAFETY: sets PSTATE.PAN (FEAT_PAN is present): from now on the
        // kernel faults on user pages outside axptr's access windows,
        // which clear PAN for exactly their accesses.
        unsafe { asm!(".arch_extension pan", "msr pan, #1") };
    }
    gic_init_cpu();
}

/// Whether the CPU has FEAT_PAN (`-cpu max` does, a Cortex-A72 does not).
pub fn pan_present() -> bool {
    ID_AA64MMFR1_EL1.read(ID_AA64MMFR1_EL1::PAN) != 0
}

/// Level 0 and level 1 of the boot table.
#[repr(C, align(4096))]
struct Table([AtomicUsize; 512]);

static BOOT_L0: Table = Table([const { AtomicUsize::new(0) }; 512]);
static BOOT_L1: Table = Table([const { AtomicUsize::new(0) }; 512]);

/// The boot table: `[0, 1 GiB)` as device memory, `[1 GiB, 2 GiB)` (RAM)
/// as normal memory, both kernel-only. Built by the first CPU to ask.
fn boot_table() -> usize {
    static BUILT: AtomicBool = AtomicBool::new(false);
    let l1 = (&raw const BOOT_L1).addr();
    if !BUILT.swap(true, Ordering::AcqRel) {
        let rwx = MappingFlags::READ | MappingFlags::WRITE | MappingFlags::EXECUTE;
        let device = MappingFlags::READ | MappingFlags::WRITE | MappingFlags::DEVICE;
        let entries = [
            (0, A64PTE::new_page(PhysAddr::from(0), device, true)),
            (1, A64PTE::new_page(PhysAddr::from(RAM_START), rwx, true)),
        ];
        for (i, pte) in entries {
            BOOT_L1.0[i].store(pte.bits(), Ordering::Relaxed);
        }
        let table = A64PTE::new_table(PhysAddr::from(l1));
        BOOT_L0.0[0].store(table.bits(), Ordering::Release);
    }
    (&raw const BOOT_L0).addr()
}

/// Turns the MMU and the caches on with `root` in `TTBR0_EL1`; with `pan`,
/// exceptions to EL1 set PSTATE.PAN (`SCTLR_EL1.SPAN` clear), as a kernel
/// that runs with PAN wants.
///
/// # Safety
///
/// `root` must identity-map the running kernel.
unsafe fn enable_mmu(root: usize, pan: bool) {
    MAIR_EL1.set(MemAttr::MAIR_VALUE);
    let ips = ID_AA64MMFR0_EL1
        .read(ID_AA64MMFR0_EL1::PARange)
        .min(TCR_EL1::IPS::Bits_48.value >> 32);
    TCR_EL1.write(
        TCR_EL1::T0SZ.val(16)
            + TCR_EL1::TG0::KiB_4
            + TCR_EL1::SH0::Inner
            + TCR_EL1::ORGN0::WriteBack_ReadAlloc_WriteAlloc_Cacheable
            + TCR_EL1::IRGN0::WriteBack_ReadAlloc_WriteAlloc_Cacheable
            + TCR_EL1::EPD1::DisableTTBR1Walks
            + TCR_EL1::TG1::KiB_4
            + TCR_EL1::IPS.val(ips),
    );
    TTBR0_EL1.set(root as u64);
    // SAFETY: drops stale translations before the MMU is turned on.
    unsafe { asm!("dsb ish", "isb", "tlbi vmalle1", "dsb ish", "isb") };
    /// `SCTLR_EL1.SPAN`: leave PSTATE.PAN alone on exceptions to EL1 (RES1
    /// without FEAT_PAN).
    const SPAN: u64 = 1 << 23;
    SCTLR_EL1.modify(
        SCTLR_EL1::M::Enable
            + SCTLR_EL1::C::Cacheable
            + SCTLR_EL1::I::Cacheable
            + SCTLR_EL1::A::Disable,
    );
    let sctlr = SCTLR_EL1.get();
    SCTLR_EL1.set(if pan { sctlr & !SPAN } else { sctlr | SPAN });
    // SAFETY: synchronizes the context after the MMU switch.
    unsafe { asm!("isb") };
}

/// None: the command line is in the device tree (`/chosen/bootargs`).
pub fn command_line() -> Option<&'static str> {
    None
}

/// Starts every other CPU through PSCI `CPU_ON` and waits for them to come
/// online; returns how many CPUs are online.
pub fn start_secondary_cpus(dtb: Option<&[u8]>) -> usize {
    let smc = dtb
        .and_then(|blob| crate::fdt::property(blob, b"psci", b"method"))
        .is_some_and(|method| method == b"smc");
    PSCI_SMC.store(smc, Ordering::Relaxed);
    let me = cpu::id();
    let mut started = 1;
    for target in (0..cpu::MAX_CPUS).filter(|&c| c != me) {
        // CPUs QEMU does not have are refused (INVALID_PARAMETERS).
        if psci(PSCI_CPU_ON, target, boot::secondary_entry(), target) == 0 {
            started += 1;
        }
    }
    while (cpu::online_mask().count_ones() as usize) < started {
        core::hint::spin_loop();
    }
    started
}

const PSCI_CPU_ON: usize = 0xc400_0003;
const PSCI_SYSTEM_OFF: usize = 0x8400_0008;
/// The PSCI conduit: `smc` if the device tree says so, else `hvc` (QEMU's
/// default without EL2/EL3).
static PSCI_SMC: AtomicBool = AtomicBool::new(false);

fn psci(function: usize, a1: usize, a2: usize, a3: usize) -> isize {
    let ret: isize;
    // SAFETY: a PSCI call; the firmware (QEMU) follows the SMC calling
    // convention, whose clobbers `clobber_abi("C")` covers.
    unsafe {
        if PSCI_SMC.load(Ordering::Relaxed) {
            asm!("smc #0", inlateout("x0") function => ret, in("x1") a1, in("x2") a2,
                 in("x3") a3, clobber_abi("C"));
        } else {
            asm!("hvc #0", inlateout("x0") function => ret, in("x1") a1, in("x2") a2,
                 in("x3") a3, clobber_abi("C"));
        }
    }
    ret
}

/// Switches the MMU to `pt`.
///
/// # Safety
///
/// `pt` must map the kernel (see [`crate::mm::map_kernel`]) and stay alive
/// while it is active.
pub unsafe fn activate(pt: &PageTable) {
    TTBR0_EL1.set(pt.root_paddr().as_usize() as u64);
    // SAFETY: the caller guarantees the table maps the running kernel;
    // translations of the previous table are dropped.
    unsafe { asm!("dsb ish", "isb", "tlbi vmalle1", "dsb ish", "isb") };
}

/// Drops this CPU's cached translation of `vaddr`.
pub fn flush_tlb_local(vaddr: usize) {
    // SAFETY: TLB maintenance has no effect on memory.
    unsafe {
        asm!("dsb nshst", "tlbi vaale1, {}", "dsb nsh", "isb", in(reg) vaddr >> 12);
    }
}

/// Drops the translations of `[start, start + len)` on every CPU: the
/// inner-shareable TLB invalidation is broadcast by the hardware, and the
/// `dsb` waits until every CPU has done it.
pub fn shoot_down_tlb(start: usize, len: usize) {
    // SAFETY: TLB maintenance has no effect on memory.
    unsafe { asm!("dsb ishst") };
    for page in (start..start + len).step_by(PAGE_SIZE_4K) {
        // SAFETY: as above.
        unsafe { asm!("tlbi vaae1is, {}", in(reg) page >> 12) };
    }
    // SAFETY: as above.
    unsafe { asm!("dsb ish", "isb") };
}

/// Nothing to do: aarch64's TLB invalidations are broadcast by the
/// hardware, so no CPU asks another to flush.
pub fn serve_flush_request() {}

/// Makes code just written at `[addr, addr + len)` visible to instruction
/// fetches on every CPU.
pub fn sync_icache(addr: usize, len: usize) {
    let ctr: usize;
    // SAFETY: reads the cache type register.
    unsafe { asm!("mrs {}, ctr_el0", out(reg) ctr) };
    let line = 4 << ((ctr >> 16) & 0xf);
    for at in (addr & !(line - 1)..addr + len).step_by(line) {
        // SAFETY: cleans a data cache line to the point of unification.
        unsafe { asm!("dc cvau, {}", in(reg) at) };
    }
    // SAFETY: invalidates the instruction caches of every CPU.
    unsafe { asm!("dsb ish", "ic ialluis", "dsb ish", "isb") };
}

/// GICv2 registers (QEMU virt, `gic-version=2`).
const GICD_CTLR: usize = GICD;
const GICD_ISENABLER0: usize = GICD + 0x100;
const GICD_SGIR: usize = GICD + 0xf00;
const GICC_CTLR: usize = GICC;
const GICC_PMR: usize = GICC + 0x4;
const GICC_IAR: usize = GICC + 0xc;
const GICC_EOIR: usize = GICC + 0x10;
/// The software interrupt that wakes idle CPUs.
const SGI_WAKE: u32 = 0;

fn mmio_write(addr: usize, value: u32) {
    // SAFETY: `addr` is a register of a device the kernel maps (identity,
    // device memory); writing it has no effect on memory.
    unsafe { write_volatile(addr as *mut u32, value) };
}

fn mmio_read(addr: usize) -> u32 {
    // SAFETY: as `mmio_write`.
    unsafe { read_volatile(addr as *const u32) }
}

/// Lets the wake-up interrupt reach this CPU. It is never taken (IRQs stay
/// masked); it only ends `wfi`.
fn gic_init_cpu() {
    mmio_write(GICD_CTLR, 1);
    mmio_write(GICD_ISENABLER0, 1 << SGI_WAKE);
    mmio_write(GICC_PMR, 0xff);
    mmio_write(GICC_CTLR, 1);
}

/// Forgets pending wake-ups: call before checking what to wait for.
pub fn clear_wakeup() {
    loop {
        let iar = mmio_read(GICC_IAR);
        if iar & 0x3ff >= 1020 {
            break;
        }
        mmio_write(GICC_EOIR, iar);
    }
}

/// Sleeps until a wake-up arrives (one since [`clear_wakeup`] ends it at
/// once: the interrupt stays pending at the CPU interface).
pub fn wait_for_event() {
    // SAFETY: waits for an interrupt without taking it (IRQs are masked).
    unsafe { asm!("dsb sy", "wfi") };
}

/// Wakes every other CPU (a GIC software interrupt to all but this one).
pub fn wake_all() {
    // SAFETY: orders the stores the woken CPUs will look at before the
    // interrupt.
    unsafe { asm!("dsb ishst") };
    mmio_write(GICD_SGIR, (0b01 << 24) | SGI_WAKE);
}

/// Writes bytes to the PL011 UART.
pub fn console_write(bytes: &[u8]) {
    const UARTFR: usize = UART + 0x18;
    const TXFF: u32 = 1 << 5;
    for &byte in bytes {
        while mmio_read(UARTFR) & TXFF != 0 {
            core::hint::spin_loop();
        }
        mmio_write(UART, u32::from(byte));
    }
}

/// Stops the machine. Success: PSCI `SYSTEM_OFF` (QEMU exits 0). Failure:
/// semihosting `SYS_EXIT` with code 1, which needs QEMU's `-semihosting`;
/// without it the `hlt` traps, the oops comes back here and powers off
/// (exit 0: the printed oops is then the only sign).
pub fn shutdown(success: bool) -> ! {
    static STOPPING: AtomicBool = AtomicBool::new(false);
    if !success && !STOPPING.swap(true, Ordering::AcqRel) {
        qemu_exit::AArch64::new().exit_failure();
    }
    psci(PSCI_SYSTEM_OFF, 0, 0, 0);
    loop {
        // SAFETY: waits for nothing; the machine is off.
        unsafe { asm!("wfi") };
    }
}
