//! How the commands print: the JSON view of a certificate, JSON objects as aligned text, and
//! bytes as hex. Used by every command module; uses none of them.

use mynasign::cert::JpkiCertificate;
use serde_json::{json, Value};

/// The JSON view of a certificate (keys named in the project's CLI contract).
pub fn cert_json(cert: &JpkiCertificate) -> Value {
    let attrs = cert.signature_attributes();
    let a = attrs.map(|s| &s.attributes);
    json!({
        "kind": format!("{:?}", cert.kind()),
        "issuance_number": cert.issuance_number(),
        "subject": cert.subject(),
        "issuer": cert.issuer(),
        "not_before": cert.not_before().to_string(),
        "not_after": cert.not_after().to_string(),
        "name": a.map(|a| a.name.clone()),
        "sex": a.map(|a| a.sex.as_str()),
        "date_of_birth": a.map(|a| a.date_of_birth.to_string()),
        "address": a.map(|a| a.address.clone()),
        "name_substitute_flags": attrs.map(|s| s.name_substitute_flags.clone()),
        "address_substitute_flags": attrs.map(|s| s.address_substitute_flags.clone()),
        "policies": cert.policies(),
    })
}

pub fn print_text(v: &Value) {
    if let Value::Object(map) = v {
        for (k, v) in map {
            let shown = match v {
                Value::String(s) => s.clone(),
                Value::Null => "-".to_string(),
                other => other.to_string(),
            };
            println!("{k:<26} {shown}");
        }
    }
}

/// Uppercase hex with spaces.
pub fn hex(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}
