//! The demo's user side: a scripted program that lays out its memory,
//! then makes syscalls as a trap handler would deliver them (a number and
//! six registers) through the kernel's dispatch table, and records the
//! strace log.
//!
//! This is test-rig code, not kernel code: it plays the program, the loader
//! (`poke`) and the reader of user memory (`peek`).

#[path = "../common/region.rs"]
mod region;
use region::Region;

use std::{collections::BTreeMap, fmt::Write as _, rc::Rc};

use axptr::{
    LinuxError, LinuxResult, MappingFlags, PAGE_SIZE_4K as PAGE, SyscallEvent,
    is_accessing_user_memory,
    sim::{FaultStats, SimSpace},
};

use crate::kernel::{
    AT_FDCWD, CLOCK_MONOTONIC, Exec, O_CLOEXEC, O_RDONLY, Process, SYSCALLS, UTS_LEN, nr,
};

/// Where the simulated user address space lives: a fixed host address, so
/// that the addresses in the log are the same in every run.
pub const BASE: usize = 0x1000_0000;
const SPACE_SIZE: usize = 16 * PAGE;

// The program's memory map.
const RODATA: usize = BASE;
const DATA: usize = BASE + PAGE;
const DATA_END: usize = DATA + 2 * PAGE;
const HOLE: usize = DATA_END;
const XS: usize = HOLE + PAGE;
const XS_END: usize = XS + 2 * PAGE;
const HEAP: usize = XS_END + 2 * PAGE;
const HEAP_PAGES: usize = 4;

const R: MappingFlags = MappingFlags::READ;
const RW: MappingFlags = MappingFlags::READ.union(MappingFlags::WRITE);

/// A kernel address (the upper half of riscv64 Sv39).
const KERNEL_ADDR: usize = 0xffff_ffc0_8000_0000;

/// What one run of the demo produced.
pub struct Report {
    /// Everything the demo prints: the memory map, the strace log with
    /// notes, and the summary.
    pub transcript: String,
    pub summary: Summary,
}

/// The counts behind the summary.
#[derive(Debug)]
#[allow(dead_code)] // the example prints the transcript; tests/demo.rs reads these
pub struct Summary {
    pub calls: usize,
    pub ok: usize,
    /// Failed calls by errno name.
    pub errors: BTreeMap<String, usize>,
    /// The sim's fault statistics at the end.
    pub faults: FaultStats,
    /// Whether the user-access flag was found set between calls.
    pub flag_leaked: bool,
    /// What the program wrote to the console.
    pub console: Vec<u8>,
    /// What `execve` parsed.
    pub exec: Option<Exec>,
}

/// Runs the scripted program and returns its transcript.
///
/// # Errors
///
/// Only if the rig cannot set the simulated memory up (the host refused
/// the space): every syscall error is part of the transcript.
pub fn run() -> LinuxResult<Report> {
    let space = SimSpace::new_at(BASE, SPACE_SIZE)?;
    let mut demo = Demo::new(space)?;
    demo.script()?;
    Ok(demo.finish())
}

struct Demo {
    space: SimSpace,
    process: Process,
    rodata: Region,
    data: Region,
    out: String,
    calls: usize,
    ok: usize,
    errors: BTreeMap<String, usize>,
    flag_leaked: bool,
}

/// The files of the demo's read-only file system.
fn files() -> BTreeMap<&'static str, Rc<[u8]>> {
    let boot_log: String = (0..200)
        .map(|line| format!("{line:04}: the quick brown fox jumps over the lazy dog\n"))
        .collect();
    BTreeMap::from([
        ("/etc/hostname", Rc::from(&b"axptr\n"[..])),
        ("/var/log/boot.log", Rc::from(boot_log.as_bytes())),
        ("/bin/echo", Rc::from(&b"\x7fELF"[..])),
    ])
}

impl Demo {
    fn new(space: SimSpace) -> LinuxResult<Self> {
        space.map(RODATA, PAGE, R)?;
        space.map(DATA, DATA_END - DATA, RW)?;
        space.map(XS, XS_END - XS, RW)?;
        space.map_lazy(HEAP, HEAP_PAGES * PAGE, RW)?;
        // Six KiB of 'x' without a NUL: longer than any path.
        space.poke(XS, &[b'x'; 6 * 1024])?;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "axptr demo: a scripted user program calls a small kernel whose syscalls are\n\
             #[syscall] handlers in a dispatch table, on a simulated address space with\n\
             real page faults. Each unindented line is one call, as the table's tracer\n\
             prints it; indented lines are kernel messages and what the call shows.\n\
             \n\
             user memory:\n  \
             {RODATA:#x}-{DATA:#x} r--  rodata (strings)\n  \
             {DATA:#x}-{DATA_END:#x} rw-  data (structs, arrays)\n  \
             {HOLE:#x}-{XS:#x} ---  unmapped\n  \
             {XS:#x}-{XS_END:#x} rw-  6 KiB of 'x' without a NUL, then unmapped\n  \
             {HEAP:#x}-{:#x} rw-  heap, mapped lazily (no page present yet)",
            HEAP + HEAP_PAGES * PAGE,
        );
        Ok(Self {
            process: Process::new(space.clone(), files()),
            space,
            rodata: Region {
                next: RODATA,
                end: DATA,
            },
            // The last words of data are the hostile argv array.
            data: Region {
                next: DATA,
                end: DATA_END - 64,
            },
            out,
            calls: 0,
            ok: 0,
            errors: BTreeMap::new(),
            flag_leaked: false,
        })
    }

    // -- the loader's tools ---------------------------------------------

    /// A NUL-terminated string in rodata.
    fn string(&mut self, text: &str) -> LinuxResult<usize> {
        let addr = self.rodata.alloc(text.len() + 1, 1)?;
        self.space.poke(addr, text.as_bytes())?;
        self.space.poke(addr + text.len(), &[0])?;
        Ok(addr)
    }

    /// `len` zeroed, 8-aligned bytes of data.
    fn buffer(&mut self, len: usize) -> LinuxResult<usize> {
        self.data.alloc(len, 8)
    }

    /// Words (pointers, lengths) in data.
    fn words(&mut self, words: &[usize]) -> LinuxResult<usize> {
        let addr = self.buffer(size_of_val(words))?;
        self.poke_words(addr, words)?;
        Ok(addr)
    }

    fn poke_words(&self, addr: usize, words: &[usize]) -> LinuxResult<()> {
        let bytes: Vec<u8> = words.iter().flat_map(|word| word.to_ne_bytes()).collect();
        self.space.poke(addr, &bytes)
    }

    /// An array of pointers to new strings, null-terminated.
    fn string_array(&mut self, strings: &[&str]) -> LinuxResult<usize> {
        let mut pointers = strings
            .iter()
            .map(|text| self.string(text))
            .collect::<LinuxResult<Vec<_>>>()?;
        pointers.push(0);
        self.words(&pointers)
    }

    fn peek_i64(&self, addr: usize) -> LinuxResult<i64> {
        let bytes = self.space.peek(addr, 8)?;
        let bytes: [u8; 8] = bytes.try_into().map_err(|_| LinuxError::EFAULT)?;
        Ok(i64::from_ne_bytes(bytes))
    }

    // -- the trap ---------------------------------------------------------

    /// One syscall: number and registers in, result register out; the
    /// strace line and the kernel's messages go to the transcript.
    fn syscall(&mut self, number: usize, args: &[usize]) -> isize {
        let mut regs = [0; 6];
        for (reg, arg) in regs.iter_mut().zip(args) {
            *reg = *arg;
        }
        let mut line = String::new();
        let mut strace = |event: &SyscallEvent<'_>| line = event.to_string();
        let ret = SYSCALLS.dispatch_traced(&mut self.process, number, regs, &mut strace);
        self.flag_leaked |= is_accessing_user_memory();
        let _ = writeln!(self.out, "{line}");
        for message in self.process.log.drain(..) {
            let _ = writeln!(self.out, "    {message}");
        }
        self.calls += 1;
        if ret >= 0 {
            self.ok += 1;
        } else {
            let name = i32::try_from(-ret)
                .ok()
                .and_then(|code| LinuxError::try_from(code).ok())
                .map_or_else(|| format!("errno {}", -ret), |err| format!("{err:?}"));
            *self.errors.entry(name).or_default() += 1;
        }
        ret
    }

    /// A note under the last call: what it shows.
    fn note(&mut self, text: impl AsRef<str>) {
        let _ = writeln!(self.out, "    -> {}", text.as_ref());
    }

    /// A heading before a group of calls.
    fn heading(&mut self, text: &str) {
        let _ = writeln!(self.out, "\n# {text}");
    }

    /// A heading inside a group.
    fn subheading(&mut self, text: &str) {
        let _ = writeln!(self.out, "\n#  {text}");
    }

    // -- the program ------------------------------------------------------

    fn script(&mut self) -> LinuxResult<()> {
        self.good_calls()?;
        self.demand_paging()?;
        self.hostile_calls()?;
        self.heading("4. After all that, the kernel still serves calls");
        let alive = self.string("still here\n")?;
        self.syscall(nr::WRITE, &[1, alive, 11]);
        Ok(())
    }

    fn good_calls(&mut self) -> LinuxResult<()> {
        let at_fdcwd = AT_FDCWD as usize;
        self.heading("1. A well-behaved program");
        let hostname = self.string("/etc/hostname")?;
        let buf = self.buffer(64)?;
        let fd = self.syscall(nr::OPENAT, &[at_fdcwd, hostname, O_RDONLY as usize]);
        let fd = fd as usize;
        let n = self.syscall(nr::READ, &[fd, buf, 64]);
        let got = self.space.peek(buf, usize::try_from(n).unwrap_or(0))?;
        self.note(format!(
            "user reads {:?}: the file's bytes went out through a cursor",
            String::from_utf8_lossy(&got)
        ));
        self.syscall(nr::READ, &[fd, buf, 64]);
        self.syscall(nr::CLOSE, &[fd]);

        let hello = self.string("hello from user space\n")?;
        self.syscall(nr::WRITE, &[1, hello, 22]);
        let parts = ["writev: ", "three ", "buffers\n"];
        let mut iov = Vec::new();
        for part in parts {
            iov.extend([self.string(part)?, part.len()]);
        }
        let iov = self.words(&iov)?;
        self.syscall(nr::WRITEV, &[1, iov, parts.len()]);
        self.note("an iovec array imported with Linux's rules, then read as one stream");

        let cwd = self.buffer(256)?;
        self.syscall(nr::GETCWD, &[cwd, 256]);

        let uts = self.buffer(6 * UTS_LEN)?;
        self.syscall(nr::UNAME, &[uts]);
        let field = |index: usize| -> LinuxResult<String> {
            let bytes = self.space.peek(uts + index * UTS_LEN, UTS_LEN)?;
            let text = bytes.split(|&b| b == 0).next().unwrap_or_default();
            Ok(String::from_utf8_lossy(text).into_owned())
        };
        let (sysname, release, machine) = (field(0)?, field(2)?, field(4)?);
        self.note(format!(
            "user reads struct utsname: sysname {sysname:?}, release {release:?}, machine {machine:?}"
        ));

        let ts = self.buffer(16)?;
        let monotonic = CLOCK_MONOTONIC as usize;
        self.syscall(nr::CLOCK_GETTIME, &[monotonic, ts]);
        self.note(format!("user reads {}", self.timespec(ts)?));
        let req = self.words(&[0, 250_000_000])?;
        self.syscall(nr::NANOSLEEP, &[req, 0]);
        self.syscall(nr::CLOCK_GETTIME, &[monotonic, ts]);
        self.note(format!("user reads {} (a fake clock)", self.timespec(ts)?));

        let echo = self.string("/bin/echo")?;
        let argv = self.string_array(&["echo", "hello,", "world"])?;
        let envp = self.string_array(&["HOME=/home/axptr", "TERM=vt100"])?;
        self.syscall(nr::EXECVE, &[echo, argv, envp]);
        Ok(())
    }

    fn timespec(&self, addr: usize) -> LinuxResult<String> {
        let (sec, nsec) = (self.peek_i64(addr)?, self.peek_i64(addr + 8)?);
        Ok(format!("{{ tv_sec: {sec}, tv_nsec: {nsec} }}"))
    }

    fn demand_paging(&mut self) -> LinuxResult<()> {
        let at_fdcwd = AT_FDCWD as usize;
        self.heading(
            "2. Demand paging: validation only checks the heap is mapped; the copy-out\n\
             #    touches pages that are not present, and the fault handler maps them in",
        );
        self.space.set_demand_paging(true);
        let path = self.string("/var/log/boot.log")?;
        let flags = (O_RDONLY | O_CLOEXEC) as usize;
        let fd = self.syscall(nr::OPENAT, &[at_fdcwd, path, flags]) as usize;
        let before = self.space.stats();
        self.syscall(nr::READ, &[fd, HEAP, 2 * PAGE]);
        let after = self.space.stats();
        self.note(format!(
            "sim: {} page faults resolved by the page-fault handler, {} pages populated by validation",
            after.resolved - before.resolved,
            after.populated_by_check - before.populated_by_check,
        ));
        self.syscall(nr::CLOSE, &[fd]);
        self.space.set_demand_paging(false);
        Ok(())
    }

    fn hostile_calls(&mut self) -> LinuxResult<()> {
        let at_fdcwd = AT_FDCWD as usize;
        let rdonly = O_RDONLY as usize;
        self.heading("3. A hostile program: every bad pointer becomes an errno");
        self.subheading("3a. Buffers: null, unmapped, read-only, partly mapped, overflowing");
        let path = self.string("/var/log/boot.log")?;
        let fd = self.syscall(nr::OPENAT, &[at_fdcwd, path, rdonly]) as usize;
        self.syscall(nr::READ, &[fd, 0, 64]);
        self.note("null buffer");
        self.syscall(nr::READ, &[fd, HOLE, 64]);
        self.note("unmapped buffer");
        self.syscall(nr::READ, &[fd, RODATA, 64]);
        self.note("read-only buffer: the kernel must not write there");
        self.syscall(nr::READ, &[fd, XS_END - 8, 64]);
        let got = self.space.peek(XS_END - 8, 8)?;
        self.note(format!(
            "a short read: only 8 bytes ({:?}) fit before the unmapped page",
            String::from_utf8_lossy(&got)
        ));
        let buf = self.buffer(16)?;
        self.syscall(nr::READ, &[fd, buf, 16]);
        let got = self.space.peek(buf, 16)?;
        self.note(format!(
            "the next read starts where the short one stopped: {:?}",
            String::from_utf8_lossy(&got)
        ));
        self.syscall(nr::CLOSE, &[fd]);
        self.syscall(nr::UNAME, &[RODATA]);
        self.note("a struct copied out to a read-only page");
        let buf = self.buffer(16)?;
        self.syscall(nr::WRITE, &[1, buf, usize::MAX]);
        self.note("a length that runs past the end of the address space");
        let cwd = self.buffer(8)?;
        self.syscall(nr::GETCWD, &[cwd, 8]);
        self.note("too small for the path (the handler's own check)");

        self.subheading("3b. iovec arrays (writev)");
        let a = self.string("a")?;
        let iov = self.words(&[a, isize::MAX as usize, a, 2])?;
        self.syscall(nr::WRITEV, &[1, iov, 2]);
        self.note(
            "lengths that add up past SSIZE_MAX: the first buffer already ends past user \
             space (Linux x86_64 gives EFAULT too)",
        );
        self.syscall(nr::WRITEV, &[1, iov, usize::MAX]);
        self.note("a negative count (the register is -1)");
        let partial = self.string("partial\n")?;
        let iov = self.words(&[partial, 8, HOLE, 1])?;
        self.syscall(nr::WRITEV, &[1, iov, 2]);
        self.note("the second element's buffer is unmapped: a short write of the first");
        let iov = self.words(&[a, 1, KERNEL_ADDR, 8])?;
        self.syscall(nr::WRITEV, &[1, iov, 2]);
        self.note("the second element points into the kernel");

        self.subheading("3c. Alignment: copies do not need it");
        let monotonic = CLOCK_MONOTONIC as usize;
        let ts = self.buffer(24)? + 1;
        self.syscall(nr::CLOCK_GETTIME, &[monotonic, ts]);
        self.note("a misaligned timespec, written with the copy API: fine");
        self.syscall(nr::NANOSLEEP, &[ts, 0]);
        self.note(
            "the same pointer read back with a copy: fine too (Linux needs no alignment either)",
        );
        self.syscall(nr::CLOCK_GETTIME, &[42, ts]);
        self.note("an unknown clock, refused by the kernel's own argument type");

        self.subheading("3d. Strings");
        self.syscall(nr::OPENAT, &[at_fdcwd, 0, rdonly]);
        self.note("null path");
        self.syscall(nr::OPENAT, &[at_fdcwd, XS, rdonly]);
        self.note("no NUL within PATH_MAX (4096 bytes)");
        let cut = XS_END - 8;
        self.space.poke(cut, b"/etc/hos")?;
        self.syscall(nr::OPENAT, &[at_fdcwd, cut, rdonly]);
        self.note("a path that runs into unmapped memory");
        self.syscall(nr::OPENAT, &[at_fdcwd, KERNEL_ADDR, rdonly]);
        self.note("a pointer into the kernel");

        self.subheading("3e. execve's argv: a null-terminated array of string pointers");
        let echo = self.string("/bin/echo")?;
        let arg = self.string("echo")?;
        let last_words = DATA_END - 2 * size_of::<usize>();
        self.poke_words(last_words, &[arg, arg])?;
        self.syscall(nr::EXECVE, &[echo, last_words, 0]);
        self.note("the array runs into unmapped memory before its NULL");
        let argv = self.words(&[arg, XS, 0])?;
        self.syscall(nr::EXECVE, &[echo, argv, 0]);
        self.note("argv[1] has no NUL within MAX_ARG_STRLEN");
        let argv = self.words(&[arg, HOLE, 0])?;
        self.syscall(nr::EXECVE, &[echo, argv, 0]);
        self.note("argv[1] points to unmapped memory");

        self.subheading(
            "3f. Another user thread unmaps the buffer after validation, before the copy\n\
             #      (made deterministic: it runs when the kernel releases the address-space lock)",
        );
        let racy = HEAP + (HEAP_PAGES - 1) * PAGE;
        self.space.poke(racy, b"gone in a moment")?;
        self.process.race_unmap_when_present(racy);
        let fixups = self.space.stats().fixups;
        self.syscall(nr::WRITE, &[1, racy, 16]);
        self.note(format!(
            "the copy faulted on the vanished page; its fixup turned the fault into EFAULT \
             (fixups: {})",
            self.space.stats().fixups - fixups
        ));

        self.subheading("3g. A number without a handler");
        self.syscall(999, &[1, 2, 3]);
        Ok(())
    }

    fn finish(mut self) -> Report {
        let faults = self.space.stats();
        let _ = writeln!(
            self.out,
            "\n# What the program wrote to the console (fd 1):"
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
        let _ = write!(
            self.out,
            "\n# Summary\n\
             calls:         {} ({} ok, {} failed)\n\
             errors:        {errors}\n\
             page faults:   {} resolved by the fault handler, {} sent to the copy's fixup (EFAULT)\n\
             validation:    populated {} lazy page(s)\n\
             fault flag:    {}\n\
             kernel oopses: 0 (an oops aborts the simulated kernel: this line would not be printed)\n",
            self.calls,
            self.ok,
            self.calls - self.ok,
            faults.resolved,
            faults.fixups,
            faults.populated_by_check,
            if self.flag_leaked {
                "LEFT SET after a call"
            } else {
                "never left set after a call"
            },
        );
        Report {
            transcript: self.out,
            summary: Summary {
                calls: self.calls,
                ok: self.ok,
                errors: self.errors,
                faults,
                flag_leaked: self.flag_leaked,
                console: std::mem::take(&mut self.process.console),
                exec: self.process.exec.take(),
            },
        }
    }
}
