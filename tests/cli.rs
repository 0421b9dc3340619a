//! The `mynasign` command-line tool, run as a user runs it: exit codes, JSON on stdout,
//! messages on stderr, no panics on bad input.

use std::process::{Command, Output};

use mynasign::emulator::Persona;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_mynasign");

#[path = "support/external.rs"]
mod external;
use external::{describe, s, Scratch};

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("run the mynasign binary")
}

/// Runs a command that must succeed and print exactly one JSON object on stdout.
fn run_json(args: &[&str]) -> Value {
    let out = run(args);
    assert!(out.status.success(), "{args:?}: {}", describe(&out));
    parse_one_object(&out)
}

fn parse_one_object(out: &Output) -> Value {
    let stdout = String::from_utf8(out.stdout.clone()).expect("UTF-8 stdout");
    let trimmed = stdout.trim();
    assert_eq!(
        trimmed.lines().count(),
        1,
        "expected one JSON line: {}",
        describe(out)
    );
    let v: Value = serde_json::from_str(trimmed).expect("stdout is JSON");
    assert!(v.is_object(), "not an object: {v}");
    v
}

/// A failure: non-zero exit, a message on stderr, no panic.
fn assert_clean_failure(out: &Output, what: &str) {
    assert!(!out.status.success(), "{what} succeeded: {}", describe(out));
    assert_eq!(
        out.status.code(),
        Some(1),
        "{what}: not an ordinary error exit: {}",
        describe(out)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("mynasign:"),
        "{what}: no message: {}",
        describe(out)
    );
    assert!(
        !stderr.contains("panicked"),
        "{what}: panicked: {}",
        describe(out)
    );
}

fn str_field<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string {key:?} in {v}"))
}

fn u64_field(v: &Value, key: &str) -> u64 {
    v.get(key)
        .and_then(Value::as_u64)
        .unwrap_or_else(|| panic!("no number {key:?} in {v}"))
}

// ---------------------------------------------------------------------------------------------
// demo
// ---------------------------------------------------------------------------------------------

#[test]
fn demo_json_reports_a_valid_signature_in_six_exchanges() {
    let out = run(&["demo", "--json"]);
    assert!(out.status.success(), "{}", describe(&out));
    // JSON on stdout, nothing on stderr.
    assert!(out.stderr.is_empty(), "{}", describe(&out));
    let v = parse_one_object(&out);
    assert_eq!(v["profile"], "card");
    assert_eq!(v["signature_valid"], true, "{v}");
    let exchanges = u64_field(&v, "apdu_exchanges");
    assert!((1..=6).contains(&exchanges), "{exchanges} exchanges");
    assert!(u64_field(&v, "bytes_sent") > 0);
    // At least the certificate and the 256-byte signature came back.
    assert!(u64_field(&v, "bytes_received") > 256 + u64_field(&v, "certificate_bytes"));
}

#[test]
fn demo_plain_takes_more_exchanges_and_still_verifies() {
    let v = run_json(&["demo", "--plain", "--json"]);
    assert_eq!(v["signature_valid"], true, "{v}");
    assert_eq!(v["profile"], "card");
    let n = u64_field(&v, "apdu_exchanges");
    assert!(n > 6 && n <= 16, "{v}");
}

#[test]
fn demo_on_the_android_profile() {
    let v = run_json(&["demo", "--profile", "android", "--json"]);
    assert_eq!(v["profile"], "android");
    assert_eq!(v["signature_valid"], true, "{v}");
}

#[test]
fn demo_unknown_profile_is_an_error() {
    let out = run(&["demo", "--profile", "nokia", "--json"]);
    assert_clean_failure(&out, "unknown profile");
    assert!(out.stdout.is_empty(), "{}", describe(&out));
}

// ---------------------------------------------------------------------------------------------
// emulator export-ca, cert show
// ---------------------------------------------------------------------------------------------

#[test]
fn export_ca_writes_pem_that_cert_show_reads() {
    let dir = Scratch::new("cli", "export");
    let file = dir.path("ca.pem");
    let out = run(&["emulator", "export-ca", s(&file)]);
    assert!(out.status.success(), "{}", describe(&out));
    let pem = std::fs::read_to_string(&file).expect("PEM written");
    assert_eq!(pem.matches("-----BEGIN CERTIFICATE-----").count(), 2);
    let v = run_json(&["cert", "show", s(&file), "--json"]);
    assert!(str_field(&v, "issuer").contains("mynasign EMULATOR"), "{v}");
    assert!(
        str_field(&v, "subject").contains("mynasign EMULATOR"),
        "{v}"
    );
}

fn check_persona_cert_json(v: &Value, persona: &Persona) {
    let cert = persona.signature_certificate();
    let a = persona.attributes();
    assert_eq!(str_field(v, "issuance_number"), cert.issuance_number());
    assert_eq!(str_field(v, "name"), a.name);
    assert_eq!(str_field(v, "sex"), a.sex.as_str());
    let dob = str_field(v, "date_of_birth");
    assert_eq!(dob, a.date_of_birth.to_string());
    assert!(is_iso_date(dob), "{dob}");
    assert_eq!(str_field(v, "address"), a.address);
    assert_eq!(str_field(v, "not_before"), cert.not_before().to_string());
    assert_eq!(str_field(v, "not_after"), cert.not_after().to_string());
    assert_eq!(str_field(v, "issuer"), cert.issuer());
    assert!(str_field(v, "issuer").contains("mynasign EMULATOR"));
}

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

#[test]
fn cert_show_a_persona_certificate_der_and_pem() {
    let dir = Scratch::new("cli", "certshow");
    let persona = Persona::from_seed(1);
    let der = dir.write("sign.cer", persona.signature_certificate_der());
    let out = run(&["cert", "show", s(&der), "--json"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(out.stderr.is_empty(), "{}", describe(&out));
    check_persona_cert_json(&parse_one_object(&out), &persona);

    let pem = dir.write("sign.pem", persona.signature_certificate().to_pem());
    check_persona_cert_json(&run_json(&["cert", "show", s(&pem), "--json"]), &persona);

    // A PEM chain: the first certificate is shown.
    let chain = format!(
        "{}{}",
        persona.signature_certificate().to_pem(),
        mynasign::emulator::EmulatorCa::shared().signature_ca_pem()
    );
    let chain = dir.write("chain.pem", chain);
    check_persona_cert_json(&run_json(&["cert", "show", s(&chain), "--json"]), &persona);

    // The text form carries the same values.
    let out = run(&["cert", "show", s(&der)]);
    assert!(out.status.success(), "{}", describe(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&persona.signature_certificate().issuance_number()));
}

#[test]
fn cert_show_of_bad_files_fails_cleanly() {
    let dir = Scratch::new("cli", "certbad");
    let der = Persona::from_seed(1).signature_certificate_der().to_vec();
    for (name, bytes) in [
        ("truncated.cer", der[..der.len() / 2].to_vec()),
        ("one-byte.cer", der[..1].to_vec()),
        ("empty.cer", Vec::new()),
        (
            "garbage.pem",
            b"-----BEGIN CERTIFICATE-----\n!!!\n".to_vec(),
        ),
    ] {
        let f = dir.write(name, bytes);
        let out = run(&["cert", "show", s(&f), "--json"]);
        assert_clean_failure(&out, name);
        assert!(out.stdout.is_empty(), "{name}: {}", describe(&out));
    }
    let out = run(&["cert", "show", s(&dir.path("missing.cer"))]);
    assert_clean_failure(&out, "missing file");
}

// ---------------------------------------------------------------------------------------------
// info parse
// ---------------------------------------------------------------------------------------------

#[test]
fn info_parse_a_persona_record() {
    let dir = Scratch::new("cli", "info");
    let persona = Persona::from_seed(1);
    let record = persona.attributes_record();
    let f = dir.write("0002.bin", &record);
    let v = run_json(&["info", "parse", s(&f), "--json"]);
    let a = persona.attributes();
    assert_eq!(str_field(&v, "name"), a.name);
    assert_eq!(str_field(&v, "sex"), a.sex.as_str());
    assert_eq!(str_field(&v, "date_of_birth"), a.date_of_birth.to_string());
    assert!(is_iso_date(str_field(&v, "date_of_birth")));
    assert_eq!(str_field(&v, "address"), a.address);

    // The special persona with substitute characters and a long address parses too.
    let special = Persona::from_seed(Persona::SEED_SUBSTITUTE_CHARACTERS);
    let f = dir.write("0002-special.bin", special.attributes_record());
    let v = run_json(&["info", "parse", s(&f), "--json"]);
    assert_eq!(str_field(&v, "address"), special.attributes().address);
}

#[test]
fn info_parse_malformed_records_fail_cleanly() {
    let dir = Scratch::new("cli", "infobad");
    let record = Persona::from_seed(1).attributes_record();
    let mut wrong_tag = record.clone();
    wrong_tag[0] ^= 0xFF;
    for (name, bytes) in [
        ("truncated.bin", record[..record.len() / 2].to_vec()),
        ("short.bin", record[..3].to_vec()),
        ("empty.bin", Vec::new()),
        ("wrong-tag.bin", wrong_tag),
        ("text.bin", b"not a record".to_vec()),
    ] {
        let f = dir.write(name, bytes);
        let out = run(&["info", "parse", s(&f), "--json"]);
        assert_clean_failure(&out, name);
        assert!(out.stdout.is_empty(), "{name}: {}", describe(&out));
    }
}

// ---------------------------------------------------------------------------------------------
// consent sign / verify / period
// ---------------------------------------------------------------------------------------------

#[test]
fn consent_sign_then_verify() {
    let dir = Scratch::new("cli", "consent");
    let f = dir.path("consent.p7s");
    let signed = run_json(&[
        "consent",
        "sign",
        "--out",
        s(&f),
        "--nonce",
        "cli-test-0001",
        "--json",
    ]);
    assert_eq!(
        u64_field(&signed, "cms_bytes"),
        std::fs::metadata(&f).expect("CMS written").len()
    );

    // Strict by default: without a CRL or OCSP response, revocation is not established.
    let out = run(&["consent", "verify", s(&f), "--trust", "emulator", "--json"]);
    assert_clean_failure(&out, "no revocation evidence");
    assert_eq!(
        str_field(&parse_one_object(&out), "reason"),
        "RevocationNotChecked"
    );
    assert_eq!(
        str_field(&parse_one_object(&out), "code"),
        "revocation_not_checked"
    );
    let v = run_json(&[
        "consent",
        "verify",
        s(&f),
        "--trust",
        "emulator",
        "--no-revocation-check",
        "--json",
    ]);
    assert_eq!(v["revocation"]["method"], "not_checked", "{v}");
    // With the emulator root as --root, its current CRL, the service's nonce and channel.
    let ca = mynasign::emulator::EmulatorCa::shared();
    let root = dir.write("root.der", ca.signature_ca_der());
    let crl = dir.write(
        "root.crl",
        ca.issue_crl(&[], std::time::SystemTime::now())
            .expect("CRL"),
    );
    let v = run_json(&[
        "consent",
        "verify",
        s(&f),
        "--root",
        s(&root),
        "--crl",
        s(&crl),
        "--nonce",
        "cli-test-0001",
        "--channel",
        "licence_centre_kiosk",
        "--json",
    ]);
    assert_eq!(v["revocation"]["method"], "crl", "{v}");
    assert_eq!(str_field(&v, "consent_id").len(), 64, "{v}");
    // The same root given as --signature-root verifies alike; as --authentication-root, the
    // signature certificate chains to a root of the other family: refused, with its code.
    let same = run_json(&[
        "consent",
        "verify",
        s(&f),
        "--signature-root",
        s(&root),
        "--crl",
        s(&crl),
        "--json",
    ]);
    assert_eq!(same["consent_id"], v["consent_id"], "{same}");
    let out = run(&[
        "consent",
        "verify",
        s(&f),
        "--authentication-root",
        s(&root),
        "--crl",
        s(&crl),
        "--json",
    ]);
    assert_clean_failure(&out, "root of the other family");
    assert_eq!(
        str_field(&parse_one_object(&out), "code"),
        "wrong_root_family"
    );
    // A --root whose name says neither family (the J-LIS roots' OU names it) is taken as a
    // signature root, as the command verifies consents: the store accepts it and the chain is
    // judged (this root did not issue the signer's chain), where the Rust API's
    // TrustStore::custom refuses it (CertError::UnknownRootFamily).
    let other = dir.path("other-root.der");
    let key = dir.path("other-root.key");
    let made = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ])
        .args([
            "-subj",
            "/C=JP/O=Other Test Hierarchy/CN=Other Root",
            "-nodes",
            "-days",
            "30",
        ])
        .args(["-keyout", s(&key), "-outform", "DER", "-out", s(&other)])
        .output()
        .expect("openssl");
    assert!(made.status.success(), "openssl req: {}", describe(&made));
    let out = run(&[
        "consent",
        "verify",
        s(&f),
        "--root",
        s(&other),
        "--no-revocation-check",
        "--json",
    ]);
    assert_clean_failure(&out, "a root that did not issue the chain");
    assert_eq!(
        str_field(&parse_one_object(&out), "code"),
        "untrusted_chain"
    );
    // Another nonce: refused.
    let out = run(&[
        "consent",
        "verify",
        s(&f),
        "--root",
        s(&root),
        "--crl",
        s(&crl),
        "--nonce",
        "other",
        "--json",
    ]);
    assert_clean_failure(&out, "other nonce");
    assert_eq!(
        str_field(&parse_one_object(&out), "reason"),
        "NonceMismatch"
    );
    // The OCSP request for the signer certificate.
    let cert = dir.write("signer.der", persona_cert_der());
    let req = dir.path("req.der");
    let out = run(&[
        "ocsp",
        "request",
        s(&cert),
        "--root",
        s(&root),
        "--nonce",
        "00112233",
        "--out",
        s(&req),
    ]);
    assert!(out.status.success(), "ocsp request");
    assert_eq!(std::fs::read(&req).expect("request written")[0], 0x30);

    let v = run_json(&[
        "consent",
        "verify",
        s(&f),
        "--trust",
        "emulator",
        "--no-revocation-check",
        "--json",
    ]);
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["document_type"], "address_change_consent", "{v}");
    assert_eq!(v["document"]["nonce"], "cli-test-0001", "{v}");
    assert_eq!(v["certificate_source"], "card", "{v}");
    let persona = Persona::from_seed(1);
    assert_eq!(
        str_field(&v, "issuance_number"),
        persona.signature_certificate().issuance_number()
    );
    assert_eq!(str_field(&v, "name"), persona.attributes().name);

    // Production trust: invalid, with a reason, non-zero exit.
    let out = run(&[
        "consent",
        "verify",
        s(&f),
        "--trust",
        "production",
        "--json",
    ]);
    assert_clean_failure(&out, "production trust");
    let v = parse_one_object(&out);
    assert_eq!(v["valid"], false, "{v}");
    assert_eq!(str_field(&v, "reason"), "UntrustedChain");
    assert!(!str_field(&v, "message").is_empty());

    // A changed byte: invalid.
    let mut cms = std::fs::read(&f).expect("read CMS");
    let last = cms.len() - 1;
    cms[last] ^= 0x01;
    let bad = dir.write("tampered.p7s", &cms);
    let out = run(&[
        "consent",
        "verify",
        s(&bad),
        "--trust",
        "emulator",
        "--json",
    ]);
    assert_clean_failure(&out, "tampered CMS");
    let v = parse_one_object(&out);
    assert_eq!(v["valid"], false, "{v}");
    assert_eq!(str_field(&v, "reason"), "SignatureMismatch");

    // Not a CMS at all.
    let junk = dir.write("junk.p7s", b"\x30\x03\x02\x01");
    let out = run(&["consent", "verify", s(&junk), "--trust", "emulator"]);
    assert_clean_failure(&out, "junk CMS");
}

#[test]
fn consent_sign_on_a_smartphone_for_the_kiosk_is_refused() {
    let dir = Scratch::new("cli", "channel");
    let f = dir.path("consent.p7s");
    let out = run(&[
        "consent",
        "sign",
        "--out",
        s(&f),
        "--nonce",
        "cli-test-0002",
        "--profile",
        "android",
        "--channel",
        "licence_centre_kiosk",
    ]);
    assert_clean_failure(&out, "smartphone at the kiosk");
    assert!(!f.exists(), "a CMS was written despite the refusal");
}

#[test]
fn consent_period_rows() {
    for (date, first, last) in [
        ("2028-02-29", "2028-03-01", "2038-02-28"),
        ("2026-11-22", "2026-11-23", "2036-11-22"),
        ("2028-02-28", "2028-02-29", "2038-02-28"),
        ("2027-02-28", "2027-03-01", "2037-02-28"),
        ("2031-12-31", "2032-01-01", "2041-12-31"),
    ] {
        let v = run_json(&["consent", "period", date, "--json"]);
        assert_eq!(str_field(&v, "consent_date"), date, "{v}");
        assert_eq!(str_field(&v, "first_day"), first, "{date}: {v}");
        assert_eq!(str_field(&v, "last_day"), last, "{date}: {v}");
    }
    let out = run(&["consent", "period", "2027-02-29", "--json"]);
    assert_clean_failure(&out, "not a date");
    assert!(out.stdout.is_empty(), "{}", describe(&out));
}

fn persona_cert_der() -> Vec<u8> {
    Persona::from_seed(1).signature_certificate_der().to_vec()
}

// ---------------------------------------------------------------------------------------------
// persona files (examples/personas/)
// ---------------------------------------------------------------------------------------------

fn persona_file(name: &str) -> String {
    format!("{}/examples/personas/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn sign_with_persona(file: &str, out: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "consent",
        "sign",
        "--persona",
        file,
        "--out",
        out,
        "--nonce",
        "persona-test",
        "--channel",
        "mynaportal",
        "--json",
    ];
    args.extend_from_slice(extra);
    run(&args)
}

fn verify_json(cms: &str, extra: &[&str]) -> (Option<i32>, Value) {
    let mut args = vec![
        "consent",
        "verify",
        cms,
        "--trust",
        "emulator",
        "--nonce",
        "persona-test",
        "--json",
    ];
    args.extend_from_slice(extra);
    let out = run(&args);
    (out.status.code(), parse_one_object(&out))
}

#[test]
fn every_example_persona_file_through_the_cli() {
    let dir = Scratch::new("cli", "personas");
    let files: Vec<String> =
        std::fs::read_dir(format!("{}/examples/personas", env!("CARGO_MANIFEST_DIR")))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".json"))
            .collect();
    assert_eq!(files.len(), 7, "{files:?}");
    let cms = dir.path("consent.der");
    let cms = s(&cms);
    for name in &files {
        let file = persona_file(name);
        let status = run_json(&["pin", "status", "--persona", &file, "--json"]);
        let remaining = u64_field(&status["signature_password"], "remaining");
        let _ = std::fs::remove_file(cms);
        let out = sign_with_persona(&file, cms, &[]);
        match name.as_str() {
            "blocked-signature-password.json" => {
                assert_eq!(remaining, 0);
                assert_eq!(out.status.code(), Some(4), "{}", describe(&out));
                assert!(String::from_utf8_lossy(&out.stderr).contains("municipality"));
            }
            "one-attempt-left.json" => {
                assert_eq!(remaining, 1);
                assert_eq!(out.status.code(), Some(4), "{}", describe(&out));
                // With the holder's explicit agreement the last attempt is used and succeeds.
                let out = sign_with_persona(&file, cms, &["--allow-last-attempt"]);
                assert!(out.status.success(), "{}", describe(&out));
                let (code, v) = verify_json(cms, &["--no-revocation-check"]);
                assert_eq!(code, Some(0), "{v}");
            }
            "under-15.json" => {
                assert_eq!(out.status.code(), Some(6), "{}", describe(&out));
                assert!(
                    String::from_utf8_lossy(&out.stderr).contains("no signature certificate"),
                    "{}",
                    describe(&out)
                );
            }
            "expired-certificate.json" => {
                assert!(out.status.success(), "{}", describe(&out));
                let (code, v) = verify_json(cms, &["--no-revocation-check"]);
                assert_eq!(code, Some(1), "{v}");
                assert_eq!(v["reason"], "NotValidAtTime", "{v}");
            }
            "revoked-certificate.json" => {
                assert!(out.status.success(), "{}", describe(&out));
                let crl = dir.path("revoked.crl");
                let out = run(&["emulator", "crl", "--persona", &file, "--out", s(&crl)]);
                assert!(out.status.success(), "{}", describe(&out));
                let (code, v) = verify_json(cms, &["--crl", s(&crl)]);
                assert_eq!(code, Some(1), "{v}");
                assert_eq!(v["reason"], "Revoked", "{v}");
                // The same card's CRL from a persona that was never revoked lists nothing.
                let clean = dir.path("clean.crl");
                let other = persona_file("long-address-non-jis.json");
                let out = run(&["emulator", "crl", "--persona", &other, "--out", s(&clean)]);
                assert!(out.status.success(), "{}", describe(&out));
                let (code, v) = verify_json(cms, &["--crl", s(&clean)]);
                assert_eq!(code, Some(0), "{v}");
            }
            "android-smartphone.json" => {
                assert!(out.status.success(), "{}", describe(&out));
                let (code, v) = verify_json(cms, &["--no-revocation-check"]);
                assert_eq!(code, Some(0), "{v}");
                assert_eq!(v["certificate_source"], "smartphone", "{v}");
                assert_eq!(str_field(&status, "profile"), "android");
            }
            "long-address-non-jis.json" => {
                assert!(out.status.success(), "{}", describe(&out));
                let (code, v) = verify_json(cms, &["--no-revocation-check"]);
                assert_eq!(code, Some(0), "{v}");
                let spec = std::fs::read_to_string(&file).unwrap();
                let spec: Value = serde_json::from_str(&spec).unwrap();
                // The holder's attributes pass through exactly, unnormalised.
                assert_eq!(v["address"], spec["holder"]["address"], "{v}");
                assert!(str_field(&spec["holder"], "address").len() > 255);
            }
            other => panic!("no expectation for {other}"),
        }
    }
}

#[test]
fn a_bad_persona_file_is_a_clean_error() {
    let dir = Scratch::new("cli", "bad-persona");
    let file = dir.write(
        "typo.json",
        r#"{"format": "mynasign-persona/1", "holdr": {}}"#,
    );
    let out = run(&["pin", "status", "--persona", s(&file)]);
    assert_clean_failure(&out, "a persona file with a typo");
    assert!(String::from_utf8_lossy(&out.stderr).contains("holdr"));
}

// ---------------------------------------------------------------------------------------------
// info read --authentic / info verify (the basic four with their integrity record)
// ---------------------------------------------------------------------------------------------

/// Whether `out` shows any of the persona's basic four, as the CLI would print them.
fn shows_attributes(out: &Output, persona: &Persona) -> bool {
    let a = persona.attributes();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    [
        a.name.clone(),
        a.address.clone(),
        a.date_of_birth.to_string(),
    ]
    .iter()
    .any(|v| text.contains(v.as_str()))
}

#[test]
fn info_read_authentic_then_verify_the_files_and_the_evidence() {
    let dir = Scratch::new("cli", "authentic");
    let persona = Persona::from_seed(1);
    let evidence = dir.path("evidence.json");
    let files = dir.path("files");
    let args = [
        "info",
        "read",
        "--authentic",
        "--json",
        "--out",
        s(&evidence),
        "--files",
        s(&files),
    ];
    let out = run(&args);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(!shows_attributes(&out, &persona), "{}", describe(&out));
    let v = parse_one_object(&out);
    assert_eq!(v["authentic"], true);
    assert_eq!(v["card_present"], true);
    assert_eq!(u64_field(&v, "apdu_exchanges"), 8);
    assert_eq!(str_field(&v, "issuer_key_id"), "9000033/001");
    let challenge = str_field(&v, "challenge").to_owned();

    let shown = run(&["info", "read", "--authentic", "--show-attributes"]);
    assert!(shown.status.success(), "{}", describe(&shown));
    assert!(shows_attributes(&shown, &persona));

    // The files, verified later: production (the default) does not know the emulator's CA.
    let f = |n: &str| s(&files.join(n)).to_owned();
    let three = |b: &str, r: &str, c: &str, extra: &[&str]| {
        let mut a = vec![
            "info",
            "verify",
            "--basic-four",
            b,
            "--integrity-record",
            r,
            "--ap-certificate",
            c,
        ];
        a.extend_from_slice(extra);
        run(&a)
    };
    let (b, r, c) = (
        f("basic-four.bin"),
        f("integrity-record.bin"),
        f("ap-certificate.bin"),
    );
    let out = three(&b, &r, &c, &[]);
    assert_clean_failure(&out, "production hierarchy");
    assert!(String::from_utf8_lossy(&out.stderr).contains("9000033/001"));
    let out = three(&b, &r, &c, &["--hierarchy", "emulator", "--json"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(!shows_attributes(&out, &persona));
    assert_eq!(parse_one_object(&out)["authentic"], true);

    // One byte changed in each file.
    for (name, at, reason) in [
        ("basic-four.bin", 20, "do not match the integrity record"),
        ("integrity-record.bin", 12, "integrity record's signature"),
        ("ap-certificate.bin", 300, "certificate's signature"),
    ] {
        let mut bytes = std::fs::read(files.join(name)).unwrap();
        bytes[at] ^= 0x01;
        let changed = dir.write(&format!("changed-{name}"), bytes);
        let mut paths = [b.clone(), r.clone(), c.clone()];
        let i = [
            "basic-four.bin",
            "integrity-record.bin",
            "ap-certificate.bin",
        ]
        .iter()
        .position(|n| *n == name)
        .unwrap();
        paths[i] = s(&changed).to_owned();
        let out = three(
            &paths[0],
            &paths[1],
            &paths[2],
            &["--hierarchy", "emulator"],
        );
        assert_clean_failure(&out, name);
        assert!(out.stdout.is_empty(), "{name}: {}", describe(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(reason),
            "{name}: {}",
            describe(&out)
        );
        assert!(!shows_attributes(&out, &persona));
    }

    // The evidence object, with the challenge that was issued, and with another one.
    let ev = s(&evidence);
    let v = run_json(&[
        "info",
        "verify",
        "--evidence",
        ev,
        "--challenge",
        &challenge,
        "--hierarchy",
        "emulator",
        "--json",
    ]);
    assert_eq!(v["card_present"], true);
    let other = "00".repeat(32);
    let out = run(&[
        "info",
        "verify",
        "--evidence",
        ev,
        "--challenge",
        &other,
        "--hierarchy",
        "emulator",
    ]);
    assert_clean_failure(&out, "another challenge");
    assert!(String::from_utf8_lossy(&out.stderr).contains("another challenge"));
    // Only one hierarchy at a time: the test hierarchy knows no emulator either.
    let out = three(&b, &r, &c, &["--hierarchy", "test", "--json"]);
    assert_clean_failure(&out, "test hierarchy");
    let v = parse_one_object(&out);
    assert_eq!(v["authentic"], false);
    assert_eq!(str_field(&v, "code"), "unknown_authority");
}

#[test]
fn info_read_authentic_refuses_the_tampered_persona_cards() {
    let dir = Scratch::new("cli", "tampered");
    for (integrity, code, reason) in [
        ("tampered_record", 1, "integrity record's signature"),
        ("certificate_from_wrong_ca", 1, "certificate's signature"),
        ("missing_record", 6, "file 0003 not found"),
    ] {
        let persona = format!(
            r#"{{"format":"mynasign-persona/1","seed":2701,
               "holder":{{"name":"山本　陽子","address":"北海道札幌市中央区北一条西２丁目１",
                          "date_of_birth":"1970-01-05","sex":"female"}},
               "pins":{{"signature_password":"YOKO70","authentication_pin":"1470","card_info_pin":"2580"}},
               "card_info_integrity":"{integrity}"}}"#
        );
        let file = dir.write(&format!("{integrity}.json"), persona);
        let out = run(&[
            "info",
            "read",
            "--authentic",
            "--persona",
            s(&file),
            "--json",
        ]);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{integrity}: {}",
            describe(&out)
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(reason), "{integrity}: {}", describe(&out));
        assert!(!stderr.contains("山本") && !stderr.contains("札幌"));
    }
}

#[test]
fn linkage_check_can_require_authentic_attributes_and_says_so() {
    let v = run_json(&["linkage", "check", "--json"]);
    assert_eq!(
        (v["match"].clone(), v["card_info_authentic"].clone()),
        (true.into(), false.into())
    );
    let v = run_json(&["linkage", "check", "--json", "--require-authentic"]);
    assert_eq!(v["match"], true);
    assert_eq!(v["card_info_authentic"], true);
    assert_eq!(v["card_present"], true);
    // Authentic against the wrong hierarchy: no comparison at all.
    let out = run(&[
        "linkage",
        "check",
        "--require-authentic",
        "--hierarchy",
        "production",
    ]);
    assert_clean_failure(&out, "production hierarchy");
    assert!(out.stdout.is_empty(), "{}", describe(&out));
}

// ---------------------------------------------------------------------------------------------
// auth (login with the user-authentication certificate) and emulator ocsp
// ---------------------------------------------------------------------------------------------

/// `auth challenge`, `auth sign` on the emulated card, `emulator ocsp`, `auth verify` and
/// `auth verify-certificate`: accepted with exit 0; refused (relayed, revoked, expired, a
/// signature certificate, no revocation) with exit 1 and the refusal's code.
#[test]
fn auth_challenge_sign_verify_and_the_emulator_ocsp() {
    let dir = Scratch::new("cli", "auth");
    let ch = dir.path("challenge.json");
    let resp = dir.path("response.json");
    let root = dir.path("auth-root.der");
    std::fs::write(
        &root,
        mynasign::emulator::EmulatorCa::shared().authentication_ca_der(),
    )
    .unwrap();
    let c = run_json(&[
        "auth",
        "challenge",
        "--service",
        "https://login.example.jp",
        "--out",
        s(&ch),
    ]);
    assert_eq!(str_field(&c, "form"), "bound");
    assert_eq!(str_field(&c, "nonce").len(), 64);
    let signed = run_json(&[
        "auth",
        "sign",
        "--challenge",
        s(&ch),
        "--out",
        s(&resp),
        "--quiet",
        "--json",
    ]);
    assert_eq!(u64_field(&signed, "exchanges"), 6, "{signed}");
    // The certificate, for the OCSP answers.
    let cert = dir.write(
        "auth-cert.der",
        Persona::from_seed(1).authentication_certificate_der(),
    );
    // `emulator ocsp` about the certificate, written to `name`, with `extra` options.
    let ocsp_answer = |name: &str, extra: &[&str]| {
        let path = dir.path(name);
        let base = ["emulator", "ocsp", "--cert", s(&cert), "--out", s(&path)];
        let out = run(&[&base[..], extra].concat());
        assert!(out.status.success(), "{}", describe(&out));
        path
    };
    // `auth verify` of the response to the challenge, under the authentication root; each
    // call adds its own options.
    let verify = [
        "auth",
        "verify",
        s(&resp),
        "--challenge",
        s(&ch),
        "--root",
        s(&root),
        "--json",
    ];
    let good = ocsp_answer("good.ocsp", &["--nonce", "0a0b0c"]);
    let v = run_json(
        &[
            &verify[..],
            &["--ocsp-response", s(&good), "--ocsp-nonce", "0a0b0c"],
        ]
        .concat(),
    );
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["revocation"]["method"], "ocsp", "{v}");
    assert_eq!(
        str_field(&v, "serial"),
        Persona::from_seed(1)
            .authentication_certificate()
            .serial_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    // The same with --trust emulator, and without the nonce expected.
    let v = run_json(&[
        "auth",
        "verify",
        s(&resp),
        "--challenge",
        s(&ch),
        "--trust",
        "emulator",
        "--ocsp-response",
        s(&good),
        "--json",
    ]);
    assert_eq!(v["valid"], true, "{v}");

    let refused = |args: &[&str], code: &str| {
        let out = run(args);
        assert_clean_failure(&out, code);
        assert_eq!(str_field(&parse_one_object(&out), "code"), code, "{args:?}");
    };
    let verify_with = |ocsp: &str, extra: &[&str], code: &str| {
        refused(
            &[&verify[..], &["--ocsp-response", ocsp], extra].concat(),
            code,
        );
    };
    // Revoked by the emulator's OCSP responder.
    let revoked = ocsp_answer("revoked.ocsp", &["--revoked-at", "2025-01-01T00:00:00Z"]);
    verify_with(s(&revoked), &[], "revoked");
    // An answer signed by a delegated responder of the authentication root: accepted.
    let delegated = ocsp_answer("delegated.ocsp", &["--delegated"]);
    let v = run_json(&[&verify[..], &["--ocsp-response", s(&delegated)]].concat());
    assert_eq!(v["revocation"]["method"], "ocsp", "{v}");
    // Received after the challenge's lifetime.
    verify_with(
        s(&good),
        &["--received-at", "2099-01-01T00:00:00Z"],
        "challenge_expired",
    );
    // No revocation source: not accepted unless explicitly opted out.
    refused(&verify, "revocation_not_checked");
    run_json(&[&verify[..], &["--no-revocation-check"]].concat());
    // Signed for another service than the challenge's: relayed.
    let relayed = dir.path("relayed.json");
    run_json(&[
        "auth",
        "sign",
        "--challenge",
        s(&ch),
        "--out",
        s(&relayed),
        "--service",
        "https://phish.example",
        "--quiet",
        "--json",
    ]);
    let relayed_verify = [
        "auth",
        "verify",
        s(&relayed),
        "--challenge",
        s(&ch),
        "--root",
        s(&root),
    ];
    refused(
        &[
            &relayed_verify[..],
            &["--ocsp-response", s(&good), "--json"],
        ]
        .concat(),
        "relayed_response",
    );

    // verify-certificate: the authentication certificate is accepted, a signature
    // certificate refused with its own code, under the production roots untrusted.
    let v = run_json(&[
        "auth",
        "verify-certificate",
        s(&cert),
        "--root",
        s(&root),
        "--ocsp-response",
        s(&good),
        "--json",
    ]);
    assert_eq!(v["valid"], true, "{v}");
    let sig = dir.write(
        "sig-cert.der",
        Persona::from_seed(1).signature_certificate_der(),
    );
    refused(
        &[
            "auth",
            "verify-certificate",
            s(&sig),
            "--trust",
            "emulator",
            "--no-revocation-check",
            "--json",
        ],
        "signature_certificate_for_login",
    );
    refused(
        &[
            "auth",
            "verify-certificate",
            s(&cert),
            "--no-revocation-check",
            "--json",
        ],
        "untrusted_chain",
    );
    // A certificate the emulator did not issue gets no OCSP answer.
    let foreign = dir.path("foreign.ocsp");
    let out = run(&["emulator", "ocsp", "--cert", s(&root), "--out", s(&foreign)]);
    assert_clean_failure(&out, "emulator ocsp for a root");
}

/// A wrong authentication PIN from the environment on a reader is not testable here; on the
/// emulated card the persona's PIN is used. A bad challenge file fails cleanly.
#[test]
fn auth_sign_of_a_bad_challenge_fails_cleanly() {
    let dir = Scratch::new("cli", "auth-bad");
    let ch = dir.write("challenge.json", b"{\"type\":\"x\"}");
    let out = run(&[
        "auth",
        "sign",
        "--challenge",
        s(&ch),
        "--out",
        s(&dir.path("r.json")),
    ]);
    assert_clean_failure(&out, "a malformed challenge");
}
