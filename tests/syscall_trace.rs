//! strace-style tracing of `#[syscall]` entries, compared line by line.

mod common;

use core::{ffi::CStr, fmt};

use axptr::{
    LinuxError, LinuxResult, Syscall, SyscallArg, SyscallEvent, UserPtr, syscall,
    syscall::{ArgFormat, TraceArg},
};
use common::kernel::{Kernel, PAGE, kernel, neg, regs};

/// Runs the entry of `S` with a tracer; returns the result and the line.
fn traced<S: Syscall<Kernel>>(k: &mut Kernel, args: &[usize]) -> (isize, String) {
    let mut lines = Vec::new();
    let mut tracer = |event: &SyscallEvent<'_>| lines.push(event.to_string());
    let ret = S::entry(k, regs(args), Some(&mut tracer));
    assert_eq!(lines.len(), 1, "one event per call: {lines:?}");
    (ret, lines.remove(0))
}

#[syscall]
fn sys_openat(
    _k: &mut Kernel,
    _dirfd: i32,
    path: &CStr,
    _flags: u32,
    _mode: u32,
) -> LinuxResult<isize> {
    match path.to_bytes() {
        b"/etc/passwd" => Ok(3),
        bytes if bytes.len() > 32 => Ok(4),
        _ => Err(LinuxError::ENOENT),
    }
}

#[test]
fn openat_traces_like_strace() {
    let (mut k, p) = kernel();
    k.space.poke(p.rw, b"/etc/passwd\0/nope\0");
    let at_fdcwd = neg(-100);
    assert_eq!(
        traced::<sys_openat>(&mut k, &[at_fdcwd, p.rw, 0, 0]),
        (3, r#"openat(-100, "/etc/passwd", 0x0, 0o0) = 3"#.into())
    );
    assert_eq!(
        traced::<sys_openat>(&mut k, &[at_fdcwd, p.rw + 12, 0, 0]),
        (-2, r#"openat(-100, "/nope", 0x0, 0o0) = -2 ENOENT"#.into())
    );
}

#[test]
fn long_strings_are_cut_after_32_bytes() {
    let (mut k, p) = kernel();
    k.space
        .poke(p.rw, b"/home/user/a/rather/long/path/to/some/file.txt\0");
    let (ret, line) = traced::<sys_openat>(&mut k, &[neg(-100), p.rw, 0x241, 0o644]);
    assert_eq!(ret, 4);
    assert_eq!(
        line,
        r#"openat(-100, "/home/user/a/rather/long/path/to"..., 0x241, 0o644) = 4"#
    );
}

#[test]
fn a_failed_conversion_shows_the_pointer_and_the_errno() {
    let (mut k, p) = kernel();
    // No NUL within PATH_MAX.
    k.space.poke(p.big, &[b'x'; 2 * PAGE]);
    assert_eq!(
        traced::<sys_openat>(&mut k, &[neg(-100), p.big, 2, 0]),
        (
            -36,
            format!("openat(-100, {:#x}, 0x2, 0o0) = -36 ENAMETOOLONG", p.big)
        )
    );
    assert_eq!(
        traced::<sys_openat>(&mut k, &[neg(-100), 0, 0, 0]),
        (-14, "openat(-100, NULL, 0x0, 0o0) = -14 EFAULT".into())
    );
}

#[syscall]
fn sys_read(
    _k: &mut Kernel,
    _fd: i32,
    #[len = count] buf: &mut [u8],
    count: usize,
) -> LinuxResult<isize> {
    let data = b"hello\n";
    let n = data.len().min(buf.len());
    buf[..n].copy_from_slice(&data[..n]);
    Ok(n as isize)
}

#[test]
fn output_buffers_show_what_was_copied_out() {
    let (mut k, p) = kernel();
    assert_eq!(
        traced::<sys_read>(&mut k, &[3, p.rw, 4096]),
        (6, r#"read(3, "hello\n", 4096) = 6"#.into())
    );
    assert_eq!(
        traced::<sys_read>(&mut k, &[3, p.rw, 2]),
        (2, r#"read(3, "he", 2) = 2"#.into())
    );
    // On failure strace shows the address.
    assert_eq!(
        traced::<sys_read>(&mut k, &[3, p.ro, 16]),
        (-14, format!("read(3, {:#x}, 16) = -14 EFAULT", p.ro))
    );
}

#[syscall]
fn sys_write(
    k: &mut Kernel,
    _fd: i32,
    #[len = count] buf: &[u8],
    count: usize,
) -> LinuxResult<usize> {
    // Overwrite the user buffer while the call runs: the trace must show
    // what the handler was given, not what user memory holds later.
    let addr = k.space.base();
    UserPtr::<u8>::from(addr).write_slice(k, &vec![b'#'; count.min(PAGE)])?;
    Ok(buf.len())
}

#[test]
fn input_buffers_are_quoted_with_escapes_from_the_kernel_copy() {
    let (mut k, p) = kernel();
    let data = b"hi\n\0\x1b[0m\t\"\\\x7f";
    k.space.poke(p.rw, data);
    assert_eq!(
        traced::<sys_write>(&mut k, &[1, p.rw, data.len()]),
        (12, r#"write(1, "hi\n\0\33[0m\t\"\\\177", 12) = 12"#.into())
    );
    assert_eq!(k.space.peek(p.rw, 2), b"##", "the handler did overwrite it");
}

#[syscall]
fn sys_writev(_fd: i32, #[len = iovcnt] iov: &[[usize; 2]], iovcnt: i32) -> LinuxResult<isize> {
    let _ = iovcnt;
    Ok(iov.iter().map(|v| v[1] as isize).sum())
}

#[syscall]
fn sys_wait4(
    pid: i32,
    status: Option<UserPtr<i32>>,
    #[trace(hex)] options: u32,
    rusage: UserPtr<[u64; 18]>,
) -> LinuxResult<i32> {
    let _ = (status, options, rusage);
    Ok(pid)
}

#[test]
fn arrays_and_pointers_print_as_addresses() {
    let (mut k, p) = kernel();
    k.space.poke(p.rw, &[0u8; 32]);
    assert_eq!(
        traced::<sys_writev>(&mut k, &[1, p.rw, 2]),
        (0, format!("writev(1, {:#x}, 2) = 0", p.rw))
    );
    assert_eq!(
        traced::<sys_writev>(&mut k, &[1, p.rw, neg(-1)]),
        (-22, format!("writev(1, {:#x}, -1) = -22 EINVAL", p.rw))
    );
    assert_eq!(
        traced::<sys_wait4>(&mut k, &[neg(-1), 0, 1, 0xabc0]),
        (-75, "wait4(-1, NULL, 0x1, 0xabc0) = -75 EOVERFLOW".into())
    );
}

/// A descriptor with a renderer of its own.
struct Fd(i32);

impl<C: ?Sized> SyscallArg<C> for Fd {
    fn from_syscall_arg(_: &mut C, raw: usize) -> LinuxResult<Self> {
        Ok(Fd(raw as u32 as i32))
    }

    fn fmt_syscall_arg(raw: usize, _: ArgFormat, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match raw as u32 as i32 {
            -100 => f.write_str("AT_FDCWD"),
            fd => write!(f, "{fd}"),
        }
    }
}

#[syscall(name = "open")]
fn sys_open_compat(
    dirfd: Fd,
    path: &CStr,
    #[trace(dec)] flags: u32,
    mode: u32,
) -> LinuxResult<isize> {
    let _ = (dirfd.0, path, flags, mode);
    Err(LinuxError::EACCES)
}

#[test]
fn names_formats_and_renderers_can_be_chosen() {
    let (mut k, p) = kernel();
    k.space.poke(p.rw, b"/x\0");
    assert_eq!(
        traced::<sys_open_compat>(&mut k, &[neg(-100), p.rw, 0x241, 0o755]),
        (
            -13,
            r#"open(AT_FDCWD, "/x", 577, 0o755) = -13 EACCES"#.into()
        )
    );
    assert_eq!(<sys_open_compat as Syscall<Kernel>>::NAME, "open");
    assert_eq!(<sys_openat as Syscall<Kernel>>::NAME, "openat");
}

#[test]
fn events_carry_structured_arguments() {
    let (mut k, p) = kernel();
    k.space.poke(p.rw, b"/etc/passwd\0");
    let mut seen = Vec::new();
    let mut tracer = |event: &SyscallEvent<'_>| {
        let kinds: Vec<_> = event
            .args()
            .iter()
            .map(|arg| match arg {
                TraceArg::Raw { format, .. } => format!("raw {format:?}"),
                TraceArg::Ptr(addr) => format!("ptr {addr:#x}"),
                TraceArg::Str(bytes) => format!("str {}", bytes.len()),
                TraceArg::Value(_) => format!("value {arg}"),
                other => format!("other {other}"),
            })
            .collect();
        seen.push((event.name(), event.number(), kinds, event.result()));
    };
    let args = regs(&[neg(-100), p.rw, 0, 0]);
    <sys_openat as Syscall<Kernel>>::entry(&mut k, args, Some(&mut tracer));
    assert_eq!(
        seen,
        [(
            "openat",
            None,
            vec![
                "raw Auto".to_string(),
                "str 11".into(),
                "raw Hex".into(),
                "raw Octal".into()
            ],
            Ok(3)
        )]
    );
}
