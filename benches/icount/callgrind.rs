//! Reading callgrind's per-instruction counts (`--dump-instr=yes
//! --dump-line=no`), and counting each `rep`-prefixed string instruction
//! once per execution.
//!
//! Valgrind runs a `rep movsb` one iteration at a time and counts every
//! iteration (plus one for the final check of `rcx`) as an executed
//! instruction, so a 4 KiB copy through `rep movsb` "costs" 4,097
//! instructions while the same copy through a vector loop costs a few
//! hundred. The CPU retires `rep movsb` as one instruction whose time grows
//! slowly with the length. Both counts are reported: callgrind's, and the
//! architectural one, in which each execution of a `rep` string
//! instruction counts once. An execution ends by falling through to the
//! next instruction, so the executions of a `rep` instruction are the
//! count of the instruction after it (an overestimate only if something
//! else jumps there; it is capped by the `rep` instruction's own count).

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
};

/// The counts of one callgrind dump.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Instructions as callgrind counts them (every `rep` iteration).
    pub valgrind: u64,
    /// Instructions with each `rep` string instruction counted once per
    /// execution.
    pub architectural: u64,
}

/// Reads a dump and counts its instructions both ways.
pub fn counts(file: &Path) -> Result<Counts, String> {
    let text = std::fs::read_to_string(file).map_err(|err| format!("{}: {err}", file.display()))?;
    let dump = parse(&text).map_err(|err| format!("{}: {err}", file.display()))?;
    let valgrind: u64 = dump.costs.values().sum();
    if let Some(total) = dump.total
        && total != valgrind
    {
        return Err(format!(
            "{}: the instructions add up to {valgrind}, the file says {total}",
            file.display()
        ));
    }
    let mut architectural = valgrind;
    let mut objects: HashMap<usize, Option<Elf>> = HashMap::new();
    for (&(object, addr), &count) in &dump.costs {
        let elf = objects.entry(object).or_insert_with(|| {
            let path = dump.objects.get(&object)?;
            Elf::read(path)
        });
        let Some(len) = elf.as_ref().and_then(|elf| rep_string_len(elf, addr)) else {
            continue;
        };
        let executions = dump
            .costs
            .get(&(object, addr + len))
            .copied()
            .unwrap_or(0)
            .min(count);
        architectural -= count - executions;
    }
    Ok(Counts {
        valgrind,
        architectural,
    })
}

/// The self cost of each instruction, by object and address.
struct Dump {
    costs: HashMap<(usize, u64), u64>,
    objects: HashMap<usize, PathBuf>,
    total: Option<u64>,
}

/// Parses the subset of the callgrind format that `--dump-instr=yes
/// --dump-line=no` with the single event `Ir` produces.
fn parse(text: &str) -> Result<Dump, String> {
    let mut dump = Dump {
        costs: HashMap::new(),
        objects: HashMap::new(),
        total: None,
    };
    let mut object = 0;
    let mut position = 0u64;
    // The cost line after `calls=` is the inclusive cost of the call.
    let mut call_cost = false;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("ob=") {
            object = name_id(rest, &mut dump.objects)?;
        } else if let Some(rest) = line.strip_prefix("cob=") {
            // A called object: its name may be defined here.
            name_id(rest, &mut dump.objects)?;
        } else if let Some(rest) = line.strip_prefix("totals:") {
            dump.total = Some(rest.trim().parse().map_err(|_| format!("bad {line:?}"))?);
        } else if line.starts_with("calls=") {
            call_cost = true;
        } else if line.starts_with(|c: char| c.is_ascii_digit() || "+-*".contains(c)) {
            let mut fields = line.split_whitespace();
            let (Some(pos), Some(cost)) = (fields.next(), fields.next()) else {
                return Err(format!("unexpected cost line {line:?}"));
            };
            position = parse_position(pos, position)?;
            let cost: u64 = cost
                .parse()
                .map_err(|_| format!("unexpected cost in {line:?}"))?;
            if !std::mem::take(&mut call_cost) {
                *dump.costs.entry((object, position)).or_default() += cost;
            }
        }
    }
    Ok(dump)
}

/// `(id) name` or `(id)`: the id, recording the name on first use.
fn name_id(field: &str, names: &mut HashMap<usize, PathBuf>) -> Result<usize, String> {
    let field = field.trim();
    let Some(rest) = field.strip_prefix('(') else {
        return Err(format!("uncompressed name {field:?}"));
    };
    let (id, name) = rest
        .split_once(')')
        .ok_or_else(|| format!("bad name {field:?}"))?;
    let id = id.parse().map_err(|_| format!("bad name id {field:?}"))?;
    let name = name.trim();
    if !name.is_empty() {
        names.insert(id, PathBuf::from(name));
    }
    Ok(id)
}

/// An instruction address: absolute (`0x…`), relative (`+n`, `-n`) or the
/// same (`*`).
fn parse_position(field: &str, previous: u64) -> Result<u64, String> {
    let bad = || format!("bad position {field:?}");
    if field == "*" {
        Ok(previous)
    } else if let Some(hex) = field.strip_prefix("0x") {
        u64::from_str_radix(hex, 16).map_err(|_| bad())
    } else if let Some(delta) = field.strip_prefix('+') {
        previous
            .checked_add(delta.parse().map_err(|_| bad())?)
            .ok_or_else(bad)
    } else if let Some(delta) = field.strip_prefix('-') {
        previous
            .checked_sub(delta.parse().map_err(|_| bad())?)
            .ok_or_else(bad)
    } else {
        field.parse().map_err(|_| bad())
    }
}

/// The loadable segments of an x86_64 ELF file, to read instruction bytes
/// at the addresses callgrind reports (the file's virtual addresses).
struct Elf {
    bytes: Vec<u8>,
    /// `(vaddr, offset, filesz)` of each `PT_LOAD`.
    segments: Vec<(u64, u64, u64)>,
}

impl Elf {
    fn read(path: &Path) -> Option<Self> {
        let bytes = std::fs::read(path).ok()?;
        // 64-bit, little-endian.
        if bytes.get(..6)? != b"\x7fELF\x02\x01" {
            return None;
        }
        let u16_at = |at: usize| Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?));
        let u32_at = |at: usize| Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?));
        let u64_at = |at: usize| Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?));
        let phoff = usize::try_from(u64_at(0x20)?).ok()?;
        let phentsize = usize::from(u16_at(0x36)?);
        let phnum = usize::from(u16_at(0x38)?);
        let mut segments = Vec::new();
        for index in 0..phnum {
            let header = phoff.checked_add(index.checked_mul(phentsize)?)?;
            const PT_LOAD: u32 = 1;
            if u32_at(header)? == PT_LOAD {
                segments.push((
                    u64_at(header + 16)?,
                    u64_at(header + 8)?,
                    u64_at(header + 32)?,
                ));
            }
        }
        Some(Self { bytes, segments })
    }

    /// Up to `len` bytes of the file at virtual address `addr`.
    fn at(&self, addr: u64, len: usize) -> Option<&[u8]> {
        let &(vaddr, offset, size) = self
            .segments
            .iter()
            .find(|&&(vaddr, _, size)| addr >= vaddr && addr - vaddr < size)?;
        let start = usize::try_from(offset.checked_add(addr - vaddr)?).ok()?;
        let end = usize::try_from(offset.checked_add(size)?).ok()?;
        self.bytes.get(start..end.min(start.saturating_add(len)))
    }
}

/// The length of the instruction at `addr` if it is a `rep`/`repne`
/// string instruction (`movs`, `stos`, `cmps`, `scas`, `lods`, `ins`,
/// `outs`).
fn rep_string_len(elf: &Elf, addr: u64) -> Option<u64> {
    let bytes = elf.at(addr, 6)?;
    let mut rep = false;
    for (index, &byte) in bytes.iter().enumerate() {
        match byte {
            0xf3 | 0xf2 => rep = true,
            // Operand/address size, segment and REX prefixes.
            0x66 | 0x67 | 0x2e | 0x36 | 0x3e | 0x26 | 0x64 | 0x65 | 0x40..=0x4f => {}
            0xa4..=0xa7 | 0xaa..=0xaf | 0x6c..=0x6f if rep => return Some(index as u64 + 1),
            _ => return None,
        }
    }
    None
}
