//! Console output through the SBI firmware.
//!
//! The OpenSBI that QEMU's `-bios default` loads (v1.1) lacks the
//! debug-console extension, so this uses the legacy `console_putchar` call.

use core::fmt::{self, Write};

struct SbiConsole;

impl Write for SbiConsole {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        put_bytes(s.as_bytes());
        Ok(())
    }
}

/// Writes raw bytes (for example, what user space passed to `write`).
pub fn put_bytes(bytes: &[u8]) {
    for &byte in bytes {
        #[allow(deprecated)]
        sbi_rt::legacy::console_putchar(usize::from(byte));
    }
}

#[doc(hidden)]
pub fn print_fmt(args: fmt::Arguments<'_>) {
    // `SbiConsole` never fails.
    let _ = SbiConsole.write_fmt(args);
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
