//! The My Number's check digit (個人番号の検査用数字).

/// The My Number check digit of the first 11 digits (ASCII), or `None` if they are not 11
/// ASCII digits.
pub fn my_number_check_digit(first_eleven: &str) -> Option<u8> {
    let b = first_eleven.as_bytes();
    if b.len() != 11 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = b
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &c)| {
            let n = i as u32 + 1; // P_n: the n-th digit from the right
            let q = if n <= 6 { n + 1 } else { n - 5 };
            u32::from(c - b'0') * q
        })
        .sum();
    let r = sum % 11;
    Some(if r <= 1 { 0 } else { (11 - r) as u8 })
}

/// Whether a 12-digit My Number has a valid check digit.
pub fn is_valid_my_number(number: &str) -> bool {
    let b = number.as_bytes();
    b.len() == 12
        && number
            .get(..11)
            .and_then(my_number_check_digit)
            .is_some_and(|d| b.get(11) == Some(&(b'0' + d)))
}
