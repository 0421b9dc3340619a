//! The JSON Canonicalization Scheme (RFC 8785, JCS).
//!
//! One JSON value has exactly one canonical byte string: no whitespace, object members sorted
//! by the UTF-16 code units of their names, strings escaped as ECMAScript's `JSON.stringify`
//! does, numbers written as ECMAScript's `Number.prototype.toString` does. The consent
//! documents use integers only, but the encoder handles every JSON number so that it is total.

use serde_json::{Number, Value};

/// The canonical (RFC 8785) UTF-8 encoding of `value`.
///
/// ```
/// use mynasign::consent::jcs::to_canonical_json;
/// let v: serde_json::Value = serde_json::from_str(r#"{ "b": [1, 2.50], "a": "\u00e9\n" }"#).unwrap();
/// assert_eq!(to_canonical_json(&v), "{\"a\":\"é\\n\",\"b\":[1,2.5]}".as_bytes());
/// ```
pub fn to_canonical_json(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    write_value(&mut out, value);
    out
}

fn write_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| utf16_order(a.0, b.0));
            out.push(b'{');
            for (i, (name, member)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(out, name);
                out.push(b':');
                write_value(out, member);
            }
            out.push(b'}');
        }
    }
}

/// The largest integer an IEEE 754 double holds exactly together with all smaller ones.
const MAX_SAFE: u64 = 1 << 53;

fn write_number(out: &mut Vec<u8>, n: &Number) {
    if let Some(i) = n.as_i64() {
        if i.unsigned_abs() <= MAX_SAFE {
            out.extend_from_slice(i.to_string().as_bytes());
            return;
        }
    }
    if let Some(u) = n.as_u64() {
        if u <= MAX_SAFE {
            out.extend_from_slice(u.to_string().as_bytes());
            return;
        }
    }
    // Large integers and fractions: what ECMAScript would print for the nearest double.
    let f = n.as_f64().unwrap_or(0.0);
    out.extend_from_slice(ecmascript_number(f).as_bytes());
}

/// `Number.prototype.toString()` for a finite double (ECMA-262, Number::toString, radix 10).
fn ecmascript_number(f: f64) -> String {
    if f == 0.0 || !f.is_finite() {
        // -0 prints as 0; non-finite numbers cannot occur in JSON.
        return "0".to_owned();
    }
    // Rust's `{:e}` gives the shortest digits that round-trip; ECMAScript also asks for the
    // closest such digits, and for the even one when two are equally close (see `break_tie`).
    let (digits, exponent) = split_exp(&format!("{:e}", f.abs()));
    let digits = break_tie(f.abs(), digits, exponent);
    let k = digits.len() as i64;
    // The value is 0.digits × 10^n.
    let n = exponent + 1;
    let mut s = String::new();
    if f < 0.0 {
        s.push('-');
    }
    if k <= n && n <= 21 {
        s.push_str(&digits);
        s.push_str(&"0".repeat((n - k) as usize));
    } else if 0 < n && n <= 21 {
        let (int, frac) = digits.split_at(n as usize);
        s.push_str(int);
        s.push('.');
        s.push_str(frac);
    } else if -6 < n && n <= 0 {
        s.push_str("0.");
        s.push_str(&"0".repeat((-n) as usize));
        s.push_str(&digits);
    } else {
        let (first, rest) = digits.split_at(1);
        s.push_str(first);
        if !rest.is_empty() {
            s.push('.');
            s.push_str(rest);
        }
        s.push('e');
        s.push(if n - 1 < 0 { '-' } else { '+' });
        s.push_str(&(n - 1).unsigned_abs().to_string());
    }
    s
}

/// `d.ddde±x` to (`dddd`, x).
fn split_exp(sci: &str) -> (String, i64) {
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((sci, "0"));
    let digits = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    (digits, exponent.parse().unwrap_or(0))
}

/// When the exact value of `v` lies exactly halfway between two shortest candidates (it has
/// one more significant digit than `digits`, a 5), ECMAScript takes the candidate whose last
/// digit is even, provided it still reads back as `v`.
fn break_tie(v: f64, digits: String, exponent: i64) -> String {
    let k = digits.len();
    // Every double has a finite decimal expansion of at most 767 significant digits.
    let (exact, exact_exponent) = split_exp(&format!("{:.1100e}", v));
    let exact = exact.trim_end_matches('0');
    if exact_exponent != exponent || exact.len() != k + 1 || !exact.ends_with('5') {
        return digits;
    }
    let low = &exact[..k];
    let Some(high) = increment(low) else {
        return digits;
    };
    let other = if digits == low { high } else { low.to_owned() };
    let odd = |d: &str| d.bytes().last().is_some_and(|c| (c - b'0') % 2 == 1);
    if odd(&digits) && !odd(&other) && reads_back(&other, exponent, v) {
        other
    } else {
        digits
    }
}

/// The decimal digit string plus one in the last place, if no carry lengthens it.
fn increment(digits: &str) -> Option<String> {
    let mut b = digits.as_bytes().to_vec();
    for c in b.iter_mut().rev() {
        if *c == b'9' {
            *c = b'0';
        } else {
            *c += 1;
            return String::from_utf8(b).ok();
        }
    }
    None
}

/// Whether `d.ddd × 10^exponent` parses to `v`.
fn reads_back(digits: &str, exponent: i64, v: f64) -> bool {
    let (first, rest) = digits.split_at(digits.len().min(1));
    let text = if rest.is_empty() {
        format!("{first}e{exponent}")
    } else {
        format!("{first}.{rest}e{exponent}")
    };
    text.parse::<f64>() == Ok(v)
}

/// Writes `s` as a canonical JSON string (quoted, escaped as RFC 8785 3.2.2.2 says).
pub(crate) fn write_string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    // Runs of characters written as they are are copied whole; only `"`, `\\` and the C0
    // controls are escaped (all ASCII, so a byte scan never splits a UTF-8 sequence).
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x0c => b"\\f",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            c if c < 0x20 => {
                out.extend_from_slice(&bytes[start..i]);
                out.extend_from_slice(format!("\\u{:04x}", c).as_bytes());
                start = i + 1;
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(escape);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// RFC 8785 3.2.3: member names in the order of their UTF-16 code units. For names below
/// U+E000 that is the order of their UTF-8 bytes (UTF-8 and UTF-16 order differ only where
/// U+E000..U+FFFF meets a character above U+FFFF), so only names holding such characters
/// are compared as UTF-16.
fn utf16_order(a: &str, b: &str) -> std::cmp::Ordering {
    // UTF-8 lead bytes from 0xEE (U+E000) up.
    let plain = |s: &str| s.bytes().all(|c| c < 0xEE);
    if plain(a) && plain(b) {
        a.as_bytes().cmp(b.as_bytes())
    } else {
        a.encode_utf16().cmp(b.encode_utf16())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(json: &str) -> String {
        let v: Value = serde_json::from_str(json).unwrap();
        String::from_utf8(to_canonical_json(&v)).unwrap()
    }

    #[test]
    fn rfc8785_section_3_2_2_example() {
        let input = r#"{
          "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
          "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
          "literals": [null, true, false]
        }"#;
        // serde_json's `float_roundtrip` feature is on: the numbers parse to the nearest double.
        assert_eq!(
            canon(input),
            r#"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        );
    }

    #[test]
    fn numbers_parse_to_the_nearest_double_so_canonicalising_is_idempotent() {
        // Found by the `consent_document` fuzz target: without serde_json's `float_roundtrip`
        // feature `21E28` parsed one ulp off and was written `2.0999999999999998e+29`, which
        // parsed back to 2.1e29 and was then written `2.1e+29`.
        for (input, expected) in [
            ("21E28", "2.1e+29"),
            ("333333333.33333329", "333333333.3333333"),
            ("0.1", "0.1"),
            ("1.7976931348623157e308", "1.7976931348623157e+308"),
            ("5e-324", "5e-324"),
            ("123456789012345680000", "123456789012345680000"),
        ] {
            let once = canon(input);
            assert_eq!(once, expected, "{input}");
            assert_eq!(canon(&once), once, "{input}: not idempotent");
        }
    }

    #[test]
    fn rfc8785_section_3_2_3_sorting_by_utf16() {
        let input = r#"{
          "\u20ac": "Euro Sign",
          "\r": "Carriage Return",
          "\ufb33": "Hebrew Letter Dalet With Dagesh",
          "1": "One",
          "\ud83d\ude00": "Emoji: Grinning Face",
          "\u0080": "Control",
          "\u00f6": "Latin Small Letter O With Diaeresis"
        }"#;
        let out = canon(input);
        let order: Vec<&str> = [
            "Carriage Return",
            "One",
            "Control",
            "Latin Small Letter O With Diaeresis",
            "Euro Sign",
            "Emoji: Grinning Face",
            "Hebrew Letter Dalet With Dagesh",
        ]
        .to_vec();
        let positions: Vec<usize> = order.iter().map(|v| out.find(v).unwrap()).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{out}");
        // U+1F600 (UTF-16 D83D DE00) sorts before U+FB33 although its code point is larger.
        assert!(out.find('😀').unwrap() < out.find('\u{fb33}').unwrap());
        // U+0080 is not escaped: only controls below U+0020 are.
        assert!(out.contains("\"\u{80}\":\"Control\""));
        assert!(out.starts_with(r#"{"\r":"Carriage Return","1":"One","#));
    }

    #[test]
    fn utf16_order_differs_from_code_point_order() {
        let mut map = serde_json::Map::new();
        map.insert("\u{ff61}".into(), Value::from(1));
        map.insert("\u{10000}".into(), Value::from(2));
        map.insert("\u{e000}".into(), Value::from(3));
        let out = String::from_utf8(to_canonical_json(&Value::Object(map))).unwrap();
        // In UTF-16 code units U+10000 is D800 DC00, so it sorts before U+E000 and U+FF61
        // although its code point is larger than both.
        assert_eq!(out, "{\"\u{10000}\":2,\"\u{e000}\":3,\"\u{ff61}\":1}");
    }

    #[test]
    fn string_escapes() {
        let s: String =
            (0u32..0x20).filter_map(char::from_u32).collect::<String>() + "\"\\/\u{7f}é日本😀";
        let out = String::from_utf8(to_canonical_json(&Value::String(s))).unwrap();
        assert_eq!(
            out,
            "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f\
             \\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\
             \\\"\\\\/\u{7f}é日本😀\""
        );
    }

    #[test]
    fn nested_and_empty() {
        assert_eq!(canon(" { } "), "{}");
        assert_eq!(canon("[ ]"), "[]");
        assert_eq!(
            canon(r#"{"b":{"z":[],"y":{}},"a":[{"d":1,"c":-2}]}"#),
            r#"{"a":[{"c":-2,"d":1}],"b":{"y":{},"z":[]}}"#
        );
    }

    #[test]
    fn integers() {
        assert_eq!(canon("0"), "0");
        assert_eq!(canon("-0"), "0");
        assert_eq!(canon("-1"), "-1");
        assert_eq!(canon("9007199254740992"), "9007199254740992");
        assert_eq!(canon("-9007199254740992"), "-9007199254740992");
        // Beyond 2^53 the nearest double is printed, as ECMAScript would.
        assert_eq!(canon("9007199254740993"), "9007199254740992");
        assert_eq!(canon("18446744073709551615"), "18446744073709552000");
        assert_eq!(canon("100000000000000000000000"), "1e+23");
    }

    #[test]
    fn rfc8785_appendix_b_numbers() {
        let cases: [(u64, &str); 24] = [
            (0x0000000000000000, "0"),
            (0x8000000000000000, "0"),
            (0x0000000000000001, "5e-324"),
            (0x8000000000000001, "-5e-324"),
            (0x7fefffffffffffff, "1.7976931348623157e+308"),
            (0xffefffffffffffff, "-1.7976931348623157e+308"),
            (0x4340000000000000, "9007199254740992"),
            (0xc340000000000000, "-9007199254740992"),
            (0x4430000000000000, "295147905179352830000"),
            (0x44b52d02c7e14af5, "9.999999999999997e+22"),
            (0x44b52d02c7e14af6, "1e+23"),
            (0x44b52d02c7e14af7, "1.0000000000000001e+23"),
            (0x444b1ae4d6e2ef4e, "999999999999999700000"),
            (0x444b1ae4d6e2ef4f, "999999999999999900000"),
            (0x444b1ae4d6e2ef50, "1e+21"),
            (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"),
            (0x3eb0c6f7a0b5ed8d, "0.000001"),
            (0x41b3de4355555553, "333333333.3333332"),
            (0x41b3de4355555554, "333333333.33333325"),
            (0x41b3de4355555555, "333333333.3333333"),
            (0x41b3de4355555556, "333333333.3333334"),
            (0x41b3de4355555557, "333333333.33333343"),
            (0xbecbf647612f3696, "-0.0000033333333333333333"),
            (0x43143ff3c1cb0959, "1424953923781206.2"),
        ];
        for (bits, expected) in cases {
            let f = f64::from_bits(bits);
            assert_eq!(ecmascript_number(f), expected, "{bits:016x}");
            let n = Number::from_f64(f).unwrap();
            assert_eq!(
                String::from_utf8(to_canonical_json(&Value::Number(n))).unwrap(),
                expected
            );
        }
    }
}
