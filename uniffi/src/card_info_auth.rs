//! The basic four with what proves them (issue 27): the authentic read on the card
//! ([`read_authentic_basic_attributes`]), the evidence a back end verifies again
//! ([`verify_card_info_evidence`]), and the CA keys trusted ([`CardInfoTrust`]).

use std::sync::Arc;

use mynasign::evidence::{AuthenticAttributes, CardInfoEvidence, CvcTrust};
use mynasign::pin::PinKind;
use zeroize::Zeroizing;

use crate::error::MynaError;
use crate::flows::card_info_verified;
use crate::link::CardLink;
use crate::objects::BasicAttributes;
use crate::pin_code::PinCode;
use crate::records::PinOptions;
use crate::worker::{run_card, CancelHandle, FlowContext, ProgressListener};

/// The CA keys that certify the card-info application: one hierarchy, never mixed.
#[derive(Debug, uniffi::Object)]
pub struct CardInfoTrust {
    inner: CvcTrust,
}

#[uniffi::export]
impl CardInfoTrust {
    /// J-LIS's production key (people's cards).
    #[uniffi::constructor]
    pub fn production() -> Arc<Self> {
        Arc::new(Self {
            inner: CvcTrust::production(),
        })
    }

    /// The JPKI-TEST key (test cards only).
    #[uniffi::constructor]
    pub fn test() -> Arc<Self> {
        Arc::new(Self {
            inner: CvcTrust::test(),
        })
    }

    /// A CA file: a 16-byte key id, then the key as `90 <e> 91 <n>` (the emulator's:
    /// `mynasign emulator export-cvc-ca`).
    #[uniffi::constructor]
    pub fn from_ca_file(bytes: Vec<u8>) -> Result<Arc<Self>, MynaError> {
        Ok(Arc::new(Self {
            inner: CvcTrust::custom_ca_file(&bytes)?,
        }))
    }

    /// `production`, `test` or `custom`.
    pub fn hierarchy(&self) -> String {
        self.inner.hierarchy().as_str().to_owned()
    }
}

/// The emulated card's CA (the testing artifact only).
#[cfg(feature = "emulator")]
#[uniffi::export]
pub fn emulator_card_info_trust() -> Arc<CardInfoTrust> {
    Arc::new(CardInfoTrust {
        inner: mynasign::emulator::cvc_trust(),
    })
}

/// A fresh 32-byte challenge from the system's generator: the receiver keeps it and sends it
/// to the app for the presence check.
#[uniffi::export]
pub fn new_presence_challenge() -> Vec<u8> {
    mynasign::evidence::new_challenge()
}

/// The basic four, found authentic. Printing it shows no personal value.
#[derive(uniffi::Object)]
#[uniffi::export(Debug, Display)]
pub struct AuthenticBasicAttributes {
    verified: AuthenticAttributes,
    evidence: CardInfoEvidence,
    exchanges: u32,
}

impl std::fmt::Debug for AuthenticBasicAttributes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "AuthenticBasicAttributes(<personal data redacted>, card_present: {})",
            self.verified.card_present()
        )
    }
}

impl std::fmt::Display for AuthenticBasicAttributes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self, f)
    }
}

#[uniffi::export]
impl AuthenticBasicAttributes {
    /// The attributes (personal data).
    pub fn attributes(&self) -> Arc<BasicAttributes> {
        BasicAttributes::shared(self.verified.attributes())
    }
    /// Whether the card answered the receiver's own challenge.
    pub fn card_present(&self) -> bool {
        self.verified.card_present()
    }
    /// `production`, `test` or `custom`.
    pub fn hierarchy(&self) -> String {
        self.verified.hierarchy().as_str().to_owned()
    }
    /// The CA key id of EF 0004 (`5000033/001` for production).
    pub fn issuer_key_id(&self) -> String {
        self.verified.issuer_key_id().to_string()
    }
    /// The evidence object (JSON, `mynasign-card-info-evidence/1`) to send to the back end.
    /// Personal data, with the My Number in digest form: send it as such.
    pub fn evidence_json(&self) -> String {
        self.evidence.to_json().to_string()
    }
    /// APDU exchanges of the read (0 when verified from evidence).
    pub fn exchanges(&self) -> u32 {
        self.exchanges
    }
}

/// Reads the basic four with their integrity record and certificate (and, with
/// `challenge`, the card's answer to it) after the card-info PIN, and verifies them under
/// `trust`. Never reads the My Number. 8 exchanges with a challenge on a card with extended
/// length. Progress: 4 steps. `pin`: a [`PinCode`] of the card-info PIN, used by this call
/// and wiped when it ends.
#[uniffi::export(default(challenge = None, listener = None, cancel = None, options))]
#[allow(clippy::too_many_arguments)]
pub async fn read_authentic_basic_attributes(
    link: Arc<dyn CardLink>,
    pin: Arc<PinCode>,
    trust: Arc<CardInfoTrust>,
    challenge: Option<Vec<u8>>,
    options: PinOptions,
    listener: Option<Arc<dyn ProgressListener>>,
    cancel: Option<Arc<CancelHandle>>,
) -> Result<Arc<AuthenticBasicAttributes>, MynaError> {
    let pin = pin.take(PinKind::CardInfoPin)?;
    run_card(link, listener, cancel, move |cx: &FlowContext| {
        let mut s = card_info_verified(cx, &pin, &options)?;
        let (evidence, verified) = s.read_authentic(&trust.inner, challenge.as_deref())?;
        Ok(Arc::new(AuthenticBasicAttributes {
            verified,
            evidence,
            exchanges: s.stats().exchanges,
        }))
    })
    .await
}

/// Verifies an evidence object an app sent (the back end's side): under `trust`, and with
/// `challenge` (the one the receiver issued) the card's presence.
#[uniffi::export(default(challenge = None))]
pub fn verify_card_info_evidence(
    evidence_json: String,
    trust: Arc<CardInfoTrust>,
    challenge: Option<Vec<u8>>,
) -> Result<Arc<AuthenticBasicAttributes>, MynaError> {
    let json = Zeroizing::new(evidence_json);
    let evidence = CardInfoEvidence::from_json(json.as_bytes())?;
    let verified = evidence.verify(&trust.inner, challenge.as_deref())?;
    Ok(Arc::new(AuthenticBasicAttributes {
        verified,
        evidence,
        exchanges: 0,
    }))
}

#[cfg(all(test, feature = "emulator", feature = "verify"))]
mod tests {
    use super::*;
    use crate::emulator::Emulator;
    use crate::error::VerifyFailure;
    use crate::records::CardProfile;

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        crate::async_link::block_on(f, &crate::async_link::Parker::for_current_thread())
            .expect("never given up")
    }

    fn reason(e: MynaError) -> VerifyFailure {
        match e {
            MynaError::VerificationFailed { reason } => reason,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn authentic_read_then_the_back_end_verifies_and_refuses_changes() {
        let emu = Emulator::new(1, CardProfile::MyNumberCard);
        let challenge = new_presence_challenge();
        let read = block_on(read_authentic_basic_attributes(
            emu.link(),
            crate::PinCode::new(crate::PinType::CardInfoPin, &emu.card_info_pin()).unwrap(),
            emulator_card_info_trust(),
            Some(challenge.clone()),
            PinOptions::default(),
            None,
            None,
        ))
        .unwrap();
        assert!(read.card_present());
        assert_eq!(read.exchanges(), 8);
        let name = read.attributes().name();
        assert!(!format!("{read:?} {read}").contains(&name));
        let json = read.evidence_json();
        let back = verify_card_info_evidence(
            json.clone(),
            emulator_card_info_trust(),
            Some(challenge.clone()),
        )
        .unwrap();
        assert_eq!(back.attributes().name(), name);
        // Production trust: not the emulator's CA. Another challenge: a replay.
        let e = verify_card_info_evidence(json.clone(), CardInfoTrust::production(), None);
        assert_eq!(
            reason(e.unwrap_err()),
            VerifyFailure::CardInfoUntrustedAuthority
        );
        let e = verify_card_info_evidence(
            json.clone(),
            emulator_card_info_trust(),
            Some(new_presence_challenge()),
        );
        assert_eq!(
            reason(e.unwrap_err()),
            VerifyFailure::PresenceChallengeMismatch
        );
        // One hex digit of the basic four changed (the last byte: the sex code).
        let start = json.find("\"basic_four\":\"").unwrap() + 14;
        let at = start + json[start..].find('"').unwrap() - 1;
        let mut changed = json.clone();
        let digit = if &json[at..=at] == "0" { "1" } else { "0" };
        changed.replace_range(at..=at, digit);
        let e = verify_card_info_evidence(changed, emulator_card_info_trust(), None);
        assert_eq!(
            reason(e.unwrap_err()),
            VerifyFailure::CardInfoAttributesDigest
        );
    }
}
