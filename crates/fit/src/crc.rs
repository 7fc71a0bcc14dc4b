//! FIT CRC-16.
//!
//! The FIT protocol describes its checksum as a nibble-at-a-time table walk with the reflected
//! polynomial 0xA001 and a zero initial value, which is the CRC-16/ARC algorithm. We compute the
//! same function sixteen bytes at a time ("slicing-by-16") because checking the file CRC touches
//! every byte of the file and would otherwise cost as much as the whole message decode.

/// Byte-wise table for the reflected polynomial 0xA001, plus fifteen derived tables for
/// slicing-by-16 (8 KiB in all).
const TABLES: [[u16; 256]; 16] = build_tables();

const fn build_tables() -> [[u16; 256]; 16] {
    let mut t = [[0u16; 256]; 16];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u16;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xA001 } else { crc >> 1 };
            bit += 1;
        }
        t[0][i] = crc;
        i += 1;
    }
    let mut k = 1;
    while k < 16 {
        let mut i = 0;
        while i < 256 {
            let prev = t[k - 1][i];
            t[k][i] = (prev >> 8) ^ t[0][(prev & 0xFF) as usize];
            i += 1;
        }
        k += 1;
    }
    t
}

/// Sixteen bytes at once: byte `i` of the block is followed by `15 - i` bytes, so table
/// `15 - i` advances it past them. Two 64-bit loads instead of sixteen byte loads keep the
/// load ports free for the table lookups.
#[inline(always)]
fn block16(crc: u16, c: &[u8; 16]) -> u16 {
    let t = &TABLES;
    let lo = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]) ^ u64::from(crc);
    let hi = u64::from_le_bytes([c[8], c[9], c[10], c[11], c[12], c[13], c[14], c[15]]);
    let b = |x: u64, k: u32| (x >> (8 * k)) as u8 as usize;
    (t[15][b(lo, 0)] ^ t[14][b(lo, 1)] ^ t[13][b(lo, 2)] ^ t[12][b(lo, 3)])
        ^ (t[11][b(lo, 4)] ^ t[10][b(lo, 5)] ^ t[9][b(lo, 6)] ^ t[8][b(lo, 7)])
        ^ (t[7][b(hi, 0)] ^ t[6][b(hi, 1)] ^ t[5][b(hi, 2)] ^ t[4][b(hi, 3)])
        ^ (t[3][b(hi, 4)] ^ t[2][b(hi, 5)] ^ t[1][b(hi, 6)] ^ t[0][b(hi, 7)])
}

/// One stream: 16-byte blocks, then byte by byte.
fn serial(mut crc: u16, bytes: &[u8]) -> u16 {
    let (blocks, rest) = bytes.as_chunks::<16>();
    for c in blocks {
        crc = block16(crc, c);
    }
    for &b in rest {
        crc = (crc >> 8) ^ TABLES[0][((crc ^ u16::from(b)) & 0xFF) as usize];
    }
    crc
}

/// The CRC is linear (zero initial value, no final xor), so the state after `n` more zero bytes
/// is a 16x16 bit matrix applied to the state. `ZERO_POW[k]` is that matrix for `2^k` bytes,
/// stored as the images of the 16 unit vectors.
const ZERO_POW: [[u16; 16]; 48] = build_zero_pow();

const fn apply(m: &[u16; 16], v: u16) -> u16 {
    let mut r = 0;
    let mut i = 0;
    while i < 16 {
        if (v >> i) & 1 != 0 {
            r ^= m[i];
        }
        i += 1;
    }
    r
}

const fn build_zero_pow() -> [[u16; 16]; 48] {
    let t0 = build_tables();
    let mut z = [[0u16; 16]; 48];
    let mut i = 0;
    while i < 16 {
        let c: u16 = 1 << i;
        z[0][i] = (c >> 8) ^ t0[0][(c & 0xFF) as usize];
        i += 1;
    }
    let mut k = 1;
    while k < 48 {
        let mut i = 0;
        while i < 16 {
            z[k][i] = apply(&z[k - 1], z[k - 1][i]);
            i += 1;
        }
        k += 1;
    }
    z
}

/// The state after feeding `n` zero bytes starting from `crc`.
fn shift(mut crc: u16, n: usize) -> u16 {
    let mut k = 0;
    let mut n = n as u64;
    while n != 0 && k < ZERO_POW.len() {
        if n & 1 != 0 {
            crc = apply(&ZERO_POW[k], crc);
        }
        n >>= 1;
        k += 1;
    }
    crc
}

/// Continue a FIT CRC over `bytes`, starting from `crc` (use 0 for a fresh checksum).
///
/// Long inputs are cut into four lanes whose CRCs are computed together (four independent
/// dependency chains) and then joined: crc(A‖B) = shift(crc(A), |B|) ⊕ crc(B).
#[must_use]
pub fn crc16_update(crc: u16, bytes: &[u8]) -> u16 {
    const LANES_FROM: usize = 2048;
    if bytes.len() < LANES_FROM {
        return serial(crc, bytes);
    }
    let lane = (bytes.len() / 4) & !15;
    let (a, rest) = bytes.split_at(lane);
    let (b, rest) = rest.split_at(lane);
    let (c, rest) = rest.split_at(lane);
    let (d, tail) = rest.split_at(lane);
    let (mut ca, mut cb, mut cc, mut cd) = (crc, 0u16, 0u16, 0u16);
    let blocks = a.as_chunks::<16>().0.iter().zip(b.as_chunks::<16>().0).zip(c.as_chunks::<16>().0);
    for (((x, y), z), w) in blocks.zip(d.as_chunks::<16>().0) {
        ca = block16(ca, x);
        cb = block16(cb, y);
        cc = block16(cc, z);
        cd = block16(cd, w);
    }
    let mut r = shift(ca, lane) ^ cb;
    r = shift(r, lane) ^ cc;
    r = shift(r, lane) ^ cd;
    serial(r, tail)
}

/// FIT CRC-16 of `bytes`.
#[must_use]
pub fn crc16(bytes: &[u8]) -> u16 {
    crc16_update(0, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The nibble-wise formulation given in the FIT protocol description.
    fn nibble_crc(bytes: &[u8]) -> u16 {
        const T: [u16; 16] = [
            0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401, 0xA001, 0x6C00, 0x7800, 0xB401, 0x5000,
            0x9C01, 0x8801, 0x4400,
        ];
        let mut crc = 0u16;
        for &b in bytes {
            let tmp = T[(crc & 0xF) as usize];
            crc = (crc >> 4) & 0x0FFF;
            crc = crc ^ tmp ^ T[(b & 0xF) as usize];
            let tmp = T[(crc & 0xF) as usize];
            crc = (crc >> 4) & 0x0FFF;
            crc = crc ^ tmp ^ T[((b >> 4) & 0xF) as usize];
        }
        crc
    }

    #[test]
    fn matches_nibble_formulation_for_all_lengths() {
        let mut x: u32 = 0x1234_5678;
        let data: Vec<u8> = (0..300)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect();
        for n in 0..data.len() {
            assert_eq!(crc16(&data[..n]), nibble_crc(&data[..n]), "length {n}");
        }
        // Incremental use gives the same answer as one pass.
        let (a, b) = data.split_at(77);
        assert_eq!(crc16_update(crc16(a), b), crc16(&data));
    }

    #[test]
    fn lanes_match_the_serial_computation() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let data: Vec<u8> = (0..20_000)
            .map(|_| {
                x ^= x << 7;
                x ^= x >> 9;
                x as u8
            })
            .collect();
        for n in [2047, 2048, 2049, 4096, 5000, 9999, 20_000] {
            assert_eq!(crc16(&data[..n]), nibble_crc(&data[..n]), "length {n}");
            assert_eq!(crc16_update(0x1234, &data[..n]), serial(0x1234, &data[..n]), "length {n}");
        }
    }

    #[test]
    fn check_value() {
        // CRC-16/ARC check value.
        assert_eq!(crc16(b"123456789"), 0xBB3D);
    }
}
