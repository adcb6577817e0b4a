//! A small SMP kernel whose syscalls go through axptr, for riscv64 and
//! aarch64 under QEMU (and x86_64, on one CPU).
//!
//! It boots every CPU of QEMU's `virt` machine, sets up `percpu` on each so
//! that axptr's `ACCESSING_USER_MEM` flag is a real per-CPU variable, turns
//! paging on (page tables from `page_table_multiarch`), loads a user program
//! (an ELF file built with the kernel) and runs it in user mode. The
//! program first makes good and hostile syscalls one at a time, each result
//! printed; then its threads race on two CPUs, one unmapping a buffer the
//! other copies into and out of, so that axptr's copies fault on pages
//! another CPU has just taken away. At the end the kernel prints what each
//! CPU did and powers off (QEMU exits 0, or 1 after an oops or a failed
//! program). The architecture-specific half lives in [`arch`]; see
//! `docs/qemu.md` for how to run it.
#![no_std]
#![no_main]

extern crate alloc;

mod arch;
mod aspace;
mod console;
mod cpu;
mod fault;
mod fdt;
mod futex;
mod loader;
mod lock;
mod mm;
mod syscall;
mod task;

use core::{
    fmt,
    sync::atomic::{AtomicBool, Ordering},
};

use axptr_qemu_abi::LAZY_BASE;

use aspace::{USER_SPACE, UserSpace};

/// The boot CPU's Rust entry, called by the architecture's boot code on its
/// stack with its index and the device tree (0 where there is none).
pub fn boot_main(cpu: usize, dtb: usize) -> ! {
    // The fault flag and the CPU index live in the per-CPU areas.
    if percpu::init_in_place().is_err() {
        arch::shutdown(false);
    }
    cpu::init_this(cpu);
    arch::init_cpu();
    // SAFETY: the device tree the boot firmware (or QEMU) left in memory the
    // kernel never allocates from.
    let dtb = unsafe { fdt::blob(dtb) };
    // The command line: the device tree's, or where the boot protocol has
    // none (x86_64's PVH), the one it passed otherwise.
    let bootargs = fdt::bootargs(dtb).or_else(arch::command_line);
    let has_bootarg =
        |arg: &str| bootargs.is_some_and(|args| args.split(' ').any(|word| word == arg));
    let stray_access = if has_bootarg("stray-access") {
        Some(StrayAccess::LazyPage)
    } else if has_bootarg("stray-access-present") {
        Some(StrayAccess::PresentPage)
    } else {
        None
    };
    let strace = has_bootarg("strace");
    mm::init();

    let entry = match set_up_user_space() {
        Ok(entry) => entry,
        Err(err) => oops(format_args!("cannot set up user space: {err:?}")),
    };
    let cpus = arch::start_secondary_cpus(dtb);
    let plural = if cpus == 1 { "" } else { "s" };
    println!(
        "axptr qemu kernel on {}: paging on, {cpus} CPU{plural} online, percpu flag ready, entering user space",
        arch::NAME
    );

    let status = task::run_process(entry.pc, entry.sp, strace);
    println!("user program exited with status {status}");
    task::stop_secondaries();
    cpu::print_stats(cpu);
    if let Some(stray) = stray_access {
        touch_user_memory_without_axptr(stray);
    }
    arch::shutdown(status == 0)
}

/// A secondary CPU's Rust entry, called by the architecture's boot code on
/// its own stack once the boot CPU has started it.
pub fn secondary_main(cpu: usize) -> ! {
    cpu::init_this(cpu);
    arch::init_cpu();
    {
        let space = USER_SPACE.lock();
        let Some(space) = space.as_ref() else {
            oops(format_args!("CPU {cpu} started before the address space"));
        };
        // SAFETY: the table maps the kernel (`UserSpace::new`) and lives in
        // a static for the rest of the run.
        unsafe { arch::activate(space.page_table()) };
    }
    task::secondary_loop()
}

/// Builds the user address space with the program in it and switches to
/// its page table.
fn set_up_user_space() -> axptr::LinuxResult<loader::Entry> {
    let mut space = UserSpace::new()?;
    let entry = loader::load(&mut space)?;
    let mut slot = USER_SPACE.lock();
    let space = slot.insert(space);
    // SAFETY: the table maps the kernel (`UserSpace::new`) and lives in a
    // static for the rest of the run.
    unsafe { arch::activate(space.page_table()) };
    Ok(entry)
}

/// Which user page the kernel touches without axptr.
#[derive(Clone, Copy)]
enum StrayAccess {
    /// A lazy page never populated (`-append stray-access`): the fault
    /// handler must not populate it, so this is an oops everywhere.
    LazyPage,
    /// A page the transcript populated (`-append stray-access-present`):
    /// an oops only where the CPU forbids kernel access to user pages
    /// outside axptr's windows (riscv64 `SUM` clear, aarch64 PAN, x86_64
    /// SMAP); without PAN or SMAP the read goes through unnoticed.
    PresentPage,
}

/// The bug axptr exists to prevent, on purpose: the kernel reads user
/// memory directly, without the fault flag.
fn touch_user_memory_without_axptr(stray: StrayAccess) {
    let (page, what) = match stray {
        StrayAccess::LazyPage => (LAZY_BASE + 2 * axptr::PAGE_SIZE_4K, "a lazy"),
        StrayAccess::PresentPage => (LAZY_BASE, "a present"),
    };
    println!("stray access: the kernel reads {what} user page without axptr");
    let ptr = core::ptr::with_exposed_provenance::<u8>(page);
    // SAFETY: none; this read is the kernel bug being demonstrated. It
    // faults, and the oops stops the machine before the value is used
    // (except on a CPU without PAN reading a present page, where it reads
    // a byte of a user page that is still mapped).
    let value = unsafe { ptr.read_volatile() };
    println!("stray access read {value}: the fault handler let a kernel bug through");
}

static OOPSING: AtomicBool = AtomicBool::new(false);

/// Reports a kernel bug and stops the machine with a failure.
pub fn oops(what: fmt::Arguments<'_>) -> ! {
    if !OOPSING.swap(true, Ordering::AcqRel) {
        console::print_emergency(format_args!("kernel oops: {what}\n"));
    }
    arch::shutdown(false)
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    oops(format_args!("panic: {info}"))
}
