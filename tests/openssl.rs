//! Interoperability with OpenSSL's `cms` command, both ways.
//!
//! - OpenSSL verifies a consent signed on the emulated card (and rejects it once a byte of the
//!   content or of the signature is changed).
//! - This library verifies a consent that OpenSSL signed with the persona's key (`-cades`), and
//!   reports an OpenSSL signature without ESS signing-certificate-v2 as not bound.
//!
//! The `openssl` binary must be on `PATH` (`make test` installs it): its absence is a failure,
//! not a skip.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use der::{Decode, Encode};
use mynasign::card::SessionOptions;
use mynasign::consent::{
    AddressChangeConsent, Channel, ConsentItem, ConsentItems, Document, HolderStatus, Nonce, Terms,
    Timestamp,
};
use mynasign::emulator::{EmulatedCard, EmulatorCa, EmulatorConfig, Persona};
use mynasign::flow::{sign_consent_on_card, CardSignOptions};
use mynasign::jpki::Profile;
use mynasign::pin::Pin;
use mynasign::verify::{
    verify_consent, verify_signed_data, TrustStore, VerifyError, VerifyOptions,
};
use rsa::pkcs8::{EncodePrivateKey, LineEnding};

#[path = "support/external.rs"]
mod external;
use external::{describe, s, Scratch};

/// Runs `openssl` with `args`; a missing binary fails the test with a clear message.
fn openssl(args: &[&str]) -> Output {
    match Command::new("openssl").args(args).output() {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "the `openssl` binary is not on PATH: these interoperability tests need it \
             (`make test` installs it; or `apt-get install openssl`)"
        ),
        Err(e) => panic!("could not run openssl: {e}"),
    }
}

fn document(channel: Channel, nonce: &str) -> Document {
    Document::AddressChangeConsent(AddressChangeConsent {
        items: ConsentItems::new(&[
            ConsentItem::Address,
            ConsentItem::Name,
            ConsentItem::DateOfBirth,
        ])
        .expect("items"),
        holder_status: HolderStatus::MyNumberLicenceOnly,
        terms: Terms::from_text("address-change-one-stop", "1", "利用規約の見本".as_bytes())
            .expect("terms"),
        channel,
        nonce: Nonce::new(nonce).expect("nonce"),
        timestamp: Timestamp::now(),
    })
}

fn emulator_roots_pem() -> String {
    let ca = EmulatorCa::shared();
    format!("{}{}", ca.signature_ca_pem(), ca.authentication_ca_pem())
}

/// The consent of persona 1, signed on the emulated card.
fn signed_on_card(doc: &Document) -> Vec<u8> {
    let persona = Persona::from_seed(1);
    let card = Arc::new(EmulatedCard::from_image(
        persona.card_image(Profile::MyNumberCard),
        EmulatorConfig::default(),
    ));
    let password = Pin::signature_password(persona.signature_password()).expect("password");
    let options = CardSignOptions {
        session: SessionOptions::default(),
        ..CardSignOptions::default()
    };
    sign_consent_on_card(card, doc, &password, &options)
        .expect("sign on the emulated card")
        .cms
}

/// The position of `needle` in `haystack`, which must occur exactly once.
fn find_once(haystack: &[u8], needle: &[u8]) -> usize {
    let hits: Vec<usize> = haystack
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(hits.len(), 1, "expected the bytes exactly once in the DER");
    hits[0]
}

fn signature_of(cms_der: &[u8]) -> Vec<u8> {
    let ci = cms::content_info::ContentInfo::from_der(cms_der).expect("ContentInfo");
    let sd: cms::signed_data::SignedData = ci.content.decode_as().expect("SignedData");
    let si = sd.signer_infos.0.as_slice().first().expect("one signer");
    si.signature.as_bytes().to_vec()
}

fn openssl_verify(dir: &Scratch, cms_file: &Path, ca: &Path, out_name: &str) -> Output {
    openssl(&[
        "cms",
        "-verify",
        "-inform",
        "DER",
        "-in",
        s(cms_file),
        "-CAfile",
        s(ca),
        "-binary",
        "-out",
        s(&dir.path(out_name)),
    ])
}

#[test]
fn openssl_verifies_a_consent_signed_on_the_card() {
    let dir = Scratch::new("openssl", "verify");
    let doc = document(Channel::LicenceCentreKiosk, "openssl-interop-0001");
    let content = doc.encode();
    let cms_der = signed_on_card(&doc);
    println!(
        "CMS SignedData from the emulated card: {} bytes",
        cms_der.len()
    );

    let cms_file = dir.write("consent.p7s", &cms_der);
    let ca = dir.write("ca.pem", emulator_roots_pem());

    // It parses as ASN.1.
    let parsed = openssl(&["asn1parse", "-inform", "DER", "-in", s(&cms_file)]);
    assert!(parsed.status.success(), "asn1parse: {}", describe(&parsed));
    let listing = String::from_utf8_lossy(&parsed.stdout);
    assert!(listing.contains("pkcs7-signedData"), "{listing}");
    assert!(
        listing.contains("id-smime-aa-signingCertificateV2"),
        "{listing}"
    );

    // OpenSSL verifies it, chain included, and gives back the canonical bytes.
    let out = openssl_verify(&dir, &cms_file, &ca, "content.bin");
    assert!(
        out.status.success(),
        "openssl cms -verify: {}",
        describe(&out)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Verification successful"),
        "{}",
        describe(&out)
    );
    let got = std::fs::read(dir.path("content.bin")).expect("content.bin");
    assert_eq!(got, content, "openssl's extracted content differs");

    // One byte of the encapsulated content changed: rejected.
    let at = find_once(&cms_der, &content);
    let mut tampered = cms_der.clone();
    tampered[at + content.len() / 2] ^= 0x01;
    let f = dir.write("content-tampered.p7s", &tampered);
    let out = openssl_verify(&dir, &f, &ca, "content-tampered.bin");
    assert!(
        !out.status.success(),
        "openssl accepted changed content: {}",
        describe(&out)
    );
    // The digest no longer matches the message-digest attribute.
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("content verify error"),
        "{}",
        describe(&out)
    );

    // One byte of the signature changed: rejected.
    let signature = signature_of(&cms_der);
    assert_eq!(signature.len(), 256);
    let at = find_once(&cms_der, &signature);
    let mut tampered = cms_der.clone();
    tampered[at + 100] ^= 0x80;
    let f = dir.write("signature-tampered.p7s", &tampered);
    let out = openssl_verify(&dir, &f, &ca, "signature-tampered.bin");
    assert!(
        !out.status.success(),
        "openssl accepted a changed signature: {}",
        describe(&out)
    );
    // The RSA signature itself fails, not the content digest.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Verification failure") && !stderr.contains("content verify error"),
        "{}",
        describe(&out)
    );

    // With only the emulator's authentication root the chain does not build.
    let other = dir.write("auth-ca.pem", EmulatorCa::shared().authentication_ca_pem());
    let out = openssl_verify(&dir, &cms_file, &other, "untrusted.bin");
    assert!(
        !out.status.success(),
        "openssl verified without the signature root: {}",
        describe(&out)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("certificate verify error"),
        "{}",
        describe(&out)
    );
}

/// Writes the persona's signature key (PKCS#8 PEM) and certificate (PEM).
fn persona_key_and_cert(dir: &Scratch) -> (PathBuf, PathBuf) {
    let persona = Persona::from_seed(1);
    let key_pem = persona
        .signature_key()
        .to_pkcs8_pem(LineEnding::LF)
        .expect("PKCS#8 PEM");
    let key = dir.write("key.pem", key_pem.as_bytes());
    let cert = dir.write("cert.pem", persona.signature_certificate().to_pem());
    (key, cert)
}

fn openssl_sign(dir: &Scratch, doc: &Path, cades: bool, out_name: &str) -> Vec<u8> {
    openssl_sign_with(dir, doc, cades, &[], out_name)
}

/// [`openssl_sign`] with `extra` options for `openssl cms -sign`.
fn openssl_sign_with(
    dir: &Scratch,
    doc: &Path,
    cades: bool,
    extra: &[&str],
    out_name: &str,
) -> Vec<u8> {
    let (key, cert) = persona_key_and_cert(dir);
    let out_file = dir.path(out_name);
    let mut args = vec!["cms", "-sign"];
    if cades {
        args.push("-cades");
    }
    args.extend_from_slice(extra);
    args.extend([
        "-binary",
        "-nodetach",
        "-md",
        "sha256",
        "-outform",
        "DER",
        "-in",
        s(doc),
        "-signer",
        s(&cert),
        "-inkey",
        s(&key),
        "-out",
        s(&out_file),
    ]);
    let out = openssl(&args);
    assert!(
        out.status.success(),
        "openssl cms -sign: {}",
        describe(&out)
    );
    std::fs::read(&out_file).expect("openssl's CMS")
}

#[test]
fn we_verify_a_consent_signed_by_openssl_with_cades() {
    let dir = Scratch::new("openssl", "sign");
    let doc = document(Channel::LicenceCentreKiosk, "openssl-interop-0002");
    let doc_file = dir.write("doc.json", doc.encode());
    let cms_der = openssl_sign(&dir, &doc_file, true, "signed.der");

    let options = VerifyOptions {
        trust: TrustStore::emulator(),
        require_revocation: false,
        ..VerifyOptions::default()
    };
    // A CAdES signature OpenSSL made over the consent bytes verifies as a signature, but is
    // not a consent: it lacks the signed content hints naming the consent media type (it
    // could have been made for any other purpose over the same bytes).
    let verified = verify_signed_data(&cms_der, &options).expect("verify openssl's CAdES CMS");
    assert_eq!(verified.content, doc.encode());
    assert_eq!(
        verify_consent(&cms_der, &options).err(),
        Some(VerifyError::WrongContentType)
    );
    assert_eq!(
        verified.certificate.issuance_number(),
        Persona::from_seed(1)
            .signature_certificate()
            .issuance_number()
    );

    // The production roots do not trust the emulator's certificate.
    assert_eq!(
        verify_consent(&cms_der, &VerifyOptions::default()).err(),
        Some(VerifyError::UntrustedChain)
    );

    // The signer named by its subject key identifier (`-keyid`: SignerInfo version 3, and so
    // SignedData version 3) instead of issuer and serial: found and verified the same.
    let by_key_id = openssl_sign_with(&dir, &doc_file, true, &["-keyid"], "keyid.der");
    let marker = [0x80, 0x14]; // [0] IMPLICIT OCTET STRING of a 20-byte key id
    assert!(by_key_id.windows(2).any(|w| w == marker));
    let verified = verify_signed_data(&by_key_id, &options).expect("verify the -keyid CMS");
    assert_eq!(verified.content, doc.encode());
}

#[test]
fn openssl_cms_without_cades_is_not_bound() {
    let dir = Scratch::new("openssl", "nocades");
    let doc = document(Channel::LicenceCentreKiosk, "openssl-interop-0003");
    let doc_file = dir.write("doc.json", doc.encode());
    let cms_der = openssl_sign(&dir, &doc_file, false, "plain.der");
    let options = VerifyOptions {
        trust: TrustStore::emulator(),
        require_revocation: false,
        ..VerifyOptions::default()
    };
    assert_eq!(
        verify_signed_data(&cms_der, &options).err(),
        Some(VerifyError::CertificateNotBound)
    );
}

#[test]
fn openssl_reads_the_signer_certificate_from_our_cms() {
    // The certificate openssl prints from the CMS is the card's, byte for byte.
    let dir = Scratch::new("openssl", "certs");
    let doc = document(Channel::LicenceCentreKiosk, "openssl-interop-0004");
    let cms_der = signed_on_card(&doc);
    let cms_file = dir.write("consent.p7s", &cms_der);
    let certs = dir.path("certs.pem");
    let out = openssl(&[
        "cms",
        "-verify",
        "-noverify",
        "-inform",
        "DER",
        "-in",
        s(&cms_file),
        "-certsout",
        s(&certs),
        "-out",
        s(&dir.path("content.bin")),
    ]);
    assert!(out.status.success(), "{}", describe(&out));
    let pem = std::fs::read_to_string(&certs).expect("certs.pem");
    let cert = mynasign::cert::JpkiCertificate::from_pem_or_der(pem.as_bytes()).expect("PEM");
    assert_eq!(
        cert.der(),
        Persona::from_seed(1).signature_certificate_der(),
        "the certificate in the CMS is not the card's"
    );
    // The DER re-encodes identically (canonical DER).
    let ci = cms::content_info::ContentInfo::from_der(&cms_der).expect("parse");
    assert_eq!(ci.to_der().expect("encode"), cms_der);
}

// --- revocation evidence made by OpenSSL (issue 10) -------------------------------------------

/// The emulator signature root's key and certificate (PEM), an OpenSSL CA database listing the
/// persona's signature certificate (`status` `V` valid or `R` revoked), and its config.
fn openssl_ca(dir: &Scratch, status: char) -> (PathBuf, PathBuf, PathBuf, PathBuf) {
    let ca = EmulatorCa::shared();
    let key_pem = ca
        .signature_root_key()
        .to_pkcs8_pem(LineEnding::LF)
        .expect("PKCS#8 PEM");
    let key = dir.write("root-key.pem", key_pem.as_bytes());
    let root = dir.write("root.pem", ca.signature_ca_pem());
    let serial: String = Persona::from_seed(1)
        .signature_certificate()
        .serial_bytes()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    let revoked = if status == 'R' { "250101000000Z" } else { "" };
    let index = dir.write(
        "index.txt",
        format!("{status}\t351231235959Z\t{revoked}\t{serial}\tunknown\t/CN=persona\n"),
    );
    dir.write("crlnumber", "01\n");
    let config = dir.write(
        "ca.cnf",
        format!(
            "[ca]\ndefault_ca = CA_default\n[CA_default]\ndatabase = {}\ncrlnumber = {}\n\
             default_md = sha256\ndefault_crl_days = 1\ncrl_extensions = crl_ext\n\
             [crl_ext]\nauthorityKeyIdentifier = keyid:always\n",
            s(&index),
            s(&dir.path("crlnumber")),
        ),
    );
    (key, root, index, config)
}

fn openssl_crl(dir: &Scratch, status: char) -> Vec<u8> {
    let (key, root, _, config) = openssl_ca(dir, status);
    let pem = dir.path("crl.pem");
    let out = openssl(&[
        "ca",
        "-config",
        s(&config),
        "-gencrl",
        "-keyfile",
        s(&key),
        "-cert",
        s(&root),
        "-out",
        s(&pem),
    ]);
    assert!(
        out.status.success(),
        "openssl ca -gencrl: {}",
        describe(&out)
    );
    let der = dir.path("crl.der");
    let out = openssl(&["crl", "-in", s(&pem), "-outform", "DER", "-out", s(&der)]);
    assert!(out.status.success(), "openssl crl: {}", describe(&out));
    std::fs::read(&der).expect("CRL")
}

fn strict_with(crls: Vec<Vec<u8>>, ocsp: Option<Vec<u8>>, nonce: Option<&[u8]>) -> VerifyOptions {
    VerifyOptions {
        trust: TrustStore::emulator(),
        crls,
        ocsp_response: ocsp,
        ocsp_nonce: nonce.map(<[u8]>::to_vec),
        ..VerifyOptions::default()
    }
}

#[test]
fn a_crl_made_by_openssl_is_accepted_and_a_changed_byte_refused() {
    let dir = Scratch::new("openssl", "crl");
    let cms_der = signed_on_card(&document(Channel::Mynaportal, "openssl-crl-0001"));
    let crl = openssl_crl(&dir, 'V');
    let v = verify_consent(&cms_der, &strict_with(vec![crl.clone()], None, None))
        .expect("verified with OpenSSL's CRL");
    assert!(matches!(
        v.signature.revocation,
        mynasign::verify::RevocationStatus::Crl { .. }
    ));
    // One byte of the signature changed.
    let mut changed = crl;
    *changed.last_mut().unwrap() ^= 0x01;
    assert!(matches!(
        verify_consent(&cms_der, &strict_with(vec![changed], None, None)),
        Err(VerifyError::BadCrl(_))
    ));
    // The persona's certificate revoked (in 2025) by OpenSSL: refused.
    let dir = Scratch::new("openssl", "crl-revoked");
    let revoked = openssl_crl(&dir, 'R');
    assert_eq!(
        verify_consent(&cms_der, &strict_with(vec![revoked], None, None)).err(),
        Some(VerifyError::Revoked)
    );
}

/// `openssl ocsp` answering `request` from `index` (OpenSSL's CA database), signed by `signer`
/// with `key`, for certificates issued by `ca`; the DER response.
fn openssl_ocsp_answer(
    dir: &Scratch,
    index: &Path,
    signer: &Path,
    key: &Path,
    ca: &Path,
    request: &[u8],
) -> Vec<u8> {
    let req = dir.write("req.der", request);
    let resp = dir.path("resp.der");
    let out = openssl(&[
        "ocsp",
        "-index",
        s(index),
        "-rsigner",
        s(signer),
        "-rkey",
        s(key),
        "-CA",
        s(ca),
        "-reqin",
        s(&req),
        "-respout",
        s(&resp),
        "-ndays",
        "1",
    ]);
    assert!(out.status.success(), "openssl ocsp: {}", describe(&out));
    std::fs::read(&resp).expect("OCSP response")
}

fn openssl_ocsp(dir: &Scratch, status: char, request: &[u8]) -> Vec<u8> {
    let (key, root, index, _) = openssl_ca(dir, status);
    openssl_ocsp_answer(dir, &index, &root, &key, &root, request)
}

#[test]
fn an_ocsp_response_made_by_openssl_is_accepted_and_a_changed_byte_refused() {
    let dir = Scratch::new("openssl", "ocsp");
    let cms_der = signed_on_card(&document(Channel::Mynaportal, "openssl-ocsp-0001"));
    let cert = Persona::from_seed(1).signature_certificate();
    let nonce = b"nonce-0123456789";
    let verifier = mynasign::verify::Verifier::new(TrustStore::emulator());
    let request = verifier.ocsp_request(&cert, Some(nonce)).expect("request");
    // OpenSSL reads our request.
    let req_file = dir.write("ours.der", &request);
    let out = openssl(&["ocsp", "-reqin", s(&req_file), "-req_text"]);
    assert!(
        out.status.success(),
        "openssl ocsp -req_text: {}",
        describe(&out)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Nonce"));

    let response = openssl_ocsp(&dir, 'V', &request);
    let v = verify_consent(
        &cms_der,
        &strict_with(Vec::new(), Some(response.clone()), Some(nonce)),
    )
    .expect("verified with OpenSSL's OCSP response");
    assert!(matches!(
        v.signature.revocation,
        mynasign::verify::RevocationStatus::Ocsp { .. }
    ));
    // Another nonce expected: refused.
    assert_eq!(
        verify_consent(
            &cms_der,
            &strict_with(Vec::new(), Some(response.clone()), Some(b"another-nonce"))
        )
        .err(),
        Some(VerifyError::OcspNonceMismatch)
    );
    // One byte changed inside the signed response data (in the nonce): refused.
    let mut changed = response.clone();
    let at = changed
        .windows(nonce.len())
        .position(|w| w == nonce)
        .expect("the nonce is in the response");
    changed[at] ^= 0x01;
    assert!(matches!(
        verify_consent(&cms_der, &strict_with(Vec::new(), Some(changed), None)),
        Err(VerifyError::BadOcspResponse(_))
    ));
    // Revoked (in 2025) according to OpenSSL's responder: refused.
    let dir = Scratch::new("openssl", "ocsp-revoked");
    let revoked = openssl_ocsp(&dir, 'R', &request);
    assert_eq!(
        verify_consent(
            &cms_der,
            &strict_with(Vec::new(), Some(revoked), Some(nonce))
        )
        .err(),
        Some(VerifyError::Revoked)
    );
}

/// A good, fresh OCSP response establishes revocation even when the service's CRL is stale
/// (the result says OCSP); a stale CRL alone proves nothing; and a CRL that lists the
/// certificate as revoked refuses it whatever the OCSP response says (a revocation is
/// permanent, so even a stale CRL's entry counts).
#[test]
fn a_good_ocsp_response_outweighs_a_stale_crl_but_not_a_revocation() {
    let dir = Scratch::new("openssl", "ocsp-stale-crl");
    let cms_der = signed_on_card(&document(Channel::Mynaportal, "openssl-ocsp-0004"));
    let cert = Persona::from_seed(1).signature_certificate();
    let verifier = mynasign::verify::Verifier::new(TrustStore::emulator());
    let request = verifier.ocsp_request(&cert, None).expect("request");
    let good = openssl_ocsp(&dir, 'V', &request);
    let day = std::time::Duration::from_secs(86_400);
    let now = std::time::SystemTime::now();
    let ca = EmulatorCa::shared();
    let stale = ca.issue_crl(&[], now - 30 * day).expect("stale CRL");

    assert_eq!(
        verify_consent(&cms_der, &strict_with(vec![stale.clone()], None, None)).err(),
        Some(VerifyError::CrlNotCurrent)
    );
    let v = verify_consent(
        &cms_der,
        &strict_with(vec![stale], Some(good.clone()), None),
    )
    .expect("the OCSP response establishes revocation");
    assert!(matches!(
        v.signature.revocation,
        mynasign::verify::RevocationStatus::Ocsp { .. }
    ));

    let serial = cert
        .x509()
        .tbs_certificate
        .serial_number
        .as_bytes()
        .to_vec();
    for this_update in [now - 30 * day, now - day] {
        let listing = ca
            .issue_crl(&[(serial.as_slice(), now - 40 * day)], this_update)
            .expect("CRL listing the certificate");
        assert_eq!(
            verify_consent(
                &cms_der,
                &strict_with(vec![listing], Some(good.clone()), None)
            )
            .err(),
            Some(VerifyError::Revoked)
        );
    }
}

/// A responder key and certificate issued by the emulator signature root with OpenSSL,
/// serial 7777 (0x1E61), with the extensions `extensions` (OpenSSL config lines).
fn openssl_responder(
    dir: &Scratch,
    root: &Path,
    root_key: &Path,
    extensions: &str,
) -> (PathBuf, PathBuf) {
    let key = dir.path("responder.key");
    let csr = dir.path("responder.csr");
    let out = openssl(&[
        "req",
        "-new",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        s(&key),
        "-subj",
        "/CN=mynasign test responder",
        "-out",
        s(&csr),
    ]);
    assert!(out.status.success(), "openssl req: {}", describe(&out));
    let ext = dir.write("responder.cnf", format!("[ocsp]\n{extensions}"));
    let cert = dir.path("responder.pem");
    let out = openssl(&[
        "x509",
        "-req",
        "-in",
        s(&csr),
        "-CA",
        s(root),
        "-CAkey",
        s(root_key),
        "-set_serial",
        "7777",
        "-days",
        "2",
        "-extfile",
        s(&ext),
        "-extensions",
        "ocsp",
        "-out",
        s(&cert),
    ]);
    assert!(
        out.status.success(),
        "openssl x509 -req: {}",
        describe(&out)
    );
    (key, cert)
}

/// The extensions of a delegated responder as RFC 6960 4.2.2.2 has it.
const DELEGATED: &str = "keyUsage = critical, digitalSignature\nextendedKeyUsage = OCSPSigning\n";

/// OpenSSL's responder answering `request` (status `status` for the persona), signed by a
/// responder issued with `extensions`; and the CRL OpenSSL makes from the same CA database,
/// with the responder (serial 7777) listed as `responder_status` (`V`, or an index
/// revocation field such as `250101000000Z` or `250101000000Z,keyCompromise`).
fn delegated_answer(
    name: &str,
    request: &[u8],
    extensions: &str,
    responder_status: &str,
) -> (Vec<u8>, Vec<u8>) {
    let dir = Scratch::new("openssl", name);
    let (root_key, root, index, config) = openssl_ca(&dir, 'V');
    let (key, responder) = openssl_responder(&dir, &root, &root_key, extensions);
    let response = openssl_ocsp_answer(&dir, &index, &responder, &key, &root, request);
    if responder_status != "V" {
        let mut db = std::fs::read_to_string(&index).expect("index");
        db.push_str(&format!(
            "R\t351231235959Z\t{responder_status}\t1E61\tunknown\t/CN=responder\n"
        ));
        std::fs::write(&index, db).expect("index");
    }
    let pem = dir.path("crl.pem");
    let out = openssl(&[
        "ca",
        "-config",
        s(&config),
        "-gencrl",
        "-keyfile",
        s(&root_key),
        "-cert",
        s(&root),
        "-out",
        s(&pem),
    ]);
    assert!(
        out.status.success(),
        "openssl ca -gencrl: {}",
        describe(&out)
    );
    let der = dir.path("crl.der");
    let out = openssl(&["crl", "-in", s(&pem), "-outform", "DER", "-out", s(&der)]);
    assert!(out.status.success(), "openssl crl: {}", describe(&out));
    (response, std::fs::read(&der).expect("CRL"))
}

/// Issue 24, item 1: a delegated responder is checked like a certificate (RFC 6960
/// 4.2.2.2 and 4.2.2.2.1; RFC 5280 4.2.1.3), each refusal with its own reason.
#[test]
fn a_delegated_responder_is_checked_like_a_certificate() {
    let cert = Persona::from_seed(1).signature_certificate();
    let verifier = mynasign::verify::Verifier::new(TrustStore::emulator());
    let request = verifier.ocsp_request(&cert, None).expect("request");
    let cms_der = signed_on_card(&document(Channel::Mynaportal, "openssl-ocsp-0002"));
    let verify = |response: Vec<u8>, crls: Vec<Vec<u8>>| {
        verify_consent(&cms_der, &strict_with(crls, Some(response), None))
    };

    // With id-pkix-ocsp-nocheck: its status is not checked; accepted without a CRL.
    let nocheck = format!("{DELEGATED}noCheck = ignored\n");
    let (response, _) = delegated_answer("responder-nocheck", &request, &nocheck, "V");
    let v = verify(response, Vec::new()).expect("a nocheck responder's answer");
    assert!(matches!(
        v.signature.revocation,
        mynasign::verify::RevocationStatus::Ocsp { .. }
    ));

    // Without it: a current CRL of the root that does not list it establishes it; without
    // a CRL its status is unknown and the answer unusable.
    let (response, crl) = delegated_answer("responder-crl", &request, DELEGATED, "V");
    verify(response.clone(), vec![crl]).expect("a responder the CRL does not list");
    assert_eq!(
        verify(response, Vec::new()).err(),
        Some(VerifyError::OcspResponderNotChecked)
    );

    // Revoked (before the receipt time, or for keyCompromise whenever): unusable, even though
    // the answer says good and the CRL does not list the persona.
    for (name, status) in [
        ("responder-revoked", "250101000000Z"),
        ("responder-compromised", "350101000000Z,keyCompromise"),
    ] {
        let (response, crl) = delegated_answer(name, &request, DELEGATED, status);
        assert_eq!(
            verify(response, vec![crl]).err(),
            Some(VerifyError::OcspResponderRevoked),
            "{name}"
        );
    }

    // Not fit to sign responses: no OCSPSigning, keyUsage without digitalSignature.
    for (name, extensions) in [
        ("responder-no-eku", "keyUsage = critical, digitalSignature\n"),
        (
            "responder-wrong-ku",
            "keyUsage = critical, keyEncipherment\nextendedKeyUsage = OCSPSigning\nnoCheck = ignored\n",
        ),
    ] {
        let (response, crl) = delegated_answer(name, &request, extensions, "V");
        assert!(
            matches!(
                verify(response, vec![crl]),
                Err(VerifyError::OcspResponderNotAuthorised(_))
            ),
            "{name}"
        );
    }
}

#[test]
fn ocsp_unknown_status_and_freshness() {
    let cert = Persona::from_seed(1).signature_certificate();
    let verifier = mynasign::verify::Verifier::new(TrustStore::emulator());
    let request = verifier.ocsp_request(&cert, None).expect("request");
    let cms_der = signed_on_card(&document(Channel::Mynaportal, "openssl-ocsp-0002"));

    // A responder that does not know the certificate.
    let dir = Scratch::new("openssl", "ocsp-unknown");
    let (key, root, _, _) = openssl_ca(&dir, 'V');
    let index = dir.write(
        "other-index.txt",
        "V\t351231235959Z\t\t0123\tunknown\t/CN=someone else\n",
    );
    let unknown = openssl_ocsp_answer(&dir, &index, &root, &key, &root, &request);
    assert_eq!(
        verify_consent(&cms_der, &strict_with(Vec::new(), Some(unknown), None)).err(),
        Some(VerifyError::OcspUnknown)
    );

    // A consent received three days from now: the response (nextUpdate in a day) is stale.
    let dir = Scratch::new("openssl", "ocsp-stale");
    let response = openssl_ocsp(&dir, 'V', &request);
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(3 * 86_400);
    let mut doc = document(Channel::Mynaportal, "openssl-ocsp-0003");
    if let Document::AddressChangeConsent(c) = &mut doc {
        c.timestamp = Timestamp::from_unix_seconds(
            later
                .duration_since(std::time::UNIX_EPOCH)
                .expect("time")
                .as_secs() as i64,
        )
        .expect("timestamp");
    }
    let persona = Persona::from_seed(1);
    let mut signer = mynasign::cms::RsaKeySigner::new(
        persona.signature_key().clone(),
        persona.signature_certificate_der().to_vec(),
    );
    let options = mynasign::cms::SignOptions {
        signing_time: later,
        ..mynasign::cms::SignOptions::default()
    };
    let signed = mynasign::cms::sign(&doc.encode(), &mut signer, &options).expect("sign");
    let at_later = VerifyOptions {
        received_at: Some(later),
        ..strict_with(Vec::new(), Some(response), None)
    };
    assert_eq!(
        verify_consent(&signed, &at_later).err(),
        Some(VerifyError::OcspNotCurrent)
    );
}

/// Issue 24, item 2: OpenSSL writes its CertID's SHA-256 AlgorithmIdentifier with NULL
/// parameters (ours leaves them out); its responder echoes the request's CertID. RFC 5754
/// section 2: both forms must be accepted.
#[test]
fn an_openssl_request_with_null_hash_parameters_is_answered_and_accepted() {
    let dir = Scratch::new("openssl", "ocsp-null-params");
    let cms_der = signed_on_card(&document(Channel::Mynaportal, "openssl-ocsp-0005"));
    let cert = dir.write(
        "cert.pem",
        Persona::from_seed(1).signature_certificate().to_pem(),
    );
    let root = dir.write("issuer.pem", EmulatorCa::shared().signature_ca_pem());
    let req = dir.path("openssl-req.der");
    let out = openssl(&[
        "ocsp",
        "-issuer",
        s(&root),
        "-sha256",
        "-cert",
        s(&cert),
        "-no_nonce",
        "-reqout",
        s(&req),
    ]);
    assert!(
        out.status.success(),
        "openssl ocsp -reqout: {}",
        describe(&out)
    );
    let request = std::fs::read(&req).expect("request");
    // AlgorithmIdentifier { id-sha256, NULL }.
    let sha256_null = [
        0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
    ];
    find_once(&request, &sha256_null);
    let response = openssl_ocsp(&dir, 'V', &request);
    find_once(&response, &sha256_null);
    let v = verify_consent(&cms_der, &strict_with(Vec::new(), Some(response), None))
        .expect("an answer whose CertID has NULL parameters");
    assert!(matches!(
        v.signature.revocation,
        mynasign::verify::RevocationStatus::Ocsp { .. }
    ));
}

/// The emulator's OCSP answers (`EmulatorCa::ocsp_response`, what `mynasign emulator ocsp`
/// writes) read and verified by `openssl ocsp`: signed by the authentication root for the
/// authentication certificate, or by a responder it delegated, `good` or `revoked`, the nonce
/// carried.
#[test]
fn openssl_accepts_the_emulator_ocsp_answers() {
    let dir = Scratch::new("openssl", "emulator-ocsp");
    let p = Persona::from_seed(1);
    let ca = EmulatorCa::shared();
    let root = dir.write("auth-root.pem", ca.authentication_ca_pem());
    let cert = dir.write("auth-cert.pem", p.authentication_certificate().to_pem());
    let day_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(86_400);
    for (revoked_at, status, delegated) in [
        (None, ": good", false),
        (Some(day_ago), ": revoked", false),
        // Signed by a delegated responder the root issued (carried in the response).
        (None, ": good", true),
        (Some(day_ago), ": revoked", true),
    ] {
        let der = ca
            .ocsp_response(
                &p.authentication_certificate(),
                &mynasign::emulator::OcspAnswer {
                    revoked_at,
                    nonce: Some(b"nonce-0123".to_vec()),
                    delegated,
                    ..Default::default()
                },
            )
            .expect("OCSP answer");
        let resp = dir.write("resp.der", &der);
        let out = openssl(&[
            "ocsp",
            "-respin",
            s(&resp),
            "-CAfile",
            s(&root),
            "-issuer",
            s(&root),
            "-sha256",
            "-cert",
            s(&cert),
            "-resp_text",
            // The request OpenSSL builds from -cert is not the one answered: no nonce to
            // compare (the nonce in the response is shown below).
            "-no_nonce",
        ]);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "openssl ocsp: {}", describe(&out));
        assert!(text.contains("Response verify OK"), "{text}");
        assert!(text.contains(status), "{status}: {text}");
        assert!(text.contains("OCSP Nonce"), "{text}");
    }
}
