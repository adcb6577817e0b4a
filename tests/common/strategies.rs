//! proptest strategies for the harness's symbolic inputs, shared by the
//! property tests (`tests/model.rs`, `tests/syscall_entries.rs`). The fuzz
//! targets get the same types from `arbitrary` instead.

use proptest::{prelude::*, test_runner::Config};

use super::harness::{Addr, Fill, Len, PageSpec};

/// A proptest configuration: `cases` cases (2 under Miri, where a case
/// takes seconds) unless `PROPTEST_CASES` says otherwise; no failure files
/// (failures are kept as named regression tests instead, and Miri's
/// isolation forbids the file system anyway).
pub fn config(cases: u32) -> Config {
    let mut config = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = if cfg!(miri) { 2 } else { cases };
    }
    config.failure_persistence = None;
    config
}

/// A page of a space: mostly mapped read-write, any flags, lazy or present,
/// zeroes or text with terminators near the page edges, or a hole.
pub fn page_spec() -> impl Strategy<Value = PageSpec> {
    let fill = prop_oneof![
        1 => Just(Fill::Zero),
        4 => (
            any::<u64>(),
            any::<bool>(),
            prop::collection::vec((edge_offset(), 1u8..=24), 0..4),
        )
            .prop_map(|(seed, ascii, zeros)| Fill::Text { seed, ascii, zeros }),
    ];
    // Read-write is the common case; any other combination of R/W/X
    // (including none and write-only) is possible.
    let flags = prop_oneof![3 => Just(0b011u8), 1 => 0u8..8];
    prop_oneof![
        1 => Just(PageSpec::Unmapped),
        4 => (flags, prop::bool::weighted(0.3), fill)
            .prop_map(|(flags, lazy, fill)| PageSpec::Mapped { flags, lazy, fill }),
    ]
}

/// An offset in a page, often near either end.
pub fn edge_offset() -> impl Strategy<Value = u16> {
    prop_oneof![Just(0u16), Just(4095), 0u16..32, 4064u16..4096, 0u16..4096]
}

/// A user address: in the space (often at page edges), a chosen distance
/// before a terminator, near null, near `usize::MAX`, or anything.
pub fn addr() -> impl Strategy<Value = Addr> {
    // String lengths: short, around PATH_MAX, anything.
    let back = prop_oneof![
        0u16..16,
        Just(4095),
        Just(4096),
        4090u16..4102,
        any::<u16>()
    ];
    prop_oneof![
        4 => (any::<u8>(), edge_offset()).prop_map(|(page, offset)| Addr::Space { page, offset }),
        3 => (any::<u8>(), back).prop_map(|(nth, back)| Addr::BeforeZero { nth, back }),
        3 => (any::<u8>(), 0u8..=32).prop_map(|(page, back)| Addr::PageEnd { page, back }),
        1 => (0u16..=8192).prop_map(Addr::Low),
        1 => (0u16..=8192).prop_map(Addr::High),
        1 => any::<usize>().prop_map(Addr::Raw),
    ]
}

/// A count: small, a byte size, anything, or around the counts whose byte
/// size passes `isize::MAX` or overflows.
pub fn len() -> impl Strategy<Value = Len> {
    prop_oneof![
        4 => (0u8..=24).prop_map(Len::Small),
        3 => any::<u16>().prop_map(Len::Bytes),
        1 => any::<usize>().prop_map(Len::Raw),
        1 => any::<i8>().prop_map(Len::NearIsizeMax),
        1 => any::<i8>().prop_map(Len::NearUsizeMax),
    ]
}
