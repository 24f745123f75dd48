//! What a PKCS#12 (.pfx / .p12) upload may cost before it is opened: its size, and the work its
//! password-based key derivations ask for, read from the file's DER without decrypting anything.
//! A file under the caps is handed to the PKCS#12 parser (whose own, far higher caps then never
//! matter); a file over them is refused with a message that says why. The caps are generous for
//! real exports (OpenSSL, Windows, .NET, Java and Azure use 2,000 to 10,000 PBKDF2 iterations and
//! files of a few KiB) and keep one upload to a few hundred milliseconds and a few MiB.
//!
//! Reads every `AlgorithmIdentifier` it can reach: PBES2 with PBKDF2 or scrypt, the PKCS#12
//! PBE schemes, and the MAC's iteration count, descending into OCTET STRINGs that hold DER.
//! Knows no crate: a small DER reader of definite lengths.

/// The largest .pfx accepted.
pub const MAX_BYTES: usize = 64 * 1024;
/// The most PBKDF2 (or PKCS#12 KDF) iterations of one derivation.
pub const MAX_ITERATIONS: u64 = 100_000;
/// The most memory (128·N·r bytes) and parallelism of one scrypt derivation.
pub const MAX_SCRYPT_BYTES: u64 = 64 * 1024 * 1024;
pub const MAX_SCRYPT_PARALLELISM: u64 = 4;
/// The most key derivations in one file (the MAC, then one per encrypted bag).
pub const MAX_DERIVATIONS: usize = 16;

const DEPTH: usize = 24;
const PBKDF2: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0c];
const SCRYPT: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x04, 0x0b];
/// 1.2.840.113549.1.12.1 (pkcs-12PbeIds), followed by one byte for the scheme.
const PKCS12_PBE: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01];

/// Why a .pfx is refused before it is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    TooLarge,
    TooCostly,
    Unreadable,
}

/// One DER element: its tag and contents.
struct Tlv<'a> {
    tag: u8,
    body: &'a [u8],
}

/// The elements of `data`, or `None` when it is not a run of definite-length DER elements.
fn elements(mut data: &[u8]) -> Option<Vec<Tlv<'_>>> {
    let mut out = Vec::new();
    while !data.is_empty() {
        let (&tag, rest) = data.split_first()?;
        let (&first, rest) = rest.split_first()?;
        let (len, rest) = match first {
            0..=0x7f => (usize::from(first), rest),
            0x81..=0x84 => {
                let n = usize::from(first & 0x7f);
                let bytes = rest.get(..n)?;
                (bytes.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b)), &rest[n..])
            }
            _ => return None,
        };
        if tag & 0x1f == 0x1f || rest.len() < len {
            return None;
        }
        out.push(Tlv { tag, body: &rest[..len] });
        data = &rest[len..];
    }
    Some(out)
}

/// An INTEGER's value (saturating: a huge count is as bad as `u64::MAX`).
fn integer(tlv: &Tlv<'_>) -> Option<u64> {
    (tlv.tag == 0x02 && !tlv.body.is_empty()).then(|| {
        let digits = tlv.body.strip_prefix(&[0]).unwrap_or(tlv.body);
        if digits.len() > 8 { u64::MAX } else { digits.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)) }
    })
}

/// The cost of one algorithm identifier `[OID, params]`, if it is a key derivation.
fn derivation(children: &[Tlv<'_>]) -> Option<Result<(), Refused>> {
    let [oid, params, ..] = children else { return None };
    if oid.tag != 0x06 || params.tag != 0x30 {
        return None;
    }
    let fields = elements(params.body)?;
    let number = |i: usize| fields.get(i).and_then(integer);
    let within = if oid.body == PBKDF2 || (oid.body.len() == 10 && oid.body.starts_with(PKCS12_PBE)) {
        number(1).is_some_and(|iterations| iterations <= MAX_ITERATIONS)
    } else if oid.body == SCRYPT {
        match (number(1), number(2), number(3)) {
            (Some(n), Some(r), Some(p)) => {
                128u64.checked_mul(n).and_then(|m| m.checked_mul(r)).is_some_and(|m| m <= MAX_SCRYPT_BYTES)
                    && p <= MAX_SCRYPT_PARALLELISM
            }
            _ => false,
        }
    } else {
        return None;
    };
    Some(if within { Ok(()) } else { Err(Refused::TooCostly) })
}

/// Walks `data`'s elements, counting derivations and refusing costly ones.
fn walk(data: &[u8], depth: usize, found: &mut usize) -> Result<(), Refused> {
    let Some(children) = elements(data) else { return Ok(()) };
    if depth > DEPTH {
        return Err(Refused::Unreadable);
    }
    if let Some(cost) = derivation(&children) {
        cost?;
        *found += 1;
        if *found > MAX_DERIVATIONS {
            return Err(Refused::TooCostly);
        }
    }
    for child in &children {
        // Constructed elements, and OCTET STRINGs (which wrap the SafeContents), may hold more.
        if child.tag & 0x20 != 0 || child.tag == 0x04 {
            walk(child.body, depth + 1, found)?;
        }
    }
    Ok(())
}

/// Checks a .pfx's size and the cost of every key derivation it asks for.
pub fn check(data: &[u8]) -> Result<(), Refused> {
    if data.len() > MAX_BYTES {
        return Err(Refused::TooLarge);
    }
    let top = elements(data).ok_or(Refused::Unreadable)?;
    let [pfx] = top.as_slice() else { return Err(Refused::Unreadable) };
    let parts = elements(pfx.body).filter(|_| pfx.tag == 0x30).ok_or(Refused::Unreadable)?;
    // PFX ::= SEQUENCE { version, authSafe, macData SEQUENCE { mac, macSalt, iterations } }
    let mut found = 0;
    if let Some(mac) = parts.get(2).filter(|m| m.tag == 0x30) {
        let iterations = elements(mac.body).and_then(|f| f.get(2).and_then(integer)).unwrap_or(1);
        if iterations > MAX_ITERATIONS {
            return Err(Refused::TooCostly);
        }
        found += 1;
    }
    walk(pfx.body, 0, &mut found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        match body.len() {
            n @ 0..=0x7f => out.push(n as u8),
            n @ 0x80..=0xff => out.extend([0x81, n as u8]),
            n => out.extend([0x82, (n >> 8) as u8, n as u8]),
        }
        out.extend_from_slice(body);
        out
    }

    fn int(value: u64) -> Vec<u8> {
        let bytes: Vec<u8> = value.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
        let bytes = if bytes.first().is_none_or(|b| b & 0x80 != 0) { [&[0][..], &bytes].concat() } else { bytes };
        tlv(0x02, &bytes)
    }

    /// A PFX whose one bag is encrypted with `algorithm` and whose MAC uses `mac_iterations`.
    fn pfx(algorithm: Vec<u8>, mac_iterations: u64) -> Vec<u8> {
        let encrypted_info = tlv(0x30, &[algorithm, tlv(0x04, &[0xaa; 48])].concat());
        let bag = tlv(
            0x30,
            &[tlv(0x06, &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 0x0c, 0x0a, 1, 2]), tlv(0xa0, &encrypted_info)]
                .concat(),
        );
        let safe_contents = tlv(0x30, &bag);
        let data = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 7, 1];
        let content_info = tlv(0x30, &[tlv(0x06, &data), tlv(0xa0, &tlv(0x04, &safe_contents))].concat());
        let auth_safe = tlv(0x30, &[tlv(0x06, &data), tlv(0xa0, &tlv(0x04, &tlv(0x30, &content_info)))].concat());
        let mac = tlv(0x30, &[tlv(0x30, &[0u8; 0]), tlv(0x04, &[1; 8]), int(mac_iterations)].concat());
        tlv(0x30, &[int(3), auth_safe, mac].concat())
    }

    fn pbkdf2(iterations: u64) -> Vec<u8> {
        let params = tlv(0x30, &[tlv(0x04, &[7; 16]), int(iterations)].concat());
        let kdf = tlv(0x30, &[tlv(0x06, PBKDF2), params].concat());
        let pbes2 = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 5, 0x0d];
        tlv(0x30, &[tlv(0x06, &pbes2), tlv(0x30, &kdf)].concat())
    }

    fn scrypt(n: u64, r: u64, p: u64) -> Vec<u8> {
        let params = tlv(0x30, &[tlv(0x04, &[7; 16]), int(n), int(r), int(p)].concat());
        let kdf = tlv(0x30, &[tlv(0x06, SCRYPT), params].concat());
        let pbes2 = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 5, 0x0d];
        tlv(0x30, &[tlv(0x06, &pbes2), tlv(0x30, &kdf)].concat())
    }

    #[test]
    fn ordinary_exports_pass_and_costly_or_huge_ones_are_refused() {
        assert_eq!(check(&pfx(pbkdf2(2048), 2048)), Ok(()));
        assert_eq!(check(&pfx(scrypt(16_384, 8, 1), 2048)), Ok(()), "16 MiB of scrypt");
        assert_eq!(check(&pfx(pbkdf2(1_000_000), 2048)), Err(Refused::TooCostly));
        assert_eq!(check(&pfx(pbkdf2(2048), 900_000)), Err(Refused::TooCostly), "the MAC counts too");
        assert_eq!(check(&pfx(scrypt(1 << 20, 8, 1), 2048)), Err(Refused::TooCostly), "1 GiB of scrypt");
        assert_eq!(check(&pfx(scrypt(16_384, 8, 64), 2048)), Err(Refused::TooCostly));
        assert_eq!(check(&pfx(pbkdf2(u64::MAX), 1)), Err(Refused::TooCostly));
        assert_eq!(check(&vec![0x30; MAX_BYTES + 1]), Err(Refused::TooLarge));
        assert_eq!(check(b"not der at all"), Err(Refused::Unreadable));
    }
}
