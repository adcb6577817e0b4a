//! Unix stream sockets: `socketpair`, `bind`/`listen`/`connect`/`accept4`
//! on path names, addresses in and out (`socklen_t` lengths by value, and
//! by pointer with `SockAddrOut`/`SockOptOut`), socket options, and
//! `sendto`/`recvfrom`/`sendmsg`/`recvmsg`.

use std::{
    cell::RefCell,
    collections::VecDeque,
    rc::{Rc, Weak},
};

use axptr::{
    LinuxError, LinuxResult, UserPtr, UserReader, UserWriter,
    iovec::IoVecs,
    syscall,
    syscall::{SockAddrOut, SockLenPtr, SockOptOut},
};

use super::{
    FileKind, OpenFile, Process,
    args::{Domain, Fd, FdFlags, MsgFlags, SockLen, SockLevel, SockOpt, SockType},
    io::{read_into, write_from},
    own::{AcceptAddr, SockAddrIn},
};
use crate::abi::{self, Msghdr, Ucred};

/// A unix stream socket.
pub struct Socket {
    pub ino: u64,
    /// The path it is bound to.
    pub name: Option<Vec<u8>>,
    peer: Option<Weak<RefCell<Socket>>>,
    /// Whether it was ever connected (a vanished peer then reads as end of
    /// file and writes as `EPIPE`).
    pub was_connected: bool,
    /// Received bytes not read yet.
    pub rx: VecDeque<u8>,
    /// Connections waiting for `accept4`, when listening.
    listening: Option<VecDeque<Rc<RefCell<Socket>>>>,
    backlog: usize,
    rcvbuf: i32,
    sndbuf: i32,
    passcred: bool,
    cred: Ucred,
}

impl Socket {
    fn new(ino: u64, cred: Ucred) -> Rc<RefCell<Self>> {
        Rc::new(RefCell::new(Self {
            ino,
            name: None,
            peer: None,
            was_connected: false,
            rx: VecDeque::new(),
            listening: None,
            backlog: 0,
            rcvbuf: 212_992,
            sndbuf: 212_992,
            passcred: false,
            cred,
        }))
    }

    /// The connected peer, while it exists.
    pub fn peer(&self) -> Option<Rc<RefCell<Socket>>> {
        self.peer.as_ref().and_then(Weak::upgrade)
    }

    pub fn is_connected(&self) -> bool {
        self.peer().is_some()
    }

    /// Whether `accept4` would find a connection.
    pub fn has_pending(&self) -> bool {
        self.listening
            .as_ref()
            .is_some_and(|queue| !queue.is_empty())
    }
}

/// Connects two sockets to each other.
fn link(a: &Rc<RefCell<Socket>>, b: &Rc<RefCell<Socket>>) {
    for (one, other) in [(a, b), (b, a)] {
        let mut one = one.borrow_mut();
        one.peer = Some(Rc::downgrade(other));
        one.was_connected = true;
    }
}

/// `struct sockaddr_un` bytes for `name` (just the family when unnamed).
fn sockaddr_un(name: Option<&[u8]>) -> Vec<u8> {
    let mut addr = (abi::AF_UNIX as u16).to_ne_bytes().to_vec();
    if let Some(name) = name {
        addr.extend_from_slice(name);
        addr.push(0);
    }
    addr
}

/// The socket behind `fd` (`ENOTSOCK` for another file).
fn socket(p: &Process, fd: Fd) -> LinuxResult<Rc<RefCell<Socket>>> {
    match &p.file(fd.0)?.borrow().kind {
        FileKind::Socket(socket) => Ok(socket.clone()),
        _ => Err(LinuxError::ENOTSOCK),
    }
}

fn cred(p: &Process) -> Ucred {
    Ucred {
        pid: p.pid,
        uid: p.uid,
        gid: p.gid,
    }
}

fn check_type(domain: Domain, ty: SockType, protocol: i32) -> LinuxResult<u32> {
    if domain.0 != abi::AF_UNIX {
        return Err(LinuxError::EAFNOSUPPORT);
    }
    let flags = ty.0 & !0xf;
    if flags & !(abi::SOCK_NONBLOCK | abi::SOCK_CLOEXEC) != 0 {
        return Err(LinuxError::EINVAL);
    }
    if ty.0 & 0xf != abi::SOCK_STREAM {
        // The model has stream sockets only.
        return Err(LinuxError::ESOCKTNOSUPPORT);
    }
    if protocol != 0 {
        return Err(LinuxError::EPROTONOSUPPORT);
    }
    Ok(flags)
}

fn socket_file(p: &mut Process, socket: Rc<RefCell<Socket>>, flags: u32) -> LinuxResult<i32> {
    let file = OpenFile::new(
        FileKind::Socket(socket),
        abi::O_RDWR | (flags & abi::O_NONBLOCK),
        b"socket:",
    );
    p.install(file, flags & abi::O_CLOEXEC != 0)
}

/// Linux's `move_addr_to_user` for an address inside a structure
/// (`recvmsg`'s `msg_name`): the capacity is the `socklen_t` user space
/// passed (`EINVAL` if negative), the address is cut to it, and the full
/// length goes back. (An address in its own register is a `SockAddrOut`,
/// which the entry copies out with these rules.)
fn move_addr_to_user(
    p: &mut Process,
    addr: UserPtr<u8>,
    addrlen: &mut u32,
    kaddr: &[u8],
) -> LinuxResult<()> {
    let capacity = usize::try_from(*addrlen as i32).map_err(|_| LinuxError::EINVAL)?;
    let n = capacity.min(kaddr.len());
    if n > 0 {
        addr.write_slice(p, &kaddr[..n])?;
    }
    *addrlen = kaddr.len() as u32;
    Ok(())
}

/// `socket(domain, type, protocol)`.
#[syscall]
pub fn sys_socket(
    p: &mut Process,
    domain: Domain,
    ty: SockType,
    protocol: i32,
) -> LinuxResult<i32> {
    let flags = check_type(domain, ty, protocol)?;
    let socket = Socket::new(p.next_ino(), cred(p));
    socket_file(p, socket, flags)
}

/// `socketpair(domain, type, protocol, sv)`: as `pipe2`, the descriptors
/// exist for user space only once they are copied out, so the body
/// writes them and takes them back on a fault.
#[syscall]
pub fn sys_socketpair(
    p: &mut Process,
    domain: Domain,
    ty: SockType,
    protocol: i32,
    sv: UserPtr<[i32; 2]>,
) -> LinuxResult<()> {
    let flags = check_type(domain, ty, protocol)?;
    let a = Socket::new(p.next_ino(), cred(p));
    let b = Socket::new(p.next_ino(), cred(p));
    link(&a, &b);
    let pair = [socket_file(p, a, flags)?, socket_file(p, b, flags)?];
    if let Err(err) = sv.write(p, pair) {
        for fd in pair {
            let _ = p.close_fd(fd);
        }
        return Err(err);
    }
    Ok(())
}

/// The path of a unix address copied in (`EINVAL` for another family,
/// an unnamed or an abstract one, which the model does not bind).
fn unix_path(addr: &[u8]) -> LinuxResult<Vec<u8>> {
    let (family, path) = addr
        .split_at_checked(abi::SUN_FAMILY_LEN)
        .ok_or(LinuxError::EINVAL)?;
    if family != (abi::AF_UNIX as u16).to_ne_bytes() {
        return Err(LinuxError::EINVAL);
    }
    let end = path.iter().position(|&b| b == 0).unwrap_or(path.len());
    match &path[..end] {
        [] => Err(LinuxError::EINVAL),
        name => Ok(name.to_vec()),
    }
}

/// `bind(fd, addr, addrlen)`: the address is copied in before the body
/// (`addrlen` above 128 is `EINVAL` first).
#[syscall]
pub fn sys_bind(
    p: &mut Process,
    fd: Fd,
    #[len = addrlen] addr: &[u8],
    addrlen: SockLen,
) -> LinuxResult<()> {
    let socket = socket(p, fd)?;
    let path = unix_path(addr)?;
    if socket.borrow().name.is_some() {
        return Err(LinuxError::EINVAL);
    }
    let taken = p
        .unix_names
        .get(&path)
        .is_some_and(|bound| bound.strong_count() > 0);
    if taken {
        return Err(LinuxError::EADDRINUSE);
    }
    p.unix_names.insert(path.clone(), Rc::downgrade(&socket));
    socket.borrow_mut().name = Some(path);
    Ok(())
}

/// `listen(fd, backlog)`.
#[syscall]
pub fn sys_listen(p: &mut Process, fd: Fd, backlog: i32) -> LinuxResult<()> {
    let socket = socket(p, fd)?;
    let mut socket = socket.borrow_mut();
    if socket.name.is_none() || socket.was_connected {
        return Err(LinuxError::EINVAL);
    }
    socket.backlog = usize::try_from(backlog).unwrap_or(0).clamp(1, 4096);
    socket.listening.get_or_insert_with(VecDeque::new);
    Ok(())
}

/// `connect(fd, addr, addrlen)`: to a listening socket's path; the
/// connection waits in its queue for `accept4`.
#[syscall]
pub fn sys_connect(
    p: &mut Process,
    fd: Fd,
    #[len = addrlen] addr: &[u8],
    addrlen: SockLen,
) -> LinuxResult<()> {
    let client = socket(p, fd)?;
    let path = unix_path(addr)?;
    if client.borrow().is_connected() {
        return Err(LinuxError::EISCONN);
    }
    let listener = p
        .unix_names
        .get(&path)
        .and_then(Weak::upgrade)
        .ok_or(LinuxError::ECONNREFUSED)?;
    let server = Socket::new(p.next_ino(), cred(p));
    server.borrow_mut().name = Some(path);
    let mut listener = listener.borrow_mut();
    let backlog = listener.backlog;
    let queue = listener
        .listening
        .as_mut()
        .ok_or(LinuxError::ECONNREFUSED)?;
    if queue.len() >= backlog {
        return Err(LinuxError::EAGAIN);
    }
    link(&client, &server);
    queue.push_back(server);
    Ok(())
}

/// `accept4(fd, addr, addrlen, flags)`: the peer's address goes out with
/// its length after the body, and if that faults the new descriptor is
/// closed again (the kernel's `AcceptAddr`), so none is left behind; a
/// null `addr` ignores `addrlen`.
#[syscall]
pub fn sys_accept4(
    p: &mut Process,
    fd: Fd,
    #[len = addrlen] mut addr: Option<&mut AcceptAddr>,
    addrlen: SockLenPtr,
    flags: FdFlags,
) -> LinuxResult<i32> {
    if flags.0 & !(abi::SOCK_CLOEXEC | abi::SOCK_NONBLOCK) != 0 {
        return Err(LinuxError::EINVAL);
    }
    let listener = socket(p, fd)?;
    if listener.borrow().listening.is_none() {
        return Err(LinuxError::EINVAL);
    }
    if !listener.borrow().has_pending() {
        p.printk("[kernel] no connection waiting: accept would block; the model returns EAGAIN");
        return Err(LinuxError::EAGAIN);
    }
    if let Some(addr) = &mut addr {
        // The connecting socket is not bound: an unnamed address.
        addr.set(&sockaddr_un(None))?;
    }
    let server = listener
        .borrow_mut()
        .listening
        .as_mut()
        .and_then(VecDeque::pop_front)
        .ok_or(LinuxError::EAGAIN)?;
    let fd = socket_file(p, server, flags.0)?;
    if let Some(addr) = addr {
        addr.installed(fd);
    }
    Ok(fd)
}

/// `getsockname(fd, addr, addrlen)`: the body sets the address; the entry
/// reads the capacity `*addrlen`, copies the address cut to it and writes
/// the full length back (Linux's `move_addr_to_user`), after `Ok` only.
#[syscall]
pub fn sys_getsockname(
    p: &mut Process,
    fd: Fd,
    #[len = addrlen] addr: &mut SockAddrOut,
    addrlen: SockLenPtr,
) -> LinuxResult<()> {
    let name = socket(p, fd)?.borrow().name.clone();
    addr.set(&sockaddr_un(name.as_deref()))
}

/// `getpeername(fd, addr, addrlen)`.
#[syscall]
pub fn sys_getpeername(
    p: &mut Process,
    fd: Fd,
    #[len = addrlen] addr: &mut SockAddrOut,
    addrlen: SockLenPtr,
) -> LinuxResult<()> {
    let peer = socket(p, fd)?.borrow().peer().ok_or(LinuxError::ENOTCONN)?;
    let name = peer.borrow().name.clone();
    addr.set(&sockaddr_un(name.as_deref()))
}

/// `setsockopt(fd, level, optname, optval, optlen)`: the value is copied
/// in before the body.
#[syscall]
pub fn sys_setsockopt(
    p: &mut Process,
    fd: Fd,
    level: SockLevel,
    optname: SockOpt,
    #[len = optlen] optval: &[u8],
    optlen: i32,
) -> LinuxResult<()> {
    let socket = socket(p, fd)?;
    if level.0 != abi::SOL_SOCKET {
        return Err(LinuxError::EOPNOTSUPP);
    }
    let value = optval
        .get(..4)
        .and_then(|bytes| bytes.try_into().ok())
        .map(i32::from_ne_bytes)
        .ok_or(LinuxError::EINVAL)?;
    let mut socket = socket.borrow_mut();
    // Linux doubles buffer sizes for its bookkeeping.
    let size = value.clamp(1152, i32::MAX / 2) * 2;
    match optname.0 {
        abi::SO_RCVBUF => socket.rcvbuf = size,
        abi::SO_SNDBUF => socket.sndbuf = size,
        abi::SO_PASSCRED => socket.passcred = value != 0,
        _ => return Err(LinuxError::ENOPROTOOPT),
    }
    Ok(())
}

/// `getsockopt(fd, level, optname, optval, optlen)`: the body sets the
/// value; the entry cuts it to the capacity `*optlen` says and writes the
/// length copied back, after `Ok` only.
#[syscall]
pub fn sys_getsockopt(
    p: &mut Process,
    fd: Fd,
    level: SockLevel,
    optname: SockOpt,
    #[len = optlen] optval: &mut SockOptOut<16>,
    optlen: SockLenPtr,
) -> LinuxResult<()> {
    let socket = socket(p, fd)?;
    if level.0 != abi::SOL_SOCKET {
        return Err(LinuxError::EOPNOTSUPP);
    }
    let socket = socket.borrow();
    match optname.0 {
        abi::SO_TYPE => optval.set_value(&(abi::SOCK_STREAM as i32)),
        abi::SO_ERROR => optval.set_value(&0i32),
        abi::SO_RCVBUF => optval.set_value(&socket.rcvbuf),
        abi::SO_SNDBUF => optval.set_value(&socket.sndbuf),
        abi::SO_PASSCRED => optval.set_value(&i32::from(socket.passcred)),
        abi::SO_PEERCRED => {
            let peer = socket
                .peer()
                .map_or(Ucred::default(), |peer| peer.borrow().cred);
            optval.set_value(&peer)
        }
        _ => Err(LinuxError::ENOPROTOOPT),
    }
}

/// `sendto(fd, buf, len, flags, dest_addr, addrlen)`: a destination on a
/// connected stream socket is `EISCONN`. A null destination means none,
/// whatever `addrlen` says: the kernel's own `Option<SockAddrIn>` kind.
#[syscall]
pub fn sys_sendto(
    p: &mut Process,
    fd: Fd,
    #[len = len] mut buf: UserReader,
    len: usize,
    flags: MsgFlags,
    #[len = addrlen] dest_addr: Option<SockAddrIn>,
    addrlen: u32,
) -> LinuxResult<usize> {
    let socket = socket(p, fd)?;
    // A zero-length address is no address (Linux's `msg_namelen == 0`).
    if dest_addr.is_some_and(|addr| !addr.bytes.is_empty()) {
        return Err(if socket.borrow().is_connected() {
            LinuxError::EISCONN
        } else {
            LinuxError::EOPNOTSUPP
        });
    }
    let file = p.file(fd.0)?;
    buf.access_ok(p)?;
    let nosignal = flags.has(abi::MSG_NOSIGNAL);
    write_from(p, &file, None, len, nosignal, |p, data| buf.read(p, data))
}

/// The peer's address as `recvfrom` and `recvmsg` report it: empty for an
/// unbound peer (a stream socket's usual case).
fn source_addr(socket: &Rc<RefCell<Socket>>) -> Vec<u8> {
    let name = socket
        .borrow()
        .peer()
        .and_then(|peer| peer.borrow().name.clone());
    name.map_or_else(Vec::new, |name| sockaddr_un(Some(&name)))
}

/// Receives into `out`; `MSG_PEEK` leaves the bytes queued.
fn receive(
    p: &mut Process,
    fd: Fd,
    flags: MsgFlags,
    max: usize,
    mut out: impl FnMut(&mut Process, &[u8]) -> LinuxResult<usize>,
) -> LinuxResult<usize> {
    let file = p.file(fd.0)?;
    if !flags.has(abi::MSG_PEEK) {
        return read_into(p, &file, None, max, out);
    }
    let data: Vec<u8> = match &file.borrow().kind {
        FileKind::Socket(socket) => socket.borrow().rx.iter().take(max).copied().collect(),
        _ => return Err(LinuxError::ENOTSOCK),
    };
    if data.is_empty() {
        return Err(LinuxError::EAGAIN);
    }
    out(p, &data)
}

/// `recvfrom(fd, buf, len, flags, src_addr, addrlen)`: the data through a
/// cursor, then the source address, which the entry copies out with its
/// in/out length (none for a null `src_addr`, whatever `addrlen` is).
#[syscall]
pub fn sys_recvfrom(
    p: &mut Process,
    fd: Fd,
    #[len = len] mut buf: UserWriter,
    len: usize,
    flags: MsgFlags,
    #[len = addrlen] src_addr: Option<&mut SockAddrOut>,
    addrlen: SockLenPtr,
) -> LinuxResult<usize> {
    let socket = socket(p, fd)?;
    buf.access_ok(p)?;
    let n = receive(p, fd, flags, len, |p, data| buf.write(p, data))?;
    if let Some(addr) = src_addr {
        addr.set(&source_addr(&socket))?;
    }
    Ok(n)
}

/// `sendmsg(fd, msg, flags)`: the `msghdr` is copied in before the body;
/// the iovec array it points to is imported by the body (a pointer inside
/// a structure).
#[syscall]
pub fn sys_sendmsg(p: &mut Process, fd: Fd, msg: &Msghdr, flags: MsgFlags) -> LinuxResult<usize> {
    let socket = socket(p, fd)?;
    if msg.msg_iovlen > axptr::iovec::IOV_MAX {
        return Err(LinuxError::EMSGSIZE);
    }
    let mut iov = IoVecs::import(p, msg.msg_iov, msg.msg_iovlen)?.reader();
    if !msg.msg_name.is_null() && msg.msg_namelen > 0 {
        return Err(if socket.borrow().is_connected() {
            LinuxError::EISCONN
        } else {
            LinuxError::EOPNOTSUPP
        });
    }
    let file = p.file(fd.0)?;
    let max = iov.remaining();
    let nosignal = flags.has(abi::MSG_NOSIGNAL);
    write_from(p, &file, None, max, nosignal, |p, data| iov.read(p, data))
}

/// `recvmsg(fd, msg, flags)`: the `msghdr` is copied in and back out
/// (`#[inout]`, with the lengths the kernel sets); the body imports its
/// iovecs and writes the source address (pointers inside a structure).
#[syscall]
pub fn sys_recvmsg(
    p: &mut Process,
    fd: Fd,
    #[inout] msg: &mut Msghdr,
    flags: MsgFlags,
) -> LinuxResult<usize> {
    let socket = socket(p, fd)?;
    if msg.msg_iovlen > axptr::iovec::IOV_MAX {
        return Err(LinuxError::EMSGSIZE);
    }
    let mut iov = IoVecs::import(p, msg.msg_iov, msg.msg_iovlen)?.writer();
    let max = iov.remaining();
    let n = receive(p, fd, flags, max, |p, data| iov.write(p, data))?;
    if !msg.msg_name.is_null() {
        let mut namelen = msg.msg_namelen;
        move_addr_to_user(p, msg.msg_name, &mut namelen, &source_addr(&socket))?;
        msg.msg_namelen = namelen;
    }
    msg.msg_controllen = 0;
    msg.msg_flags = 0;
    Ok(n)
}
