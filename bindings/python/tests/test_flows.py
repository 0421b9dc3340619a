"""Full flows through the Python bindings against the emulated card."""

import threading

import pytest

import mynasign_ffi as m
from conftest import EmulatorLink, consent

SIG = m.PinType.SIGNATURE_PASSWORD


def test_open_profile_and_pin_status(emulator, link):
    card = m.JpkiCard.open(link)
    assert card.profile() == m.CardProfile.MY_NUMBER_CARD
    state = card.pin_status(SIG)
    assert (state.remaining, state.max_attempts, state.blocked, state.last_attempt) == (5, 5, False, False)
    assert emulator.pin_attempts_left(SIG) == 5
    assert link.sent == card.counts().exchanges


def test_wrong_pin_counts_down_then_guard_then_lock(emulator, link):
    card = m.JpkiCard.open(link)
    for left in (4, 3, 2, 1):
        with pytest.raises(m.MynaError.WrongPin) as e:
            card.verify_pin(SIG, "ZZZZZZ", False)
        assert e.value.remaining == left
        assert e.value.info.code == "WRONG_PIN"
        assert f"残り{left}回" in e.value.info.message_ja
    assert card.pin_status(SIG).last_attempt
    before = emulator.commands_processed()
    with pytest.raises(m.MynaError.LastAttemptGuard) as e:
        card.verify_pin(SIG, "ZZZZZZ", False)
    assert e.value.info.code == "LAST_ATTEMPT"
    assert emulator.commands_processed() == before, "the guard sent an APDU"
    with pytest.raises(m.MynaError.WrongPin) as e:
        card.verify_pin(SIG, "ZZZZZZ", True)
    assert e.value.remaining == 0
    with pytest.raises(m.MynaError.PinBlocked) as e:
        card.verify_pin(SIG, emulator.signature_password(), True)
    assert "municipality" in e.value.info.message_en
    assert "コンビニ" in e.value.info.message_ja


def test_lowercase_and_bad_format(emulator, link):
    card = m.JpkiCard.open(link)
    before = emulator.commands_processed()
    with pytest.raises(m.MynaError.InvalidPinFormat):
        card.verify_pin(SIG, "abc", False)
    assert emulator.commands_processed() == before
    state = card.verify_pin(SIG, emulator.signature_password().lower(), False)
    assert state.remaining == 5


def test_certificates(emulator, link):
    card = m.JpkiCard.open(link)
    with pytest.raises(m.MynaError.PinNotVerified):
        card.read_certificate(m.CertificateType.SIGNATURE)
    card.verify_pin(SIG, emulator.signature_password(), False)
    cert = card.read_certificate(m.CertificateType.SIGNATURE)
    assert cert.kind == m.CertificateKind.SIGNATURE
    assert cert.attributes is not None and "\u3000" in cert.attributes.name()
    assert cert.attributes.name() not in repr(cert) and cert.attributes.name() not in str(cert.attributes)
    ca = card.read_certificate(m.CertificateType.SIGNATURE_CA)
    assert ca.kind == m.CertificateKind.SIGNATURE_CA
    assert "mynasign EMULATOR" in ca.subject


def test_sign_and_verify_a_consent(emulator, link):
    signed = m.sign_consent(link, consent(), emulator.signature_password(), False, False, None, None)
    assert signed.counts.exchanges == 6
    assert signed.source == m.CertificateSource.CARD
    verified = m.verify_consent(signed.cms, m.TrustAnchors.EMULATOR, None)
    assert verified.document_json == signed.document_json
    assert verified.signer.issuance_number == signed.certificate.issuance_number
    assert isinstance(verified.document, m.ConsentDocument.ADDRESS_CHANGE)
    assert verified.document.items == [m.ConsentItem.ADDRESS, m.ConsentItem.NAME]
    with pytest.raises(m.MynaError.VerificationFailed) as e:
        m.verify_consent(signed.cms, m.TrustAnchors.PRODUCTION, None)
    assert e.value.reason == "UNTRUSTED_CHAIN"
    tampered = bytearray(signed.cms)
    tampered[-1] ^= 1
    with pytest.raises(m.MynaError.VerificationFailed) as e:
        m.verify_consent(bytes(tampered), m.TrustAnchors.EMULATOR, None)
    assert e.value.reason == "SIGNATURE_MISMATCH"


def test_plain_card_takes_at_most_16():
    emulator = m.Emulator.new_plain(1, m.CardProfile.MY_NUMBER_CARD)
    link = EmulatorLink(emulator, extended=False)
    signed = m.sign_consent(link, consent(), emulator.signature_password(), False, False, None, None)
    # One refused short-EF-id form, then the plain forms.
    assert signed.counts.exchanges <= 17


def test_channel_rule_on_a_smartphone():
    emulator = m.Emulator(1, m.CardProfile.ANDROID_SMARTPHONE)
    link = EmulatorLink(emulator)
    with pytest.raises(m.MynaError.ChannelRule) as e:
        m.sign_consent(link, consent(), emulator.signature_password(), False, False, None, None)
    assert e.value.info.code == "CHANNEL_RULE"
    assert emulator.pin_attempts_left(SIG) == 5
    signed = m.sign_consent(
        link, consent(m.ConsentChannel.MYNAPORTAL), emulator.signature_password(), False, False, None, None
    )
    assert signed.source == m.CertificateSource.SMARTPHONE


def test_empty_selection_is_refused(emulator, link):
    with pytest.raises(m.MynaError.InvalidInput) as e:
        m.sign_consent(link, consent(items=[]), emulator.signature_password(), False, False, None, None)
    assert e.value.info.code == "EMPTY_SELECTION"
    assert link.sent == 0


def test_consent_period():
    p = m.consent_period("2028-02-29", "2038-02-01", 30)
    assert (p.first_day, p.last_day) == ("2028-03-01", "2038-02-28")
    assert p.reminder_due and p.days_remaining == 28
    with pytest.raises(m.MynaError.InvalidInput):
        m.consent_period("2027-02-29", "2030-01-01", 30)


class Steps(m.ProgressCallback):
    def __init__(self, cancel_at=None, handle=None):
        self.steps = []
        self.cancel_at = cancel_at
        self.handle = handle

    def on_step(self, step, index, total):
        self.steps.append((step, index, total))
        if step == self.cancel_at:
            self.handle.cancel()


def test_progress_steps(emulator, link):
    steps = Steps()
    m.sign_consent(link, consent(), emulator.signature_password(), False, False, steps, None)
    assert steps.steps == [
        (m.SignStep.CONNECTING, 1, 5),
        (m.SignStep.CHECKING_PIN, 2, 5),
        (m.SignStep.VERIFYING_PIN, 3, 5),
        (m.SignStep.READING_CERTIFICATE, 4, 5),
        (m.SignStep.SIGNING, 5, 5),
    ]


def test_cancel_from_the_ui(emulator, link):
    handle = m.CancelHandle()
    steps = Steps(cancel_at=m.SignStep.VERIFYING_PIN, handle=handle)
    with pytest.raises(m.MynaError.Cancelled) as e:
        m.sign_consent(link, consent(), emulator.signature_password(), False, False, steps, handle)
    assert e.value.info.code == "CANCELLED"
    assert emulator.pin_attempts_left(SIG) == 5
    assert handle.is_cancelled()


class Failing(m.CardLink):
    def __init__(self, error):
        self.error = error

    def transceive(self, command):
        raise self.error

    def supports_extended_length(self):
        return False

    def max_transceive_length(self):
        return 0


def test_transport_exceptions_are_typed():
    with pytest.raises(m.MynaError.TagLost) as e:
        m.JpkiCard.open(Failing(m.LinkError.TagLost()))
    assert e.value.info.code == "TAG_LOST" and not e.value.during_verify
    with pytest.raises(m.MynaError.Timeout):
        m.JpkiCard.open(Failing(m.LinkError.Timeout()))
    with pytest.raises(m.MynaError.CardError) as e:
        m.JpkiCard.open(Failing(RuntimeError("unexpected")))
    assert e.value.info.code == "LINK_ERROR"


def test_link_lost_during_verify(emulator, link):
    card = m.JpkiCard.open(link)
    card.pin_status(SIG)
    emulator.lose_next_response()
    with pytest.raises(m.MynaError.TagLost) as e:
        card.verify_pin(SIG, "ZZZZZZ", False)
    assert e.value.during_verify
    assert e.value.info.code == "TAG_LOST_DURING_VERIFY"
    # The card counted it; a new session sees it.
    assert m.JpkiCard.open(link).pin_status(SIG).remaining == 4


def test_not_a_my_number_card():
    class NoApp(m.CardLink):
        def transceive(self, command):
            return bytes([0x6A, 0x82])

        def supports_extended_length(self):
            return False

        def max_transceive_length(self):
            return 0

    with pytest.raises(m.MynaError.NotMyNumberCard) as e:
        m.JpkiCard.open(NoApp())
    assert e.value.info.message_ja == "マイナンバーカードではありません。"


def test_mynaportal_linkage(emulator, link):
    attrs = m.read_card_attributes(link, emulator.card_info_pin(), False, None)
    card = m.JpkiCard.open(link)
    card.verify_pin(SIG, emulator.signature_password(), False)
    cert = card.read_certificate(m.CertificateType.SIGNATURE)
    assert m.check_linkage(attrs, cert) == []
    other = m.Emulator(2, m.CardProfile.MY_NUMBER_CARD)
    other_attrs = m.read_card_attributes(EmulatorLink(other), other.card_info_pin(), False, None)
    assert set(m.check_linkage(other_attrs, cert)) >= {"name"}
    doc = m.ConsentDocument.MYNAPORTAL_LINKAGE(attributes=attrs, nonce="link-1", timestamp_unix=None)
    signed = m.sign_consent(link, doc, emulator.signature_password(), False, False, None, None)
    assert m.verify_consent(signed.cms, m.TrustAnchors.EMULATOR, None).source == m.CertificateSource.CARD
    bad = m.ConsentDocument.MYNAPORTAL_LINKAGE(attributes=other_attrs, nonce="link-2", timestamp_unix=None)
    with pytest.raises(m.MynaError.AttributeMismatch) as e:
        m.sign_consent(link, bad, emulator.signature_password(), False, False, None, None)
    assert "name" in e.value.fields
    assert other_attrs.name() not in str(e.value) and other_attrs.name() not in repr(e.value)
    assert other_attrs.name() not in repr(bad)


def test_called_from_a_worker_thread(emulator, link):
    result = {}

    def work():
        result["signed"] = m.sign_consent(link, consent(), emulator.signature_password(), False, False, None, None)

    t = threading.Thread(target=work)
    t.start()
    t.join(timeout=60)
    assert result["signed"].counts.exchanges == 6


class EmulatedKeystore(m.KeystoreSigner):
    """An app-held key, as a platform keystore holds a smartphone certificate's key."""

    def __init__(self, emulator, fail=None):
        self.emulator = emulator
        self.fail = fail
        self.signed = 0

    def certificate_der(self):
        return self.emulator.keystore_certificate_der()

    def algorithm(self):
        return m.KeyAlgorithm.RSA_PKCS1_SHA256

    def sign(self, message):
        if self.fail is not None:
            raise self.fail
        self.signed += 1
        return self.emulator.keystore_sign(message)


def test_signing_with_a_keystore_key():
    phone = m.Emulator(1, m.CardProfile.ANDROID_SMARTPHONE)
    keystore = EmulatedKeystore(phone)
    signed = m.sign_consent_with_signer(keystore, m.CertificateSource.SMARTPHONE, consent(m.ConsentChannel.MYNAPORTAL))
    assert keystore.signed == 1 and signed.counts.exchanges == 0
    verified = m.verify_consent(signed.cms, m.TrustAnchors.EMULATOR, None)
    assert verified.source == m.CertificateSource.SMARTPHONE
    assert verified.document_json == signed.document_json
    # The kiosk takes the card's certificate only: refused before the key is asked.
    with pytest.raises(m.MynaError.ChannelRule):
        m.sign_consent_with_signer(keystore, m.CertificateSource.SMARTPHONE, consent())
    assert keystore.signed == 1


def test_keystore_failures_are_typed():
    phone = m.Emulator(1, m.CardProfile.ANDROID_SMARTPHONE)
    doc = consent(m.ConsentChannel.MYNAPORTAL)
    with pytest.raises(m.MynaError.Cancelled):
        m.sign_consent_with_signer(EmulatedKeystore(phone, m.SignerError.Cancelled()), m.CertificateSource.SMARTPHONE, doc)
    with pytest.raises(m.MynaError.CardError):
        m.sign_consent_with_signer(EmulatedKeystore(phone, ValueError("boom")), m.CertificateSource.SMARTPHONE, doc)


def service_options(**overrides):
    options = dict(
        trust=m.TrustAnchors.EMULATOR,
        roots_der=[],
        received_at_unix=None,
        crls=[],
        ocsp_response=None,
        ocsp_nonce=None,
        nonce=None,
        channel=None,
        max_skew_seconds=None,
        allow_unchecked_revocation=False,
    )
    options.update(overrides)
    return m.VerifyConsentOptions(**options)


def test_a_service_verifies_with_its_nonce_channel_and_revocation(emulator, link):
    signed = m.sign_consent(link, consent(), emulator.signature_password(), False, False, None, None)
    # The app's own check says revocation was not checked.
    assert m.verify_consent(signed.cms, m.TrustAnchors.EMULATOR, None).revocation.method == m.RevocationMethod.NOT_CHECKED
    # A service refuses that unless it opts out.
    with pytest.raises(m.MynaError.VerificationFailed) as e:
        m.verify_consent_with(signed.cms, service_options())
    assert e.value.reason == "REVOCATION_NOT_CHECKED"
    ok = m.verify_consent_with(signed.cms, service_options(
        allow_unchecked_revocation=True, nonce="txn-0001",
        channel=m.ConsentChannel.LICENCE_CENTRE_KIOSK))
    assert ok.source == m.CertificateSource.CARD
    assert ok.received_at_unix >= ok.signing_time_unix
    with pytest.raises(m.MynaError.VerificationFailed) as e:
        m.verify_consent_with(signed.cms, service_options(allow_unchecked_revocation=True, nonce="another"))
    assert e.value.reason == "NONCE_MISMATCH"
    with pytest.raises(m.MynaError.VerificationFailed) as e:
        m.verify_consent_with(signed.cms, service_options(
            allow_unchecked_revocation=True, channel=m.ConsentChannel.MYNAPORTAL))
    assert e.value.reason == "CHANNEL_MISMATCH"
    # Received a day after it was signed: the signing time is outside the skew.
    with pytest.raises(m.MynaError.VerificationFailed) as e:
        m.verify_consent_with(signed.cms, service_options(
            allow_unchecked_revocation=True, received_at_unix=ok.signing_time_unix + 86400))
    assert e.value.reason == "SIGNING_TIME_SKEW"
    # The OCSP request for the signer certificate, to send with the app's own HTTP client.
    request = m.ocsp_request(signed.certificate.der, m.TrustAnchors.EMULATOR, b"0123456789abcdef")
    assert request[0] == 0x30 and b"0123456789abcdef" in request
