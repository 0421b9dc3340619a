//! Deterministic card holders: attributes, secrets, keys and certificates from a `u64` seed.
//!
//! [`Persona::from_seed`] builds a persona once per process and caches it, so every test in a
//! process generates each persona's RSA keys once. The same seed gives the same persona (and
//! the same keys and certificates) in every process.
//!
//! Special seeds:
//! - [`Persona::SEED_SUBSTITUTE_CHARACTERS`] (`3`): the name contains 𠮷 (outside JIS X 0208)
//!   whose substitute-character flag is `1`, the address contains 髙 (flag `1`) and is longer
//!   than 255 UTF-8 bytes (the attributes record needs `82 LLLL` lengths), and the date of
//!   birth is a 29 February. Its signature certificate is larger than an ordinary one.
//!
//! Every other seed gives an ordinary persona: JIS X 0208 names and addresses, all flags `0`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use rsa::RsaPrivateKey;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::ca::{
    AuthenticationCertificateRequest, CertificateTweaks, EmulatorCa, SignatureCertificateRequest,
};
use super::card::{EmulatedCard, EmulatorConfig};
use super::image::{CardImage, CardInfoImage};
use super::spec::{PersonaSpec, PersonaSpecError};
use crate::attributes::{BasicFourAttributes, Sex};
use crate::card_info::encode_attributes_record;
use crate::card_info::my_number_check_digit;
use crate::cert::{JpkiCertificate, SignatureAttributes};
use crate::date::Date;
use crate::jpki::Profile;
use crate::pin::PinKind;

const FAMILY_NAMES: [&str; 16] = [
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山田",
    "佐々木",
    "松本",
    "井上",
    "木村",
];
const MALE_GIVEN_NAMES: [&str; 10] = [
    "太郎", "健太", "翔太", "大輔", "誠", "浩二", "拓也", "蓮", "陽翔", "一郎",
];
const FEMALE_GIVEN_NAMES: [&str; 10] = [
    "花子",
    "陽子",
    "美咲",
    "由美",
    "恵子",
    "さくら",
    "結衣",
    "葵",
    "真由美",
    "明美",
];

/// (prefecture, romanised, municipality, romanised, town).
const PLACES: [(&str, &str, &str, &str, &str); 8] = [
    ("東京都", "Tokyo-to", "千代田区", "Chiyoda-ku", "霞が関"),
    (
        "大阪府",
        "Osaka-fu",
        "大阪市北区",
        "Osaka-shi Kita-ku",
        "梅田",
    ),
    (
        "北海道",
        "Hokkaido",
        "札幌市中央区",
        "Sapporo-shi Chuo-ku",
        "北一条西",
    ),
    (
        "神奈川県",
        "Kanagawa-ken",
        "横浜市中区",
        "Yokohama-shi Naka-ku",
        "山下町",
    ),
    (
        "愛知県",
        "Aichi-ken",
        "名古屋市中区",
        "Nagoya-shi Naka-ku",
        "三の丸",
    ),
    (
        "福岡県",
        "Fukuoka-ken",
        "福岡市博多区",
        "Fukuoka-shi Hakata-ku",
        "博多駅前",
    ),
    (
        "宮城県",
        "Miyagi-ken",
        "仙台市青葉区",
        "Sendai-shi Aoba-ku",
        "本町",
    ),
    ("沖縄県", "Okinawa-ken", "那覇市", "Naha-shi", "泉崎"),
];

const SPECIAL_NAME: &str = "𠮷田\u{3000}太郎";
const SPECIAL_ADDRESS: &str = "京都府京都市中京区寺町通御池上る上本能寺前町４８８－１番地\u{3000}\
髙島エミュレータ記念グランドレジデンス京都御池通り北棟二十三階２３０１号室\u{3000}\
株式会社マイナサイン試験開発部気付\u{3000}長い住所の試験担当者様方";

/// Full-width digits for a number.
fn full_width(n: u64) -> String {
    n.to_string()
        .chars()
        .map(|c| {
            c.to_digit(10)
                .and_then(|d| char::from_u32(0xFF10 + d))
                .unwrap_or(c)
        })
        .collect()
}

/// A deterministic random stream for one purpose of one persona.
fn rng_for(seed: u64, purpose: &str) -> ChaCha20Rng {
    let mut h = Sha256::new();
    h.update(b"mynasign emulator persona\0");
    h.update(seed.to_be_bytes());
    h.update(purpose.as_bytes());
    ChaCha20Rng::from_seed(h.finalize().into())
}

fn below(rng: &mut ChaCha20Rng, n: u64) -> u64 {
    rng.next_u64() % n.max(1)
}

fn pick<'a, T>(rng: &mut ChaCha20Rng, items: &'a [T]) -> &'a T {
    let i = usize::try_from(below(rng, items.len() as u64)).unwrap_or(0);
    &items[i.min(items.len().saturating_sub(1))]
}

fn digits(rng: &mut ChaCha20Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + below(rng, 10) as u8))
        .collect()
}

/// One set of keys and certificates (a card, or a smartphone's secure element).
struct Credentials {
    issue_date: Date,
    signature_key: RsaPrivateKey,
    authentication_key: RsaPrivateKey,
    signature_certificate: Vec<u8>,
    authentication_certificate: Vec<u8>,
}

/// A deterministic card holder.
///
/// `Debug` shows the seed only.
pub struct Persona {
    seed: u64,
    attributes: BasicFourAttributes,
    name_substitute_flags: String,
    address_substitute_flags: String,
    prefecture: &'static str,
    municipality: &'static str,
    signature_password: Zeroizing<String>,
    authentication_pin: Zeroizing<String>,
    card_info_pin: Zeroizing<String>,
    my_number: Zeroizing<String>,
    card: Credentials,
    android: OnceLock<Credentials>,
    iphone: OnceLock<Credentials>,
    extras: Extras,
    /// The card-info application's own key, generated on first use.
    card_info_key: super::CardInfoKey,
}

/// What a persona file may say beyond attributes and PINs; the built-in personas take the
/// defaults.
#[derive(Clone)]
struct Extras {
    profile: Profile,
    remaining_attempts: Option<[u8; 3]>,
    has_signature_certificate: bool,
    last_day: Option<Date>,
    revoked_at: Option<SystemTime>,
    card_info_integrity: super::CardInfoIntegrity,
}

impl Default for Extras {
    fn default() -> Self {
        Self {
            profile: Profile::MyNumberCard,
            remaining_attempts: None,
            has_signature_certificate: true,
            last_day: None,
            revoked_at: None,
            card_info_integrity: super::CardInfoIntegrity::Genuine,
        }
    }
}

impl core::fmt::Debug for Persona {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Persona")
            .field("seed", &self.seed)
            .finish_non_exhaustive()
    }
}

type Cache = Mutex<HashMap<u64, Arc<OnceLock<Arc<Persona>>>>>;

impl Persona {
    /// The seed of the persona with substitute characters and a long address (see the module
    /// documentation).
    pub const SEED_SUBSTITUTE_CHARACTERS: u64 = 3;

    /// Whether `seed` gives a special (non-ordinary) persona.
    pub fn is_special_seed(seed: u64) -> bool {
        seed == Self::SEED_SUBSTITUTE_CHARACTERS
    }

    /// The persona of `seed`, built on first use and cached for the process. Building one
    /// generates two RSA-2048 keys (and, on first use in the process, the emulator CA's).
    pub fn from_seed(seed: u64) -> Arc<Persona> {
        static CACHE: OnceLock<Cache> = OnceLock::new();
        let cell = {
            let mut map = CACHE
                .get_or_init(Default::default)
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            Arc::clone(map.entry(seed).or_default())
        };
        // Built outside the map's lock: other seeds are built in parallel, the same seed once.
        Arc::clone(cell.get_or_init(|| Arc::new(Persona::build(seed))))
    }

    fn build(seed: u64) -> Persona {
        let mut rng = rng_for(seed, "attributes");
        let sex = if rng.next_u32() & 1 == 0 {
            Sex::Male
        } else {
            Sex::Female
        };
        let place = *pick(&mut rng, &PLACES);
        let (prefecture_jp, prefecture, municipality_jp, municipality, town) = place;
        let family = *pick(&mut rng, &FAMILY_NAMES);
        let given = match sex {
            Sex::Male => *pick(&mut rng, &MALE_GIVEN_NAMES),
            _ => *pick(&mut rng, &FEMALE_GIVEN_NAMES),
        };
        let address = format!(
            "{prefecture_jp}{municipality_jp}{town}{}丁目{}－{}",
            full_width(1 + below(&mut rng, 5)),
            full_width(1 + below(&mut rng, 30)),
            full_width(1 + below(&mut rng, 20)),
        );
        let earliest = Date::new(1930, 1, 1).map_or(0, Date::days_since_epoch);
        let latest = Date::new(2008, 12, 31).map_or(0, Date::days_since_epoch);
        let date_of_birth = Date::from_days_since_epoch(
            earliest + below(&mut rng, (latest - earliest + 1) as u64) as i64,
        )
        .expect("a date within the fixed range");
        let mut attributes = BasicFourAttributes {
            name: format!("{family}\u{3000}{given}"),
            address,
            date_of_birth,
            sex,
        };
        let (mut prefecture, mut municipality) = (prefecture, municipality);
        if Self::is_special_seed(seed) {
            attributes.name = SPECIAL_NAME.to_owned();
            attributes.address = SPECIAL_ADDRESS.to_owned();
            attributes.date_of_birth = Date::new(1964, 2, 29).unwrap_or(date_of_birth);
            attributes.sex = Sex::Male;
            prefecture = "Kyoto-fu";
            municipality = "Kyoto-shi Nakagyo-ku";
        }
        let flags = |s: &str| -> String {
            s.chars()
                .map(|c| if c == '𠮷' || c == '髙' { '1' } else { '0' })
                .collect()
        };
        let name_substitute_flags = flags(&attributes.name);
        let address_substitute_flags = flags(&attributes.address);

        let mut rng = rng_for(seed, "secrets");
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        let len = 6 + below(&mut rng, 11) as usize;
        let signature_password: String = (0..len)
            .map(|_| char::from(*pick(&mut rng, ALPHABET)))
            .collect();
        let authentication_pin = digits(&mut rng, 4);
        let card_info_pin = digits(&mut rng, 4);
        let mut my_number = digits(&mut rng, 11);
        let check = my_number_check_digit(&my_number).unwrap_or(0);
        my_number.push(char::from(b'0' + check));

        let first = Date::new(2024, 1, 4).map_or(0, Date::days_since_epoch);
        let mut rng = rng_for(seed, "issue");
        let issue_date = Date::from_days_since_epoch(first + below(&mut rng, 900) as i64)
            .expect("a date within the fixed range");

        Self::assemble(
            seed,
            attributes,
            name_substitute_flags,
            address_substitute_flags,
            (prefecture, municipality),
            [signature_password, authentication_pin, card_info_pin],
            my_number,
            issue_date,
            Extras::default(),
        )
    }

    /// A persona described by a persona file (see [`super::spec`]): its own attributes, PINs,
    /// counters and certificates; keys and serial numbers from the file's seed. Not cached:
    /// each call generates the keys again (two RSA-2048 keys).
    pub fn from_spec(spec: &PersonaSpec) -> Arc<Persona> {
        // The My Number is not part of the format: a valid synthetic one from the seed.
        let mut rng = rng_for(spec.seed, "my number");
        let mut my_number = digits(&mut rng, 11);
        let check = my_number_check_digit(&my_number).unwrap_or(0);
        my_number.push(char::from(b'0' + check));
        // Subject names need 'static text in the built-in personas; a file's are leaked once
        // per persona built (a few bytes, test and tooling use only).
        let place: (&'static str, &'static str) = (
            Box::leak(spec.prefecture.clone().into_boxed_str()),
            Box::leak(spec.municipality.clone().into_boxed_str()),
        );
        Arc::new(Self::assemble(
            spec.seed,
            spec.attributes.clone(),
            spec.name_substitute_flags.clone(),
            spec.address_substitute_flags.clone(),
            place,
            [
                spec.signature_password.to_string(),
                spec.authentication_pin.to_string(),
                spec.card_info_pin.to_string(),
            ],
            my_number,
            spec.issue_date,
            Extras {
                profile: spec.profile,
                remaining_attempts: Some(spec.remaining_attempts),
                has_signature_certificate: spec.has_signature_certificate,
                last_day: spec.last_day,
                revoked_at: spec.revoked_at,
                card_info_integrity: spec.card_info_integrity,
            },
        ))
    }

    /// Reads a persona file's bytes (see [`super::spec`]) and builds the persona.
    pub fn from_json(bytes: &[u8]) -> Result<Arc<Persona>, PersonaSpecError> {
        Ok(Self::from_spec(&PersonaSpec::from_json(bytes)?))
    }

    #[allow(clippy::too_many_arguments)]
    fn assemble(
        seed: u64,
        attributes: BasicFourAttributes,
        name_substitute_flags: String,
        address_substitute_flags: String,
        (prefecture, municipality): (&'static str, &'static str),
        [signature_password, authentication_pin, card_info_pin]: [String; 3],
        my_number: String,
        issue_date: Date,
        extras: Extras,
    ) -> Persona {
        let signature_attributes = SignatureAttributes::new(
            attributes.clone(),
            name_substitute_flags.clone(),
            address_substitute_flags.clone(),
        );
        let card = Credentials::issue(
            seed,
            "card",
            issue_date,
            &signature_attributes,
            (prefecture, municipality),
            extras.last_day,
        );
        Persona {
            seed,
            attributes,
            name_substitute_flags,
            address_substitute_flags,
            prefecture,
            municipality,
            signature_password: Zeroizing::new(signature_password),
            authentication_pin: Zeroizing::new(authentication_pin),
            card_info_pin: Zeroizing::new(card_info_pin),
            my_number: Zeroizing::new(my_number),
            card,
            android: OnceLock::new(),
            iphone: OnceLock::new(),
            extras,
            card_info_key: super::CardInfoKey::from_seed(seed),
        }
    }

    /// The profile this persona's card answers as by default: [`Profile::MyNumberCard`] for
    /// the built-in personas, the file's `profile` for one read from a file.
    pub fn profile(&self) -> Profile {
        self.extras.profile
    }

    /// Whether the card holds a signature certificate (false for a holder under 15).
    pub fn has_signature_certificate(&self) -> bool {
        self.extras.has_signature_certificate
    }

    /// When the signature certificate was revoked, if the persona says so.
    pub fn revoked_at(&self) -> Option<SystemTime> {
        self.extras.revoked_at
    }

    /// The emulated card of `profile` with this persona, its PIN counters as the persona
    /// says (a file's `remaining_attempts`; full counters otherwise).
    pub fn emulated_card(&self, profile: Profile, config: EmulatorConfig) -> EmulatedCard {
        let card = EmulatedCard::from_image(self.card_image(profile), config);
        if let Some(counters) = self.extras.remaining_attempts {
            for (kind, n) in [
                PinKind::SignaturePassword,
                PinKind::AuthenticationPin,
                PinKind::CardInfoPin,
            ]
            .into_iter()
            .zip(counters)
            {
                card.set_pin_attempts_left(kind, n);
            }
        }
        card
    }

    /// A CRL of the emulator's signature root, issued at `this_update`, that lists this
    /// persona's signature certificate of `profile` when the persona says it was revoked
    /// (and lists nothing otherwise).
    pub fn crl(
        &self,
        profile: Profile,
        this_update: SystemTime,
    ) -> Result<Vec<u8>, crate::cert::CertError> {
        let cert = JpkiCertificate::from_der(&self.credentials(profile).signature_certificate)?;
        let revoked: Vec<(&[u8], SystemTime)> = self
            .extras
            .revoked_at
            .map(|t| (cert.serial_bytes(), t))
            .into_iter()
            .collect();
        EmulatorCa::shared().issue_crl(&revoked, this_update)
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The basic four attributes.
    pub fn attributes(&self) -> &BasicFourAttributes {
        &self.attributes
    }

    /// The attributes as the signature certificate carries them.
    pub fn signature_attributes(&self) -> SignatureAttributes {
        SignatureAttributes::new(
            self.attributes.clone(),
            self.name_substitute_flags.clone(),
            self.address_substitute_flags.clone(),
        )
    }

    /// The name's substitute-character flags (one ASCII digit per character).
    pub fn name_substitute_flags(&self) -> &str {
        &self.name_substitute_flags
    }

    /// The address's substitute-character flags (one ASCII digit per character).
    pub fn address_substitute_flags(&self) -> &str {
        &self.address_substitute_flags
    }

    /// The prefecture, romanised, as in the signature certificate's subject.
    pub fn prefecture_romanised(&self) -> &str {
        self.prefecture
    }

    /// The municipality, romanised, as in the signature certificate's subject.
    pub fn municipality_romanised(&self) -> &str {
        self.municipality
    }

    /// The signature password (6 to 16 of `A-Z0-9`).
    pub fn signature_password(&self) -> &str {
        &self.signature_password
    }

    /// The user-authentication PIN (4 digits).
    pub fn authentication_pin(&self) -> &str {
        &self.authentication_pin
    }

    /// The card-info input PIN (4 digits).
    pub fn card_info_pin(&self) -> &str {
        &self.card_info_pin
    }

    /// The My Number (12 digits, valid check digit).
    pub fn my_number(&self) -> &str {
        &self.my_number
    }

    /// The card's issue date (its certificates are valid from 00:00 JST that day).
    pub fn issue_date(&self) -> Date {
        self.card.issue_date
    }

    /// The card's signature private key.
    pub fn signature_key(&self) -> &RsaPrivateKey {
        &self.card.signature_key
    }

    /// The card's user-authentication private key.
    pub fn authentication_key(&self) -> &RsaPrivateKey {
        &self.card.authentication_key
    }

    /// The card's signature certificate (DER).
    pub fn signature_certificate_der(&self) -> &[u8] {
        &self.card.signature_certificate
    }

    /// The card's user-authentication certificate (DER).
    pub fn authentication_certificate_der(&self) -> &[u8] {
        &self.card.authentication_certificate
    }

    /// The card's signature certificate, parsed.
    pub fn signature_certificate(&self) -> JpkiCertificate {
        // Issued by this module and checked by its tests: parsing cannot fail.
        JpkiCertificate::from_der(&self.card.signature_certificate)
            .expect("the emulator issues parseable certificates")
    }

    /// The card's user-authentication certificate, parsed.
    pub fn authentication_certificate(&self) -> JpkiCertificate {
        JpkiCertificate::from_der(&self.card.authentication_certificate)
            .expect("the emulator issues parseable certificates")
    }

    /// The card-info input support AP's attributes record (EF `0002`), as the card holds it.
    pub fn attributes_record(&self) -> Vec<u8> {
        encode_attributes_record(&self.attributes)
    }

    /// 照合番号B of the card-info application (`myna-card` README, "from the date of birth,
    /// expiry year and security code", the date of birth as a Japanese era year `YYMMDD`): the
    /// card expires on the holder's 10th birthday after issue (an adult's card); the security
    /// code is drawn from the seed.
    fn collation_b(&self) -> String {
        let dob = self.attributes.date_of_birth;
        // Era start dates: Meiji 1868-01-25 (as 1868), Taisho 1912-07-30, Showa 1926-12-25,
        // Heisei 1989-01-08, Reiwa 2019-05-01.
        let key = (dob.year(), dob.month(), dob.day());
        let era_start = [(2019, 5, 1), (1989, 1, 8), (1926, 12, 25), (1912, 7, 30)]
            .into_iter()
            .find(|start| key >= *start)
            .map_or(1868, |(y, _, _)| y);
        let era_year = dob.year() - era_start + 1;
        let issue = self.card.issue_date;
        let birthday_passed = (dob.month(), dob.day()) <= (issue.month(), issue.day());
        let expiry_year = issue.year() + if birthday_passed { 10 } else { 9 };
        let code = digits(&mut rng_for(self.seed, "security code"), 4);
        format!(
            "{:02}{:02}{:02}{expiry_year:04}{code}",
            era_year.rem_euclid(100),
            dob.month(),
            dob.day()
        )
    }

    fn credentials(&self, profile: Profile) -> &Credentials {
        let (cell, purpose, delay) = match profile {
            Profile::MyNumberCard | Profile::LegacyResidentCard => return &self.card,
            Profile::AndroidSmartphone => (&self.android, "android", 30),
            Profile::IPhone => (&self.iphone, "iphone", 45),
        };
        cell.get_or_init(|| {
            // A smartphone certificate is issued later, on the strength of the card.
            let issue_date = self
                .card
                .issue_date
                .add_days(delay)
                .unwrap_or(self.card.issue_date);
            Credentials::issue(
                self.seed,
                purpose,
                issue_date,
                &self.signature_attributes(),
                (self.prefecture, self.municipality),
                self.extras.last_day,
            )
        })
    }

    /// The keys and certificates of `profile`: the card's for [`Profile::MyNumberCard`] and
    /// [`Profile::LegacyResidentCard`] (with the card-info application); newly issued ones
    /// (another key, another serial; generated on first use) for the smartphone profiles, on
    /// which the authentication certificate needs the PIN and there is no card-info
    /// application.
    pub fn card_image(&self, profile: Profile) -> CardImage {
        let ca = EmulatorCa::shared();
        let creds = self.credentials(profile);
        let card_info = (!profile.is_smartphone()).then(|| CardInfoImage {
            my_number: Zeroizing::new(self.my_number.to_string()),
            attributes_record: self.attributes_record(),
            pin: Zeroizing::new(self.card_info_pin.as_bytes().to_vec()),
            collation_b: Zeroizing::new(self.collation_b().into_bytes()),
            key: self.card_info_key.clone(),
            integrity: self.extras.card_info_integrity,
        });
        CardImage {
            token_label: profile.token_label().to_owned(),
            signature_certificate: self
                .extras
                .has_signature_certificate
                .then(|| creds.signature_certificate.clone()),
            signature_ca_certificate: ca.signature_ca_der().to_vec(),
            authentication_certificate: creds.authentication_certificate.clone(),
            authentication_ca_certificate: ca.authentication_ca_der().to_vec(),
            signature_key: creds.signature_key.clone(),
            authentication_key: creds.authentication_key.clone(),
            signature_password: Zeroizing::new(self.signature_password.as_bytes().to_vec()),
            authentication_pin: Zeroizing::new(self.authentication_pin.as_bytes().to_vec()),
            authentication_certificate_needs_pin: profile.authentication_certificate_needs_pin(),
            card_info,
        }
    }
}

impl Credentials {
    fn issue(
        seed: u64,
        purpose: &str,
        issue_date: Date,
        attributes: &SignatureAttributes,
        (prefecture, municipality): (&str, &str),
        last_day: Option<Date>,
    ) -> Credentials {
        let tweaks = CertificateTweaks {
            last_day,
            ..CertificateTweaks::default()
        };
        let ca = EmulatorCa::shared();
        let key = |which: &str| {
            let mut rng = rng_for(seed, &format!("{purpose} {which} key"));
            RsaPrivateKey::new(&mut rng, 2048).expect("RSA-2048 key generation")
        };
        let signature_key = key("signature");
        let authentication_key = key("authentication");
        let id = |which: &str| {
            let mut rng = rng_for(seed, &format!("{purpose} {which} id"));
            // A positive 8-byte serial (first byte 0x01..=0x7F).
            let serial = (rng.next_u64() & 0x7FFF_FFFF_FFFF_FFFF) | 0x0100_0000_0000_0000;
            let subject_id = format!(
                "{}{:014X}",
                issue_date.to_compact(),
                rng.next_u64() & 0x00FF_FFFF_FFFF_FFFF
            );
            (serial, subject_id)
        };
        let (serial, subject_id) = id("signature");
        let signature_certificate = ca
            .issue_signature_certificate_tweaked(
                &SignatureCertificateRequest {
                    serial,
                    subject_id: &subject_id,
                    prefecture,
                    municipality,
                    attributes,
                    public_key: &signature_key.to_public_key(),
                    issue_date,
                    policy: if purpose == "card" {
                        crate::cert::oid::CARD_SIGNATURE_POLICY
                    } else {
                        crate::cert::oid::SMARTPHONE_SIGNATURE_POLICY_PLACEHOLDER
                    },
                },
                &tweaks,
            )
            .expect("the emulator CA encodes persona certificates");
        let (serial, subject_id) = id("authentication");
        let authentication_certificate = ca
            .issue_authentication_certificate_tweaked(
                &AuthenticationCertificateRequest {
                    serial,
                    subject_id: &subject_id,
                    public_key: &authentication_key.to_public_key(),
                    issue_date,
                    date_of_birth: attributes.attributes.date_of_birth,
                },
                &tweaks,
            )
            .expect("the emulator CA encodes persona certificates");
        Credentials {
            issue_date,
            signature_key,
            authentication_key,
            signature_certificate,
            authentication_certificate,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card_info::is_valid_my_number;
    use crate::card_info::parse_attributes_record;
    use crate::cert::{CertificateKind, KeyInfo};
    use crate::emulator::ca::end_entity_expiry;
    use rsa::traits::PublicKeyParts;

    const SEEDS: std::ops::RangeInclusive<u64> = 0..=4;

    #[test]
    fn my_number_check_digits() {
        // Worked example: 12345678901 → weights from the right 2..7 then 2..6.
        let first = "12345678901";
        let sum: u32 = [1, 0, 9, 8, 7, 6, 5, 4, 3, 2, 1]
            .iter()
            .zip([2, 3, 4, 5, 6, 7, 2, 3, 4, 5, 6])
            .map(|(p, q)| p * q)
            .sum();
        let expected = if sum % 11 <= 1 { 0 } else { 11 - sum % 11 };
        assert_eq!(my_number_check_digit(first), Some(expected as u8));
        assert_eq!(my_number_check_digit("00000000000"), Some(0));
        assert_eq!(my_number_check_digit("1234567890"), None);
        assert_eq!(my_number_check_digit("1234567890a"), None);
        let full = format!("{first}{expected}");
        assert!(is_valid_my_number(&full));
        let wrong = format!("{first}{}", (expected + 1) % 10);
        assert!(!is_valid_my_number(&wrong));
    }

    #[test]
    fn personas_are_cached_and_deterministic() {
        let a = Persona::from_seed(1);
        let b = Persona::from_seed(1);
        assert!(Arc::ptr_eq(&a, &b));
        let other = Persona::from_seed(2);
        assert_ne!(
            a.signature_certificate_der(),
            other.signature_certificate_der()
        );
        // Same seed, same everything, even when built again outside the cache.
        let rebuilt = Persona::build(1);
        assert_eq!(
            rebuilt.signature_certificate_der(),
            a.signature_certificate_der()
        );
        assert_eq!(rebuilt.signature_password(), a.signature_password());
        assert_eq!(rebuilt.my_number(), a.my_number());
        let dbg = format!("{a:?}");
        assert_eq!(dbg, "Persona { seed: 1, .. }");
    }

    #[test]
    fn persona_contents() {
        let ca = EmulatorCa::shared();
        for seed in SEEDS {
            let p = Persona::from_seed(seed);
            let a = p.attributes();
            assert_eq!(a.name.matches('\u{3000}').count(), 1);
            assert!((1930..=2008).contains(&a.date_of_birth.year()));
            assert!(matches!(a.sex, Sex::Male | Sex::Female));
            assert_eq!(
                p.name_substitute_flags().chars().count(),
                a.name.chars().count()
            );
            assert_eq!(
                p.address_substitute_flags().chars().count(),
                a.address.chars().count()
            );
            let pw = p.signature_password();
            assert!((6..=16).contains(&pw.len()));
            assert!(pw
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
            for pin in [p.authentication_pin(), p.card_info_pin()] {
                assert!(pin.len() == 4 && pin.bytes().all(|b| b.is_ascii_digit()));
            }
            assert!(is_valid_my_number(p.my_number()));
            assert!(a.address.contains('－'));
            assert!(a.address.chars().any(|c| ('０'..='９').contains(&c)));

            // The signature certificate.
            let cert = JpkiCertificate::from_der(p.signature_certificate_der()).unwrap();
            assert_eq!(cert.kind(), CertificateKind::Signature);
            cert.verify_issued_by(ca.signature_ca()).unwrap();
            assert_eq!(
                cert.verify_issued_by(ca.authentication_ca()),
                Err(crate::cert::CertError::IssuerMismatch)
            );
            let sa = cert.signature_attributes().unwrap();
            assert_eq!(sa, &p.signature_attributes());
            assert_eq!(&sa.attributes, a);
            assert!(sa.differing_fields(a).is_empty());
            assert_eq!(cert.key(), KeyInfo::Rsa { bits: 2048 });
            assert_eq!(
                cert.rsa_public_key().unwrap().n(),
                p.signature_key().to_public_key().n()
            );
            let ku = cert.key_usage().unwrap();
            assert!(ku.digital_signature && ku.non_repudiation && ku.critical);
            assert!(!ku.key_cert_sign);
            assert_eq!(
                cert.policies(),
                vec![crate::cert::oid::CARD_SIGNATURE_POLICY.to_string()]
            );
            assert!(!cert.is_ca());
            assert_eq!(cert.not_before_date_jst(), p.issue_date());
            assert_eq!(cert.not_before().hour(), 15);
            assert_eq!(
                cert.not_after_date_jst(),
                end_entity_expiry(p.issue_date(), a.date_of_birth)
            );
            assert_eq!(
                cert.authority_key_identifier(),
                ca.signature_ca().subject_key_identifier()
            );
            let subject = cert.subject();
            assert!(subject.starts_with("CN=20"));
            assert!(subject.ends_with(&format!(
                "L={},L={},C=JP",
                p.municipality_romanised(),
                p.prefecture_romanised()
            )));
            assert!(!format!("{cert:?}").contains(&a.name));

            // The authentication certificate.
            let auth = p.authentication_certificate();
            assert_eq!(auth.kind(), CertificateKind::Authentication);
            auth.verify_issued_by(ca.authentication_ca()).unwrap();
            assert!(auth.signature_attributes().is_none());
            let ku = auth.key_usage().unwrap();
            assert!(ku.digital_signature && !ku.non_repudiation && ku.critical);
            assert_eq!(
                auth.policies(),
                vec![crate::cert::oid::AUTHENTICATION_POLICY.to_string()]
            );
            assert!(auth.subject().starts_with("CN=") && auth.subject().ends_with(",C=JP"));
            assert_eq!(auth.subject().matches('=').count(), 2);
            let auth_der = p.authentication_certificate_der();
            let city = p.municipality_romanised().as_bytes();
            assert!(!auth_der.windows(city.len()).any(|w| w == city));
            assert_ne!(auth.issuance_number(), cert.issuance_number());

            // The attributes record.
            assert_eq!(&parse_attributes_record(&p.attributes_record()).unwrap(), a);
        }
    }

    #[test]
    fn signature_certificate_size() {
        for seed in SEEDS.filter(|s| !Persona::is_special_seed(*s)) {
            let len = Persona::from_seed(seed).signature_certificate_der().len();
            eprintln!("seed {seed}: signature certificate {len} bytes");
            // About 1.8 KB with the real extension set (authorityKeyIdentifier with the
            // issuer name and serial, no authorityInfoAccess).
            assert!((1700..=1900).contains(&len), "seed {seed}: {len} bytes");
        }
    }

    #[test]
    fn special_persona() {
        let p = Persona::from_seed(Persona::SEED_SUBSTITUTE_CHARACTERS);
        let a = p.attributes();
        assert!(a.name.contains('𠮷'));
        assert!(a.address.len() > 255);
        assert_eq!(p.name_substitute_flags(), "10000");
        assert_eq!(p.address_substitute_flags().matches('1').count(), 1);
        let record = p.attributes_record();
        assert_eq!(record[2], 0x82);
        assert_eq!(&parse_attributes_record(&record).unwrap(), a);
        let cert = p.signature_certificate();
        let sa = cert.signature_attributes().unwrap();
        assert!(sa.has_substituted_characters());
        assert_eq!(sa.name_substitute_flags, "10000");
        assert_eq!(sa, &p.signature_attributes());
        cert.verify_issued_by(EmulatorCa::shared().signature_ca())
            .unwrap();
        // Born 29 February: the certificate ends on 28 February in a common year.
        assert_eq!(a.date_of_birth, Date::new(1964, 2, 29).unwrap());
        let end = cert.not_after_date_jst();
        assert_eq!(end.month(), 2);
        assert_eq!(
            end.day(),
            if crate::date::is_leap_year(end.year()) {
                29
            } else {
                28
            }
        );
        eprintln!(
            "special persona: signature certificate {} bytes",
            p.signature_certificate_der().len()
        );
    }

    #[test]
    fn card_images() {
        let p = Persona::from_seed(0);
        let ca = EmulatorCa::shared();
        let card = p.card_image(Profile::MyNumberCard);
        assert_eq!(card.token_label, "JPKIAPICCTOKEN2");
        assert_eq!(
            card.signature_certificate.as_deref(),
            Some(p.signature_certificate_der())
        );
        assert_eq!(card.signature_ca_certificate, ca.signature_ca_der());
        assert_eq!(
            card.authentication_ca_certificate,
            ca.authentication_ca_der()
        );
        assert!(!card.authentication_certificate_needs_pin);
        assert_eq!(
            &card.signature_password[..],
            p.signature_password().as_bytes()
        );
        let info = card.card_info.as_ref().unwrap();
        assert_eq!(info.my_number.as_str(), p.my_number());
        assert_eq!(
            &parse_attributes_record(&info.attributes_record).unwrap(),
            p.attributes()
        );
        assert_eq!(&info.pin[..], p.card_info_pin().as_bytes());
        let legacy = p.card_image(Profile::LegacyResidentCard);
        assert_eq!(legacy.token_label, "JPKIAPICCTOKEN");
        assert_eq!(legacy.signature_certificate, card.signature_certificate);

        let android = p.card_image(Profile::AndroidSmartphone);
        let iphone = p.card_image(Profile::IPhone);
        assert_eq!(iphone.token_label, "JPKIAPIOSTOKEN");
        let mut serials = vec![p.signature_certificate().issuance_number()];
        for phone in [&android, &iphone] {
            assert!(phone.authentication_certificate_needs_pin);
            assert!(phone.card_info.is_none());
            let sig =
                JpkiCertificate::from_der(phone.signature_certificate.as_deref().unwrap()).unwrap();
            sig.verify_issued_by(ca.signature_ca()).unwrap();
            assert_eq!(
                sig.signature_attributes().unwrap().attributes,
                *p.attributes()
            );
            assert_ne!(
                sig.rsa_public_key().unwrap(),
                p.signature_key().to_public_key()
            );
            assert_eq!(
                sig.rsa_public_key().unwrap(),
                phone.signature_key.to_public_key()
            );
            assert!(sig.not_before_date_jst() > p.issue_date());
            serials.push(sig.issuance_number());
            let auth = JpkiCertificate::from_der(&phone.authentication_certificate).unwrap();
            auth.verify_issued_by(ca.authentication_ca()).unwrap();
            assert_ne!(auth.der(), p.authentication_certificate_der());
            assert_eq!(
                auth.rsa_public_key().unwrap(),
                phone.authentication_key.to_public_key()
            );
        }
        serials.sort();
        serials.dedup();
        assert_eq!(serials.len(), 3);
        assert_ne!(android.signature_certificate, iphone.signature_certificate);
        // Lazily generated once.
        assert_eq!(
            p.card_image(Profile::AndroidSmartphone)
                .signature_certificate,
            android.signature_certificate
        );
        assert!(!format!("{android:?}").contains(p.signature_password()));
    }
}
