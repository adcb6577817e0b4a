//! Property tests: random address spaces and random requests give exactly
//! the reference model's `Ok`/errno, data and population (see
//! `common/model.rs` for the model, `common/harness.rs` for what is
//! compared).
//!
//! The default case count keeps `cargo test` fast; raise it with
//! `PROPTEST_CASES=100000 cargo test --release --test model`.

mod common;

use common::{
    harness::{Addr, Case, Elem, Fill, Kind, Len, MAX_OPS, MAX_PAGES, Op, PageSpec, Ptr},
    strategies::{addr, config, len, page_spec},
};
use proptest::prelude::*;

/// Cases per property unless `PROPTEST_CASES` says otherwise (2 under
/// Miri).
const DEFAULT_CASES: u32 = 512;

fn op() -> impl Strategy<Value = Op> {
    let kind = prop::sample::select(vec![
        Kind::Read,
        Kind::Write,
        Kind::ReadSlice,
        Kind::WriteSlice,
        Kind::Get,
        Kind::GetAsSlice,
        Kind::GetAsNullTerminated,
        Kind::ReadNullTerminated,
        Kind::ReadNullTerminatedVec,
        Kind::ReadCstr,
        Kind::ReadCstring,
        Kind::GetAsCstr,
        Kind::GetAsStr,
        Kind::With,
        Kind::WithSlice,
        Kind::WithNullTerminated,
        Kind::WithCstr,
        Kind::WithStr,
        Kind::CheckRegion,
        Kind::ReadSlicePartial,
        Kind::WriteSlicePartial,
        Kind::CursorRead,
        Kind::CursorWrite,
        Kind::ClearUser,
        Kind::CheckZeroedUser,
        Kind::ReadExtensible,
        Kind::WriteExtensible,
        Kind::ReadCstringLimited,
        Kind::ReadArgStrings,
    ]);
    let elem = prop::sample::select(vec![
        Elem::U8,
        Elem::U16,
        Elem::U32,
        Elem::U64,
        Elem::U128,
        Elem::Bytes3,
        Elem::Words3,
        Elem::Unit,
        Elem::Empty8,
        Elem::Big,
    ]);
    let ptr = prop_oneof![Just(Ptr::Mut), Just(Ptr::Const)];
    (kind, elem, ptr, addr(), len(), any::<u64>()).prop_map(|(kind, elem, ptr, addr, len, seed)| {
        Op {
            kind,
            elem,
            ptr,
            addr,
            len,
            seed,
        }
    })
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(page_spec(), 1..=MAX_PAGES),
        prop::collection::vec(op(), 1..=MAX_OPS),
    )
        .prop_map(|(space, ops)| Case { space, ops })
}

proptest! {
    #![proptest_config(config(DEFAULT_CASES))]

    #[test]
    fn implementation_agrees_with_the_model(case in case()) {
        common::harness::run(&case).map_err(TestCaseError::fail)?;
    }
}

/// Null-terminated data of every length around a page and around the limit,
/// starting at either end of a page, through every scanning API, with
/// limits around its length: the boundaries random cases rarely hit
/// exactly.
#[test]
// The model walks some 2,000 long scans byte by byte: hours under Miri.
// Miri runs the same boundaries in tests/validation.rs.
#[cfg_attr(miri, ignore)]
fn scans_agree_with_the_model_at_every_boundary() {
    let rw_page = || PageSpec::Mapped {
        flags: 0b011,
        lazy: false,
        fill: Fill::Zero,
    };
    // The last six take C strings, whatever the element type.
    let kinds = [
        Kind::GetAsNullTerminated,
        Kind::WithNullTerminated,
        Kind::ReadNullTerminated,
        Kind::ReadNullTerminatedVec,
        Kind::ReadCstr,
        Kind::ReadCstring,
        Kind::GetAsCstr,
        Kind::GetAsStr,
        Kind::WithCstr,
        Kind::WithStr,
    ];
    for (elem, size) in [
        (Elem::U8, 1),
        (Elem::U16, 2),
        (Elem::Bytes3, 3),
        (Elem::U64, 8),
    ] {
        for start in [0, 1, 4096 - 8, 4095] {
            for len in [
                0,
                1,
                4094 / size,
                4095 / size,
                4096 / size,
                4097 / size,
                4095,
                4096,
            ] {
                // Three read-write pages, then a hole.
                let mut env = common::harness::Env::new(&[rw_page(), rw_page(), rw_page()]);
                let addr = env.base() + start;
                let data = vec![b'a'; len * size];
                if addr + data.len() + size > env.base() + 3 * 4096 {
                    continue;
                }
                env.poke(addr, &data);
                let byte_kinds = if size == 1 { kinds.len() } else { 4 };
                for &kind in &kinds[..byte_kinds] {
                    for limit in [len, len + 1] {
                        let op = Op {
                            kind,
                            elem,
                            ptr: Ptr::Const,
                            addr: Addr::Raw(addr),
                            len: Len::Raw(limit),
                            seed: 0,
                        };
                        if let Err(e) = env.run_op(&op) {
                            panic!("start {start}, {len} elements of {size} bytes: {op:?}: {e}");
                        }
                    }
                }
            }
        }
    }
}

/// The minimal cases proptest found, replayed (both fixed in `check.rs`;
/// `tests/validation.rs` pins the behaviour through the public API).
mod regressions {
    use super::*;
    use common::harness::run;

    fn one_page(op: Op) -> Case {
        Case {
            space: vec![PageSpec::Mapped {
                flags: 0b011,
                lazy: false,
                fill: Fill::Zero,
            }],
            ops: vec![op],
        }
    }

    #[test]
    fn terminator_before_an_element_straddling_into_a_hole() {
        // A zero [u8; 3] four bytes before the end of the only page; the
        // next element straddles into the page after the space.
        let case = one_page(Op {
            kind: Kind::GetAsNullTerminated,
            elem: Elem::Bytes3,
            ptr: Ptr::Mut,
            addr: Addr::PageEnd { page: 1, back: 4 },
            len: Len::Small(0),
            seed: 0,
        });
        run(&case).unwrap();
    }

    #[test]
    fn zero_limit_for_zero_sized_elements() {
        let case = one_page(Op {
            kind: Kind::ReadNullTerminated,
            elem: Elem::Unit,
            ptr: Ptr::Mut,
            addr: Addr::Space { page: 1, offset: 0 },
            len: Len::Small(0),
            seed: 0,
        });
        run(&case).unwrap();
    }
}
