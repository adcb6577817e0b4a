//! The console: the architecture's output device behind a lock, so lines
//! printed by different CPUs do not interleave.

use core::fmt::{self, Write};

use crate::{arch, lock::SpinLock};

static CONSOLE: SpinLock<()> = SpinLock::new("the console lock", ());

struct Console;

impl Write for Console {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        arch::console_write(s.as_bytes());
        Ok(())
    }
}

/// Writes raw bytes (for example, what user space passed to `write`).
pub fn put_bytes(bytes: &[u8]) {
    let _console = CONSOLE.lock();
    arch::console_write(bytes);
}

#[doc(hidden)]
pub fn print_fmt(args: fmt::Arguments<'_>) {
    let _console = CONSOLE.lock();
    // `Console` never fails.
    let _ = Console.write_fmt(args);
}

/// Prints without waiting for the console lock: for an oops, which must
/// get out even if the CPU that failed holds the lock.
pub fn print_emergency(args: fmt::Arguments<'_>) {
    let _console = CONSOLE.try_lock();
    let _ = Console.write_fmt(args);
}

/// Prints to the console.
#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => { $crate::console::print_fmt(format_args!($($arg)*)) };
}

/// Prints a line to the console.
#[macro_export]
macro_rules! println {
    () => { $crate::print!("\n") };
    ($($arg:tt)*) => { $crate::console::print_fmt(format_args!("{}\n", format_args!($($arg)*))) };
}
