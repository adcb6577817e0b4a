//! The few things this kernel reads from the flattened device tree: the
//! command line (`/chosen/bootargs`, from QEMU's `-append`) and, on
//! aarch64, how to call PSCI (`/psci/method`). x86_64 boots without one
//! (its command line comes from the PVH start info).

/// The device tree blob header magic.
const FDT_MAGIC: u32 = 0xd00d_feed;
const FDT_BEGIN_NODE: u32 = 1;
const FDT_END_NODE: u32 = 2;
const FDT_PROP: u32 = 3;
const FDT_NOP: u32 = 4;
const FDT_END: u32 = 9;

/// The device tree blob at `dtb`, if there is one.
///
/// # Safety
///
/// `dtb` must be 0 or the address of memory that is readable for 8 bytes
/// and, if it holds a device tree blob, for its total size; the memory must
/// stay unchanged for `'a` (as the blob the firmware or QEMU passes at boot,
/// which the kernel never allocates over).
pub unsafe fn blob<'a>(dtb: usize) -> Option<&'a [u8]> {
    let header = dtb as *const [u8; 8];
    if header.is_null() {
        return None;
    }
    // SAFETY: readable for 8 bytes (caller).
    let header = unsafe { header.read() };
    let magic = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
    let total = u32::from_be_bytes([header[4], header[5], header[6], header[7]]) as usize;
    if magic != FDT_MAGIC {
        return None;
    }
    // SAFETY: a blob of `total` bytes, unchanged for `'a` (caller).
    Some(unsafe { core::slice::from_raw_parts(dtb as *const u8, total) })
}

/// The kernel command line (`/chosen/bootargs`), if the blob has one.
pub fn bootargs(blob: Option<&[u8]>) -> Option<&str> {
    blob.and_then(|blob| property(blob, b"chosen", b"bootargs"))
        .and_then(|value| core::str::from_utf8(value).ok())
}

/// The value of property `prop` of the root's child node `node` (its name
/// up to any `@unit`), without a trailing NUL.
pub fn property<'a>(blob: &'a [u8], node: &[u8], prop: &[u8]) -> Option<&'a [u8]> {
    let structs = be32(blob, 8)? as usize;
    let strings = be32(blob, 12)? as usize;
    let mut at = structs;
    let mut depth = 0usize;
    let mut in_node = false;
    loop {
        let token = be32(blob, at)?;
        at += 4;
        match token {
            FDT_BEGIN_NODE => {
                let name = cstr_at(blob, at)?;
                at += (name.len() + 1).next_multiple_of(4);
                depth += 1;
                if depth == 2 {
                    let base = name.split(|&b| b == b'@').next().unwrap_or(name);
                    in_node = base == node;
                }
            }
            FDT_END_NODE => {
                if depth == 2 {
                    in_node = false;
                }
                depth = depth.checked_sub(1)?;
            }
            FDT_PROP => {
                let len = be32(blob, at)? as usize;
                let name_offset = be32(blob, at + 4)? as usize;
                let value = blob.get(at + 8..at + 8 + len)?;
                at += 8 + len.next_multiple_of(4);
                if in_node && depth == 2 && cstr_at(blob, strings + name_offset)? == prop {
                    return Some(value.strip_suffix(&[0]).unwrap_or(value));
                }
            }
            FDT_NOP => {}
            FDT_END => return None,
            _ => return None,
        }
    }
}

fn be32(blob: &[u8], at: usize) -> Option<u32> {
    let bytes = blob.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
}

fn cstr_at(blob: &[u8], at: usize) -> Option<&[u8]> {
    let rest = blob.get(at..)?;
    let len = rest.iter().position(|&b| b == 0)?;
    Some(&rest[..len])
}
