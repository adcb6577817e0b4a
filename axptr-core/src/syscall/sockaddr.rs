//! Buffers whose capacity is in user memory: `socklen_t *addrlen`.
//!
//! `accept4`, `getsockname`, `getpeername` and `recvfrom` return an
//! address through two registers: a buffer, and a pointer to its length.
//! User space puts the buffer's capacity in `*addrlen`; the kernel writes
//! the address cut to that capacity, and the address's full length back to
//! `*addrlen` (Linux's `move_addr_to_user`, net/socket.c). `getsockopt`'s
//! `optval`/`optlen` work the same way, except that the length written back
//! is the one copied (the protocol code's `optlen` handling,
//! `sk_getsockopt`).
//!
//! A handler takes the buffer as `#[len = addrlen] addr: &mut SockAddrOut`
//! (or `&mut SockOptOut<N>`) and the length pointer as `addrlen:
//! SockLenPtr`. The body fills a kernel copy (`addr.set(&bytes)`); after
//! it returned `Ok`, and only then, the entry:
//!
//! 1. reads the capacity, an `int`, from `*addrlen` (`EFAULT`);
//! 2. refuses a negative one (`EINVAL`);
//! 3. copies `min(capacity, length)` bytes to the buffer (`EFAULT`;
//!    nothing is copied, and a null buffer is fine, when that is 0);
//! 4. writes the length back to `*addrlen` (`EFAULT`).
//!
//! So the body's own errors (a bad descriptor, `ENOTCONN`) come first, as
//! on Linux, and a failed call leaves user memory alone. `Option<&mut
//! SockAddrOut>` is `None` for a null buffer, and then `*addrlen` is not
//! touched either (`accept4` and `recvfrom` with a null `addr`); without
//! the `Option`, a null buffer still has its length read and written
//! (`getsockname` with `*addrlen == 0`).
//!
//! The trace shows the address copied out and the two lengths as strace
//! does: `getsockname(3, {sa_family=AF_UNIX, sun_path="/tmp/x"}, [110 =>
//! 9]) = 0`.

use core::{
    fmt,
    net::{Ipv4Addr, Ipv6Addr},
};

use axerrno::{LinuxError, LinuxResult};

use super::{
    SyscallArg, SyscallBufArg, SyscallLen, SyscallOutput, SyscallTrace, TraceCopied,
    trace::{ArgFormat, TraceArg, TraceValue, fmt_ptr, fmt_quoted},
};
use crate::{AddrSpaceProvider, UserConstPtr, UserCopy, UserPtr, check::size_of_user};

/// `sizeof(struct sockaddr_storage)`: the largest address [`SockAddrOut`]
/// holds.
pub const SOCKADDR_STORAGE_SIZE: usize = 128;

/// The `socklen_t *` register of a buffer whose capacity is in user
/// memory, named by the buffer's `#[len = …]`: `addrlen: SockLenPtr` next
/// to `#[len = addrlen] addr: &mut SockAddrOut`.
///
/// Nothing is read at conversion: the entry reads and writes `*addrlen`
/// after the handler returned `Ok`. The trace shows the two lengths
/// (`[110 => 16]`) once they are known, the address before.
///
/// The value it gives `#[len = …]` (its [`SyscallLen`]) is not a length but
/// its address, complemented, for [`SockAddrOut`] and [`SockOptOut`] to
/// take back. On 64-bit targets the complement of a user address is above
/// `isize::MAX`, a length that slices, cursors, iovec arrays and
/// structures refuse (`EFAULT`, `EINVAL`, `E2BIG`: no buffer is that long;
/// only `FdSet` takes any `nfds`, capped as `select` does), so such a
/// mispairing fails on every call instead of reading the address as a
/// length; and an integer length paired with a `SockAddrOut` becomes an
/// address outside user space, `EFAULT` on every call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SockLenPtr(usize);

impl SockLenPtr {
    /// The user address of the length.
    #[must_use]
    pub fn addr(self) -> usize {
        self.0
    }
}

/// The address, unchecked.
impl<C: ?Sized> SyscallArg<C> for SockLenPtr {
    #[inline]
    fn from_syscall_arg(_ctx: &mut C, raw: usize) -> LinuxResult<Self> {
        Ok(Self(raw))
    }

    fn fmt_syscall_arg(raw: usize, _format: ArgFormat, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_ptr(raw, f)
    }
}

/// The complemented address, for the buffer it pairs with (see the type's
/// docs).
impl SyscallLen for SockLenPtr {
    #[inline]
    fn syscall_len(&self) -> LinuxResult<usize> {
        Ok(!self.0)
    }
}

/// The two lengths of a finished copy-out, as strace shows a `socklen_t *`:
/// `[16]` when the capacity was the length, `[110 => 16]` otherwise, and
/// `[110]` when the call failed after the capacity was read.
#[derive(Clone, Copy)]
struct LenTrace {
    capacity: i32,
    written_back: Option<u32>,
}

impl TraceValue for LenTrace {
    fn fmt_value(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.written_back {
            Some(len) if i64::from(len) != i64::from(self.capacity) => {
                write!(f, "[{} => {len}]", self.capacity)
            }
            _ => write!(f, "[{}]", self.capacity),
        }
    }
}

/// What `SockAddrOut` and `SockOptOut` share: up to `MAX` bytes the handler
/// sets, and the copy-out after `Ok`.
struct LenOut<const MAX: usize> {
    /// The user buffer.
    buf: usize,
    /// The user `socklen_t`.
    len_ptr: usize,
    /// The first `len` bytes are the value.
    bytes: [u8; MAX],
    /// At most `MAX`.
    len: usize,
    /// Once the capacity was read.
    len_trace: Option<LenTrace>,
    /// The bytes copied to the buffer, once the whole copy-out succeeded.
    copied: Option<usize>,
}

impl<const MAX: usize> LenOut<MAX> {
    fn new(buf: usize, paired_len: usize) -> Self {
        Self {
            buf,
            // See `SockLenPtr`'s `SyscallLen`.
            len_ptr: !paired_len,
            bytes: [0; MAX],
            len: 0,
            len_trace: None,
            copied: None,
        }
    }

    fn set(&mut self, value: &[u8]) -> LinuxResult<()> {
        let dst = self
            .bytes
            .get_mut(..value.len())
            .ok_or(LinuxError::EINVAL)?;
        dst.copy_from_slice(value);
        self.len = value.len();
        Ok(())
    }

    fn value(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }

    /// The bytes copied out (empty before).
    fn copied(&self) -> &[u8] {
        let n = self.copied.unwrap_or(0);
        self.bytes.get(..n).unwrap_or_default()
    }

    /// The steps after `Ok`, in Linux's order. `full_len` writes the whole
    /// length back (`move_addr_to_user`), otherwise the length copied
    /// (`getsockopt`).
    fn copy_out<C: AddrSpaceProvider + ?Sized>(
        &mut self,
        ctx: &mut C,
        full_len: bool,
    ) -> LinuxResult<()> {
        let capacity = UserConstPtr::<i32>::from(self.len_ptr).read(ctx)?;
        let trace = self.len_trace.insert(LenTrace {
            capacity,
            written_back: None,
        });
        let capacity = usize::try_from(capacity).map_err(|_| LinuxError::EINVAL)?;
        let value = self.bytes.get(..self.len).unwrap_or_default();
        let copied = value.get(..capacity).unwrap_or(value);
        if !copied.is_empty() {
            UserPtr::<u8>::from(self.buf).write_slice(ctx, copied)?;
        }
        let back = if full_len { value.len() } else { copied.len() };
        // OVERFLOW: a `MAX` above 4 GiB is not a socket option's size.
        let back = u32::try_from(back).map_err(|_| LinuxError::EINVAL)?;
        UserPtr::<u32>::from(self.len_ptr).write(ctx, back)?;
        trace.written_back = Some(back);
        self.copied = Some(copied.len());
        Ok(())
    }

    fn trace_len(&self) -> Option<TraceArg<'_>> {
        self.len_trace
            .as_ref()
            .map(|trace| TraceArg::Value(trace as &dyn TraceValue))
    }
}

/// The bytes of a `UserCopy` value.
fn bytes_of<T: UserCopy>(value: &T) -> &[u8] {
    let size = size_of_user::<T>();
    // SAFETY: `T: UserCopy` has no padding and no interior mutability, so
    // its `size` bytes are initialized and stay unchanged while `value` is
    // borrowed; `u8` needs no alignment.
    unsafe { core::slice::from_raw_parts((value as *const T).cast::<u8>(), size) }
}

/// A socket address the handler sets and the entry copies out with
/// Linux's `move_addr_to_user` rules: `#[len = addrlen] addr: &mut
/// SockAddrOut` (or `Option<&mut SockAddrOut>`, `None` for a null
/// pointer) with `addrlen: SockLenPtr`. After the handler returned `Ok`,
/// and only then, the entry:
///
/// 1. reads the capacity, an `int`, from `*addrlen` (`EFAULT`);
/// 2. refuses a negative one (`EINVAL`);
/// 3. copies `min(capacity, length)` bytes to the buffer (`EFAULT`;
///    nothing is copied, and a null buffer is fine, when that is 0);
/// 4. writes the full length back to `*addrlen` (`EFAULT`).
///
/// With the `Option`, a null buffer is `None` and `*addrlen` is not
/// touched (`accept4`, `recvfrom`).
///
/// The address holds at most [`SOCKADDR_STORAGE_SIZE`] bytes; one the
/// handler never sets is empty (`*addrlen` becomes 0, what `recvfrom`
/// reports for a peer without a name). The trace decodes what was copied
/// out for `AF_UNIX`, `AF_INET` and `AF_INET6`
/// (`{sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("127.0.0.1")}`),
/// and quotes the bytes of other families.
///
/// What the entry does around the handler, step by step (`#[syscall]`
/// writes these calls; axptr's guide has the handler):
///
/// ```
/// # #[cfg(feature = "testing")] fn main() -> Result<(), axptr_core::LinuxError> {
/// use axptr_core::{
///     LinuxError, MappingFlags,
///     syscall::{SockAddrOut, SockLenPtr, SyscallArg, SyscallBufArg, SyscallLen, SyscallOutput},
///     testing::HeapSpace,
/// };
///
/// let mut space = HeapSpace::new(1);
/// let page = space.base();
/// space.map(page, 4096, MappingFlags::READ | MappingFlags::WRITE);
/// space.poke(page, &4u32.to_ne_bytes()); // *addrlen: room for 4 bytes
///
/// // The conversions: nothing is read yet.
/// let addrlen = SockLenPtr::from_syscall_arg(&mut space, page)?;
/// let mut addr = SockAddrOut::from_syscall_buf(&mut space, page + 16, addrlen.syscall_len()?)?;
/// // The handler: `sa_family = AF_UNIX`, then the path.
/// addr.set(b"\x01\x00/tmp/x\0")?;
/// // After `Ok`: the address cut to 4 bytes, its full length back.
/// SyscallOutput::<HeapSpace>::copy_out(&mut addr, &mut space, None)?;
/// assert_eq!(space.peek(page + 16, 5), b"\x01\x00/t\0");
/// assert_eq!(space.peek(page, 4), 9u32.to_ne_bytes());
///
/// // A negative capacity: EINVAL, and the buffer is left alone.
/// space.poke(page, &(-1i32).to_ne_bytes());
/// let mut addr = SockAddrOut::from_syscall_buf(&mut space, page + 64, addrlen.syscall_len()?)?;
/// addr.set(b"\x01\x00/tmp/x\0")?;
/// let copied = SyscallOutput::<HeapSpace>::copy_out(&mut addr, &mut space, None);
/// assert_eq!(copied, Err(LinuxError::EINVAL));
/// assert_eq!(space.peek(page + 64, 2), [0, 0]);
/// # Ok(()) }
/// # #[cfg(not(feature = "testing"))] fn main() {}
/// ```
pub struct SockAddrOut(LenOut<SOCKADDR_STORAGE_SIZE>);

impl SockAddrOut {
    /// Sets the address: its bytes, `sa_family` first.
    ///
    /// # Errors
    ///
    /// `EINVAL` for more than [`SOCKADDR_STORAGE_SIZE`] bytes (the address
    /// is left as it was).
    pub fn set(&mut self, addr: &[u8]) -> LinuxResult<()> {
        self.0.set(addr)
    }

    /// Sets the address from a structure (`sockaddr_in`, `sockaddr_un`):
    /// all its bytes.
    ///
    /// # Errors
    ///
    /// As [`set`](Self::set).
    pub fn set_value<T: UserCopy>(&mut self, addr: &T) -> LinuxResult<()> {
        self.0.set(bytes_of(addr))
    }

    /// The address set so far (empty at first).
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.0.value()
    }
}

impl<C: ?Sized> SyscallBufArg<C> for SockAddrOut {
    #[inline]
    fn from_syscall_buf(_ctx: &mut C, addr: usize, len: usize) -> LinuxResult<Self> {
        Ok(Self(LenOut::new(addr, len)))
    }

    fn trace_len(kept: Option<&Self>) -> Option<TraceArg<'_>> {
        kept?.0.trace_len()
    }
}

/// `move_addr_to_user`: the full length goes back.
impl<C: AddrSpaceProvider + ?Sized> SyscallOutput<C> for SockAddrOut {
    fn copy_out(&mut self, ctx: &mut C, _output_len: Option<usize>) -> LinuxResult<()> {
        self.0.copy_out(ctx, true)
    }
}

impl TraceValue for SockAddrOut {
    fn fmt_value(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_sockaddr(self.0.copied(), self.0.buf, f)
    }
}

/// What was copied out; the address when the copy-out did not finish.
impl TraceCopied for SockAddrOut {
    fn trace_copied(copied: Option<&Self>, raw: usize) -> TraceArg<'_> {
        match copied {
            Some(out) if out.0.copied.is_some() => TraceArg::Value(out),
            _ => TraceArg::Ptr(raw),
        }
    }
}

/// A socket option's value, at most `MAX` bytes, that the handler sets and
/// the entry copies out with `getsockopt`'s rules: `#[len = optlen] optval:
/// &mut SockOptOut<MAX>` with `optlen: SockLenPtr`.
///
/// As [`SockAddrOut`], but the length
/// written back to `*optlen` is the one copied, `min(capacity, length)`,
/// as Linux's `sk_getsockopt` does. Linux reads `*optlen` before it looks
/// the option up; here it is read after the handler returned `Ok`, so an
/// unknown option with an unreadable `optlen` is the handler's
/// `ENOPROTOOPT` rather than `EFAULT`.
///
/// [`set_value`](Self::set_value) makes the trace render the value with its
/// [`SyscallTrace`] (`[212992]` for an `int`, `{pid=1, uid=0, gid=0}` for a
/// `struct ucred`), as strace does; bytes given to [`set`](Self::set) show
/// as a string.
pub struct SockOptOut<const MAX: usize> {
    out: LenOut<MAX>,
    render: Option<fn(&[u8], &mut fmt::Formatter<'_>) -> fmt::Result>,
}

impl<const MAX: usize> SockOptOut<MAX> {
    /// Sets the value.
    ///
    /// # Errors
    ///
    /// `EINVAL` for more than `MAX` bytes (the value is left as it was).
    pub fn set(&mut self, value: &[u8]) -> LinuxResult<()> {
        self.out.set(value)?;
        self.render = None;
        Ok(())
    }

    /// Sets the value from an integer or a structure, which the trace
    /// renders.
    ///
    /// # Errors
    ///
    /// As [`set`](Self::set).
    pub fn set_value<T: UserCopy + SyscallTrace>(&mut self, value: &T) -> LinuxResult<()> {
        self.out.set(bytes_of(value))?;
        self.render = Some(render_value::<T>);
        Ok(())
    }

    /// The value set so far (empty at first).
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.out.value()
    }
}

impl<C: ?Sized, const MAX: usize> SyscallBufArg<C> for SockOptOut<MAX> {
    #[inline]
    fn from_syscall_buf(_ctx: &mut C, addr: usize, len: usize) -> LinuxResult<Self> {
        Ok(Self {
            out: LenOut::new(addr, len),
            render: None,
        })
    }

    fn trace_len(kept: Option<&Self>) -> Option<TraceArg<'_>> {
        kept?.out.trace_len()
    }
}

/// `sk_getsockopt`: the length copied goes back.
impl<C: AddrSpaceProvider + ?Sized, const MAX: usize> SyscallOutput<C> for SockOptOut<MAX> {
    fn copy_out(&mut self, ctx: &mut C, _output_len: Option<usize>) -> LinuxResult<()> {
        self.out.copy_out(ctx, false)
    }
}

impl<const MAX: usize> TraceValue for SockOptOut<MAX> {
    fn fmt_value(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let copied = self.out.copied();
        match self.render {
            Some(render) => render(copied, f),
            None => fmt_quoted(copied, f),
        }
    }
}

/// What was copied out; the address when the copy-out did not finish.
impl<const MAX: usize> TraceCopied for SockOptOut<MAX> {
    fn trace_copied(copied: Option<&Self>, raw: usize) -> TraceArg<'_> {
        match copied {
            Some(out) if out.out.copied.is_some() => TraceArg::Value(out),
            _ => TraceArg::Ptr(raw),
        }
    }
}

/// A `T` copied out whole renders as `T`; a cut one as its bytes.
fn render_value<T: UserCopy + SyscallTrace>(
    bytes: &[u8],
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    if bytes.len() != size_of_user::<T>() {
        return fmt_quoted(bytes, f);
    }
    // SAFETY: `bytes` holds `size_of::<T>()` initialized bytes, read
    // unaligned, and every bit pattern is a valid `T` (UserCopy).
    let value = unsafe { core::ptr::read_unaligned(bytes.as_ptr().cast::<T>()) };
    value.fmt_pointee(f)
}

const AF_UNSPEC: u16 = 0;
const AF_UNIX: u16 = 1;
const AF_INET: u16 = 2;
const AF_INET6: u16 = 10;

/// A socket address as strace shows it, from the bytes copied out (at
/// `buf`, shown when there are not even two).
fn fmt_sockaddr(bytes: &[u8], buf: usize, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let Some((family, rest)) = bytes.split_first_chunk::<2>() else {
        return fmt_ptr(buf, f);
    };
    let family = u16::from_ne_bytes(*family);
    match family {
        AF_UNIX => {
            f.write_str("{sa_family=AF_UNIX")?;
            match rest {
                [] => {}
                // An abstract name: a NUL, then any bytes.
                [0, name @ ..] => {
                    f.write_str(", sun_path=@")?;
                    fmt_quoted(name, f)?;
                }
                path => {
                    let end = memchr::memchr(0, path).unwrap_or(path.len());
                    f.write_str(", sun_path=")?;
                    fmt_quoted(path.get(..end).unwrap_or(path), f)?;
                }
            }
            f.write_str("}")
        }
        AF_INET if rest.len() >= 6 => {
            let (port, addr) = (be16(rest, 0), be_array::<4>(rest, 2));
            write!(
                f,
                "{{sa_family=AF_INET, sin_port=htons({port}), sin_addr=inet_addr(\"{}\")}}",
                Ipv4Addr::from(addr)
            )
        }
        AF_INET6 if rest.len() >= 22 => {
            let (port, flow, addr) = (be16(rest, 0), be32(rest, 2), be_array::<16>(rest, 6));
            write!(
                f,
                "{{sa_family=AF_INET6, sin6_port=htons({port}), sin6_flowinfo=htonl({flow}), \
                 inet_pton(AF_INET6, \"{}\", &sin6_addr)",
                Ipv6Addr::from(addr)
            )?;
            if let Some(scope) = rest.get(22..26).and_then(|s| <[u8; 4]>::try_from(s).ok()) {
                write!(f, ", sin6_scope_id={}", u32::from_ne_bytes(scope))?;
            }
            f.write_str("}")
        }
        _ => {
            match family {
                AF_UNSPEC => f.write_str("{sa_family=AF_UNSPEC")?,
                AF_INET => f.write_str("{sa_family=AF_INET")?,
                AF_INET6 => f.write_str("{sa_family=AF_INET6")?,
                other => write!(f, "{{sa_family={other}")?,
            }
            f.write_str(", sa_data=")?;
            fmt_quoted(rest, f)?;
            f.write_str("}")
        }
    }
}

/// `N` bytes of `bytes` from `at` (zeroes past the end: the callers
/// checked the length).
fn be_array<const N: usize>(bytes: &[u8], at: usize) -> [u8; N] {
    let mut out = [0; N];
    if let Some(src) = bytes.get(at..at.saturating_add(N)) {
        out.copy_from_slice(src);
    }
    out
}

/// A big-endian (network order) `u16` at `at`.
fn be16(bytes: &[u8], at: usize) -> u16 {
    u16::from_be_bytes(be_array(bytes, at))
}

/// A big-endian (network order) `u32` at `at`.
fn be32(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(be_array(bytes, at))
}

#[cfg(test)]
mod tests {
    use alloc::string::{String, ToString};

    use super::*;

    struct Shown<'a>(&'a [u8]);

    impl fmt::Display for Shown<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            fmt_sockaddr(self.0, 0x1000, f)
        }
    }

    fn shown(family: u16, rest: &[u8]) -> String {
        let mut bytes = family.to_ne_bytes().to_vec();
        bytes.extend_from_slice(rest);
        Shown(&bytes).to_string()
    }

    #[test]
    fn unix_addresses_show_their_path() {
        assert_eq!(
            shown(AF_UNIX, b"/tmp/x\0"),
            r#"{sa_family=AF_UNIX, sun_path="/tmp/x"}"#
        );
        assert_eq!(
            shown(AF_UNIX, b"/tmp/x"),
            r#"{sa_family=AF_UNIX, sun_path="/tmp/x"}"#
        );
        assert_eq!(shown(AF_UNIX, b""), "{sa_family=AF_UNIX}");
        assert_eq!(
            shown(AF_UNIX, b"\0name"),
            r#"{sa_family=AF_UNIX, sun_path=@"name"}"#
        );
    }

    #[test]
    fn inet_addresses_show_port_and_address() {
        let sin = [0x1f, 0x90, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(
            shown(AF_INET, &sin),
            r#"{sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr("127.0.0.1")}"#
        );
        let mut sin6 = [0u8; 26];
        sin6[1] = 80;
        sin6[21] = 1;
        assert_eq!(
            shown(AF_INET6, &sin6),
            "{sa_family=AF_INET6, sin6_port=htons(80), sin6_flowinfo=htonl(0), \
             inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=0}"
        );
    }

    #[test]
    fn cut_and_unknown_addresses_show_their_bytes() {
        assert_eq!(
            shown(AF_INET, &[0, 80]),
            r#"{sa_family=AF_INET, sa_data="\0P"}"#
        );
        assert_eq!(shown(42, b"ab"), r#"{sa_family=42, sa_data="ab"}"#);
        assert_eq!(Shown(&[1]).to_string(), "0x1000");
        assert_eq!(Shown(&[]).to_string(), "0x1000");
    }

    #[test]
    fn lengths_show_as_strace_does() {
        let shown = |capacity, written_back| {
            struct Len(LenTrace);
            impl fmt::Display for Len {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    self.0.fmt_value(f)
                }
            }
            Len(LenTrace {
                capacity,
                written_back,
            })
            .to_string()
        };
        assert_eq!(shown(110, Some(16)), "[110 => 16]");
        assert_eq!(shown(16, Some(16)), "[16]");
        assert_eq!(shown(-1, None), "[-1]");
        assert_eq!(shown(-1, Some(u32::MAX)), "[-1 => 4294967295]");
    }
}
