//! The assembler directives around each architecture's copy routine: its
//! own section, its four global (but hidden) symbols, its type and size.
//! The routine files put their instructions between
//! [`copy_routine_start!`] and [`copy_routine_end!`].
//!
//! `asm_symbol!` is resolved where these are used, so the bare-metal check
//! in `.ci/arch-copy` can include this file with symbols of its own.
// Unused on builds without an assembly routine.
#![allow(unused_macros)]

/// Opens the routine's section and declares its symbols. `$kind` is the
/// architecture's prefix for symbol kinds in directives (`@` or `%`).
macro_rules! copy_routine_start {
    ($kind:literal) => {
        concat!(
            ".pushsection .text.",
            asm_symbol!("copy_raw"),
            ",\"ax\",",
            $kind,
            "progbits\n",
            ".globl ",
            asm_symbol!("copy_raw"),
            "\n.hidden ",
            asm_symbol!("copy_raw"),
            "\n.globl ",
            asm_symbol!("copy_fault_start"),
            "\n.hidden ",
            asm_symbol!("copy_fault_start"),
            "\n.globl ",
            asm_symbol!("copy_fault_end"),
            "\n.hidden ",
            asm_symbol!("copy_fault_end"),
            "\n.globl ",
            asm_symbol!("copy_fixup"),
            "\n.hidden ",
            asm_symbol!("copy_fixup"),
            "\n.type ",
            asm_symbol!("copy_raw"),
            ",",
            $kind,
            "function"
        )
    };
}

/// Records the routine's size and closes its section.
macro_rules! copy_routine_end {
    () => {
        concat!(
            ".size ",
            asm_symbol!("copy_raw"),
            ", . - ",
            asm_symbol!("copy_raw"),
            "\n.popsection"
        )
    };
}
