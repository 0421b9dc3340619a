//! `make bench`, card-info part (issue 27): the exchanges of the authentic read of the basic
//! four on the emulated card (extended length and short-EF-id reads; short APDUs without them),
//! and the card-info evidence a back end verifies per second.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mynasign::card::SessionOptions;
use mynasign::card_info::CardInfoSession;
use mynasign::emulator::{cvc_trust, EmulatedCard, EmulatorConfig, Persona};
use mynasign::evidence::{new_challenge, CardInfoEvidence};
use mynasign::jpki::{LastAttempt, Profile};
use mynasign::pin::Pin;

fn read(config: EmulatorConfig, options: SessionOptions) -> (CardInfoEvidence, Vec<u8>, usize) {
    let p = Persona::from_seed(1);
    let card = Arc::new(p.emulated_card(Profile::MyNumberCard, config));
    let mut s = CardInfoSession::open_with(card as Arc<EmulatedCard>, options).expect("open");
    s.verify(
        &Pin::card_info(p.card_info_pin()).expect("PIN"),
        LastAttempt::Refuse,
    )
    .expect("PIN");
    let challenge = new_challenge();
    let evidence = s.read_evidence(Some(&challenge)).expect("read");
    (evidence, challenge, s.stats().exchanges as usize)
}

fn main() {
    let (evidence, challenge, fast) = read(EmulatorConfig::default(), SessionOptions::default());
    let (_, _, plain) = read(
        EmulatorConfig::plain(),
        SessionOptions {
            extended_length: false,
            short_ef_shortcuts: false,
            ..SessionOptions::default()
        },
    );
    println!(
        "card-info authentic read with presence: {fast} exchanges (extended, short-EF-id reads), \
         {plain} with short APDUs and no shortcuts"
    );
    let trust = cvc_trust();
    let json = evidence.to_json();
    let runs = 200u32;
    let mut times: Vec<Duration> = (0..5)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..runs {
                let e = CardInfoEvidence::from_json(black_box(json.as_bytes())).expect("JSON");
                black_box(e.verify(&trust, Some(&challenge)).expect("authentic"));
            }
            start.elapsed() / runs
        })
        .collect();
    times.sort();
    println!(
        "card-info evidence verified (JSON, 4 RSA-2048 signatures): {:.0}/s",
        1.0 / times[2].as_secs_f64()
    );
}
