//! Links the user program at its fixed user-space address. On x86_64 the
//! prebuilt core library is position-independent and brings a GOT (filled
//! at link time): without RELRO it stays in the data segment, with `.bss`
//! (the loader maps each segment's pages on their own).

fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    println!("cargo:rustc-link-arg-bins=-T{dir}/user.ld");
    println!("cargo:rerun-if-changed=user.ld");
    if std::env::var("CARGO_CFG_TARGET_ARCH").is_ok_and(|arch| arch == "x86_64") {
        println!("cargo:rustc-link-arg-bins=-znorelro");
    }
}
