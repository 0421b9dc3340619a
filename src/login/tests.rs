use std::time::{Duration, SystemTime};

use super::*;
use crate::verify::{TrustStore, Verifier};

fn verifier() -> LoginVerifier {
    LoginVerifier::new(
        Verifier::new(TrustStore::production()),
        "https://login.example.jp",
    )
    .unwrap()
}

#[test]
fn challenge_json_round_trips_and_is_canonical() {
    let v = verifier();
    let c = v.issue_challenge("session-1").unwrap();
    let json = c.to_json();
    assert_eq!(LoginChallenge::from_json(&json).unwrap(), c);
    let text = String::from_utf8(json).unwrap();
    assert!(text.starts_with("{\"expires_at\":\""), "{text}");
    assert!(text.contains("\"form\":\"bound\""));
    assert!(text.contains(&c.nonce_hex()));
    // Lifetime: 5 minutes.
    assert_eq!(
        c.expires_at.unix_seconds() - c.issued_at.unix_seconds(),
        300
    );
    // Two challenges never share a nonce.
    assert_ne!(v.issue_challenge("session-1").unwrap().nonce, c.nonce);
}

#[test]
fn challenge_json_is_strict() {
    let c = verifier().issue_challenge("s").unwrap();
    let good = String::from_utf8(c.to_json()).unwrap();
    for bad in [
        good.replace("\"form\":\"bound\"", "\"form\":\"other\""),
        good.replace("mynasign.login.challenge.v1", "mynasign.login.challenge.v2"),
        good.replace(&c.nonce_hex(), &c.nonce_hex().to_uppercase()),
        good.replace(&c.nonce_hex(), &c.nonce_hex()[2..]),
        good.replace("{", "{\"extra\":\"x\","),
        good.replace("Z\"", "+00:00\""),
        "[]".to_string(),
    ] {
        assert!(
            matches!(
                LoginChallenge::from_json(bad.as_bytes()),
                Err(LoginError::Malformed(_))
            ),
            "{bad}"
        );
    }
    let huge = vec![b' '; MAX_LOGIN_JSON_SIZE + 1];
    assert!(matches!(
        LoginChallenge::from_json(&huge),
        Err(LoginError::TooLarge { .. })
    ));
}

#[test]
fn client_data_is_canonical_and_binds_the_service() {
    let nonce = [7u8; 32];
    let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_607_212);
    let cd = ClientData::new("https://a.example", nonce, at).unwrap();
    let bytes = cd.to_bytes();
    assert_eq!(
        String::from_utf8(bytes.clone()).unwrap(),
        format!(
            "{{\"nonce\":\"{}\",\"service\":\"https://a.example\",\"signed_at\":\"2026-01-05T10:00:12Z\",\"type\":\"mynasign.login.v1\"}}",
            "07".repeat(32)
        )
    );
    assert_eq!(ClientData::from_bytes(&bytes).unwrap(), cd);
    // Another spelling of the same JSON (whitespace, member order) is refused.
    let spaced = String::from_utf8(bytes.clone()).unwrap().replace(",", ", ");
    assert!(ClientData::from_bytes(spaced.as_bytes()).is_err());
    // Another service: another digest.
    let other = ClientData::new("https://b.example", nonce, at).unwrap();
    assert_ne!(other.digest(), cd.digest());
    // The raw form signs the nonce as it is.
    let ch = LoginChallenge {
        form: ChallengeForm::Raw,
        service: "s".into(),
        nonce,
        issued_at: crate::consent::Timestamp::from_unix_seconds(0).unwrap(),
        expires_at: crate::consent::Timestamp::from_unix_seconds(1).unwrap(),
    };
    assert_eq!(ch.to_sign("anything", at).unwrap(), (None, nonce));
    for bad in ["", "a\nb", &"x".repeat(MAX_SERVICE_LEN + 1)] {
        assert_eq!(
            ClientData::new(bad, nonce, at).unwrap_err(),
            LoginError::InvalidService
        );
    }
}

#[test]
fn the_store_is_single_use_and_tied_to_a_session() {
    let v = verifier();
    let store = MemoryChallengeStore::new();
    let c = v.issue_challenge("a").unwrap();
    let record = ChallengeRecord {
        nonce: c.nonce,
        session: "a".into(),
        form: c.form,
        issued_at: SystemTime::now(),
        expires_at: SystemTime::now() + Duration::from_secs(60),
    };
    store.insert(record.clone()).unwrap();
    assert!(store.insert(record.clone()).is_err());
    assert_eq!(store.take(&c.nonce, "b").unwrap(), Taken::OtherSession);
    assert_eq!(store.take(&c.nonce, "a").unwrap(), Taken::Issued(record));
    assert_eq!(store.take(&c.nonce, "a").unwrap(), Taken::AlreadyUsed);
    assert_eq!(store.take(&[0; 32], "a").unwrap(), Taken::Unknown);
    // Debug never shows the session identifier.
    let shown = format!("{:?}", store.take(&c.nonce, "a"));
    assert!(!shown.contains("\"a\""));
}

#[test]
fn concurrent_takes_of_one_challenge_succeed_once() {
    let v = std::sync::Arc::new(verifier());
    let store = std::sync::Arc::new(MemoryChallengeStore::new());
    let c = v.issue_challenge("s").unwrap();
    store
        .insert(ChallengeRecord {
            nonce: c.nonce,
            session: "s".into(),
            form: c.form,
            issued_at: SystemTime::now(),
            expires_at: SystemTime::now() + Duration::from_secs(60),
        })
        .unwrap();
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            std::thread::spawn(move || store.take(&c.nonce, "s").unwrap())
        })
        .collect();
    let issued = handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .filter(|t| matches!(t, Taken::Issued(_)))
        .count();
    assert_eq!(issued, 1);
}

#[test]
fn every_login_refusal_has_its_own_code() {
    let all = [
        LoginError::Malformed("x".into()),
        LoginError::TooLarge { size: 1, max: 0 },
        LoginError::InvalidService,
        LoginError::InvalidSession,
        LoginError::UnknownChallenge,
        LoginError::ChallengeReplayed,
        LoginError::ChallengeExpired,
        LoginError::SessionMismatch,
        LoginError::FormMismatch,
        LoginError::RelayedResponse,
        LoginError::NonceMismatch,
        LoginError::ClientTimeSkew,
        LoginError::BadSignature,
        LoginError::SignatureCertificate,
        LoginError::Certificate(crate::verify::VerifyError::Revoked),
        LoginError::Store("x".into()),
        LoginError::Randomness,
    ];
    let mut codes: Vec<_> = all.iter().map(LoginError::code).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), all.len());
    assert_eq!(
        LoginError::from(crate::verify::VerifyError::SignatureCertificateForLogin),
        LoginError::SignatureCertificate
    );
}

#[test]
fn the_memory_store_is_capped() {
    let v = LoginVerifier::new(
        Verifier::new(TrustStore::production()),
        "https://login.example.jp",
    )
    .unwrap()
    .with_store(std::sync::Arc::new(MemoryChallengeStore::with_limit(2)));
    v.issue_challenge("a").unwrap();
    v.issue_challenge("b").unwrap();
    assert!(matches!(v.issue_challenge("c"), Err(LoginError::Store(_))));
}
