//! The fast path of the JSON Lines event reader (SPEC §10): the common shape
//! of an event line, a flat JSON object of strings without escapes, `null`
//! or non-negative integers, scanned straight from the line with exactly the
//! JSON grammar for such objects. Anything else returns `None` and goes to
//! serde_json (`members`), so errors and results are the same on both paths.

/// At most this many members are read by [`flat_members`]; a longer object
/// goes to serde_json (and is an error there, with nine field names).
pub(super) const FLAT_MAX: usize = 16;

/// A member's value as the fast path reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Flat<'a> {
    /// `null`.
    Null,
    /// A string without escapes, as it stands in the line.
    Str(&'a str),
    /// A non-negative integer without fraction or exponent that fits a `u64`.
    UInt(u64),
}

/// The members of a flat JSON object.
pub(super) type FlatMembers<'a> = [(&'a str, Flat<'a>); FLAT_MAX];

/// Bytes that end the fast reading of a JSON string: `"`, `\` and the
/// control characters a JSON string may not hold.
const STRING_STOP: [bool; 256] = {
    let mut table = [false; 256];
    let mut c = 0;
    while c < 0x20 {
        table[c] = true;
        c += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// The position of the first `"`, `\` or control character in `b` from `i`.
///
/// Eight bytes at a time: in each word, a byte equal to `"` or `\`, or below
/// 0x20, sets its top bit in `stops`. The borrow of the subtraction can also
/// set bits in bytes *after* a real stop, never before one, so the lowest set
/// bit is always the first stop (the tail and `string_end_bytewise` agree,
/// see the tests).
pub(super) fn string_end(b: &[u8], i: usize) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let rest = b.get(i..)?;
    let mut chunks = rest.chunks_exact(8);
    let mut at = i;
    for chunk in &mut chunks {
        let x = u64::from_le_bytes([
            chunk[0], chunk[1], chunk[2], chunk[3], chunk[4], chunk[5], chunk[6], chunk[7],
        ]);
        let zero = |y: u64| y.wrapping_sub(ONES) & !y;
        let stops = (zero(x ^ (ONES * u64::from(b'"')))
            | zero(x ^ (ONES * u64::from(b'\\')))
            | (x.wrapping_sub(ONES * 0x20) & !x))
            & HIGH;
        if stops != 0 {
            return Some(at + (stops.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&c| STRING_STOP[usize::from(c)])
        .map(|n| at + n)
}

/// [`string_end`] one byte at a time, what it must agree with.
#[cfg(test)]
pub(super) fn string_end_bytewise(b: &[u8], i: usize) -> Option<usize> {
    b.get(i..)?
        .iter()
        .position(|&c| STRING_STOP[usize::from(c)])
        .map(|n| i + n)
}

/// The members of a flat JSON object whose values are all strings without
/// escapes, `null` or non-negative integers (see [`Flat`]), read directly
/// from the line; `None` for anything else (then serde_json reads it, and
/// names any error). Exactly the JSON grammar
/// for such objects: whitespace is space, tab, CR, LF; a string holds no
/// control character. Returns the number of members.
pub(super) fn flat_members<'a>(line: &'a str, members: &mut FlatMembers<'a>) -> Option<usize> {
    let b = line.as_bytes();
    let ws = |i: &mut usize| {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = b.get(*i) {
            *i += 1;
        }
    };
    // The end of a string whose opening quote is at `i - 1`.
    let string = |i: usize| -> Option<usize> {
        let end = string_end(b, i)?;
        (b[end] == b'"').then_some(end)
    };
    let mut n = 0;
    let mut i = 0;
    ws(&mut i);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i += 1;
    ws(&mut i);
    if b.get(i) == Some(&b'}') {
        i += 1;
        ws(&mut i);
        return (i == b.len()).then_some(0);
    }
    loop {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let end = string(i + 1)?;
        let key = line.get(i + 1..end)?;
        i = end + 1;
        ws(&mut i);
        if b.get(i) != Some(&b':') {
            return None;
        }
        i += 1;
        ws(&mut i);
        let value = match b.get(i)? {
            b'"' => {
                let end = string(i + 1)?;
                let value = line.get(i + 1..end)?;
                i = end + 1;
                Flat::Str(value)
            }
            b'n' if b.get(i..i + 4) == Some(b"null") => {
                i += 4;
                Flat::Null
            }
            b'0'..=b'9' => {
                let digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
                let token = line.get(i..i + digits)?;
                // JSON has no leading zeros; a fraction or exponent, or a
                // number past `u64`, is left to serde_json.
                if (digits > 1 && token.starts_with('0'))
                    || matches!(b.get(i + digits), Some(b'.' | b'e' | b'E'))
                {
                    return None;
                }
                i += digits;
                Flat::UInt(token.parse().ok()?)
            }
            _ => return None,
        };
        *members.get_mut(n)? = (key, value);
        n += 1;
        ws(&mut i);
        match b.get(i)? {
            b',' => {
                i += 1;
                ws(&mut i);
            }
            b'}' => {
                i += 1;
                ws(&mut i);
                return (i == b.len()).then_some(n);
            }
            _ => return None,
        }
    }
}
