use std::sync::Arc;

use mynasign::card::SessionOptions;
use mynasign::emulator::{EmulatedCard, EmulatorConfig};
use mynasign::jpki::{CertificateSlot, HashAlgorithm, JpkiSession, KeySlot, LastAttempt, Profile};
use mynasign::pin::{Pin, PinKind};
use mynasign::{Error, NotMyNumberCardReason};

use crate::common::*;

fn verify_signature_password(s: &mut JpkiSession) {
    let pin = Pin::signature_password(persona().signature_password()).unwrap();
    s.verify(&pin, LastAttempt::Refuse).unwrap();
}

/// Reads the signature certificate through `card` with `options`; returns the DER and the
/// exchanges the read took.
fn read_signature_certificate(card: &Arc<EmulatedCard>, options: SessionOptions) -> (Vec<u8>, u32) {
    let mut s = JpkiSession::open_with(card.clone(), options).unwrap();
    verify_signature_password(&mut s);
    let before = s.stats().exchanges;
    let der = s.read_certificate_der(CertificateSlot::Signature).unwrap();
    (der, s.stats().exchanges - before)
}

#[test]
fn profiles_are_told_by_the_token() {
    for profile in Profile::ALL {
        let card = card_with(profile, EmulatorConfig::default());
        assert_eq!(open(&card).profile(), profile);
    }
}

#[test]
fn unknown_token_is_not_a_my_number_card() {
    let mut image = persona().card_image(Profile::MyNumberCard);
    image.token_label = "SOMEOTHERTOKEN".into();
    let card = Arc::new(EmulatedCard::from_image(image, EmulatorConfig::default()));
    assert!(matches!(
        JpkiSession::open(card),
        Err(Error::NotMyNumberCard {
            reason: NotMyNumberCardReason::UnknownToken
        })
    ));
}

#[test]
fn card_without_jpki_is_not_a_my_number_card() {
    let t = Scripted::new(vec![sw(0x6A82)]);
    assert!(matches!(
        JpkiSession::open(t.clone()),
        Err(Error::NotMyNumberCard {
            reason: NotMyNumberCardReason::NoJpkiApplication
        })
    ));
    assert_eq!(t.sent_count(), 1);
}

#[test]
fn certificate_length_comes_from_der_not_filler() {
    let expected = persona().signature_certificate_der().to_vec();
    for filler in [0usize, 1, 300, 3000] {
        let cfg = EmulatorConfig {
            filler_len: filler,
            ..EmulatorConfig::default()
        };
        for options in [SessionOptions::default(), plain_options()] {
            let card = card_with(Profile::MyNumberCard, cfg.clone());
            let (der, _) = read_signature_certificate(&card, options.clone());
            assert_eq!(der, expected, "filler {filler}, {options:?}");
        }
    }
}

#[test]
fn ca_and_authentication_certificates_need_no_pin_on_a_card() {
    let card = card();
    let mut s = open(&card);
    for slot in [
        CertificateSlot::SignatureCa,
        CertificateSlot::Authentication,
        CertificateSlot::AuthenticationCa,
    ] {
        let der = s.read_certificate_der(slot).unwrap();
        assert_eq!(der[0], 0x30);
    }
    assert!(matches!(
        s.read_certificate_der(CertificateSlot::Signature),
        Err(Error::PinNotVerified { .. })
    ));
}

#[test]
fn smartphone_authentication_certificate_needs_the_pin() {
    for profile in [Profile::AndroidSmartphone, Profile::IPhone] {
        let card = card_with(profile, EmulatorConfig::default());
        let mut s = open(&card);
        assert!(matches!(
            s.read_certificate_der(CertificateSlot::Authentication),
            Err(Error::PinNotVerified {
                pin: PinKind::AuthenticationPin
            })
        ));
        s.read_certificate_der(CertificateSlot::AuthenticationCa)
            .unwrap();
        let pin = Pin::authentication(persona().authentication_pin()).unwrap();
        s.verify(&pin, LastAttempt::Refuse).unwrap();
        let der = s
            .read_certificate_der(CertificateSlot::Authentication)
            .unwrap();
        // A smartphone certificate is newly issued: not the card's.
        let card_cert = {
            let c = crate::common::card();
            open(&c)
                .read_certificate_der(CertificateSlot::Authentication)
                .unwrap()
        };
        assert_ne!(der, card_cert);
    }
}

#[test]
fn card_without_signature_certificate() {
    let mut image = persona().card_image(Profile::MyNumberCard);
    image.signature_certificate = None;
    for options in [SessionOptions::default(), plain_options()] {
        let card = Arc::new(EmulatedCard::from_image(
            image.clone(),
            EmulatorConfig::default(),
        ));
        let mut s = JpkiSession::open_with(card, options).unwrap();
        verify_signature_password(&mut s);
        assert!(matches!(
            s.read_certificate_der(CertificateSlot::Signature),
            Err(Error::NoSignatureCertificate)
        ));
    }
}

pub fn plain_options() -> SessionOptions {
    SessionOptions {
        extended_length: false,
        short_ef_shortcuts: false,
        ..SessionOptions::default()
    }
}

#[test]
fn extended_read_is_one_exchange_short_reads_are_many() {
    let len = persona().signature_certificate_der().len();
    let (_, ext) = read_signature_certificate(&card(), SessionOptions::default());
    assert_eq!(ext, 1);
    let (_, short) = read_signature_certificate(
        &card_with(Profile::MyNumberCard, EmulatorConfig::short_only()),
        SessionOptions::default(),
    );
    // Shortcut for the first 256 bytes, then SELECT EF and the remaining chunks.
    assert_eq!(short as usize, len.div_ceil(256) + 1);
    let (_, plain) = read_signature_certificate(&card(), plain_options());
    assert_eq!(plain as usize, 1 + len.div_ceil(256));
}

#[test]
fn card_refusing_extended_length_falls_back_and_remembers() {
    let cfg = EmulatorConfig {
        card_accepts_extended: false,
        ..EmulatorConfig::default()
    };
    let card = card_with(Profile::MyNumberCard, cfg);
    let mut s = open(&card);
    verify_signature_password(&mut s);
    let before = s.stats().exchanges;
    let der = s.read_certificate_der(CertificateSlot::Signature).unwrap();
    assert_eq!(der, persona().signature_certificate_der());
    let first = s.stats().exchanges - before;
    // One refused extended read, then short reads.
    assert_eq!(first as usize, 1 + der.len().div_ceil(256) + 1);
    let before = s.stats().exchanges;
    s.read_certificate_der(CertificateSlot::Signature).unwrap();
    let second = s.stats().exchanges - before;
    // No refused extended read, and the EF is already current: neither the shortcut nor a
    // SELECT EF is needed.
    assert_eq!(second, first - 2, "the refusal was not remembered");
}

#[test]
fn card_refusing_shortcuts_falls_back_and_remembers() {
    let cfg = EmulatorConfig {
        short_ef_shortcuts: false,
        ..EmulatorConfig::default()
    };
    let card = card_with(Profile::MyNumberCard, cfg);
    let mut s = JpkiSession::open_with(
        card.clone(),
        SessionOptions {
            record_transcript: true,
            ..SessionOptions::default()
        },
    )
    .unwrap();
    // Token read: refused shortcut, SELECT EF, READ.
    assert_eq!(s.stats().exchanges, 1 + 3);
    // Retry query: no shortcut tried any more: SELECT EF, query.
    s.pin_status(PinKind::SignaturePassword).unwrap();
    assert_eq!(s.stats().exchanges, 4 + 2);
    verify_signature_password(&mut s); // PIN EF already current
    assert_eq!(s.stats().exchanges, 7);
    let refusals = |s: &JpkiSession| {
        s.transcript()
            .unwrap()
            .entries()
            .iter()
            .filter(|e| e.response == "6A 86")
            .count()
    };
    for round in 0..2 {
        s.pin_status(PinKind::SignaturePassword).unwrap();
        let der = s.read_certificate_der(CertificateSlot::Signature).unwrap();
        assert_eq!(der, persona().signature_certificate_der());
        let sig = s
            .sign(KeySlot::Signature, HashAlgorithm::Sha256, b"x")
            .unwrap();
        assert_eq!(sig.len(), 256);
        // Refused once (the token read), then never tried again in this session.
        assert_eq!(refusals(&s), 1, "round {round}");
    }
}

#[test]
fn a_shortcut_refused_late_falls_back_and_stops_the_others() {
    // A card that takes the short-EF-id READ BINARY but refuses it for VERIFY: VERIFY falls
    // back to the SELECT form, and COMPUTE DIGITAL SIGNATURE does not try the shortcut.
    let mut token = b"JPKIAPICCTOKEN2".to_vec();
    token.resize(32, b' ');
    let t = Scripted::new(vec![
        sw(0x9000),       // SELECT AP
        ok(&token),       // READ BINARY 86 (shortcut)
        sw(0x6A86),       // VERIFY 9B query: refused
        sw(0x9000),       // SELECT EF 001B
        sw(0x63C5),       // VERIFY 80 query
        sw(0x9000),       // VERIFY 80 with data
        sw(0x9000),       // SELECT EF 001A
        ok(&[0x5A; 256]), // COMPUTE DIGITAL SIGNATURE 80
    ]);
    let mut s = JpkiSession::open(t.clone()).unwrap();
    assert_eq!(
        s.pin_status(PinKind::SignaturePassword).unwrap().remaining,
        5
    );
    let pin = Pin::signature_password("ABC123").unwrap();
    s.verify(&pin, LastAttempt::Refuse).unwrap();
    let sig = s
        .sign(KeySlot::Signature, HashAlgorithm::Sha256, b"x")
        .unwrap();
    assert_eq!(sig, vec![0x5A; 256]);
    let sent = t.sent.lock().unwrap().clone();
    let heads: Vec<&[u8]> = sent.iter().map(|c| &c[..4]).collect();
    assert_eq!(
        heads,
        vec![
            &[0x00, 0xA4, 0x04, 0x0C][..],
            &[0x00, 0xB0, 0x86, 0x00],
            &[0x00, 0x20, 0x00, 0x9B],
            &[0x00, 0xA4, 0x02, 0x0C],
            &[0x00, 0x20, 0x00, 0x80],
            &[0x00, 0x20, 0x00, 0x80],
            &[0x00, 0xA4, 0x02, 0x0C],
            &[0x80, 0x2A, 0x00, 0x80],
        ]
    );
    // The retry query is exactly four bytes; VERIFY carries the PIN in ASCII.
    assert_eq!(sent[2].len(), 4);
    assert_eq!(sent[4].len(), 4);
    assert_eq!(&sent[5][4..], b"\x06ABC123");
    assert_eq!(&sent[3][4..], &[0x02, 0x00, 0x1B]);
    assert_eq!(&sent[6][4..], &[0x02, 0x00, 0x1A]);
}

#[test]
fn response_chaining_and_wrong_le_are_handled_once_in_the_channel() {
    for cfg in [
        EmulatorConfig {
            response_chunk: Some(100),
            ..EmulatorConfig::default()
        },
        EmulatorConfig {
            wrong_le_first: true,
            filler_len: 0,
            ..EmulatorConfig::short_only()
        },
    ] {
        let card = card_with(Profile::MyNumberCard, cfg);
        let mut s = open(&card);
        verify_signature_password(&mut s);
        let der = s.read_certificate_der(CertificateSlot::Signature).unwrap();
        assert_eq!(der, persona().signature_certificate_der());
        let sig = s
            .sign(KeySlot::Signature, HashAlgorithm::Sha256, b"x")
            .unwrap();
        assert_eq!(sig.len(), 256);
    }
}

#[test]
fn transcript_redacts_pins_and_personal_data() {
    let card = card();
    let mut s = JpkiSession::open_with(
        card,
        SessionOptions {
            record_transcript: true,
            ..SessionOptions::default()
        },
    )
    .unwrap();
    verify_signature_password(&mut s);
    let der = s.read_certificate_der(CertificateSlot::Signature).unwrap();
    let text = s.transcript().unwrap().to_string();
    let pw_hex: Vec<String> = persona()
        .signature_password()
        .bytes()
        .map(|b| format!("{b:02X}"))
        .collect();
    assert!(!text.contains(&pw_hex.join(" ")), "PIN in transcript");
    let cert_hex: Vec<String> = der[200..216].iter().map(|b| format!("{b:02X}")).collect();
    assert!(
        !text.contains(&cert_hex.join(" ")),
        "certificate in transcript"
    );
    assert!(text.contains("redacted"));
    assert_eq!(
        s.transcript().unwrap().entries().len() as u32,
        s.stats().exchanges
    );
    let stats = s.stats();
    assert!(stats.bytes_received as usize > der.len());
    assert!(stats.bytes_sent > 0);
}

/// Issue 8: READ BINARY past the end of a file answers `6B00` (default) or `6282` (option);
/// the emulator answers as configured and the client takes either for "the file ended".
#[test]
fn read_past_the_end_both_answers() {
    use mynasign::transport::CardTransport;
    for answers_6282 in [false, true] {
        let cfg = EmulatorConfig {
            past_end_answers_6282: answers_6282,
            ..EmulatorConfig::default()
        };
        let card = card_with(Profile::MyNumberCard, cfg);
        let mut select = vec![0x00, 0xA4, 0x04, 0x0C, 0x0A];
        select.extend_from_slice(&[0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01]);
        assert_eq!(card.transmit(&select).unwrap(), [0x90, 0x00]);
        let ef = [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x06];
        assert_eq!(card.transmit(&ef).unwrap(), [0x90, 0x00]);
        let past = card.transmit(&[0x00, 0xB0, 0x7F, 0x00, 0x10]).unwrap();
        let want: [u8; 2] = if answers_6282 {
            [0x62, 0x82]
        } else {
            [0x6B, 0x00]
        };
        assert_eq!(past, want);
        // The client: a certificate header promising more than the file holds.
        let mut first = vec![0x30, 0x82, 0x07, 0x00];
        first.resize(256, 0xAB);
        let t = Scripted::new(vec![
            sw(0x9000),
            token(),
            ok(&first),
            sw(0x9000), // SELECT EF
            sw(u16::from_be_bytes(want)),
        ]);
        let mut s = JpkiSession::open(t.clone()).unwrap();
        let r = s.read_certificate_der(CertificateSlot::Authentication);
        assert!(matches!(r, Err(Error::Malformed { .. })), "{r:?}");
        assert_eq!(t.sent_count(), 5);
    }
}

/// A transport that forwards to the emulated card and records the commands.
struct Recording {
    card: Arc<EmulatedCard>,
    sent: std::sync::Mutex<Vec<Vec<u8>>>,
}

impl mynasign::transport::CardTransport for Recording {
    fn transmit(&self, command: &[u8]) -> Result<Vec<u8>, mynasign::transport::TransportError> {
        self.sent.lock().unwrap().push(command.to_vec());
        self.card.transmit(command)
    }

    fn capabilities(&self) -> mynasign::transport::TransportCapabilities {
        mynasign::transport::TransportCapabilities::SHORT
    }
}

/// Issue 8: the short-EF-id READ BINARY (`00 B0 8X oo Le`) has an 8-bit offset: the client
/// uses it for the first read only, and reads at offsets above 255 in the plain form.
#[test]
fn short_ef_id_read_is_never_used_above_offset_255() {
    let card = card_with(Profile::MyNumberCard, EmulatorConfig::short_only());
    let t = Arc::new(Recording {
        card,
        sent: std::sync::Mutex::new(Vec::new()),
    });
    let mut s = JpkiSession::open(t.clone()).unwrap();
    let der = s
        .read_certificate_der(CertificateSlot::Authentication)
        .unwrap();
    assert!(der.len() > 512, "a certificate longer than two short reads");
    let sent = t.sent.lock().unwrap();
    let reads: Vec<&Vec<u8>> = sent.iter().filter(|c| c[1] == 0xB0).collect();
    let short_id: Vec<&&Vec<u8>> = reads.iter().filter(|c| c[2] & 0x80 != 0).collect();
    // The token read and the certificate's first read: one each, both at offset 0.
    assert_eq!(short_id.len(), 2, "{short_id:02X?}");
    assert!(short_id.iter().all(|c| c[3] == 0));
    // Every other read is the plain form with its 15-bit offset, some above 255.
    assert!(reads
        .iter()
        .any(|c| c[2] & 0x80 == 0 && u16::from_be_bytes([c[2], c[3]]) > 255));
}

/// Issue 8: EF `0008` tells "no signature certificate" without reading EF `0001` or any PIN.
#[test]
fn certificate_presence_from_ef_0008() {
    for with_signature in [true, false] {
        let mut image = persona().card_image(Profile::MyNumberCard);
        if !with_signature {
            image.signature_certificate = None;
        }
        let card = Arc::new(EmulatedCard::from_image(image, EmulatorConfig::default()));
        let t = Arc::new(Recording {
            card,
            sent: std::sync::Mutex::new(Vec::new()),
        });
        let mut s = JpkiSession::open(t.clone()).unwrap();
        assert_eq!(s.has_signature_certificate().unwrap(), with_signature);
        let sent = t.sent.lock().unwrap();
        // Never EF 0001 (short EF id 01 or SELECT 0001), never a VERIFY.
        assert!(!sent
            .iter()
            .any(|c| (c[1] == 0xB0 && c[2] == 0x81) || c.ends_with(&[0x02, 0x00, 0x01])));
        assert!(!sent.iter().any(|c| c[1] == 0x20));
    }
}
