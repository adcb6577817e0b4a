//! The program: every syscall of the example kernel, first as a
//! well-behaved program makes it, then with hostile registers. Test-rig
//! code (see `user.rs`).

use axptr::{
    LinuxResult, PAGE_SIZE_4K as PAGE, UserPtr,
    iovec::{IOV_MAX, IoVec},
    syscall::{SIGSET_SIZE, SigSet},
};

use crate::{
    abi::{
        self, CloneArgs, EpollEvent, Flock, Itimerspec, Itimerval, Msghdr, OpenHow, Pollfd, Rlimit,
        RobustListHead, SchedAttr, SchedParam, Sigaction, Sigevent, Siginfo, SigsetArg, StackT,
        Stat, Timespec, Timeval, Winsize, nr,
    },
    user::{EDGE_END, HEAP, HOLE, KERNEL_ADDR, PAST_USER, PEER_BASE, RODATA, Rig, XS, neg},
};

const AT: usize = neg(abi::AT_FDCWD as i64);
const SS: usize = SIGSET_SIZE;

fn u(value: u32) -> usize {
    value as usize
}

fn set(signals: &[u32]) -> SigSet {
    signals
        .iter()
        .fold(SigSet::EMPTY, |set, &sig| set.with(sig))
}

fn ts(sec: i64, nsec: i64) -> Timespec {
    Timespec {
        tv_sec: sec,
        tv_nsec: nsec,
    }
}

/// A unix address's bytes and its length (`sun_family` + path + NUL).
fn sockaddr(path: &str) -> (Vec<u8>, usize) {
    let mut bytes = (abi::AF_UNIX as u16).to_ne_bytes().to_vec();
    bytes.extend_from_slice(path.as_bytes());
    bytes.push(0);
    let len = bytes.len();
    (bytes, len)
}

/// Runs the whole program.
pub fn run(r: &mut Rig) -> LinuxResult<()> {
    files(r)?;
    directories(r)?;
    xattrs_and_memfd(r)?;
    descriptors(r)?;
    sockets(r)?;
    waiting(r)?;
    time(r)?;
    signals(r)?;
    process(r)?;
    let robust_entry = threads(r)?;
    other_process(r)?;
    exec(r)?;
    demand_paging(r)?;
    r.heading("14. A hostile program: every bad register becomes an errno");
    hostile_fds(r)?;
    hostile_buffers(r)?;
    hostile_lengths(r)?;
    hostile_iovecs(r)?;
    hostile_sigsets(r)?;
    hostile_structures(r)?;
    hostile_extensible(r)?;
    hostile_strings(r)?;
    hostile_commands(r)?;
    hostile_fd_sets(r)?;
    hostile_in_out_lengths(r)?;
    hostile_other_process(r)?;
    hostile_race(r)?;
    hostile_rest(r)?;
    r.subheading("14p. A number without a handler");
    r.bad(999, &[1, 2, 3], "ENOSYS from the dispatch table");
    exit(r, robust_entry)
}

fn files(r: &mut Rig) -> LinuxResult<()> {
    r.heading("1. Files: paths, transfers, iovecs, structures out");
    let hostname = r.string("/etc/hostname")?;
    let fd = r.call(nr::OPENAT, &[AT, hostname, u(abi::O_RDONLY), 0]) as usize;
    let st = r.buffer(size_of::<Stat>())?;
    r.call(nr::FSTAT, &[fd, st]);
    let buf = r.buffer(64)?;
    r.call(nr::READ, &[fd, buf, 4]);
    let seen = r.text(buf, 4)?;
    r.note(format!("user reads {seen:?}"));
    r.call(nr::READ, &[fd, buf, 64]);
    r.call(nr::READ, &[fd, buf, 64]);
    r.note("end of file");
    r.call(nr::PREAD64, &[fd, buf, 5, 0]);
    r.call(nr::LSEEK, &[fd, 1, u(abi::SEEK_SET)]);
    r.call(nr::CLOSE, &[fd]);

    let notes = r.string("/tmp/notes.txt")?;
    let flags = abi::O_RDWR | abi::O_CREAT | abi::O_TRUNC;
    let fd = r.call(nr::OPENAT, &[AT, notes, u(flags), 0o644]) as usize;
    let hello = r.string("hello, ")?;
    r.call(nr::WRITE, &[fd, hello, 7]);
    let (a, b) = (r.string("iovec ")?, r.string("world!\n")?);
    let iov = r.words(&[a, 6, b, 7])?;
    r.call(nr::WRITEV, &[fd, iov, 2]);
    let big = r.string("HELLO")?;
    r.call(nr::PWRITE64, &[fd, big, 5, 0]);
    let iov = r.words(&[a, 5, b, 6])?;
    r.call(nr::PWRITEV, &[fd, iov, 2, 20, 0]);
    let (first, second) = (r.buffer(8)?, r.buffer(32)?);
    let out = r.words(&[first, 8, second, 32])?;
    r.call(nr::PREADV, &[fd, out, 2, 0, 0]);
    let shown = format!("{:?} + {:?}", r.text(first, 8)?, r.text(second, 23)?);
    r.note(format!("user reads {shown}"));
    r.call(nr::LSEEK, &[fd, 0, u(abi::SEEK_SET)]);
    r.call(nr::READV, &[fd, out, 2]);
    r.call(nr::NEWFSTATAT, &[AT, notes, st, 0]);
    let statx = r.buffer(size_of::<abi::Statx>())?;
    r.call(nr::STATX, &[AT, notes, 0, u(abi::STATX_BASIC_STATS), statx]);
    let root = r.string("/")?;
    let statfs = r.buffer(size_of::<abi::Statfs>())?;
    r.call(nr::STATFS, &[root, statfs]);
    r.call(nr::FSTATFS, &[fd, statfs]);
    r.call(nr::TRUNCATE, &[notes, 11]);
    r.call(nr::FSTAT, &[fd, st]);
    r.call(nr::CLOSE, &[fd]);
    Ok(())
}

fn directories(r: &mut Rig) -> LinuxResult<()> {
    r.heading("2. Directories and links");
    let cwd = r.buffer(64)?;
    r.call(nr::GETCWD, &[cwd, 64]);
    let tmp = r.string("/tmp")?;
    r.call(nr::CHDIR, &[tmp]);
    r.call(nr::GETCWD, &[cwd, 64]);
    let dir = r.string("dir")?;
    r.call(nr::MKDIRAT, &[AT, dir, 0o755]);
    let how = r.put(OpenHow {
        flags: u64::from(abi::O_RDONLY | abi::O_DIRECTORY | abi::O_CLOEXEC),
        mode: 0,
        resolve: abi::RESOLVE_NO_SYMLINKS,
    })?;
    let dirfd = r.call(nr::OPENAT2, &[AT, tmp, how, size_of::<OpenHow>()]) as usize;
    let dents = r.buffer(256)?;
    r.call(nr::GETDENTS64, &[dirfd, dents, 256]);
    let names = dirent_names(r, dents, 256)?;
    r.note(format!("user walks the records: {names:?}"));
    r.call(nr::GETDENTS64, &[dirfd, dents, 256]);
    r.note("the directory's end");
    let (target, link) = (r.string("notes.txt")?, r.string("link")?);
    r.call(nr::SYMLINKAT, &[target, dirfd, link]);
    let buf = r.buffer(64)?;
    r.call(nr::READLINKAT, &[dirfd, link, buf, 64]);
    let hard = r.string("hard")?;
    r.call(nr::LINKAT, &[dirfd, target, dirfd, hard, 0]);
    let moved = r.string("/tmp/dir/moved")?;
    r.call(nr::RENAMEAT, &[dirfd, hard, AT, moved]);
    r.call(nr::FCHMODAT, &[dirfd, target, 0o600]);
    r.call(
        nr::FACCESSAT,
        &[dirfd, target, u(abi::R_OK as u32 | abi::W_OK as u32)],
    );
    r.call(nr::FACCESSAT, &[dirfd, target, u(abi::X_OK as u32)]);
    r.note("no execute bit");
    let times = r.put([ts(1_600_000_000, 0), ts(0, abi::UTIME_OMIT)])?;
    r.call(nr::UTIMENSAT, &[dirfd, target, times, 0]);
    r.call(nr::UTIMENSAT, &[dirfd, 0, 0, 0]);
    r.note("a null path: the directory itself, to now");
    r.call(nr::UNLINKAT, &[AT, dir, u(abi::AT_REMOVEDIR)]);
    r.call(nr::UNLINKAT, &[AT, moved, 0]);
    r.call(nr::UNLINKAT, &[AT, dir, u(abi::AT_REMOVEDIR)]);
    r.call(nr::UNLINKAT, &[dirfd, link, 0]);
    r.call(nr::CLOSE, &[dirfd]);
    Ok(())
}

/// The names in a `getdents64` buffer, read as user space walks it.
fn dirent_names(r: &Rig, addr: usize, len: usize) -> LinuxResult<Vec<String>> {
    let bytes = r.peek(addr, len)?;
    let mut names = Vec::new();
    let mut at = 0;
    while let Some(head) = bytes.get(at..at + 19) {
        let reclen = usize::from(u16::from_ne_bytes([head[16], head[17]]));
        if reclen == 0 {
            break;
        }
        let name = bytes.get(at + 19..at + reclen).unwrap_or_default();
        let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
        names.push(String::from_utf8_lossy(&name[..end]).into_owned());
        at += reclen;
    }
    Ok(names)
}

fn xattrs_and_memfd(r: &mut Rig) -> LinuxResult<()> {
    r.heading("3. Extended attributes (names up to 255 bytes) and a memfd (249)");
    let path = r.string("/tmp/notes.txt")?;
    let name = r.string("user.origin")?;
    let value = r.string("axptr")?;
    r.call(nr::SETXATTR, &[path, name, value, 5, 0]);
    r.call(nr::GETXATTR, &[path, name, 0, 0]);
    r.note("a zero size asks for the length");
    let buf = r.buffer(64)?;
    r.call(nr::GETXATTR, &[path, name, buf, 64]);
    r.call(nr::LISTXATTR, &[path, buf, 64]);
    r.call(nr::SETXATTR, &[path, name, value, 5, u(abi::XATTR_CREATE)]);
    r.call(nr::REMOVEXATTR, &[path, name]);
    r.call(nr::GETXATTR, &[path, name, buf, 64]);

    let scratch = r.string("scratch")?;
    let fd = r.call(nr::MEMFD_CREATE, &[scratch, u(abi::MFD_CLOEXEC)]) as usize;
    let data = r.string("in memory only")?;
    r.call(nr::WRITE, &[fd, data, 14]);
    let st = r.buffer(size_of::<Stat>())?;
    r.call(nr::FSTAT, &[fd, st]);
    r.call(nr::PREAD64, &[fd, buf, 64, 3]);
    r.call(nr::CLOSE, &[fd]);
    Ok(())
}

fn descriptors(r: &mut Rig) -> LinuxResult<()> {
    r.heading("4. Descriptors, the terminal, pipes: command-dependent arguments");
    let path = r.string("/tmp/notes.txt")?;
    let fd = r.call(nr::OPENAT, &[AT, path, u(abi::O_RDWR), 0]) as usize;
    let copy = r.call(nr::DUP, &[fd]) as usize;
    let high = r.call(nr::FCNTL, &[fd, u(abi::F_DUPFD_CLOEXEC), 10]) as usize;
    r.call(nr::FCNTL, &[high, u(abi::F_GETFD), 0]);
    r.call(
        nr::FCNTL,
        &[fd, u(abi::F_SETFL), u(abi::O_APPEND | abi::O_NONBLOCK)],
    );
    r.call(nr::FCNTL, &[fd, u(abi::F_GETFL), 0]);
    let lock = Flock {
        l_type: abi::F_WRLCK,
        l_whence: 0,
        l_start: 0,
        l_len: 10,
        ..Flock::default()
    };
    let lock_at = r.put(lock)?;
    r.call(nr::FCNTL, &[fd, u(abi::F_SETLK), lock_at]);
    r.call(nr::FCNTL, &[fd, u(abi::F_GETLK), lock_at]);
    let l_type = r.get::<Flock>(lock_at)?.l_type;
    r.note(format!(
        "the kernel wrote l_type = {l_type} (F_UNLCK): nobody else holds a lock"
    ));
    r.call(nr::CLOSE, &[high]);
    r.call(nr::CLOSE, &[copy]);

    let hello = r.string("hello from user space\n")?;
    r.call(nr::WRITE, &[1, hello, 22]);
    let termios = r.buffer(size_of::<abi::Termios>())?;
    r.call(nr::IOCTL, &[0, u(abi::TCGETS), termios]);
    r.call(nr::IOCTL, &[0, u(abi::TCSETS), termios]);
    let ws = r.buffer(size_of::<Winsize>())?;
    r.call(nr::IOCTL, &[1, u(abi::TIOCGWINSZ), ws]);
    let rows = r.get::<Winsize>(ws)?;
    r.note(format!(
        "user reads a {}x{} terminal",
        rows.ws_col, rows.ws_row
    ));
    let bigger = r.put(Winsize {
        ws_row: 50,
        ws_col: 132,
        ..Winsize::default()
    })?;
    r.call(nr::IOCTL, &[1, u(abi::TIOCSWINSZ), bigger]);
    r.note("SIGWINCH is generated; its default action is to ignore it");
    let count = r.buffer(4)?;
    r.call(nr::IOCTL, &[0, u(abi::FIONREAD), count]);
    let n = r.get::<i32>(count)?;
    r.note(format!("{n} bytes typed and not read yet"));
    let buf = r.buffer(64)?;
    r.call(nr::READ, &[0, buf, 3]);
    let on = r.put(1i32)?;
    r.call(nr::IOCTL, &[0, u(abi::FIONBIO), on]);

    let fds = r.buffer(8)?;
    r.call(nr::PIPE2, &[fds, u(abi::O_CLOEXEC)]);
    let [rd, wr] = r.get::<[i32; 2]>(fds)?.map(|fd| fd as usize);
    let digits = r.string("0123456789")?;
    r.call(nr::WRITE, &[wr, digits, 10]);
    r.call(nr::IOCTL, &[rd, u(abi::FIONREAD), count]);
    r.call(nr::READ, &[rd, buf, 4]);
    r.call(nr::READ, &[rd, buf, 64]);
    r.note("the pipe kept what the first read did not take");
    r.call(nr::READ, &[rd, buf, 64]);
    r.call(nr::CLOSE, &[wr]);
    r.call(nr::READ, &[rd, buf, 64]);
    r.note("the write end is closed: end of file");
    r.call(nr::CLOSE, &[rd]);
    r.call(nr::CLOSE, &[fd]);
    Ok(())
}

fn sockets(r: &mut Rig) -> LinuxResult<()> {
    r.heading("5. Unix sockets: addresses in, addresses out with in/out lengths, msghdr");
    let stream = u(abi::SOCK_STREAM);
    let unix = u(abi::AF_UNIX);
    let sv = r.buffer(8)?;
    r.call(nr::SOCKETPAIR, &[unix, stream, 0, sv]);
    let [a, b] = r.get::<[i32; 2]>(sv)?.map(|fd| fd as usize);
    let ping = r.string("ping")?;
    r.call(nr::SENDTO, &[a, ping, 4, 0, 0, 0]);
    let buf = r.buffer(64)?;
    r.call(nr::RECVFROM, &[b, buf, 64, u(abi::MSG_PEEK), 0, 0]);
    let from = r.buffer(110)?;
    let fromlen = r.put(110u32)?;
    r.call(nr::RECVFROM, &[b, buf, 64, 0, from, fromlen]);
    let len = r.get::<u32>(fromlen)?;
    r.note(format!("*addrlen = {len}: the peer has no name"));

    let (addr, addrlen) = sockaddr("/tmp/axptr.sock");
    let addr = r.bytes(&addr)?;
    let server = r.call(nr::SOCKET, &[unix, stream | u(abi::SOCK_CLOEXEC), 0]) as usize;
    r.call(nr::BIND, &[server, addr, addrlen]);
    r.call(nr::LISTEN, &[server, 8]);
    let client = r.call(nr::SOCKET, &[unix, stream, 0]) as usize;
    r.call(nr::CONNECT, &[client, addr, addrlen]);
    let peer = r.buffer(110)?;
    let peerlen = r.put(110u32)?;
    let conn = r.call(nr::ACCEPT4, &[server, peer, peerlen, u(abi::SOCK_CLOEXEC)]) as usize;
    let len = r.get::<u32>(peerlen)?;
    r.note(format!(
        "*addrlen = {len}: an unnamed client (just sun_family)"
    ));
    let name = r.buffer(110)?;
    let namelen = r.put(110u32)?;
    r.call(nr::GETSOCKNAME, &[server, name, namelen]);
    let shown = r.text(name + 2, 15)?;
    let len = r.get::<u32>(namelen)?;
    r.note(format!("user reads {shown:?}, *addrlen = {len}"));
    r.put_at(namelen, 110u32)?;
    r.call(nr::GETPEERNAME, &[client, name, namelen]);
    let size = r.put(4096i32)?;
    r.call(
        nr::SETSOCKOPT,
        &[client, u(abi::SOL_SOCKET), u(abi::SO_RCVBUF), size, 4],
    );
    let value = r.buffer(16)?;
    let optlen = r.put(4u32)?;
    r.call(
        nr::GETSOCKOPT,
        &[client, u(abi::SOL_SOCKET), u(abi::SO_RCVBUF), value, optlen],
    );
    let rcvbuf = r.get::<i32>(value)?;
    r.note(format!("user reads {rcvbuf} (Linux doubles it)"));
    r.put_at(optlen, 12u32)?;
    r.call(
        nr::GETSOCKOPT,
        &[
            client,
            u(abi::SOL_SOCKET),
            u(abi::SO_PEERCRED),
            value,
            optlen,
        ],
    );
    let cred = r.get::<abi::Ucred>(value)?;
    r.note(format!(
        "peer credentials: pid {}, uid {}, gid {}",
        cred.pid, cred.uid, cred.gid
    ));

    let (hello, world) = (r.string("hello, ")?, r.string("socket")?);
    let iov = r.put([
        IoVec {
            base: hello,
            len: 7,
        },
        IoVec {
            base: world,
            len: 6,
        },
    ])?;
    let msg = r.put(Msghdr {
        msg_name: UserPtr::null(),
        msg_namelen: 0,
        _pad0: [0; 4],
        msg_iov: iov.into(),
        msg_iovlen: 2,
        msg_control: UserPtr::null(),
        msg_controllen: 0,
        msg_flags: 0,
        _pad1: [0; 4],
    })?;
    r.call(nr::SENDMSG, &[client, msg, 0]);
    let (head, tail) = (r.buffer(5)?, r.buffer(32)?);
    let iov = r.put([
        IoVec { base: head, len: 5 },
        IoVec {
            base: tail,
            len: 32,
        },
    ])?;
    let msg = r.put(Msghdr {
        msg_name: from.into(),
        msg_namelen: 110,
        _pad0: [0; 4],
        msg_iov: iov.into(),
        msg_iovlen: 2,
        msg_control: UserPtr::null(),
        msg_controllen: 0,
        msg_flags: 0,
        _pad1: [0; 4],
    })?;
    r.call(nr::RECVMSG, &[conn, msg, 0]);
    let shown = format!("{:?} + {:?}", r.text(head, 5)?, r.text(tail, 8)?);
    r.note(format!("user reads {shown}"));
    r.call(nr::CLOSE, &[client]);
    r.call(nr::READ, &[conn, buf, 64]);
    r.note("the client is gone: end of file");
    r.call(nr::WRITE, &[conn, ping, 4]);
    r.note("and writing to it is EPIPE, with SIGPIPE (default action: reported by the model)");
    for fd in [server, conn] {
        r.call(nr::CLOSE, &[fd]);
    }
    // The pair stays open for the next section.
    let _ = (a, b);
    Ok(())
}

fn waiting(r: &mut Rig) -> LinuxResult<()> {
    r.heading("6. Waiting: fd-set bitmaps, pollfd arrays, epoll's packed events");
    let fds = r.buffer(8)?;
    r.call(nr::PIPE2, &[fds, 0]);
    let [rd, wr] = r.get::<[i32; 2]>(fds)?.map(|fd| fd as usize);
    let x = r.string("x")?;
    r.call(nr::WRITE, &[wr, x, 1]);
    let nfds = wr + 1;
    let readfds = r.put((1u64 << rd) | 1)?;
    let writefds = r.put(1u64 << wr)?;
    let tv = r.put(Timeval {
        tv_sec: 1,
        tv_usec: 0,
    })?;
    r.call(nr::SELECT, &[nfds, readfds, writefds, 0, tv]);
    r.note("descriptor 0 still has typed input, the pipe has a byte, its write end has room");
    let mask = r.put(set(&[abi::SIGUSR1]))?;
    let pack = r.put(SigsetArg {
        ss: mask.into(),
        ss_len: 8,
    })?;
    r.put_at(readfds, 1u64 << rd)?;
    let timeout = r.put(ts(0, 5_000_000))?;
    r.call(nr::PSELECT6, &[nfds, readfds, 0, 0, timeout, pack]);
    let pollfds = r.put([
        Pollfd {
            fd: rd as i32,
            events: abi::POLLIN,
            revents: 0,
        },
        Pollfd {
            fd: wr as i32,
            events: abi::POLLOUT,
            revents: 0,
        },
        Pollfd {
            fd: 42,
            events: abi::POLLIN,
            revents: 0,
        },
    ])?;
    r.call(nr::POLL, &[pollfds, 3, 0]);
    let polled = r.get::<[Pollfd; 3]>(pollfds)?.map(|pfd| pfd.revents);
    r.note(format!(
        "revents {polled:?}: POLLIN, POLLOUT, POLLNVAL for a closed descriptor"
    ));
    let buf = r.buffer(8)?;
    r.call(nr::READ, &[rd, buf, 8]);
    let tsp = r.put(ts(0, 500_000_000))?;
    r.call(nr::PPOLL, &[pollfds, 1, tsp, mask, SS]);
    r.note("nothing to read: the fake clock moves half a second, the timeout comes back spent");

    let ep = r.call(nr::EPOLL_CREATE1, &[u(abi::EPOLL_CLOEXEC)]) as usize;
    let event = r.put(EpollEvent::new(abi::EPOLLIN, 0xfeed))?;
    r.call(nr::EPOLL_CTL, &[ep, u(abi::EPOLL_CTL_ADD), rd, event]);
    let event = r.put(EpollEvent::new(abi::EPOLLIN | abi::EPOLLOUT, 3))?;
    r.call(nr::EPOLL_CTL, &[ep, u(abi::EPOLL_CTL_ADD), 3, event]);
    let events = r.buffer(8 * size_of::<EpollEvent>())?;
    r.call(nr::EPOLL_WAIT, &[ep, events, 8, 0]);
    r.note("the socket left open in section 5 can be written to");
    r.call(nr::WRITE, &[wr, x, 1]);
    r.call(nr::EPOLL_PWAIT, &[ep, events, 8, 100, mask, SS]);
    let first = r.get::<EpollEvent>(events)?;
    let (bits, data) = (first.events, first.data_u64());
    r.note(format!(
        "first event: events {bits:#x}, data {data:#x} (a packed, 12-byte structure)"
    ));
    r.call(nr::EPOLL_CTL, &[ep, u(abi::EPOLL_CTL_DEL), 3, 0]);
    r.note("EPOLL_CTL_DEL ignores the event pointer, null here");
    for fd in [ep, rd, wr, 3, 4] {
        r.call(nr::CLOSE, &[fd]);
    }
    Ok(())
}

fn time(r: &mut Rig) -> LinuxResult<()> {
    r.heading("7. Clocks and timers on a fake clock");
    let tp = r.buffer(16)?;
    r.call(nr::CLOCK_GETTIME, &[u(abi::CLOCK_MONOTONIC as u32), tp]);
    r.call(nr::CLOCK_GETTIME, &[u(abi::CLOCK_REALTIME as u32), tp]);
    r.call(nr::CLOCK_GETRES, &[u(abi::CLOCK_MONOTONIC as u32), tp]);
    r.call(nr::CLOCK_GETRES, &[u(abi::CLOCK_REALTIME as u32), 0]);
    let (tv, tz) = (r.buffer(16)?, r.buffer(8)?);
    r.call(nr::GETTIMEOFDAY, &[tv, tz]);
    let tms = r.buffer(32)?;
    r.call(nr::TIMES, &[tms]);
    let quarter = r.put(ts(0, 250_000_000))?;
    r.call(nr::NANOSLEEP, &[quarter, 0]);
    r.call(nr::CLOCK_GETTIME, &[u(abi::CLOCK_MONOTONIC as u32), tp]);
    let now = r.get::<Timespec>(tp)?;
    let wake = r.put(ts(now.tv_sec + 1, now.tv_nsec))?;
    r.call(
        nr::CLOCK_NANOSLEEP,
        &[
            u(abi::CLOCK_MONOTONIC as u32),
            u(abi::TIMER_ABSTIME),
            wake,
            0,
        ],
    );
    r.note("an absolute deadline one second ahead");

    let handler = r.put(Sigaction {
        sa_handler: 0x40_1000,
        sa_flags: abi::SA_RESTORER | abi::SA_RESTART,
        sa_restorer: 0x40_1100,
        sa_mask: SigSet::EMPTY,
    })?;
    r.call(nr::RT_SIGACTION, &[u(abi::SIGALRM), handler, 0, SS]);
    let it = r.buffer(32)?;
    r.call(nr::GETITIMER, &[u(abi::ITIMER_REAL), it]);
    let alarm = r.put(Itimerval {
        it_interval: Timeval::default(),
        it_value: Timeval {
            tv_sec: 1,
            tv_usec: 0,
        },
    })?;
    r.call(nr::SETITIMER, &[u(abi::ITIMER_REAL), alarm, it]);
    let five = r.put(ts(5, 0))?;
    let rem = r.buffer(16)?;
    r.call(nr::NANOSLEEP, &[five, rem]);
    let left = r.get::<Timespec>(rem)?;
    r.note(format!(
        "SIGALRM cut the sleep short: the body wrote rem = {{{}, {}}} on EINTR",
        left.tv_sec, left.tv_nsec
    ));

    let usr2 = r.put(set(&[abi::SIGUSR2]))?;
    r.call(nr::RT_SIGPROCMASK, &[u(abi::SIG_BLOCK), usr2, 0, SS]);
    let sev = r.put(Sigevent::signal(abi::SIGUSR2, 0x1234))?;
    let id = r.buffer(4)?;
    r.call(nr::TIMER_CREATE, &[u(abi::CLOCK_MONOTONIC as u32), sev, id]);
    let timer = r.get::<i32>(id)? as usize;
    let spec = r.put(Itimerspec {
        it_interval: ts(0, 0),
        it_value: ts(0, 100_000_000),
    })?;
    let old = r.buffer(32)?;
    r.call(nr::TIMER_SETTIME, &[timer, 0, spec, old]);
    r.call(nr::TIMER_GETTIME, &[timer, old]);
    let info = r.buffer(128)?;
    let second = r.put(ts(1, 0))?;
    r.call(nr::RT_SIGTIMEDWAIT, &[usr2, info, second, SS]);
    r.note("the timer's signal, with its sigevent's value, in a 128-byte siginfo union");
    r.call(nr::RT_SIGPROCMASK, &[u(abi::SIG_UNBLOCK), usr2, 0, SS]);
    Ok(())
}

fn signals(r: &mut Rig) -> LinuxResult<()> {
    r.heading("8. Signals: actions, masks and sets with their size register");
    let act = r.put(Sigaction {
        sa_handler: 0x40_1200,
        sa_flags: abi::SA_RESTORER | abi::SA_SIGINFO | abi::SA_ONSTACK,
        sa_restorer: 0x40_1100,
        sa_mask: set(&[abi::SIGUSR2]),
    })?;
    let old = r.buffer(size_of::<Sigaction>())?;
    r.call(nr::RT_SIGACTION, &[u(abi::SIGUSR1), act, old, SS]);
    r.call(nr::RT_SIGACTION, &[u(abi::SIGUSR1), 0, old, SS]);
    let stack = r.buffer(8192)?;
    let ss = r.put(StackT {
        ss_sp: stack,
        ss_flags: 0,
        _pad: [0; 4],
        ss_size: 8192,
    })?;
    let old_ss = r.buffer(size_of::<StackT>())?;
    r.call(nr::SIGALTSTACK, &[ss, old_ss]);
    r.call(nr::SIGALTSTACK, &[0, old_ss]);
    let usr1 = r.put(set(&[abi::SIGUSR1]))?;
    let oldset = r.buffer(8)?;
    r.call(nr::RT_SIGPROCMASK, &[u(abi::SIG_BLOCK), usr1, oldset, SS]);
    let pid = r.call(nr::GETPID, &[]) as usize;
    r.call(nr::KILL, &[pid, u(abi::SIGUSR1)]);
    let pending = r.buffer(8)?;
    r.call(nr::RT_SIGPENDING, &[pending, SS]);
    let info = r.buffer(128)?;
    r.call(nr::RT_SIGTIMEDWAIT, &[usr1, info, 0, SS]);
    let queued = r.put(Siginfo::user(abi::SIGUSR1, abi::SI_QUEUE, pid as i32, 0))?;
    r.call(nr::RT_SIGQUEUEINFO, &[pid, u(abi::SIGUSR1), queued]);
    let empty = r.put(SigSet::EMPTY)?;
    r.call(nr::RT_SIGSUSPEND, &[empty, SS]);
    r.note(
        "the pending SIGUSR1 is let through and delivered: rt_sigsuspend always ends with EINTR",
    );
    r.call(nr::KILL, &[2, u(abi::SIGTERM)]);
    Ok(())
}

fn process(r: &mut Rig) -> LinuxResult<()> {
    r.heading("9. The process: identity, limits, scheduling, randomness");
    r.call(nr::GETTID, &[]);
    let uts = r.buffer(size_of::<abi::Utsname>())?;
    r.call(nr::UNAME, &[uts]);
    let name = r.bytes_ro(b"sim")?;
    r.call(nr::SETHOSTNAME, &[name, 3]);
    r.call(nr::UNAME, &[uts]);
    let info = r.buffer(size_of::<abi::Sysinfo>())?;
    r.call(nr::SYSINFO, &[info]);
    let rlim = r.buffer(16)?;
    r.call(nr::GETRLIMIT, &[u(abi::RLIMIT_NOFILE), rlim]);
    let raise = r.put(Rlimit {
        rlim_cur: 128,
        rlim_max: 4096,
    })?;
    r.call(nr::SETRLIMIT, &[u(abi::RLIMIT_NOFILE), raise]);
    r.call(nr::PRLIMIT64, &[0, u(abi::RLIMIT_STACK), 0, rlim]);
    let core = r.put(Rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    })?;
    r.call(nr::PRLIMIT64, &[0, u(abi::RLIMIT_CORE), core, rlim]);
    let usage = r.buffer(size_of::<abi::Rusage>())?;
    r.call(nr::GETRUSAGE, &[0, usage]);
    r.call(nr::GETGROUPS, &[0, 0]);
    let groups = r.buffer(4 * 8)?;
    r.call(nr::GETGROUPS, &[8, groups]);
    let shown = r.get::<[u32; 3]>(groups)?;
    r.note(format!(
        "user reads {shown:?}; only the 3 groups were copied out"
    ));
    let new = r.put([0u32, 100])?;
    r.call(nr::SETGROUPS, &[2, new]);
    let ids = [r.buffer(4)?, r.buffer(4)?, r.buffer(4)?];
    r.call(nr::GETRESUID, &ids);
    let long = r.string("axptr-worker-thread-1")?;
    r.call(nr::PRCTL, &[u(abi::PR_SET_NAME), long, 0, 0, 0]);
    let comm = r.buffer(16)?;
    r.call(nr::PRCTL, &[u(abi::PR_GET_NAME), comm, 0, 0, 0]);
    let shown = r.text(comm, 15)?;
    r.note(format!("the name was cut to 15 bytes: {shown:?}"));
    r.call(nr::PRCTL, &[u(abi::PR_GET_DUMPABLE), 0, 0, 0, 0]);
    let random = r.buffer(16)?;
    r.call(nr::GETRANDOM, &[random, 16, 0]);
    let mask = r.buffer(8)?;
    r.call(nr::SCHED_GETAFFINITY, &[0, 8, mask]);
    let two = r.put(0b11u64)?;
    r.call(nr::SCHED_SETAFFINITY, &[0, 8, two]);
    let attr = r.buffer(size_of::<SchedAttr>())?;
    r.call(nr::SCHED_GETATTR, &[0, attr, size_of::<SchedAttr>(), 0]);
    let nice = r.put(SchedAttr {
        size: abi::SCHED_ATTR_SIZE_VER0 as u32,
        sched_policy: abi::SCHED_BATCH,
        sched_nice: 5,
        ..SchedAttr::default()
    })?;
    r.call(nr::SCHED_SETATTR, &[0, nice, 0]);
    let param = r.buffer(4)?;
    r.call(nr::SCHED_GETPARAM, &[0, param]);
    let zero = r.put(SchedParam { sched_priority: 0 })?;
    r.call(nr::SCHED_SETPARAM, &[0, zero]);
    let interval = r.buffer(16)?;
    r.call(nr::SCHED_RR_GET_INTERVAL, &[0, interval]);
    let status = r.buffer(4)?;
    r.call(nr::WAIT4, &[neg(-1), status, 0, usage]);
    let status = r.get::<i32>(status)?;
    r.note(format!(
        "the child exited with status {}",
        (status >> 8) & 0xff
    ));
    r.call(nr::WAIT4, &[neg(-1), 0, 0, 0]);
    Ok(())
}

/// Returns the address of the robust list's entry, whose futex the exit
/// marks.
fn threads(r: &mut Rig) -> LinuxResult<usize> {
    r.heading("10. Threads and futexes: pointers kept for later, clone3's extensible clone_args");
    let tid_word = r.put(1000i32)?;
    r.call(nr::SET_TID_ADDRESS, &[tid_word]);
    // A robust list with one held futex: head -> entry -> head.
    let head = r.buffer(size_of::<RobustListHead>())?;
    let entry = r.buffer(16)?;
    r.put_at(
        head,
        RobustListHead {
            list: entry,
            futex_offset: 8,
            list_op_pending: 0,
        },
    )?;
    r.put_at(entry, [head as u64, 1000])?;
    r.call(nr::SET_ROBUST_LIST, &[head, size_of::<RobustListHead>()]);
    let (head_out, len_out) = (r.buffer(8)?, r.buffer(8)?);
    r.call(nr::GET_ROBUST_LIST, &[0, head_out, len_out]);

    let (ctid, ptid) = (r.buffer(4)?, r.buffer(4)?);
    let stack = r.buffer(256)?;
    let flags = abi::CLONE_VM
        | abi::CLONE_FS
        | abi::CLONE_FILES
        | abi::CLONE_SIGHAND
        | abi::CLONE_THREAD
        | abi::CLONE_SYSVSEM
        | abi::CLONE_SETTLS
        | abi::CLONE_PARENT_SETTID
        | abi::CLONE_CHILD_CLEARTID
        | abi::CLONE_CHILD_SETTID;
    let args = r.put(CloneArgs {
        flags,
        child_tid: ctid as u64,
        parent_tid: ptid as u64,
        stack: stack as u64,
        stack_size: 256,
        tls: 0x7000,
        ..CloneArgs::default()
    })?;
    let tid = r.call(nr::CLONE3, &[args, size_of::<CloneArgs>()]) as usize;
    let (p, c) = (r.get::<i32>(ptid)?, r.get::<i32>(ctid)?);
    r.note(format!("*parent_tid = {p}, *child_tid = {c}"));
    let other = r.put(0u32)?;
    let private = abi::FUTEX_PRIVATE_FLAG;
    r.call(
        nr::FUTEX,
        &[other, u(abi::FUTEX_WAKE | private), 1, 0, 0, 0],
    );
    r.note("nobody waits there");
    r.call(
        nr::FUTEX,
        &[ctid, u(abi::FUTEX_WAIT | private), 999, 0, 0, 0],
    );
    r.note("the word is not 999: EAGAIN at once");
    let brief = r.put(ts(0, 10_000_000))?;
    r.call(
        nr::FUTEX,
        &[ctid, u(abi::FUTEX_WAIT | private), tid, brief, 0, 0],
    );
    r.note("the word matches; nothing wakes us: the timeout ends the wait");
    r.call(nr::FUTEX, &[ctid, u(abi::FUTEX_WAKE | private), 1, 0, 0, 0]);
    let c = r.get::<i32>(ctid)?;
    r.note(format!(
        "the worker woke and exited: the kernel wrote *child_tid = {c} then"
    ));
    r.call(
        nr::FUTEX,
        &[ctid, u(abi::FUTEX_WAIT | private), tid, 0, 0, 0],
    );
    r.note("what pthread_join does: the word changed, no wait");
    Ok(entry)
}

fn other_process(r: &mut Rig) -> LinuxResult<()> {
    r.heading("11. Another process's memory: iovecs on both sides, two address spaces");
    let (first, second) = (r.buffer(8)?, r.buffer(32)?);
    let local = r.put([
        IoVec {
            base: first,
            len: 8,
        },
        IoVec {
            base: second,
            len: 32,
        },
    ])?;
    let remote = r.put([IoVec {
        base: PEER_BASE,
        len: 24,
    }])?;
    r.call(nr::PROCESS_VM_READV, &[2, local, 2, remote, 1, 0]);
    let shown = format!("{:?} + {:?}", r.text(first, 8)?, r.text(second, 16)?);
    r.note(format!("user reads {shown}"));
    let greeting = r.string("hello from 1000")?;
    let local = r.put([IoVec {
        base: greeting,
        len: 15,
    }])?;
    let remote = r.put([IoVec {
        base: PEER_BASE + 64,
        len: 15,
    }])?;
    r.call(nr::PROCESS_VM_WRITEV, &[2, local, 1, remote, 1, 0]);
    let written = String::from_utf8_lossy(&r.peer.peek(PEER_BASE + 64, 15)?).into_owned();
    r.note(format!("process 2's memory now holds {written:?}"));
    Ok(())
}

fn exec(r: &mut Rig) -> LinuxResult<()> {
    r.heading("12. execve: argv and envp, copied in with Linux's limits");
    let sh = r.string("/bin/sh")?;
    let (a0, a1, a2) = (r.string("sh")?, r.string("-c")?, r.string("echo hi")?);
    let argv = r.words(&[a0, a1, a2, 0])?;
    let (e0, e1) = (r.string("HOME=/home/user")?, r.string("PATH=/bin")?);
    let envp = r.words(&[e0, e1, 0])?;
    r.call(nr::EXECVE, &[sh, argv, envp]);
    Ok(())
}

fn demand_paging(r: &mut Rig) -> LinuxResult<()> {
    r.heading(
        "13. Demand paging: validation only checks the heap is mapped; the copy-out\n\
         #    touches pages that are not present, and the fault handler maps them in",
    );
    let path = r.string("/tmp/big")?;
    let flags = abi::O_RDWR | abi::O_CREAT;
    let fd = r.call(nr::OPENAT, &[AT, path, u(flags), 0o600]) as usize;
    r.call(nr::WRITE, &[fd, XS, 2 * PAGE]);
    r.space.set_demand_paging(true);
    let before = r.space.stats();
    r.call(nr::PREAD64, &[fd, HEAP, 2 * PAGE, 0]);
    let after = r.space.stats();
    r.note(format!(
        "sim: {} page faults resolved by the page-fault handler, {} pages populated by validation",
        after.resolved - before.resolved,
        after.populated_by_check - before.populated_by_check,
    ));
    r.space.set_demand_paging(false);
    r.call(nr::CLOSE, &[fd]);
    Ok(())
}

fn hostile_fds(r: &mut Rig) -> LinuxResult<()> {
    r.subheading("14a. A bad descriptor is reported before a bad pointer, as in Linux");
    r.bad(
        nr::READ,
        &[99, 0, 64],
        "EBADF: the descriptor is checked first (the kernel's Fd argument type)",
    );
    r.bad(nr::FSTAT, &[99, HOLE], "EBADF, not EFAULT");
    r.bad(
        nr::READV,
        &[neg(-1), HOLE, 1],
        "EBADF before the iovec array is imported",
    );
    r.bad(
        nr::GETDENTS64,
        &[1, HOLE, 64],
        "ENOTDIR: the terminal is no directory",
    );
    r.bad(nr::IOCTL, &[99, u(abi::TCGETS), HOLE], "EBADF");
    r.bad(
        nr::GETSOCKNAME,
        &[0, HOLE, HOLE],
        "ENOTSOCK: the descriptor comes first, *addrlen is read after the body (as on Linux)",
    );
    Ok(())
}

fn hostile_buffers(r: &mut Rig) -> LinuxResult<()> {
    r.subheading("14b. Buffers: null, unmapped, partly unmapped, read-only, kernel half");
    let path = r.string("/etc/passwd")?;
    let fd = r.call(nr::OPENAT, &[AT, path, 0, 0]) as usize;
    r.bad(nr::READ, &[fd, 0, 64], "null buffer");
    r.bad(nr::READ, &[fd, HOLE, 64], "unmapped buffer");
    r.edge(
        nr::READ,
        &[fd, EDGE_END - 10, 64],
        "10 bytes fit before the hole: a short read of 10",
    );
    r.bad(nr::READ, &[fd, RODATA, 64], "read-only buffer");
    r.bad(
        nr::READ,
        &[fd, KERNEL_ADDR, 64],
        "a buffer in the kernel half",
    );
    r.bad(
        nr::READ,
        &[fd, PAST_USER - 8, 64],
        "a buffer that runs past the end of user space",
    );
    let offset = r.call(nr::LSEEK, &[fd, 0, u(abi::SEEK_CUR)]);
    r.note(format!(
        "the file position is {offset}: only what reached user space was consumed"
    ));
    r.bad(nr::WRITE, &[1, HOLE, 16], "unmapped source");
    r.space.poke(EDGE_END - 6, b"edge!\n")?;
    r.edge(
        nr::WRITE,
        &[1, EDGE_END - 6, 64],
        "6 readable bytes: a short write of 6",
    );
    r.bad(nr::PREAD64, &[fd, KERNEL_ADDR, 16, 0], "kernel half");
    r.bad(nr::GETRANDOM, &[HOLE, 16, 0], "unmapped");
    r.edge(
        nr::GETRANDOM,
        &[EDGE_END - 100, 300, 0],
        "100 bytes before the hole: 100",
    );
    r.bad(nr::GETCWD, &[RODATA, 64], "read-only");
    r.edge(
        nr::GETCWD,
        &[EDGE_END - 5, 64],
        "the 5-byte path fits before the hole; the rest of the buffer is never touched",
    );
    r.bad(
        nr::UNAME,
        &[RODATA],
        "a structure copied out to a read-only page: EFAULT after the body",
    );
    r.bad(
        nr::CLOCK_GETTIME,
        &[u(abi::CLOCK_MONOTONIC as u32), EDGE_END - 8],
        "half of the timespec is unmapped",
    );
    r.bad(nr::SYSINFO, &[KERNEL_ADDR], "kernel half");
    r.bad(
        nr::PIPE2,
        &[RODATA, 0],
        "the descriptors cannot be copied out...",
    );
    let fd2 = r.call(nr::DUP, &[fd]);
    r.note(format!(
        "...and none leaked: dup returns {fd2}, the lowest free descriptor"
    ));
    r.call(nr::CLOSE, &[fd2 as usize]);
    r.bad(
        nr::SOCKETPAIR,
        &[u(abi::AF_UNIX), u(abi::SOCK_STREAM), 0, HOLE],
        "the same for a socket pair",
    );
    r.bad(
        nr::TIMER_CREATE,
        &[u(abi::CLOCK_MONOTONIC as u32), 0, RODATA],
        "and for a timer: no timer is left behind",
    );
    r.call(nr::CLOSE, &[fd]);
    Ok(())
}

fn hostile_lengths(r: &mut Rig) -> LinuxResult<()> {
    r.subheading("14c. Lengths: overflowing, negative, above the syscall's own limit");
    let buf = r.buffer(64)?;
    r.bad(
        nr::WRITE,
        &[1, buf, usize::MAX],
        "a length that wraps the address space",
    );
    r.bad(
        nr::GETGROUPS,
        &[neg(-1), buf],
        "a negative int length: EINVAL",
    );
    r.bad(
        nr::SETGROUPS,
        &[abi::NGROUPS_MAX + 1, HOLE],
        "above NGROUPS_MAX: EINVAL before the array is read",
    );
    r.bad(nr::SETHOSTNAME, &[buf, 65], "above 64 bytes: EINVAL");
    let (addr, _) = sockaddr("/tmp/x");
    let addr = r.bytes(&addr)?;
    let sock = r.call(nr::SOCKET, &[u(abi::AF_UNIX), u(abi::SOCK_STREAM), 0]) as usize;
    r.bad(
        nr::BIND,
        &[sock, addr, 129],
        "addrlen above sizeof(sockaddr_storage): EINVAL before the copy",
    );
    r.bad(nr::BIND, &[sock, HOLE, 20], "EFAULT");
    r.bad(
        nr::SETSOCKOPT,
        &[sock, u(abi::SOL_SOCKET), u(abi::SO_RCVBUF), buf, 2],
        "optlen too small for an int",
    );
    r.bad(
        nr::SETSOCKOPT,
        &[sock, u(abi::SOL_SOCKET), u(abi::SO_RCVBUF), buf, neg(-4)],
        "a negative optlen",
    );
    r.call(nr::CLOSE, &[sock]);
    let path = r.string("/tmp/notes.txt")?;
    let name = r.string("user.big")?;
    r.bad(
        nr::SETXATTR,
        &[path, name, HOLE, abi::XATTR_SIZE_MAX + 1, 0],
        "a value above 64 KiB: E2BIG before it is read",
    );
    let link = r.string("/etc/localtime")?;
    r.bad(nr::READLINKAT, &[AT, link, buf, 0], "a zero bufsiz: EINVAL");
    r.bad(
        nr::READLINKAT,
        &[AT, link, buf, neg(-1)],
        "negative: EINVAL",
    );
    r.edge(
        nr::READLINKAT,
        &[AT, link, buf, 4],
        "a short buffer: the target is cut, no NUL",
    );
    let ep = r.call(nr::EPOLL_CREATE1, &[0]) as usize;
    r.bad(nr::EPOLL_WAIT, &[ep, buf, 0, 0], "maxevents 0: EINVAL");
    r.bad(
        nr::EPOLL_WAIT,
        &[ep, buf, neg(-1), 0],
        "maxevents -1: EINVAL",
    );
    r.bad(
        nr::EPOLL_WAIT,
        &[ep, HOLE, 4, 0],
        "an unmapped event array: EFAULT before the descriptor is looked at",
    );
    r.bad(nr::EPOLL_WAIT, &[99, buf, 4, 0], "EBADF");
    r.call(nr::CLOSE, &[ep]);
    r.bad(
        nr::POLL,
        &[HOLE, 100_000, 0],
        "nfds above RLIMIT_NOFILE: EINVAL before the array is copied",
    );
    let dir = r.string("/etc")?;
    let dirfd = r.call(nr::OPENAT, &[AT, dir, u(abi::O_DIRECTORY), 0]) as usize;
    r.bad(
        nr::GETDENTS64,
        &[dirfd, buf, 16],
        "too small for the first record: EINVAL",
    );
    r.edge(
        nr::GETDENTS64,
        &[dirfd, buf, 40],
        "room for one record: the next call continues",
    );
    r.call(nr::CLOSE, &[dirfd]);
    Ok(())
}

fn hostile_iovecs(r: &mut Rig) -> LinuxResult<()> {
    r.subheading("14d. iovec arrays (Linux's import_iovec order)");
    let a = r.string("ok\n")?;
    let iov = r.words(&[a, 1, a, usize::MAX])?;
    r.bad(
        nr::WRITEV,
        &[1, iov, 2],
        "a length that is negative as ssize_t: EINVAL",
    );
    r.bad(
        nr::WRITEV,
        &[1, iov, IOV_MAX + 1],
        "more than IOV_MAX: EINVAL before the array is read",
    );
    r.bad(nr::WRITEV, &[1, iov, neg(-1)], "a negative count: EINVAL");
    r.bad(
        nr::WRITEV,
        &[1, HOLE, 2],
        "the array itself unmapped: EFAULT",
    );
    let iov = r.words(&[a, 1, KERNEL_ADDR, 8])?;
    r.bad(
        nr::WRITEV,
        &[1, iov, 2],
        "a segment in the kernel half: EFAULT",
    );
    let iov = r.words(&[a, 3, HOLE, 8])?;
    r.edge(
        nr::WRITEV,
        &[1, iov, 2],
        "the second segment is unmapped: a short write of 3",
    );
    let out = r.buffer(8)?;
    let iov = r.words(&[out, 2, RODATA, 8])?;
    r.edge(
        nr::READV,
        &[0, iov, 2],
        "the second segment is read-only: a short read, the rest stays typed",
    );
    r.edge(nr::WRITEV, &[1, 0, 0], "no segments at a null array: 0");
    Ok(())
}

fn hostile_sigsets(r: &mut Rig) -> LinuxResult<()> {
    r.subheading("14e. Signal sets and their size register");
    let mask = r.put(SigSet::EMPTY)?;
    let old = r.buffer(16)?;
    r.bad(
        nr::RT_SIGPROCMASK,
        &[u(abi::SIG_BLOCK), mask, old, 4],
        "sigsetsize 4: EINVAL",
    );
    r.bad(
        nr::RT_SIGPROCMASK,
        &[u(abi::SIG_BLOCK), HOLE, 0, 16],
        "sigsetsize is checked before the set is read: EINVAL, not EFAULT",
    );
    r.bad(
        nr::RT_SIGPROCMASK,
        &[u(abi::SIG_BLOCK), HOLE, 0, SS],
        "then the set: EFAULT",
    );
    r.bad(
        nr::RT_SIGPROCMASK,
        &[7, mask, 0, SS],
        "an unknown how: EINVAL",
    );
    r.bad(nr::RT_SIGACTION, &[u(abi::SIGUSR1), 0, old, 16], "EINVAL");
    r.bad(
        nr::RT_SIGACTION,
        &[u(abi::SIGKILL), mask, 0, SS],
        "SIGKILL's action cannot change",
    );
    r.bad(nr::RT_SIGACTION, &[65, 0, 0, SS], "signal 65: EINVAL");
    r.bad(
        nr::RT_SIGACTION,
        &[u(abi::SIGUSR1), EDGE_END - 16, 0, SS],
        "half of the sigaction is unmapped: EFAULT",
    );
    r.bad(nr::RT_SIGSUSPEND, &[mask, 0], "EINVAL");
    r.bad(nr::RT_SIGTIMEDWAIT, &[mask, 0, 0, 7], "EINVAL");
    r.bad(
        nr::RT_SIGPENDING,
        &[old, 16],
        "more than sizeof(sigset_t): EINVAL",
    );
    r.edge(
        nr::RT_SIGPENDING,
        &[old, 4],
        "fewer bytes are fine for rt_sigpending (the kernel's own kind)",
    );
    let pollfd = r.put(Pollfd {
        fd: 0,
        events: abi::POLLOUT,
        revents: 0,
    })?;
    r.edge(
        nr::PPOLL,
        &[pollfd, 1, 0, 0, 4],
        "ppoll checks the size only with a mask: fine",
    );
    r.bad(nr::PPOLL, &[pollfd, 1, 0, mask, 4], "with a mask: EINVAL");
    let ep = r.call(nr::EPOLL_CREATE1, &[0]) as usize;
    let events = r.buffer(12)?;
    r.bad(nr::EPOLL_PWAIT, &[ep, events, 1, 0, mask, 16], "EINVAL");
    r.call(nr::CLOSE, &[ep]);
    let readfds = r.put(1u64)?;
    let pack = r.put(SigsetArg {
        ss: mask.into(),
        ss_len: 4,
    })?;
    r.bad(
        nr::PSELECT6,
        &[1, readfds, 0, 0, 0, pack],
        "pselect6's {sigset, size} with size 4: EINVAL",
    );
    r.bad(
        nr::PSELECT6,
        &[1, readfds, 0, 0, 0, HOLE],
        "the pair itself unmapped: EFAULT",
    );
    let pack = r.put(SigsetArg {
        ss: HOLE.into(),
        ss_len: 8,
    })?;
    r.bad(
        nr::PSELECT6,
        &[1, readfds, 0, 0, 0, pack],
        "the sigset it points to unmapped: EFAULT",
    );
    Ok(())
}

fn hostile_structures(r: &mut Rig) -> LinuxResult<()> {
    r.subheading("14f. Structures in and out");
    let ts_at = r.buffer(24)? + 1;
    r.edge(
        nr::CLOCK_GETTIME,
        &[u(abi::CLOCK_MONOTONIC as u32), ts_at],
        "a misaligned timespec: copies need no alignment",
    );
    r.put_at(ts_at, ts(0, 1000))?;
    r.edge(
        nr::NANOSLEEP,
        &[ts_at, 0],
        "a request read from the same misaligned address",
    );
    r.bad(
        nr::NANOSLEEP,
        &[EDGE_END - 8, 0],
        "half of the request unmapped: EFAULT before the body",
    );
    r.bad(nr::NANOSLEEP, &[0, 0], "null: EFAULT");
    let bad_ts = r.put(ts(0, 1_000_000_000))?;
    r.bad(
        nr::NANOSLEEP,
        &[bad_ts, 0],
        "tv_nsec out of range: the body's EINVAL",
    );
    let negative = r.put(ts(-1, 0))?;
    r.bad(
        nr::CLOCK_NANOSLEEP,
        &[u(abi::CLOCK_MONOTONIC as u32), 0, negative, 0],
        "EINVAL",
    );
    r.bad(nr::CLOCK_GETTIME, &[42, ts_at], "an unknown clock: EINVAL");
    let st = r.buffer(size_of::<Stat>())?;
    r.bad(
        nr::FSTAT,
        &[1, RODATA],
        "read-only: the body ran, the copy-out failed",
    );
    r.edge(nr::FSTAT, &[1, st + 3], "misaligned: fine");
    let it = r.put(Itimerval {
        it_interval: Timeval::default(),
        it_value: Timeval {
            tv_sec: 0,
            tv_usec: 1_000_000,
        },
    })?;
    r.bad(
        nr::SETITIMER,
        &[u(abi::ITIMER_REAL), it, 0],
        "tv_usec out of range: EINVAL",
    );
    r.bad(nr::SETITIMER, &[9, 0, 0], "an unknown timer: EINVAL");
    r.bad(
        nr::TIMER_SETTIME,
        &[77, 0, it, 0],
        "an unknown timer id: EINVAL",
    );
    let rlim = r.put(Rlimit {
        rlim_cur: 10,
        rlim_max: 5,
    })?;
    r.bad(
        nr::SETRLIMIT,
        &[u(abi::RLIMIT_NOFILE), rlim],
        "soft above hard: EINVAL",
    );
    r.bad(nr::SETRLIMIT, &[99, rlim], "an unknown resource: EINVAL");
    r.bad(
        nr::PRLIMIT64,
        &[4242, u(abi::RLIMIT_NOFILE), 0, 0],
        "no such process: ESRCH",
    );
    let small = r.put(StackT {
        ss_sp: 0x1000,
        ss_flags: 0,
        _pad: [0; 4],
        ss_size: 100,
    })?;
    r.bad(
        nr::SIGALTSTACK,
        &[small, 0],
        "a stack below MINSIGSTKSZ: ENOMEM",
    );
    let info = r.put(Siginfo::user(abi::SIGUSR1, abi::SI_USER, 1, 0))?;
    r.bad(
        nr::RT_SIGQUEUEINFO,
        &[2, u(abi::SIGUSR1), info],
        "si_code SI_USER towards another process: EPERM",
    );
    let times = r.put([ts(0, abi::NSEC_PER_SEC), ts(0, 0)])?;
    let path = r.string("/tmp/notes.txt")?;
    r.bad(
        nr::UTIMENSAT,
        &[AT, path, times, 0],
        "a timestamp out of range: EINVAL",
    );
    r.bad(
        nr::UTIMENSAT,
        &[AT, 0, 0, 0],
        "a null path with AT_FDCWD: EFAULT, as Linux",
    );
    let ignore = r.put(Sigaction {
        sa_handler: abi::SIG_IGN,
        ..Sigaction::default()
    })?;
    r.call(nr::RT_SIGACTION, &[u(abi::SIGALRM), ignore, 0, SS]);
    let storm = r.put(Itimerval {
        it_interval: Timeval {
            tv_sec: 0,
            tv_usec: 1,
        },
        it_value: Timeval {
            tv_sec: 0,
            tv_usec: 1,
        },
    })?;
    r.call(nr::SETITIMER, &[u(abi::ITIMER_REAL), storm, 0]);
    let days = r.put(ts(1_000_000, 0))?;
    r.edge(
        nr::NANOSLEEP,
        &[days, 0],
        "a 1 µs timer whose signal is ignored, through 11 days of fake time: \
         its expiries are counted, not stepped through",
    );
    r.call(nr::SETITIMER, &[u(abi::ITIMER_REAL), 0, 0]);
    r.note("a null value disarms the timer (a misfeature Linux keeps)");
    Ok(())
}

fn hostile_extensible(r: &mut Rig) -> LinuxResult<()> {
    r.subheading("14g. Extensible structures (copy_struct_from_user)");
    let path = r.string("/tmp")?;
    let mut bytes = r.bytes_of(OpenHow {
        flags: u64::from(abi::O_RDONLY | abi::O_DIRECTORY),
        mode: 0,
        resolve: 0,
    })?;
    bytes.resize(48, 0);
    let how = r.bytes(&bytes)?;
    r.bad(
        nr::OPENAT2,
        &[AT, path, how, 16],
        "smaller than the first version (24): EINVAL",
    );
    r.bad(
        nr::OPENAT2,
        &[AT, path, how, PAGE + 1],
        "above a page: E2BIG",
    );
    let fd = r.edge(
        nr::OPENAT2,
        &[AT, path, how, 48],
        "a newer, larger open_how whose extra bytes are zero: fine",
    );
    r.call(nr::CLOSE, &[fd as usize]);
    r.space.poke(how + 40, &[1])?;
    r.bad(
        nr::OPENAT2,
        &[AT, path, how, 48],
        "a field this kernel does not know is set: E2BIG",
    );
    let tail = r.bytes_of(OpenHow::default())?;
    r.space.poke(EDGE_END - 24, &tail)?;
    r.bad(
        nr::OPENAT2,
        &[AT, path, EDGE_END - 24, 32],
        "its tail runs into unmapped memory: EFAULT",
    );
    let how = r.put(OpenHow {
        flags: u64::from(abi::O_RDONLY),
        mode: 0o644,
        resolve: 0,
    })?;
    r.bad(
        nr::OPENAT2,
        &[AT, path, how, 24],
        "a mode without O_CREAT: EINVAL",
    );
    let how = r.put(OpenHow {
        flags: 0,
        mode: 0,
        resolve: abi::RESOLVE_BENEATH,
    })?;
    let up = r.string("../etc")?;
    r.bad(
        nr::OPENAT2,
        &[AT, up, how, 24],
        "RESOLVE_BENEATH and '..': EXDEV",
    );

    let args = r.put(CloneArgs::default())?;
    r.bad(
        nr::CLONE3,
        &[args, 40],
        "below CLONE_ARGS_SIZE_VER0 (64): EINVAL",
    );
    let mut bytes = r.bytes_of(CloneArgs::default())?;
    bytes.resize(96, 0);
    bytes[90] = 1;
    let grown = r.bytes(&bytes)?;
    r.bad(
        nr::CLONE3,
        &[grown, 96],
        "a non-zero byte past the kernel's 88: E2BIG",
    );
    r.bad(
        nr::CLONE3,
        &[args, 88],
        "a fork: the model makes threads only (EINVAL)",
    );
    let ro_tid = CloneArgs {
        flags: abi::CLONE_VM | abi::CLONE_SIGHAND | abi::CLONE_THREAD | abi::CLONE_PARENT_SETTID,
        parent_tid: RODATA as u64,
        ..CloneArgs::default()
    };
    let args = r.put(ro_tid)?;
    r.edge(
        nr::CLONE3,
        &[args, 88],
        "parent_tid is read-only: Linux ignores that fault, so does the model",
    );

    let attr = r.bytes(&{
        let mut bytes = r.bytes_of(SchedAttr {
            size: 100,
            ..SchedAttr::default()
        })?;
        bytes.resize(100, 0);
        bytes[80] = 7;
        bytes
    })?;
    r.bad(
        nr::SCHED_SETATTR,
        &[0, attr, 0],
        "sched_attr says 100 bytes, with a non-zero one past 56: E2BIG",
    );
    let size = r.get::<u32>(attr)?;
    r.note(format!(
        "and the kernel wrote its own size back: attr->size = {size}"
    ));
    r.put_at(attr, 8u32)?;
    r.bad(
        nr::SCHED_SETATTR,
        &[0, attr, 0],
        "a size below the first version: E2BIG",
    );
    r.bad(nr::SCHED_SETATTR, &[0, HOLE, 0], "unmapped: EFAULT");
    let out = r.buffer(128)?;
    r.bad(
        nr::SCHED_GETATTR,
        &[0, out, 16, 0],
        "sched_getattr below 48 bytes: EINVAL",
    );
    r.bad(
        nr::SCHED_GETATTR,
        &[0, out, PAGE + 1, 0],
        "above a page: EINVAL",
    );
    r.space.poke(out, &[0xff; 128])?;
    r.edge(
        nr::SCHED_GETATTR,
        &[0, out, 128, 0],
        "a larger user structure: the 72 bytes past the kernel's are zeroed",
    );
    let tail = r.peek(out + 56, 72)?;
    r.note(format!(
        "user sees {} non-zero bytes past byte 56",
        tail.iter().filter(|&&b| b != 0).count()
    ));
    Ok(())
}

fn hostile_strings(r: &mut Rig) -> LinuxResult<()> {
    r.subheading("14h. Strings and string arrays with their limits");
    r.bad(nr::OPENAT, &[AT, 0, 0, 0], "null path: EFAULT");
    r.bad(
        nr::OPENAT,
        &[AT, XS, 0, 0],
        "no NUL within PATH_MAX: ENAMETOOLONG",
    );
    r.space.poke(EDGE_END - 8, b"/etc/hos")?;
    r.bad(
        nr::OPENAT,
        &[AT, EDGE_END - 8, 0, 0],
        "a path that runs into unmapped memory: EFAULT",
    );
    r.bad(
        nr::OPENAT,
        &[AT, KERNEL_ADDR, 0, 0],
        "a path in the kernel half: EFAULT",
    );
    let missing = r.string("/nope")?;
    r.bad(nr::CHDIR, &[missing], "ENOENT");
    let name = r.string(&"m".repeat(250))?;
    r.bad(
        nr::MEMFD_CREATE,
        &[name, 0],
        "a 250-byte memfd name: EINVAL (the limit is 249)",
    );
    let name = r.string(&"m".repeat(249))?;
    let fd = r.edge(nr::MEMFD_CREATE, &[name, 0], "249 bytes: fine");
    r.call(nr::CLOSE, &[fd as usize]);
    let path = r.string("/tmp/notes.txt")?;
    let long = r.string(&format!("user.{}", "n".repeat(251)))?;
    let value = r.string("v")?;
    r.bad(
        nr::SETXATTR,
        &[path, long, value, 1, 0],
        "a 256-byte attribute name: ERANGE",
    );
    let empty = r.string("")?;
    r.bad(nr::GETXATTR, &[path, empty, 0, 0], "an empty name: ERANGE");
    let other_ns = r.string("other.name")?;
    r.bad(
        nr::SETXATTR,
        &[path, other_ns, value, 1, 0],
        "an unknown namespace: EOPNOTSUPP",
    );
    let buf = r.buffer(4)?;
    let origin = r.string("user.origin")?;
    r.call(nr::SETXATTR, &[path, origin, value, 1, 0]);
    r.bad(
        nr::GETXATTR,
        &[path, origin, buf, 0x7fff_ffff_0000],
        "the value fits, the buffer range does not (past user space): EFAULT",
    );
    let sh = r.string("/bin/sh")?;
    let arg = r.string("sh")?;
    let argv = r.words(&[arg, XS, 0])?;
    r.bad(
        nr::EXECVE,
        &[sh, argv, 0],
        "argv[1] has no NUL within MAX_ARG_STRLEN (128 KiB): E2BIG",
    );
    let argv = r.words(&[arg, HOLE, 0])?;
    r.bad(nr::EXECVE, &[sh, argv, 0], "argv[1] is unmapped: EFAULT");
    let argv = EDGE_END - 16;
    r.space
        .poke(argv, &[arg.to_ne_bytes(), arg.to_ne_bytes()].concat())?;
    r.bad(
        nr::EXECVE,
        &[sh, argv, 0],
        "the array runs into unmapped memory before its NULL: EFAULT",
    );
    r.bad(
        nr::EXECVE,
        &[sh, 0, KERNEL_ADDR],
        "envp in the kernel half: EFAULT",
    );
    let edge_name = EDGE_END - 4;
    r.space.poke(edge_name, b"abcd")?;
    r.bad(
        nr::PRCTL,
        &[u(abi::PR_SET_NAME), edge_name, 0, 0, 0],
        "PR_SET_NAME: 4 bytes, no NUL, then the hole: EFAULT",
    );
    Ok(())
}

fn hostile_commands(r: &mut Rig) -> LinuxResult<()> {
    r.subheading("14i. Command-dependent arguments");
    let buf = r.buffer(64)?;
    r.bad(nr::IOCTL, &[1, 0x1234, buf], "an unknown command: ENOTTY");
    let path = r.string("/etc/passwd")?;
    let fd = r.call(nr::OPENAT, &[AT, path, 0, 0]) as usize;
    r.bad(
        nr::IOCTL,
        &[fd, u(abi::TCGETS), buf],
        "a terminal command on a file: ENOTTY",
    );
    r.bad(
        nr::IOCTL,
        &[1, u(abi::TIOCGWINSZ), RODATA],
        "read-only: EFAULT",
    );
    r.bad(
        nr::IOCTL,
        &[1, u(abi::TIOCSWINSZ), HOLE],
        "unmapped: EFAULT",
    );
    r.bad(nr::FCNTL, &[fd, 1234, 0], "an unknown command: EINVAL");
    r.bad(
        nr::FCNTL,
        &[fd, u(abi::F_GETLK), HOLE],
        "F_GETLK's struct flock unmapped: EFAULT",
    );
    r.bad(
        nr::FCNTL,
        &[fd, u(abi::F_DUPFD), neg(-1)],
        "F_DUPFD below 0: EINVAL",
    );
    let lock = r.put(Flock {
        l_type: 9,
        ..Flock::default()
    })?;
    r.bad(
        nr::FCNTL,
        &[fd, u(abi::F_SETLK), lock],
        "an unknown lock type: EINVAL",
    );
    r.call(nr::CLOSE, &[fd]);
    r.bad(nr::PRCTL, &[999, 0, 0, 0, 0], "an unknown option: EINVAL");
    r.bad(
        nr::PRCTL,
        &[u(abi::PR_GET_NAME), RODATA, 0, 0, 0],
        "read-only: EFAULT",
    );
    r.bad(nr::PRCTL, &[u(abi::PR_SET_DUMPABLE), 7, 0, 0, 0], "EINVAL");
    let word = r.put(0u32)?;
    r.bad(
        nr::FUTEX,
        &[word + 1, u(abi::FUTEX_WAIT), 0, 0, 0, 0],
        "a misaligned futex word: EINVAL",
    );
    r.bad(
        nr::FUTEX,
        &[HOLE, u(abi::FUTEX_WAIT), 0, 0, 0, 0],
        "unmapped: EFAULT",
    );
    r.bad(
        nr::FUTEX,
        &[word, 99, 0, 0, 0, 0],
        "an unknown operation: ENOSYS",
    );
    r.bad(
        nr::FUTEX,
        &[word, u(abi::FUTEX_WAIT), 0, HOLE, 0, 0],
        "the timeout unmapped: EFAULT",
    );
    let ep = r.call(nr::EPOLL_CREATE1, &[0]) as usize;
    r.bad(
        nr::EPOLL_CTL,
        &[ep, u(abi::EPOLL_CTL_ADD), 0, 0],
        "EPOLL_CTL_ADD with a null event: EFAULT",
    );
    r.bad(
        nr::EPOLL_CTL,
        &[ep, 9, 0, HOLE],
        "an unknown op: its event is not read: EINVAL",
    );
    r.bad(
        nr::EPOLL_CTL,
        &[ep, u(abi::EPOLL_CTL_DEL), 0, HOLE],
        "deleting what was never added: ENOENT",
    );
    let event = r.put(EpollEvent::new(abi::EPOLLIN, 0))?;
    r.bad(
        nr::EPOLL_CTL,
        &[ep, u(abi::EPOLL_CTL_ADD), ep, event],
        "an epoll instance watching itself: EINVAL",
    );
    let fd = r.call(nr::OPENAT, &[AT, path, 0, 0]) as usize;
    r.bad(
        nr::EPOLL_CTL,
        &[ep, u(abi::EPOLL_CTL_ADD), fd, event],
        "a regular file: EPERM",
    );
    r.call(nr::CLOSE, &[fd]);
    r.call(nr::CLOSE, &[ep]);
    Ok(())
}

fn hostile_fd_sets(r: &mut Rig) -> LinuxResult<()> {
    r.subheading("14j. fd_set bitmaps");
    let readfds = r.put(1u64)?;
    r.bad(
        nr::SELECT,
        &[neg(-1), readfds, 0, 0, 0],
        "a negative nfds: EINVAL",
    );
    r.bad(
        nr::SELECT,
        &[1, HOLE, 0, 0, 0],
        "an unmapped set: EFAULT before the body",
    );
    let ro_set = r.put_ro(1u64)?;
    r.bad(
        nr::SELECT,
        &[1, 0, ro_set, 0, 0],
        "a read-only set: copied in, then EFAULT on the copy back",
    );
    r.put_at(readfds, 1u64 << 40)?;
    r.bad(
        nr::SELECT,
        &[41, readfds, 0, 0, 0],
        "a bit for a closed descriptor: EBADF",
    );
    let bad = r.put(Timeval {
        tv_sec: 0,
        tv_usec: -1,
    })?;
    r.bad(nr::SELECT, &[0, 0, 0, 0, bad], "a negative timeout: EINVAL");
    r.put_at(readfds, 0u64)?;
    let zero = r.put(Timeval::default())?;
    r.edge(
        nr::SELECT,
        &[1, readfds, 0, 0, zero],
        "nothing asked and a zero timeout: 0 at once",
    );
    Ok(())
}

fn hostile_in_out_lengths(r: &mut Rig) -> LinuxResult<()> {
    r.subheading("14k. Addresses out with their in/out lengths");
    let (addr, addrlen) = sockaddr("/tmp/axptr-2.sock");
    let addr = r.bytes(&addr)?;
    let s = r.call(nr::SOCKET, &[u(abi::AF_UNIX), u(abi::SOCK_STREAM), 0]) as usize;
    r.call(nr::BIND, &[s, addr, addrlen]);
    let name = r.buffer(110)?;
    r.bad(
        nr::GETSOCKNAME,
        &[s, name, 0],
        "a null length pointer: EFAULT",
    );
    let len = r.put(u32::MAX)?;
    r.bad(
        nr::GETSOCKNAME,
        &[s, name, len],
        "a negative length: EINVAL",
    );
    r.put_at(len, 110u32)?;
    r.bad(
        nr::GETSOCKNAME,
        &[s, RODATA, len],
        "the address buffer is read-only: EFAULT",
    );
    r.put_at(len, 6u32)?;
    r.edge(
        nr::GETSOCKNAME,
        &[s, name, len],
        "room for 6 bytes: the address is cut, *addrlen says 20",
    );
    let cut = r.text(name + 2, 4)?;
    r.note(format!("user reads {cut:?}"));
    let ro_len = r.put_ro(110u32)?;
    r.bad(
        nr::GETSOCKNAME,
        &[s, name, ro_len],
        "*addrlen is read-only: read, then the copy back fails",
    );
    r.bad(nr::GETPEERNAME, &[s, name, len], "not connected: ENOTCONN");
    r.bad(nr::ACCEPT4, &[s, 0, 0, 0], "not listening: EINVAL");
    r.bad(nr::ACCEPT4, &[s, 0, 0, 0x40], "an unknown flag: EINVAL");
    let val = r.buffer(16)?;
    r.bad(
        nr::GETSOCKOPT,
        &[s, u(abi::SOL_SOCKET), u(abi::SO_TYPE), val, HOLE],
        "optlen unmapped: EFAULT",
    );
    r.bad(
        nr::GETSOCKOPT,
        &[s, 6, u(abi::SO_TYPE), val, len],
        "another level: EOPNOTSUPP",
    );
    r.bad(
        nr::GETSOCKOPT,
        &[s, u(abi::SOL_SOCKET), 99, val, len],
        "an unknown option: ENOPROTOOPT",
    );
    let buf = r.buffer(8)?;
    r.bad(
        nr::SENDTO,
        &[s, buf, 8, 0, addr, addrlen],
        "a destination on a stream socket that is not connected: EOPNOTSUPP",
    );
    r.bad(
        nr::SENDTO,
        &[s, buf, 8, 0, addr, 200],
        "a destination longer than 128 bytes: EINVAL",
    );
    r.bad(
        nr::SENDTO,
        &[s, buf, 8, 0, 0, 200],
        "no destination (null): its length is ignored; not connected: ENOTCONN",
    );
    r.bad(
        nr::RECVFROM,
        &[s, buf, 8, 0, 0, 0],
        "not connected: ENOTCONN",
    );
    let msg = r.put(Msghdr {
        msg_name: UserPtr::null(),
        msg_namelen: 0,
        _pad0: [0; 4],
        msg_iov: HOLE.into(),
        msg_iovlen: 1,
        msg_control: UserPtr::null(),
        msg_controllen: 0,
        msg_flags: 0,
        _pad1: [0; 4],
    })?;
    r.bad(
        nr::SENDMSG,
        &[s, msg, 0],
        "msg_iov points to unmapped memory: EFAULT",
    );
    r.bad(
        nr::SENDMSG,
        &[s, HOLE, 0],
        "the msghdr itself unmapped: EFAULT",
    );
    let iov = r.put([IoVec { base: buf, len: 8 }])?;
    let ro_msg = r.put_ro(Msghdr {
        msg_name: UserPtr::null(),
        msg_namelen: 0,
        _pad0: [0; 4],
        msg_iov: iov.into(),
        msg_iovlen: 1,
        msg_control: UserPtr::null(),
        msg_controllen: 0,
        msg_flags: 0,
        _pad1: [0; 4],
    })?;
    r.bad(
        nr::RECVMSG,
        &[s, ro_msg, 0],
        "a read-only msghdr is copied in; the body's ENOTCONN comes before the copy back",
    );
    r.put_at(len, 0u32)?;
    r.edge(
        nr::GETSOCKNAME,
        &[s, 0, len],
        "a null buffer with no room: nothing copied, *addrlen says 20",
    );
    r.put_at(len, 2u32)?;
    r.edge(
        nr::GETSOCKOPT,
        &[s, u(abi::SOL_SOCKET), u(abi::SO_RCVBUF), val, len],
        "room for 2 bytes of the int: cut, and getsockopt writes back the 2 it copied",
    );
    r.call(nr::LISTEN, &[s, 8]);
    let client = r.call(nr::SOCKET, &[u(abi::AF_UNIX), u(abi::SOCK_STREAM), 0]) as usize;
    r.call(nr::CONNECT, &[client, addr, addrlen]);
    r.bad(
        nr::ACCEPT4,
        &[s, name, ro_len, 0],
        "*addrlen is read-only: the address cannot go out...",
    );
    let fd = r.call(nr::DUP, &[s]);
    r.note(format!(
        "...and no descriptor was left behind: dup returns {fd}, the lowest free one"
    ));
    r.call(nr::CLOSE, &[fd as usize]);
    r.bad(
        nr::ACCEPT4,
        &[s, 0, HOLE, 0],
        "the connection went with it (as on Linux); a null addr ignores addrlen",
    );
    r.call(nr::CLOSE, &[client]);
    r.call(nr::CLOSE, &[s]);
    Ok(())
}

fn hostile_other_process(r: &mut Rig) -> LinuxResult<()> {
    r.subheading("14l. Another process's memory");
    let buf = r.buffer(32)?;
    let local = r.put([IoVec { base: buf, len: 32 }])?;
    let remote = r.put([IoVec {
        base: PEER_BASE + 2 * PAGE,
        len: 8,
    }])?;
    r.bad(
        nr::PROCESS_VM_READV,
        &[2, local, 1, remote, 1, 0],
        "unmapped in process 2: EFAULT",
    );
    let remote = r.put([IoVec {
        base: PEER_BASE + 2 * PAGE - 8,
        len: 32,
    }])?;
    r.edge(
        nr::PROCESS_VM_READV,
        &[2, local, 1, remote, 1, 0],
        "8 bytes before process 2's hole: a short read of 8",
    );
    let remote = r.put([IoVec {
        base: PEER_BASE + PAGE,
        len: 8,
    }])?;
    r.bad(
        nr::PROCESS_VM_WRITEV,
        &[2, local, 1, remote, 1, 0],
        "read-only in process 2: EFAULT",
    );
    r.bad(
        nr::PROCESS_VM_READV,
        &[4242, local, 1, remote, 1, 0],
        "no such process: ESRCH",
    );
    r.bad(
        nr::PROCESS_VM_READV,
        &[2, local, 1, remote, 1, 1],
        "flags: EINVAL before the iovecs are read",
    );
    r.bad(
        nr::PROCESS_VM_READV,
        &[2, HOLE, 1, remote, 1, 0],
        "the local array unmapped: EFAULT",
    );
    r.bad(
        nr::PROCESS_VM_READV,
        &[2, local, 1, remote, IOV_MAX + 1, 0],
        "too many remote iovecs: EINVAL",
    );
    let out = r.put([IoVec {
        base: RODATA,
        len: 8,
    }])?;
    let remote = r.put([IoVec {
        base: PEER_BASE,
        len: 8,
    }])?;
    r.bad(
        nr::PROCESS_VM_READV,
        &[2, out, 1, remote, 1, 0],
        "our own buffer read-only: EFAULT",
    );
    Ok(())
}

fn hostile_race(r: &mut Rig) -> LinuxResult<()> {
    r.subheading(
        "14m. Another user thread unmaps the buffer after validation, before the copy\n\
         #      (made deterministic: it runs when the kernel releases the address-space lock)",
    );
    let racy = HEAP + 3 * PAGE;
    r.space.poke(racy, b"gone in a moment")?;
    r.process.race_unmap_when_present(racy);
    let fixups = r.space.stats().fixups;
    r.bad(
        nr::WRITE,
        &[1, racy, 16],
        "the copy faulted on the vanished page",
    );
    let now = r.space.stats().fixups;
    r.note(format!(
        "its fixup turned the fault into EFAULT (fixups: {})",
        now - fixups
    ));
    Ok(())
}

fn hostile_rest(r: &mut Rig) -> LinuxResult<()> {
    r.subheading("14o. Every other syscall with a pointer argument, given bad ones");
    let path = r.string("/tmp/notes.txt")?;
    let fd = r.call(nr::OPENAT, &[AT, path, u(abi::O_RDWR), 0]) as usize;
    let buf = r.buffer(64)?;
    r.bad(nr::PWRITE64, &[fd, HOLE, 8, 0], "EFAULT");
    r.bad(
        nr::PWRITE64,
        &[fd, buf, 8, neg(-1)],
        "a negative offset: EINVAL",
    );
    r.bad(nr::PREADV, &[fd, HOLE, 1, 0, 0], "EFAULT");
    let iov = r.put([IoVec { base: buf, len: 8 }])?;
    r.bad(
        nr::PWRITEV,
        &[fd, iov, 1, neg(-5), 0],
        "a negative offset: EINVAL",
    );
    r.bad(
        nr::PREAD64,
        &[1, buf, 8, 0],
        "the terminal cannot seek: ESPIPE",
    );
    r.bad(
        nr::STATX,
        &[AT, path, 0, u(abi::STATX_RESERVED), buf],
        "a reserved mask bit: EINVAL",
    );
    r.bad(
        nr::STATX,
        &[AT, path, 0, u(abi::STATX_BASIC_STATS), RODATA],
        "EFAULT",
    );
    r.bad(
        nr::NEWFSTATAT,
        &[AT, path, buf, 0x8000],
        "an unknown flag: EINVAL",
    );
    let empty = r.string("")?;
    let st = r.buffer(size_of::<Stat>())?;
    r.bad(
        nr::NEWFSTATAT,
        &[AT, empty, st, 0],
        "an empty path without AT_EMPTY_PATH: ENOENT",
    );
    r.edge(
        nr::NEWFSTATAT,
        &[AT, empty, st, u(abi::AT_EMPTY_PATH)],
        "with it: the working directory",
    );
    r.bad(nr::STATFS, &[HOLE, buf], "EFAULT");
    r.bad(nr::FSTATFS, &[1, RODATA], "EFAULT");
    r.bad(nr::TRUNCATE, &[HOLE, 0], "EFAULT");
    r.bad(nr::TRUNCATE, &[path, neg(-1)], "a negative length: EINVAL");
    let tmp = r.string("/tmp")?;
    r.bad(nr::MKDIRAT, &[AT, tmp, 0o755], "EEXIST");
    r.bad(nr::MKDIRAT, &[AT, HOLE, 0o755], "EFAULT");
    r.bad(
        nr::UNLINKAT,
        &[AT, tmp, 0],
        "a directory without AT_REMOVEDIR: EISDIR",
    );
    r.bad(nr::UNLINKAT, &[AT, path, 1], "an unknown flag: EINVAL");
    let (nope, sub) = (r.string("/nope")?, r.string("/tmp/sub")?);
    r.bad(nr::RENAMEAT, &[AT, nope, AT, sub], "ENOENT");
    r.bad(
        nr::RENAMEAT,
        &[AT, tmp, AT, sub],
        "a directory into itself: EINVAL",
    );
    r.bad(
        nr::LINKAT,
        &[AT, tmp, AT, sub, 0],
        "a hard link to a directory: EPERM",
    );
    r.bad(
        nr::LINKAT,
        &[AT, path, AT, sub, 1],
        "an unknown flag: EINVAL",
    );
    r.bad(nr::SYMLINKAT, &[empty, AT, sub], "an empty target: ENOENT");
    let passwd = r.string("/etc/passwd")?;
    r.bad(nr::SYMLINKAT, &[path, AT, passwd], "EEXIST");
    r.bad(nr::FCHMODAT, &[AT, HOLE, 0o644], "EFAULT");
    r.bad(nr::FACCESSAT, &[AT, path, 8], "an unknown mode bit: EINVAL");
    r.bad(
        nr::LISTXATTR,
        &[path, buf, 2],
        "a buffer too small for the names: ERANGE",
    );
    r.bad(nr::LISTXATTR, &[HOLE, buf, 64], "EFAULT");
    let none = r.string("user.none")?;
    r.bad(nr::REMOVEXATTR, &[path, none, 0], "ENODATA");
    r.call(nr::CLOSE, &[fd]);

    let (addr, len) = sockaddr("/tmp/nobody");
    let addr = r.bytes(&addr)?;
    let s = r.call(nr::SOCKET, &[u(abi::AF_UNIX), u(abi::SOCK_STREAM), 0]) as usize;
    r.bad(
        nr::CONNECT,
        &[s, addr, len],
        "nobody listens there: ECONNREFUSED",
    );
    r.bad(nr::CONNECT, &[s, HOLE, len], "EFAULT");
    r.call(nr::CLOSE, &[s]);

    let clock = u(abi::CLOCK_MONOTONIC as u32);
    r.bad(nr::CLOCK_GETRES, &[42, buf], "EINVAL");
    r.bad(nr::CLOCK_GETRES, &[clock, RODATA], "EFAULT");
    r.bad(nr::GETTIMEOFDAY, &[RODATA, 0], "EFAULT");
    r.bad(nr::TIMES, &[RODATA], "EFAULT");
    r.bad(nr::GETITIMER, &[u(abi::ITIMER_REAL), RODATA], "EFAULT");
    r.bad(nr::GETITIMER, &[5, buf], "EINVAL");
    r.bad(nr::TIMER_GETTIME, &[0, RODATA], "EFAULT");
    r.bad(nr::TIMER_GETTIME, &[99, buf], "EINVAL");
    r.bad(
        nr::GETRLIMIT,
        &[u(abi::RLIMIT_NOFILE), KERNEL_ADDR],
        "EFAULT",
    );
    r.bad(nr::GETRLIMIT, &[99, buf], "EINVAL");
    r.bad(nr::GETRUSAGE, &[5, buf], "EINVAL");
    r.bad(nr::GETRUSAGE, &[0, HOLE], "EFAULT");
    let ids = [r.buffer(4)?, RODATA, r.buffer(4)?];
    r.bad(
        nr::GETRESUID,
        &ids,
        "the second id cannot be written: EFAULT (the first was, as in Linux)",
    );
    r.bad(
        nr::WAIT4,
        &[neg(-1), 0, 0x100, 0],
        "an unknown option: EINVAL",
    );
    r.bad(nr::SCHED_SETPARAM, &[0, HOLE], "EFAULT");
    let five = r.put(SchedParam { sched_priority: 5 })?;
    r.bad(
        nr::SCHED_SETPARAM,
        &[0, five],
        "a priority for SCHED_BATCH: EINVAL",
    );
    r.bad(nr::SCHED_GETPARAM, &[4242, buf], "ESRCH");
    r.bad(nr::SCHED_RR_GET_INTERVAL, &[0, RODATA], "EFAULT");
    let zero = r.put(0u64)?;
    r.bad(
        nr::SCHED_SETAFFINITY,
        &[0, 8, zero],
        "no CPU at all: EINVAL",
    );
    r.bad(nr::SCHED_SETAFFINITY, &[0, 8, HOLE], "EFAULT");
    r.bad(
        nr::SCHED_GETAFFINITY,
        &[0, 4, buf],
        "not a multiple of sizeof(long): EINVAL",
    );
    r.bad(nr::SCHED_GETAFFINITY, &[0, 8, RODATA], "EFAULT");
    r.bad(
        nr::SET_ROBUST_LIST,
        &[buf, 23],
        "a length other than sizeof(struct robust_list_head): EINVAL",
    );
    r.bad(nr::GET_ROBUST_LIST, &[0, RODATA, buf], "EFAULT");
    r.bad(nr::GET_ROBUST_LIST, &[4242, buf, buf], "ESRCH");
    Ok(())
}

fn exit(r: &mut Rig, robust_entry: usize) -> LinuxResult<()> {
    r.heading("15. Exit: the writes the process asked for long ago");
    let tid_word = RODATA + 8;
    r.edge(
        nr::SET_TID_ADDRESS,
        &[tid_word],
        "a read-only tid word: kept as it is (Linux does not check it either)",
    );
    r.call(nr::EXIT_GROUP, &[3]);
    let word = r.get::<u32>(robust_entry + 8)?;
    r.note(format!(
        "the held futex word now reads {word:#x}: FUTEX_OWNER_DIED, the dead owner's TID cleared"
    ));
    Ok(())
}
