//! `AddrSpace` is an `unsafe trait`: a safe impl that answers `true` for
//! every range would let safe code write kernel memory through a
//! `UserPtr` (a kernel `String`'s heap buffer, address 0x10, ...).

use axptr::{AddrSpace, LinuxResult, MappingFlags, VirtAddr, VirtAddrRange};

struct Liar;

impl AddrSpace for Liar {
    fn check_region_access(&self, _: VirtAddrRange, _: MappingFlags) -> bool {
        true
    }
    fn populate_area(&mut self, _: VirtAddr, _: usize, _: MappingFlags) -> LinuxResult<()> {
        Ok(())
    }
    fn user_range(&self) -> VirtAddrRange {
        VirtAddrRange::new(VirtAddr::from(0), VirtAddr::from(usize::MAX))
    }
}

fn main() {
    let secret = String::from("kernel data");
    let _ = axptr::UserPtr::<u8>::from(secret.as_ptr() as usize).write(&mut Liar, b'X');
}
