//! The kernel command line (`/chosen/bootargs`), read from the flattened
//! device tree that OpenSBI passes in `a1`. QEMU fills it from `-append`.

/// The device tree blob header magic.
const FDT_MAGIC: u32 = 0xd00d_feed;
const FDT_BEGIN_NODE: u32 = 1;
const FDT_END_NODE: u32 = 2;
const FDT_PROP: u32 = 3;
const FDT_NOP: u32 = 4;
const FDT_END: u32 = 9;

/// Whether the command line in the device tree at `dtb` has the word
/// `arg`.
///
/// # Safety
///
/// `dtb` must be 0 or the address of a device tree blob that is readable
/// and unchanged during the call (as the one the firmware passes at boot,
/// before the kernel allocates memory).
pub unsafe fn has_bootarg(dtb: usize, arg: &str) -> bool {
    let header = dtb as *const [u8; 8];
    if header.is_null() {
        return false;
    }
    // SAFETY: the caller guarantees a device tree blob at `dtb`; its first
    // 8 bytes are the magic and the total size.
    let header = unsafe { header.read() };
    let magic = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
    let total = u32::from_be_bytes([header[4], header[5], header[6], header[7]]) as usize;
    if magic != FDT_MAGIC {
        return false;
    }
    // SAFETY: the blob is `total` bytes long and unchanged during the call
    // (caller); the slice does not outlive it.
    let blob = unsafe { core::slice::from_raw_parts(dtb as *const u8, total) };
    find_bootargs(blob).is_some_and(|args| args.split(' ').any(|word| word == arg))
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

fn find_bootargs(blob: &[u8]) -> Option<&str> {
    let structs = be32(blob, 8)? as usize;
    let strings = be32(blob, 12)? as usize;
    let mut at = structs;
    let mut depth = 0usize;
    let mut in_chosen = false;
    loop {
        let token = be32(blob, at)?;
        at += 4;
        match token {
            FDT_BEGIN_NODE => {
                let name = cstr_at(blob, at)?;
                at += (name.len() + 1).next_multiple_of(4);
                depth += 1;
                if depth == 2 {
                    in_chosen = name == b"chosen";
                }
            }
            FDT_END_NODE => {
                if depth == 2 {
                    in_chosen = false;
                }
                depth = depth.checked_sub(1)?;
            }
            FDT_PROP => {
                let len = be32(blob, at)? as usize;
                let name_offset = be32(blob, at + 4)? as usize;
                let value = blob.get(at + 8..at + 8 + len)?;
                at += 8 + len.next_multiple_of(4);
                if in_chosen && depth == 2 && cstr_at(blob, strings + name_offset)? == b"bootargs" {
                    let value = value.strip_suffix(&[0]).unwrap_or(value);
                    return core::str::from_utf8(value).ok();
                }
            }
            FDT_NOP => {}
            FDT_END => return None,
            _ => return None,
        }
    }
}
