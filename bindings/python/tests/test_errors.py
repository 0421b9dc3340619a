"""Issue 9, Python: every error case's text in both languages, its flags, and throwing
callbacks (link, progress listener, keystore signer) as typed errors."""

import re

import pytest

import mynasign as m
from conftest import SIG, EmulatorLink, consent, load_persona, run, trusting

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


class Failing(m.CardLink):
    """Raises `error` from `where`; otherwise answers like a card would not."""

    def __init__(self, error, where="transceive"):
        self.error = error
        self.where = where

    def transceive(self, command):
        if self.where == "transceive":
            raise self.error
        return bytes([0x6A, 0x82])

    def supports_extended_length(self):
        if self.where == "supports_extended_length":
            raise self.error
        return True

    def max_transceive_length(self):
        return 0

    def close(self):
        pass


class LosesVerify(EmulatorLink):
    """The card gets the VERIFY (and counts it) but its answer is lost."""

    def transceive(self, command):
        response = super().transceive(command)
        if command[1] == 0x20 and len(command) > 5:
            raise m.LinkError.TagLost()
        return response


class Signer(m.KeystoreSigner):
    def __init__(self, emulator, fail):
        self.emulator = emulator
        self.fail = fail

    def certificate_der(self):
        return self.emulator.keystore_certificate_der()

    def algorithm(self):
        return m.KeyAlgorithm.RSA_PKCS1_SHA256

    def sign(self, message):
        raise self.fail


def _raising_listener(progress):
    raise RuntimeError("the UI is gone")


def _error(produce):
    with pytest.raises(m.MynaError) as e:
        produce()
    return e.value


def _sign(emulator, password=None, link=None, **kwargs):
    link = link or EmulatorLink(emulator)
    password = emulator.signature_password() if password is None else password
    return run(m.sign_consent(link, consent(**kwargs.pop("doc", {})), password, **kwargs))


def _persona_sign(name):
    spec, emulator = load_persona(name)
    return _sign(emulator, doc={"channel": m.ConsentChannel.MYNAPORTAL})


def _tampered():
    emulator = m.Emulator(1, m.CardProfile.MY_NUMBER_CARD)
    cms = bytearray(_sign(emulator).cms())
    cms[-1] ^= 1
    return m.verify_consent(bytes(cms), trusting(emulator))


def _pre_cancelled():
    handle = m.CancelHandle()
    handle.cancel()
    emulator = m.Emulator(1, m.CardProfile.MY_NUMBER_CARD)
    return _sign(emulator, cancel=handle)


def _pin_now_blocked():
    spec, emulator = load_persona("one-attempt-left.json")
    return _sign(emulator, password=b"ZZZZZZ", options=m.SignOptions(allow_last_attempt=True),
                 doc={"channel": m.ConsentChannel.MYNAPORTAL})


def _pin_not_verified():
    async def body():
        card = await m.JpkiCard.open(EmulatorLink(m.Emulator(1, m.CardProfile.MY_NUMBER_CARD)))
        await card.read_certificate(m.CertificateType.SIGNATURE)

    run(body())


def _attribute_mismatch():
    emulator = m.Emulator(1, m.CardProfile.MY_NUMBER_CARD)
    other = m.Emulator(2, m.CardProfile.MY_NUMBER_CARD)
    attrs = run(m.read_basic_attributes(EmulatorLink(other), other.card_info_pin()))
    doc = m.ConsentDocument.mynaportal_linkage(attrs, "link-1")
    return run(m.sign_consent(EmulatorLink(emulator), doc, emulator.signature_password()))


def _emulator():
    return m.Emulator(1, m.CardProfile.MY_NUMBER_CARD)


def _phone():
    return m.Emulator(1, m.CardProfile.ANDROID_SMARTPHONE)


# name: (produce, variant, code, retry_safe, pin_counter_uncertain)
CASES = {
    "invalid PIN format": (lambda: _sign(_emulator(), password=b"abc"),
                           m.MynaError.InvalidPinFormat, m.ErrorCode.INVALID_PIN_FORMAT, False, False),
    "wrong PIN": (lambda: _sign(_emulator(), password=b"ZZZZZZ"),
                  m.MynaError.WrongPin, m.ErrorCode.WRONG_PIN, False, False),
    "last-attempt guard": (lambda: _persona_sign("one-attempt-left.json"),
                           m.MynaError.LastAttemptGuard, m.ErrorCode.LAST_ATTEMPT, False, False),
    "PIN now blocked": (_pin_now_blocked, m.MynaError.PinNowBlocked, m.ErrorCode.PIN_NOW_BLOCKED, False, False),
    "PIN blocked": (lambda: _persona_sign("blocked-signature-password.json"),
                    m.MynaError.PinBlocked, m.ErrorCode.PIN_BLOCKED, False, False),
    "PIN not verified": (_pin_not_verified, m.MynaError.PinNotVerified, m.ErrorCode.PIN_NOT_VERIFIED, False, False),
    "tag lost": (lambda: _sign(_emulator(), link=Failing(m.LinkError.TagLost())),
                 m.MynaError.TagLost, m.ErrorCode.TAG_LOST, True, False),
    "tag lost during VERIFY": (lambda: _sign(_emulator(), link=LosesVerify(_emulator())),
                               m.MynaError.TagLost, m.ErrorCode.TAG_LOST_DURING_VERIFY, False, True),
    "timeout": (lambda: _sign(_emulator(), link=Failing(m.LinkError.Timeout())),
                m.MynaError.Timeout, m.ErrorCode.TIMEOUT, True, False),
    "cancelled": (_pre_cancelled, m.MynaError.Cancelled, m.ErrorCode.CANCELLED, True, False),
    "link failed": (lambda: _sign(_emulator(), link=Failing(m.LinkError.Other("reader unplugged"))),
                    m.MynaError.LinkFailed, m.ErrorCode.LINK_FAILED, True, False),
    "not a My Number Card": (lambda: _sign(_emulator(), link=Failing(None, where=None)),
                             m.MynaError.NotMyNumberCard, m.ErrorCode.NOT_MY_NUMBER_CARD, False, False),
    "callback failed": (lambda: _sign(_emulator(), listener=_raising_listener),
                        m.MynaError.CallbackFailed, m.ErrorCode.CALLBACK_FAILED, False, False),
    "keystore failed": (lambda: run(m.sign_consent_with_signer(
        Signer(_phone(), m.SignerError.Failed("key invalidated")), m.CertificateSource.SMARTPHONE,
        consent(m.ConsentChannel.MYNAPORTAL))),
        m.MynaError.KeystoreFailed, m.ErrorCode.KEYSTORE_FAILED, True, False),
    "verification failed": (_tampered, m.MynaError.VerificationFailed, m.ErrorCode.VERIFICATION_FAILED, False, False),
    "no signature certificate": (lambda: _persona_sign("under-15.json"),
                                 m.MynaError.NoSignatureCertificate, m.ErrorCode.NO_SIGNATURE_CERTIFICATE,
                                 False, False),
    "channel rule": (lambda: _sign(_phone()), m.MynaError.ChannelRule, m.ErrorCode.CHANNEL_RULE, False, False),
    "attribute mismatch": (_attribute_mismatch, m.MynaError.AttributeMismatch, m.ErrorCode.ATTRIBUTE_MISMATCH,
                           False, False),
    "invalid input": (lambda: _sign(_emulator(), doc={"items": []}),
                      m.MynaError.InvalidInput, m.ErrorCode.INVALID_INPUT, False, False),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_error_text_in_both_languages(name, monkeypatch):
    produce, variant, code, retry_safe, uncertain = CASES[name]
    error = _error(produce)
    assert type(error) is variant, repr(error)
    assert error.code() == code
    assert error.retry_safe() is retry_safe
    assert error.pin_counter_uncertain() is uncertain
    ja, en = error.message_ja(), error.message_en()
    assert ja and en and ja != en
    assert JAPANESE.search(ja) and not JAPANESE.search(en)
    assert error.failure_ja() and error.failure_en()
    # The environment decides...
    assert str(error) == en
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    assert str(error) == ja
    monkeypatch.setenv("LC_MESSAGES", "en_US.UTF-8")
    assert str(error) == en, "LC_MESSAGES comes before LANG"
    monkeypatch.setenv("LC_ALL", "ja_JP.UTF-8")
    assert str(error) == ja, "LC_ALL comes first"
    # ...unless the app says.
    m.set_language("en")
    assert str(error) == en
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    m.set_language("ja")
    assert str(error) == ja
    assert f"{error}" == ja and error.message_for("ja") == ja
    # repr names the variant and its fields, never the text.
    assert repr(error).startswith(f"MynaError.{variant.__name__}(")
    assert ja not in repr(error) and en not in repr(error)


def test_specific_texts():
    wrong = _error(lambda: _sign(_emulator(), password=b"ZZZZZZ"))
    assert wrong.remaining == 4 and "残り4回" in wrong.message_ja() and "4" in wrong.message_en()
    keystore = _error(CASES["keystore failed"][0])
    assert keystore.message_en() == (
        "The phone could not sign with its stored certificate. Unlock the phone and try again.")
    lost = _error(CASES["tag lost during VERIFY"][0])
    assert lost.during_verify


def test_set_language_refuses_others():
    with pytest.raises(ValueError):
        m.set_language("fr")
    m.set_language("ja_JP")
    assert m.language() == "ja"
    m.set_language(None)
    assert m.language() == "en"


# Throwing callbacks as typed errors.

def test_a_link_raising_value_error_is_link_failed():
    error = _error(lambda: _sign(_emulator(), link=Failing(ValueError("boom"))))
    assert type(error) is m.MynaError.LinkFailed
    # Only the type of what the app's link raised: its message is the app's, and could hold
    # anything.
    assert "ValueError" in error.detail and "boom" not in error.detail


def test_a_link_raising_while_asked_for_its_capabilities_is_callback_failed():
    error = _error(lambda: _sign(_emulator(), link=Failing(ValueError("boom"), where="supports_extended_length")))
    assert type(error) is m.MynaError.CallbackFailed
    assert error.callback == "link"


def test_a_progress_listener_raising_stops_the_flow():
    emulator = _emulator()
    link = EmulatorLink(emulator)
    seen = []

    def listener(progress):
        seen.append(progress.step)
        if progress.step == m.FlowStep.CHECKING_PIN:
            raise RuntimeError("the UI is gone")

    error = _error(lambda: _sign(emulator, link=link, listener=listener))
    assert type(error) is m.MynaError.CallbackFailed and error.callback == "progress"
    assert seen == [m.FlowStep.CONNECTING, m.FlowStep.CHECKING_PIN]
    assert emulator.pin_attempts_left(SIG) == 5
    assert all(c[1] != 0x2A for c in link.commands)


def test_a_listener_raising_listener_error_is_callback_failed_too():
    class L(m.ProgressListener):
        def on_progress(self, progress):
            raise m.ListenerError.Failed("closed")

    error = _error(lambda: _sign(_emulator(), listener=L()))
    assert type(error) is m.MynaError.CallbackFailed and "closed" in error.detail


@pytest.mark.parametrize("fail", [m.SignerError.Failed("key invalidated"), ValueError("boom")],
                         ids=["signer-error-failed", "plain-exception"])
def test_a_signer_raising_is_keystore_failed(fail):
    error = _error(lambda: run(m.sign_consent_with_signer(
        Signer(_phone(), fail), m.CertificateSource.SMARTPHONE, consent(m.ConsentChannel.MYNAPORTAL))))
    assert type(error) is m.MynaError.KeystoreFailed
    assert error.code() == m.ErrorCode.KEYSTORE_FAILED


def test_a_signer_cancelled_is_cancelled():
    error = _error(lambda: run(m.sign_consent_with_signer(
        Signer(_phone(), m.SignerError.Cancelled()), m.CertificateSource.SMARTPHONE,
        consent(m.ConsentChannel.MYNAPORTAL))))
    assert type(error) is m.MynaError.Cancelled
