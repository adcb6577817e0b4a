//! The Linux example (`cargo run --example linux`), run in-process: its
//! whole transcript must match `tests/linux_example_transcript.txt`, every
//! hostile call must have become an errno, every syscall of the dispatch
//! table must be in the ABI catalogue and have been called (pointer-taking
//! ones with hostile registers too), and the catalogue's structures,
//! numbers and constants must agree with the host's `libc`.
//!
//! After an intended change of the example, re-bless the transcript with
//! `AXPTR_BLESS=1 cargo test --test linux_example` and review the diff.
#![cfg(all(target_os = "linux", target_arch = "x86_64", not(miri)))]

#[path = "../examples/linux/abi.rs"]
mod abi;
#[path = "../examples/linux/kernel/mod.rs"]
mod kernel;
#[path = "../examples/linux/program.rs"]
mod program;
#[path = "../examples/linux/user.rs"]
mod user;

mod transcript_support;

use std::{collections::BTreeMap, mem::offset_of, sync::OnceLock};

use abi::{Body, CATALOGUE, Kind, nr};
use kernel::SYSCALLS;
use user::Report;

const TRANSCRIPT: &str = "tests/linux_example_transcript.txt";

/// The example runs once per test binary: its address spaces sit at fixed
/// addresses, which two runs at once cannot share.
fn report() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    REPORT.get_or_init(|| {
        user::run().unwrap_or_else(|err| {
            panic!(
                "the example's address spaces at {:#x} and {:#x} cannot be set up: {err:?}",
                user::BASE,
                user::PEER_BASE
            )
        })
    })
}

#[test]
fn transcript_matches_the_expected_log() {
    transcript_support::check_transcript(TRANSCRIPT, &report().transcript);
}

#[test]
fn every_hostile_call_became_an_errno_and_nothing_else_went_wrong() {
    let summary = &report().summary;
    assert_eq!(summary.unexpected, Vec::<String>::new());
    assert_eq!(summary.hostile_failed, summary.hostile);
    assert_eq!(summary.edge_ok, summary.edge);
    assert!(summary.hostile >= 200, "{} hostile calls", summary.hostile);
    assert!(!summary.flag_leaked, "the fault flag was set between calls");
    assert_eq!((summary.calls, summary.ok), (476, 252));
    assert_eq!((summary.hostile, summary.edge), (212, 26));
    let errors: BTreeMap<&str, usize> = summary
        .errors
        .iter()
        .map(|(name, count)| (name.as_str(), *count))
        .collect();
    assert_eq!(errors.get("EFAULT"), Some(&82));
    assert_eq!(errors.get("EINVAL"), Some(&78));
    assert_eq!(errors.get("ENOSYS"), Some(&2));
}

#[test]
fn the_fault_handler_and_the_fixup_did_their_part() {
    let faults = report().summary.faults;
    // The demand-paged read: two heap pages faulted in during the copy-out.
    assert_eq!(faults.resolved, 2);
    // The buffer unmapped after validation.
    assert_eq!(faults.fixups, 1);
    // That buffer's page, populated by validation before it vanished.
    assert_eq!(faults.populated_by_check, 1);
}

#[test]
fn good_calls_had_their_effect() {
    let summary = &report().summary;
    assert_eq!(
        String::from_utf8_lossy(&summary.console),
        "hello from user space\nedge!\nok\n"
    );
    let exec = kernel::Exec {
        path: "/bin/sh".into(),
        argv: vec!["sh".into(), "-c".into(), "echo hi".into()],
        envp: vec!["HOME=/home/user".into(), "PATH=/bin".into()],
    };
    assert_eq!(summary.exec.as_ref(), Some(&exec));
}

#[test]
fn the_catalogue_and_the_dispatch_table_name_the_same_syscalls() {
    for entry in CATALOGUE {
        let desc = SYSCALLS.get(entry.nr);
        assert_eq!(
            desc.map(|desc| desc.name),
            Some(entry.name),
            "catalogue entry {} (number {})",
            entry.name,
            entry.nr
        );
        // A pointer the body uses must come with the reason no kind fits
        // (pointers inside structures have no argument of their own).
        if entry.uses(Kind::Ptr) {
            assert!(
                matches!(entry.body, Body::Pointer(_)),
                "{} gives no reason for its pointer calls",
                entry.name
            );
        }
    }
    let handlers = (0..SYSCALLS.len())
        .filter(|&nr| SYSCALLS.get(nr).is_some())
        .count();
    assert_eq!(
        handlers,
        CATALOGUE.len(),
        "a handler is missing from the catalogue"
    );
    let mut numbers: Vec<usize> = CATALOGUE.iter().map(|entry| entry.nr).collect();
    numbers.sort_unstable();
    numbers.dedup();
    assert_eq!(
        numbers.len(),
        CATALOGUE.len(),
        "a number is in the catalogue twice"
    );
}

#[test]
fn every_syscall_was_called_and_every_pointer_argument_was_attacked() {
    let summary = &report().summary;
    let pointer: Vec<_> = CATALOGUE
        .iter()
        .filter(|entry| entry.takes_pointers())
        .collect();
    assert!(
        pointer.len() >= 60,
        "{} syscalls take pointers",
        pointer.len()
    );
    for entry in CATALOGUE {
        assert!(
            summary.numbers.contains(&entry.nr),
            "{} was never called",
            entry.name
        );
    }
    for entry in pointer {
        assert!(
            summary.hostile_numbers.contains(&entry.nr),
            "{} was never given hostile registers",
            entry.name
        );
    }
}

#[test]
fn the_catalogue_covers_every_kind() {
    for kind in Kind::ALL {
        assert!(
            CATALOGUE.iter().any(|entry| entry.uses(kind)),
            "no handler uses {}",
            kind.spelling()
        );
    }
    let pointer = CATALOGUE
        .iter()
        .filter(|entry| entry.takes_pointers())
        .count();
    let alone = CATALOGUE
        .iter()
        .filter(|entry| entry.takes_pointers() && entry.kinds_alone())
        .count();
    assert!(
        alone * 100 >= 85 * pointer,
        "{alone} of {pointer} handlers use kinds alone"
    );
}

#[test]
fn the_guide_quotes_the_catalogue_counts() {
    let guide = include_str!("../docs/guide/abi.md");
    let counts = user::catalogue_summary();
    let (_, block) = guide
        .split_once("<!-- catalogue counts")
        .and_then(|(_, rest)| rest.split_once("```text\n"))
        .expect("the guide marks the catalogue counts");
    let (quoted, _) = block.split_once("\n```").expect("the block ends");
    assert_eq!(
        quoted.trim(),
        counts.trim(),
        "docs/guide/abi.md quotes stale counts"
    );
}

#[test]
fn syscall_numbers_are_the_x86_64_ones() {
    let pairs: &[(usize, libc::c_long)] = &[
        (nr::READ, libc::SYS_read),
        (nr::WRITE, libc::SYS_write),
        (nr::CLOSE, libc::SYS_close),
        (nr::FSTAT, libc::SYS_fstat),
        (nr::POLL, libc::SYS_poll),
        (nr::LSEEK, libc::SYS_lseek),
        (nr::RT_SIGACTION, libc::SYS_rt_sigaction),
        (nr::RT_SIGPROCMASK, libc::SYS_rt_sigprocmask),
        (nr::IOCTL, libc::SYS_ioctl),
        (nr::PREAD64, libc::SYS_pread64),
        (nr::PWRITE64, libc::SYS_pwrite64),
        (nr::READV, libc::SYS_readv),
        (nr::WRITEV, libc::SYS_writev),
        (nr::SELECT, libc::SYS_select),
        (nr::DUP, libc::SYS_dup),
        (nr::NANOSLEEP, libc::SYS_nanosleep),
        (nr::GETITIMER, libc::SYS_getitimer),
        (nr::SETITIMER, libc::SYS_setitimer),
        (nr::GETPID, libc::SYS_getpid),
        (nr::SOCKET, libc::SYS_socket),
        (nr::CONNECT, libc::SYS_connect),
        (nr::SENDTO, libc::SYS_sendto),
        (nr::RECVFROM, libc::SYS_recvfrom),
        (nr::SENDMSG, libc::SYS_sendmsg),
        (nr::RECVMSG, libc::SYS_recvmsg),
        (nr::BIND, libc::SYS_bind),
        (nr::LISTEN, libc::SYS_listen),
        (nr::GETSOCKNAME, libc::SYS_getsockname),
        (nr::GETPEERNAME, libc::SYS_getpeername),
        (nr::SOCKETPAIR, libc::SYS_socketpair),
        (nr::SETSOCKOPT, libc::SYS_setsockopt),
        (nr::GETSOCKOPT, libc::SYS_getsockopt),
        (nr::EXECVE, libc::SYS_execve),
        (nr::WAIT4, libc::SYS_wait4),
        (nr::KILL, libc::SYS_kill),
        (nr::UNAME, libc::SYS_uname),
        (nr::FCNTL, libc::SYS_fcntl),
        (nr::TRUNCATE, libc::SYS_truncate),
        (nr::GETCWD, libc::SYS_getcwd),
        (nr::CHDIR, libc::SYS_chdir),
        (nr::GETTIMEOFDAY, libc::SYS_gettimeofday),
        (nr::GETRLIMIT, libc::SYS_getrlimit),
        (nr::GETRUSAGE, libc::SYS_getrusage),
        (nr::SYSINFO, libc::SYS_sysinfo),
        (nr::TIMES, libc::SYS_times),
        (nr::GETGROUPS, libc::SYS_getgroups),
        (nr::SETGROUPS, libc::SYS_setgroups),
        (nr::GETRESUID, libc::SYS_getresuid),
        (nr::RT_SIGPENDING, libc::SYS_rt_sigpending),
        (nr::RT_SIGTIMEDWAIT, libc::SYS_rt_sigtimedwait),
        (nr::RT_SIGQUEUEINFO, libc::SYS_rt_sigqueueinfo),
        (nr::RT_SIGSUSPEND, libc::SYS_rt_sigsuspend),
        (nr::SIGALTSTACK, libc::SYS_sigaltstack),
        (nr::STATFS, libc::SYS_statfs),
        (nr::FSTATFS, libc::SYS_fstatfs),
        (nr::SCHED_SETPARAM, libc::SYS_sched_setparam),
        (nr::SCHED_GETPARAM, libc::SYS_sched_getparam),
        (nr::SCHED_RR_GET_INTERVAL, libc::SYS_sched_rr_get_interval),
        (nr::PRCTL, libc::SYS_prctl),
        (nr::SETRLIMIT, libc::SYS_setrlimit),
        (nr::SETHOSTNAME, libc::SYS_sethostname),
        (nr::GETTID, libc::SYS_gettid),
        (nr::SETXATTR, libc::SYS_setxattr),
        (nr::GETXATTR, libc::SYS_getxattr),
        (nr::LISTXATTR, libc::SYS_listxattr),
        (nr::REMOVEXATTR, libc::SYS_removexattr),
        (nr::FUTEX, libc::SYS_futex),
        (nr::SCHED_SETAFFINITY, libc::SYS_sched_setaffinity),
        (nr::SCHED_GETAFFINITY, libc::SYS_sched_getaffinity),
        (nr::GETDENTS64, libc::SYS_getdents64),
        (nr::SET_TID_ADDRESS, libc::SYS_set_tid_address),
        (nr::TIMER_CREATE, libc::SYS_timer_create),
        (nr::TIMER_SETTIME, libc::SYS_timer_settime),
        (nr::TIMER_GETTIME, libc::SYS_timer_gettime),
        (nr::CLOCK_GETTIME, libc::SYS_clock_gettime),
        (nr::CLOCK_GETRES, libc::SYS_clock_getres),
        (nr::CLOCK_NANOSLEEP, libc::SYS_clock_nanosleep),
        (nr::EXIT_GROUP, libc::SYS_exit_group),
        (nr::EPOLL_WAIT, libc::SYS_epoll_wait),
        (nr::EPOLL_CTL, libc::SYS_epoll_ctl),
        (nr::OPENAT, libc::SYS_openat),
        (nr::MKDIRAT, libc::SYS_mkdirat),
        (nr::NEWFSTATAT, libc::SYS_newfstatat),
        (nr::UNLINKAT, libc::SYS_unlinkat),
        (nr::RENAMEAT, libc::SYS_renameat),
        (nr::LINKAT, libc::SYS_linkat),
        (nr::SYMLINKAT, libc::SYS_symlinkat),
        (nr::READLINKAT, libc::SYS_readlinkat),
        (nr::FCHMODAT, libc::SYS_fchmodat),
        (nr::FACCESSAT, libc::SYS_faccessat),
        (nr::PSELECT6, libc::SYS_pselect6),
        (nr::PPOLL, libc::SYS_ppoll),
        (nr::SET_ROBUST_LIST, libc::SYS_set_robust_list),
        (nr::GET_ROBUST_LIST, libc::SYS_get_robust_list),
        (nr::UTIMENSAT, libc::SYS_utimensat),
        (nr::EPOLL_PWAIT, libc::SYS_epoll_pwait),
        (nr::ACCEPT4, libc::SYS_accept4),
        (nr::EPOLL_CREATE1, libc::SYS_epoll_create1),
        (nr::PIPE2, libc::SYS_pipe2),
        (nr::PREADV, libc::SYS_preadv),
        (nr::PWRITEV, libc::SYS_pwritev),
        (nr::PRLIMIT64, libc::SYS_prlimit64),
        (nr::PROCESS_VM_READV, libc::SYS_process_vm_readv),
        (nr::PROCESS_VM_WRITEV, libc::SYS_process_vm_writev),
        (nr::SCHED_SETATTR, libc::SYS_sched_setattr),
        (nr::SCHED_GETATTR, libc::SYS_sched_getattr),
        (nr::GETRANDOM, libc::SYS_getrandom),
        (nr::MEMFD_CREATE, libc::SYS_memfd_create),
        (nr::STATX, libc::SYS_statx),
        (nr::CLONE3, libc::SYS_clone3),
        (nr::OPENAT2, libc::SYS_openat2),
    ];
    for &(ours, host) in pairs {
        assert_eq!(ours as libc::c_long, host);
    }
    // Every number of the catalogue is checked above.
    for entry in CATALOGUE {
        assert!(
            pairs.iter().any(|&(ours, _)| ours == entry.nr),
            "{} is not compared with libc",
            entry.name
        );
    }
}

#[test]
fn structures_have_linux_sizes() {
    use core::mem::size_of;
    macro_rules! same_size {
        ($($ours:ty => $host:ty),* $(,)?) => {
            $(
                assert_eq!(
                    size_of::<$ours>(),
                    size_of::<$host>(),
                    "{} vs {}",
                    stringify!($ours),
                    stringify!($host)
                );
            )*
        };
    }
    same_size! {
        abi::Timespec => libc::timespec,
        abi::Timeval => libc::timeval,
        abi::Itimerval => libc::itimerval,
        abi::Itimerspec => libc::itimerspec,
        abi::Tms => libc::tms,
        abi::Rlimit => libc::rlimit64,
        abi::Rusage => libc::rusage,
        abi::Utsname => libc::utsname,
        abi::Sysinfo => libc::sysinfo,
        abi::Stat => libc::stat,
        abi::Statx => libc::statx,
        abi::Statfs => libc::statfs,
        abi::OpenHow => libc::open_how,
        abi::Flock => libc::flock,
        abi::Winsize => libc::winsize,
        abi::StackT => libc::stack_t,
        abi::Siginfo => libc::siginfo_t,
        abi::Sigevent => libc::sigevent,
        abi::EpollEvent => libc::epoll_event,
        abi::Pollfd => libc::pollfd,
        axptr::iovec::IoVec => libc::iovec,
        abi::SockaddrUn => libc::sockaddr_un,
        abi::Msghdr => libc::msghdr,
        abi::Ucred => libc::ucred,
        abi::CloneArgs => libc::clone_args,
        abi::SchedParam => libc::sched_param,
        axptr::syscall::SigSet => u64,
    }
    // `sched_attr` grew: libc has the first version (48 bytes).
    assert_eq!(size_of::<libc::sched_attr>(), abi::SCHED_ATTR_SIZE_VER0);
}

#[test]
fn fields_sit_at_linux_offsets() {
    macro_rules! same_offset {
        ($($ours:ty, $field:ident => $host:ty, $host_field:ident;)*) => {
            $(
                assert_eq!(
                    offset_of!($ours, $field),
                    offset_of!($host, $host_field),
                    "{}.{}",
                    stringify!($ours),
                    stringify!($field)
                );
            )*
        };
    }
    same_offset! {
        abi::Stat, st_mode => libc::stat, st_mode;
        abi::Stat, st_rdev => libc::stat, st_rdev;
        abi::Stat, st_size => libc::stat, st_size;
        abi::Stat, st_mtime_nsec => libc::stat, st_mtime_nsec;
        abi::Statx, stx_mode => libc::statx, stx_mode;
        abi::Statx, stx_ino => libc::statx, stx_ino;
        abi::Statx, stx_mtime => libc::statx, stx_mtime;
        abi::Statx, stx_dev_minor => libc::statx, stx_dev_minor;
        abi::Statfs, f_namelen => libc::statfs, f_namelen;
        abi::Sysinfo, procs => libc::sysinfo, procs;
        abi::Sysinfo, totalhigh => libc::sysinfo, totalhigh;
        abi::Sysinfo, mem_unit => libc::sysinfo, mem_unit;
        abi::Rusage, ru_maxrss => libc::rusage, ru_maxrss;
        abi::Rusage, ru_nivcsw => libc::rusage, ru_nivcsw;
        abi::Flock, l_start => libc::flock, l_start;
        abi::Flock, l_pid => libc::flock, l_pid;
        abi::StackT, ss_flags => libc::stack_t, ss_flags;
        abi::StackT, ss_size => libc::stack_t, ss_size;
        abi::Sigevent, sigev_signo => libc::sigevent, sigev_signo;
        abi::Sigevent, sigev_notify => libc::sigevent, sigev_notify;
        abi::Msghdr, msg_iov => libc::msghdr, msg_iov;
        abi::Msghdr, msg_controllen => libc::msghdr, msg_controllen;
        abi::Msghdr, msg_flags => libc::msghdr, msg_flags;
        abi::SockaddrUn, sun_path => libc::sockaddr_un, sun_path;
        abi::CloneArgs, tls => libc::clone_args, tls;
        abi::CloneArgs, cgroup => libc::clone_args, cgroup;
        abi::SchedAttr, sched_nice => libc::sched_attr, sched_nice;
        abi::SchedAttr, sched_period => libc::sched_attr, sched_period;
        abi::OpenHow, resolve => libc::open_how, resolve;
        abi::Siginfo, si_code => libc::siginfo_t, si_code;
    }
}

#[test]
fn constants_are_linux_ones() {
    let pairs: &[(u64, u64, &str)] = &[
        (abi::TCGETS.into(), libc::TCGETS, "TCGETS"),
        (abi::TCSETS.into(), libc::TCSETS, "TCSETS"),
        (abi::TIOCGWINSZ.into(), libc::TIOCGWINSZ, "TIOCGWINSZ"),
        (abi::TIOCSWINSZ.into(), libc::TIOCSWINSZ, "TIOCSWINSZ"),
        (abi::FIONREAD.into(), libc::FIONREAD, "FIONREAD"),
        (abi::FIONBIO.into(), libc::FIONBIO, "FIONBIO"),
        (abi::O_CREAT.into(), libc::O_CREAT as u64, "O_CREAT"),
        (
            abi::O_DIRECTORY.into(),
            libc::O_DIRECTORY as u64,
            "O_DIRECTORY",
        ),
        (abi::O_CLOEXEC.into(), libc::O_CLOEXEC as u64, "O_CLOEXEC"),
        (
            abi::O_NONBLOCK.into(),
            libc::O_NONBLOCK as u64,
            "O_NONBLOCK",
        ),
        (abi::O_PATH.into(), libc::O_PATH as u64, "O_PATH"),
        (abi::O_SYNC.into(), libc::O_SYNC as u64, "O_SYNC"),
        (
            abi::AT_REMOVEDIR.into(),
            libc::AT_REMOVEDIR as u64,
            "AT_REMOVEDIR",
        ),
        (
            abi::AT_EMPTY_PATH.into(),
            libc::AT_EMPTY_PATH as u64,
            "AT_EMPTY_PATH",
        ),
        (
            abi::F_DUPFD_CLOEXEC.into(),
            libc::F_DUPFD_CLOEXEC as u64,
            "F_DUPFD_CLOEXEC",
        ),
        (abi::F_GETLK.into(), libc::F_GETLK as u64, "F_GETLK"),
        (
            abi::PR_SET_NAME.into(),
            libc::PR_SET_NAME as u64,
            "PR_SET_NAME",
        ),
        (
            abi::EPOLL_CTL_MOD.into(),
            libc::EPOLL_CTL_MOD as u64,
            "EPOLL_CTL_MOD",
        ),
        (
            abi::SO_PEERCRED.into(),
            libc::SO_PEERCRED as u64,
            "SO_PEERCRED",
        ),
        (
            abi::MSG_NOSIGNAL.into(),
            libc::MSG_NOSIGNAL as u64,
            "MSG_NOSIGNAL",
        ),
        (abi::SA_RESTART, libc::SA_RESTART as u64, "SA_RESTART"),
        (abi::SA_ONSTACK, libc::SA_ONSTACK as u64, "SA_ONSTACK"),
        (
            abi::CLONE_CHILD_SETTID,
            libc::CLONE_CHILD_SETTID as u64,
            "CLONE_CHILD_SETTID",
        ),
        (abi::CLONE_THREAD, libc::CLONE_THREAD as u64, "CLONE_THREAD"),
        (
            abi::RESOLVE_BENEATH,
            libc::RESOLVE_BENEATH,
            "RESOLVE_BENEATH",
        ),
        (
            abi::STATX_BASIC_STATS.into(),
            libc::STATX_BASIC_STATS.into(),
            "STATX_BASIC_STATS",
        ),
        (
            abi::MFD_CLOEXEC.into(),
            libc::MFD_CLOEXEC.into(),
            "MFD_CLOEXEC",
        ),
        (
            abi::GRND_INSECURE.into(),
            libc::GRND_INSECURE.into(),
            "GRND_INSECURE",
        ),
        (
            abi::UTIME_OMIT as u64,
            libc::UTIME_OMIT as u64,
            "UTIME_OMIT",
        ),
    ];
    for &(ours, host, name) in pairs {
        assert_eq!(ours, host, "{name}");
    }
}
