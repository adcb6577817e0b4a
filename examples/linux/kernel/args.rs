//! The kernel's own argument types: conversions of one register that check
//! what they can before any pointer argument is touched (a closed
//! descriptor is `EBADF` first, as in Linux), and render themselves as
//! strace does (`AT_FDCWD`, `O_RDONLY|O_CLOEXEC`, `SIGUSR1`, `TCGETS`).

use core::fmt;

use axptr::{
    LinuxError, LinuxResult, SyscallArg, SyscallLen,
    syscall::{ArgFormat, RegisterInt},
};

use super::Process;
use crate::abi::{self, fmt_flags, fmt_signal};

/// An open file descriptor of the calling process (`int fd`): `EBADF`
/// before the other arguments are converted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fd(pub i32);

impl SyscallArg<Process> for Fd {
    fn from_syscall_arg(p: &mut Process, raw: usize) -> LinuxResult<Self> {
        let fd = raw as i32;
        p.file(fd)?;
        Ok(Fd(fd))
    }

    fn fmt_syscall_arg(raw: usize, _: ArgFormat, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", raw as i32)
    }
}

/// The `dirfd` of the `*at` calls: `AT_FDCWD` or a descriptor, resolved
/// only for relative paths (as Linux does).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirFd(pub i32);

impl<C: ?Sized> SyscallArg<C> for DirFd {
    fn from_syscall_arg(_: &mut C, raw: usize) -> LinuxResult<Self> {
        Ok(DirFd(raw as i32))
    }

    fn fmt_syscall_arg(raw: usize, _: ArgFormat, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match raw as i32 {
            abi::AT_FDCWD => f.write_str("AT_FDCWD"),
            fd => write!(f, "{fd}"),
        }
    }
}

/// A signal number (`int sig`); its range is the handler's to check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signal(pub i32);

impl<C: ?Sized> SyscallArg<C> for Signal {
    fn from_syscall_arg(_: &mut C, raw: usize) -> LinuxResult<Self> {
        Ok(Signal(raw as i32))
    }

    fn fmt_syscall_arg(raw: usize, _: ArgFormat, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_signal(raw as i32, f)
    }
}

/// An integer register printed by name: the value is the handler's to
/// check (an unknown one prints as a number).
macro_rules! named_int {
    ($(#[$doc:meta])* $name:ident: $ty:ty { $($constant:ident),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct $name(pub $ty);

        impl<C: ?Sized> SyscallArg<C> for $name {
            fn from_syscall_arg(_: &mut C, raw: usize) -> LinuxResult<Self> {
                Ok($name(<$ty as RegisterInt>::from_register(raw)))
            }

            fn fmt_syscall_arg(
                raw: usize,
                _: ArgFormat,
                f: &mut fmt::Formatter<'_>,
            ) -> fmt::Result {
                let value = <$ty as RegisterInt>::from_register(raw);
                $(
                    if value == abi::$constant as $ty {
                        return f.write_str(stringify!($constant));
                    }
                )*
                write!(f, "{value}")
            }
        }
    };
}

named_int!(
    /// `ioctl`'s command.
    IoctlCmd: u32 { TCGETS, TCSETS, TIOCGWINSZ, TIOCSWINSZ, FIONREAD, FIONBIO }
);
named_int!(
    /// `fcntl`'s command.
    FcntlCmd: u32 { F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_GETLK, F_SETLK, F_DUPFD_CLOEXEC }
);
named_int!(
    /// `prctl`'s option.
    PrctlOption: u32 { PR_GET_DUMPABLE, PR_SET_DUMPABLE, PR_SET_NAME, PR_GET_NAME }
);
named_int!(
    /// `epoll_ctl`'s operation.
    EpollOp: u32 { EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD }
);
named_int!(
    /// `rt_sigprocmask`'s `how`.
    SigHow: u32 { SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK }
);
named_int!(
    /// A clock id.
    ClockId: i32 {
        CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID,
        CLOCK_BOOTTIME,
    }
);
named_int!(
    /// `setitimer`'s and `getitimer`'s timer.
    ItimerWhich: u32 { ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF }
);
named_int!(
    /// A resource of `getrlimit`, `setrlimit`, `prlimit64`.
    Resource: u32 {
        RLIMIT_CPU, RLIMIT_FSIZE, RLIMIT_DATA, RLIMIT_STACK, RLIMIT_CORE, RLIMIT_NOFILE, RLIMIT_AS,
    }
);
named_int!(
    /// `getrusage`'s `who`.
    RusageWho: i32 { RUSAGE_SELF, RUSAGE_CHILDREN, RUSAGE_THREAD }
);
named_int!(
    /// `lseek`'s `whence`.
    Whence: u32 { SEEK_SET, SEEK_CUR, SEEK_END }
);
named_int!(
    /// A socket's address family.
    Domain: u32 { AF_UNIX, AF_INET }
);
named_int!(
    /// A socket option's level.
    SockLevel: u32 { SOL_SOCKET }
);
named_int!(
    /// A socket option at `SOL_SOCKET`.
    SockOpt: u32 { SO_TYPE, SO_ERROR, SO_SNDBUF, SO_RCVBUF, SO_PASSCRED, SO_PEERCRED }
);

/// A flag register printed as strace does (`A|B|0x40`, `0` for none).
macro_rules! flags {
    ($(#[$doc:meta])* $name:ident: $ty:ty { $($constant:ident),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct $name(pub $ty);

        impl $name {
            pub const fn has(self, flag: $ty) -> bool {
                self.0 & flag == flag
            }
        }

        impl<C: ?Sized> SyscallArg<C> for $name {
            fn from_syscall_arg(_: &mut C, raw: usize) -> LinuxResult<Self> {
                Ok($name(<$ty as RegisterInt>::from_register(raw)))
            }

            fn fmt_syscall_arg(
                raw: usize,
                _: ArgFormat,
                f: &mut fmt::Formatter<'_>,
            ) -> fmt::Result {
                let value = <$ty as RegisterInt>::from_register(raw);
                fmt_flags(value as u64, &[$((abi::$constant as u64, stringify!($constant))),*], f)
            }
        }
    };
}

flags!(
    /// The `flags` of the `*at` calls.
    AtFlags: u32 { AT_SYMLINK_NOFOLLOW, AT_REMOVEDIR, AT_EMPTY_PATH }
);
flags!(
    /// Flags that only say close-on-exec and non-blocking (`pipe2`,
    /// `epoll_create1`, `accept4`).
    FdFlags: u32 { O_CLOEXEC, O_NONBLOCK }
);
flags!(
    /// `memfd_create`'s flags.
    MemfdFlags: u32 { MFD_CLOEXEC, MFD_ALLOW_SEALING }
);
flags!(
    /// `getrandom`'s flags.
    GrndFlags: u32 { GRND_NONBLOCK, GRND_RANDOM, GRND_INSECURE }
);
flags!(
    /// `send`/`recv` flags.
    MsgFlags: u32 { MSG_PEEK, MSG_TRUNC, MSG_DONTWAIT, MSG_NOSIGNAL }
);
flags!(
    /// `setxattr`'s flags.
    XattrFlags: u32 { XATTR_CREATE, XATTR_REPLACE }
);
flags!(
    /// `timer_settime`'s and `clock_nanosleep`'s flags.
    TimerFlags: u32 { TIMER_ABSTIME }
);

/// `open`'s flags: the access mode by name, then the other bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenFlags(pub u32);

impl<C: ?Sized> SyscallArg<C> for OpenFlags {
    fn from_syscall_arg(_: &mut C, raw: usize) -> LinuxResult<Self> {
        Ok(OpenFlags(raw as u32))
    }

    fn fmt_syscall_arg(raw: usize, _: ArgFormat, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_open_flags(raw as u64, f)
    }
}

/// `O_RDWR|O_CREAT|O_CLOEXEC`.
pub fn fmt_open_flags(flags: u64, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let accmode = (flags & u64::from(abi::O_ACCMODE)) as u32;
    f.write_str(match accmode {
        abi::O_RDONLY => "O_RDONLY",
        abi::O_WRONLY => "O_WRONLY",
        abi::O_RDWR => "O_RDWR",
        _ => "O_ACCMODE",
    })?;
    let rest = flags & !u64::from(abi::O_ACCMODE);
    if rest == 0 {
        return Ok(());
    }
    f.write_str("|")?;
    fmt_flags(
        rest,
        &[
            (u64::from(abi::O_CREAT), "O_CREAT"),
            (u64::from(abi::O_EXCL), "O_EXCL"),
            (u64::from(abi::O_TRUNC), "O_TRUNC"),
            (u64::from(abi::O_APPEND), "O_APPEND"),
            (u64::from(abi::O_NONBLOCK), "O_NONBLOCK"),
            (u64::from(abi::O_DIRECTORY), "O_DIRECTORY"),
            (u64::from(abi::O_CLOEXEC), "O_CLOEXEC"),
        ],
        f,
    )
}

/// `socket`'s and `socketpair`'s type: the type, then `SOCK_NONBLOCK`
/// and `SOCK_CLOEXEC`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SockType(pub u32);

impl<C: ?Sized> SyscallArg<C> for SockType {
    fn from_syscall_arg(_: &mut C, raw: usize) -> LinuxResult<Self> {
        Ok(SockType(raw as u32))
    }

    fn fmt_syscall_arg(raw: usize, _: ArgFormat, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = raw as u32;
        let base = value & 0xf;
        match base {
            abi::SOCK_STREAM => f.write_str("SOCK_STREAM")?,
            abi::SOCK_DGRAM => f.write_str("SOCK_DGRAM")?,
            other => write!(f, "{other}")?,
        }
        if value & abi::SOCK_NONBLOCK != 0 {
            f.write_str("|SOCK_NONBLOCK")?;
        }
        if value & abi::SOCK_CLOEXEC != 0 {
            f.write_str("|SOCK_CLOEXEC")?;
        }
        Ok(())
    }
}

/// `futex`'s operation: the command and its `_PRIVATE` flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FutexOp(pub u32);

impl FutexOp {
    pub const fn command(self) -> u32 {
        self.0 & !(abi::FUTEX_PRIVATE_FLAG | abi::FUTEX_CLOCK_REALTIME)
    }
}

impl<C: ?Sized> SyscallArg<C> for FutexOp {
    fn from_syscall_arg(_: &mut C, raw: usize) -> LinuxResult<Self> {
        Ok(FutexOp(raw as u32))
    }

    fn fmt_syscall_arg(raw: usize, _: ArgFormat, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = FutexOp(raw as u32);
        match op.command() {
            abi::FUTEX_WAIT => f.write_str("FUTEX_WAIT")?,
            abi::FUTEX_WAKE => f.write_str("FUTEX_WAKE")?,
            other => write!(f, "{other}")?,
        }
        if op.0 & abi::FUTEX_PRIVATE_FLAG != 0 {
            f.write_str("_PRIVATE")?;
        }
        if op.0 & abi::FUTEX_CLOCK_REALTIME != 0 {
            f.write_str("|FUTEX_CLOCK_REALTIME")?;
        }
        Ok(())
    }
}

/// A count in an `int` register that is also the length of a pointer
/// argument (`#[len = …]`), checked against `[MIN, MAX]` with `EINVAL`
/// before any pointer argument is converted: Linux checks `poll`'s `nfds`,
/// `epoll_wait`'s `maxevents` and `setgroups`' `size` before it touches
/// the array.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IntCount<const MIN: usize, const MAX: usize>(pub usize);

impl<C: ?Sized, const MIN: usize, const MAX: usize> SyscallArg<C> for IntCount<MIN, MAX> {
    fn from_syscall_arg(_: &mut C, raw: usize) -> LinuxResult<Self> {
        usize::try_from(raw as i32)
            .ok()
            .filter(|count| (MIN..=MAX).contains(count))
            .map(IntCount)
            .ok_or(LinuxError::EINVAL)
    }

    fn fmt_syscall_arg(raw: usize, _: ArgFormat, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", raw as i32)
    }
}

impl<const MIN: usize, const MAX: usize> SyscallLen for IntCount<MIN, MAX> {
    fn syscall_len(&self) -> LinuxResult<usize> {
        Ok(self.0)
    }
}

/// A `size_t` whose limit has its own errno (`setxattr`'s value:
/// `E2BIG` above `XATTR_SIZE_MAX`), checked before the pointer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SizeUpTo<const MAX: usize>(pub usize);

impl<C: ?Sized, const MAX: usize> SyscallArg<C> for SizeUpTo<MAX> {
    fn from_syscall_arg(_: &mut C, raw: usize) -> LinuxResult<Self> {
        if raw > MAX {
            return Err(LinuxError::E2BIG);
        }
        Ok(SizeUpTo(raw))
    }

    fn fmt_syscall_arg(raw: usize, _: ArgFormat, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{raw}")
    }
}

impl<const MAX: usize> SyscallLen for SizeUpTo<MAX> {
    fn syscall_len(&self) -> LinuxResult<usize> {
        Ok(self.0)
    }
}

/// A `socklen_t addrlen` of a socket address passed in (`bind`,
/// `connect`): `EINVAL` unless 0..=128 (`sizeof(struct
/// sockaddr_storage)`), before the address is copied (Linux's
/// `move_addr_to_kernel`).
pub type SockLen = IntCount<0, SOCKADDR_STORAGE>;

/// `sizeof(struct sockaddr_storage)`.
pub const SOCKADDR_STORAGE: usize = 128;
