"""Issue 9, Python: the printed forms (str, repr, f-strings, logging) of every result type,
built from a persona with a known name, address and date of birth, contain none of them, nor
the domicile identifier, nor any PIN."""

import hashlib
import logging
import re

import pytest

import mynasign as m
from conftest import EmulatorLink, consent, load_persona, run, trusting

PERSONA = "long-address-non-jis.json"
DOMICILE_ID = "KOSEKI-7F3A9C21E5"
WRONG_PINS = ("QZXW9876", "kyoto")  # the PINs the error cases are given


def secrets(spec):
    holder = spec["holder"]
    name, address, born = holder["name"], holder["address"], holder["date_of_birth"]
    values = {name, address, born, born.replace("-", ""), DOMICILE_ID}
    values.update(part for part in name.split("\u3000") if len(part) > 1)
    # The distinctive pieces of the address (a truncated form must not leak either).
    values.update({address[:12], address[-12:]})
    values.update(spec["pins"].values())
    values.update(WRONG_PINS)
    values.update(pin.encode().hex() for pin in spec["pins"].values())
    return values


def shows(value, text):
    """Whether ``text`` shows ``value`` as printed: anywhere for a value with letters or other
    characters; a value of digits only (a PIN, a date of birth, a PIN's hex) only as a whole
    number, not inside a longer run of letters and digits (an object's address in a repr, a
    hash, a time), where its digits can occur by chance."""
    if not (value.isascii() and value.isdigit()):
        return value in text
    return re.search(r"(?<![0-9A-Za-z])" + re.escape(value) + r"(?![0-9A-Za-z])", text) is not None


def test_digits_inside_an_address_or_a_hash_are_not_a_leak():
    assert shows("1357", "pin=1357") and shows("1357", "b'1357'") and shows("31333537", "31333537")
    assert not shows("1357", "<mynasign.Certificate object at 0x7f1357a2b3c0>")
    assert not shows("1357", "id 140422613571712")
    assert shows("京都", "x京都x")


def printed(x, caplog):
    forms = [str(x), repr(x), f"{x}", f"{x!r}", f"{x!s}", "%s %r" % (x, x), format(x)]
    logger = logging.getLogger("mynasign.test")
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="mynasign.test"):
        logger.info("result: %s", x)
        logger.info("result: %r", x)
        logger.debug(x)
        logger.warning("in a dict: %s", {"x": x})
        logger.error("in a list: %r", [x])
        if isinstance(x, BaseException):
            try:
                raise x
            except BaseException:
                logger.exception("failed")
    forms.append(caplog.text)
    forms.extend(r.getMessage() for r in caplog.records)
    return forms


@pytest.fixture(scope="module")
def results():
    spec, emulator = load_persona(PERSONA)
    pins = {k: v.encode() for k, v in spec["pins"].items()}
    link = EmulatorLink(emulator)
    roots = emulator.root_certificates_der()
    out = {}

    async def body():
        attributes = await m.read_basic_attributes(link, pins["card_info_pin"])
        assert attributes.name() == spec["holder"]["name"], "the persona's values did not arrive"
        assert attributes.address() == spec["holder"]["address"]
        assert attributes.date_of_birth() in (spec["holder"]["date_of_birth"],
                                              spec["holder"]["date_of_birth"].replace("-", ""))
        out["BasicAttributes"] = attributes
        documents = {
            "ADDRESS_CHANGE": consent(m.ConsentChannel.MYNAPORTAL),
            "REVOCATION": m.ConsentDocument.revocation(
                "txn-0001", m.ConsentChannel.MYNAPORTAL, "rev-0001", hashlib.sha256(b"x").hexdigest()),
            "DOMICILE_CHANGE": m.ConsentDocument.domicile_change(DOMICILE_ID, True, "dom-0001"),
            "MYNAPORTAL_LINKAGE": m.ConsentDocument.mynaportal_linkage(attributes, "link-0001"),
        }
        assert documents["DOMICILE_CHANGE"].domicile_change_identifier() == DOMICILE_ID
        for kind, document in documents.items():
            assert document.kind().name == kind
            out[f"ConsentDocument.{kind}"] = document
            signed = await m.sign_consent(link, document, pins["signature_password"])
            out[f"SignedConsent.{kind}"] = signed
            verified = m.verify_consent(signed.cms(), trusting(emulator))
            out[f"VerifiedConsent.{kind}"] = verified
            out[f"VerifiedConsent.{kind}.document"] = verified.document()
        out["Certificate.signed"] = out["SignedConsent.ADDRESS_CHANGE"].certificate()
        out["Certificate.verified"] = out["VerifiedConsent.ADDRESS_CHANGE"].signer()
        out["Certificate.attributes"] = out["Certificate.signed"].attributes()
        out["LinkageResult"] = await m.check_linkage(link, pins["card_info_pin"], pins["signature_password"])
        out["PinStatusReport"] = await m.read_pin_status(link)
        out["RevocationInfo"] = out["VerifiedConsent.ADDRESS_CHANGE"].revocation()
        async for event in m.read_basic_attributes_events(link, pins["card_info_pin"]):
            out["CardFlowEvent.progress" if event.progress else "CardFlowEvent.result"] = event
        # Errors that carry something about this holder.
        other = m.Emulator(2, m.CardProfile.MY_NUMBER_CARD)
        try:
            theirs = m.ConsentDocument.mynaportal_linkage(attributes, "link-0002")
            await m.sign_consent(EmulatorLink(other), theirs, other.signature_password())
        except m.MynaError as e:
            out["MynaError.AttributeMismatch"] = e
        try:
            await m.sign_consent(link, documents["ADDRESS_CHANGE"], WRONG_PINS[0].encode())
        except m.MynaError as e:
            out["MynaError.WrongPin"] = e
        try:
            await m.sign_consent(link, documents["ADDRESS_CHANGE"], WRONG_PINS[1].encode())
        except m.MynaError as e:
            out["MynaError.InvalidPinFormat"] = e
        try:
            m.verify_consent(out["SignedConsent.DOMICILE_CHANGE"].cms(), m.VerifyConsentOptions(roots_der=roots))
        except m.MynaError as e:
            out["MynaError.VerificationFailed"] = e
        try:
            m.Emulator.from_persona_json((m_persona_text()).replace(spec["holder"]["date_of_birth"], "1964-02-30"))
        except m.MynaError as e:
            out["MynaError.InvalidInput"] = e

    run(body())
    return spec, out


def m_persona_text():
    from conftest import PERSONAS

    return (PERSONAS / PERSONA).read_text(encoding="utf-8")


EXPECTED = [
    "BasicAttributes", "Certificate.signed", "Certificate.verified", "Certificate.attributes",
    *[f"{t}.{k}" for t in ("ConsentDocument", "SignedConsent", "VerifiedConsent")
      for k in ("ADDRESS_CHANGE", "REVOCATION", "DOMICILE_CHANGE", "MYNAPORTAL_LINKAGE")],
    *[f"VerifiedConsent.{k}.document" for k in ("ADDRESS_CHANGE", "REVOCATION", "DOMICILE_CHANGE",
                                                  "MYNAPORTAL_LINKAGE")],
    "LinkageResult", "PinStatusReport", "RevocationInfo", "CardFlowEvent.progress", "CardFlowEvent.result",
    "MynaError.AttributeMismatch", "MynaError.WrongPin", "MynaError.InvalidPinFormat",
    "MynaError.VerificationFailed", "MynaError.InvalidInput",
]


def test_every_result_was_built(results):
    _, out = results
    assert sorted(out) == sorted(EXPECTED)
    assert isinstance(out["MynaError.AttributeMismatch"], m.MynaError.AttributeMismatch)
    assert isinstance(out["MynaError.WrongPin"], m.MynaError.WrongPin)


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("key", EXPECTED)
def test_printed_forms_hold_no_personal_data(results, key, language, caplog):
    spec, out = results
    m.set_language(language)
    x = out[key]
    values = secrets(spec)
    for form in printed(x, caplog):
        for value in values:
            assert not shows(value, form), f"{key} printed {value!r}: {form!r}"


def test_the_document_itself_still_holds_the_values(results):
    # The redaction is of the printed forms only: the data is there for the app.
    spec, out = results
    assert spec["holder"]["name"] in out["ConsentDocument.MYNAPORTAL_LINKAGE"].to_json()
    assert DOMICILE_ID in out["ConsentDocument.DOMICILE_CHANGE"].to_json()
    assert out["VerifiedConsent.MYNAPORTAL_LINKAGE"].document().linkage_attributes().address() == \
        spec["holder"]["address"]


def test_the_check_is_not_blind(results, caplog):
    # The same check on the values themselves finds each of them.
    spec, out = results
    attributes = out["BasicAttributes"]
    for value in (attributes.name(), attributes.address(), DOMICILE_ID, spec["pins"]["signature_password"]):
        assert any(value in form for form in printed(value, caplog))
    # In a container, repr escapes the ideographic space: the name's parts are checked too.
    family = spec["holder"]["name"].split("\u3000")[0]
    assert family in secrets(spec)
    assert any(family in form for form in printed([attributes.name()], caplog))
