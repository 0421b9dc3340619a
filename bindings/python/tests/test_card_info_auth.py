"""Issue 27: the basic four with what proves them, read from the emulated card through the
package, verified again as a back end does, and each tampered case refused."""

import json

import pytest

import mynasign as m
from conftest import run


def _flip(hex_text, at):
    digit = "1" if hex_text[at] == "0" else "0"
    return hex_text[:at] + digit + hex_text[at + 1 :]


def test_authentic_attributes_then_every_change_is_refused(emulator, link):
    challenge = m.new_presence_challenge()
    trust = m.emulator_card_info_trust()
    pin = bytearray(emulator.card_info_pin())
    got = run(m.read_authentic_basic_attributes(link, pin, trust, challenge))
    assert pin == bytearray(len(pin)), "the bytearray PIN is wiped"
    assert got.card_present()
    assert got.exchanges() == 8
    name = got.attributes().name()
    assert name not in str(got) and name not in repr(got)
    evidence = got.evidence_json()

    back = m.verify_card_info_evidence(evidence, trust, challenge)
    assert back.attributes().name() == name
    assert back.card_present()

    def refused(text, trust=trust, challenge=challenge):
        with pytest.raises(m.MynaError.VerificationFailed) as e:
            m.verify_card_info_evidence(text, trust, challenge)
        return e.value.reason

    doc = json.loads(evidence)
    for key, at, reason in (
        ("basic_four", 40, m.VerifyFailure.CARD_INFO_ATTRIBUTES_DIGEST),
        ("integrity_record", 30, m.VerifyFailure.CARD_INFO_RECORD_SIGNATURE),
        ("ap_certificate", 400, m.VerifyFailure.CARD_INFO_CERTIFICATE_SIGNATURE),
    ):
        changed = dict(doc, **{key: _flip(doc[key], at)})
        assert refused(json.dumps(changed)) == reason, key
    # Production and JPKI-TEST keys never accept the emulator's card.
    for other in (m.CardInfoTrust.production(), m.CardInfoTrust.test()):
        assert refused(evidence, trust=other) == m.VerifyFailure.CARD_INFO_UNTRUSTED_AUTHORITY
    # A replayed answer: sent again for a new challenge.
    assert refused(evidence, challenge=m.new_presence_challenge()) == m.VerifyFailure.PRESENCE_CHALLENGE_MISMATCH
    # The answer carried under another challenge.
    spliced = dict(doc, presence=dict(doc["presence"], challenge=m.new_presence_challenge().hex()))
    fresh = bytes.fromhex(spliced["presence"]["challenge"])
    assert refused(json.dumps(spliced), challenge=fresh) == m.VerifyFailure.PRESENCE_SIGNATURE


def test_the_blocking_form_without_a_challenge(emulator, link):
    import mynasign.blocking

    pin = bytearray(emulator.card_info_pin())
    got = mynasign.blocking.read_authentic_basic_attributes(link, pin, m.emulator_card_info_trust())
    assert pin == bytearray(len(pin)), "the bytearray PIN is wiped"
    assert not got.card_present() and got.hierarchy() == "custom"
    again = m.verify_card_info_evidence(got.evidence_json(), m.emulator_card_info_trust())
    assert again.attributes().name() == got.attributes().name() and again.exchanges() == 0
