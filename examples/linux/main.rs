//! A Linux-like kernel on axptr's host simulation: more than a hundred
//! Linux syscalls written as `#[syscall]` handlers in a dispatch table
//! (`kernel/`), the x86_64 ABI they use with a catalogue of which argument
//! kind expresses each pointer (`abi.rs`), and a program that calls every
//! one of them, well-behaved and then hostile (`program.rs`, on the rig in
//! `user.rs`). It prints the strace log, a summary, and the catalogue's
//! counts.
//!
//! Run with `cargo run --example linux` (Linux x86_64: the simulation
//! catches real page faults); `cargo run --example linux -- --catalogue`
//! lists each syscall with the kind of each pointer argument.
//! `tests/linux_example.rs` checks the whole transcript.

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod abi;
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod kernel;
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod program;
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod user;

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn main() -> std::process::ExitCode {
    use std::io::Write as _;

    if std::env::args().any(|arg| arg == "--catalogue") {
        // The catalogue alone: each syscall and the kind of each pointer.
        let mut out = std::io::stdout().lock();
        for entry in abi::CATALOGUE {
            // A closed pipe (`| head`) ends the listing.
            if write!(out, "{entry}").is_err() {
                break;
            }
        }
        return std::process::ExitCode::SUCCESS;
    }
    let start = std::time::Instant::now();
    match user::run() {
        Ok(report) => {
            // A closed pipe (`| head`) is not an error of the run.
            let _ = std::io::stdout()
                .lock()
                .write_all(report.transcript.as_bytes());
            eprintln!("ran in {:.1} ms", start.elapsed().as_secs_f64() * 1e3);
            let summary = &report.summary;
            if summary.flag_leaked || !summary.unexpected.is_empty() {
                std::process::ExitCode::FAILURE
            } else {
                std::process::ExitCode::SUCCESS
            }
        }
        Err(err) => {
            eprintln!(
                "linux example: cannot set up the simulated address spaces at {:#x} and {:#x}: {err:?}",
                user::BASE,
                user::PEER_BASE
            );
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
fn main() {
    eprintln!(
        "the Linux example runs on axptr's host simulation, which needs Linux x86_64; \
         try `cargo run --example core_tour` here"
    );
}
