//! Random secrets: the ledger's key file, the console's session ids and CSRF tokens, the
//! built-in emulator's webhook keys off loopback. From the operating system's source.

/// 256 random bits, or the OS's reason for having none.
pub(crate) fn try_bytes() -> Result<[u8; 32], getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(bytes)
}

/// 256 random bits, for a server that cannot run without them (no token could be made).
pub(crate) fn bytes() -> [u8; 32] {
    try_bytes().expect("the operating system's random source")
}

/// `bytes` in lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// 256 random bits in hex.
pub(crate) fn token() -> String {
    hex(&bytes())
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_64_hex_digits_and_differ() {
        let (one, two) = (super::token(), super::token());
        assert_eq!(one.len(), 64);
        assert!(one.bytes().all(|byte| byte.is_ascii_hexdigit() && !byte.is_ascii_uppercase()));
        assert_ne!(one, two);
        assert_eq!(super::hex(&[0x00, 0x9f, 0xff]), "009fff");
    }
}
