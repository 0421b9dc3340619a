"""Every example persona file (examples/personas/) through the mynasign package."""

import pytest

import mynasign as m
from conftest import PERSONAS, SIG, EmulatorLink, consent, load_persona, run, trusting

FILES = sorted(p.name for p in PERSONAS.glob("*.json"))


def sign(emulator, spec, allow_last=False):
    link = EmulatorLink(emulator)
    password = spec["pins"]["signature_password"].encode()
    return run(m.sign_consent(link, consent(channel=m.ConsentChannel.MYNAPORTAL), password,
                              m.SignOptions(allow_last_attempt=allow_last)))


def verify(emulator, signed, **overrides):
    options = dict(nonce="txn-0001")
    options.update(overrides)
    return m.verify_consent(signed.cms(), trusting(emulator, **options))


def test_all_seven_examples_are_here():
    assert len(FILES) == 7, FILES


@pytest.mark.parametrize("name", FILES)
def test_example_persona(name):
    spec, emulator = load_persona(name)
    expected_left = spec.get("remaining_attempts", {}).get("signature_password", 5)
    assert emulator.pin_attempts_left(SIG) == expected_left
    assert emulator.signature_password() == spec["pins"]["signature_password"].encode()
    if name == "blocked-signature-password.json":
        before = emulator.commands_processed()
        with pytest.raises(m.MynaError.PinBlocked):
            sign(emulator, spec)
        assert emulator.pin_attempts_left(SIG) == 0
        assert emulator.commands_processed() - before <= 4, "more than open + status"
    elif name == "one-attempt-left.json":
        with pytest.raises(m.MynaError.LastAttemptGuard):
            sign(emulator, spec)
        assert emulator.pin_attempts_left(SIG) == 1
        signed = sign(emulator, spec, allow_last=True)
        assert emulator.pin_attempts_left(SIG) == 5
        verify(emulator, signed)
    elif name == "under-15.json":
        with pytest.raises(m.MynaError.NoSignatureCertificate):
            sign(emulator, spec)
        assert emulator.keystore_certificate_der() == b""
    elif name == "expired-certificate.json":
        signed = sign(emulator, spec)
        with pytest.raises(m.MynaError.VerificationFailed) as e:
            verify(emulator, signed)
        assert e.value.reason == m.VerifyFailure.NOT_VALID_AT_TIME
    elif name == "revoked-certificate.json":
        signed = sign(emulator, spec)
        with pytest.raises(m.MynaError.VerificationFailed) as e:
            verify(emulator, signed, allow_unchecked_revocation=False, crls=[emulator.crl()])
        assert e.value.reason == m.VerifyFailure.REVOKED
    elif name == "android-smartphone.json":
        card = run(m.JpkiCard.open(EmulatorLink(emulator)))
        assert card.profile() == m.CardProfile.ANDROID_SMARTPHONE
        signed = sign(emulator, spec)
        assert signed.source() == m.CertificateSource.SMARTPHONE
        assert verify(emulator, signed).source() == m.CertificateSource.SMARTPHONE
    elif name == "long-address-non-jis.json":
        signed = sign(emulator, spec)
        attributes = verify(emulator, signed).signer().attributes()
        assert attributes.address() == spec["holder"]["address"]
        assert attributes.name() == spec["holder"]["name"]
        assert len(spec["holder"]["address"].encode()) > 255
    else:
        pytest.fail(f"no expectation for {name}")


def test_a_bad_persona_file_names_the_key_not_the_value():
    text = (PERSONAS / "one-attempt-left.json").read_text(encoding="utf-8")
    bad = text.replace('"1988-11-03"', '"1988-13-03"')
    with pytest.raises(m.MynaError.InvalidInput) as e:
        m.Emulator.from_persona_json(bad)
    assert e.value.field == "holder.date_of_birth"
    assert "1988" not in str(e.value) and "1988" not in repr(e.value)
