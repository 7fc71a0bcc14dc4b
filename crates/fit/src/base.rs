//! FIT base types, their sizes and their "invalid" sentinels.
//!
//! Every FIT field carries a base type in its definition. A field whose bytes equal the base
//! type's invalid value (0xFF for uint8, 0x7FFF for sint16, 0 for the `z` types, ...) means "no
//! value"; we map those to `None` so callers never see a sentinel as a measurement.

/// A FIT base type, as declared in a definition message (the low five bits of the byte;
/// the top bit only says whether the type is multi-byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BaseType {
    /// 0x00, 1 byte, invalid 0xFF.
    Enum,
    /// 0x01, 1 byte, invalid 0x7F.
    Sint8,
    /// 0x02, 1 byte, invalid 0xFF.
    Uint8,
    /// 0x83, 2 bytes, invalid 0x7FFF.
    Sint16,
    /// 0x84, 2 bytes, invalid 0xFFFF.
    Uint16,
    /// 0x85, 4 bytes, invalid 0x7FFF_FFFF.
    Sint32,
    /// 0x86, 4 bytes, invalid 0xFFFF_FFFF.
    Uint32,
    /// 0x07, NUL-terminated UTF-8, invalid when empty.
    String,
    /// 0x88, 4 bytes, invalid when all bits set.
    Float32,
    /// 0x89, 8 bytes, invalid when all bits set.
    Float64,
    /// 0x0A, 1 byte, invalid 0x00.
    Uint8z,
    /// 0x8B, 2 bytes, invalid 0x0000.
    Uint16z,
    /// 0x8C, 4 bytes, invalid 0x0000_0000.
    Uint32z,
    /// 0x0D, opaque bytes, invalid when every byte is 0xFF.
    Byte,
    /// 0x8E, 8 bytes, invalid 0x7FFF_FFFF_FFFF_FFFF.
    Sint64,
    /// 0x8F, 8 bytes, invalid 0xFFFF_FFFF_FFFF_FFFF.
    Uint64,
    /// 0x90, 8 bytes, invalid 0.
    Uint64z,
    /// A base type number the protocol does not define; such fields are kept as raw bytes only.
    Unknown(u8),
}

impl BaseType {
    /// Interpret a base-type byte from a field definition.
    #[must_use]
    pub const fn from_byte(b: u8) -> Self {
        match b & 0x1F {
            0 => Self::Enum,
            1 => Self::Sint8,
            2 => Self::Uint8,
            3 => Self::Sint16,
            4 => Self::Uint16,
            5 => Self::Sint32,
            6 => Self::Uint32,
            7 => Self::String,
            8 => Self::Float32,
            9 => Self::Float64,
            10 => Self::Uint8z,
            11 => Self::Uint16z,
            12 => Self::Uint32z,
            13 => Self::Byte,
            14 => Self::Sint64,
            15 => Self::Uint64,
            16 => Self::Uint64z,
            _ => Self::Unknown(b),
        }
    }

    /// Size in bytes of one element (1 for strings and bytes; 0 for unknown types).
    #[must_use]
    pub const fn size(self) -> usize {
        match self {
            Self::Enum | Self::Sint8 | Self::Uint8 | Self::String | Self::Uint8z | Self::Byte => 1,
            Self::Sint16 | Self::Uint16 | Self::Uint16z => 2,
            Self::Sint32 | Self::Uint32 | Self::Float32 | Self::Uint32z => 4,
            Self::Float64 | Self::Sint64 | Self::Uint64 | Self::Uint64z => 8,
            Self::Unknown(_) => 0,
        }
    }

    /// The canonical base-type byte (with the endian-ability bit set for multi-byte types).
    #[must_use]
    pub const fn to_byte(self) -> u8 {
        match self {
            Self::Enum => 0x00,
            Self::Sint8 => 0x01,
            Self::Uint8 => 0x02,
            Self::Sint16 => 0x83,
            Self::Uint16 => 0x84,
            Self::Sint32 => 0x85,
            Self::Uint32 => 0x86,
            Self::String => 0x07,
            Self::Float32 => 0x88,
            Self::Float64 => 0x89,
            Self::Uint8z => 0x0A,
            Self::Uint16z => 0x8B,
            Self::Uint32z => 0x8C,
            Self::Byte => 0x0D,
            Self::Sint64 => 0x8E,
            Self::Uint64 => 0x8F,
            Self::Uint64z => 0x90,
            Self::Unknown(b) => b,
        }
    }

    /// Whether a field of `size` bytes holds a whole number of elements of this type.
    /// Fields that do not (e.g. a 1-byte uint32 seen in some COROS files) are treated as invalid.
    #[must_use]
    pub const fn fits(self, size: usize) -> bool {
        let n = self.size();
        n != 0 && size >= n && size.is_multiple_of(n)
    }
}

/// Read the first element of a field as an integer, honouring endianness and mapping the base
/// type's invalid sentinel to `None`. Floats are rounded toward zero. Strings, unknown types and
/// fields shorter than one element give `None`.
#[inline(always)]
#[must_use]
pub fn read_int(bytes: &[u8], base: BaseType, big_endian: bool) -> Option<i64> {
    macro_rules! rd {
        ($t:ty, $n:expr) => {{
            let arr: [u8; $n] = match bytes.get(..$n) {
                Some(s) => match s.try_into() {
                    Ok(a) => a,
                    Err(_) => return None,
                },
                None => return None,
            };
            if big_endian { <$t>::from_be_bytes(arr) } else { <$t>::from_le_bytes(arr) }
        }};
    }
    match base {
        BaseType::Enum | BaseType::Uint8 => match bytes.first() {
            Some(&v) if v != 0xFF => Some(i64::from(v)),
            _ => None,
        },
        BaseType::Byte => {
            if bytes.is_empty() || bytes.iter().all(|&b| b == 0xFF) {
                None
            } else {
                bytes.first().map(|&v| i64::from(v))
            }
        }
        BaseType::Sint8 => match bytes.first() {
            Some(&v) if v != 0x7F => Some(i64::from(v as i8)),
            _ => None,
        },
        BaseType::Uint8z => match bytes.first() {
            Some(&v) if v != 0 => Some(i64::from(v)),
            _ => None,
        },
        BaseType::Sint16 => {
            let v = rd!(i16, 2);
            (v != i16::MAX).then_some(i64::from(v))
        }
        BaseType::Uint16 => {
            let v = rd!(u16, 2);
            (v != u16::MAX).then_some(i64::from(v))
        }
        BaseType::Uint16z => {
            let v = rd!(u16, 2);
            (v != 0).then_some(i64::from(v))
        }
        BaseType::Sint32 => {
            let v = rd!(i32, 4);
            (v != i32::MAX).then_some(i64::from(v))
        }
        BaseType::Uint32 => {
            let v = rd!(u32, 4);
            (v != u32::MAX).then_some(i64::from(v))
        }
        BaseType::Uint32z => {
            let v = rd!(u32, 4);
            (v != 0).then_some(i64::from(v))
        }
        BaseType::Sint64 => {
            let v = rd!(i64, 8);
            (v != i64::MAX).then_some(v)
        }
        BaseType::Uint64 => {
            let v = rd!(u64, 8);
            if v == u64::MAX { None } else { i64::try_from(v).ok() }
        }
        BaseType::Uint64z => {
            let v = rd!(u64, 8);
            if v == 0 { None } else { i64::try_from(v).ok() }
        }
        BaseType::Float32 => {
            let v = rd!(u32, 4);
            if v == u32::MAX {
                return None;
            }
            let f = f32::from_bits(v);
            f.is_finite().then_some(f as i64)
        }
        BaseType::Float64 => {
            let v = rd!(u64, 8);
            if v == u64::MAX {
                return None;
            }
            let f = f64::from_bits(v);
            f.is_finite().then_some(f as i64)
        }
        BaseType::String | BaseType::Unknown(_) => None,
    }
}

/// Read the first element of a field as a float (integers converted exactly where possible).
#[must_use]
pub fn read_f64(bytes: &[u8], base: BaseType, big_endian: bool) -> Option<f64> {
    match base {
        BaseType::Float32 => {
            let arr: [u8; 4] = bytes.get(..4)?.try_into().ok()?;
            let v = if big_endian { u32::from_be_bytes(arr) } else { u32::from_le_bytes(arr) };
            if v == u32::MAX {
                return None;
            }
            let f = f32::from_bits(v);
            f.is_finite().then_some(f64::from(f))
        }
        BaseType::Float64 => {
            let arr: [u8; 8] = bytes.get(..8)?.try_into().ok()?;
            let v = if big_endian { u64::from_be_bytes(arr) } else { u64::from_le_bytes(arr) };
            if v == u64::MAX {
                return None;
            }
            let f = f64::from_bits(v);
            f.is_finite().then_some(f)
        }
        _ => read_int(bytes, base, big_endian).map(|v| v as f64),
    }
}

/// Read a string field: bytes up to the first NUL (or the whole field when unterminated),
/// decoded as UTF-8 with invalid sequences replaced. Empty strings give `None`.
#[must_use]
pub fn read_string(bytes: &[u8]) -> Option<String> {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    let s = bytes.get(..end)?;
    if s.is_empty() {
        return None;
    }
    Some(String::from_utf8_lossy(s).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_sentinels_map_to_none() {
        assert_eq!(read_int(&[0xFF], BaseType::Uint8, false), None);
        assert_eq!(read_int(&[0xFE], BaseType::Uint8, false), Some(254));
        assert_eq!(read_int(&[0x7F], BaseType::Sint8, false), None);
        assert_eq!(read_int(&[0x80], BaseType::Sint8, false), Some(-128));
        assert_eq!(read_int(&[0], BaseType::Uint8z, false), None);
        assert_eq!(read_int(&[0xFF, 0x7F], BaseType::Sint16, false), None);
        assert_eq!(read_int(&[0x7F, 0xFF], BaseType::Sint16, true), None);
        assert_eq!(read_int(&[0xFF, 0xFF], BaseType::Uint16, false), None);
        assert_eq!(read_int(&[0, 0], BaseType::Uint16z, false), None);
        assert_eq!(read_int(&[0xFF, 0xFF, 0xFF, 0x7F], BaseType::Sint32, false), None);
        assert_eq!(read_int(&[0xFF; 4], BaseType::Uint32, false), None);
        assert_eq!(read_int(&[0; 4], BaseType::Uint32z, false), None);
        assert_eq!(read_int(&[0xFF; 4], BaseType::Float32, false), None);
        assert_eq!(read_int(&[0xFF; 8], BaseType::Float64, false), None);
        assert_eq!(read_int(&[0xFF; 8], BaseType::Uint64, false), None);
        assert_eq!(read_int(&[0; 8], BaseType::Uint64z, false), None);
        assert_eq!(read_int(&[0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F], BaseType::Sint64, false), None);
        assert_eq!(read_int(&[0xFF, 0xFF, 0xFF], BaseType::Byte, false), None);
        assert_eq!(read_int(&[0x01, 0xFF, 0xFF], BaseType::Byte, false), Some(1));
    }

    #[test]
    fn endianness() {
        assert_eq!(read_int(&[0x01, 0x02], BaseType::Uint16, false), Some(0x0201));
        assert_eq!(read_int(&[0x01, 0x02], BaseType::Uint16, true), Some(0x0102));
        assert_eq!(read_int(&[0xFF, 0xFF, 0xFF, 0xFE], BaseType::Sint32, true), Some(-2));
        assert_eq!(read_f64(&1.5f32.to_be_bytes(), BaseType::Float32, true), Some(1.5));
    }

    #[test]
    fn short_fields_are_invalid() {
        assert_eq!(read_int(&[0x01], BaseType::Uint32, false), None);
        assert!(!BaseType::Uint32.fits(1));
        assert!(!BaseType::Uint16.fits(3));
        assert!(BaseType::Uint16.fits(4));
        assert!(BaseType::String.fits(7));
        assert!(!BaseType::Unknown(0x55).fits(4));
    }

    #[test]
    fn strings() {
        assert_eq!(read_string(b"abc\0\0"), Some("abc".to_string()));
        assert_eq!(read_string(b"abc"), Some("abc".to_string()));
        assert_eq!(read_string(b"\0abc"), None);
        assert_eq!(read_string(&[0x61, 0xFF, 0]), Some("a\u{FFFD}".to_string()));
    }

    #[test]
    fn base_type_bytes_round_trip() {
        for b in 0u8..=0x1F {
            let t = BaseType::from_byte(b);
            if !matches!(t, BaseType::Unknown(_)) {
                assert_eq!(BaseType::from_byte(t.to_byte()), t);
            }
        }
        assert_eq!(BaseType::from_byte(0x03), BaseType::Sint16); // endian bit missing: same type
    }
}
