//! Issue 24: one test per class of defect an outside suite found accepted, each a genuine
//! consent but for that one defect, built by hand where the project's own builders cannot
//! express it (they only write DER, one answer per CertID, and so on).

use super::*;

use mynasign::verify::{CertificateCheck, CertificatePurpose};
use rsa::pkcs1v15::SigningKey;
use rsa::signature::{SignatureEncoding, Signer};

// --- DER by hand -----------------------------------------------------------------------------

/// A DER element: tag, definite length (short or long form), value.
fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let len = value.len();
    let mut out = vec![tag];
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(value);
    out
}

/// The elements of `input` (each whole), in order.
fn elements(mut input: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while !input.is_empty() {
        let first = input[1];
        let (len, header) = if first < 0x80 {
            (usize::from(first), 2)
        } else {
            let n = usize::from(first & 0x7F);
            let len = input[2..2 + n]
                .iter()
                .fold(0usize, |a, &b| (a << 8) | usize::from(b));
            (len, 2 + n)
        };
        out.push(input[..header + len].to_vec());
        input = &input[header + len..];
    }
    out
}

/// The value of one element.
fn value(element: &[u8]) -> &[u8] {
    let first = element[1];
    let header = if first < 0x80 {
        2
    } else {
        2 + usize::from(first & 0x7F)
    };
    &element[header..]
}

/// Takes a CMS's `SignedData` fields apart by their bytes, lets `f` change them (each whole),
/// and wraps them again with the right lengths: defects the typed encoder cannot write.
fn rebuild(cms_der: &[u8], f: impl FnOnce(&mut Vec<Vec<u8>>)) -> Vec<u8> {
    let ci = &elements(cms_der)[0];
    let parts = elements(value(ci));
    let sd = &elements(value(&parts[1]))[0];
    let mut fields = elements(value(sd));
    f(&mut fields);
    let sd = tlv(0x30, &fields.concat());
    tlv(0x30, &[parts[0].clone(), tlv(0xA0, &sd)].concat())
}

/// The persona's key signing `message` (RSA PKCS#1 v1.5, SHA-256).
fn persona_sign(message: &[u8]) -> Vec<u8> {
    SigningKey::<Sha256>::new(persona().signature_key().clone())
        .sign(message)
        .to_vec()
}

/// The SignerInfo's fields, the signed attributes changed by `attrs` (given and returned as
/// their element list) and signed again by the persona's key over exactly those bytes.
fn resign_raw(cms_der: &[u8], attrs: impl FnOnce(Vec<Vec<u8>>) -> Vec<Vec<u8>>) -> Vec<u8> {
    rebuild(cms_der, |fields| {
        let infos = fields.last_mut().unwrap();
        let mut si = elements(value(&elements(value(infos))[0]));
        let at = si.iter().position(|e| e[0] == 0xA0).unwrap();
        let changed = attrs(elements(value(&si[at])));
        let signed = tlv(0x31, &changed.concat());
        si[at] = tlv(0xA0, &changed.concat());
        let last = si.len() - 1;
        si[last] = tlv(0x04, &persona_sign(&signed));
        *infos = tlv(0x31, &tlv(0x30, &si.concat()));
    })
}

fn consent_signed() -> Vec<u8> {
    persona_signed(&a_consent())
}

// --- 4: one DER form ---------------------------------------------------------------------------

#[test]
fn signed_attributes_out_of_der_order_are_refused() {
    let genuine = consent_signed();
    verify_consent(&genuine, &emulator()).unwrap();
    // The same attributes, in reverse order, signed over exactly those bytes: the signature
    // verifies, but a SET OF must be sorted (X.690 11.6).
    let reordered = resign_raw(&genuine, |mut a| {
        a.reverse();
        a
    });
    assert_eq!(
        std::mem::discriminant(&fails(&reordered, &emulator())),
        std::mem::discriminant(&VerifyError::NotDer(String::new()))
    );
    // Re-signed in DER order, the same change of signature is accepted (the test's own
    // re-signing is sound).
    let same = resign_raw(&genuine, |a| a);
    verify_consent(&same, &emulator()).unwrap();
    // Unsigned attributes are outside the signature, but still one DER form: an attribute
    // whose values are out of order is refused, the same in order accepted.
    let unsigned = |values: &[&[u8]]| {
        rebuild(&genuine, |fields| {
            let infos = fields.last_mut().unwrap();
            let mut si = elements(value(&elements(value(infos))[0]));
            let oid = tlv(0x06, &[0x2A, 0x03, 0x04]);
            let attr = tlv(0x30, &[oid, tlv(0x31, &values.concat())].concat());
            si.push(tlv(0xA1, &attr));
            *infos = tlv(0x31, &tlv(0x30, &si.concat()));
        })
    };
    let (one, two): (&[u8], &[u8]) = (&[0x02, 0x01, 0x01], &[0x02, 0x01, 0x02]);
    verify_consent(&unsigned(&[one, two]), &emulator()).unwrap();
    assert!(matches!(
        fails(&unsigned(&[two, one]), &emulator()),
        VerifyError::NotDer(_)
    ));
}

#[test]
fn signing_time_in_generalized_time_for_a_utctime_year_is_refused() {
    let genuine = consent_signed();
    let signing_time = mcms::oid::SIGNING_TIME.to_der().unwrap();
    let changed = resign_raw(&genuine, |attrs| {
        attrs
            .into_iter()
            .map(|a| {
                let parts = elements(value(&a));
                if parts[0] != signing_time {
                    return a;
                }
                // UTCTime YYMMDDhhmmssZ -> GeneralizedTime 20YYMMDDhhmmssZ, same instant.
                let utc = &elements(value(&parts[1]))[0];
                let general = tlv(0x18, &[b"20", value(utc)].concat());
                tlv(0x30, &[parts[0].clone(), tlv(0x31, &general)].concat())
            })
            .collect()
    });
    assert!(
        matches!(fails(&changed, &emulator()), VerifyError::NotDer(m) if m.contains("GeneralizedTime"))
    );
}

/// The consent's ESS signingCertificateV2 with its list of ESSCertIDv2 (each whole) changed
/// by `f`, signed again.
fn with_ess_ids(cms_der: &[u8], f: impl Fn(&mut Vec<Vec<u8>>)) -> Vec<u8> {
    let ess_oid = mcms::ess::ID_AA_SIGNING_CERTIFICATE_V2.to_der().unwrap();
    resign_raw(cms_der, |attrs| {
        attrs
            .into_iter()
            .map(|a| {
                let parts = elements(value(&a));
                if parts[0] != ess_oid {
                    return a;
                }
                // Attribute { type, SET { SigningCertificateV2 { SEQUENCE OF ESSCertIDv2,
                //   [policies] } } }
                let scv2 = &elements(value(&parts[1]))[0];
                let certs = elements(value(scv2));
                let mut ids = elements(value(&certs[0]));
                f(&mut ids);
                let certs = [vec![tlv(0x30, &ids.concat())], certs[1..].to_vec()].concat();
                let scv2 = tlv(0x30, &certs.concat());
                tlv(0x30, &[parts[0].clone(), tlv(0x31, &scv2)].concat())
            })
            .collect()
    })
}

/// An ESSCertIDv2 `{ [hashAlgorithm], certHash, IssuerSerial { GeneralNames, serial } }` with
/// its GeneralNames changed by `f`.
fn with_general_names(id: &[u8], f: &impl Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let mut id = elements(value(id));
    let at = id.len() - 1;
    let mut issuer_serial = elements(value(&id[at]));
    issuer_serial[0] = f(&issuer_serial[0]);
    id[at] = tlv(0x30, &issuer_serial.concat());
    tlv(0x30, &id.concat())
}

/// The consent's ESS IssuerSerial's GeneralNames changed by `f`, signed again.
fn with_ess_general_names(cms_der: &[u8], f: impl Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    with_ess_ids(cms_der, |ids| ids[0] = with_general_names(&ids[0], &f))
}

#[test]
fn the_ess_issuer_is_matched_in_any_der_general_names_form() {
    let genuine = consent_signed();
    // The signer writes one directory name (compared as bytes); re-signed as it is, accepted.
    verify_consent(
        &with_ess_general_names(&genuine, |g| g.to_vec()),
        &emulator(),
    )
    .unwrap();
    // A URI before the directory name: another form, decoded and searched; accepted.
    let uri = tlv(0x86, b"https://ca.example.jp/");
    let two = with_ess_general_names(&genuine, |g| {
        tlv(0x30, &[uri.clone(), value(g).to_vec()].concat())
    });
    verify_consent(&two, &emulator()).unwrap();
    // The URI alone: the issuer is not named.
    let only_uri = with_ess_general_names(&genuine, |_| tlv(0x30, &uri));
    assert_eq!(
        fails(&only_uri, &emulator()),
        VerifyError::CertificateNotBound
    );
    // A directory name one byte off (the last byte of the issuer's name): not the issuer,
    // whichever way it is compared.
    let other = with_ess_general_names(&genuine, |g| {
        let mut g = g.to_vec();
        let last = g.len() - 1;
        g[last] ^= 0x01;
        g
    });
    assert_eq!(fails(&other, &emulator()), VerifyError::CertificateNotBound);
    // The URI's length in the long form: not DER, refused (as any undecodable ESS is).
    let long_uri = [&[0x86, 0x81, 0x16][..], b"https://ca.example.jp/"].concat();
    let not_der = with_ess_general_names(&genuine, |g| {
        tlv(0x30, &[long_uri.clone(), value(g).to_vec()].concat())
    });
    assert_eq!(
        fails(&not_der, &emulator()),
        VerifyError::CertificateNotBound
    );

    // A second certificate named after the signer's: accepted as it is, and held to the same
    // form (its GeneralNames decode and are DER).
    let twice = with_ess_ids(&genuine, |ids| ids.push(ids[0].clone()));
    verify_consent(&twice, &emulator()).unwrap();
    let second_not_der = with_ess_ids(&genuine, |ids| {
        let second = with_general_names(&ids[0], &|g: &[u8]| {
            tlv(0x30, &[long_uri.clone(), value(g).to_vec()].concat())
        });
        ids.push(second);
    });
    assert_eq!(
        fails(&second_not_der, &emulator()),
        VerifyError::CertificateNotBound
    );
}

#[test]
fn versions_must_match_the_signer_identifier() {
    let genuine = consent_signed();
    // SignerInfo version 3 with issuerAndSerialNumber (RFC 5652 5.3: that is version 1).
    let si_v3 = edit(&genuine, |sd| {
        let mut infos: Vec<_> = sd.signer_infos.0.iter().cloned().collect();
        infos[0].version = ::cms::content_info::CmsVersion::V3;
        sd.signer_infos = SignerInfos(SetOfVec::try_from(infos).unwrap());
    });
    assert!(
        matches!(fails(&si_v3, &emulator()), VerifyError::Malformed(m) if m.contains("version"))
    );
    // SignedData version 3 with a version 1 SignerInfo and id-data (RFC 5652 5.1: 1).
    let sd_v3 = edit(&genuine, |sd| {
        sd.version = ::cms::content_info::CmsVersion::V3
    });
    assert!(
        matches!(fails(&sd_v3, &emulator()), VerifyError::Malformed(m) if m.contains("version"))
    );
}

#[test]
fn encapsulated_content_type_must_be_id_data() {
    let genuine = consent_signed();
    let other = der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
    // The eContentType and the signed content-type attribute both changed (and signed).
    let changed = edit(&genuine, |sd| sd.encap_content_info.econtent_type = other);
    let changed = resign(&changed, persona().signature_key(), |attrs| {
        attrs
            .into_iter()
            .map(|mut a| {
                if a.oid == mcms::oid::CONTENT_TYPE {
                    a.values = SetOfVec::try_from(vec![Any::encode_from(&other).unwrap()]).unwrap();
                }
                a
            })
            .collect()
    });
    assert_eq!(fails(&changed, &emulator()), VerifyError::WrongContentType);
}

#[test]
fn every_certificate_and_crl_in_the_cms_must_parse() {
    let genuine = consent_signed();
    let garbage = tlv(0x30, &tlv(0x02, &[0x01]));
    // Garbage beside the signer certificate in the certificate set.
    let extra_cert = rebuild(&genuine, |fields| {
        let certs = elements(value(&fields[3]));
        fields[3] = tlv(0xA0, &[certs.concat(), garbage.clone()].concat());
    });
    assert!(matches!(
        fails(&extra_cert, &emulator()),
        VerifyError::Malformed(_)
    ));
    // Another certificate choice (an attribute certificate tag) is not a certificate.
    let other_choice = rebuild(&genuine, |fields| {
        let certs = elements(value(&fields[3]));
        fields[3] = tlv(0xA0, &[certs.concat(), tlv(0xA2, &[0x05, 0x00])].concat());
    });
    assert!(matches!(
        fails(&other_choice, &emulator()),
        VerifyError::Malformed(_)
    ));
    // Garbage in `crls`.
    let with_crls = rebuild(&genuine, |fields| {
        fields.insert(4, tlv(0xA1, &garbage));
    });
    assert!(matches!(
        fails(&with_crls, &emulator()),
        VerifyError::Malformed(_)
    ));
    // A real CRL (the emulator root's) in `crls` and the root in the certificates: both
    // parse, so the consent verifies (they are not used: revocation comes from the service).
    let crl = EmulatorCa::shared()
        .issue_crl(&[], SystemTime::now())
        .unwrap();
    let root = EmulatorCa::shared().signature_ca_der().to_vec();
    let well_formed = rebuild(&genuine, |fields| {
        let mut certs = elements(value(&fields[3]));
        certs.push(root.clone());
        certs.sort(); // DER order of a SET OF
        fields[3] = tlv(0xA0, &certs.concat());
        fields.insert(4, tlv(0xA1, &crl));
    });
    let v = verify_consent(&well_formed, &emulator()).unwrap();
    // ... and it is the same consent: the id comes from what was signed.
    assert_eq!(
        v.consent_id(),
        verify_consent(&genuine, &emulator()).unwrap().consent_id()
    );
}

/// Inserts an explicit `critical FALSE` (a DEFAULT value, which DER leaves out) into the
/// certificate's first non-critical extension and signs the changed TBS with the emulator
/// signature root's key: a correctly signed certificate that is not DER.
fn non_der_certificate(cert_der: &[u8]) -> Vec<u8> {
    let cert = elements(cert_der).remove(0);
    let parts = elements(value(&cert));
    let mut tbs = elements(value(&parts[0]));
    let exts_at = tbs.iter().position(|e| e[0] == 0xA3).unwrap();
    let mut exts = elements(value(&elements(value(&tbs[exts_at]))[0]));
    let plain = exts
        .iter()
        .position(|e| elements(value(e)).len() == 2)
        .unwrap();
    let inner = elements(value(&exts[plain]));
    exts[plain] = tlv(
        0x30,
        &[inner[0].clone(), vec![0x01, 0x01, 0x00], inner[1].clone()].concat(),
    );
    tbs[exts_at] = tlv(0xA3, &tlv(0x30, &exts.concat()));
    let tbs = tlv(0x30, &tbs.concat());
    let signature = SigningKey::<Sha256>::new(EmulatorCa::shared().signature_root_key().clone())
        .sign(&tbs)
        .to_vec();
    let bits = tlv(0x03, &[&[0u8][..], &signature].concat());
    tlv(0x30, &[tbs, parts[1].clone(), bits].concat())
}

/// The certificate with its subject's two `L` RDNs made one multi-valued RDN, its values in
/// reverse DER order, signed again by the emulator signature root.
fn certificate_with_unsorted_rdn(cert_der: &[u8]) -> Vec<u8> {
    let cert = elements(cert_der).remove(0);
    let parts = elements(value(&cert));
    let mut tbs = elements(value(&parts[0]));
    let subject_at = if tbs[0][0] == 0xA0 { 5 } else { 4 };
    let rdns = elements(value(&tbs[subject_at]));
    // C, L (prefecture), L (municipality), CN.
    let mut atvs = [
        elements(value(&rdns[1]))[0].clone(),
        elements(value(&rdns[2]))[0].clone(),
    ];
    atvs.sort();
    atvs.reverse();
    let merged = tlv(0x31, &atvs.concat());
    tbs[subject_at] = tlv(0x30, &[rdns[0].clone(), merged, rdns[3].clone()].concat());
    let tbs = tlv(0x30, &tbs.concat());
    let signature = SigningKey::<Sha256>::new(EmulatorCa::shared().signature_root_key().clone())
        .sign(&tbs)
        .to_vec();
    let bits = tlv(0x03, &[&[0u8][..], &signature].concat());
    tlv(0x30, &[tbs, parts[1].clone(), bits].concat())
}

#[test]
fn a_signer_certificate_that_is_not_der_is_refused() {
    // A multi-valued RDN whose values are out of DER order (the decoder would sort them).
    let p = persona();
    let unsorted = certificate_with_unsorted_rdn(p.signature_certificate_der());
    JpkiCertificate::from_der(&unsorted)
        .unwrap()
        .verify_issued_by(EmulatorCa::shared().signature_ca())
        .unwrap();
    let signed = rebuild(
        &sign_rsa(p.signature_key(), &unsorted, &a_consent()),
        |fields| fields[3] = tlv(0xA0, &unsorted),
    );
    assert!(matches!(fails(&signed, &emulator()), VerifyError::NotDer(m) if m == "certificate"));

    let p = persona();
    let cert = non_der_certificate(p.signature_certificate_der());
    // Correctly signed by the root (the library's own parser reads it).
    JpkiCertificate::from_der(&cert)
        .unwrap()
        .verify_issued_by(EmulatorCa::shared().signature_ca())
        .unwrap();
    // (`cms::sign` writes the certificate it decoded, in DER; the received bytes go back in,
    // as the ESS signing-certificate-v2 hash, taken over them, binds them.)
    let signed = rebuild(
        &sign_rsa(p.signature_key(), &cert, &a_consent()),
        |fields| fields[3] = tlv(0xA0, &cert),
    );
    assert!(matches!(fails(&signed, &emulator()), VerifyError::NotDer(m) if m == "certificate"));
}

// --- 3: purpose -------------------------------------------------------------------------------

fn signature_certificate(
    serial: u64,
    policy: der::asn1::ObjectIdentifier,
    tweaks: CertificateTweaks,
) -> Vec<u8> {
    let p = persona();
    persona_certificate(
        &p.signature_key().to_public_key(),
        serial,
        p.issue_date(),
        policy,
        &tweaks,
    )
}

#[test]
fn the_signer_certificate_purpose_is_enforced() {
    let p = persona();
    let sign = |cert: &[u8]| sign_rsa(p.signature_key(), cert, &a_consent());
    let eku = |oids: &[&str]| CertificateTweaks {
        extended_key_usage: Some(
            oids.iter()
                .map(|o| der::asn1::ObjectIdentifier::new_unwrap(o))
                .collect(),
        ),
        ..CertificateTweaks::default()
    };
    // An extended key usage that excludes signing documents: serverAuth only, OCSPSigning
    // only.
    for (serial, oids) in [
        (0x24_0001, &["1.3.6.1.5.5.7.3.1"][..]),
        (0x24_0002, &["1.3.6.1.5.5.7.3.9"][..]),
    ] {
        let cert = signature_certificate(serial, oid::CARD_SIGNATURE_POLICY, eku(oids));
        assert_eq!(
            fails(&sign(&cert), &emulator()),
            VerifyError::WrongExtendedKeyUsage
        );
    }
    // One that allows it (document signing, RFC 9336; e-mail protection): accepted.
    for (serial, oids) in [
        (0x24_0003, &["1.3.6.1.5.5.7.3.36"][..]),
        (0x24_0004, &["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.4"][..]),
    ] {
        let cert = signature_certificate(serial, oid::CARD_SIGNATURE_POLICY, eku(oids));
        verify_consent(&sign(&cert), &emulator()).unwrap();
    }
    // The authentication policy (and a policy under the JPKI arc that is on no list) on a
    // signature certificate: not a signature policy.
    for (serial, policy) in [
        (0x24_0005, oid::AUTHENTICATION_POLICY),
        (
            0x24_0006,
            der::asn1::ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.1.1.21"),
        ),
    ] {
        let cert = signature_certificate(serial, policy, CertificateTweaks::default());
        assert_eq!(fails(&sign(&cert), &emulator()), VerifyError::WrongPolicy);
    }
    // A signature-shaped certificate (the basic four, the signature policy) issued by the
    // authentication root: the other family.
    let cert = signature_certificate(
        0x24_0007,
        oid::CARD_SIGNATURE_POLICY,
        CertificateTweaks {
            issued_by_authentication_root: true,
            ..CertificateTweaks::default()
        },
    );
    assert_eq!(
        JpkiCertificate::from_der(&cert).unwrap().kind(),
        CertificateKind::Signature
    );
    assert_eq!(
        fails(&sign(&cert), &emulator()),
        VerifyError::WrongRootFamily
    );
    // Custom roots carry their family too: the signature root declared an authentication
    // root does not vouch for signatures.
    let swapped = VerifyOptions {
        trust: TrustStore::custom_with_families(vec![(
            EmulatorCa::shared().signature_ca_der().to_vec(),
            CertificatePurpose::Authentication,
        )])
        .unwrap(),
        ..emulator()
    };
    assert_eq!(
        fails(&consent_signed(), &swapped),
        VerifyError::WrongRootFamily
    );
    let named = TrustStore::custom(vec![EmulatorCa::shared().signature_ca_der().to_vec()]).unwrap();
    assert_eq!(named.families(), &[CertificatePurpose::Signature]);
}

#[test]
fn verify_certificate_checks_a_purpose_for_login() {
    let p = persona();
    let verifier = Verifier::new(TrustStore::emulator()).allow_unchecked_revocation();
    let check = CertificateCheck::default();
    let auth = JpkiCertificate::from_der(p.authentication_certificate_der()).unwrap();
    let sig = JpkiCertificate::from_der(p.signature_certificate_der()).unwrap();
    let v = verifier
        .verify_certificate(&auth, CertificatePurpose::Authentication, &check)
        .unwrap();
    assert_eq!(v.root.der(), EmulatorCa::shared().authentication_ca_der());
    verifier
        .verify_certificate(&sig, CertificatePurpose::Signature, &check)
        .unwrap();
    // Each genuine certificate used for the other purpose: refused with its own reason.
    for (cert, purpose, reason) in [
        (
            &auth,
            CertificatePurpose::Signature,
            VerifyError::AuthenticationCertificateForSignature,
        ),
        (
            &sig,
            CertificatePurpose::Authentication,
            VerifyError::SignatureCertificateForLogin,
        ),
    ] {
        assert_eq!(
            verifier
                .verify_certificate(cert, purpose, &check)
                .unwrap_err(),
            reason
        );
    }
    // Strict by default: revocation must be established, by a CRL of the right root.
    let strict = Verifier::new(TrustStore::emulator());
    assert_eq!(
        strict
            .verify_certificate(&auth, CertificatePurpose::Authentication, &check)
            .unwrap_err(),
        VerifyError::RevocationNotChecked
    );
}

// --- 2: one answer per certificate -------------------------------------------------------------

/// The CertID of the persona's signature certificate, from the library's own request, with
/// the hash algorithm's parameters replaced by `params` (whole elements) when given.
fn cert_id(params: Option<&[u8]>) -> Vec<u8> {
    let cert = persona().signature_certificate();
    let request = Verifier::new(TrustStore::emulator())
        .ocsp_request(&cert, None)
        .unwrap();
    // OCSPRequest { TBSRequest { requestList { Request { CertID } } } }
    let tbs = &elements(value(&elements(&request)[0]))[0];
    let list = &elements(value(tbs))[0];
    let req = &elements(value(list))[0];
    let id = elements(value(req)).remove(0);
    let mut parts = elements(value(&id));
    if let Some(params) = params {
        let alg = elements(value(&parts[0]));
        parts[0] = tlv(0x30, &[alg[0].as_slice(), params].concat());
    }
    tlv(0x30, &parts.concat())
}

fn generalized(t: SystemTime) -> Vec<u8> {
    let g = der::asn1::GeneralizedTime::from_system_time(t).unwrap();
    g.to_der().unwrap()
}

/// A SingleResponse for `id` with `status` (whole element), thisUpdate an hour ago,
/// nextUpdate in a day.
fn single(id: &[u8], status: &[u8]) -> Vec<u8> {
    let now = SystemTime::now();
    let next = tlv(0xA0, &generalized(now + Duration::from_secs(86_400)));
    tlv(
        0x30,
        &[
            id,
            status,
            &generalized(now - Duration::from_secs(3600)),
            &next,
        ]
        .concat(),
    )
}

/// An OCSPResponse holding `singles`, signed by the emulator signature root.
fn ocsp_response(singles: &[Vec<u8>]) -> Vec<u8> {
    let key_hash = tlv(0x04, &[0x11; 20]);
    let data = tlv(
        0x30,
        &[
            tlv(0xA2, &key_hash),
            generalized(SystemTime::now()),
            tlv(0x30, &singles.concat()),
        ]
        .concat(),
    );
    let signature = SigningKey::<Sha256>::new(EmulatorCa::shared().signature_root_key().clone())
        .sign(&data)
        .to_vec();
    // sha256WithRSAEncryption, NULL parameters.
    let alg = tlv(
        0x30,
        &[
            &tlv(
                0x06,
                &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B],
            )[..],
            &[0x05, 0x00],
        ]
        .concat(),
    );
    let basic = tlv(
        0x30,
        &[data, alg, tlv(0x03, &[&[0u8][..], &signature].concat())].concat(),
    );
    // id-pkix-ocsp-basic 1.3.6.1.5.5.7.48.1.1
    let basic_oid = tlv(
        0x06,
        &[0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01],
    );
    let bytes = tlv(0x30, &[basic_oid, tlv(0x04, &basic)].concat());
    tlv(
        0x30,
        &[&[0x0A, 0x01, 0x00][..], &tlv(0xA0, &bytes)].concat(),
    )
}

const GOOD: [u8; 2] = [0x80, 0x00];

fn revoked_status() -> Vec<u8> {
    tlv(
        0xA1,
        &generalized(SystemTime::now() - Duration::from_secs(86_400 * 30)),
    )
}

fn with_ocsp(response: Vec<u8>) -> VerifyOptions {
    VerifyOptions {
        ocsp_response: Some(response),
        require_revocation: true,
        ..emulator()
    }
}

#[test]
fn one_answer_per_certificate() {
    let signed = consent_signed();
    let id = cert_id(None);
    // The hand-built response is sound: one good answer is accepted.
    let v = verify_consent(&signed, &with_ocsp(ocsp_response(&[single(&id, &GOOD)]))).unwrap();
    assert!(matches!(
        v.signature.revocation,
        RevocationStatus::Ocsp { .. }
    ));
    // Two answers that agree: accepted. A good and a revoked answer, in either order: refused.
    verify_consent(
        &signed,
        &with_ocsp(ocsp_response(&[single(&id, &GOOD), single(&id, &GOOD)])),
    )
    .unwrap();
    for singles in [
        [single(&id, &GOOD), single(&id, &revoked_status())],
        [single(&id, &revoked_status()), single(&id, &GOOD)],
    ] {
        assert_eq!(
            fails(&signed, &with_ocsp(ocsp_response(&singles))),
            VerifyError::OcspConflictingAnswers
        );
    }
    // `good` must be an empty NULL: not constructed, not with content.
    for status in [vec![0xA0, 0x00], vec![0x80, 0x01, 0x00]] {
        assert!(matches!(
            fails(&signed, &with_ocsp(ocsp_response(&[single(&id, &status)]))),
            VerifyError::BadOcspResponse(_)
        ));
    }
}

#[test]
fn cert_id_hash_parameters_absent_or_null_alike() {
    let signed = consent_signed();
    // RFC 5754 section 2: SHA-256 with NULL parameters is the same algorithm (Go and OpenSSL
    // write NULL).
    let null = cert_id(Some(&[0x05, 0x00]));
    verify_consent(&signed, &with_ocsp(ocsp_response(&[single(&null, &GOOD)]))).unwrap();
    // Any other parameters are not SHA-256's: no answer for this certificate.
    let other = cert_id(Some(&[0x04, 0x00]));
    assert!(matches!(
        fails(&signed, &with_ocsp(ocsp_response(&[single(&other, &GOOD)]))),
        VerifyError::BadOcspResponse(m) if m.contains("no response")
    ));
}

// --- 5: nothing personal in Debug --------------------------------------------------------------

/// The forms a value can take in `Debug` output: the text, its UTF-8 bytes in decimal (as a
/// `Vec<u8>` prints) and in hex (contiguous, either case; as `{:02x?}` prints).
fn printed_forms(secret: &str) -> Vec<String> {
    let bytes = secret.as_bytes();
    let join = |f: &dyn Fn(&u8) -> String| bytes.iter().map(f).collect::<Vec<_>>().join(", ");
    vec![
        secret.to_string(),
        join(&|b| b.to_string()),
        join(&|b| format!("{b:02x}")),
        join(&|b| format!("{b:02X}")),
        bytes.iter().map(|b| format!("{b:02x}")).collect(),
        bytes.iter().map(|b| format!("{b:02X}")).collect(),
    ]
}

#[test]
fn debug_of_signed_bytes_prints_no_personal_data() {
    let p = persona();
    let a = p.attributes();
    let linkage = Document::from(docs::linkage(a)).encode();
    let signed = sign_rsa(p.signature_key(), p.signature_certificate_der(), &linkage);
    let verified = verify_consent(&signed, &emulator()).unwrap();
    let mut signer = RsaKeySigner::new(
        p.signature_key().clone(),
        p.signature_certificate_der().to_vec(),
    );
    let flow_signed = mynasign::flow::sign_consent_with(
        &mut signer,
        CertificateSource::Card,
        &Document::from(docs::linkage(a)),
        &mcms::SignOptions::default(),
    )
    .unwrap();
    // The secrets are in the signed bytes (so the scan below can fail).
    let family = a.name.split('\u{3000}').next().unwrap().to_string();
    assert!(String::from_utf8_lossy(&linkage).contains(&family));
    let printed = [
        format!("{verified:?}"),
        format!("{:?}", verified.signature),
        format!("{flow_signed:?}"),
    ];
    // Each type still says what it holds: lengths and a digest.
    for p in &printed {
        assert!(p.contains("bytes, sha256"), "{p}");
    }
    for secret in [family.as_str(), a.name.as_str(), a.address.as_str()] {
        for form in printed_forms(secret) {
            for p in &printed {
                assert!(!p.contains(&form), "{form:?} printed in {p}");
            }
        }
    }
}

// --- 6: a CRL read by its bytes stays strict --------------------------------------------------

/// The emulator root's CRL listing `serial`, its single entry's serial replaced by
/// `encoded` (an INTEGER element), re-signed by the root: correctly signed, maybe not DER.
fn crl_with_entry_serial(encoded: &[u8]) -> Vec<u8> {
    let now = SystemTime::now();
    let crl = EmulatorCa::shared()
        .issue_crl(&[(&[0x42][..], now - Duration::from_secs(3600))], now)
        .unwrap();
    let parts = elements(value(&elements(&crl)[0]));
    let mut tbs = elements(value(&parts[0]));
    let list = tbs
        .iter()
        .position(|e| e[0] == 0x30 && value(e)[0] == 0x30 && e != &tbs[1])
        .unwrap();
    let mut entry = elements(value(&elements(value(&tbs[list]))[0]));
    entry[0] = encoded.to_vec();
    tbs[list] = tlv(0x30, &tlv(0x30, &entry.concat()));
    let tbs = tlv(0x30, &tbs.concat());
    let signature = SigningKey::<Sha256>::new(EmulatorCa::shared().signature_root_key().clone())
        .sign(&tbs)
        .to_vec();
    let bits = tlv(0x03, &[&[0u8][..], &signature].concat());
    tlv(0x30, &[tbs, parts[1].clone(), bits].concat())
}

#[test]
fn a_crl_is_indexed_strictly() {
    // The hand-built CRL is sound: a minimal serial is read and listed.
    let listed = Verifier::new(TrustStore::emulator())
        .with_crl(&crl_with_entry_serial(&[0x02, 0x01, 0x42]))
        .unwrap();
    let serial_0x42 = signature_certificate(0x42, oid::CARD_SIGNATURE_POLICY, Default::default());
    let cert = JpkiCertificate::from_der(&serial_0x42).unwrap();
    assert_eq!(
        listed
            .verify_certificate(
                &cert,
                CertificatePurpose::Signature,
                &CertificateCheck::default()
            )
            .unwrap_err(),
        VerifyError::Revoked
    );
    // The same serial with a leading zero octet (not DER), an empty INTEGER, another tag.
    for encoded in [
        &[0x02, 0x02, 0x00, 0x42][..],
        &[0x02, 0x00],
        &[0x04, 0x01, 0x42],
    ] {
        assert!(matches!(
            Verifier::new(TrustStore::emulator()).with_crl(&crl_with_entry_serial(encoded)),
            Err(VerifyError::BadCrl(_))
        ));
    }
}
