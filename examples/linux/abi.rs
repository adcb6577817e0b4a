//! The Linux x86_64 user ABI that the example kernel serves: the structures
//! its syscalls take by pointer, their constants, the syscall numbers, and
//! a catalogue saying which `#[syscall]` argument kind expresses each
//! pointer argument of each syscall.
//!
//! Every structure is `#[repr(C)]` (or `packed`, where x86_64 Linux packs
//! it) with `#[derive(UserCopy)]`, which proves at compile time that it has
//! no padding: where the C structure has implicit padding, the Rust one
//! names it (`_pad…` fields), so the kernel can never copy an uninitialized
//! byte out. Unions (`siginfo_t`'s fields, `sigval`, `epoll_data`) pad each
//! member to the union's size for the same reason. The sizes are asserted
//! here against Linux's; `tests/linux_example.rs` checks them, and a few
//! offsets, against the host's `libc` crate.
//!
//! This module is a catalogue: the example kernel uses most of it, not all.
#![allow(dead_code)]

use core::fmt;

use axptr::{SyscallTrace, UserConstPtr, UserCopy, UserPtr, iovec::IoVec, syscall::SigSet};

// ---------------------------------------------------------------------------
// Syscall numbers (arch/x86/entry/syscalls/syscall_64.tbl)

/// x86_64 syscall numbers of the syscalls in the catalogue.
pub mod nr {
    pub const READ: usize = 0;
    pub const WRITE: usize = 1;
    pub const CLOSE: usize = 3;
    pub const FSTAT: usize = 5;
    pub const POLL: usize = 7;
    pub const LSEEK: usize = 8;
    pub const RT_SIGACTION: usize = 13;
    pub const RT_SIGPROCMASK: usize = 14;
    pub const IOCTL: usize = 16;
    pub const PREAD64: usize = 17;
    pub const PWRITE64: usize = 18;
    pub const READV: usize = 19;
    pub const WRITEV: usize = 20;
    pub const SELECT: usize = 23;
    pub const DUP: usize = 32;
    pub const NANOSLEEP: usize = 35;
    pub const GETITIMER: usize = 36;
    pub const SETITIMER: usize = 38;
    pub const GETPID: usize = 39;
    pub const SOCKET: usize = 41;
    pub const CONNECT: usize = 42;
    pub const SENDTO: usize = 44;
    pub const RECVFROM: usize = 45;
    pub const SENDMSG: usize = 46;
    pub const RECVMSG: usize = 47;
    pub const BIND: usize = 49;
    pub const LISTEN: usize = 50;
    pub const GETSOCKNAME: usize = 51;
    pub const GETPEERNAME: usize = 52;
    pub const SOCKETPAIR: usize = 53;
    pub const SETSOCKOPT: usize = 54;
    pub const GETSOCKOPT: usize = 55;
    pub const EXECVE: usize = 59;
    pub const WAIT4: usize = 61;
    pub const KILL: usize = 62;
    pub const UNAME: usize = 63;
    pub const FCNTL: usize = 72;
    pub const TRUNCATE: usize = 76;
    pub const GETCWD: usize = 79;
    pub const CHDIR: usize = 80;
    pub const GETTIMEOFDAY: usize = 96;
    pub const GETRLIMIT: usize = 97;
    pub const GETRUSAGE: usize = 98;
    pub const SYSINFO: usize = 99;
    pub const TIMES: usize = 100;
    pub const GETGROUPS: usize = 115;
    pub const SETGROUPS: usize = 116;
    pub const GETRESUID: usize = 118;
    pub const RT_SIGPENDING: usize = 127;
    pub const RT_SIGTIMEDWAIT: usize = 128;
    pub const RT_SIGQUEUEINFO: usize = 129;
    pub const RT_SIGSUSPEND: usize = 130;
    pub const SIGALTSTACK: usize = 131;
    pub const STATFS: usize = 137;
    pub const FSTATFS: usize = 138;
    pub const SCHED_SETPARAM: usize = 142;
    pub const SCHED_GETPARAM: usize = 143;
    pub const SCHED_RR_GET_INTERVAL: usize = 148;
    pub const PRCTL: usize = 157;
    pub const SETRLIMIT: usize = 160;
    pub const SETHOSTNAME: usize = 170;
    pub const GETTID: usize = 186;
    pub const SETXATTR: usize = 188;
    pub const GETXATTR: usize = 191;
    pub const LISTXATTR: usize = 194;
    pub const REMOVEXATTR: usize = 197;
    pub const FUTEX: usize = 202;
    pub const SCHED_SETAFFINITY: usize = 203;
    pub const SCHED_GETAFFINITY: usize = 204;
    pub const GETDENTS64: usize = 217;
    pub const SET_TID_ADDRESS: usize = 218;
    pub const TIMER_CREATE: usize = 222;
    pub const TIMER_SETTIME: usize = 223;
    pub const TIMER_GETTIME: usize = 224;
    pub const CLOCK_GETTIME: usize = 228;
    pub const CLOCK_GETRES: usize = 229;
    pub const CLOCK_NANOSLEEP: usize = 230;
    pub const EXIT_GROUP: usize = 231;
    pub const EPOLL_WAIT: usize = 232;
    pub const EPOLL_CTL: usize = 233;
    pub const OPENAT: usize = 257;
    pub const MKDIRAT: usize = 258;
    pub const NEWFSTATAT: usize = 262;
    pub const UNLINKAT: usize = 263;
    pub const RENAMEAT: usize = 264;
    pub const LINKAT: usize = 265;
    pub const SYMLINKAT: usize = 266;
    pub const READLINKAT: usize = 267;
    pub const FCHMODAT: usize = 268;
    pub const FACCESSAT: usize = 269;
    pub const PSELECT6: usize = 270;
    pub const PPOLL: usize = 271;
    pub const SET_ROBUST_LIST: usize = 273;
    pub const GET_ROBUST_LIST: usize = 274;
    pub const UTIMENSAT: usize = 280;
    pub const EPOLL_PWAIT: usize = 281;
    pub const ACCEPT4: usize = 288;
    pub const EPOLL_CREATE1: usize = 291;
    pub const PIPE2: usize = 293;
    pub const PREADV: usize = 295;
    pub const PWRITEV: usize = 296;
    pub const PRLIMIT64: usize = 302;
    pub const PROCESS_VM_READV: usize = 310;
    pub const PROCESS_VM_WRITEV: usize = 311;
    pub const SCHED_SETATTR: usize = 314;
    pub const SCHED_GETATTR: usize = 315;
    pub const GETRANDOM: usize = 318;
    pub const MEMFD_CREATE: usize = 319;
    pub const STATX: usize = 332;
    pub const CLONE3: usize = 435;
    pub const OPENAT2: usize = 437;
}

// ---------------------------------------------------------------------------
// Constants

pub const AT_FDCWD: i32 = -100;
pub const AT_SYMLINK_NOFOLLOW: u32 = 0x100;
pub const AT_REMOVEDIR: u32 = 0x200;
pub const AT_SYMLINK_FOLLOW: u32 = 0x400;
pub const AT_NO_AUTOMOUNT: u32 = 0x800;
pub const AT_EMPTY_PATH: u32 = 0x1000;
pub const AT_STATX_SYNC_TYPE: u32 = 0x6000;

pub const O_RDONLY: u32 = 0;
pub const O_WRONLY: u32 = 0o1;
pub const O_RDWR: u32 = 0o2;
pub const O_ACCMODE: u32 = 0o3;
pub const O_CREAT: u32 = 0o100;
pub const O_EXCL: u32 = 0o200;
pub const O_TRUNC: u32 = 0o1000;
pub const O_APPEND: u32 = 0o2000;
pub const O_NONBLOCK: u32 = 0o4000;
pub const O_DIRECTORY: u32 = 0o200000;
pub const O_CLOEXEC: u32 = 0o2000000;
pub const O_NOCTTY: u32 = 0o400;
pub const O_DSYNC: u32 = 0o10000;
pub const O_DIRECT: u32 = 0o40000;
pub const O_LARGEFILE: u32 = 0o100000;
pub const O_NOFOLLOW: u32 = 0o400000;
pub const O_NOATIME: u32 = 0o1000000;
pub const O_PATH: u32 = 0o10000000;
pub const O_SYNC: u32 = 0o4010000;
/// Every flag `openat2` knows (Linux's `VALID_OPEN_FLAGS`, without
/// `O_TMPFILE` and `FASYNC`, which the model does not implement).
pub const VALID_OPEN_FLAGS: u32 = O_ACCMODE
    | O_CREAT
    | O_EXCL
    | O_NOCTTY
    | O_TRUNC
    | O_APPEND
    | O_NONBLOCK
    | O_DSYNC
    | O_DIRECT
    | O_LARGEFILE
    | O_DIRECTORY
    | O_NOFOLLOW
    | O_NOATIME
    | O_CLOEXEC
    | O_SYNC
    | O_PATH;

/// `openat2`'s `resolve` flags.
pub const RESOLVE_NO_XDEV: u64 = 0x01;
pub const RESOLVE_NO_MAGICLINKS: u64 = 0x02;
pub const RESOLVE_NO_SYMLINKS: u64 = 0x04;
pub const RESOLVE_BENEATH: u64 = 0x08;
pub const RESOLVE_IN_ROOT: u64 = 0x10;
pub const RESOLVE_CACHED: u64 = 0x20;
pub const OPEN_HOW_SIZE_VER0: usize = 24;

pub const R_OK: i32 = 4;
pub const W_OK: i32 = 2;
pub const X_OK: i32 = 1;

pub const SEEK_SET: u32 = 0;
pub const SEEK_CUR: u32 = 1;
pub const SEEK_END: u32 = 2;

pub const S_IFMT: u32 = 0o170000;
pub const S_IFSOCK: u32 = 0o140000;
pub const S_IFLNK: u32 = 0o120000;
pub const S_IFREG: u32 = 0o100000;
pub const S_IFDIR: u32 = 0o040000;
pub const S_IFCHR: u32 = 0o020000;
pub const S_IFIFO: u32 = 0o010000;

pub const DT_FIFO: u8 = 1;
pub const DT_CHR: u8 = 2;
pub const DT_DIR: u8 = 4;
pub const DT_REG: u8 = 8;
pub const DT_LNK: u8 = 10;
pub const DT_SOCK: u8 = 12;

pub const UTIME_NOW: i64 = (1 << 30) - 1;
pub const UTIME_OMIT: i64 = (1 << 30) - 2;

pub const STATX_TYPE: u32 = 0x1;
pub const STATX_MODE: u32 = 0x2;
pub const STATX_NLINK: u32 = 0x4;
pub const STATX_INO: u32 = 0x100;
pub const STATX_SIZE: u32 = 0x200;
pub const STATX_BASIC_STATS: u32 = 0x7ff;
pub const STATX_RESERVED: u32 = 0x8000_0000;

pub const XATTR_CREATE: u32 = 1;
pub const XATTR_REPLACE: u32 = 2;
/// The largest value of an extended attribute.
pub const XATTR_SIZE_MAX: usize = 65536;
/// The longest name of an extended attribute (`#[cstr(max = 255)]`).
pub const XATTR_NAME_MAX: usize = 255;

pub const MFD_CLOEXEC: u32 = 1;
pub const MFD_ALLOW_SEALING: u32 = 2;
/// The longest `memfd_create` name: 255 bytes minus `"memfd:"`.
pub const MFD_NAME_MAX: usize = 249;

pub const GRND_NONBLOCK: u32 = 1;
pub const GRND_RANDOM: u32 = 2;
pub const GRND_INSECURE: u32 = 4;

/// `ioctl` commands (x86_64 `asm-generic/ioctls.h`).
pub const TCGETS: u32 = 0x5401;
pub const TCSETS: u32 = 0x5402;
pub const TIOCGWINSZ: u32 = 0x5413;
pub const TIOCSWINSZ: u32 = 0x5414;
pub const FIONREAD: u32 = 0x541b;
pub const FIONBIO: u32 = 0x5421;

pub const F_DUPFD: u32 = 0;
pub const F_GETFD: u32 = 1;
pub const F_SETFD: u32 = 2;
pub const F_GETFL: u32 = 3;
pub const F_SETFL: u32 = 4;
pub const F_GETLK: u32 = 5;
pub const F_SETLK: u32 = 6;
pub const F_DUPFD_CLOEXEC: u32 = 1030;
pub const FD_CLOEXEC: u32 = 1;
pub const F_RDLCK: i16 = 0;
pub const F_WRLCK: i16 = 1;
pub const F_UNLCK: i16 = 2;

pub const PR_GET_DUMPABLE: u32 = 3;
pub const PR_SET_DUMPABLE: u32 = 4;
pub const PR_SET_NAME: u32 = 15;
pub const PR_GET_NAME: u32 = 16;
/// `TASK_COMM_LEN`: a thread's name, NUL included.
pub const TASK_COMM_LEN: usize = 16;

pub const FUTEX_WAIT: u32 = 0;
pub const FUTEX_WAKE: u32 = 1;
pub const FUTEX_PRIVATE_FLAG: u32 = 128;
pub const FUTEX_CLOCK_REALTIME: u32 = 256;
pub const FUTEX_OWNER_DIED: u32 = 0x4000_0000;
pub const FUTEX_WAITERS: u32 = 0x8000_0000;
pub const FUTEX_TID_MASK: u32 = 0x3fff_ffff;

pub const EPOLL_CLOEXEC: u32 = O_CLOEXEC;
pub const EPOLL_CTL_ADD: u32 = 1;
pub const EPOLL_CTL_DEL: u32 = 2;
pub const EPOLL_CTL_MOD: u32 = 3;
pub const EPOLLIN: u32 = 0x001;
pub const EPOLLOUT: u32 = 0x004;
pub const EPOLLERR: u32 = 0x008;
pub const EPOLLHUP: u32 = 0x010;
/// The most events one `epoll_wait` may ask for.
pub const EP_MAX_EVENTS: usize = i32::MAX as usize / size_of::<EpollEvent>();

pub const POLLIN: i16 = 0x001;
pub const POLLPRI: i16 = 0x002;
pub const POLLOUT: i16 = 0x004;
pub const POLLERR: i16 = 0x008;
pub const POLLHUP: i16 = 0x010;
pub const POLLNVAL: i16 = 0x020;

pub const AF_UNIX: u32 = 1;
pub const AF_INET: u32 = 2;
pub const SOCK_STREAM: u32 = 1;
pub const SOCK_DGRAM: u32 = 2;
pub const SOCK_NONBLOCK: u32 = O_NONBLOCK;
pub const SOCK_CLOEXEC: u32 = O_CLOEXEC;
pub const SOL_SOCKET: u32 = 1;
pub const SO_TYPE: u32 = 3;
pub const SO_ERROR: u32 = 4;
pub const SO_SNDBUF: u32 = 7;
pub const SO_RCVBUF: u32 = 8;
pub const SO_PASSCRED: u32 = 16;
pub const SO_PEERCRED: u32 = 17;
pub const MSG_PEEK: u32 = 0x2;
pub const MSG_TRUNC: u32 = 0x20;
pub const MSG_DONTWAIT: u32 = 0x40;
pub const MSG_NOSIGNAL: u32 = 0x4000;
/// `sizeof(sa_family_t)`: the length of an unnamed unix address.
pub const SUN_FAMILY_LEN: usize = 2;

pub const SIG_BLOCK: u32 = 0;
pub const SIG_UNBLOCK: u32 = 1;
pub const SIG_SETMASK: u32 = 2;
pub const SIG_DFL: usize = 0;
pub const SIG_IGN: usize = 1;
pub const SA_SIGINFO: u64 = 0x4;
pub const SA_RESTORER: u64 = 0x0400_0000;
pub const SA_ONSTACK: u64 = 0x0800_0000;
pub const SA_RESTART: u64 = 0x1000_0000;
pub const SA_NODEFER: u64 = 0x4000_0000;
pub const SA_RESETHAND: u64 = 0x8000_0000;
pub const SS_ONSTACK: i32 = 1;
pub const SS_DISABLE: i32 = 2;
pub const MINSIGSTKSZ: usize = 2048;
pub const SI_USER: i32 = 0;
pub const SI_QUEUE: i32 = -1;
pub const SI_TIMER: i32 = -2;
pub const SI_TKILL: i32 = -6;
pub const SI_KERNEL: i32 = 0x80;
pub const SIGEV_SIGNAL: i32 = 0;
pub const SIGEV_NONE: i32 = 1;
pub const SIGEV_THREAD_ID: i32 = 4;

pub const SIGHUP: u32 = 1;
pub const SIGINT: u32 = 2;
pub const SIGKILL: u32 = 9;
pub const SIGUSR1: u32 = 10;
pub const SIGSEGV: u32 = 11;
pub const SIGUSR2: u32 = 12;
pub const SIGPIPE: u32 = 13;
pub const SIGALRM: u32 = 14;
pub const SIGTERM: u32 = 15;
pub const SIGCHLD: u32 = 17;
pub const SIGSTOP: u32 = 19;
pub const SIGWINCH: u32 = 28;
pub const SIGRTMIN: u32 = 32;
pub const NSIG: u32 = 64;

pub const CLOCK_REALTIME: i32 = 0;
pub const CLOCK_MONOTONIC: i32 = 1;
pub const CLOCK_PROCESS_CPUTIME_ID: i32 = 2;
pub const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
pub const CLOCK_BOOTTIME: i32 = 7;
pub const TIMER_ABSTIME: u32 = 1;
pub const ITIMER_REAL: u32 = 0;
pub const ITIMER_VIRTUAL: u32 = 1;
pub const ITIMER_PROF: u32 = 2;
pub const NSEC_PER_SEC: i64 = 1_000_000_000;

pub const RLIMIT_CPU: u32 = 0;
pub const RLIMIT_FSIZE: u32 = 1;
pub const RLIMIT_DATA: u32 = 2;
pub const RLIMIT_STACK: u32 = 3;
pub const RLIMIT_CORE: u32 = 4;
pub const RLIMIT_NOFILE: u32 = 7;
pub const RLIMIT_AS: u32 = 9;
pub const RLIM_NLIMITS: usize = 16;
pub const RLIM_INFINITY: u64 = u64::MAX;
pub const RUSAGE_SELF: i32 = 0;
pub const RUSAGE_CHILDREN: i32 = -1;
pub const RUSAGE_THREAD: i32 = 1;

pub const CLONE_VM: u64 = 0x100;
pub const CLONE_FS: u64 = 0x200;
pub const CLONE_FILES: u64 = 0x400;
pub const CLONE_SIGHAND: u64 = 0x800;
pub const CLONE_PIDFD: u64 = 0x1000;
pub const CLONE_THREAD: u64 = 0x10000;
pub const CLONE_SYSVSEM: u64 = 0x40000;
pub const CLONE_SETTLS: u64 = 0x80000;
pub const CLONE_PARENT_SETTID: u64 = 0x0010_0000;
pub const CLONE_CHILD_CLEARTID: u64 = 0x0020_0000;
pub const CLONE_CHILD_SETTID: u64 = 0x0100_0000;
/// `clone_args` as first published (up to `tls`).
pub const CLONE_ARGS_SIZE_VER0: usize = 64;

pub const SCHED_OTHER: u32 = 0;
pub const SCHED_FIFO: u32 = 1;
pub const SCHED_RR: u32 = 2;
pub const SCHED_BATCH: u32 = 3;
pub const SCHED_IDLE: u32 = 5;
/// `sched_attr` as first published (up to `sched_period`).
pub const SCHED_ATTR_SIZE_VER0: usize = 48;

/// The most groups `setgroups` accepts.
pub const NGROUPS_MAX: usize = 65536;

// ---------------------------------------------------------------------------
// Time

/// `struct timespec`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, UserCopy, SyscallTrace)]
#[repr(C)]
pub struct Timespec {
    pub tv_sec: i64,
    pub tv_nsec: i64,
}

/// `struct timeval`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, UserCopy, SyscallTrace)]
#[repr(C)]
pub struct Timeval {
    pub tv_sec: i64,
    pub tv_usec: i64,
}

/// `struct timezone` (obsolete, still copied out by `gettimeofday`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, UserCopy, SyscallTrace)]
#[repr(C)]
pub struct Timezone {
    pub tz_minuteswest: i32,
    pub tz_dsttime: i32,
}

/// `struct itimerval` (`setitimer`, `getitimer`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, UserCopy, SyscallTrace)]
#[repr(C)]
pub struct Itimerval {
    pub it_interval: Timeval,
    pub it_value: Timeval,
}

/// `struct itimerspec` (`timer_settime`, `timer_gettime`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, UserCopy, SyscallTrace)]
#[repr(C)]
pub struct Itimerspec {
    pub it_interval: Timespec,
    pub it_value: Timespec,
}

/// `struct tms` (`times`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, UserCopy, SyscallTrace)]
#[repr(C)]
pub struct Tms {
    pub tms_utime: i64,
    pub tms_stime: i64,
    pub tms_cutime: i64,
    pub tms_cstime: i64,
}

// ---------------------------------------------------------------------------
// Resources and system information

/// `struct rlimit` (also `prlimit64`'s `struct rlimit64`, the same on
/// x86_64).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, UserCopy)]
#[repr(C)]
pub struct Rlimit {
    pub rlim_cur: u64,
    pub rlim_max: u64,
}

/// strace's `{rlim_cur=1024, rlim_max=RLIM64_INFINITY}`.
impl axptr::syscall::SyscallTrace for Rlimit {
    fn fmt_trace(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let limit = |value: u64, f: &mut fmt::Formatter<'_>| match value {
            RLIM_INFINITY => f.write_str("RLIM64_INFINITY"),
            value => write!(f, "{value}"),
        };
        f.write_str("{rlim_cur=")?;
        limit(self.rlim_cur, f)?;
        f.write_str(", rlim_max=")?;
        limit(self.rlim_max, f)?;
        f.write_str("}")
    }
}

/// `struct rusage`: two times and fourteen `long`s (strace shows the
/// times and the first of them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, UserCopy, SyscallTrace)]
#[repr(C)]
pub struct Rusage {
    pub ru_utime: Timeval,
    pub ru_stime: Timeval,
    pub ru_maxrss: i64,
    #[trace(skip)]
    pub ru_ixrss: i64,
    #[trace(skip)]
    pub ru_idrss: i64,
    #[trace(skip)]
    pub ru_isrss: i64,
    #[trace(skip)]
    pub ru_minflt: i64,
    #[trace(skip)]
    pub ru_majflt: i64,
    #[trace(skip)]
    pub ru_nswap: i64,
    #[trace(skip)]
    pub ru_inblock: i64,
    #[trace(skip)]
    pub ru_oublock: i64,
    #[trace(skip)]
    pub ru_msgsnd: i64,
    #[trace(skip)]
    pub ru_msgrcv: i64,
    #[trace(skip)]
    pub ru_nsignals: i64,
    pub ru_nvcsw: i64,
    #[trace(skip)]
    pub ru_nivcsw: i64,
}

/// The length of each `struct utsname` field.
pub const UTS_LEN: usize = 65;

/// `struct new_utsname` (`uname`): six NUL-terminated fields.
#[derive(Clone, Copy, Debug, UserCopy, SyscallTrace)]
#[repr(C)]
pub struct Utsname {
    #[trace(str)]
    pub sysname: [u8; UTS_LEN],
    #[trace(str)]
    pub nodename: [u8; UTS_LEN],
    #[trace(str)]
    pub release: [u8; UTS_LEN],
    #[trace(skip)]
    pub version: [u8; UTS_LEN],
    #[trace(str)]
    pub machine: [u8; UTS_LEN],
    #[trace(skip)]
    pub domainname: [u8; UTS_LEN],
}

/// `struct sysinfo`: on x86_64 the `u16` pair before `totalhigh` and the
/// `mem_unit` at the end leave four bytes of padding each, named here.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, UserCopy, SyscallTrace)]
#[repr(C)]
pub struct Sysinfo {
    pub uptime: i64,
    #[trace(skip)]
    pub loads: [u64; 3],
    pub totalram: u64,
    pub freeram: u64,
    #[trace(skip)]
    pub sharedram: u64,
    #[trace(skip)]
    pub bufferram: u64,
    #[trace(skip)]
    pub totalswap: u64,
    #[trace(skip)]
    pub freeswap: u64,
    pub procs: u16,
    #[trace(skip)]
    pub pad: u16,
    #[trace(skip)]
    pub _pad_totalhigh: [u8; 4],
    #[trace(skip)]
    pub totalhigh: u64,
    #[trace(skip)]
    pub freehigh: u64,
    pub mem_unit: u32,
    #[trace(skip)]
    pub _pad_end: [u8; 4],
}

// ---------------------------------------------------------------------------
// Files

/// `struct stat` of x86_64 (`fstat`, `newfstatat`): `__pad0` after the ids
/// and three unused `long`s at the end.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, UserCopy, SyscallTrace)]
#[repr(C)]
pub struct Stat {
    #[trace(skip)]
    pub st_dev: u64,
    pub st_ino: u64,
    pub st_nlink: u64,
    #[trace(oct)]
    pub st_mode: u32,
    #[trace(skip)]
    pub st_uid: u32,
    #[trace(skip)]
    pub st_gid: u32,
    #[trace(skip)]
    pub __pad0: i32,
    #[trace(skip)]
    pub st_rdev: u64,
    pub st_size: i64,
    #[trace(skip)]
    pub st_blksize: i64,
    #[trace(skip)]
    pub st_blocks: i64,
    #[trace(skip)]
    pub st_atime: i64,
    #[trace(skip)]
    pub st_atime_nsec: i64,
    #[trace(skip)]
    pub st_mtime: i64,
    #[trace(skip)]
    pub st_mtime_nsec: i64,
    #[trace(skip)]
    pub st_ctime: i64,
    #[trace(skip)]
    pub st_ctime_nsec: i64,
    #[trace(skip)]
    pub __unused: [i64; 3],
}

/// `struct statx_timestamp`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, UserCopy, SyscallTrace)]
#[repr(C)]
pub struct StatxTimestamp {
    pub tv_sec: i64,
    pub tv_nsec: u32,
    #[trace(skip)]
    pub __reserved: i32,
}

/// `struct statx` (256 bytes, spare words at the end).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, UserCopy, SyscallTrace)]
#[repr(C)]
pub struct Statx {
    #[trace(hex)]
    pub stx_mask: u32,
    #[trace(skip)]
    pub stx_blksize: u32,
    #[trace(skip)]
    pub stx_attributes: u64,
    pub stx_nlink: u32,
    #[trace(skip)]
    pub stx_uid: u32,
    #[trace(skip)]
    pub stx_gid: u32,
    #[trace(oct)]
    pub stx_mode: u16,
    #[trace(skip)]
    pub __spare0: u16,
    pub stx_ino: u64,
    pub stx_size: u64,
    #[trace(skip)]
    pub stx_blocks: u64,
    #[trace(skip)]
    pub stx_attributes_mask: u64,
    #[trace(skip)]
    pub stx_atime: StatxTimestamp,
    #[trace(skip)]
    pub stx_btime: StatxTimestamp,
    #[trace(skip)]
    pub stx_ctime: StatxTimestamp,
    #[trace(skip)]
    pub stx_mtime: StatxTimestamp,
    #[trace(skip)]
    pub stx_rdev_major: u32,
    #[trace(skip)]
    pub stx_rdev_minor: u32,
    #[trace(skip)]
    pub stx_dev_major: u32,
    #[trace(skip)]
    pub stx_dev_minor: u32,
    #[trace(skip)]
    pub stx_mnt_id: u64,
    #[trace(skip)]
    pub stx_dio_mem_align: u32,
    #[trace(skip)]
    pub stx_dio_offset_align: u32,
    #[trace(skip)]
    pub __spare3: [u64; 12],
}

/// `struct statfs` of x86_64 (`statfs`, `fstatfs`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, UserCopy, SyscallTrace)]
#[repr(C)]
pub struct Statfs {
    #[trace(hex)]
    pub f_type: i64,
    pub f_bsize: i64,
    pub f_blocks: u64,
    pub f_bfree: u64,
    #[trace(skip)]
    pub f_bavail: u64,
    #[trace(skip)]
    pub f_files: u64,
    #[trace(skip)]
    pub f_ffree: u64,
    #[trace(skip)]
    pub f_fsid: [i32; 2],
    pub f_namelen: i64,
    #[trace(skip)]
    pub f_frsize: i64,
    #[trace(skip)]
    pub f_flags: i64,
    #[trace(skip)]
    pub f_spare: [i64; 4],
}

/// `tmpfs`'s magic number (`f_type`).
pub const TMPFS_MAGIC: i64 = 0x0102_1994;

/// The fixed head of a `struct linux_dirent64` record (`getdents64`); the
/// name follows, NUL-terminated, and the record is padded to 8 bytes.
/// Packed: the C structure's `d_name[]` starts at byte 19.
#[derive(Clone, Copy, Debug, Default, UserCopy)]
#[repr(C, packed)]
pub struct Dirent64Head {
    pub d_ino: u64,
    pub d_off: i64,
    pub d_reclen: u16,
    pub d_type: u8,
}

/// `struct open_how` (`openat2`), an extensible structure.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, UserCopy, SyscallTrace)]
#[repr(C)]
pub struct OpenHow {
    #[trace(hex)]
    pub flags: u64,
    #[trace(oct)]
    pub mode: u64,
    #[trace(hex)]
    pub resolve: u64,
}

/// `struct flock` (`fcntl(F_GETLK)`, `F_SETLK`): padding after `l_whence`
/// and after `l_pid`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, UserCopy, SyscallTrace)]
#[repr(C)]
pub struct Flock {
    pub l_type: i16,
    pub l_whence: i16,
    #[trace(skip)]
    pub _pad0: [u8; 4],
    pub l_start: i64,
    pub l_len: i64,
    pub l_pid: i32,
    #[trace(skip)]
    pub _pad1: [u8; 4],
}

/// The kernel's `struct termios` (`TCGETS`, `TCSETS`), not glibc's larger
/// one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, UserCopy, SyscallTrace)]
#[repr(C)]
pub struct Termios {
    #[trace(hex)]
    pub c_iflag: u32,
    #[trace(hex)]
    pub c_oflag: u32,
    #[trace(hex)]
    pub c_cflag: u32,
    #[trace(hex)]
    pub c_lflag: u32,
    #[trace(skip)]
    pub c_line: u8,
    #[trace(skip)]
    pub c_cc: [u8; 19],
}

/// `struct winsize` (`TIOCGWINSZ`, `TIOCSWINSZ`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, UserCopy, SyscallTrace)]
#[repr(C)]
pub struct Winsize {
    pub ws_row: u16,
    pub ws_col: u16,
    pub ws_xpixel: u16,
    pub ws_ypixel: u16,
}

// ---------------------------------------------------------------------------
// Signals

/// The kernel's `struct sigaction` on x86_64 (`rt_sigaction`): handler,
/// flags, restorer, mask; not glibc's layout.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, UserCopy, SyscallTrace)]
#[repr(C)]
pub struct Sigaction {
    #[trace(hex)]
    pub sa_handler: usize,
    #[trace(hex)]
    pub sa_flags: u64,
    #[trace(hex)]
    pub sa_restorer: usize,
    pub sa_mask: SigSet,
}

/// `stack_t` (`sigaltstack`): padding after `ss_flags`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, UserCopy, SyscallTrace)]
#[repr(C)]
pub struct StackT {
    #[trace(hex)]
    pub ss_sp: usize,
    pub ss_flags: i32,
    #[trace(skip)]
    pub _pad: [u8; 4],
    pub ss_size: usize,
}

/// An `int` in an 8-byte union slot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, UserCopy)]
#[repr(C)]
pub struct IntSlot {
    pub value: i32,
    pub _pad: [u8; 4],
}

/// `union sigval`: an `int` or a pointer.
#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
pub union Sigval {
    pub sival_int: IntSlot,
    pub sival_ptr: u64,
}

impl Sigval {
    pub const fn ptr(value: u64) -> Self {
        Self { sival_ptr: value }
    }

    /// The value as the pointer member (every bit of the union is in it).
    pub const fn as_u64(self) -> u64 {
        // SAFETY: `sival_ptr` covers all eight bytes of the union, and both
        // members are plain data (UserCopy: no padding, any bytes valid),
        // so it holds the bytes of whichever member was written.
        unsafe { self.sival_ptr }
    }
}

impl fmt::Debug for Sigval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sigval({:#x})", self.as_u64())
    }
}

/// The size of `siginfo_t`'s union of per-signal fields.
pub const SI_FIELDS_LEN: usize = 112;

/// `_kill`: `kill`, `tgkill`, `sigqueue` senders.
#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
pub struct SiKill {
    pub si_pid: i32,
    pub si_uid: u32,
    pub _pad: [u8; SI_FIELDS_LEN - 8],
}

/// `_timer`: POSIX timers.
#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
pub struct SiTimer {
    pub si_tid: i32,
    pub si_overrun: i32,
    pub si_value: Sigval,
    pub _pad: [u8; SI_FIELDS_LEN - 16],
}

/// `_rt`: `sigqueue`, with a value.
#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
pub struct SiRt {
    pub si_pid: i32,
    pub si_uid: u32,
    pub si_value: Sigval,
    pub _pad: [u8; SI_FIELDS_LEN - 16],
}

/// `_sigchld`: a child's status change.
#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
pub struct SiChld {
    pub si_pid: i32,
    pub si_uid: u32,
    pub si_status: i32,
    pub _pad0: [u8; 4],
    pub si_utime: i64,
    pub si_stime: i64,
    pub _pad: [u8; SI_FIELDS_LEN - 32],
}

/// `_sigfault`: the faulting address.
#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
pub struct SiFault {
    pub si_addr: u64,
    pub _pad: [u8; SI_FIELDS_LEN - 8],
}

/// The per-signal union of `siginfo_t`, each member padded to its size.
#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
pub union SiFields {
    pub kill: SiKill,
    pub timer: SiTimer,
    pub rt: SiRt,
    pub sigchld: SiChld,
    pub sigfault: SiFault,
    pub raw: [u8; SI_FIELDS_LEN],
}

/// `siginfo_t`: 128 bytes, three `int`s, padding to 8, then the union.
#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
pub struct Siginfo {
    pub si_signo: i32,
    pub si_errno: i32,
    pub si_code: i32,
    pub _pad: [u8; 4],
    pub fields: SiFields,
}

impl Siginfo {
    /// A signal sent by `kill` from `pid`.
    pub const fn user(signo: u32, code: i32, pid: i32, uid: u32) -> Self {
        Self::with(
            signo,
            code,
            SiFields {
                kill: SiKill {
                    si_pid: pid,
                    si_uid: uid,
                    _pad: [0; SI_FIELDS_LEN - 8],
                },
            },
        )
    }

    /// A POSIX timer's expiry.
    pub const fn timer(signo: u32, tid: i32, overrun: i32, value: Sigval) -> Self {
        Self::with(
            signo,
            SI_TIMER,
            SiFields {
                timer: SiTimer {
                    si_tid: tid,
                    si_overrun: overrun,
                    si_value: value,
                    _pad: [0; SI_FIELDS_LEN - 16],
                },
            },
        )
    }

    const fn with(signo: u32, code: i32, fields: SiFields) -> Self {
        Self {
            si_signo: signo as i32,
            si_errno: 0,
            si_code: code,
            _pad: [0; 4],
            fields,
        }
    }

    /// The union's bytes (every member covers all of them).
    pub const fn raw(&self) -> [u8; SI_FIELDS_LEN] {
        // SAFETY: `raw` covers all of the union, whose members are plain
        // data (UserCopy: no padding, any bytes valid).
        unsafe { self.fields.raw }
    }

    fn word(&self, offset: usize) -> i32 {
        let raw = self.raw();
        let mut bytes = [0; 4];
        if let Some(word) = raw.get(offset..offset + 4) {
            bytes.copy_from_slice(word);
        }
        i32::from_ne_bytes(bytes)
    }

    fn dword(&self, offset: usize) -> u64 {
        let raw = self.raw();
        let mut bytes = [0; 8];
        if let Some(word) = raw.get(offset..offset + 8) {
            bytes.copy_from_slice(word);
        }
        u64::from_ne_bytes(bytes)
    }
}

impl fmt::Debug for Siginfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_trace(f)
    }
}

/// strace's rendering: which member is live depends on `si_code`.
impl axptr::syscall::SyscallTrace for Siginfo {
    fn fmt_trace(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{si_signo=")?;
        fmt_signal(self.si_signo, f)?;
        f.write_str(", si_code=")?;
        match self.si_code {
            SI_USER => f.write_str("SI_USER")?,
            SI_QUEUE => f.write_str("SI_QUEUE")?,
            SI_TKILL => f.write_str("SI_TKILL")?,
            SI_TIMER => f.write_str("SI_TIMER")?,
            SI_KERNEL => f.write_str("SI_KERNEL")?,
            code => write!(f, "{code}")?,
        }
        match self.si_code {
            SI_TIMER => write!(
                f,
                ", si_timerid={}, si_overrun={}, si_value={{sival_int={}, sival_ptr={:#x}}}}}",
                self.word(0),
                self.word(4),
                self.word(8),
                self.dword(8),
            ),
            SI_QUEUE => write!(
                f,
                ", si_pid={}, si_uid={}, si_value={{sival_int={}, sival_ptr={:#x}}}}}",
                self.word(0),
                self.word(4) as u32,
                self.word(8),
                self.dword(8),
            ),
            _ => write!(
                f,
                ", si_pid={}, si_uid={}}}",
                self.word(0),
                self.word(4) as u32
            ),
        }
    }
}

/// `sigev_un` of `struct sigevent`: a thread id, or padding to 48 bytes.
#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
pub union SigevUn {
    pub pad: [i32; 12],
    pub tid: SigevTid,
}

/// `_tid` of `sigev_un` (`SIGEV_THREAD_ID`), padded.
#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
pub struct SigevTid {
    pub tid: i32,
    pub _pad: [i32; 11],
}

/// `struct sigevent` (`timer_create`): 64 bytes.
#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
pub struct Sigevent {
    pub sigev_value: Sigval,
    pub sigev_signo: i32,
    pub sigev_notify: i32,
    pub sigev_un: SigevUn,
}

impl Sigevent {
    /// `sigev_un._tid` (meaningful for `SIGEV_THREAD_ID`).
    pub const fn thread_id(&self) -> i32 {
        // SAFETY: `tid` covers all of `sigev_un`, whose members are plain
        // data (UserCopy: no padding, any bytes valid).
        unsafe { self.sigev_un.tid.tid }
    }

    pub const fn signal(signo: u32, value: u64) -> Self {
        Self {
            sigev_value: Sigval::ptr(value),
            sigev_signo: signo as i32,
            sigev_notify: SIGEV_SIGNAL,
            sigev_un: SigevUn { pad: [0; 12] },
        }
    }
}

/// strace's `{sigev_value={sival_int=…, sival_ptr=…}, sigev_signo=SIGALRM,
/// sigev_notify=SIGEV_SIGNAL}`.
impl axptr::syscall::SyscallTrace for Sigevent {
    fn fmt_trace(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = self.sigev_value.as_u64();
        write!(
            f,
            "{{sigev_value={{sival_int={}, sival_ptr={value:#x}}}, sigev_signo=",
            value as u32 as i32
        )?;
        fmt_signal(self.sigev_signo, f)?;
        f.write_str(", sigev_notify=")?;
        match self.sigev_notify {
            SIGEV_SIGNAL => f.write_str("SIGEV_SIGNAL}"),
            SIGEV_NONE => f.write_str("SIGEV_NONE}"),
            SIGEV_THREAD_ID => f.write_str("SIGEV_THREAD_ID}"),
            other => write!(f, "{other}}}"),
        }
    }
}

/// `SIGINT`, `SIGRTMIN`, `SIGRT_3`, or the number.
pub fn fmt_signal(sig: i32, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    const NAMES: [&str; 31] = [
        "SIGHUP",
        "SIGINT",
        "SIGQUIT",
        "SIGILL",
        "SIGTRAP",
        "SIGABRT",
        "SIGBUS",
        "SIGFPE",
        "SIGKILL",
        "SIGUSR1",
        "SIGSEGV",
        "SIGUSR2",
        "SIGPIPE",
        "SIGALRM",
        "SIGTERM",
        "SIGSTKFLT",
        "SIGCHLD",
        "SIGCONT",
        "SIGSTOP",
        "SIGTSTP",
        "SIGTTIN",
        "SIGTTOU",
        "SIGURG",
        "SIGXCPU",
        "SIGXFSZ",
        "SIGVTALRM",
        "SIGPROF",
        "SIGWINCH",
        "SIGIO",
        "SIGPWR",
        "SIGSYS",
    ];
    match usize::try_from(sig)
        .ok()
        .and_then(|n| NAMES.get(n.wrapping_sub(1)))
    {
        Some(name) => f.write_str(name),
        None if sig == 32 => f.write_str("SIGRTMIN"),
        None if (33..=64).contains(&sig) => write!(f, "SIGRT_{}", sig - 32),
        None => write!(f, "{sig}"),
    }
}

// ---------------------------------------------------------------------------
// Polling

/// `epoll_data`: a pointer-sized cookie, or an `int` file descriptor.
#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
pub union EpollData {
    pub u64: u64,
    pub fd: IntSlot,
}

impl EpollData {
    pub const fn as_u64(self) -> u64 {
        // SAFETY: `u64` covers all of the union, whose members are plain
        // data (UserCopy: no padding, any bytes valid).
        unsafe { self.u64 }
    }
}

/// `struct epoll_event`: packed on x86_64 (12 bytes), so `data` is
/// 4-aligned. Its trace is written by hand: the derive would take
/// references to the packed fields.
#[derive(Clone, Copy, UserCopy)]
#[repr(C, packed)]
pub struct EpollEvent {
    pub events: u32,
    pub data: EpollData,
}

impl EpollEvent {
    pub const fn new(events: u32, data: u64) -> Self {
        Self {
            events,
            data: EpollData { u64: data },
        }
    }

    pub const fn data_u64(self) -> u64 {
        let data = self.data;
        data.as_u64()
    }
}

impl fmt::Debug for EpollEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_trace(f)
    }
}

impl axptr::syscall::SyscallTrace for EpollEvent {
    fn fmt_trace(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Copies of the packed fields, never references.
        let (events, data) = (self.events, self.data_u64());
        f.write_str("{events=")?;
        fmt_flags(
            u64::from(events),
            &[
                (u64::from(EPOLLIN), "EPOLLIN"),
                (u64::from(EPOLLOUT), "EPOLLOUT"),
                (u64::from(EPOLLERR), "EPOLLERR"),
                (u64::from(EPOLLHUP), "EPOLLHUP"),
            ],
            f,
        )?;
        write!(f, ", data={{u32={}, u64={data}}}}}", data as u32)
    }
}

/// `struct pollfd` (`poll`, `ppoll`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, UserCopy, SyscallTrace)]
#[repr(C)]
pub struct Pollfd {
    pub fd: i32,
    #[trace(hex)]
    pub events: i16,
    #[trace(hex)]
    pub revents: i16,
}

/// `pselect6`'s sixth argument: a pointer to the sigset and its size.
#[derive(Clone, Copy, Debug, UserCopy, SyscallTrace)]
#[repr(C)]
pub struct SigsetArg {
    pub ss: UserConstPtr<SigSet>,
    pub ss_len: usize,
}

// ---------------------------------------------------------------------------
// Sockets

/// `struct sockaddr_un` (110 bytes: the family and a 108-byte path).
#[derive(Clone, Copy, Debug, UserCopy, SyscallTrace)]
#[repr(C)]
pub struct SockaddrUn {
    pub sun_family: u16,
    #[trace(str)]
    pub sun_path: [u8; 108],
}

/// `struct msghdr` (`sendmsg`, `recvmsg`): padding after `msg_namelen` and
/// after `msg_flags`; three user pointers inside.
#[derive(Clone, Copy, Debug, UserCopy, SyscallTrace)]
#[repr(C)]
pub struct Msghdr {
    pub msg_name: UserPtr<u8>,
    pub msg_namelen: u32,
    #[trace(skip)]
    pub _pad0: [u8; 4],
    pub msg_iov: UserConstPtr<IoVec>,
    pub msg_iovlen: usize,
    pub msg_control: UserPtr<u8>,
    pub msg_controllen: usize,
    #[trace(hex)]
    pub msg_flags: u32,
    #[trace(skip)]
    pub _pad1: [u8; 4],
}

/// `struct ucred` (`SO_PEERCRED`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, UserCopy, SyscallTrace)]
#[repr(C)]
pub struct Ucred {
    pub pid: i32,
    pub uid: u32,
    pub gid: u32,
}

// ---------------------------------------------------------------------------
// Tasks

/// `struct clone_args` (`clone3`), an extensible structure: 88 bytes
/// today, 64 as first published.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, UserCopy, SyscallTrace)]
#[repr(C)]
pub struct CloneArgs {
    #[trace(hex)]
    pub flags: u64,
    #[trace(hex)]
    pub pidfd: u64,
    #[trace(hex)]
    pub child_tid: u64,
    #[trace(hex)]
    pub parent_tid: u64,
    pub exit_signal: u64,
    #[trace(hex)]
    pub stack: u64,
    pub stack_size: u64,
    #[trace(hex)]
    pub tls: u64,
    #[trace(skip)]
    pub set_tid: u64,
    #[trace(skip)]
    pub set_tid_size: u64,
    #[trace(skip)]
    pub cgroup: u64,
}

/// `struct sched_attr` (`sched_setattr`, `sched_getattr`): extensible,
/// with its size as its first field.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, UserCopy, SyscallTrace)]
#[repr(C)]
pub struct SchedAttr {
    pub size: u32,
    pub sched_policy: u32,
    #[trace(hex)]
    pub sched_flags: u64,
    pub sched_nice: i32,
    pub sched_priority: u32,
    #[trace(skip)]
    pub sched_runtime: u64,
    #[trace(skip)]
    pub sched_deadline: u64,
    #[trace(skip)]
    pub sched_period: u64,
    #[trace(skip)]
    pub sched_util_min: u32,
    #[trace(skip)]
    pub sched_util_max: u32,
}

/// `struct sched_param` (`sched_setparam`, `sched_getparam`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, UserCopy, SyscallTrace)]
#[repr(C)]
pub struct SchedParam {
    pub sched_priority: i32,
}

/// `struct robust_list_head` (`set_robust_list`): the list, the offset of
/// the futex word in each entry, and the entry being changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, UserCopy, SyscallTrace)]
#[repr(C)]
pub struct RobustListHead {
    #[trace(hex)]
    pub list: usize,
    pub futex_offset: i64,
    #[trace(hex)]
    pub list_op_pending: usize,
}

// ---------------------------------------------------------------------------
// Linux's sizes (and the libc comparisons in tests/linux_example.rs)

const _: () = {
    assert!(size_of::<Timespec>() == 16);
    assert!(size_of::<Timeval>() == 16);
    assert!(size_of::<Timezone>() == 8);
    assert!(size_of::<Itimerval>() == 32);
    assert!(size_of::<Itimerspec>() == 32);
    assert!(size_of::<Tms>() == 32);
    assert!(size_of::<Rlimit>() == 16);
    assert!(size_of::<Rusage>() == 144);
    assert!(size_of::<Utsname>() == 390);
    assert!(size_of::<Sysinfo>() == 112);
    assert!(size_of::<Stat>() == 144);
    assert!(size_of::<Statx>() == 256);
    assert!(size_of::<Statfs>() == 120);
    assert!(size_of::<Dirent64Head>() == 19);
    assert!(size_of::<OpenHow>() == OPEN_HOW_SIZE_VER0);
    assert!(size_of::<Flock>() == 32);
    assert!(size_of::<Termios>() == 36);
    assert!(size_of::<Winsize>() == 8);
    assert!(size_of::<Sigaction>() == 32);
    assert!(size_of::<StackT>() == 24);
    assert!(size_of::<Sigval>() == 8);
    assert!(size_of::<Siginfo>() == 128);
    assert!(size_of::<Sigevent>() == 64);
    assert!(size_of::<EpollEvent>() == 12);
    assert!(size_of::<Pollfd>() == 8);
    assert!(size_of::<SigsetArg>() == 16);
    assert!(size_of::<IoVec>() == 16);
    assert!(size_of::<SockaddrUn>() == 110);
    assert!(size_of::<Msghdr>() == 56);
    assert!(size_of::<Ucred>() == 12);
    assert!(size_of::<CloneArgs>() == 88);
    assert!(size_of::<SchedAttr>() == 56);
    assert!(size_of::<SchedParam>() == 4);
    assert!(size_of::<RobustListHead>() == 24);
    assert!(size_of::<SigSet>() == 8);
};

// ---------------------------------------------------------------------------
// Rendering helpers

/// `A|B|0x40`: the named bits, then what is left in hex; `0` for none.
pub fn fmt_flags(value: u64, names: &[(u64, &str)], f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let mut rest = value;
    let mut first = true;
    for &(bit, name) in names {
        if bit != 0 && rest & bit == bit {
            if !first {
                f.write_str("|")?;
            }
            f.write_str(name)?;
            first = false;
            rest &= !bit;
        }
    }
    match (first, rest) {
        (true, rest) => write!(f, "{rest:#x}"),
        (false, 0) => Ok(()),
        (false, rest) => write!(f, "|{rest:#x}"),
    }
}

// ---------------------------------------------------------------------------
// The catalogue: which kind expresses each pointer argument

/// How a `#[syscall]` handler takes a pointer argument (the patterns of the
/// Linux ABI).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// `#[len = n] buf: UserReader` / `UserWriter`: a byte transfer that
    /// may stop short.
    Transfer,
    /// `#[len = n] iov: IoVecReader` / `IoVecWriter`: an iovec array with
    /// `import_iovec`'s rules.
    IoVecs,
    /// `&T` / `Option<&T>`: a structure copied in.
    StructIn,
    /// `#[out] &mut T` / `Option<&mut T>`: a structure copied out after `Ok`.
    StructOut,
    /// `#[inout] &mut T` / `Option<&mut T>`: copied in, and back out after
    /// `Ok`.
    StructInOut,
    /// `#[len = n] &[T]`: an array copied in.
    SliceIn,
    /// `#[len = n] &mut [T]` (`#[inout]` too): an array copied out (the
    /// prefix the result counts).
    SliceOut,
    /// `SigSetSize` register, or `#[size = n] Option<&SigSet>`.
    SigSet,
    /// `RawArg`: a register whose meaning depends on another (`ioctl`,
    /// `fcntl`, `prctl`, `futex`, `epoll_ctl`), converted by the body with
    /// `RawArg`'s methods.
    Raw,
    /// `#[size = n] Extensible<T, MIN>`: `copy_struct_from_user`.
    Extensible,
    /// `&CStr` / `Option<&CStr>`: a path (`PATH_MAX`, `ENAMETOOLONG`).
    Path,
    /// `#[cstr(max = …, err = …)] &CStr`: a name with its own limit.
    LimitedStr,
    /// `&[CString]`: `argv` / `envp`.
    StrArray,
    /// `#[len = nfds] Option<&mut FdSet>`: a `select` bitmap.
    FdSet,
    /// `#[len = addrlen] &mut SockAddrOut` / `&mut SockOptOut<N>` (or
    /// their `Option`s) with `addrlen: SockLenPtr`: a buffer whose capacity
    /// is in user memory (`socklen_t *`), read, cut to and written back
    /// after `Ok`.
    LenPtr,
    /// `Option<UserPtr<T>>` kept by the kernel and written at exit
    /// (`set_tid_address`, `set_robust_list`).
    Stored,
    /// A kind this kernel defines with axptr's public traits
    /// (`kernel/own.rs`): `PendingSet`, `SockAddrIn`, `ExtensibleOut`,
    /// `SigmaskArgpack`, `AcceptAddr`.
    Own,
    /// `UserPtr<T>` used by the body: a pattern no kind expresses (see
    /// [`Body::Pointer`]).
    Ptr,
}

impl Kind {
    pub const ALL: [Kind; 18] = [
        Kind::Transfer,
        Kind::IoVecs,
        Kind::StructIn,
        Kind::StructOut,
        Kind::StructInOut,
        Kind::SliceIn,
        Kind::SliceOut,
        Kind::SigSet,
        Kind::Raw,
        Kind::Extensible,
        Kind::Path,
        Kind::LimitedStr,
        Kind::StrArray,
        Kind::FdSet,
        Kind::LenPtr,
        Kind::Stored,
        Kind::Own,
        Kind::Ptr,
    ];

    /// The kind as a handler writes it.
    pub const fn spelling(self) -> &'static str {
        match self {
            Kind::Transfer => "#[len] UserReader / UserWriter",
            Kind::IoVecs => "#[len] IoVecReader / IoVecWriter",
            Kind::StructIn => "&T, Option<&T>",
            Kind::StructOut => "#[out] &mut T, Option<&mut T>",
            Kind::StructInOut => "#[inout] &mut T, Option<&mut T>",
            Kind::SliceIn => "#[len] &[T]",
            Kind::SliceOut => "#[len] &mut [T]",
            Kind::SigSet => "SigSetSize, #[size] Option<&SigSet>",
            Kind::Raw => "RawArg",
            Kind::Extensible => "#[size] Extensible<T, MIN>",
            Kind::Path => "&CStr, Option<&CStr>",
            Kind::LimitedStr => "#[cstr(max, err)] &CStr",
            Kind::StrArray => "&[CString]",
            Kind::FdSet => "#[len] Option<&mut FdSet>",
            Kind::LenPtr => "#[len] &mut SockAddrOut / SockOptOut",
            Kind::Stored => "Option<UserPtr<T>> (kept)",
            Kind::Own => "the kernel's own kind",
            Kind::Ptr => "UserPtr<T> (body)",
        }
    }
}

/// What the handler's body does with user memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Body {
    /// Nothing but the kinds' own interfaces (cursors, `RawArg`'s
    /// conversions, a kept pointer): the entry converts every argument.
    Kinds,
    /// A copy the kinds cannot express, and why.
    Pointer(&'static str),
}

/// One syscall of the catalogue.
#[derive(Clone, Copy, Debug)]
pub struct Entry {
    pub nr: usize,
    pub name: &'static str,
    /// The C prototype (man 2).
    pub proto: &'static str,
    /// Each pointer argument and its kind, in order.
    pub args: &'static [(&'static str, Kind)],
    pub body: Body,
}

impl Entry {
    pub fn takes_pointers(&self) -> bool {
        !self.args.is_empty()
    }

    pub fn uses(&self, kind: Kind) -> bool {
        self.args.iter().any(|&(_, k)| k == kind)
    }

    /// The body reaches user memory only through axptr's kinds.
    pub fn axptr_kinds_alone(&self) -> bool {
        self.body == Body::Kinds && !self.uses(Kind::Own)
    }

    /// The body reaches user memory only through kinds, the kernel's own
    /// included.
    pub fn kinds_alone(&self) -> bool {
        self.body == Body::Kinds
    }
}

/// One line per pointer argument: `  0 read  buf: #[len] UserReader / UserWriter`,
/// then the reason for the body's pointer calls, if any.
impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{:>3} {}", self.nr, self.proto)?;
        for (arg, kind) in self.args {
            writeln!(f, "      {arg:<12} {}", kind.spelling())?;
        }
        if let Body::Pointer(reason) = self.body {
            writeln!(f, "      body: {reason}")?;
        }
        Ok(())
    }
}

macro_rules! catalogue {
    ($($nr:ident $name:literal $proto:literal [$($arg:ident: $kind:ident),*] $body:expr;)*) => {
        /// Every syscall of the example kernel, in number order.
        pub const CATALOGUE: &[Entry] = &[$(
            Entry {
                nr: nr::$nr,
                name: $name,
                proto: $proto,
                args: &[$((stringify!($arg), Kind::$kind)),*],
                body: $body,
            },
        )*];
    };
}

const K: Body = Body::Kinds;
const SLEEP_REM: Body = Body::Pointer(
    "`rem` is written when the sleep is interrupted, i.e. on EINTR: #[out] copies out after Ok only",
);
const FD_COMMIT: Body = Body::Pointer(
    "Linux copies the new descriptors out before it installs them; #[out] copies after the body \
     installed them, too late to take them back on EFAULT: the body writes and undoes",
);

catalogue! {
    READ "read" "ssize_t read(int fd, void *buf, size_t count)" [buf: Transfer] K;
    WRITE "write" "ssize_t write(int fd, const void *buf, size_t count)" [buf: Transfer] K;
    CLOSE "close" "int close(int fd)" [] K;
    FSTAT "fstat" "int fstat(int fd, struct stat *statbuf)" [statbuf: StructOut] K;
    POLL "poll" "int poll(struct pollfd *fds, nfds_t nfds, int timeout)" [fds: SliceOut] K;
    LSEEK "lseek" "off_t lseek(int fd, off_t offset, int whence)" [] K;
    RT_SIGACTION "rt_sigaction"
        "int rt_sigaction(int sig, const struct sigaction *act, struct sigaction *oact, size_t sigsetsize)"
        [act: StructIn, oact: StructOut, sigsetsize: SigSet] K;
    RT_SIGPROCMASK "rt_sigprocmask"
        "int rt_sigprocmask(int how, const sigset_t *set, sigset_t *oset, size_t sigsetsize)"
        [set: StructIn, oset: StructOut, sigsetsize: SigSet] K;
    IOCTL "ioctl" "int ioctl(int fd, unsigned int cmd, unsigned long arg)" [arg: Raw] K;
    PREAD64 "pread64" "ssize_t pread64(int fd, void *buf, size_t count, off_t pos)" [buf: Transfer] K;
    PWRITE64 "pwrite64" "ssize_t pwrite64(int fd, const void *buf, size_t count, off_t pos)"
        [buf: Transfer] K;
    READV "readv" "ssize_t readv(int fd, const struct iovec *iov, int iovcnt)" [iov: IoVecs] K;
    WRITEV "writev" "ssize_t writev(int fd, const struct iovec *iov, int iovcnt)" [iov: IoVecs] K;
    SELECT "select"
        "int select(int nfds, fd_set *readfds, fd_set *writefds, fd_set *exceptfds, struct timeval *timeout)"
        [readfds: FdSet, writefds: FdSet, exceptfds: FdSet, timeout: StructInOut] K;
    DUP "dup" "int dup(int oldfd)" [] K;
    NANOSLEEP "nanosleep" "int nanosleep(const struct timespec *req, struct timespec *rem)"
        [req: StructIn, rem: Ptr] SLEEP_REM;
    GETITIMER "getitimer" "int getitimer(int which, struct itimerval *value)" [value: StructOut] K;
    SETITIMER "setitimer"
        "int setitimer(int which, const struct itimerval *value, struct itimerval *ovalue)"
        [value: StructIn, ovalue: StructOut] K;
    GETPID "getpid" "pid_t getpid(void)" [] K;
    SOCKET "socket" "int socket(int domain, int type, int protocol)" [] K;
    CONNECT "connect" "int connect(int fd, const struct sockaddr *addr, socklen_t addrlen)"
        [addr: SliceIn] K;
    SENDTO "sendto"
        "ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *addr, socklen_t addrlen)"
        [buf: Transfer, addr: Own] K;
    RECVFROM "recvfrom"
        "ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *addr, socklen_t *addrlen)"
        [buf: Transfer, addr: LenPtr, addrlen: LenPtr] K;
    SENDMSG "sendmsg" "ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)"
        [msg: StructIn] Body::Pointer(
            "`msg_iov` is a pointer inside the copied msghdr: the body imports that iovec array");
    RECVMSG "recvmsg" "ssize_t recvmsg(int fd, struct msghdr *msg, int flags)"
        [msg: StructInOut] Body::Pointer(
            "`msg_iov` and `msg_name` are pointers inside the msghdr: the body imports the iovecs \
             and writes the address");
    BIND "bind" "int bind(int fd, const struct sockaddr *addr, socklen_t addrlen)" [addr: SliceIn] K;
    LISTEN "listen" "int listen(int fd, int backlog)" [] K;
    GETSOCKNAME "getsockname" "int getsockname(int fd, struct sockaddr *addr, socklen_t *addrlen)"
        [addr: LenPtr, addrlen: LenPtr] K;
    GETPEERNAME "getpeername" "int getpeername(int fd, struct sockaddr *addr, socklen_t *addrlen)"
        [addr: LenPtr, addrlen: LenPtr] K;
    SOCKETPAIR "socketpair" "int socketpair(int domain, int type, int protocol, int sv[2])"
        [sv: Ptr] FD_COMMIT;
    SETSOCKOPT "setsockopt"
        "int setsockopt(int fd, int level, int optname, const void *optval, socklen_t optlen)"
        [optval: SliceIn] K;
    GETSOCKOPT "getsockopt"
        "int getsockopt(int fd, int level, int optname, void *optval, socklen_t *optlen)"
        [optval: LenPtr, optlen: LenPtr] K;
    EXECVE "execve" "int execve(const char *path, char *const argv[], char *const envp[])"
        [path: Path, argv: StrArray, envp: StrArray] K;
    WAIT4 "wait4" "pid_t wait4(pid_t pid, int *wstatus, int options, struct rusage *rusage)"
        [wstatus: StructOut, rusage: StructOut] K;
    KILL "kill" "int kill(pid_t pid, int sig)" [] K;
    UNAME "uname" "int uname(struct new_utsname *name)" [name: StructOut] K;
    FCNTL "fcntl" "int fcntl(int fd, unsigned int cmd, unsigned long arg)" [arg: Raw] K;
    TRUNCATE "truncate" "int truncate(const char *path, off_t length)" [path: Path] K;
    GETCWD "getcwd" "int getcwd(char *buf, unsigned long size)" [buf: Transfer] K;
    CHDIR "chdir" "int chdir(const char *path)" [path: Path] K;
    GETTIMEOFDAY "gettimeofday" "int gettimeofday(struct timeval *tv, struct timezone *tz)"
        [tv: StructOut, tz: StructOut] K;
    GETRLIMIT "getrlimit" "int getrlimit(unsigned int resource, struct rlimit *rlim)"
        [rlim: StructOut] K;
    GETRUSAGE "getrusage" "int getrusage(int who, struct rusage *ru)" [ru: StructOut] K;
    SYSINFO "sysinfo" "int sysinfo(struct sysinfo *info)" [info: StructOut] K;
    TIMES "times" "clock_t times(struct tms *tbuf)" [tbuf: StructOut] K;
    GETGROUPS "getgroups" "int getgroups(int size, gid_t list[])" [list: SliceOut] K;
    SETGROUPS "setgroups" "int setgroups(int size, const gid_t list[])" [list: SliceIn] K;
    GETRESUID "getresuid" "int getresuid(uid_t *ruid, uid_t *euid, uid_t *suid)"
        [ruid: StructOut, euid: StructOut, suid: StructOut] K;
    RT_SIGPENDING "rt_sigpending" "int rt_sigpending(sigset_t *set, size_t sigsetsize)"
        [set: Own] K;
    RT_SIGTIMEDWAIT "rt_sigtimedwait"
        "int rt_sigtimedwait(const sigset_t *set, siginfo_t *info, const struct timespec *timeout, size_t sigsetsize)"
        [set: StructIn, info: StructOut, timeout: StructIn, sigsetsize: SigSet] K;
    RT_SIGQUEUEINFO "rt_sigqueueinfo" "int rt_sigqueueinfo(pid_t pid, int sig, siginfo_t *info)"
        [info: StructIn] K;
    RT_SIGSUSPEND "rt_sigsuspend" "int rt_sigsuspend(const sigset_t *set, size_t sigsetsize)"
        [set: StructIn, sigsetsize: SigSet] K;
    SIGALTSTACK "sigaltstack" "int sigaltstack(const stack_t *ss, stack_t *old_ss)"
        [ss: StructIn, old_ss: StructOut] K;
    STATFS "statfs" "int statfs(const char *path, struct statfs *buf)" [path: Path, buf: StructOut] K;
    FSTATFS "fstatfs" "int fstatfs(int fd, struct statfs *buf)" [buf: StructOut] K;
    SCHED_SETPARAM "sched_setparam" "int sched_setparam(pid_t pid, const struct sched_param *param)"
        [param: StructIn] K;
    SCHED_GETPARAM "sched_getparam" "int sched_getparam(pid_t pid, struct sched_param *param)"
        [param: StructOut] K;
    SCHED_RR_GET_INTERVAL "sched_rr_get_interval"
        "int sched_rr_get_interval(pid_t pid, struct timespec *tp)" [tp: StructOut] K;
    PRCTL "prctl" "int prctl(int option, unsigned long arg2, unsigned long arg3, ...)" [arg2: Raw] K;
    SETRLIMIT "setrlimit" "int setrlimit(unsigned int resource, const struct rlimit *rlim)"
        [rlim: StructIn] K;
    SETHOSTNAME "sethostname" "int sethostname(const char *name, int len)" [name: SliceIn] K;
    GETTID "gettid" "pid_t gettid(void)" [] K;
    SETXATTR "setxattr"
        "int setxattr(const char *path, const char *name, const void *value, size_t size, int flags)"
        [path: Path, name: LimitedStr, value: SliceIn] K;
    GETXATTR "getxattr"
        "ssize_t getxattr(const char *path, const char *name, void *value, size_t size)"
        [path: Path, name: LimitedStr, value: Transfer] K;
    LISTXATTR "listxattr" "ssize_t listxattr(const char *path, char *list, size_t size)"
        [path: Path, list: Transfer] K;
    REMOVEXATTR "removexattr" "int removexattr(const char *path, const char *name)"
        [path: Path, name: LimitedStr] K;
    FUTEX "futex"
        "long futex(u32 *uaddr, int op, u32 val, const struct timespec *timeout, u32 *uaddr2, u32 val3)"
        [uaddr: Raw, timeout: Raw] K;
    SCHED_SETAFFINITY "sched_setaffinity"
        "int sched_setaffinity(pid_t pid, unsigned int len, const unsigned long *mask)"
        [mask: Transfer] K;
    SCHED_GETAFFINITY "sched_getaffinity"
        "int sched_getaffinity(pid_t pid, unsigned int len, unsigned long *mask)"
        [mask: Transfer] K;
    GETDENTS64 "getdents64" "ssize_t getdents64(int fd, void *dirp, size_t count)"
        [dirp: Transfer] K;
    SET_TID_ADDRESS "set_tid_address" "pid_t set_tid_address(int *tidptr)" [tidptr: Stored] K;
    TIMER_CREATE "timer_create"
        "int timer_create(clockid_t clockid, struct sigevent *sevp, timer_t *timerid)"
        [sevp: StructIn, timerid: Ptr] Body::Pointer(
            "Linux copies the timer id out before the timer exists for user space and destroys \
             it on EFAULT; #[out] copies after the body: the body writes and undoes");
    TIMER_SETTIME "timer_settime"
        "int timer_settime(timer_t timerid, int flags, const struct itimerspec *new, struct itimerspec *old)"
        [new: StructIn, old: StructOut] K;
    TIMER_GETTIME "timer_gettime" "int timer_gettime(timer_t timerid, struct itimerspec *curr)"
        [curr: StructOut] K;
    CLOCK_GETTIME "clock_gettime" "int clock_gettime(clockid_t clockid, struct timespec *tp)"
        [tp: StructOut] K;
    CLOCK_GETRES "clock_getres" "int clock_getres(clockid_t clockid, struct timespec *res)"
        [res: StructOut] K;
    CLOCK_NANOSLEEP "clock_nanosleep"
        "int clock_nanosleep(clockid_t clockid, int flags, const struct timespec *req, struct timespec *rem)"
        [req: StructIn, rem: Ptr] SLEEP_REM;
    EXIT_GROUP "exit_group" "void exit_group(int status)" [] K;
    EPOLL_WAIT "epoll_wait"
        "int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)"
        [events: SliceOut] K;
    EPOLL_CTL "epoll_ctl" "int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)"
        [event: Raw] K;
    OPENAT "openat" "int openat(int dirfd, const char *path, int flags, mode_t mode)" [path: Path] K;
    MKDIRAT "mkdirat" "int mkdirat(int dirfd, const char *path, mode_t mode)" [path: Path] K;
    NEWFSTATAT "newfstatat"
        "int newfstatat(int dirfd, const char *path, struct stat *statbuf, int flags)"
        [path: Path, statbuf: StructOut] K;
    UNLINKAT "unlinkat" "int unlinkat(int dirfd, const char *path, int flags)" [path: Path] K;
    RENAMEAT "renameat"
        "int renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath)"
        [oldpath: Path, newpath: Path] K;
    LINKAT "linkat"
        "int linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags)"
        [oldpath: Path, newpath: Path] K;
    SYMLINKAT "symlinkat" "int symlinkat(const char *target, int newdirfd, const char *linkpath)"
        [target: Path, linkpath: Path] K;
    READLINKAT "readlinkat"
        "ssize_t readlinkat(int dirfd, const char *path, char *buf, int bufsiz)"
        [path: Path, buf: Transfer] K;
    FCHMODAT "fchmodat" "int fchmodat(int dirfd, const char *path, mode_t mode)" [path: Path] K;
    FACCESSAT "faccessat" "int faccessat(int dirfd, const char *path, int mode)" [path: Path] K;
    PSELECT6 "pselect6"
        "int pselect6(int nfds, fd_set *readfds, fd_set *writefds, fd_set *exceptfds, struct timespec *timeout, void *sigmask)"
        [readfds: FdSet, writefds: FdSet, exceptfds: FdSet, timeout: StructInOut, sigmask: Own] K;
    PPOLL "ppoll"
        "int ppoll(struct pollfd *fds, nfds_t nfds, struct timespec *tsp, const sigset_t *sigmask, size_t sigsetsize)"
        [fds: SliceOut, tsp: StructInOut, sigmask: SigSet] K;
    SET_ROBUST_LIST "set_robust_list"
        "long set_robust_list(struct robust_list_head *head, size_t len)" [head: Stored] K;
    GET_ROBUST_LIST "get_robust_list"
        "long get_robust_list(int pid, struct robust_list_head **head, size_t *len)"
        [head: StructOut, len: StructOut] K;
    UTIMENSAT "utimensat"
        "int utimensat(int dirfd, const char *path, const struct timespec times[2], int flags)"
        [path: Path, times: StructIn] K;
    EPOLL_PWAIT "epoll_pwait"
        "int epoll_pwait(int epfd, struct epoll_event *events, int maxevents, int timeout, const sigset_t *sigmask, size_t sigsetsize)"
        [events: SliceOut, sigmask: SigSet] K;
    ACCEPT4 "accept4"
        "int accept4(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags)"
        [addr: Own, addrlen: LenPtr] K;
    EPOLL_CREATE1 "epoll_create1" "int epoll_create1(int flags)" [] K;
    PIPE2 "pipe2" "int pipe2(int fds[2], int flags)" [fds: Ptr] FD_COMMIT;
    PREADV "preadv"
        "ssize_t preadv(int fd, const struct iovec *iov, int iovcnt, unsigned long pos_l, unsigned long pos_h)"
        [iov: IoVecs] K;
    PWRITEV "pwritev"
        "ssize_t pwritev(int fd, const struct iovec *iov, int iovcnt, unsigned long pos_l, unsigned long pos_h)"
        [iov: IoVecs] K;
    PRLIMIT64 "prlimit64"
        "int prlimit64(pid_t pid, unsigned int resource, const struct rlimit64 *new, struct rlimit64 *old)"
        [new: StructIn, old: StructOut] K;
    PROCESS_VM_READV "process_vm_readv"
        "ssize_t process_vm_readv(pid_t pid, const struct iovec *local, unsigned long liovcnt, const struct iovec *remote, unsigned long riovcnt, unsigned long flags)"
        [local: IoVecs, remote: IoVecs] K;
    PROCESS_VM_WRITEV "process_vm_writev"
        "ssize_t process_vm_writev(pid_t pid, const struct iovec *local, unsigned long liovcnt, const struct iovec *remote, unsigned long riovcnt, unsigned long flags)"
        [local: IoVecs, remote: IoVecs] K;
    SCHED_SETATTR "sched_setattr"
        "int sched_setattr(pid_t pid, struct sched_attr *attr, unsigned int flags)"
        [attr: Ptr] Body::Pointer(
            "an extensible structure whose size is its own first field: the body reads `size`, \
             copies with read_extensible, and writes the kernel's size back on E2BIG");
    SCHED_GETATTR "sched_getattr"
        "int sched_getattr(pid_t pid, struct sched_attr *attr, unsigned int size, unsigned int flags)"
        [attr: Own] K;
    GETRANDOM "getrandom" "ssize_t getrandom(void *buf, size_t buflen, unsigned int flags)"
        [buf: Transfer] K;
    MEMFD_CREATE "memfd_create" "int memfd_create(const char *name, unsigned int flags)"
        [name: LimitedStr] K;
    STATX "statx"
        "int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *buf)"
        [path: Path, buf: StructOut] K;
    CLONE3 "clone3" "long clone3(struct clone_args *args, size_t size)" [args: Extensible]
        Body::Pointer(
            "`parent_tid` and `child_tid` are pointers inside clone_args, written when the flags \
             ask for it (the child's is also kept for its exit)");
    OPENAT2 "openat2"
        "long openat2(int dirfd, const char *path, struct open_how *how, size_t size)"
        [path: Path, how: Extensible] K;
}
