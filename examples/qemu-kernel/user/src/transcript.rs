//! One syscall per case, good or hostile, each result reported under a
//! label: the kernel prints `label: result`, and the host test compares the
//! lines with the expected transcript.

use core::{ffi::CStr, sync::atomic::AtomicU32};

use axptr_qemu_abi::{
    DOOMED_BASE, KERNEL_BASE, LAZY_BASE, LAZY_PAGES, PROBE_BASE, UNMAPPED, map, prot,
};

use crate::sys::{self, KernelWritable, report};

const PAGE_SIZE: usize = 4096;

/// Three pages laid out to the byte, mapped read-only at
/// [`PROBE_BASE`] with nothing after them (see `user.ld`).
#[repr(C, align(4096))]
struct Probe {
    head: [u8; PAGE_SIZE - 6],
    /// "/etc/passwd": 6 bytes in the first page, the rest in the second.
    crossing: [u8; 12],
    /// 4096 bytes before the NUL: one more than `PATH_MAX` allows.
    long: [u8; PAGE_SIZE + 1],
    gap: [u8; PAGE_SIZE - 19],
    /// No NUL before the end of the mapping.
    unterminated: [u8; 12],
}

const _: () = assert!(size_of::<Probe>() == 3 * PAGE_SIZE);

const fn long_path() -> [u8; PAGE_SIZE + 1] {
    let mut path = [b'a'; PAGE_SIZE + 1];
    path[PAGE_SIZE] = 0;
    path
}

#[unsafe(link_section = ".probe")]
static PROBE: Probe = Probe {
    head: [0; PAGE_SIZE - 6],
    crossing: *b"/etc/passwd\0",
    long: long_path(),
    gap: [0; PAGE_SIZE - 19],
    unterminated: *b"/unterminate",
};

/// Read-only: the kernel's write into it must fail.
static RO_BUF: [u8; 64] = [0; 64];
static RW_BUF: KernelWritable<64> = KernelWritable::new();
static STAT_BUF: KernelWritable<128> = KernelWritable::new();
/// A `struct timespec` with `tv_nsec` out of range.
static TIMESPEC_BAD: [i64; 2] = [0, 2_000_000_000];

/// A futex word that holds 0.
static FUTEX_WORD: AtomicU32 = AtomicU32::new(0);

const HELLO: &[u8] = b"hello from user space\n";

/// Runs the cases; returns whether their setup worked.
pub fn run() -> bool {
    let lazy_buf = LAZY_BASE + 0x100;
    let probe = (&raw const PROBE).addr();
    assert_eq!(probe, PROBE_BASE, "user.ld places the probe pages");
    // SAFETY: the two areas are fresh: nothing of the program lives there.
    let setup = unsafe {
        let rw = prot::READ | prot::WRITE;
        let lazy = sys::mmap_anonymous(LAZY_BASE, LAZY_PAGES * PAGE_SIZE, rw, map::FIXED);
        let doomed = sys::mmap_anonymous(DOOMED_BASE, PAGE_SIZE, rw, map::FIXED);
        [lazy, doomed]
    };
    if setup != [LAZY_BASE as isize, DOOMED_BASE as isize] {
        report(c"mmap of the transcript's areas", setup[0].min(setup[1]));
        return false;
    }

    report(
        c"good write",
        sys::write(1, HELLO.as_ptr().addr(), HELLO.len()),
    );

    // Hostile buffers for write: null, unmapped, kernel memory, a range
    // that wraps around the address space, a range that runs off its
    // mapping.
    report(c"write from a null pointer", sys::write(1, 0, 16));
    report(
        c"write from an unmapped pointer",
        sys::write(1, UNMAPPED, 16),
    );
    report(
        c"write from a kernel pointer",
        sys::write(1, KERNEL_BASE, 16),
    );
    report(
        c"write from a range that wraps around",
        sys::write(1, 0usize.wrapping_sub(16), 64),
    );
    let probe_end = probe + size_of::<Probe>();
    report(
        c"write from a partly mapped range",
        sys::write(1, probe_end - 8, 16),
    );

    // The kernel writes: into a read-only page, into a buffer too small.
    // SAFETY: a read-only static (the write must fail) and a buffer meant
    // for the kernel.
    unsafe {
        report(
            c"getcwd into a read-only page",
            sys::getcwd(RO_BUF.as_ptr().addr(), 64),
        );
        report(
            c"getcwd into a too small buffer",
            sys::getcwd(RW_BUF.addr(), 4),
        );
    }

    // Paths: crossing a page boundary, running off the end of the mapping,
    // longer than PATH_MAX.
    let cases: [(&CStr, *const u8); 3] = [
        (
            c"open a path crossing a page boundary",
            PROBE.crossing.as_ptr(),
        ),
        (
            c"open a path unterminated at the end of its mapping",
            PROBE.unterminated.as_ptr(),
        ),
        (c"open a path longer than PATH_MAX", PROBE.long.as_ptr()),
    ];
    for (label, path) in cases {
        report(label, sys::openat(path.addr(), 0));
    }

    // A buffer in a lazy page: the kernel's write faults it in. Then write
    // what landed there back to the console, its NUL made a newline.
    // SAFETY: the lazy area is the program's and holds no Rust object.
    let got = unsafe { sys::getcwd(lazy_buf, 64) };
    report(c"getcwd into a lazy page", got);
    if let Ok(len @ 1..=64) = usize::try_from(got) {
        let nul = core::ptr::with_exposed_provenance_mut::<u8>(lazy_buf + len - 1);
        // SAFETY: inside the lazy area, which the kernel just filled and
        // nothing else references.
        unsafe { nul.write_volatile(b'\n') };
        sys::write(1, lazy_buf, len);
    }

    // Transfers that run off the end of their mapping stop short, as in
    // Linux: the count of bytes moved, not EFAULT.
    let zero = sys::openat(c"/dev/zero".as_ptr().addr(), 0) as usize;
    let null = sys::openat(c"/dev/null".as_ptr().addr(), 1) as usize;
    let lazy_end = LAZY_BASE + LAZY_PAGES * PAGE_SIZE;
    // SAFETY: the last 100 bytes of the lazy area hold nothing of the
    // program; the rest of the range is not mapped.
    let got = unsafe { sys::read(zero, lazy_end - 100, 200) };
    report(c"read from /dev/zero running off its mapping", got);
    report(
        c"write to /dev/null running off its mapping",
        sys::write(null, probe_end - 8, 16),
    );

    // Structs: `struct stat` written by the kernel, read back here; a
    // timespec read by the kernel and rejected.
    // SAFETY: a buffer meant for the kernel, of `struct stat`'s size.
    report(c"fstat into a struct stat", unsafe {
        sys::fstat(1, STAT_BUF.addr())
    });
    // st_blksize is at offset 56.
    report(
        c"st_blksize seen by user space",
        STAT_BUF.read_u32(56) as isize,
    );
    report(
        c"nanosleep with tv_nsec out of range",
        sys::nanosleep(TIMESPEC_BAD.as_ptr().addr()),
    );
    report(c"unknown syscall", sys::unknown(1234));

    // Futexes, alone: a word that does not hold the expected value, one
    // that cannot be read, one that is misaligned, a wake with no sleeper.
    let word = FUTEX_WORD.as_ptr().addr();
    report(c"futex wait on a changed value", sys::futex_wait(word, 1));
    report(
        c"futex wait on an unmapped word",
        sys::futex_wait(UNMAPPED, 0),
    );
    report(
        c"futex wait on a misaligned word",
        sys::futex_wait(word + 1, 0),
    );
    report(c"futex wake with no sleeper", sys::futex_wake(word, 1));

    // The buffer is unmapped between the kernel's validation and its copy
    // (as another thread could): the copy faults on a page that is gone,
    // and axptr's fixup turns the fault into EFAULT.
    // SAFETY: the doomed page holds nothing of the program.
    let raced = unsafe {
        sys::unmap_race(DOOMED_BASE);
        sys::getcwd(DOOMED_BASE, 64)
    };
    report(c"getcwd into a page unmapped during the call", raced);
    // The same with a `struct stat` (128 bytes), which axptr copies with
    // its bulk path (`rep movsb` on x86_64), not the short one the path
    // above takes: its fault too must end at the fixup, in EFAULT.
    // SAFETY: the doomed page, mapped again, holds nothing of the program.
    let raced = unsafe {
        let rw = prot::READ | prot::WRITE;
        let doomed = sys::mmap_anonymous(DOOMED_BASE, PAGE_SIZE, rw, map::FIXED);
        if doomed != DOOMED_BASE as isize {
            report(c"mmap of the doomed page again", doomed);
            return false;
        }
        sys::unmap_race(DOOMED_BASE);
        sys::fstat(1, DOOMED_BASE)
    };
    report(c"fstat into a page unmapped during the call", raced);
    true
}
