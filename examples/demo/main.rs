//! The main demo: a small kernel on axptr's host simulation serves real
//! syscalls, written as `#[syscall]` handlers in a `syscall_table!`, to a
//! scripted user program that makes good calls and hostile ones. It prints
//! the strace log and a summary: every hostile pointer becomes an errno,
//! and nothing crashes.
//!
//! Run with `cargo run --example demo` (Linux x86_64: the simulation
//! catches real page faults). `tests/demo.rs` checks the whole transcript.

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod kernel;
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod user;

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn main() -> std::process::ExitCode {
    match user::run() {
        Ok(report) => {
            print!("{}", report.transcript);
            if report.summary.flag_leaked {
                std::process::ExitCode::FAILURE
            } else {
                std::process::ExitCode::SUCCESS
            }
        }
        Err(err) => {
            eprintln!(
                "demo: cannot set up the simulated address space at {:#x}: {err:?}",
                user::BASE
            );
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
fn main() {
    eprintln!(
        "the demo runs on axptr's host simulation, which needs Linux x86_64; \
         try `cargo run --example core_tour` here"
    );
}
