//! The conformance harness: runs every case on the sim's kernel and on the
//! host's Linux kernel, and compares what each did.

pub mod cases;
pub mod differences;
pub mod host;
pub mod kernel;
pub mod layout;
pub mod readme_style;

use std::fmt::Write as _;

use axptr::{LinuxError, sim::SimSpace};

use axptr::SyscallTable;
use kernel::{Kernel, UtsName, nr};
use layout::*;

/// One syscall with its registers, on a process set up as `layout` says,
/// with `pokes` written into user memory, `pipe` written into pipe A and
/// the memfd's position at `file_pos`.
#[derive(Clone, Debug)]
pub struct Case {
    pub name: String,
    pub nr: usize,
    pub args: [usize; 6],
    pub pokes: Vec<(usize, Vec<u8>)>,
    pub pipe: Vec<Vec<u8>>,
    pub file_pos: u64,
}

/// What a call did: its result register and the state it could change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub ret: i64,
    /// The mapped areas' bytes, in `AREAS` order.
    pub memory: Vec<u8>,
    /// What is left in pipe A and pipe B.
    pub pipe_a: Vec<u8>,
    pub pipe_b: Vec<u8>,
    /// The memfd's contents and the positions of its two descriptors.
    pub file: Vec<u8>,
    pub pos: [i64; 2],
    /// Which descriptors below 64 are open.
    pub fds: u64,
    pub sigmask: u64,
}

impl Outcome {
    /// Everything but memory is the same.
    fn same_but_memory(&self, other: &Self) -> bool {
        Self {
            memory: Vec::new(),
            ..self.clone()
        } == Self {
            memory: Vec::new(),
            ..other.clone()
        }
    }
}

/// The sim's side.
pub struct Sim {
    space: SimSpace,
    cwd: String,
    uts: UtsName,
}

impl Sim {
    pub fn new(cwd: &str) -> Self {
        let space = SimSpace::new_at(BASE, SIZE)
            .unwrap_or_else(|err| panic!("the layout at {BASE:#x} cannot be reserved: {err:?}"));
        Self {
            space,
            cwd: cwd.to_owned(),
            uts: host_uname(),
        }
    }

    pub fn run(&self, table: &SyscallTable<Kernel>, case: &Case, image: &[u8]) -> Outcome {
        let space = &self.space;
        space.set_demand_paging(false);
        space.unmap(BASE, SIZE).expect("unmap the layout");
        for area in &AREAS {
            let flags = area.prot.flags();
            let mapped = if area.lazy {
                space.map_lazy(area.start, area.len(), flags)
            } else {
                space.map(area.start, area.len(), flags)
            };
            mapped.expect("map an area");
            space
                .poke(area.start, &image[area.start - BASE..area.end() - BASE])
                .expect("fill an area");
        }
        let mut kernel = Kernel::new(
            space.clone(),
            &self.cwd,
            self.uts,
            &case.pipe,
            case.file_pos,
        );
        let ret = table.dispatch(&mut kernel, case.nr, case.args) as i64;
        let mut memory = Vec::with_capacity(mapped_len());
        for a in &AREAS {
            memory.extend_from_slice(&space.peek(a.start, a.len()).expect("peek an area"));
        }
        Outcome {
            ret,
            memory,
            pipe_a: kernel.pipe_contents(0),
            pipe_b: kernel.pipe_contents(1),
            file: kernel.file_contents().to_vec(),
            pos: kernel.positions(),
            fds: kernel.open_fds(),
            sigmask: kernel.sigmask,
        }
    }
}

/// The host's `utsname`, which the sim's `uname` returns too.
fn host_uname() -> UtsName {
    // SAFETY: `utsname` is plain bytes; all-zero is a valid value.
    let mut uts: libc::utsname = unsafe { core::mem::zeroed() };
    // SAFETY: `uts` is a valid `utsname` to fill.
    assert_eq!(unsafe { libc::uname(&mut uts) }, 0, "uname");
    let field = |f: &[libc::c_char; 65]| f.map(|c| c as u8);
    UtsName {
        fields: [
            field(&uts.sysname),
            field(&uts.nodename),
            field(&uts.release),
            field(&uts.version),
            field(&uts.machine),
            field(&uts.domainname),
        ],
    }
}

/// The index in `Outcome::memory` of the user address `addr`, if mapped.
fn memory_index(addr: usize) -> Option<usize> {
    let mut index = 0;
    for a in &AREAS {
        if (a.start..a.end()).contains(&addr) {
            return Some(index + addr - a.start);
        }
        index += a.len();
    }
    None
}

/// Bytes whose value is the kernel's to choose (the time, random bytes):
/// checked for plausibility, then blanked on both sides.
fn blank_volatile(
    case: &Case,
    linux: &mut Outcome,
    sim: &mut Outcome,
) -> std::result::Result<(), String> {
    let range = match case.nr {
        nr::CLOCK_GETTIME if linux.ret == 0 && sim.ret == 0 => {
            let tp = case.args[1];
            let nsec: Vec<u8> = (tp + 8..tp + 16)
                .filter_map(memory_index)
                .map(|i| linux.memory[i])
                .collect();
            let nsec = i64::from_ne_bytes(nsec.try_into().map_err(|_| "tp not mapped".to_owned())?);
            if !(0..1_000_000_000).contains(&nsec) {
                return Err(format!("Linux wrote tv_nsec {nsec}"));
            }
            tp..tp + 16
        }
        nr::GETRANDOM if linux.ret > 0 && linux.ret == sim.ret => {
            case.args[0]..case.args[0] + linux.ret as usize
        }
        _ => return Ok(()),
    };
    for index in range.filter_map(memory_index) {
        linux.memory[index] = 0;
        sim.memory[index] = 0;
    }
    Ok(())
}

/// How a case came out.
pub enum Verdict {
    Agree,
    /// A difference that is a documented choice.
    Documented(&'static differences::Choice),
    /// A known difference of axptr's core from Linux, to be fixed there.
    KnownCore(&'static differences::CoreDifference),
    Differ(String),
}

/// The first difference between two outcomes, described.
pub fn describe(linux: &Outcome, sim: &Outcome) -> String {
    let mut out = String::new();
    if linux.ret != sim.ret {
        let _ = write!(
            out,
            "ret: Linux {} / sim {}; ",
            errno_name(linux.ret),
            errno_name(sim.ret)
        );
    }
    if let Some(i) = (0..linux.memory.len()).find(|&i| linux.memory[i] != sim.memory[i]) {
        let last = (i..linux.memory.len())
            .rev()
            .find(|&j| linux.memory[j] != sim.memory[j])
            .unwrap_or(i);
        let _ = write!(
            out,
            "memory differs at {:#x}..={:#x} (Linux {:?} / sim {:?}); ",
            mapped_addr(i),
            mapped_addr(last),
            String::from_utf8_lossy(&linux.memory[i..=last.min(i + 16)]),
            String::from_utf8_lossy(&sim.memory[i..=last.min(i + 16)]),
        );
    }
    let mut field = |name: &str, differs: bool, linux: String, sim: String| {
        if differs {
            let _ = write!(out, "{name}: Linux {linux} / sim {sim}; ");
        }
    };
    field(
        "pipe A",
        linux.pipe_a != sim.pipe_a,
        linux.pipe_a.len().to_string(),
        sim.pipe_a.len().to_string(),
    );
    field(
        "pipe B",
        linux.pipe_b != sim.pipe_b,
        linux.pipe_b.len().to_string(),
        sim.pipe_b.len().to_string(),
    );
    field(
        "file",
        linux.file != sim.file,
        linux.file.len().to_string(),
        sim.file.len().to_string(),
    );
    field(
        "positions",
        linux.pos != sim.pos,
        format!("{:?}", linux.pos),
        format!("{:?}", sim.pos),
    );
    field(
        "open fds",
        linux.fds != sim.fds,
        format!("{:#b}", linux.fds),
        format!("{:#b}", sim.fds),
    );
    field(
        "signal mask",
        linux.sigmask != sim.sigmask,
        format!("{:#x}", linux.sigmask),
        format!("{:#x}", sim.sigmask),
    );
    out
}

pub fn errno_name(ret: i64) -> String {
    if (-4095..0).contains(&ret) {
        if let Ok(err) = LinuxError::try_from(-ret as i32) {
            return format!("-{err:?}");
        }
    }
    ret.to_string()
}

/// One case's result.
pub struct Result {
    pub case: Case,
    pub linux: Outcome,
    pub sim: Outcome,
    pub verdict: Verdict,
}

/// Runs every case on Linux once and on the sim with each of `tables`;
/// returns the results per table.
pub fn run_all(cwd: &str, tables: &[&SyscallTable<Kernel>]) -> Vec<Vec<Result>> {
    let sim = Sim::new(cwd);
    let cases = cases::all();
    let blank = blank_image();
    let mut host = host::Host::start(&cases, cwd, &blank);
    let mut results: Vec<Vec<Result>> = tables.iter().map(|_| Vec::new()).collect();
    for case in &cases {
        let image = image(&blank, &case.pokes);
        let initial = mapped(&image);
        let linux = host.next(case);
        for (table, results) in tables.iter().zip(&mut results) {
            let mut linux = linux.clone();
            let mut sim_outcome = sim.run(table, case, &image);
            let verdict = match blank_volatile(case, &mut linux, &mut sim_outcome) {
                Err(why) => Verdict::Differ(why),
                Ok(()) => differences::classify(case, &linux, &sim_outcome, &initial),
            };
            results.push(Result {
                case: case.clone(),
                linux,
                sim: sim_outcome,
                verdict,
            });
        }
    }
    host.finish();
    results
}

/// The name of a syscall number.
pub fn syscall_name(number: usize) -> &'static str {
    match number {
        nr::READ => "read",
        nr::WRITE => "write",
        nr::POLL => "poll",
        nr::RT_SIGPROCMASK => "rt_sigprocmask",
        nr::PREAD64 => "pread64",
        nr::READV => "readv",
        nr::WRITEV => "writev",
        nr::NANOSLEEP => "nanosleep",
        nr::UNAME => "uname",
        nr::GETCWD => "getcwd",
        nr::CLOCK_GETTIME => "clock_gettime",
        nr::OPENAT => "openat",
        nr::PIPE2 => "pipe2",
        nr::GETRANDOM => "getrandom",
        _ => "?",
    }
}
