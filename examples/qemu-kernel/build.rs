//! Links the kernel with its architecture's linker script, and builds the
//! user program (the `axptr-qemu-user` package of this workspace) for the
//! same target, for `loader.rs` to include.

use std::{
    env,
    path::{Path, PathBuf},
    process::Command,
};

fn main() {
    let dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let arch = env::var("CARGO_CFG_TARGET_ARCH").expect("cargo sets it");
    let script = dir.join("linker").join(format!("{arch}.ld"));
    println!("cargo:rustc-link-arg=-T{}", script.display());
    println!("cargo:rerun-if-changed={}", script.display());

    let elf = build_user_program(&dir);
    println!("cargo:rustc-env=AXPTR_QEMU_USER_ELF={}", elf.display());
    for input in ["user", "abi", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", dir.join(input).display());
    }
}

/// Builds the user program with a nested cargo, in a target directory of
/// its own under `OUT_DIR` (so it never waits for the lock of the build
/// running this script); returns the ELF file.
fn build_user_program(dir: &Path) -> PathBuf {
    let target = env::var("TARGET").expect("cargo sets it");
    let target_dir = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets it")).join("user");
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--release", "--package", "axptr-qemu-user"])
        .arg("--target")
        .arg(&target)
        .arg("--target-dir")
        .arg(&target_dir)
        .current_dir(dir)
        // The outer build's flags and wrappers (clippy's, for one) are not
        // the user program's.
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .status()
        .expect("cannot run cargo to build the user program");
    assert!(status.success(), "building the user program failed");
    target_dir
        .join(target)
        .join("release")
        .join("axptr-qemu-user")
}
