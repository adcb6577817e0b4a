//! The assembler directives around the fallible routines.
//!
//! A *routine group* `name` lives in its own section and has three global
//! (but hidden) labels besides its entry points: `name_fault_start` and
//! `name_fault_end` bracket every instruction of the group that may fault
//! on user memory, and `name_fixup` is where such a fault continues
//! ([`FaultRange`](super::FaultRange), built from the labels by
//! `routine.rs`). The routine files put their instructions between
//! [`routine_start!`] and [`routine_end!`], each entry point opened by
//! [`entry!`] and closed by [`entry_end!`].
//!
//! `asm_symbol!` (which takes the parts of a name) is resolved where these
//! are used, so the bare-metal check in `.ci/arch-copy` and the benchmarks
//! can include the routine files with symbols of their own.
// Unused on builds without an assembly routine.
#![allow(unused_macros)]

/// `.globl` and `.hidden` for the symbol whose name has the given parts.
macro_rules! global_symbol {
    ($($part:expr),+) => {
        concat!(
            ".globl ",
            asm_symbol!($($part),+),
            "\n.hidden ",
            asm_symbol!($($part),+),
            "\n"
        )
    };
}

/// Defines the label whose name has the given parts, here.
macro_rules! asm_label {
    ($($part:expr),+) => {
        concat!(asm_symbol!($($part),+), ":")
    };
}

/// Opens the section of the routine group `$name` and declares its fault
/// range labels. `$kind` is the architecture's prefix for symbol kinds in
/// directives (`@` or `%`).
macro_rules! routine_start {
    ($kind:literal, $name:expr) => {
        concat!(
            ".pushsection .text.",
            asm_symbol!($name),
            ",\"ax\",",
            $kind,
            "progbits\n",
            global_symbol!($name, "_fault_start"),
            global_symbol!($name, "_fault_end"),
            global_symbol!($name, "_fixup"),
        )
    };
}

/// Declares the function `$name` and places its entry point here.
macro_rules! entry {
    ($kind:literal, $name:expr) => {
        concat!(
            global_symbol!($name),
            ".type ",
            asm_symbol!($name),
            ",",
            $kind,
            "function\n",
            asm_label!($name),
        )
    };
}

/// Records the size of the function `$name`, which ends here.
macro_rules! entry_end {
    ($name:expr) => {
        concat!(".size ", asm_symbol!($name), ", . - ", asm_symbol!($name))
    };
}

/// Closes the section of a routine group.
macro_rules! routine_end {
    () => {
        ".popsection"
    };
}
