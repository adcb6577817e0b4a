//! The reference: each case runs on the host's Linux kernel, in a forked
//! child that rebuilds the layout at the same addresses (`MAP_FIXED_NOREPLACE`,
//! same permissions and contents), the same descriptors at the same numbers,
//! the same working directory, limits and signal mask, then makes the raw
//! syscall and reports the result register and the state afterwards
//! through a pipe.
//!
//! The child of a multi-threaded test process may only make async-signal-safe
//! calls: it allocates nothing and takes no lock; everything it needs is
//! prepared before `fork`, and it ends with `_exit`.

use std::ffi::{CStr, CString};

use super::{Case, Outcome, layout::*};

/// The forked child that runs the cases in turn, and the parent's end of
/// its report pipe.
pub struct Host {
    pid: libc::pid_t,
    report: i32,
}

/// What the child needs, prepared before the fork.
struct Plan<'a> {
    cases: &'a [Case],
    /// The layout's contents before the pokes.
    blank: &'a [u8],
    cwd: &'a CStr,
    file: Vec<u8>,
    /// Scratch buffers of the child (its copies, after `fork`).
    pipe_a: Vec<u8>,
    pipe_b: Vec<u8>,
    file_out: Vec<u8>,
}

const SCRATCH_LEN: usize = 256 * 1024;
/// Where the child keeps its end of the report pipe.
const REPORT_FD: i32 = 1000;
/// The size of a report's header, in words.
const HEADER_WORDS: usize = 8;

impl Host {
    /// Forks the child that runs `cases` in order, each on a process state
    /// laid out afresh; [`next`](Self::next) reads the outcomes in order.
    pub fn start(cases: &[Case], cwd: &str, blank: &[u8]) -> Self {
        let cwd = CString::new(cwd).expect("no NUL in the working directory");
        let mut plan = Plan {
            cases,
            blank,
            cwd: &cwd,
            file: file_contents(),
            pipe_a: vec![0; SCRATCH_LEN],
            pipe_b: vec![0; SCRATCH_LEN],
            file_out: vec![0; SCRATCH_LEN],
        };
        let mut report = [0; 2];
        // SAFETY: `report` has room for the two descriptors.
        let rc = unsafe { libc::pipe2(report.as_mut_ptr(), libc::O_CLOEXEC) };
        assert_eq!(rc, 0, "pipe2 for the report");
        // SAFETY: the child runs only `Child::main`, which makes raw system
        // calls on memory prepared before the fork and ends with `_exit`.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork");
        if pid == 0 {
            // SAFETY: this is the forked child.
            let child = unsafe { Child::new() };
            let code = child.main(&mut plan, report[1]);
            child.exit(code);
        }
        // SAFETY: closing our copy of the write end, which we own.
        unsafe { libc::close(report[1]) };
        Self {
            pid,
            report: report[0],
        }
    }

    fn read_exact(&mut self, buf: &mut [u8]) -> bool {
        let mut done = 0;
        while done < buf.len() {
            // SAFETY: the rest of `buf` is a writable buffer of its length.
            let n = unsafe {
                libc::read(
                    self.report,
                    buf[done..].as_mut_ptr().cast(),
                    buf.len() - done,
                )
            };
            if n < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            if n <= 0 {
                return false;
            }
            done += n as usize;
        }
        true
    }

    /// The outcome of the next case on the host kernel.
    pub fn next(&mut self, case: &Case) -> Outcome {
        let mut header = [0u8; HEADER_WORDS * 8];
        if !self.read_exact(&mut header) {
            let status = self.wait();
            panic!(
                "case {}: the child stopped (status {status:#x}: exit code = failed step)",
                case.name
            );
        }
        let words: Vec<u64> = header
            .chunks_exact(8)
            .map(|w| u64::from_ne_bytes(w.try_into().expect("8 bytes")))
            .collect();
        let total = mapped_len() + words[5] as usize + words[6] as usize + words[7] as usize;
        let mut body = vec![0; total];
        assert!(
            self.read_exact(&mut body),
            "case {}: a short report",
            case.name
        );
        parse(&[header.as_slice(), &body].concat())
            .unwrap_or_else(|| panic!("case {}: a bad report", case.name))
    }

    fn wait(&mut self) -> i32 {
        let mut status = 0;
        // SAFETY: waits for our own child.
        let waited = unsafe { libc::waitpid(self.pid, &mut status, 0) };
        assert_eq!(waited, self.pid, "waitpid");
        status
    }

    /// Waits for the child, which must have run every case.
    pub fn finish(mut self) {
        let status = self.wait();
        assert!(
            libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
            "the child failed: {status:#x}"
        );
        // SAFETY: our read end, closed once.
        unsafe { libc::close(self.report) };
    }
}

fn parse(bytes: &[u8]) -> Option<Outcome> {
    let mut rest = bytes;
    let mut word = || -> Option<u64> {
        let (head, tail) = rest.split_first_chunk::<8>()?;
        rest = tail;
        Some(u64::from_ne_bytes(*head))
    };
    let ret = word()? as i64;
    let sigmask = word()?;
    let fds = word()?;
    let pos = [word()? as i64, word()? as i64];
    let lens = [word()? as usize, word()? as usize, word()? as usize];
    let mut take = |len: usize| -> Option<Vec<u8>> {
        let (head, tail) = rest.split_at_checked(len)?;
        rest = tail;
        Some(head.to_vec())
    };
    let memory = take(mapped_len())?;
    let pipe_a = take(lens[0])?;
    let pipe_b = take(lens[1])?;
    let file = take(lens[2])?;
    Some(Outcome {
        ret,
        memory,
        pipe_a,
        pipe_b,
        file,
        pos,
        fds,
        sigmask,
    })
}

/// The forked child's system calls. Made only in the child, which is alone
/// in its copy of the address space and never returns into the test.
struct Child(());

impl Child {
    /// # Safety
    ///
    /// Only in the child of `fork`, which ends with [`Child::exit`].
    unsafe fn new() -> Self {
        Child(())
    }

    /// A raw system call.
    fn sys(&self, nr: libc::c_long, a: [usize; 6]) -> i64 {
        // SAFETY: the child only changes memory that no Rust object of
        // its own lives in (the user layout, which the parent's space
        // reserved and the child unmapped and mapped again) or buffers it
        // owns and passes with their lengths; it never returns to the
        // test's code.
        unsafe { libc::syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]) }
    }

    fn exit(&self, code: i32) -> ! {
        // SAFETY: ends the child without running the parent's destructors
        // or atexit handlers.
        unsafe { libc::_exit(code) }
    }

    fn ok(&self, ret: i64, step: i32) -> Result<i64, i32> {
        if ret < 0 { Err(step) } else { Ok(ret) }
    }

    fn write_all(&self, fd: i32, mut bytes: &[u8]) -> Result<(), i32> {
        while !bytes.is_empty() {
            let n = self.sys(
                libc::SYS_write,
                [fd as usize, bytes.as_ptr() as usize, bytes.len(), 0, 0, 0],
            );
            if n == -1 && errno() == libc::EINTR {
                continue;
            }
            let n = self.ok(n, 90)? as usize;
            bytes = &bytes[n..];
        }
        Ok(())
    }

    /// Reads a non-blocking pipe empty into `buf`; returns the length.
    fn drain(&self, fd: u32, buf: &mut [u8]) -> usize {
        let mut len = 0;
        while len < buf.len() {
            let n = self.sys(
                libc::SYS_read,
                [
                    fd as usize,
                    buf[len..].as_mut_ptr() as usize,
                    buf.len() - len,
                    0,
                    0,
                    0,
                ],
            );
            if n <= 0 {
                break;
            }
            len += n as usize;
        }
        len
    }

    fn main(&self, plan: &mut Plan<'_>, report: i32) -> i32 {
        match self.setup(plan, report) {
            Err(step) => step,
            Ok(()) => {
                for case in plan.cases {
                    if let Err(step) = self.run(plan, case) {
                        return step;
                    }
                }
                0
            }
        }
    }

    /// What stays for every case: the report pipe, the working directory,
    /// the descriptor limit.
    fn setup(&self, plan: &Plan<'_>, report: i32) -> Result<(), i32> {
        let sys = |nr, a| self.sys(nr, a);
        // The report pipe out of the way of the descriptors we lay out.
        self.ok(
            sys(
                libc::SYS_dup2,
                [report as usize, REPORT_FD as usize, 0, 0, 0, 0],
            ),
            1,
        )?;
        self.ok(
            sys(
                libc::SYS_close_range,
                [REPORT_FD as usize + 1, !0, 0, 0, 0, 0],
            ),
            2,
        )?;
        self.ok(
            sys(libc::SYS_chdir, [plan.cwd.as_ptr() as usize, 0, 0, 0, 0, 0]),
            3,
        )?;
        let res = libc::RLIMIT_NOFILE as usize;
        let mut old = [0u64; 2];
        self.ok(
            sys(
                libc::SYS_prlimit64,
                [0, res, 0, old.as_mut_ptr() as usize, 0, 0],
            ),
            4,
        )?;
        let limit = [NOFILE as u64, old[1]];
        self.ok(
            sys(
                libc::SYS_prlimit64,
                [0, res, limit.as_ptr() as usize, 0, 0, 0],
            ),
            5,
        )?;
        Ok(())
    }

    /// One case on a process state laid out afresh.
    fn run(&self, plan: &mut Plan<'_>, case: &Case) -> Result<(), i32> {
        let sys = |nr, a| self.sys(nr, a);
        self.ok(
            sys(
                libc::SYS_close_range,
                [0, REPORT_FD as usize - 1, 0, 0, 0, 0],
            ),
            9,
        )?;

        // Memory: the parent's simulated space (or the last case's layout)
        // is replaced by the layout.
        self.ok(sys(libc::SYS_munmap, [BASE, SIZE, 0, 0, 0, 0]), 10)?;
        for area in &AREAS {
            let flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED_NOREPLACE;
            let rw = (libc::PROT_READ | libc::PROT_WRITE) as usize;
            let at = sys(
                libc::SYS_mmap,
                [area.start, area.len(), rw, flags as usize, !0, 0],
            );
            if at != area.start as i64 {
                return Err(11);
            }
            let contents = &plan.blank[area.start - BASE..area.end() - BASE];
            // SAFETY: the area was just mapped read-write at its start, for
            // its length, and is no Rust object.
            unsafe {
                core::ptr::copy_nonoverlapping(
                    contents.as_ptr(),
                    area.start as *mut u8,
                    contents.len(),
                )
            };
        }
        for (addr, bytes) in &case.pokes {
            // SAFETY: pokes lie in the areas mapped read-write just above.
            unsafe {
                core::ptr::copy_nonoverlapping(bytes.as_ptr(), *addr as *mut u8, bytes.len())
            };
        }
        for area in &AREAS {
            let prot = area.prot.host() as usize;
            self.ok(
                sys(libc::SYS_mprotect, [area.start, area.len(), prot, 0, 0, 0]),
                12,
            )?;
        }

        // Descriptors, lowest free number first.
        let at_fdcwd = libc::AT_FDCWD as usize;
        let open = |path: &CStr, flags: i32, fd: u32, step| -> Result<(), i32> {
            let got = sys(
                libc::SYS_openat,
                [at_fdcwd, path.as_ptr() as usize, flags as usize, 0, 0, 0],
            );
            if got == i64::from(fd) {
                Ok(())
            } else {
                Err(step)
            }
        };
        open(c"/dev/null", libc::O_RDWR, FD_NULL, 13)?;
        let memfd = sys(
            libc::SYS_memfd_create,
            [c"file".as_ptr() as usize, 0, 0, 0, 0, 0],
        );
        if memfd != i64::from(FD_FILE) {
            return Err(14);
        }
        let file = &plan.file;
        let n = sys(
            libc::SYS_pwrite64,
            [
                FD_FILE as usize,
                file.as_ptr() as usize,
                file.len(),
                0,
                0,
                0,
            ],
        );
        if n != file.len() as i64 {
            return Err(15);
        }
        open(c"/proc/self/fd/1", libc::O_RDONLY, FD_FILE_RO, 16)?;
        let mut pipe = [0i32; 2];
        for (first, step) in [(FD_PIPE_R, 17), (FD_PIPE2_R, 18)] {
            let at = pipe.as_mut_ptr() as usize;
            self.ok(
                sys(libc::SYS_pipe2, [at, libc::O_NONBLOCK as usize, 0, 0, 0, 0]),
                step,
            )?;
            if pipe != [first as i32, first as i32 + 1] {
                return Err(step);
            }
        }
        open(plan.cwd, libc::O_RDONLY | libc::O_DIRECTORY, FD_DIR, 19)?;
        open(c"/dev/zero", libc::O_RDWR, FD_ZERO, 20)?;
        for write in &case.pipe {
            let n = sys(
                libc::SYS_write,
                [
                    FD_PIPE_W as usize,
                    write.as_ptr() as usize,
                    write.len(),
                    0,
                    0,
                    0,
                ],
            );
            if n != write.len() as i64 {
                return Err(21);
            }
        }
        self.ok(
            sys(
                libc::SYS_lseek,
                [FD_FILE as usize, case.file_pos as usize, 0, 0, 0, 0],
            ),
            22,
        )?;
        let mask = INITIAL_SIGMASK;
        let setmask = libc::SIG_SETMASK as usize;
        self.ok(
            sys(
                libc::SYS_rt_sigprocmask,
                [setmask, &raw const mask as usize, 0, 8, 0, 0],
            ),
            23,
        )?;

        // The call.
        let ret = sys(case.nr as libc::c_long, case.args);
        let ret = if ret == -1 { -i64::from(errno()) } else { ret };

        // The state afterwards.
        let mut sigmask = 0u64;
        self.ok(
            sys(
                libc::SYS_rt_sigprocmask,
                [0, 0, &raw mut sigmask as usize, 8, 0, 0],
            ),
            30,
        )?;
        let mut fds = 0u64;
        for fd in 0..64 {
            if sys(libc::SYS_fcntl, [fd, libc::F_GETFD as usize, 0, 0, 0, 0]) >= 0 {
                fds |= 1 << fd;
            }
        }
        let seek_cur = libc::SEEK_CUR as usize;
        let pos = [
            sys(libc::SYS_lseek, [FD_FILE as usize, 0, seek_cur, 0, 0, 0]),
            sys(libc::SYS_lseek, [FD_FILE_RO as usize, 0, seek_cur, 0, 0, 0]),
        ];
        let pipe_a = self.drain(FD_PIPE_R, &mut plan.pipe_a);
        let pipe_b = self.drain(FD_PIPE2_R, &mut plan.pipe_b);
        let out = &mut plan.file_out;
        let file = sys(
            libc::SYS_pread64,
            [
                FD_FILE as usize,
                out.as_mut_ptr() as usize,
                out.len(),
                0,
                0,
                0,
            ],
        );
        let file = self.ok(file, 31)? as usize;
        for area in &AREAS {
            let read = libc::PROT_READ as usize;
            self.ok(
                sys(libc::SYS_mprotect, [area.start, area.len(), read, 0, 0, 0]),
                32,
            )?;
        }

        let header: [u64; HEADER_WORDS] = [
            ret as u64,
            sigmask,
            fds,
            pos[0] as u64,
            pos[1] as u64,
            pipe_a as u64,
            pipe_b as u64,
            file as u64,
        ];
        // SAFETY: the header is plain words, viewed as their bytes.
        let header_bytes = unsafe {
            core::slice::from_raw_parts(header.as_ptr().cast::<u8>(), size_of_val(&header))
        };
        self.write_all(REPORT_FD, header_bytes)?;
        for area in &AREAS {
            // SAFETY: the area is mapped readable (just above), and is no
            // Rust object.
            let bytes = unsafe { core::slice::from_raw_parts(area.start as *const u8, area.len()) };
            self.write_all(REPORT_FD, bytes)?;
        }
        self.write_all(REPORT_FD, &plan.pipe_a[..pipe_a])?;
        self.write_all(REPORT_FD, &plan.pipe_b[..pipe_b])?;
        self.write_all(REPORT_FD, &plan.file_out[..file])?;
        Ok(())
    }
}

fn errno() -> i32 {
    // SAFETY: reads this thread's errno.
    unsafe { *libc::__errno_location() }
}
