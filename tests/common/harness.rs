//! Random address spaces and requests, run against both the implementation
//! (on [`HeapSpace`]) and the reference [`Model`], with every answer
//! compared: the `Ok`/errno, the data read, the bytes written, which lazy
//! pages got populated, and the fault flag afterwards.
//!
//! The case types are plain data, so that proptest strategies
//! (`tests/model.rs`) and `arbitrary` (the fuzz targets, built with
//! `--cfg fuzzing`) can both produce them. Numbers that name a place or a
//! size are kept symbolic ([`Addr`], [`Len`]) and resolved against the
//! space at run time, so that random inputs hit page boundaries, the ends
//! of the address space and overflowing lengths often.

use core::ffi::{CStr, c_char};
use std::{
    cell::OnceCell,
    fmt::Debug,
    ops::Range,
    slice::{from_mut, from_ref},
};

use axptr::{
    LinuxError, MappingFlags, UserConstPtr, UserCopy, UserPtr, check_region, check_zeroed_user,
    clear_user, is_accessing_user_memory,
    strings::{ArgLimits, Limit, MAX_ARG_STRINGS, MAX_ARG_STRLEN},
    testing::HeapSpace,
};

use super::model::{Access, Layout, Model, ModelPage, PAGE, PATH_MAX, Verdict};

/// At most this many pages in a space.
pub const MAX_PAGES: usize = 8;
/// At most this many requests per case.
pub const MAX_OPS: usize = 8;
/// Kernel buffers (copy API) are at most this many bytes.
const MAX_BUF: usize = (MAX_PAGES + 2) * PAGE;

/// An address space and a sequence of requests on it.
#[cfg_attr(fuzzing, derive(arbitrary::Arbitrary))]
#[derive(Clone, Debug)]
pub struct Case {
    /// The pages of the space, in order (at most [`MAX_PAGES`] are used).
    pub space: Vec<PageSpec>,
    /// The requests (at most [`MAX_OPS`] are run).
    pub ops: Vec<Op>,
}

/// One page of the space.
#[cfg_attr(fuzzing, derive(arbitrary::Arbitrary))]
#[derive(Clone, Debug)]
pub enum PageSpec {
    /// A hole.
    Unmapped,
    /// Mapped with `flags` (bit 0 READ, 1 WRITE, 2 EXECUTE); a lazy page
    /// is not present and reads as zeroes once populated.
    Mapped {
        /// Permission bits.
        flags: u8,
        /// Populated only on demand.
        lazy: bool,
        /// Contents of a page that is present from the start.
        fill: Fill,
    },
}

/// Contents of a present page.
#[cfg_attr(fuzzing, derive(arbitrary::Arbitrary))]
#[derive(Clone, Debug)]
pub enum Fill {
    /// All zeroes.
    Zero,
    /// Non-zero bytes from `seed` (printable ASCII if `ascii`), with runs of
    /// zeroes at `(offset, length)`: the terminators.
    Text {
        /// Seed of the bytes.
        seed: u64,
        /// Only printable ASCII (valid UTF-8).
        ascii: bool,
        /// Runs of zero bytes.
        zeros: Vec<(u16, u8)>,
    },
}

/// A user address, relative to the space where that matters.
#[cfg_attr(fuzzing, derive(arbitrary::Arbitrary))]
#[derive(Clone, Copy, Debug)]
pub enum Addr {
    /// `offset` into page `page` of the space, counting from the page
    /// before the space to the page after it.
    Space {
        /// Page index (modulo the pages around the space).
        page: u8,
        /// Offset in the page (modulo the page size).
        offset: u16,
    },
    /// `back` bytes before the end of a page (as in `Space`).
    PageEnd {
        /// Page index (modulo the pages around the space).
        page: u8,
        /// Bytes before the next page boundary.
        back: u8,
    },
    /// `back` bytes before the start of the `nth` run of zero bytes that
    /// follows a non-zero byte: a string of `back` bytes, for limits.
    BeforeZero {
        /// Which run (modulo their number).
        nth: u8,
        /// Bytes before it.
        back: u16,
    },
    /// Near null.
    Low(u16),
    /// This far below `usize::MAX`.
    High(u16),
    /// Anything.
    Raw(usize),
}

/// A count of elements, possibly hostile.
#[cfg_attr(fuzzing, derive(arbitrary::Arbitrary))]
#[derive(Clone, Copy, Debug)]
pub enum Len {
    /// A few elements.
    Small(u8),
    /// As many elements as fit in this many bytes.
    Bytes(u16),
    /// Anything.
    Raw(usize),
    /// Around the count whose size in bytes passes `isize::MAX`.
    NearIsizeMax(i8),
    /// Around the count whose size in bytes overflows `usize`.
    NearUsizeMax(i8),
}

/// The element type of a request.
#[cfg_attr(fuzzing, derive(arbitrary::Arbitrary))]
#[derive(Clone, Copy, Debug)]
pub enum Elem {
    /// `u8`
    U8,
    /// `u16`
    U16,
    /// `u32`
    U32,
    /// `u64`
    U64,
    /// `u128` (alignment 16)
    U128,
    /// `[u8; 3]`: odd size, alignment 1
    Bytes3,
    /// `[u16; 3]`: size not a power of two
    Words3,
    /// `()`: zero-sized
    Unit,
    /// `[u64; 0]`: zero-sized but aligned
    Empty8,
    /// `[u8; 5000]`: larger than a page
    Big,
}

/// Which pointer type makes the request.
#[cfg_attr(fuzzing, derive(arbitrary::Arbitrary))]
#[derive(Clone, Copy, Debug)]
pub enum Ptr {
    /// `UserPtr` (reference API needs READ | WRITE).
    Mut,
    /// `UserConstPtr` (reference API needs READ).
    Const,
}

/// The API called.
#[cfg_attr(fuzzing, derive(arbitrary::Arbitrary))]
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// `read`
    Read,
    /// `write` (`UserPtr` only)
    Write,
    /// `read_slice` of `len` elements
    ReadSlice,
    /// `write_slice` of `len` elements (`UserPtr` only)
    WriteSlice,
    /// `get`
    Get,
    /// `get_as_slice(len)`
    GetAsSlice,
    /// `get_as_null_terminated`
    GetAsNullTerminated,
    /// `read_null_terminated` into a buffer of `len` elements
    ReadNullTerminated,
    /// `read_null_terminated_vec(len)`
    ReadNullTerminatedVec,
    /// `read_cstr` into a buffer of `len` bytes (`c_char`)
    ReadCstr,
    /// `read_cstring(len)` (`c_char`)
    ReadCstring,
    /// `get_as_cstr` (`c_char`)
    GetAsCstr,
    /// `get_as_str` (`c_char`)
    GetAsStr,
    /// `with`: `get` scoped to a closure
    With,
    /// `with_slice(len)`
    WithSlice,
    /// `with_null_terminated`
    WithNullTerminated,
    /// `with_cstr` (`c_char`)
    WithCstr,
    /// `with_str` (`c_char`)
    WithStr,
    /// `check_region(addr, len bytes, flags)`
    CheckRegion,
    /// `read_slice_partial` of `len` elements
    ReadSlicePartial,
    /// `write_slice_partial` of `len` elements (`UserPtr` only)
    WriteSlicePartial,
    /// a `UserReader` over `len` bytes, read in chunks of `1 + seed % 700`
    CursorRead,
    /// a `UserWriter` over `len` bytes, written in chunks of `1 + seed % 700`
    CursorWrite,
    /// `clear_user(addr, len bytes)` (`UserPtr<u8>`)
    ClearUser,
    /// `check_zeroed_user(addr, len bytes)`
    CheckZeroedUser,
    /// `read_extensible(user size = len bytes)`: the kernel size is the
    /// element's
    ReadExtensible,
    /// `write_extensible(value from seed, user size = len bytes)`
    /// (`UserPtr` only)
    WriteExtensible,
    /// `read_cstring_limited(Limit::new(len, err))`, the error chosen by
    /// `seed` (`c_char`)
    ReadCstringLimited,
    /// `read_arg_strings` with a stack budget of `len` bytes; when `seed`
    /// is odd, an array of pointers to strings of the space is first
    /// written at `addr` (where it is mapped)
    ReadArgStrings,
}

/// One request. Fields a kind does not use are ignored.
#[cfg_attr(fuzzing, derive(arbitrary::Arbitrary))]
#[derive(Clone, Copy, Debug)]
pub struct Op {
    /// The API.
    pub kind: Kind,
    /// The element type.
    pub elem: Elem,
    /// The pointer type.
    pub ptr: Ptr,
    /// The user address.
    pub addr: Addr,
    /// Length, buffer size or limit.
    pub len: Len,
    /// Seed of the data written; permission bits for `CheckRegion`.
    pub seed: u64,
}

/// Runs `case` on a fresh space and the model; `Err` describes the first
/// disagreement.
pub fn run(case: &Case) -> Result<(), String> {
    let mut env = Env::new(&case.space);
    for (index, op) in case.ops.iter().take(MAX_OPS).enumerate() {
        env.run_op(op)
            .map_err(|e| format!("request {index} {op:?}: {e}"))?;
    }
    env.compare_memory()
        .map_err(|e| format!("after all requests: {e}"))
}

/// Element types of requests: `UserCopy`, convertible to and from bytes
/// without `unsafe`.
pub trait Element: UserCopy + Debug + 'static {
    /// The value with these bytes (`bytes.len() == size_of::<Self>()`).
    fn from_bytes(bytes: &[u8]) -> Self;
    /// The bytes of the value.
    fn to_bytes(&self) -> Vec<u8>;
}

macro_rules! int_element {
    ($($t:ty),*) => {$(
        impl Element for $t {
            fn from_bytes(bytes: &[u8]) -> Self {
                <$t>::from_ne_bytes(bytes.try_into().expect("element size"))
            }
            fn to_bytes(&self) -> Vec<u8> {
                self.to_ne_bytes().to_vec()
            }
        }
    )*};
}
int_element!(u8, u16, u32, u64, u128);

impl<const N: usize> Element for [u8; N] {
    fn from_bytes(bytes: &[u8]) -> Self {
        bytes.try_into().expect("element size")
    }
    fn to_bytes(&self) -> Vec<u8> {
        self.to_vec()
    }
}

impl Element for [u16; 3] {
    fn from_bytes(bytes: &[u8]) -> Self {
        std::array::from_fn(|i| u16::from_ne_bytes([bytes[2 * i], bytes[2 * i + 1]]))
    }
    fn to_bytes(&self) -> Vec<u8> {
        self.iter().flat_map(|w| w.to_ne_bytes()).collect()
    }
}

impl Element for () {
    fn from_bytes(_: &[u8]) -> Self {}
    fn to_bytes(&self) -> Vec<u8> {
        Vec::new()
    }
}

impl Element for [u64; 0] {
    fn from_bytes(_: &[u8]) -> Self {
        []
    }
    fn to_bytes(&self) -> Vec<u8> {
        Vec::new()
    }
}

/// Pseudo-random bytes from `seed` (xorshift64*).
pub fn pattern(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8
        })
        .collect()
}

fn flags_from_bits(bits: u64) -> MappingFlags {
    let mut flags = MappingFlags::empty();
    for (bit, flag) in [
        MappingFlags::READ,
        MappingFlags::WRITE,
        MappingFlags::EXECUTE,
    ]
    .into_iter()
    .enumerate()
    {
        if bits & (1 << bit) != 0 {
            flags |= flag;
        }
    }
    flags
}

const READ: MappingFlags = MappingFlags::READ;
const WRITE: MappingFlags = MappingFlags::WRITE;

fn copy(flags: MappingFlags) -> Access {
    Access {
        flags,
        reference: false,
    }
}

/// The reference API lends `&mut` through `UserPtr` (needs READ | WRITE)
/// and `&` through `UserConstPtr` (needs READ). C strings are lent shared.
fn reference(ptr: Ptr) -> Access {
    let flags = match ptr {
        Ptr::Mut => READ | WRITE,
        Ptr::Const => READ,
    };
    Access {
        flags,
        reference: true,
    }
}

fn layout_of<T>() -> Layout {
    Layout {
        size: size_of::<T>(),
        align: align_of::<T>(),
    }
}

/// The space under test and the model of it.
pub struct Env {
    space: HeapSpace,
    model: Model,
    pages: usize,
    /// Where the runs of zero bytes that follow a non-zero byte start in
    /// the initial contents ([`Addr::BeforeZero`]), found on first use.
    zero_runs: OnceCell<Vec<usize>>,
}

impl Env {
    /// Builds the space of `spec` (at most [`MAX_PAGES`] pages; an empty
    /// spec is one hole).
    pub fn new(spec: &[PageSpec]) -> Self {
        let spec = &spec[..spec.len().min(MAX_PAGES)];
        let pages = spec.len().max(1);
        let mut space = HeapSpace::new(pages);
        let mut model = Model {
            user_end: space.end() as u128,
            ..Model::default()
        };
        let base = space.base();
        for (index, page) in spec.iter().enumerate() {
            let PageSpec::Mapped { flags, lazy, fill } = page else {
                continue;
            };
            let addr = base + index * PAGE;
            let flags = flags_from_bits(u64::from(*flags));
            let bytes = if *lazy {
                space.map_lazy(addr, PAGE, flags);
                vec![0; PAGE]
            } else {
                space.map(addr, PAGE, flags);
                let bytes = fill_bytes(fill);
                space.poke(addr, &bytes);
                bytes
            };
            model
                .pages
                .insert((addr / PAGE) as u128, ModelPage { flags, bytes });
        }
        Self {
            space,
            model,
            pages,
            zero_runs: OnceCell::new(),
        }
    }

    /// The first address of the space.
    pub fn base(&self) -> usize {
        self.space.base()
    }

    /// Writes `bytes` at `addr` in both the space and the model (set-up;
    /// the pages must be mapped and present).
    pub fn poke(&mut self, addr: usize, bytes: &[u8]) {
        self.space.poke(addr, bytes);
        self.model.write(addr, bytes);
    }

    /// The space under test (for `#[syscall]` contexts).
    pub fn space_mut(&mut self) -> &mut HeapSpace {
        &mut self.space
    }

    /// The model of the space, to apply what a request is expected to do.
    pub fn model_mut(&mut self) -> &mut Model {
        &mut self.model
    }

    /// The concrete address of a symbolic one.
    pub fn addr(&self, addr: Addr) -> usize {
        let around = self.pages + 2;
        let page_start = |page: u8| {
            let index = usize::from(page) % around;
            // From the page before the space to the page after it.
            self.space.base() - PAGE + index * PAGE
        };
        match addr {
            Addr::Space { page, offset } => page_start(page) + usize::from(offset) % PAGE,
            Addr::PageEnd { page, back } => page_start(page) + PAGE - usize::from(back),
            Addr::BeforeZero { nth, back } => {
                let runs = self.zero_runs.get_or_init(|| zero_runs(&self.model));
                let at = match runs.len() {
                    0 => self.space.base(),
                    n => runs[usize::from(nth) % n],
                };
                at.wrapping_sub(usize::from(back))
            }
            Addr::Low(v) => usize::from(v),
            Addr::High(v) => usize::MAX - usize::from(v),
            Addr::Raw(v) => v,
        }
    }

    /// Runs one request on both sides and compares.
    pub fn run_op(&mut self, op: &Op) -> Result<(), String> {
        let addr = self.addr(op.addr);
        let present_before = self.presence();
        let (needed, reach, ok) = match op.elem {
            Elem::U8 => self.run_typed::<u8>(op, addr),
            Elem::U16 => self.run_typed::<u16>(op, addr),
            Elem::U32 => self.run_typed::<u32>(op, addr),
            Elem::U64 => self.run_typed::<u64>(op, addr),
            Elem::U128 => self.run_typed::<u128>(op, addr),
            Elem::Bytes3 => self.run_typed::<[u8; 3]>(op, addr),
            Elem::Words3 => self.run_typed::<[u16; 3]>(op, addr),
            Elem::Unit => self.run_typed::<()>(op, addr),
            Elem::Empty8 => self.run_typed::<[u64; 0]>(op, addr),
            Elem::Big => self.run_typed::<[u8; 5000]>(op, addr),
        }?;
        if is_accessing_user_memory() {
            return Err("the fault flag is still set".into());
        }
        self.compare_presence(&present_before, &needed, &reach, ok)?;
        if matches!(
            (op.kind, op.ptr),
            (
                Kind::Write
                    | Kind::WriteSlice
                    | Kind::WriteSlicePartial
                    | Kind::CursorWrite
                    | Kind::ClearUser
                    | Kind::WriteExtensible
                    | Kind::ReadArgStrings,
                _
            ) | (
                Kind::Get
                    | Kind::GetAsSlice
                    | Kind::GetAsNullTerminated
                    | Kind::With
                    | Kind::WithSlice
                    | Kind::WithNullTerminated,
                Ptr::Mut
            )
        ) {
            self.compare_memory()?;
        }
        Ok(())
    }

    /// Runs `op` with element type `T`; returns the verdict's population
    /// bounds and whether it was `Ok`.
    fn run_typed<T: Element>(&mut self, op: &Op, addr: usize) -> Result<Footprint, String> {
        let layout = layout_of::<T>();
        let size = layout.size;
        let count = resolve(op.len, size);
        // A kernel buffer (copy API) must exist: bound its size. A
        // zero-sized buffer of any length costs nothing.
        let cap = MAX_BUF / size.max(1);
        let buf_count = if count <= cap {
            count
        } else {
            count % (cap + 1)
        };
        let space = &mut self.space;
        let model = &mut self.model;
        macro_rules! both {
            ($ptr:expr, |$p:ident| $call:expr) => {
                match $ptr {
                    Ptr::Mut => {
                        let $p = UserPtr::<T>::from(addr);
                        $call
                    }
                    Ptr::Const => {
                        let $p = UserConstPtr::<T>::from(addr);
                        $call
                    }
                }
            };
        }
        match op.kind {
            Kind::Read => {
                let v = model.region(addr, 1, layout, copy(READ));
                let got = both!(op.ptr, |p| p.read(space)).map(|t| t.to_bytes());
                same(&v, &got, |()| model.bytes(addr, size))?;
                Ok(summary(&v))
            }
            Kind::ReadSlice => {
                let v = model.region(addr, buf_count, layout, copy(READ));
                let mut buf: Vec<T> = (0..buf_count)
                    .map(|_| T::from_bytes(&vec![0; size]))
                    .collect();
                let got = both!(op.ptr, |p| p.read_slice(space, &mut buf)).map(|()| bytes_of(&buf));
                same(&v, &got, |()| model.bytes(addr, buf_count * size))?;
                Ok(summary(&v))
            }
            Kind::Write | Kind::WriteSlice => {
                let n = if matches!(op.kind, Kind::Write) {
                    1
                } else {
                    buf_count
                };
                let data = pattern(op.seed, n * size);
                let v = model.region(addr, n, layout, copy(WRITE));
                let p = UserPtr::<T>::from(addr);
                let got = if matches!(op.kind, Kind::Write) {
                    p.write(space, T::from_bytes(&data))
                } else {
                    let src: Vec<T> = elements(&data, n, size);
                    p.write_slice(space, &src)
                };
                same(&v, &got, |()| ())?;
                if got.is_ok() {
                    model.write(addr, &data);
                }
                Ok(summary(&v))
            }
            Kind::Get | Kind::GetAsSlice | Kind::With | Kind::WithSlice => {
                let n = if matches!(op.kind, Kind::Get | Kind::With) {
                    1
                } else {
                    count
                };
                let v = model.region(addr, n, layout, reference(op.ptr));
                // Computed before the call: a `UserPtr` request overwrites the data.
                let expected = v.result.map(|()| model.bytes(addr, n * size));
                let want = |()| expected.clone().unwrap_or_default();
                match op.ptr {
                    Ptr::Const => {
                        let p = UserConstPtr::<T>::from(addr);
                        // SAFETY: the harness is single-threaded and makes one
                        // reference at a time; nothing else reaches the space
                        // while it lives.
                        let got = unsafe {
                            match op.kind {
                                Kind::Get => p.get(space).map(|v| lent(from_ref(v), addr, n)),
                                Kind::GetAsSlice => {
                                    p.get_as_slice(space, n).map(|s| lent(s, addr, n))
                                }
                                Kind::With => {
                                    p.with(space, |v| in_window(|| lent(from_ref(v), addr, n)))
                                }
                                _ => p.with_slice(space, n, |s| in_window(|| lent(s, addr, n))),
                            }
                        };
                        same(&v, &settle(got)?, want)?;
                    }
                    Ptr::Mut => {
                        let p = UserPtr::<T>::from(addr);
                        let seed = op.seed;
                        // SAFETY: the harness is single-threaded and makes one
                        // reference at a time; nothing else reaches the space
                        // while it lives.
                        let got = unsafe {
                            match op.kind {
                                Kind::Get => p
                                    .get(space)
                                    .map(|v| overwrite(from_mut(v), seed, model, addr)),
                                Kind::GetAsSlice => p
                                    .get_as_slice(space, n)
                                    .map(|s| overwrite(s, seed, model, addr)),
                                Kind::With => p.with(space, |v| {
                                    in_window(|| overwrite(from_mut(v), seed, model, addr))
                                }),
                                _ => p.with_slice(space, n, |s| {
                                    in_window(|| overwrite(s, seed, model, addr))
                                }),
                            }
                        };
                        same(&v, &settle(got)?, want)?;
                    }
                }
                Ok(summary(&v))
            }
            Kind::GetAsNullTerminated | Kind::WithNullTerminated => {
                let v = model.null_terminated(addr, layout, reference(op.ptr), PATH_MAX);
                let expected = v.result.map(|n| model.bytes(addr, n * size));
                let want = |_| expected.clone().unwrap_or_default();
                let scoped = matches!(op.kind, Kind::WithNullTerminated);
                match op.ptr {
                    Ptr::Const => {
                        let p = UserConstPtr::<T>::from(addr);
                        // SAFETY: the harness is single-threaded and makes one
                        // reference at a time; nothing else reaches the space
                        // while it lives.
                        let got = unsafe {
                            if scoped {
                                p.with_null_terminated(space, |s| {
                                    in_window(|| lent(s, addr, s.len()))
                                })
                            } else {
                                p.get_as_null_terminated(space)
                                    .map(|s| lent(s, addr, s.len()))
                            }
                        };
                        same(&v, &settle(got)?, want)?;
                    }
                    Ptr::Mut => {
                        let p = UserPtr::<T>::from(addr);
                        let seed = op.seed;
                        // SAFETY: the harness is single-threaded and makes one
                        // reference at a time; nothing else reaches the space
                        // while it lives.
                        let got = unsafe {
                            if scoped {
                                p.with_null_terminated(space, |s| {
                                    in_window(|| overwrite(s, seed, model, addr))
                                })
                            } else {
                                p.get_as_null_terminated(space)
                                    .map(|s| overwrite(s, seed, model, addr))
                            }
                        };
                        same(&v, &settle(got)?, want)?;
                    }
                }
                Ok(summary(&v))
            }
            Kind::ReadNullTerminated => {
                let v = model.null_terminated(addr, layout, copy(READ), buf_count);
                let mut buf: Vec<T> = (0..buf_count)
                    .map(|_| T::from_bytes(&vec![0; size]))
                    .collect();
                let got = both!(op.ptr, |p| p
                    .read_null_terminated(space, &mut buf)
                    .map(|s| bytes_of(s)));
                same(&v, &got, |n| model.bytes(addr, n * size))?;
                Ok(summary(&v))
            }
            Kind::ReadNullTerminatedVec => {
                let v = model.null_terminated(addr, layout, copy(READ), count);
                let got = both!(op.ptr, |p| p.read_null_terminated_vec(space, count))
                    .map(|s| bytes_of(&s));
                same(&v, &got, |n| model.bytes(addr, n * size))?;
                Ok(summary(&v))
            }
            Kind::ReadCstr
            | Kind::ReadCstring
            | Kind::ReadCstringLimited
            | Kind::GetAsCstr
            | Kind::GetAsStr
            | Kind::WithCstr
            | Kind::WithStr => {
                let v = self.run_cstr(op, addr)?;
                Ok(summary(&v))
            }
            Kind::CheckRegion => {
                let bytes = resolve(op.len, 1);
                let flags = flags_from_bits(op.seed);
                let byte = Layout { size: 1, align: 1 };
                let v = model.region(addr, bytes, byte, copy(flags));
                let got = check_region(space, addr, bytes, flags);
                same(&v, &got, |()| ())?;
                Ok(summary(&v))
            }
            Kind::ClearUser => {
                let len = resolve(op.len, 1);
                let v = model.partial(addr, len, WRITE);
                let got = clear_user(space, UserPtr::from(addr), len);
                same(&v, &got, |n| n)?;
                if let Ok(n) = got {
                    model.write(addr, &vec![0; n]);
                }
                Ok(summary(&v))
            }
            Kind::CheckZeroedUser => {
                let len = resolve(op.len, 1);
                let v = model.zeroed(addr, len);
                let got = both!(op.ptr, |p| check_zeroed_user(space, p.cast::<u8>(), len));
                same(&v, &got, |zeroed| zeroed)?;
                Ok(summary(&v))
            }
            Kind::ReadExtensible => {
                let user_size = resolve(op.len, 1);
                let v = model.extensible_in(addr, size, user_size);
                let got =
                    both!(op.ptr, |p| p.read_extensible(space, user_size)).map(|t| t.to_bytes());
                same(&v, &got, |()| {
                    let mut bytes = model.bytes(addr, size.min(user_size));
                    bytes.resize(size, 0);
                    bytes
                })?;
                Ok(summary(&v))
            }
            Kind::WriteExtensible => {
                let user_size = resolve(op.len, 1);
                let data = pattern(op.seed, size);
                let got = UserPtr::<T>::from(addr).write_extensible(
                    space,
                    &T::from_bytes(&data),
                    user_size,
                );
                let start = addr as u128;
                let common = size.min(user_size);
                // The model's steps, applying what each writes.
                let expected = (|| {
                    if user_size > PAGE {
                        return Err(LinuxError::E2BIG);
                    }
                    if user_size > common {
                        let tail = start + common as u128;
                        if tail > usize::MAX as u128 {
                            return Err(LinuxError::EFAULT);
                        }
                        let rest = user_size - common;
                        let cleared = model.partial(tail as usize, rest, WRITE).result;
                        if let Ok(n) = cleared {
                            model.write(tail as usize, &vec![0; n]);
                        }
                        if cleared != Ok(rest) {
                            return Err(LinuxError::EFAULT);
                        }
                    }
                    let byte = Layout { size: 1, align: 1 };
                    model.region(addr, common, byte, copy(WRITE)).result?;
                    model.write(addr, &data[..common]);
                    Ok(data[common..].iter().any(|&b| b != 0))
                })();
                let reach = start..start + user_size.max(common) as u128;
                let v = Verdict {
                    needed: if expected.is_ok() {
                        start..start + user_size as u128
                    } else {
                        start..start
                    },
                    reach,
                    result: expected,
                };
                same(&v, &got, |ignored| ignored)?;
                Ok(summary(&v))
            }
            Kind::ReadArgStrings => {
                let stack = resolve(op.len, 1);
                if op.seed % 2 == 1 {
                    write_argv(space, model, addr, op.seed);
                }
                let want = model.arg_strings(addr, stack, MAX_ARG_STRINGS, MAX_ARG_STRLEN);
                let mut limits = ArgLimits::new(stack);
                let got = UserConstPtr::<UserConstPtr<c_char>>::from(addr)
                    .read_arg_strings(space, &mut limits)
                    .map(|strings| {
                        let strings: Vec<Vec<u8>> =
                            strings.into_iter().map(|s| s.into_bytes()).collect();
                        (strings, limits.stack_left)
                    });
                if got != want {
                    return Err(format!("implementation says {got:?}, model says {want:?}"));
                }
                // Which pages the strings populate is not modelled.
                Ok((0..0, 0..u128::MAX, false))
            }
            Kind::ReadSlicePartial => {
                let v = model.partial(addr, buf_count * size, READ);
                let mut buf: Vec<T> = (0..buf_count)
                    .map(|_| T::from_bytes(&vec![0xa5; size]))
                    .collect();
                let got = both!(op.ptr, |p| p.read_slice_partial(space, &mut buf))
                    .map(|n| (n, bytes_of(&buf)));
                // The bytes moved, then zeroes: no stale kernel bytes.
                same(&v, &got, |n| {
                    let mut want = model.bytes(addr, n);
                    want.resize(buf_count * size, 0);
                    (n, want)
                })?;
                Ok(summary(&v))
            }
            Kind::WriteSlicePartial => {
                let data = pattern(op.seed, buf_count * size);
                let v = model.partial(addr, data.len(), WRITE);
                let src: Vec<T> = elements(&data, buf_count, size);
                let got = UserPtr::<T>::from(addr).write_slice_partial(space, &src);
                same(&v, &got, |n| n)?;
                if let Ok(n) = got {
                    model.write(addr, &data[..n]);
                }
                Ok(summary(&v))
            }
            Kind::CursorRead | Kind::CursorWrite => {
                // Bytes, whatever the element type; the kernel buffer is
                // bounded like the others.
                let len = resolve(op.len, 1);
                let len = if len <= MAX_BUF {
                    len
                } else {
                    len % (MAX_BUF + 1)
                };
                let chunk = 1 + (op.seed % 700) as usize;
                let reading = matches!(op.kind, Kind::CursorRead);
                let flags = if reading { READ } else { WRITE };
                // An empty cursor transfers nothing and checks nothing.
                let v = if len == 0 {
                    Verdict {
                        result: Ok(0),
                        needed: 0..0,
                        reach: 0..0,
                    }
                } else {
                    model.partial(addr, len, flags)
                };
                let data = pattern(op.seed, len);
                let mut buf = vec![0xa5u8; len];
                let mut reader = match op.ptr {
                    Ptr::Mut => UserPtr::<u8>::from(addr).reader(len),
                    Ptr::Const => UserConstPtr::<u8>::from(addr).reader(len),
                };
                let mut writer = UserPtr::<u8>::from(addr).writer(len);
                let mut done = 0;
                let got = loop {
                    let stop = len.min(done + chunk);
                    let step = if reading {
                        reader.read(space, &mut buf[done..stop])
                    } else {
                        writer.write(space, &data[done..stop])
                    };
                    match step {
                        Ok(0) => break Ok(done),
                        Ok(n) => done += n,
                        Err(e) if done == 0 => break Err(e),
                        Err(e) => {
                            return Err(format!("{e:?} after {done} bytes had moved"));
                        }
                    }
                };
                // A short read zeroes the rest of the chunk it was given;
                // nothing after that chunk is touched.
                let chunk_end = len.min(done + chunk);
                if reading
                    && got.is_ok()
                    && (buf[done..chunk_end].iter().any(|&b| b != 0)
                        || buf[chunk_end..].iter().any(|&b| b != 0xa5))
                {
                    return Err(format!(
                        "the kernel buffer after {done} bytes read: {buf:?}"
                    ));
                }
                same(&v, &got, |n| n)?;
                if let Ok(n) = got {
                    if reading {
                        if buf[..n] != model.bytes(addr, n)[..] {
                            return Err("the cursor read other bytes than the model's".into());
                        }
                    } else {
                        model.write(addr, &data[..n]);
                    }
                }
                Ok(summary(&v))
            }
        }
    }

    /// The C-string requests (element type `c_char`, limit in bytes).
    fn run_cstr(&mut self, op: &Op, addr: usize) -> Result<Verdict<usize>, String> {
        let byte = Layout { size: 1, align: 1 };
        let space = &mut self.space;
        let model = &self.model;
        let want = |n| model.bytes(addr, n);
        let p = UserConstPtr::<c_char>::from(addr);
        let q = UserPtr::<c_char>::from(addr);
        let mut_ptr = matches!(op.ptr, Ptr::Mut);
        let v = match op.kind {
            Kind::ReadCstr => {
                let limit = resolve(op.len, 1);
                let limit = if limit <= MAX_BUF {
                    limit
                } else {
                    limit % (MAX_BUF + 1)
                };
                let v = model.null_terminated(addr, byte, copy(READ), limit);
                let mut buf = vec![0xa5u8; limit];
                let got = if mut_ptr {
                    q.read_cstr(space, &mut buf)
                } else {
                    p.read_cstr(space, &mut buf)
                };
                same(&v, &got.map(|c| c.to_bytes().to_vec()), want)?;
                v
            }
            Kind::ReadCstringLimited => {
                let limit = resolve(op.len, 1);
                let errors = [
                    LinuxError::E2BIG,
                    LinuxError::EINVAL,
                    LinuxError::ERANGE,
                    LinuxError::ENAMETOOLONG,
                ];
                let err = errors[(op.seed % 4) as usize];
                let mut v = model.null_terminated(addr, byte, copy(READ), limit);
                if v.result == Err(LinuxError::ENAMETOOLONG) {
                    v.result = Err(err);
                }
                let limit = Limit::new(limit, err);
                let got = if mut_ptr {
                    q.read_cstring_limited(space, limit)
                } else {
                    p.read_cstring_limited(space, limit)
                };
                same(&v, &got.map(|c| c.into_bytes()), want)?;
                v
            }
            Kind::ReadCstring => {
                let limit = resolve(op.len, 1);
                let v = model.null_terminated(addr, byte, copy(READ), limit);
                let got = if mut_ptr {
                    q.read_cstring(space, limit)
                } else {
                    p.read_cstring(space, limit)
                };
                same(&v, &got.map(|c| c.into_bytes()), want)?;
                v
            }
            _ => {
                // Lent in place and shared: READ is enough for either pointer.
                let access = Access {
                    flags: READ,
                    reference: true,
                };
                let v = model.null_terminated(addr, byte, access, PATH_MAX);
                let check = |c: &CStr| lent(c.to_bytes_with_nul(), addr, c.count_bytes() + 1);
                let scoped = matches!(op.kind, Kind::WithCstr | Kind::WithStr);
                // SAFETY: the harness is single-threaded and makes one
                // reference at a time; nothing else reaches the space while
                // it lives.
                let cstr = unsafe {
                    match (scoped, mut_ptr) {
                        (false, true) => q.get_as_cstr(space).map(check),
                        (false, false) => p.get_as_cstr(space).map(check),
                        (true, true) => q.with_cstr(space, |c| in_window(|| check(c))),
                        (true, false) => p.with_cstr(space, |c| in_window(|| check(c))),
                    }
                };
                let cstr = settle(cstr)?;
                if matches!(op.kind, Kind::GetAsCstr | Kind::WithCstr) {
                    let got = cstr.map(|b| b[..b.len() - 1].to_vec());
                    same(&v, &got, want)?;
                } else {
                    // get_as_str: the same C string, then UTF-8 or EILSEQ.
                    let bytes = |s: &str| s.as_bytes().to_vec();
                    // SAFETY: as for the C string above.
                    let as_str = unsafe {
                        match (scoped, mut_ptr) {
                            (false, true) => q.get_as_str(space).map(bytes),
                            (false, false) => p.get_as_str(space).map(bytes),
                            (true, true) => {
                                settle(q.with_str(space, |s| in_window(|| Ok(bytes(s)))))?
                            }
                            (true, false) => {
                                settle(p.with_str(space, |s| in_window(|| Ok(bytes(s)))))?
                            }
                        }
                    };
                    let expected = match &v.result {
                        Ok(n) => match std::str::from_utf8(&model.bytes(addr, *n)) {
                            Ok(_) => Ok(*n),
                            Err(_) => Err(LinuxError::EILSEQ),
                        },
                        Err(e) => Err(*e),
                    };
                    let v2 = Verdict {
                        result: expected,
                        needed: v.needed.clone(),
                        reach: v.reach.clone(),
                    };
                    same(&v2, &as_str, want)?;
                }
                v
            }
        };
        Ok(v)
    }

    fn presence(&self) -> Vec<bool> {
        (0..self.pages)
            .map(|i| self.space.is_present(self.space.base() + i * PAGE))
            .collect()
    }

    fn compare_presence(
        &self,
        before: &[bool],
        needed: &Range<u128>,
        reach: &Range<u128>,
        ok: bool,
    ) -> Result<(), String> {
        let overlaps = |r: &Range<u128>, page: &Range<u128>| {
            r.start < r.end && r.start < page.end && page.start < r.end
        };
        for (index, (&was, now)) in before.iter().zip(self.presence()).enumerate() {
            let start = (self.space.base() + index * PAGE) as u128;
            let page = start..start + PAGE as u128;
            if now && !was && !overlaps(reach, &page) {
                return Err(format!(
                    "page {index} was populated, but the request only reaches {reach:#x?}"
                ));
            }
            if ok && !now && overlaps(needed, &page) {
                return Err(format!("page {index} was accessed but is not populated"));
            }
        }
        Ok(())
    }

    /// Every byte of the space matches the model (unmapped bytes are zero).
    pub fn compare_memory(&self) -> Result<(), String> {
        for index in 0..self.pages {
            let addr = self.space.base() + index * PAGE;
            let real = self.space.peek(addr, PAGE);
            let want = match self.model.pages.get(&((addr / PAGE) as u128)) {
                Some(page) => page.bytes.clone(),
                None => vec![0; PAGE],
            };
            if real != want {
                let at = real
                    .iter()
                    .zip(&want)
                    .position(|(a, b)| a != b)
                    .unwrap_or(0);
                return Err(format!(
                    "memory differs in page {index} at offset {at:#x}: {:#04x} != model {:#04x}",
                    real[at], want[at]
                ));
            }
        }
        Ok(())
    }
}

/// What a request was allowed and required to populate, and whether it
/// succeeded.
type Footprint = (Range<u128>, Range<u128>, bool);

fn summary<T>(v: &Verdict<T>) -> Footprint {
    (v.needed.clone(), v.reach.clone(), v.result.is_ok())
}

/// The addresses of zero bytes that follow a non-zero byte.
fn zero_runs(model: &Model) -> Vec<usize> {
    let mut runs = Vec::new();
    let (mut prev, mut next_page) = (0, None);
    for (&page, bytes) in &model.pages {
        if next_page != Some(page) {
            prev = 0; // after a hole
        }
        for (i, &b) in bytes.bytes.iter().enumerate() {
            if b == 0 && prev != 0 {
                runs.push(page as usize * PAGE + i);
            }
            prev = b;
        }
        next_page = Some(page + 1);
    }
    runs
}

/// Resolves a symbolic count for elements of `size` bytes.
fn resolve(len: Len, size: usize) -> usize {
    let per = size.max(1);
    match len {
        Len::Small(n) => usize::from(n),
        Len::Bytes(bytes) => usize::from(bytes) / per,
        Len::Raw(n) => n,
        Len::NearIsizeMax(delta) => (isize::MAX as usize / per).wrapping_add_signed(delta.into()),
        Len::NearUsizeMax(delta) => (usize::MAX / per).wrapping_add_signed(delta.into()),
    }
}

fn bytes_of<T: Element>(elems: &[T]) -> Vec<u8> {
    if size_of::<T>() == 0 {
        return Vec::new(); // do not walk a hostile number of nothings
    }
    elems.iter().flat_map(Element::to_bytes).collect()
}

/// Lifts a check made on the `Ok` value of a call out of its result.
/// Runs the body of a scoped access's closure, after checking that it runs
/// inside the access window.
fn in_window<U>(body: impl FnOnce() -> Result<U, String>) -> Result<U, String> {
    if !is_accessing_user_memory() {
        return Err("the closure of a scoped access ran outside the access window".into());
    }
    body()
}

fn settle<U>(
    result: Result<Result<U, String>, LinuxError>,
) -> Result<Result<U, LinuxError>, String> {
    match result {
        Ok(Ok(value)) => Ok(Ok(value)),
        Ok(Err(disagreement)) => Err(disagreement),
        Err(errno) => Ok(Err(errno)),
    }
}

fn elements<T: Element>(bytes: &[u8], n: usize, size: usize) -> Vec<T> {
    (0..n)
        .map(|i| T::from_bytes(&bytes[i * size..(i + 1) * size]))
        .collect()
}

/// Checks that a lent slice is the user memory itself (or, when empty, a
/// non-null aligned dangling pointer) and returns its bytes.
fn lent<T: Element>(slice: &[T], addr: usize, len: usize) -> Result<Vec<u8>, String> {
    let ptr = slice.as_ptr();
    let in_place = if size_of_val(slice) == 0 {
        !ptr.is_null() && ptr.is_aligned()
    } else {
        ptr.addr() == addr
    };
    if slice.len() != len || !in_place {
        return Err(format!(
            "lent {} elements at {ptr:p}, not {len} at the user address {addr:#x}",
            slice.len()
        ));
    }
    Ok(bytes_of(slice))
}

/// Checks a slice lent mutably as [`lent`], then writes new data through
/// it (and into the model). Returns the bytes it held before.
fn overwrite<T: Element>(
    slice: &mut [T],
    seed: u64,
    model: &mut Model,
    addr: usize,
) -> Result<Vec<u8>, String> {
    let size = size_of::<T>();
    let old = lent(slice, addr, slice.len())?;
    if size == 0 {
        return Ok(old);
    }
    let data = pattern(seed, size_of_val(slice));
    for (i, elem) in slice.iter_mut().enumerate() {
        *elem = T::from_bytes(&data[i * size..(i + 1) * size]);
    }
    model.write(addr, &data);
    Ok(old)
}

/// Compares the implementation's answer with the model's verdict; on `Ok`
/// also the data (`want` computes the model's bytes from the `Ok` value).
fn same<T: Copy + Debug, U: PartialEq + Debug>(
    verdict: &Verdict<T>,
    got: &Result<U, LinuxError>,
    want: impl FnOnce(T) -> U,
) -> Result<(), String> {
    match (&verdict.result, got) {
        (Ok(value), Ok(data)) => {
            let expected = want(*value);
            if *data != expected {
                return Err(format!(
                    "data differs: got {data:?}, model {expected:?} (model result {value:?})"
                ));
            }
            Ok(())
        }
        (Err(a), Err(b)) if a == b => Ok(()),
        (model, _) => Err(format!(
            "implementation says {:?}, model says {:?}",
            got.as_ref().map(|_| "Ok"),
            model.as_ref().map(|_| "Ok")
        )),
    }
}

fn fill_bytes(fill: &Fill) -> Vec<u8> {
    match fill {
        Fill::Zero => vec![0; PAGE],
        Fill::Text { seed, ascii, zeros } => {
            let mut bytes: Vec<u8> = pattern(*seed, PAGE)
                .into_iter()
                .map(|b| if *ascii { 0x20 + b % 95 } else { b.max(1) })
                .collect();
            for &(offset, len) in zeros.iter().take(4) {
                let start = usize::from(offset) % PAGE;
                let end = (start + usize::from(len)).min(PAGE);
                bytes[start..end].fill(0);
            }
            bytes
        }
    }
}

/// Writes at `addr` (where it is mapped) an array of pointers to strings
/// of the space (just before runs of zeroes), ended by a null pointer: so
/// that `ReadArgStrings` reads real strings, not only random pointers.
fn write_argv(space: &mut HeapSpace, model: &mut Model, addr: usize, seed: u64) {
    let word = size_of::<usize>();
    let count = (seed >> 1) as usize % 5;
    let len = (count + 1) * word;
    if !model.mapped(addr as u128, len as u128, MappingFlags::empty()) {
        return;
    }
    let runs = zero_runs(model);
    let mut array = Vec::with_capacity(len);
    for i in 0..count {
        let pick = (seed >> (8 + 8 * i)) as usize;
        let at = match runs.len() {
            0 => addr,
            n => runs[pick % n].wrapping_sub(pick % 23),
        };
        array.extend_from_slice(&at.to_ne_bytes());
    }
    array.extend_from_slice(&0usize.to_ne_bytes());
    space.poke(addr, &array);
    model.write(addr, &array);
}
