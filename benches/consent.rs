//! `make bench`: consents verified per second (RSA-2048 on the emulated card, ECDSA P-256), and
//! the time to build the CMS around a card signature, the card excluded.
//!
//! No harness: each figure is the median of several runs, each run long enough (about a quarter
//! of a second) for the clock not to matter. Runs are timed in the processor time of the
//! benchmark's thread (`/proc/thread-self/schedstat`, nanoseconds, updated at least every
//! scheduler tick; wall time where that file is missing), which is what `openssl speed`
//! divides by too (user time, unless `-elapsed`): the side-by-side ratio then compares like
//! with like. A wall-clock figure beside a processor-time one would count the time the
//! scheduler gave to other work against us alone. Other work on the machine still slows both
//! sides through shared caches, ours (which allocates and parses) more than OpenSSL's loop.
//!
//! `MYNASIGN_PROFILE=<seconds>` runs only the RSA consent verification, in a loop, and prints
//! how many were done: for a profiler (`perf record`, `valgrind --tool=callgrind`), whose
//! figures are then not mixed with the set-up's key generation.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use der::{Decode, Encode};
use mynasign::cms::{self, ContentSigner, P256KeySigner, SignOptions, SignatureAlgorithm};
use mynasign::consent::{
    AddressChangeConsent, CertificateSource, Channel, ConsentItem, ConsentItems, Document,
    HolderStatus, Nonce, Terms, Timestamp,
};
use mynasign::emulator::{
    EmulatedCard, EmulatorCa, EmulatorConfig, Persona, SignatureCertificateRequest,
};
use mynasign::flow::{sign_consent_on_card, sign_consent_with, CardSignOptions};
use mynasign::jpki::Profile;
use mynasign::pin::Pin;
use mynasign::verify::{verify_consent, ConsentCheck, TrustStore, Verifier, VerifyOptions};
use spki::{EncodePublicKey, SubjectPublicKeyInfoOwned};
use x509_cert::serial_number::SerialNumber;

const RUNS: usize = 7;
const RUN_TIME: Duration = Duration::from_millis(250);

/// The processor time this thread has used (Linux: `/proc/thread-self/schedstat`, whose first
/// field is the time on a CPU in nanoseconds); `None` where the file is missing.
fn thread_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = stat.split_whitespace().next()?.parse().ok()?;
    (ns > 0).then(|| Duration::from_nanos(ns))
}

/// A clock for one run: the thread's processor time where the system reports it, else wall
/// time.
#[derive(Clone, Copy)]
enum Clock {
    Processor(Duration),
    Wall(Instant),
}

impl Clock {
    fn start() -> Self {
        match thread_cpu_time() {
            Some(t) => Clock::Processor(t),
            None => Clock::Wall(Instant::now()),
        }
    }

    fn elapsed(self) -> Duration {
        match self {
            Clock::Processor(t) => thread_cpu_time().map_or(Duration::ZERO, |now| now - t),
            Clock::Wall(t) => t.elapsed(),
        }
    }
}

/// Median over [`RUNS`] runs of the time one call of `f` takes, in the thread's processor
/// time (see the module docs).
fn median_per_call(mut f: impl FnMut()) -> Duration {
    // Calibrate: how many calls fill one run.
    f();
    let start = Clock::start();
    let mut calls = 0u32;
    while start.elapsed() < RUN_TIME / 4 {
        f();
        calls += 1;
    }
    let per_run = (calls * 4).max(1);
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Clock::start();
            for _ in 0..per_run {
                f();
            }
            start.elapsed() / per_run
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

fn per_second(d: Duration) -> f64 {
    1.0 / d.as_secs_f64()
}

fn document() -> Document {
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
        channel: Channel::LicenceCentreKiosk,
        nonce: Nonce::new("bench-0001").expect("nonce"),
        timestamp: Timestamp::now(),
    })
}

/// A consent signed on the emulated card of persona 1.
fn rsa_consent(doc: &Document) -> Vec<u8> {
    let persona = Persona::from_seed(1);
    let card = Arc::new(EmulatedCard::from_image(
        persona.card_image(Profile::MyNumberCard),
        EmulatorConfig::default(),
    ));
    let password = Pin::signature_password(persona.signature_password()).expect("password");
    sign_consent_on_card(card, doc, &password, &CardSignOptions::default())
        .expect("sign on the emulated card")
        .cms
}

/// A throwaway RSA root (its name marks it a signature CA) and a P-256 JPKI-style signature
/// certificate under it: keyUsage digitalSignature + nonRepudiation, the card signature policy.
/// Returns the root (DER), the P-256 key and the certificate (DER).
/// A P-256 signature certificate for the ordinary persona, issued by the emulator root.
fn p256_certificate() -> (p256::ecdsa::SigningKey, Vec<u8>) {
    let key = p256::ecdsa::SigningKey::random(&mut rand_core::OsRng);
    let public = p256::PublicKey::from(key.verifying_key());
    let p = Persona::from_seed(1);
    let attrs = p.signature_attributes();
    let cert = EmulatorCa::shared()
        .issue_signature_certificate(&SignatureCertificateRequest {
            serial: 0xBE_0001,
            subject_id: "20260101BENCHP256000001",
            prefecture: p.prefecture_romanised(),
            municipality: p.municipality_romanised(),
            attributes: &attrs,
            public_key: &public,
            issue_date: p.issue_date(),
            policy: mynasign::cert::oid::CARD_SIGNATURE_POLICY,
        })
        .expect("P-256 certificate");
    (key, cert)
}

/// An older generation of the emulator signature root: same name, its own key and key
/// identifier, self-signed (as the three generations of a J-LIS root are).
fn older_generation(serial: u8) -> Vec<u8> {
    use rsa::signature::{SignatureEncoding, Signer};
    let key = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).expect("RSA key");
    let spki = SubjectPublicKeyInfoOwned::from_der(
        key.to_public_key()
            .to_public_key_der()
            .expect("SPKI")
            .as_bytes(),
    )
    .expect("SPKI");
    let mut cert =
        x509_cert::Certificate::from_der(EmulatorCa::shared().signature_ca_der()).expect("root");
    let tbs = &mut cert.tbs_certificate;
    tbs.serial_number = SerialNumber::new(&[serial]).expect("serial");
    tbs.subject_public_key_info = spki;
    for ext in tbs.extensions.iter_mut().flatten() {
        if ext.extn_id == const_oid::db::rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER {
            ext.extn_value = der::asn1::OctetString::new(
                der::asn1::OctetString::new(vec![serial; 20])
                    .expect("ski")
                    .to_der()
                    .expect("ski"),
            )
            .expect("ski");
        }
    }
    let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key);
    let sig = signer.sign(&tbs.to_der().expect("tbs")).to_vec();
    cert.signature = der::asn1::BitString::from_bytes(&sig).expect("signature");
    cert.to_der().expect("root")
}

/// `openssl speed -seconds 3 rsa2048`: RSA-2048 verifications per second on one core.
fn openssl_rsa2048_verifications_per_second() -> Option<f64> {
    let out = std::process::Command::new("openssl")
        .args(["speed", "-seconds", "3", "rsa2048"])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let header: Vec<&str> = text
        .lines()
        .find(|l| l.contains("verify/s"))?
        .split_whitespace()
        .collect();
    let column = header.iter().position(|h| *h == "verify/s")?;
    let row: Vec<&str> = text
        .lines()
        .find(|l| l.trim_start().starts_with("rsa") && l.contains("2048"))?
        .split_whitespace()
        .collect();
    // The row starts with "rsa", "2048", "bits", then the header's columns.
    row.get(3 + column)?.parse().ok()
}

/// A signer that returns a precomputed signature: `cms::sign` timed without the card.
struct Precomputed {
    certificate: Vec<u8>,
    signature: Vec<u8>,
}

impl ContentSigner for Precomputed {
    type Error = mynasign::cms::CmsError;
    fn certificate_der(&self) -> Vec<u8> {
        self.certificate.clone()
    }
    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::RsaPkcs1Sha256
    }
    fn sign(&mut self, _message: &[u8]) -> Result<Vec<u8>, Self::Error> {
        Ok(self.signature.clone())
    }
}

/// A field of `/proc/self/status` (`VmRSS`, `VmHWM`), in KiB; `None` off Linux.
fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// Wall time of `openssl crl -inform DER -in CRL -CAfile ROOT -noout` (parse and verify), and
/// its peak RSS in KiB when `/usr/bin/time` can tell.
fn openssl_crl(crl: &Path, root: &Path) -> (Duration, Option<u64>) {
    let args = [
        "crl",
        "-inform",
        "DER",
        "-in",
        crl.to_str().expect("path"),
        "-CAfile",
        root.to_str().expect("path"),
        "-noout",
    ];
    let start = Instant::now();
    let out = std::process::Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl");
    let took = start.elapsed();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("verify OK"),
        "openssl crl did not verify the CRL: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let peak = std::process::Command::new("/usr/bin/time")
        .args(["-f", "%M", "openssl"])
        .args(args)
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stderr)
                .lines()
                .last()
                .and_then(|l| l.trim().parse().ok())
        });
    (took, peak)
}

/// Issue 24, item 6: `Verifier::with_crl` on national-sized CRLs (1 and 3 million entries,
/// made by `openssl ca -gencrl` in scripts/national-crl.sh, kept under the target directory),
/// side by side with `openssl crl -CAfile ... -noout`; the memory it peaks at and keeps.
fn national_crls(consent: &[u8]) {
    use rsa::pkcs8::{EncodePrivateKey, LineEnding};
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("national-crl");
    std::fs::create_dir_all(&dir).expect("bench directory");
    let ca = EmulatorCa::shared();
    let root = dir.join("root.pem");
    let key = dir.join("root-key.pem");
    std::fs::write(&root, ca.signature_ca_pem()).expect("root");
    let key_pem = ca
        .signature_root_key()
        .to_pkcs8_pem(LineEnding::LF)
        .expect("key");
    std::fs::write(&key, key_pem.as_bytes()).expect("key");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/national-crl.sh");
    for n in [1_000_000u32, 3_000_000] {
        let out = dir.join(format!("crl-{n}.der"));
        let made = std::process::Command::new("bash")
            .arg(&script)
            .arg(n.to_string())
            .args([&root, &key, &out])
            .status()
            .expect("scripts/national-crl.sh");
        assert!(made.success(), "scripts/national-crl.sh {n} failed");
        let crl = std::fs::read(&out).expect("CRL");

        let mut ours = Vec::new();
        let (mut peak, mut kept) = (None, None);
        for run in 0..3 {
            let before = status_kib("VmRSS");
            // Resets the peak (VmHWM) to the current RSS (Linux, proc(5) clear_refs).
            let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
            let start = Instant::now();
            let verifier = Verifier::new(TrustStore::emulator())
                .with_crl(&crl)
                .expect("the national CRL is accepted");
            ours.push(start.elapsed());
            // Memory from the first run only: later runs reuse what the earlier ones freed.
            if let (Some(b), true, 0) = (before, reset, run) {
                peak = status_kib("VmHWM").map(|p| p.saturating_sub(b));
                kept = status_kib("VmRSS").map(|a| a.saturating_sub(b));
            }
            // Verification with it: the persona is not listed; one lookup among millions.
            verifier
                .verify_consent(consent, &ConsentCheck::default())
                .expect("verifies with the national CRL");
            drop(black_box(verifier));
        }
        ours.sort();
        // Verification with it is unaffected (one binary search among millions).
        let verifier = Verifier::new(TrustStore::emulator())
            .with_crl(&crl)
            .expect("accepted");
        let check = ConsentCheck::default();
        let each = median_per_call(|| {
            black_box(verifier.verify_consent(black_box(consent), &check).is_ok());
        });
        drop(verifier);
        let mut theirs: Vec<Duration> = Vec::new();
        let mut openssl_peak = None;
        for _ in 0..3 {
            let (t, p) = openssl_crl(&out, &root);
            theirs.push(t);
            openssl_peak = p.or(openssl_peak);
        }
        theirs.sort();
        let size = crl.len() as f64 / 1e6;
        let memory = |kib: Option<u64>| {
            kib.map_or("n/a".to_string(), |k| {
                format!(
                    "{:.0} MiB ({:.1}x the CRL)",
                    mib(k),
                    mib(k) / (size / 1.048_576)
                )
            })
        };
        println!(
            "national CRL, {n} entries, {size:.1} MB: Verifier::with_crl {:.2} s, peak +{}, \
             kept {}; openssl crl -CAfile -noout {:.2} s, peak {}; ratio {:.2} (target <= 1); \
             a consent verified with it in {:.1} µs",
            ours[1].as_secs_f64(),
            memory(peak),
            memory(kept),
            theirs[1].as_secs_f64(),
            memory(openssl_peak),
            ours[1].as_secs_f64() / theirs[1].as_secs_f64(),
            each.as_secs_f64() * 1e6,
        );
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is accepted and ignored.
    let doc = document();
    let content = doc.encode();

    // RSA-2048: the card's signature certificate. A service's Verifier, built once: a
    // three-generation store (two older same-named roots first, the newest, which issued the
    // signer, last) and the newest root's current CRL.
    let rsa_cms = rsa_consent(&doc);
    let ca = EmulatorCa::shared();
    let store = TrustStore::custom(vec![
        older_generation(1),
        older_generation(2),
        ca.signature_ca_der().to_vec(),
    ])
    .expect("three-generation store");
    let crl = ca
        .issue_crl(&[], std::time::SystemTime::now())
        .expect("CRL");
    let verifier = Verifier::new(store).with_crl(&crl).expect("CRL accepted");
    let check = ConsentCheck::default();
    let verified = verifier
        .verify_consent(&rsa_cms, &check)
        .expect("the RSA consent verifies");
    assert_eq!(verified.document, doc);
    // MYNASIGN_PROFILE=<seconds>: only this verification, in a loop (for `perf record`).
    if let Some(secs) = std::env::var("MYNASIGN_PROFILE")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
    {
        let end = std::time::Instant::now() + Duration::from_secs(secs);
        let mut n = 0u64;
        while std::time::Instant::now() < end {
            for _ in 0..100 {
                black_box(verifier.verify_consent(black_box(&rsa_cms), &check).is_ok());
            }
            n += 100;
        }
        println!("profiled {n} verifications");
        return;
    }
    let rsa = median_per_call(|| {
        black_box(verifier.verify_consent(black_box(&rsa_cms), &check).is_ok());
    });
    let consents_per_second = per_second(rsa);
    println!(
        "verify RSA-2048 consent (Verifier built once, 3-generation store, CRL): {:.0}/s \
         ({:.1} µs each, {} bytes of CMS)",
        consents_per_second,
        rsa.as_secs_f64() * 1e6,
        rsa_cms.len()
    );
    // The one-call convenience (builds a Verifier, and checks the CRL's signature, each call).
    let emulator = VerifyOptions {
        trust: TrustStore::emulator(),
        crls: vec![crl.clone()],
        ..VerifyOptions::default()
    };
    verify_consent(&rsa_cms, &emulator).expect("the RSA consent verifies");
    let once = median_per_call(|| {
        black_box(verify_consent(black_box(&rsa_cms), &emulator).is_ok());
    });
    println!(
        "verify RSA-2048 consent (verify_consent, one call, CRL): {:.0}/s ({:.1} µs each)",
        per_second(once),
        once.as_secs_f64() * 1e6
    );

    // ECDSA P-256: a certificate for a P-256 key from the emulator root (chain RSA-2048).
    let (key, cert) = p256_certificate();
    let mut signer = P256KeySigner::new(key, cert);
    let p256_cms = sign_consent_with(
        &mut signer,
        CertificateSource::Card,
        &doc,
        &SignOptions::default(),
    )
    .expect("sign with P-256")
    .cms;
    let p256_verifier = Verifier::new(TrustStore::emulator())
        .with_crl(&crl)
        .expect("CRL");
    let verified = p256_verifier
        .verify_consent(&p256_cms, &check)
        .expect("the P-256 consent verifies");
    assert_eq!(verified.document, doc);
    let ec = median_per_call(|| {
        black_box(
            p256_verifier
                .verify_consent(black_box(&p256_cms), &check)
                .is_ok(),
        );
    });
    println!(
        "verify ECDSA P-256 consent: {:.0}/s ({:.1} µs each, {} bytes of CMS; chain RSA-2048)",
        per_second(ec),
        ec.as_secs_f64() * 1e6,
        p256_cms.len()
    );

    // Side by side with OpenSSL on the same machine: one consent costs two RSA-2048
    // verifications (signature and chain), so OpenSSL's rate bounds it at half its
    // verifications per second. Target: at least half of that bound.
    match openssl_rsa2048_verifications_per_second() {
        Some(openssl) => {
            let bound = openssl / 2.0;
            println!(
                "openssl speed -seconds 3 rsa2048: {openssl:.0} verify/s, bound {bound:.0} \
                 consents/s; ratio {:.2} (target 0.5; both in processor time)",
                consents_per_second / bound
            );
        }
        None => println!("openssl speed: not available (the ratio needs the openssl binary)"),
    }

    // Building the CMS around a card signature, the card excluded.
    let mut precomputed = Precomputed {
        certificate: Persona::from_seed(1).signature_certificate_der().to_vec(),
        signature: vec![0x5A; 256],
    };
    let options = SignOptions::default();
    let built = cms::sign(&content, &mut precomputed, &options).expect("cms::sign");
    assert_eq!(built.len(), rsa_cms.len());
    let build = median_per_call(|| {
        black_box(cms::sign(black_box(&content), &mut precomputed, &options).is_ok());
    });
    println!(
        "build CMS around a card signature: {:.1} µs ({:.0}/s; card excluded)",
        build.as_secs_f64() * 1e6,
        per_second(build)
    );

    // The CRL figures do not depend on the signature backend (one signature per CRL): made
    // once, in the run without fast-verify.
    if cfg!(feature = "fast-verify") {
        println!("national CRLs: see the run without fast-verify");
    } else {
        national_crls(&rsa_cms);
    }
}
