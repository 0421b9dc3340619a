"""Full flows through the mynasign package against the emulated card (ported from the
synchronous generated API to the coroutines of the reshaped FFI)."""

import threading

import pytest

import mynasign as m
from conftest import SIG, EmulatorLink, Steps, consent, run, trusting


def test_open_profile_and_pin_status(emulator, link):
    async def body():
        card = await m.JpkiCard.open(link)
        assert card.profile() == m.CardProfile.MY_NUMBER_CARD
        state = await card.pin_status(SIG)
        assert (state.remaining, state.max_attempts, state.blocked, state.last_attempt) == (5, 5, False, False)
        assert emulator.pin_attempts_left(SIG) == 5
        assert link.sent == card.counts().exchanges

    run(body())


def test_wrong_pin_counts_down_then_guard_then_lock(emulator, link):
    async def body():
        card = await m.JpkiCard.open(link)
        for left in (4, 3, 2, 1):
            with pytest.raises(m.MynaError.WrongPin) as e:
                await card.verify_pin(SIG, b"ZZZZZZ")
            assert e.value.remaining == left
            assert e.value.code() == m.ErrorCode.WRONG_PIN
            assert f"残り{left}回" in e.value.message_ja()
        assert (await card.pin_status(SIG)).last_attempt
        before = emulator.commands_processed()
        with pytest.raises(m.MynaError.LastAttemptGuard) as e:
            await card.verify_pin(SIG, b"ZZZZZZ")
        assert e.value.code() == m.ErrorCode.LAST_ATTEMPT
        assert emulator.commands_processed() == before, "the guard sent an APDU"
        with pytest.raises(m.MynaError.PinNowBlocked) as e:
            await card.verify_pin(SIG, b"ZZZZZZ", True)
        assert e.value.code() == m.ErrorCode.PIN_NOW_BLOCKED
        assert emulator.pin_attempts_left(SIG) == 0
        with pytest.raises(m.MynaError.PinBlocked) as e:
            await card.verify_pin(SIG, emulator.signature_password(), True)
        assert "municipal" in e.value.message_en()
        assert "コンビニ" in e.value.message_ja()

    run(body())


def test_lowercase_and_bad_format(emulator, link):
    async def body():
        card = await m.JpkiCard.open(link)
        before = emulator.commands_processed()
        with pytest.raises(m.MynaError.InvalidPinFormat):
            await card.verify_pin(SIG, b"abc")
        assert emulator.commands_processed() == before
        state = await card.verify_pin(SIG, emulator.signature_password().lower())
        assert state.remaining == 5

    run(body())


def test_certificates(emulator, link):
    async def body():
        card = await m.JpkiCard.open(link)
        with pytest.raises(m.MynaError.PinNotVerified):
            await card.read_certificate(m.CertificateType.SIGNATURE)
        await card.verify_pin(SIG, emulator.signature_password())
        cert = await card.read_certificate(m.CertificateType.SIGNATURE)
        assert cert.kind() == m.CertificateKind.SIGNATURE
        attributes = cert.attributes()
        assert attributes is not None and "\u3000" in attributes.name()
        assert attributes.name() not in repr(cert) and attributes.name() not in str(attributes)
        ca = await card.read_certificate(m.CertificateType.SIGNATURE_CA)
        assert ca.kind() == m.CertificateKind.SIGNATURE_CA
        assert "mynasign EMULATOR" in ca.subject()

    run(body())


def test_sign_and_verify_a_consent(emulator, link):
    signed = run(m.sign_consent(link, consent(), emulator.signature_password()))
    assert signed.counts().exchanges == 6
    assert signed.source() == m.CertificateSource.CARD
    verified = m.verify_consent(signed.cms(), trusting(emulator))
    assert verified.document_json() == signed.document_json()
    assert verified.signer().issuance_number() == signed.certificate().issuance_number()
    assert verified.document().kind() == m.DocumentKind.ADDRESS_CHANGE
    assert verified.document().address_change_fields().items == [m.ConsentItem.ADDRESS, m.ConsentItem.NAME]
    # The default options are a receiving service's: production roots.
    with pytest.raises(m.MynaError.VerificationFailed) as e:
        m.verify_consent(signed.cms(), m.VerifyConsentOptions(allow_unchecked_revocation=True))
    assert e.value.reason == m.VerifyFailure.UNTRUSTED_CHAIN
    tampered = bytearray(signed.cms())
    tampered[-1] ^= 1
    with pytest.raises(m.MynaError.VerificationFailed) as e:
        m.verify_consent(bytes(tampered), trusting(emulator))
    assert e.value.reason == m.VerifyFailure.SIGNATURE_MISMATCH


def test_blocking_forms_for_scripts(emulator, link):
    signed = m.blocking.sign_consent(link, consent(), emulator.signature_password())
    assert m.verify_consent(signed.cms(), trusting(emulator)).source() == m.CertificateSource.CARD
    report = m.blocking.read_pin_status(link)
    assert report.signature_password.remaining == 5
    attributes = m.blocking.read_basic_attributes(link, emulator.card_info_pin())
    assert attributes.name()
    linkage = m.blocking.check_linkage(link, emulator.card_info_pin(), emulator.signature_password())
    assert linkage.differing_fields == []
    with pytest.raises(m.MynaError.InvalidPinFormat):
        m.blocking.sign_consent(link, consent(), b"x")


def test_plain_card_takes_at_most_17():
    emulator = m.Emulator.new_plain(1, m.CardProfile.MY_NUMBER_CARD)
    link = EmulatorLink(emulator, extended=False)
    signed = run(m.sign_consent(link, consent(), emulator.signature_password()))
    # One refused short-EF-id form, then the plain forms.
    assert signed.counts().exchanges <= 17


def test_channel_rule_on_a_smartphone():
    emulator = m.Emulator(1, m.CardProfile.ANDROID_SMARTPHONE)
    link = EmulatorLink(emulator)
    with pytest.raises(m.MynaError.ChannelRule) as e:
        run(m.sign_consent(link, consent(), emulator.signature_password()))
    assert e.value.code() == m.ErrorCode.CHANNEL_RULE
    assert emulator.pin_attempts_left(SIG) == 5
    signed = run(m.sign_consent(link, consent(m.ConsentChannel.MYNAPORTAL), emulator.signature_password()))
    assert signed.source() == m.CertificateSource.SMARTPHONE


def test_empty_selection_is_refused(emulator, link):
    with pytest.raises(m.MynaError.InvalidInput) as e:
        run(m.sign_consent(link, consent(items=[]), emulator.signature_password()))
    assert e.value.code() == m.ErrorCode.INVALID_INPUT and e.value.field == "items"
    assert link.sent == 0


def test_consent_period():
    p = m.consent_period("2028-02-29", "2038-02-01", 30)
    assert (p.first_day, p.last_day) == ("2028-03-01", "2038-02-28")
    assert p.reminder_due and p.days_remaining == 28
    with pytest.raises(m.MynaError.InvalidInput):
        m.consent_period("2027-02-29", "2030-01-01", 30)


def test_progress_steps_in_order(emulator, link):
    steps = Steps()
    run(m.sign_consent(link, consent(), emulator.signature_password(), listener=steps))
    assert [(p.step, p.index, p.total) for p in steps.steps] == [
        (m.FlowStep.CONNECTING, 1, 5),
        (m.FlowStep.CHECKING_PIN, 2, 5),
        (m.FlowStep.VERIFYING_PIN, 3, 5),
        (m.FlowStep.READING_CERTIFICATE, 4, 5),
        (m.FlowStep.SIGNING, 5, 5),
    ]
    assert all(p.message_ja and p.message_en for p in steps.steps)


def test_a_plain_function_as_listener(emulator, link):
    seen = []
    run(m.read_pin_status(link, listener=seen.append))
    assert [p.index for p in seen] == [1, 2, 3, 4]


def test_cancel_from_the_ui_before_verify(emulator, link):
    handle = m.CancelHandle()

    def on_step(progress):
        if progress.step == m.FlowStep.VERIFYING_PIN:
            handle.cancel()

    with pytest.raises(m.MynaError.Cancelled) as e:
        run(m.sign_consent(link, consent(), emulator.signature_password(), cancel=handle, listener=Steps(on_step)))
    assert e.value.code() == m.ErrorCode.CANCELLED
    assert emulator.pin_attempts_left(SIG) == 5
    assert handle.is_cancelled()
    assert link.closed.is_set()


class Failing(m.CardLink):
    def __init__(self, error, where="transceive"):
        self.error = error
        self.where = where

    def _maybe(self, name):
        if self.where == name:
            raise self.error

    def transceive(self, command):
        self._maybe("transceive")
        return bytes([0x90, 0x00])

    def supports_extended_length(self):
        self._maybe("supports_extended_length")
        return False

    def max_transceive_length(self):
        return 0

    def close(self):
        pass


def test_transport_exceptions_are_typed():
    with pytest.raises(m.MynaError.TagLost) as e:
        run(m.JpkiCard.open(Failing(m.LinkError.TagLost())))
    assert e.value.code() == m.ErrorCode.TAG_LOST and not e.value.during_verify
    with pytest.raises(m.MynaError.Timeout):
        run(m.JpkiCard.open(Failing(m.LinkError.Timeout())))
    with pytest.raises(m.MynaError.LinkFailed) as e:
        run(m.JpkiCard.open(Failing(RuntimeError("unexpected"))))
    assert e.value.code() == m.ErrorCode.LINK_FAILED


def test_link_lost_during_verify(emulator, link):
    async def body():
        card = await m.JpkiCard.open(link)
        await card.pin_status(SIG)
        emulator.lose_next_response()
        with pytest.raises(m.MynaError.TagLost) as e:
            await card.verify_pin(SIG, b"ZZZZZZ")
        assert e.value.during_verify
        assert e.value.code() == m.ErrorCode.TAG_LOST_DURING_VERIFY
        assert e.value.pin_counter_uncertain()
        # The card counted it; a new session sees it.
        assert (await (await m.JpkiCard.open(link)).pin_status(SIG)).remaining == 4

    run(body())


def test_not_a_my_number_card():
    class NoApp(Failing):
        def __init__(self):
            super().__init__(None, where=None)

        def transceive(self, command):
            return bytes([0x6A, 0x82])

    with pytest.raises(m.MynaError.NotMyNumberCard) as e:
        run(m.JpkiCard.open(NoApp()))
    assert e.value.message_ja().startswith("マイナンバーカードではありません")


def test_mynaportal_linkage(emulator, link):
    attrs = run(m.read_basic_attributes(link, emulator.card_info_pin()))

    async def certificate():
        card = await m.JpkiCard.open(link)
        await card.verify_pin(SIG, emulator.signature_password())
        return await card.read_certificate(m.CertificateType.SIGNATURE)

    cert = run(certificate())
    assert m.compare_linkage(attrs, cert) == []
    other = m.Emulator(2, m.CardProfile.MY_NUMBER_CARD)
    other_attrs = run(m.read_basic_attributes(EmulatorLink(other), other.card_info_pin()))
    assert m.AttributeField.NAME in set(m.compare_linkage(other_attrs, cert))
    doc = m.ConsentDocument.mynaportal_linkage(attrs, "link-1")
    signed = run(m.sign_consent(link, doc, emulator.signature_password()))
    assert m.verify_consent(signed.cms(), trusting(emulator)).source() == m.CertificateSource.CARD
    bad = m.ConsentDocument.mynaportal_linkage(other_attrs, "link-2")
    with pytest.raises(m.MynaError.AttributeMismatch) as e:
        run(m.sign_consent(link, bad, emulator.signature_password()))
    assert m.AttributeField.NAME in e.value.fields
    assert other_attrs.name() not in str(e.value) and other_attrs.name() not in repr(e.value)
    assert other_attrs.name() not in repr(bad)
    result = run(m.check_linkage(link, emulator.card_info_pin(), emulator.signature_password()))
    assert result.differing_fields == []


def test_called_from_a_worker_thread(emulator, link):
    result = {}

    def work():
        result["signed"] = m.blocking.sign_consent(link, consent(), emulator.signature_password())

    t = threading.Thread(target=work)
    t.start()
    t.join(timeout=60)
    assert result["signed"].counts().exchanges == 6


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
    signed = run(m.sign_consent_with_signer(keystore, m.CertificateSource.SMARTPHONE, consent(m.ConsentChannel.MYNAPORTAL)))
    assert keystore.signed == 1 and signed.counts().exchanges == 0
    verified = m.verify_consent(signed.cms(), trusting(phone))
    assert verified.source() == m.CertificateSource.SMARTPHONE
    assert verified.document_json() == signed.document_json()
    # The kiosk takes the card's certificate only: refused before the key is asked.
    with pytest.raises(m.MynaError.ChannelRule):
        run(m.sign_consent_with_signer(keystore, m.CertificateSource.SMARTPHONE, consent()))
    assert keystore.signed == 1


def test_keystore_failures_are_typed():
    phone = m.Emulator(1, m.CardProfile.ANDROID_SMARTPHONE)
    doc = consent(m.ConsentChannel.MYNAPORTAL)
    source = m.CertificateSource.SMARTPHONE
    with pytest.raises(m.MynaError.Cancelled):
        run(m.sign_consent_with_signer(EmulatedKeystore(phone, m.SignerError.Cancelled()), source, doc))
    with pytest.raises(m.MynaError.KeystoreFailed) as e:
        run(m.sign_consent_with_signer(EmulatedKeystore(phone, m.SignerError.Failed("key invalidated")), source, doc))
    assert e.value.code() == m.ErrorCode.KEYSTORE_FAILED
    assert e.value.message_en() == (
        "The phone could not sign with its stored certificate. Unlock the phone and try again."
    )
    assert e.value.message_ja()
    with pytest.raises(m.MynaError.KeystoreFailed):
        run(m.sign_consent_with_signer(EmulatedKeystore(phone, ValueError("boom")), source, doc))


def test_a_service_verifies_with_its_nonce_channel_and_revocation(emulator, link):
    signed = run(m.sign_consent(link, consent(), emulator.signature_password()))
    roots = emulator.root_certificates_der()
    # The app's own check says revocation was not checked.
    assert m.verify_consent(signed.cms(), trusting(emulator)).revocation().method == m.RevocationMethod.NOT_CHECKED
    # A service refuses that unless it opts out.
    with pytest.raises(m.MynaError.VerificationFailed) as e:
        m.verify_consent(signed.cms(), m.VerifyConsentOptions(roots_der=roots))
    assert e.value.reason == m.VerifyFailure.REVOCATION_NOT_CHECKED
    ok = m.verify_consent(signed.cms(), trusting(
        emulator, nonce="txn-0001", channel=m.ConsentChannel.LICENCE_CENTRE_KIOSK))
    assert ok.source() == m.CertificateSource.CARD
    assert ok.received_at() >= ok.signing_time()
    # With the emulator's CRL, revocation is established.
    checked = m.verify_consent(signed.cms(), m.VerifyConsentOptions(roots_der=roots, crls=[emulator.crl()]))
    assert checked.revocation().method != m.RevocationMethod.NOT_CHECKED
    with pytest.raises(m.MynaError.VerificationFailed) as e:
        m.verify_consent(signed.cms(), trusting(emulator, nonce="another"))
    assert e.value.reason == m.VerifyFailure.NONCE_MISMATCH
    with pytest.raises(m.MynaError.VerificationFailed) as e:
        m.verify_consent(signed.cms(), trusting(emulator, channel=m.ConsentChannel.MYNAPORTAL))
    assert e.value.reason == m.VerifyFailure.CHANNEL_MISMATCH
    # Received a day after it was signed: the signing time is outside the skew.
    import datetime

    with pytest.raises(m.MynaError.VerificationFailed) as e:
        m.verify_consent(signed.cms(), trusting(
            emulator, received_at=ok.signing_time() + datetime.timedelta(days=1)))
    assert e.value.reason == m.VerifyFailure.SIGNING_TIME_SKEW
    # The OCSP request for the signer certificate, to send with the app's own HTTP client.
    request = m.ocsp_request(signed.certificate(), m.TrustAnchors.PRODUCTION, roots, b"0123456789abcdef")
    assert request[0] == 0x30 and b"0123456789abcdef" in request
