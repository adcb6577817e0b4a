// Buffers whose capacity is in user memory (`socklen_t *addrlen`):
// `#[len = addrlen] addr: &mut SockAddrOut` / `&mut SockOptOut<N>` with
// `addrlen: SockLenPtr`, through generated raw entries, rule by rule
// (Linux's `move_addr_to_user` and `sk_getsockopt`). Included by
// `tests/syscall_sockaddr.rs` (`HeapSpace`, also under Miri) and
// `tests/syscall_sockaddr_sim.rs` (`SimSpace` with demand paging), which
// define `kernel_with_pages(pages)`.

use axptr::{
    AddrSpace, AddrSpaceProvider, LinuxError, LinuxResult, Syscall, SyscallEvent, SyscallTrace,
    UserCopy, UserWriter, syscall,
    syscall::{SOCKADDR_STORAGE_SIZE, SockAddrOut, SockLenPtr, SockOptOut},
};
use common::kernel::{neg, regs};

/// The test kernel with one socket, descriptor 3, bound to `name`.
struct Net {
    k: Kernel,
    name: Vec<u8>,
}

impl AddrSpaceProvider for Net {
    type AddrSpace = dyn AddrSpace;

    fn with_addr_space<R>(&mut self, f: impl FnOnce(&mut Self::AddrSpace) -> R) -> R {
        self.k.with_addr_space(f)
    }
}

/// `sockaddr_un` for `/tmp/axptr.sock`: the family, the path, its NUL (18
/// bytes).
fn unix_name() -> Vec<u8> {
    let mut name = 1u16.to_ne_bytes().to_vec();
    name.extend_from_slice(b"/tmp/axptr.sock\0");
    name
}

const NAME_LEN: usize = 18;

/// `sockaddr_in` for 127.0.0.1:8080.
#[derive(Clone, Copy, UserCopy)]
#[repr(C)]
struct SockaddrIn {
    family: u16,
    port: [u8; 2],
    addr: [u8; 4],
    zero: [u8; 8],
}

const PEER: SockaddrIn = SockaddrIn {
    family: 2,
    port: [0x1f, 0x90],
    addr: [127, 0, 0, 1],
    zero: [0; 8],
};

#[derive(Clone, Copy, UserCopy, SyscallTrace)]
#[repr(C)]
struct Ucred {
    pid: i32,
    uid: u32,
    gid: u32,
}

fn net() -> (Net, Pages) {
    let (k, p) = kernel_with_pages(9);
    (
        Net {
            k,
            name: unix_name(),
        },
        p,
    )
}

const EFAULT: isize = -(LinuxError::EFAULT.code() as isize);
const EINVAL: isize = -(LinuxError::EINVAL.code() as isize);
const EBADF: isize = -(LinuxError::EBADF.code() as isize);
const ENOTCONN: isize = -(LinuxError::ENOTCONN.code() as isize);

/// `getsockname(2)`: `addrlen` may not be null, `addr` may when the
/// capacity is 0.
#[syscall]
fn sys_getsockname(
    n: &mut Net,
    fd: i32,
    #[len = addrlen] addr: &mut SockAddrOut,
    addrlen: SockLenPtr,
) -> LinuxResult<()> {
    if fd != 3 {
        return Err(LinuxError::EBADF);
    }
    n.k.ran.push("getsockname".into());
    addr.set(&n.name)
}

/// `accept4(2)`: a null `addr` means no address, whatever `addrlen` is.
#[syscall]
fn sys_accept4(
    n: &mut Net,
    fd: i32,
    #[len = addrlen] addr: Option<&mut SockAddrOut>,
    addrlen: SockLenPtr,
    _flags: u32,
) -> LinuxResult<i32> {
    if fd != 3 {
        return Err(LinuxError::EBADF);
    }
    n.k.ran.push(format!("accept4 {}", addr.is_some()));
    if let Some(addr) = addr {
        addr.set_value(&PEER)?;
    }
    Ok(4)
}

/// `getpeername(2)` on a socket that is not connected: the handler sets an
/// address, then fails.
#[syscall]
fn sys_getpeername(
    n: &mut Net,
    fd: i32,
    #[len = addrlen] addr: &mut SockAddrOut,
    addrlen: SockLenPtr,
) -> LinuxResult<()> {
    if fd != 3 {
        return Err(LinuxError::EBADF);
    }
    addr.set(&n.name)?;
    Err(LinuxError::ENOTCONN)
}

const SO_RCVBUF: i32 = 8;
const SO_PEERCRED: i32 = 17;
const SO_NAME: i32 = 100;
const SO_TOO_LONG: i32 = 101;

/// `getsockopt(2)`, level ignored: values of at most 16 bytes.
#[syscall]
fn sys_getsockopt(
    n: &mut Net,
    fd: i32,
    _level: i32,
    optname: i32,
    #[len = optlen] optval: &mut SockOptOut<16>,
    optlen: SockLenPtr,
) -> LinuxResult<()> {
    if fd != 3 {
        return Err(LinuxError::EBADF);
    }
    n.k.ran.push(format!("getsockopt {optname}"));
    match optname {
        SO_RCVBUF => optval.set_value(&212_992i32),
        SO_PEERCRED => optval.set_value(&Ucred {
            pid: 7,
            uid: 1000,
            gid: 100,
        }),
        SO_NAME => optval.set(b"eth0"),
        SO_TOO_LONG => optval.set(&[1; 17]),
        _ => Err(LinuxError::ENOPROTOOPT),
    }
}

fn call<S: Syscall<Net>>(n: &mut Net, args: &[usize]) -> isize {
    let ret = S::call(n, regs(args));
    assert!(
        !axptr::is_accessing_user_memory(),
        "the fault flag is still set"
    );
    ret
}

fn traced<S: Syscall<Net>>(n: &mut Net, args: &[usize]) -> (isize, String) {
    let mut lines = Vec::new();
    let mut tracer = |event: &SyscallEvent<'_>| lines.push(event.to_string());
    let ret = S::entry(n, regs(args), Some(&mut tracer));
    assert_eq!(lines.len(), 1, "one event per call: {lines:?}");
    (ret, lines.remove(0))
}

/// Fills `len` bytes at `addr` with a marker, to see what was written.
fn mark(n: &mut Net, addr: usize, len: usize) {
    n.k.space.poke(addr, &vec![0xee; len]);
}

fn put_len(n: &mut Net, addr: usize, len: i32) {
    n.k.space.poke(addr, &len.to_ne_bytes());
}

fn len_at(n: &Net, addr: usize) -> i32 {
    i32::from_ne_bytes(n.k.space.peek(addr, 4).try_into().expect("4 bytes"))
}

// ---------------------------------------------------------------------------
// move_addr_to_user: capacities

#[test]
fn a_larger_capacity_gets_the_whole_address_and_its_length() {
    let (mut n, p) = net();
    let (buf, len) = (p.rw + 64, p.rw);
    mark(&mut n, buf, 128);
    put_len(&mut n, len, 110);
    assert_eq!(call::<sys_getsockname>(&mut n, &[3, buf, len]), 0);
    assert_eq!(n.k.space.peek(buf, NAME_LEN), unix_name());
    // Nothing past the address is written.
    assert_eq!(n.k.space.peek(buf + NAME_LEN, 110 - NAME_LEN), vec![0xee; 110 - NAME_LEN]);
    assert_eq!(len_at(&n, len), NAME_LEN as i32);
}

#[test]
fn a_smaller_capacity_cuts_the_address_and_gets_the_full_length() {
    let (mut n, p) = net();
    let (buf, len) = (p.rw + 64, p.rw);
    mark(&mut n, buf, 32);
    put_len(&mut n, len, 6);
    assert_eq!(call::<sys_getsockname>(&mut n, &[3, buf, len]), 0);
    assert_eq!(n.k.space.peek(buf, 6), unix_name()[..6]);
    assert_eq!(n.k.space.peek(buf + 6, 26), vec![0xee; 26]);
    assert_eq!(len_at(&n, len), NAME_LEN as i32);
}

#[test]
fn an_exact_capacity_gets_the_whole_address() {
    let (mut n, p) = net();
    put_len(&mut n, p.rw, NAME_LEN as i32);
    assert_eq!(call::<sys_getsockname>(&mut n, &[3, p.rw + 8, p.rw]), 0);
    assert_eq!(n.k.space.peek(p.rw + 8, NAME_LEN), unix_name());
    assert_eq!(len_at(&n, p.rw), NAME_LEN as i32);
}

#[test]
fn a_zero_capacity_copies_nothing_so_a_null_buffer_is_fine() {
    let (mut n, p) = net();
    for buf in [0, p.hole, p.ro, p.rw + 64] {
        mark(&mut n, p.rw + 64, 8);
        put_len(&mut n, p.rw, 0);
        assert_eq!(call::<sys_getsockname>(&mut n, &[3, buf, p.rw]), 0, "{buf:#x}");
        assert_eq!(len_at(&n, p.rw), NAME_LEN as i32);
        assert_eq!(n.k.space.peek(p.rw + 64, 8), [0xee; 8]);
    }
}

#[test]
fn a_negative_capacity_is_einval_and_nothing_is_written() {
    let (mut n, p) = net();
    for capacity in [-1, i32::MIN] {
        mark(&mut n, p.rw + 64, 32);
        put_len(&mut n, p.rw, capacity);
        assert_eq!(call::<sys_getsockname>(&mut n, &[3, p.rw + 64, p.rw]), EINVAL);
        assert_eq!(n.k.space.peek(p.rw + 64, 32), [0xee; 32]);
        assert_eq!(len_at(&n, p.rw), capacity);
    }
    // `socklen_t` is unsigned, but the kernel reads an `int`: 2^31 and
    // above are negative.
    put_len(&mut n, p.rw, 0x8000_0000u32 as i32);
    assert_eq!(call::<sys_getsockname>(&mut n, &[3, p.rw + 64, p.rw]), EINVAL);
}

#[test]
fn a_huge_positive_capacity_is_just_room_enough() {
    let (mut n, p) = net();
    put_len(&mut n, p.rw, i32::MAX);
    assert_eq!(call::<sys_getsockname>(&mut n, &[3, p.rw + 64, p.rw]), 0);
    assert_eq!(len_at(&n, p.rw), NAME_LEN as i32);
}

// ---------------------------------------------------------------------------
// move_addr_to_user: faults

#[test]
fn an_unreadable_or_null_length_pointer_is_efault_after_the_body() {
    let (mut n, p) = net();
    mark(&mut n, p.rw + 64, 32);
    for len in [0, p.hole, p.hole - 2, usize::MAX - 2, neg(-4096)] {
        n.k.ran.clear();
        assert_eq!(call::<sys_getsockname>(&mut n, &[3, p.rw + 64, len]), EFAULT, "{len:#x}");
        assert_eq!(n.k.ran, ["getsockname"], "the body runs first");
        assert_eq!(n.k.space.peek(p.rw + 64, 32), [0xee; 32]);
    }
}

#[test]
fn a_read_only_length_pointer_is_efault_after_the_address_was_copied() {
    let (mut n, p) = net();
    let capacity = 110;
    put_len(&mut n, p.ro, capacity);
    mark(&mut n, p.rw + 64, 32);
    assert_eq!(call::<sys_getsockname>(&mut n, &[3, p.rw + 64, p.ro]), EFAULT);
    // As Linux: the address is copied, then writing the length back fails.
    assert_eq!(n.k.space.peek(p.rw + 64, NAME_LEN), unix_name());
    assert_eq!(len_at(&n, p.ro), capacity);
}

#[test]
fn an_unwritable_buffer_is_efault_and_the_length_is_not_written() {
    let (mut n, p) = net();
    for buf in [0, p.ro, p.hole, p.lazy - 4, p.after_big - 8] {
        put_len(&mut n, p.rw, 110);
        assert_eq!(call::<sys_getsockname>(&mut n, &[3, buf, p.rw]), EFAULT, "{buf:#x}");
        assert_eq!(len_at(&n, p.rw), 110, "{buf:#x}");
    }
    // A capacity that fits before the hole is fine.
    put_len(&mut n, p.rw, 8);
    assert_eq!(call::<sys_getsockname>(&mut n, &[3, p.after_big - 8, p.rw]), 0);
    assert_eq!(n.k.space.peek(p.after_big - 8, 8), unix_name()[..8]);
}

#[test]
fn lengths_may_be_misaligned_or_on_a_lazy_page() {
    let (mut n, p) = net();
    put_len(&mut n, p.rw + 1, 110);
    assert!(!n.k.space.is_present(p.lazy));
    assert_eq!(call::<sys_getsockname>(&mut n, &[3, p.lazy + 3, p.rw + 1]), 0);
    assert_eq!(n.k.space.peek(p.lazy + 3, NAME_LEN), unix_name());
    assert_eq!(len_at(&n, p.rw + 1), NAME_LEN as i32);
    // The length itself on a page not present yet: a capacity of 0, read
    // and written back.
    let (mut n, p) = net();
    assert!(!n.k.space.is_present(p.lazy));
    assert_eq!(call::<sys_getsockname>(&mut n, &[3, 0, p.lazy + 101]), 0);
    assert_eq!(len_at(&n, p.lazy + 101), NAME_LEN as i32);
}

// ---------------------------------------------------------------------------
// Order: the body's errors first, nothing copied on an error

#[test]
fn a_bad_descriptor_is_ebadf_whatever_the_pointers() {
    let (mut n, p) = net();
    for (buf, len) in [(p.hole, p.hole), (0, 0), (p.ro, p.ro), (usize::MAX, usize::MAX)] {
        assert_eq!(call::<sys_getsockname>(&mut n, &[4, buf, len]), EBADF);
        assert_eq!(call::<sys_accept4>(&mut n, &[4, buf, len, 0]), EBADF);
        assert_eq!(call::<sys_getsockopt>(&mut n, &[4, 1, SO_RCVBUF as usize, buf, len]), EBADF);
    }
    assert!(n.k.ran.is_empty());
}

#[test]
fn nothing_is_copied_when_the_body_fails() {
    let (mut n, p) = net();
    mark(&mut n, p.rw + 64, 32);
    put_len(&mut n, p.rw, 110);
    assert_eq!(call::<sys_getpeername>(&mut n, &[3, p.rw + 64, p.rw]), ENOTCONN);
    assert_eq!(n.k.space.peek(p.rw + 64, 32), [0xee; 32]);
    assert_eq!(len_at(&n, p.rw), 110);
    // Nor read: a bad length pointer does not turn the error into EFAULT.
    assert_eq!(call::<sys_getpeername>(&mut n, &[3, p.rw + 64, p.hole]), ENOTCONN);
}

// ---------------------------------------------------------------------------
// Nullable addresses (accept4, recvfrom)

#[test]
fn a_null_address_ignores_its_length_pointer() {
    let (mut n, p) = net();
    for len in [0, p.hole, p.ro] {
        n.k.ran.clear();
        assert_eq!(call::<sys_accept4>(&mut n, &[3, 0, len, 0]), 4);
        assert_eq!(n.k.ran, ["accept4 false"]);
    }
    put_len(&mut n, p.ro, 110);
    assert_eq!(call::<sys_accept4>(&mut n, &[3, 0, p.ro, 0]), 4);
    assert_eq!(len_at(&n, p.ro), 110);
}

#[test]
fn an_address_with_a_null_length_pointer_is_efault() {
    let (mut n, p) = net();
    assert_eq!(call::<sys_accept4>(&mut n, &[3, p.rw + 64, 0, 0]), EFAULT);
    assert_eq!(n.k.ran, ["accept4 true"]);
}

#[test]
fn a_structure_set_as_the_address_is_copied_like_bytes() {
    let (mut n, p) = net();
    put_len(&mut n, p.rw, 8);
    assert_eq!(call::<sys_accept4>(&mut n, &[3, p.rw + 64, p.rw, 0]), 4);
    assert_eq!(n.k.space.peek(p.rw + 64, 8), [2, 0, 0x1f, 0x90, 127, 0, 0, 1]);
    assert_eq!(len_at(&n, p.rw), 16);
}

// ---------------------------------------------------------------------------
// getsockopt: the length copied goes back

#[test]
fn socket_options_write_back_the_length_copied() {
    let (mut n, p) = net();
    let opt = |n: &mut Net, name: i32, capacity: i32| {
        mark(n, p.rw + 64, 16);
        put_len(n, p.rw, capacity);
        let ret = call::<sys_getsockopt>(n, &[3, 1, name as usize, p.rw + 64, p.rw]);
        (ret, len_at(n, p.rw), n.k.space.peek(p.rw + 64, 16))
    };
    let int = 212_992i32.to_ne_bytes();
    let (ret, len, bytes) = opt(&mut n, SO_RCVBUF, 16);
    assert_eq!((ret, len), (0, 4));
    assert_eq!(bytes[..4], int);
    assert_eq!(bytes[4..], [0xee; 12]);
    // Cut to the capacity, and the cut length goes back (not 4).
    let (ret, len, bytes) = opt(&mut n, SO_RCVBUF, 2);
    assert_eq!((ret, len), (0, 2));
    assert_eq!(bytes[..2], int[..2]);
    assert_eq!(bytes[2..], [0xee; 14]);
    let (ret, len, _) = opt(&mut n, SO_RCVBUF, 0);
    assert_eq!((ret, len), (0, 0));
    let (ret, len, _) = opt(&mut n, SO_RCVBUF, -1);
    assert_eq!((ret, len), (EINVAL, -1));
    let (ret, len, bytes) = opt(&mut n, SO_PEERCRED, 12);
    assert_eq!((ret, len), (0, 12));
    assert_eq!(bytes[..4], 7i32.to_ne_bytes());
    // More than the kind holds: the handler's EINVAL, nothing written.
    let (ret, len, bytes) = opt(&mut n, SO_TOO_LONG, 100);
    assert_eq!((ret, len, bytes), (EINVAL, 100, vec![0xee; 16]));
    // The option is looked up first (Linux reads `optlen` before: EFAULT).
    let ret = call::<sys_getsockopt>(&mut n, &[3, 1, 99, p.rw + 64, p.hole]);
    assert_eq!(ret, -(LinuxError::ENOPROTOOPT.code() as isize));
    let ret = call::<sys_getsockopt>(&mut n, &[3, 1, SO_RCVBUF as usize, p.rw + 64, p.hole]);
    assert_eq!(ret, EFAULT);
}

// ---------------------------------------------------------------------------
// Traces

#[test]
fn traces_show_the_address_and_both_lengths_as_strace_does() {
    let (mut n, p) = net();
    put_len(&mut n, p.rw, 110);
    let (ret, line) = traced::<sys_getsockname>(&mut n, &[3, p.rw + 64, p.rw]);
    assert_eq!(ret, 0);
    assert_eq!(
        line,
        r#"getsockname(3, {sa_family=AF_UNIX, sun_path="/tmp/axptr.sock"}, [110 => 18]) = 0"#
    );
    put_len(&mut n, p.rw, 18);
    let (_, line) = traced::<sys_getsockname>(&mut n, &[3, p.rw + 64, p.rw]);
    assert!(line.ends_with(r#""/tmp/axptr.sock"}, [18]) = 0"#), "{line}");
    put_len(&mut n, p.rw, 8);
    let (_, line) = traced::<sys_getsockname>(&mut n, &[3, p.rw + 64, p.rw]);
    assert_eq!(
        line,
        r#"getsockname(3, {sa_family=AF_UNIX, sun_path="/tmp/a"}, [8 => 18]) = 0"#
    );
    put_len(&mut n, p.rw, 0);
    let (_, line) = traced::<sys_getsockname>(&mut n, &[3, 0, p.rw]);
    assert_eq!(line, "getsockname(3, NULL, [0 => 18]) = 0");
    put_len(&mut n, p.rw, 16);
    let (_, line) = traced::<sys_accept4>(&mut n, &[3, p.rw + 64, p.rw, 0]);
    assert_eq!(
        line,
        r#"accept4(3, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr("127.0.0.1")}, [16], 0x0) = 4"#
    );
    let (_, line) = traced::<sys_accept4>(&mut n, &[3, 0, 0, 0]);
    assert_eq!(line, "accept4(3, NULL, NULL, 0x0) = 4");
}

#[test]
fn failed_calls_trace_the_addresses_and_what_was_read() {
    let (mut n, p) = net();
    let (ret, line) = traced::<sys_getsockname>(&mut n, &[4, p.rw + 64, p.rw]);
    assert_eq!(ret, EBADF);
    let (buf, len) = (p.rw + 64, p.rw);
    assert_eq!(line, format!("getsockname(4, {buf:#x}, {len:#x}) = -9 EBADF"));
    let (_, line) = traced::<sys_getsockname>(&mut n, &[3, buf, p.hole]);
    assert_eq!(line, format!("getsockname(3, {buf:#x}, {:#x}) = -14 EFAULT", p.hole));
    // The capacity was read before the copy failed: it shows.
    put_len(&mut n, p.rw, 110);
    let (_, line) = traced::<sys_getsockname>(&mut n, &[3, p.ro, p.rw]);
    assert_eq!(line, format!("getsockname(3, {:#x}, [110]) = -14 EFAULT", p.ro));
    put_len(&mut n, p.rw, -5);
    let (_, line) = traced::<sys_getsockname>(&mut n, &[3, buf, p.rw]);
    assert_eq!(line, format!("getsockname(3, {buf:#x}, [-5]) = -22 EINVAL"));
}

#[test]
fn socket_option_traces_render_the_value() {
    let (mut n, p) = net();
    let buf = p.rw + 64;
    let opt = |n: &mut Net, name: i32, capacity: i32| {
        put_len(n, p.rw, capacity);
        traced::<sys_getsockopt>(n, &[3, 1, name as usize, buf, p.rw]).1
    };
    assert_eq!(opt(&mut n, SO_RCVBUF, 4), "getsockopt(3, 1, 8, [212992], [4]) = 0");
    assert_eq!(opt(&mut n, SO_RCVBUF, 16), "getsockopt(3, 1, 8, [212992], [16 => 4]) = 0");
    assert_eq!(opt(&mut n, SO_RCVBUF, 2), r#"getsockopt(3, 1, 8, "\0@", [2]) = 0"#);
    assert_eq!(
        opt(&mut n, SO_PEERCRED, 12),
        "getsockopt(3, 1, 17, {pid=7, uid=1000, gid=100}, [12]) = 0"
    );
    assert_eq!(opt(&mut n, SO_NAME, 16), r#"getsockopt(3, 1, 100, "eth0", [16 => 4]) = 0"#);
    assert_eq!(
        opt(&mut n, 99, 16),
        format!("getsockopt(3, 1, 99, {buf:#x}, {:#x}) = -92 ENOPROTOOPT", p.rw)
    );
}

// ---------------------------------------------------------------------------
// A length pointer paired with anything else fails on every call

/// A mistake: a cursor paired with a length pointer.
#[syscall]
fn sys_cursor_with_len_ptr(
    n: &mut Net,
    #[len = len] mut buf: UserWriter,
    len: SockLenPtr,
) -> LinuxResult<usize> {
    buf.write(n, b"data")
}

/// A mistake: a socket address paired with an integer length.
#[syscall]
fn sys_sockaddr_with_int_len(
    n: &mut Net,
    #[len = len] addr: &mut SockAddrOut,
    len: u32,
) -> LinuxResult<()> {
    addr.set(&n.name)
}

#[test]
fn mispaired_lengths_fail_instead_of_moving_data() {
    let (mut n, p) = net();
    mark(&mut n, p.rw + 64, 8);
    put_len(&mut n, p.rw, 110);
    assert_eq!(call::<sys_cursor_with_len_ptr>(&mut n, &[p.rw + 64, p.rw]), EFAULT);
    assert_eq!(n.k.space.peek(p.rw + 64, 8), [0xee; 8]);
    for len in [0, 16, 110, u32::MAX as usize] {
        assert_eq!(call::<sys_sockaddr_with_int_len>(&mut n, &[p.rw + 64, len]), EFAULT);
    }
    assert_eq!(n.k.space.peek(p.rw + 64, 8), [0xee; 8]);
}

#[test]
fn the_address_holds_a_sockaddr_storage() {
    assert_eq!(SOCKADDR_STORAGE_SIZE, 128);
    let (mut n, p) = net();
    n.name = vec![7; SOCKADDR_STORAGE_SIZE];
    put_len(&mut n, p.rw, 200);
    assert_eq!(call::<sys_getsockname>(&mut n, &[3, p.big, p.rw]), 0);
    assert_eq!(n.k.space.peek(p.big, 128), vec![7; 128]);
    assert_eq!(len_at(&n, p.rw), 128);
    n.name.push(7);
    assert_eq!(call::<sys_getsockname>(&mut n, &[3, p.big, p.rw]), EINVAL);
}
