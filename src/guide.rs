//! The guide: how axptr works and how to use it, one topic a page.
//!
//! Read [`overview`] first; the other pages stand on their own.
//!
//! | page | for |
//! |---|---|
//! | [`overview`] | the idea: a user pointer's path from a register to an errno or a value |
//! | [`transfers`] | moving data: copies, strings, cursors, iovecs, and what each bad input gives |
//! | [`syscall`] | `#[syscall]`: typed handlers, every argument kind, and the Linux pattern each expresses |
//! | [`abi`] | the Linux ABI catalogue: 111 syscalls of an example kernel, the kind each pointer takes, what no kind expresses |
//! | [`safety`] | what is sound whatever user space does, and what the `unsafe` items ask of you |
//! | [`primitives`] | beyond copies: extensible structs, `clear_user`, string limits, `argv`/`envp`, fault injection |
//! | [`linux_conformance`] | how handlers are checked against the host's Linux kernel, and how to write ones that agree |
//! | [`kernel`] | plugging axptr into a kernel: the address space, the page-fault handler, the flag |
//! | [`host_testing`] | testing handlers on the host, with real page faults or none at all |
//! | [`reliability`] | how axptr is checked: the reference model, fuzzing, Miri, real kernels |
//! | [`performance`] | what a call costs and where the time goes |
//!
//! Each page is a Markdown file in `docs/guide/`, and each of its Rust
//! examples runs as a doc test.

// Pages to wire here when they land, each as
// `#[doc = include_str!("../docs/guide/<file>.md")] pub mod <name> {}`
// plus a row in the table above.
// The repository pages docs/qemu.md and docs/benchmarks.md are linked from
// the guide (kernel, reliability, performance) and from CONTRIBUTING.md;
// they are not rustdoc pages.

#[doc = include_str!("../docs/guide/overview.md")]
pub mod overview {}

#[doc = include_str!("../docs/guide/transfers.md")]
pub mod transfers {}

#[doc = include_str!("../docs/guide/syscall.md")]
pub mod syscall {}

#[doc = include_str!("../docs/guide/abi.md")]
pub mod abi {}

#[doc = include_str!("../docs/guide/safety.md")]
pub mod safety {}

#[doc = include_str!("../docs/guide/primitives.md")]
pub mod primitives {}

#[doc = include_str!("../docs/guide/linux-conformance.md")]
pub mod linux_conformance {}

#[doc = include_str!("../docs/guide/kernel.md")]
pub mod kernel {}

#[doc = include_str!("../docs/guide/host-testing.md")]
pub mod host_testing {}

#[doc = include_str!("../docs/guide/reliability.md")]
pub mod reliability {}

#[doc = include_str!("../docs/guide/performance.md")]
pub mod performance {}
