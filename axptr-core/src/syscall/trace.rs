//! strace-style rendering of syscalls.
//!
//! An entry made by `#[syscall]` that is handed a [`SyscallTracer`] reports
//! each call once, after it finished, as a [`SyscallEvent`]: the name, the
//! decoded arguments and the result. Its `Display` is the strace line:
//!
//! ```text
//! openat(-100, "/etc/passwd", 0x0, 0o0) = 3
//! openat(-100, "/nope", 0x0, 0o0) = -2 ENOENT
//! ```
//!
//! Arguments are decoded from what the entry already holds: integers and
//! pointers from their registers, strings and buffers from the kernel
//! copies made for the handler. Tracing never reads user memory again, so
//! a user thread rewriting a buffer cannot make the log disagree with what
//! the handler saw. Nothing is formatted unless a tracer is given, and then
//! only when the tracer asks (`Display`), so tracing costs nothing when
//! off.

use core::fmt;

use axerrno::{LinuxError, LinuxResult};

/// How strace-style output stops a long string: after this many bytes, the
/// closing quote is followed by `...` (strace's default `-s 32`).
pub const TRACE_STRING_LIMIT: usize = 32;

/// How an integer argument is printed.
///
/// `#[syscall]` picks [`Hex`](Self::Hex) for parameters whose name ends in
/// `flags`, [`Octal`](Self::Octal) for names ending in `mode`, and
/// [`Auto`](Self::Auto) (the type's own choice: decimal for integers)
/// otherwise; `#[trace(hex)]`, `#[trace(oct)]` or `#[trace(dec)]` on a
/// parameter overrides it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ArgFormat {
    /// The type's own choice (decimal for integers).
    #[default]
    Auto,
    /// Decimal.
    Decimal,
    /// `0x…`.
    Hex,
    /// `0o…`.
    Octal,
}

/// Renders one register strace-style: see
/// [`SyscallArg::fmt_syscall_arg`](crate::SyscallArg::fmt_syscall_arg).
pub type FmtRaw = fn(usize, ArgFormat, &mut fmt::Formatter<'_>) -> fmt::Result;

/// One decoded argument of a [`SyscallEvent`].
#[derive(Clone, Copy)]
#[non_exhaustive]
pub enum TraceArg<'a> {
    /// A register, rendered by its argument type.
    Raw {
        /// The register value.
        raw: usize,
        /// The format chosen for the parameter.
        format: ArgFormat,
        /// The argument type's renderer.
        fmt: FmtRaw,
    },
    /// A user address: `NULL` or `0x…`.
    Ptr(usize),
    /// Bytes copied from user memory, quoted and truncated like strace.
    Str(&'a [u8]),
    /// A kernel copy that renders itself: a structure copied from or to
    /// user memory (`{tv_sec=1, tv_nsec=0}`), a sigset (`[INT TERM]`), an
    /// argument vector (`["ls", "-l"]`).
    Value(&'a dyn TraceValue),
}

/// A kernel copy of an argument that renders itself in a trace
/// ([`TraceArg::Value`]).
pub trait TraceValue {
    /// Renders the copy strace-style.
    ///
    /// # Errors
    ///
    /// Only those of the formatter.
    fn fmt_value(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result;
}

impl fmt::Display for TraceArg<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            TraceArg::Raw { raw, format, fmt } => fmt(raw, format, f),
            TraceArg::Ptr(addr) => fmt_ptr(addr, f),
            TraceArg::Str(bytes) => fmt_quoted(bytes, f),
            TraceArg::Value(value) => value.fmt_value(f),
        }
    }
}

impl fmt::Debug for TraceArg<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// One finished syscall, as a tracer sees it.
#[derive(Clone, Copy)]
pub struct SyscallEvent<'a> {
    name: &'static str,
    number: Option<usize>,
    args: &'a [TraceArg<'a>],
    result: LinuxResult<isize>,
}

impl<'a> SyscallEvent<'a> {
    /// An event for the syscall `name`. Entries made by `#[syscall]` build
    /// these; a dispatch table adds the number.
    #[must_use]
    pub const fn new(
        name: &'static str,
        args: &'a [TraceArg<'a>],
        result: LinuxResult<isize>,
    ) -> Self {
        Self {
            name,
            number: None,
            args,
            // What the result register will say.
            result: super::ret::as_registered(result),
        }
    }

    /// The same event, carrying the syscall number.
    #[must_use]
    pub const fn with_number(self, number: usize) -> Self {
        Self {
            number: Some(number),
            ..self
        }
    }

    /// The syscall's name (`"openat"`), empty for an unknown number.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The syscall number, when the call went through a dispatch table.
    #[must_use]
    pub const fn number(&self) -> Option<usize> {
        self.number
    }

    /// The decoded arguments.
    #[must_use]
    pub const fn args(&self) -> &'a [TraceArg<'a>] {
        self.args
    }

    /// What the handler returned (the raw entry returns `-errno` for an
    /// error).
    pub const fn result(&self) -> LinuxResult<isize> {
        self.result
    }
}

/// The strace line: `name(arg, arg) = result`, with the errno name for an
/// error (`= -2 ENOENT`), and `syscall_<number>` for an unknown number.
impl fmt::Display for SyscallEvent<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.name, self.number) {
            ("", Some(number)) => write!(f, "syscall_{number}(")?,
            (name, _) => write!(f, "{name}(")?,
        }
        for (i, arg) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{arg}")?;
        }
        match self.result {
            Ok(value) => write!(f, ") = {value}"),
            Err(err) => write!(f, ") = -{} {err:?}", err.code()),
        }
    }
}

impl fmt::Debug for SyscallEvent<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Receives one [`SyscallEvent`] per traced call.
///
/// Closures are tracers:
///
/// ```
/// use axptr_core::{LinuxError, syscall::{SyscallEvent, SyscallTracer, TraceArg}};
///
/// let mut log = Vec::new();
/// let mut tracer = |event: &SyscallEvent<'_>| log.push(event.to_string());
/// let args = [TraceArg::Str(b"/nope"), TraceArg::Ptr(0)];
/// tracer.trace(&SyscallEvent::new("stat", &args, Err(LinuxError::ENOENT)));
/// assert_eq!(log, ["stat(\"/nope\", NULL) = -2 ENOENT"]);
/// ```
pub trait SyscallTracer {
    /// Called after each traced call.
    fn trace(&mut self, event: &SyscallEvent<'_>);
}

impl<F: FnMut(&SyscallEvent<'_>) + ?Sized> SyscallTracer for F {
    fn trace(&mut self, event: &SyscallEvent<'_>) {
        self(event);
    }
}

/// Adds the syscall number to the events it forwards (dispatch tables use
/// it).
pub(crate) struct Numbered<'t> {
    pub(crate) number: usize,
    pub(crate) inner: &'t mut dyn SyscallTracer,
}

impl SyscallTracer for Numbered<'_> {
    fn trace(&mut self, event: &SyscallEvent<'_>) {
        self.inner.trace(&event.with_number(self.number));
    }
}

/// Renders an unknown syscall number: its six registers in hex.
pub(crate) fn trace_unknown(
    tracer: &mut dyn SyscallTracer,
    number: usize,
    args: [usize; 6],
    err: LinuxError,
) {
    let args = args.map(|raw| TraceArg::Raw {
        raw,
        format: ArgFormat::Hex,
        fmt: fmt_register,
    });
    tracer.trace(&SyscallEvent::new("", &args, Err(err)).with_number(number));
}

/// `NULL` or the address in hex.
pub(crate) fn fmt_ptr(addr: usize, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    if addr == 0 {
        f.write_str("NULL")
    } else {
        write!(f, "{addr:#x}")
    }
}

/// A register in hex, whatever the format (unknown syscalls).
fn fmt_register(raw: usize, _format: ArgFormat, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    write!(f, "{raw:#x}")
}

/// A value in `format` (decimal by default).
pub(crate) fn fmt_in<T>(value: T, format: ArgFormat, f: &mut fmt::Formatter<'_>) -> fmt::Result
where
    T: fmt::Display + fmt::LowerHex + fmt::Octal,
{
    match format {
        ArgFormat::Auto | ArgFormat::Decimal => write!(f, "{value}"),
        ArgFormat::Hex => write!(f, "{value:#x}"),
        ArgFormat::Octal => write!(f, "{value:#o}"),
    }
}

/// Quotes `bytes` as strace does: C escapes, octal for the rest of the
/// non-printable bytes, and `"..."...` after [`TRACE_STRING_LIMIT`] bytes.
pub(crate) fn fmt_quoted(bytes: &[u8], f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let shown = &bytes[..bytes.len().min(TRACE_STRING_LIMIT)];
    f.write_str("\"")?;
    for (i, &byte) in shown.iter().enumerate() {
        match byte {
            b'"' => f.write_str("\\\"")?,
            b'\\' => f.write_str("\\\\")?,
            b'\n' => f.write_str("\\n")?,
            b'\t' => f.write_str("\\t")?,
            b'\r' => f.write_str("\\r")?,
            0x0b => f.write_str("\\v")?,
            0x0c => f.write_str("\\f")?,
            0x20..=0x7e => write!(f, "{}", char::from(byte))?,
            _ => {
                // The short form (`\0`) would swallow a following octal
                // digit, so strace uses three digits then.
                let next_is_octal = shown.get(i + 1).is_some_and(|b| (b'0'..=b'7').contains(b));
                if next_is_octal {
                    write!(f, "\\{byte:03o}")?;
                } else {
                    write!(f, "\\{byte:o}")?;
                }
            }
        }
    }
    f.write_str("\"")?;
    if bytes.len() > shown.len() {
        f.write_str("...")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use alloc::{format, string::ToString};

    use super::*;

    struct Quoted<'a>(&'a [u8]);

    impl fmt::Display for Quoted<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            fmt_quoted(self.0, f)
        }
    }

    #[test]
    fn strings_are_escaped_like_strace() {
        assert_eq!(Quoted(b"a\"b\\c\n\t").to_string(), r#""a\"b\\c\n\t""#);
        assert_eq!(Quoted(b"\0\x1b[0m").to_string(), r#""\0\33[0m""#);
        assert_eq!(Quoted(b"\x001").to_string(), r#""\0001""#);
        assert_eq!(Quoted(b"\xff").to_string(), r#""\377""#);
    }

    #[test]
    fn long_strings_stop_after_the_limit() {
        let long = [b'a'; 40];
        let shown = format!("\"{}\"...", "a".repeat(TRACE_STRING_LIMIT));
        assert_eq!(Quoted(&long).to_string(), shown);
        let exact = [b'a'; TRACE_STRING_LIMIT];
        assert!(!Quoted(&exact).to_string().ends_with("..."));
    }
}
