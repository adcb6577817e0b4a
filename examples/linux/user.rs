//! The example's user side: the rig that lays out a program's memory on a
//! simulated address space at a fixed address, makes syscalls as a trap
//! handler delivers them (a number and six registers) through the
//! kernel's dispatch table, and records the strace log, the kernel's
//! messages and what the program sees. The program itself is in
//! `program.rs`.
//!
//! This is test-rig code, not kernel code: it plays the program, the
//! loader (`poke`, `put`) and the reader of user memory (`peek`, `get`).

#[path = "../common/region.rs"]
mod region;
use region::Region;

use std::{collections::BTreeMap, fmt::Write as _};

use axptr::{
    LinuxError, LinuxResult, MappingFlags, PAGE_SIZE_4K as PAGE, SyscallEvent, UserConstPtr,
    UserCopy, UserPtr, is_accessing_user_memory,
    sim::{FaultStats, SimSpace},
};

use crate::{
    abi::{CATALOGUE, Kind},
    kernel::{Clock, Exec, Peer, Process, SYSCALLS, boot_fs},
};

/// Where the program's address space lives: a fixed host address, so the
/// addresses in the log are the same in every run.
pub const BASE: usize = 0x2000_0000;
const SPACE_PAGES: usize = 64;

/// The program's memory map (page-aligned regions).
pub const RODATA: usize = BASE;
pub const DATA: usize = BASE + 2 * PAGE;
pub const DATA_END: usize = DATA + 8 * PAGE;
/// The last page of data: the loader's scratch page.
const SCRATCH: usize = DATA_END - PAGE;
pub const HOLE: usize = DATA_END;
/// 34 pages of `x` without a NUL: longer than a path and than an `execve`
/// string; unmapped after.
pub const XS: usize = HOLE + PAGE;
pub const XS_END: usize = XS + 34 * PAGE;
/// One writable page between two holes: buffers that run off its end.
pub const EDGE: usize = XS_END + PAGE;
pub const EDGE_END: usize = EDGE + PAGE;
/// The heap, mapped lazily: no page present until touched.
pub const HEAP: usize = EDGE_END + PAGE;
pub const HEAP_PAGES: usize = 4;

/// The other process (pid 2): one writable page, one read-only page.
pub const PEER_BASE: usize = 0x3000_0000;
pub const PEER_SECRET: &[u8] = b"process 2's private data";

/// An address in the kernel half of x86_64.
pub const KERNEL_ADDR: usize = 0xffff_8880_0000_1000;
/// The first address past user space (`TASK_SIZE_MAX`).
pub const PAST_USER: usize = 0x7fff_ffff_f000;

const R: MappingFlags = MappingFlags::READ;
const RW: MappingFlags = MappingFlags::READ.union(MappingFlags::WRITE);

/// A negative number as its register bits.
pub const fn neg(value: i64) -> usize {
    value as usize
}

/// What one run produced.
pub struct Report {
    /// Everything the run prints.
    pub transcript: String,
    pub summary: Summary,
}

/// The counts behind the summary.
#[derive(Debug)]
#[allow(dead_code)] // the example prints the transcript; tests/linux_example.rs reads these
pub struct Summary {
    pub calls: usize,
    pub ok: usize,
    /// Failed calls by errno name.
    pub errors: BTreeMap<String, usize>,
    /// Hostile calls expected to fail, and how many did.
    pub hostile: usize,
    pub hostile_failed: usize,
    /// Hostile-looking calls with a defined non-error result (short
    /// transfers, misaligned structures, zero tails), and how many got it.
    pub edge: usize,
    pub edge_ok: usize,
    /// Calls whose result differed from what the program expected.
    pub unexpected: Vec<String>,
    pub faults: FaultStats,
    pub flag_leaked: bool,
    pub console: Vec<u8>,
    pub exec: Option<Exec>,
    /// Syscall numbers that were called.
    pub numbers: Vec<usize>,
    /// Syscall numbers called with hostile registers.
    pub hostile_numbers: Vec<usize>,
}

/// Runs the program and returns its transcript.
///
/// # Errors
///
/// Only if the simulated memory cannot be set up (the host refused the
/// fixed address): every syscall error is part of the transcript.
pub fn run() -> LinuxResult<Report> {
    let space = SimSpace::new_at(BASE, SPACE_PAGES * PAGE)?;
    let peer = SimSpace::new_at(PEER_BASE, 4 * PAGE)?;
    let mut rig = Rig::new(space, peer)?;
    crate::program::run(&mut rig)?;
    Ok(rig.finish())
}

/// What the program expects of a call.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// A well-behaved call.
    Any,
    /// Hostile input: an errno.
    Errno,
    /// Hostile-looking input with a defined result that is not an error.
    Success,
}

pub struct Rig {
    pub space: SimSpace,
    pub peer: SimSpace,
    pub process: Process,
    rodata: Region,
    data: Region,
    out: String,
    calls: usize,
    ok: usize,
    errors: BTreeMap<String, usize>,
    hostile: usize,
    hostile_failed: usize,
    edge: usize,
    edge_ok: usize,
    unexpected: Vec<String>,
    flag_leaked: bool,
    numbers: Vec<usize>,
    hostile_numbers: Vec<usize>,
}

impl Rig {
    fn new(space: SimSpace, peer: SimSpace) -> LinuxResult<Self> {
        space.map(RODATA, DATA - RODATA, R)?;
        space.map(DATA, DATA_END - DATA, RW)?;
        space.map(XS, XS_END - XS, RW)?;
        space.poke(XS, &vec![b'x'; XS_END - XS])?;
        space.map(EDGE, PAGE, RW)?;
        space.map_lazy(HEAP, HEAP_PAGES * PAGE, RW)?;
        peer.map(PEER_BASE, PAGE, RW)?;
        peer.map(PEER_BASE + PAGE, PAGE, R)?;
        peer.poke(PEER_BASE, PEER_SECRET)?;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "axptr's Linux example: a program calls a Linux-like kernel whose syscalls are\n\
             #[syscall] handlers (x86_64 numbers, a dispatch table), on a simulated address\n\
             space with real page faults; first well-behaved, then hostile. Each unindented\n\
             line is one call as the table's tracer prints it; indented lines are kernel\n\
             messages and what the call shows.\n\
             \n\
             user memory (process 1000):\n  \
             {RODATA:#x}-{DATA:#x} r--  rodata (strings, read-only structs)\n  \
             {DATA:#x}-{DATA_END:#x} rw-  data (structs, arrays, buffers)\n  \
             {HOLE:#x}-{XS:#x} ---  unmapped\n  \
             {XS:#x}-{XS_END:#x} rw-  136 KiB of 'x' without a NUL, then unmapped\n  \
             {EDGE:#x}-{EDGE_END:#x} rw-  one page between two unmapped ones\n  \
             {HEAP:#x}-{:#x} rw-  heap, mapped lazily (no page present yet)\n\
             process 2's memory:\n  \
             {PEER_BASE:#x}-{:#x} rw-  {:?}\n  \
             {:#x}-{:#x} r--",
            HEAP + HEAP_PAGES * PAGE,
            PEER_BASE + PAGE,
            String::from_utf8_lossy(PEER_SECRET),
            PEER_BASE + PAGE,
            PEER_BASE + 2 * PAGE,
        );
        let root = boot_fs(Clock::default().realtime());
        let peer_handle = Peer {
            space: peer.clone(),
        };
        Ok(Self {
            process: Process::new(space.clone(), root, peer_handle),
            space,
            peer,
            rodata: Region {
                next: RODATA,
                end: DATA,
            },
            data: Region {
                next: DATA,
                end: SCRATCH,
            },
            out,
            calls: 0,
            ok: 0,
            errors: BTreeMap::new(),
            hostile: 0,
            hostile_failed: 0,
            edge: 0,
            edge_ok: 0,
            unexpected: Vec::new(),
            flag_leaked: false,
            numbers: Vec::new(),
            hostile_numbers: Vec::new(),
        })
    }

    // -- the loader's tools ---------------------------------------------

    /// A NUL-terminated string in rodata.
    pub fn string(&mut self, text: &str) -> LinuxResult<usize> {
        self.bytes_ro(&[text.as_bytes(), b"\0"].concat())
    }

    /// Bytes in rodata.
    pub fn bytes_ro(&mut self, bytes: &[u8]) -> LinuxResult<usize> {
        let addr = self.rodata.alloc(bytes.len(), 1)?;
        self.space.poke(addr, bytes)?;
        Ok(addr)
    }

    /// `len` zeroed, 8-aligned bytes of data.
    pub fn buffer(&mut self, len: usize) -> LinuxResult<usize> {
        self.data.alloc(len, 8)
    }

    /// Bytes in data.
    pub fn bytes(&mut self, bytes: &[u8]) -> LinuxResult<usize> {
        let addr = self.buffer(bytes.len())?;
        self.space.poke(addr, bytes)?;
        Ok(addr)
    }

    /// Words (pointers, lengths) in data.
    pub fn words(&mut self, words: &[usize]) -> LinuxResult<usize> {
        let bytes: Vec<u8> = words.iter().flat_map(|word| word.to_ne_bytes()).collect();
        self.bytes(&bytes)
    }

    /// A structure in data, written with axptr's own copy (the loader is
    /// user space, but has no other safe way to get a structure's bytes).
    pub fn put<T: UserCopy>(&mut self, value: T) -> LinuxResult<usize> {
        let addr = self.buffer(size_of::<T>())?;
        self.put_at(addr, value)?;
        Ok(addr)
    }

    /// Writes a structure at `addr` (writable memory).
    pub fn put_at<T: UserCopy>(&self, addr: usize, value: T) -> LinuxResult<()> {
        UserPtr::<T>::from(addr).write(&mut self.space.provider(), value)
    }

    /// A structure in rodata (written through the scratch page).
    pub fn put_ro<T: UserCopy>(&mut self, value: T) -> LinuxResult<usize> {
        self.put_at(SCRATCH, value)?;
        let bytes = self.space.peek(SCRATCH, size_of::<T>())?;
        let addr = self.rodata.alloc(bytes.len(), 8)?;
        self.space.poke(addr, &bytes)?;
        Ok(addr)
    }

    /// The bytes of a structure (through the scratch page).
    pub fn bytes_of<T: UserCopy>(&self, value: T) -> LinuxResult<Vec<u8>> {
        self.put_at(SCRATCH, value)?;
        self.space.peek(SCRATCH, size_of::<T>())
    }

    /// Reads a structure the kernel wrote.
    pub fn get<T: UserCopy>(&self, addr: usize) -> LinuxResult<T> {
        UserConstPtr::<T>::from(addr).read(&mut self.space.provider())
    }

    pub fn peek(&self, addr: usize, len: usize) -> LinuxResult<Vec<u8>> {
        self.space.peek(addr, len)
    }

    /// What user space reads at `addr`, as text.
    pub fn text(&self, addr: usize, len: usize) -> LinuxResult<String> {
        Ok(String::from_utf8_lossy(&self.peek(addr, len)?).into_owned())
    }

    // -- the trap -------------------------------------------------------

    fn trap(&mut self, number: usize, args: &[usize], expect: Expect) -> isize {
        let mut regs = [0; 6];
        for (reg, arg) in regs.iter_mut().zip(args) {
            *reg = *arg;
        }
        let mut line = String::new();
        let mut strace = |event: &SyscallEvent<'_>| line = event.to_string();
        let ret = SYSCALLS.dispatch_traced(&mut self.process, number, regs, &mut strace);
        self.flag_leaked |= is_accessing_user_memory();
        // The way back to user space: pending signals are delivered.
        self.process.return_to_user();
        self.flag_leaked |= is_accessing_user_memory();
        let _ = writeln!(self.out, "{line}");
        for message in self.process.log.drain(..) {
            let _ = writeln!(self.out, "    {message}");
        }
        self.calls += 1;
        self.numbers.push(number);
        if ret >= 0 {
            self.ok += 1;
        } else {
            let name = i32::try_from(-ret)
                .ok()
                .and_then(|code| LinuxError::try_from(code).ok())
                .map_or_else(|| format!("errno {}", -ret), |err| format!("{err:?}"));
            *self.errors.entry(name).or_default() += 1;
        }
        if expect != Expect::Any {
            self.hostile_numbers.push(number);
        }
        match expect {
            Expect::Any => {}
            Expect::Errno => {
                self.hostile += 1;
                if ret < 0 {
                    self.hostile_failed += 1;
                } else {
                    self.unexpected.push(line.clone());
                    let _ = writeln!(self.out, "    !! UNEXPECTED: a hostile call did not fail");
                }
            }
            Expect::Success => {
                self.edge += 1;
                if ret >= 0 {
                    self.edge_ok += 1;
                } else {
                    self.unexpected.push(line.clone());
                    let _ = writeln!(self.out, "    !! UNEXPECTED: this call should succeed");
                }
            }
        }
        ret
    }

    /// A well-behaved call.
    pub fn call(&mut self, number: usize, args: &[usize]) -> isize {
        self.trap(number, args, Expect::Any)
    }

    /// A hostile call that must fail, and what it shows.
    pub fn bad(&mut self, number: usize, args: &[usize], note: &str) -> isize {
        let ret = self.trap(number, args, Expect::Errno);
        self.note(note);
        ret
    }

    /// A hostile-looking call with a defined result that is not an error.
    pub fn edge(&mut self, number: usize, args: &[usize], note: &str) -> isize {
        let ret = self.trap(number, args, Expect::Success);
        self.note(note);
        ret
    }

    /// A note under the last call: what it shows.
    pub fn note(&mut self, text: impl AsRef<str>) {
        let _ = writeln!(self.out, "    -> {}", text.as_ref());
    }

    /// A heading before a group of calls.
    pub fn heading(&mut self, text: &str) {
        let _ = writeln!(self.out, "\n# {text}");
    }

    /// A heading inside a group.
    pub fn subheading(&mut self, text: &str) {
        let _ = writeln!(self.out, "\n#  {text}");
    }

    fn finish(mut self) -> Report {
        let faults = self.space.stats();
        let _ = writeln!(
            self.out,
            "\n# What the program wrote to the terminal (fd 1):"
        );
        for line in String::from_utf8_lossy(&self.process.console).lines() {
            let _ = writeln!(self.out, "    {line}");
        }
        // Most frequent first.
        let mut errors: Vec<_> = self.errors.iter().collect();
        errors.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let errors = errors
            .iter()
            .map(|(name, count)| format!("{name} {count}"))
            .collect::<Vec<_>>()
            .join(", ");
        let distinct = {
            let mut numbers = self.numbers.clone();
            numbers.sort_unstable();
            numbers.dedup();
            numbers
                .iter()
                .filter(|&&nr| SYSCALLS.get(nr).is_some())
                .count()
        };
        let _ = write!(
            self.out,
            "\n# Summary\n\
             calls:         {} ({} ok, {} failed) to {distinct} different syscalls\n\
             hostile calls: {} made, {} returned an errno\n\
             edge calls:    {} made, {} succeeded (short transfers, misaligned or grown structures)\n\
             unexpected:    {}\n\
             errors:        {errors}\n\
             page faults:   {} resolved by the fault handler, {} sent to the copy's fixup (EFAULT)\n\
             validation:    populated {} lazy page(s)\n\
             fault flag:    {}\n\
             kernel oopses: 0 (an oops aborts the simulated kernel: this line would not be printed)\n",
            self.calls,
            self.ok,
            self.calls - self.ok,
            self.hostile,
            self.hostile_failed,
            self.edge,
            self.edge_ok,
            self.unexpected.len(),
            faults.resolved,
            faults.fixups,
            faults.populated_by_check,
            if self.flag_leaked {
                "LEFT SET after a call"
            } else {
                "never left set after a call"
            },
        );
        self.out.push_str(&catalogue_summary());
        Report {
            transcript: self.out,
            summary: Summary {
                calls: self.calls,
                ok: self.ok,
                errors: self.errors,
                hostile: self.hostile,
                hostile_failed: self.hostile_failed,
                edge: self.edge,
                edge_ok: self.edge_ok,
                unexpected: self.unexpected,
                faults,
                flag_leaked: self.flag_leaked,
                console: std::mem::take(&mut self.process.console),
                exec: self.process.exec.take(),
                numbers: self.numbers,
                hostile_numbers: self.hostile_numbers,
            },
        }
    }
}

/// The catalogue's counts: how the handlers take their pointers.
pub fn catalogue_summary() -> String {
    let pointer: Vec<_> = CATALOGUE
        .iter()
        .filter(|entry| entry.takes_pointers())
        .collect();
    let total = pointer.len();
    let percent = |n: usize| n * 100 / total.max(1);
    let axptr = pointer
        .iter()
        .filter(|entry| entry.axptr_kinds_alone())
        .count();
    let own = pointer.iter().filter(|entry| entry.kinds_alone()).count() - axptr;
    let body = total - axptr - own;
    let mut out = format!(
        "\n# The catalogue (examples/linux/abi.rs): {} syscalls, {total} with pointer arguments\n\
         axptr's kinds alone:             {axptr} ({}%)\n\
         with the kernel's own kinds:     {own} (kinds alone in all: {} = {}%)\n\
         pointer calls in the body:       {body} ({}%, each with its reason in abi::CATALOGUE)\n\
         handlers using each kind:\n",
        CATALOGUE.len(),
        percent(axptr),
        axptr + own,
        percent(axptr + own),
        percent(body),
    );
    for kind in Kind::ALL {
        let users = pointer.iter().filter(|entry| entry.uses(kind)).count();
        let _ = writeln!(out, "  {:<38} {users}", kind.spelling());
    }
    out
}
