//! A small Linux-like kernel whose syscalls are `#[syscall]` handlers: an
//! in-memory file system with positions, pipes, unix sockets, epoll,
//! memfds, extended attributes, signals, clocks and timers on a fake
//! clock, resource limits, futexes, threads made by `clone3`, and a second
//! process whose memory `process_vm_readv` reaches.
//!
//! This is the code a kernel developer writes. Every value that comes from
//! user space reaches a handler through an argument kind of `#[syscall]`
//! (or, where none fits, through a copy the body makes, listed in
//! `abi::CATALOGUE` with the reason), and every bad one becomes an errno:
//! no path that user input reaches has an `unwrap`, `expect` or `panic!`,
//! an index a hostile value could push out of bounds, or arithmetic it
//! could overflow; and there is no `unsafe` at all.
//!
//! The process is single-threaded as far as the model runs it: a call that
//! would block waits on the fake clock when a timer or a timeout can end
//! the wait, and otherwise returns `EAGAIN` (reads) or says so in the log.

mod args;
mod fs;
mod io;
mod net;
mod own;
mod poll;
mod signal;
mod task;
mod time;
mod vfs;

#[path = "../../common/racer.rs"]
mod racer;
use racer::Racer;

use std::{
    cell::RefCell,
    collections::{BTreeMap, VecDeque},
    rc::{Rc, Weak},
};

use axptr::{
    AddrSpaceProvider, LinuxError, LinuxResult, SyscallTable, UserPtr,
    sim::{SimAreas, SimSpace},
    syscall_table,
};

use self::{net::Socket, poll::Epoll, vfs::PipeEnd};
pub use self::{
    signal::Signals,
    task::{Exec, Thread},
    time::Clock,
    vfs::{Node, boot_fs},
};
use crate::abi::{self, Rlimit, RobustListHead, SchedAttr, Termios, Winsize, nr};

/// The dispatch table: what the trap handler calls with the number and the
/// six argument registers.
pub static SYSCALLS: SyscallTable<Process> = syscall_table! {
    Process;
    nr::READ => io::sys_read,
    nr::WRITE => io::sys_write,
    nr::CLOSE => fs::sys_close,
    nr::FSTAT => fs::sys_fstat,
    nr::POLL => poll::sys_poll,
    nr::LSEEK => fs::sys_lseek,
    nr::RT_SIGACTION => signal::sys_rt_sigaction,
    nr::RT_SIGPROCMASK => signal::sys_rt_sigprocmask,
    nr::IOCTL => io::sys_ioctl,
    nr::PREAD64 => io::sys_pread64,
    nr::PWRITE64 => io::sys_pwrite64,
    nr::READV => io::sys_readv,
    nr::WRITEV => io::sys_writev,
    nr::SELECT => poll::sys_select,
    nr::DUP => fs::sys_dup,
    nr::NANOSLEEP => time::sys_nanosleep,
    nr::GETITIMER => time::sys_getitimer,
    nr::SETITIMER => time::sys_setitimer,
    nr::GETPID => task::sys_getpid,
    nr::SOCKET => net::sys_socket,
    nr::CONNECT => net::sys_connect,
    nr::SENDTO => net::sys_sendto,
    nr::RECVFROM => net::sys_recvfrom,
    nr::SENDMSG => net::sys_sendmsg,
    nr::RECVMSG => net::sys_recvmsg,
    nr::BIND => net::sys_bind,
    nr::LISTEN => net::sys_listen,
    nr::GETSOCKNAME => net::sys_getsockname,
    nr::GETPEERNAME => net::sys_getpeername,
    nr::SOCKETPAIR => net::sys_socketpair,
    nr::SETSOCKOPT => net::sys_setsockopt,
    nr::GETSOCKOPT => net::sys_getsockopt,
    nr::EXECVE => task::sys_execve,
    nr::KILL => signal::sys_kill,
    nr::UNAME => task::sys_uname,
    nr::FCNTL => fs::sys_fcntl,
    nr::TRUNCATE => fs::sys_truncate,
    nr::GETCWD => fs::sys_getcwd,
    nr::CHDIR => fs::sys_chdir,
    nr::GETTIMEOFDAY => time::sys_gettimeofday,
    nr::GETRLIMIT => task::sys_getrlimit,
    nr::GETRUSAGE => task::sys_getrusage,
    nr::SYSINFO => task::sys_sysinfo,
    nr::TIMES => time::sys_times,
    nr::GETGROUPS => task::sys_getgroups,
    nr::SETGROUPS => task::sys_setgroups,
    nr::GETRESUID => task::sys_getresuid,
    nr::RT_SIGPENDING => signal::sys_rt_sigpending,
    nr::RT_SIGTIMEDWAIT => signal::sys_rt_sigtimedwait,
    nr::RT_SIGQUEUEINFO => signal::sys_rt_sigqueueinfo,
    nr::RT_SIGSUSPEND => signal::sys_rt_sigsuspend,
    nr::SIGALTSTACK => signal::sys_sigaltstack,
    nr::STATFS => fs::sys_statfs,
    nr::FSTATFS => fs::sys_fstatfs,
    nr::SCHED_SETPARAM => task::sys_sched_setparam,
    nr::SCHED_GETPARAM => task::sys_sched_getparam,
    nr::SCHED_RR_GET_INTERVAL => task::sys_sched_rr_get_interval,
    nr::PRCTL => task::sys_prctl,
    nr::SETRLIMIT => task::sys_setrlimit,
    nr::SETHOSTNAME => task::sys_sethostname,
    nr::GETTID => task::sys_gettid,
    nr::SETXATTR => fs::sys_setxattr,
    nr::GETXATTR => fs::sys_getxattr,
    nr::LISTXATTR => fs::sys_listxattr,
    nr::REMOVEXATTR => fs::sys_removexattr,
    nr::FUTEX => task::sys_futex,
    nr::SCHED_SETAFFINITY => task::sys_sched_setaffinity,
    nr::SCHED_GETAFFINITY => task::sys_sched_getaffinity,
    nr::GETDENTS64 => fs::sys_getdents64,
    nr::SET_TID_ADDRESS => task::sys_set_tid_address,
    nr::TIMER_CREATE => time::sys_timer_create,
    nr::TIMER_SETTIME => time::sys_timer_settime,
    nr::TIMER_GETTIME => time::sys_timer_gettime,
    nr::CLOCK_GETTIME => time::sys_clock_gettime,
    nr::CLOCK_GETRES => time::sys_clock_getres,
    nr::CLOCK_NANOSLEEP => time::sys_clock_nanosleep,
    nr::EXIT_GROUP => task::sys_exit_group,
    nr::EPOLL_WAIT => poll::sys_epoll_wait,
    nr::EPOLL_CTL => poll::sys_epoll_ctl,
    nr::WAIT4 => task::sys_wait4,
    nr::OPENAT => fs::sys_openat,
    nr::MKDIRAT => fs::sys_mkdirat,
    nr::NEWFSTATAT => fs::sys_newfstatat,
    nr::UNLINKAT => fs::sys_unlinkat,
    nr::RENAMEAT => fs::sys_renameat,
    nr::LINKAT => fs::sys_linkat,
    nr::SYMLINKAT => fs::sys_symlinkat,
    nr::READLINKAT => fs::sys_readlinkat,
    nr::FCHMODAT => fs::sys_fchmodat,
    nr::FACCESSAT => fs::sys_faccessat,
    nr::PSELECT6 => poll::sys_pselect6,
    nr::PPOLL => poll::sys_ppoll,
    nr::SET_ROBUST_LIST => task::sys_set_robust_list,
    nr::GET_ROBUST_LIST => task::sys_get_robust_list,
    nr::UTIMENSAT => fs::sys_utimensat,
    nr::EPOLL_PWAIT => poll::sys_epoll_pwait,
    nr::ACCEPT4 => net::sys_accept4,
    nr::EPOLL_CREATE1 => poll::sys_epoll_create1,
    nr::PIPE2 => fs::sys_pipe2,
    nr::PREADV => io::sys_preadv,
    nr::PWRITEV => io::sys_pwritev,
    nr::PRLIMIT64 => task::sys_prlimit64,
    nr::PROCESS_VM_READV => task::sys_process_vm_readv,
    nr::PROCESS_VM_WRITEV => task::sys_process_vm_writev,
    nr::SCHED_SETATTR => task::sys_sched_setattr,
    nr::SCHED_GETATTR => task::sys_sched_getattr,
    nr::GETRANDOM => task::sys_getrandom,
    nr::MEMFD_CREATE => fs::sys_memfd_create,
    nr::STATX => fs::sys_statx,
    nr::CLONE3 => task::sys_clone3,
    nr::OPENAT2 => fs::sys_openat2,
};

/// What a file descriptor refers to.
pub enum FileKind {
    /// The terminal (descriptors 0-2).
    Tty,
    /// A regular file or a directory of the file system.
    Node(Node),
    /// An anonymous file (`memfd_create`).
    Memfd(Node),
    /// One end of a pipe.
    Pipe(PipeEnd),
    /// A unix socket.
    Socket(Rc<RefCell<Socket>>),
    /// An epoll instance.
    Epoll(Rc<RefCell<Epoll>>),
}

/// An open file description: shared by the descriptors `dup` makes.
pub struct OpenFile {
    pub kind: FileKind,
    /// Status flags (`O_ACCMODE`, `O_APPEND`, `O_NONBLOCK`).
    pub flags: u32,
    pub pos: u64,
    /// The path it was opened by (directories resolve `*at` paths by it).
    pub path: Vec<u8>,
}

impl OpenFile {
    pub fn new(kind: FileKind, flags: u32, path: &[u8]) -> Rc<RefCell<Self>> {
        Rc::new(RefCell::new(Self {
            kind,
            flags,
            pos: 0,
            path: path.to_vec(),
        }))
    }

    pub fn readable(&self) -> bool {
        self.flags & abi::O_ACCMODE != abi::O_WRONLY
    }

    pub fn writable(&self) -> bool {
        self.flags & abi::O_ACCMODE != abi::O_RDONLY
    }
}

/// A slot of the descriptor table.
#[derive(Clone)]
pub struct FdEntry {
    pub file: Rc<RefCell<OpenFile>>,
    pub cloexec: bool,
}

/// The terminal.
pub struct Tty {
    /// Typed input not read yet.
    pub input: VecDeque<u8>,
    pub termios: Termios,
    pub winsize: Winsize,
}

/// Another process, whose memory `process_vm_readv` and
/// `process_vm_writev` reach.
pub struct Peer {
    pub space: SimSpace,
}

/// The current process: what every handler gets as its context.
pub struct Process {
    space: SimSpace,
    pub pid: i32,
    /// The thread making the calls (the main thread).
    pub tid: i32,
    pub uid: u32,
    pub gid: u32,
    pub groups: Vec<u32>,
    pub files: Vec<Option<FdEntry>>,
    pub root: Node,
    pub cwd: Vec<u8>,
    next_ino: u64,
    pub tty: Tty,
    /// Everything written to the terminal.
    pub console: Vec<u8>,
    pub clock: Clock,
    pub signals: Signals,
    pub rlimits: [Rlimit; abi::RLIM_NLIMITS],
    /// The thread's name (`PR_SET_NAME`), NUL-padded.
    pub comm: [u8; abi::TASK_COMM_LEN],
    pub dumpable: bool,
    pub hostname: Vec<u8>,
    /// `set_tid_address`: written with 0 (and woken) when the thread exits.
    pub clear_child_tid: Option<UserPtr<i32>>,
    /// `set_robust_list`: walked when the thread exits.
    pub robust_list: Option<UserPtr<RobustListHead>>,
    /// Threads made by `clone3`.
    pub threads: Vec<Thread>,
    next_tid: i32,
    /// Bound unix socket names.
    pub unix_names: BTreeMap<Vec<u8>, Weak<RefCell<Socket>>>,
    pub peers: BTreeMap<i32, Peer>,
    /// Exited children not waited for yet: pid and status.
    pub zombies: Vec<(i32, i32)>,
    pub sched: SchedAttr,
    pub affinity: u64,
    rng: u64,
    pub exited: Option<i32>,
    /// The image of the last successful `execve`.
    pub exec: Option<Exec>,
    /// Kernel messages (`printk`) since the caller last took them.
    pub log: Vec<String>,
    /// The test rig's racing user thread, if one is set up.
    racer: Option<Racer>,
}

/// The number of CPUs the model reports.
pub const NR_CPUS: u32 = 4;

impl Process {
    /// A process running in `space` with its terminal on descriptors 0-2,
    /// the file system `root`, and another process `peer` (pid 2).
    pub fn new(space: SimSpace, root: Node, peer: Peer) -> Self {
        let tty = OpenFile::new(FileKind::Tty, abi::O_RDWR, b"/dev/tty");
        let entry = FdEntry {
            file: tty,
            cloexec: false,
        };
        let mut comm = [0; abi::TASK_COMM_LEN];
        comm[..4].copy_from_slice(b"init");
        let mut rlimits = [Rlimit {
            rlim_cur: abi::RLIM_INFINITY,
            rlim_max: abi::RLIM_INFINITY,
        }; abi::RLIM_NLIMITS];
        rlimits[abi::RLIMIT_NOFILE as usize] = Rlimit {
            rlim_cur: 64,
            rlim_max: 4096,
        };
        rlimits[abi::RLIMIT_STACK as usize].rlim_cur = 8 << 20;
        rlimits[abi::RLIMIT_CORE as usize].rlim_cur = 0;
        Self {
            space,
            pid: 1000,
            tid: 1000,
            uid: 0,
            gid: 0,
            groups: vec![0, 4, 27],
            files: vec![Some(entry.clone()), Some(entry.clone()), Some(entry)],
            root,
            cwd: b"/home/user".to_vec(),
            next_ino: 100,
            tty: Tty {
                input: b"ls -l\n".iter().copied().collect(),
                termios: Termios {
                    c_iflag: 0x500,
                    c_oflag: 0x5,
                    c_cflag: 0xbf,
                    c_lflag: 0x8a3b,
                    ..Termios::default()
                },
                winsize: Winsize {
                    ws_row: 24,
                    ws_col: 80,
                    ..Winsize::default()
                },
            },
            console: Vec::new(),
            clock: Clock::default(),
            signals: Signals::default(),
            rlimits,
            comm,
            dumpable: true,
            hostname: b"axptr".to_vec(),
            clear_child_tid: None,
            robust_list: None,
            threads: Vec::new(),
            next_tid: 1001,
            unix_names: BTreeMap::new(),
            peers: BTreeMap::from([(2, peer)]),
            zombies: vec![(2000, 7 << 8)],
            sched: SchedAttr {
                size: abi::SCHED_ATTR_SIZE_VER0 as u32 + 8,
                sched_policy: abi::SCHED_OTHER,
                ..SchedAttr::default()
            },
            affinity: (1 << NR_CPUS) - 1,
            rng: 0x9e37_79b9_7f4a_7c15,
            exited: None,
            exec: None,
            log: Vec::new(),
            racer: None,
        }
    }

    /// A kernel message for the transcript.
    pub fn printk(&mut self, message: impl Into<String>) {
        self.log.push(message.into());
    }

    /// The open file behind `fd`.
    pub fn file(&self, fd: i32) -> LinuxResult<Rc<RefCell<OpenFile>>> {
        usize::try_from(fd)
            .ok()
            .and_then(|fd| self.files.get(fd))
            .and_then(Option::as_ref)
            .map(|entry| entry.file.clone())
            .ok_or(LinuxError::EBADF)
    }

    /// The descriptor table slot of `fd`.
    pub fn entry_mut(&mut self, fd: i32) -> LinuxResult<&mut FdEntry> {
        usize::try_from(fd)
            .ok()
            .and_then(|fd| self.files.get_mut(fd))
            .and_then(Option::as_mut)
            .ok_or(LinuxError::EBADF)
    }

    /// Installs `file` at the lowest free descriptor from `min`, within
    /// `RLIMIT_NOFILE`.
    pub fn install_from(
        &mut self,
        min: usize,
        file: Rc<RefCell<OpenFile>>,
        cloexec: bool,
    ) -> LinuxResult<i32> {
        let limit = usize::try_from(self.rlimits[abi::RLIMIT_NOFILE as usize].rlim_cur)
            .unwrap_or(usize::MAX);
        let free = (min..limit)
            .find(|&fd| self.files.get(fd).is_none_or(Option::is_none))
            .ok_or(LinuxError::EMFILE)?;
        if self.files.len() <= free {
            self.files.resize(free + 1, None);
        }
        self.files[free] = Some(FdEntry { file, cloexec });
        i32::try_from(free).map_err(|_| LinuxError::EMFILE)
    }

    /// Installs `file` at the lowest free descriptor.
    pub fn install(&mut self, file: Rc<RefCell<OpenFile>>, cloexec: bool) -> LinuxResult<i32> {
        self.install_from(0, file, cloexec)
    }

    /// Closes `fd` (dropping the description with its last descriptor).
    pub fn close_fd(&mut self, fd: i32) -> LinuxResult<()> {
        let slot = usize::try_from(fd)
            .ok()
            .and_then(|fd| self.files.get_mut(fd))
            .ok_or(LinuxError::EBADF)?;
        slot.take().map(drop).ok_or(LinuxError::EBADF)
    }

    /// A new inode number.
    pub fn next_ino(&mut self) -> u64 {
        self.next_ino += 1;
        self.next_ino
    }

    /// A new thread id.
    pub fn next_tid(&mut self) -> i32 {
        let tid = self.next_tid;
        self.next_tid += 1;
        tid
    }

    /// The kernel's random numbers (xorshift64*, seeded at boot so every
    /// run prints the same bytes).
    pub fn random(&mut self) -> u64 {
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        self.rng.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A handle on another process's address space.
    pub fn peer_space(&self, pid: i32) -> LinuxResult<SimSpace> {
        self.peers
            .get(&pid)
            .map(|peer| peer.space.clone())
            .ok_or(LinuxError::ESRCH)
    }

    /// What the kernel does on the way back to user space after each
    /// call: delivers the pending signals that are not blocked, and notes
    /// that the clock moved by a syscall's worth of CPU time.
    pub fn return_to_user(&mut self) {
        self.clock.charge_syscall();
        signal::deliver(self);
    }

    /// Plays a user thread that unmaps `page` as soon as the kernel has
    /// made it present, i.e. after validation and before the copy (see
    /// [`Racer`]).
    pub fn race_unmap_when_present(&mut self, page: usize) {
        self.racer = Some(Racer { page });
    }
}

/// The kernel hands the process's address space to axptr, locked for the
/// duration of each check, as a real kernel does.
impl AddrSpaceProvider for Process {
    type AddrSpace = SimAreas;

    fn with_addr_space<R>(&mut self, f: impl FnOnce(&mut SimAreas) -> R) -> R {
        let result = self.space.provider().with_addr_space(f);
        // The lock is released: the moment another user thread can run.
        if let Some(racer) = self.racer.take_if(|racer| racer.ready(&self.space)) {
            racer.run(&self.space, &mut self.log);
        }
        result
    }
}
