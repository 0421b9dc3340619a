"""Issue 13: ``reader=`` on the one-call flows (exactly one of a link and a reader), the
choice ``reader=True`` makes, and the verified result's issuance number. The flows over a
real reader are run by tests/pcsc/python.sh (make test-pcsc)."""

import types

import pytest

import mynasign as m
from conftest import consent, run


def listed(*readers):
    return [types.SimpleNamespace(name=name, card_present=card) for name, card in readers]


def test_a_flow_takes_a_link_or_a_reader_not_both_nor_neither(emulator, link):
    password = bytearray(emulator.signature_password())
    with pytest.raises(TypeError, match="not both"):
        run(m.sign_consent(link, consent(), password, reader="Virtual PCD 00 00"))
    assert link.sent == 0
    assert password == bytearray(len(password)), "a failed call wipes the bytearray too"
    with pytest.raises(TypeError, match="pass a link, or reader="):
        run(m.sign_consent(document=consent(), password=emulator.signature_password()))
    with pytest.raises(TypeError, match="not both"):
        run(m.read_pin_status(link, reader=True))
    with pytest.raises(TypeError, match="not both"):
        run(m.read_basic_attributes(link, emulator.card_info_pin(), reader=True))
    with pytest.raises(TypeError, match="not both"):
        m.blocking.read_pin_status(link, reader="x")
    for wrong in ("", 1, b"Virtual PCD 00 00"):
        with pytest.raises(TypeError, match="reader must be"):
            run(m.read_pin_status(reader=wrong))
    with pytest.raises(TypeError, match="document is required"):
        run(m.sign_consent(link, password=emulator.signature_password()))
    assert link.sent == 0
    # The link alone, positionally or by keyword, works as before.
    report = run(m.read_pin_status(link=link))
    assert report.signature_password.remaining == 5


def test_reader_true_means_the_only_reader_or_the_only_one_holding_a_card():
    assert m.only_reader(listed(("A", False))) == "A"
    assert m.only_reader(listed(("A", False), ("B", True))) == "B"
    with pytest.raises(m.NoReaderError) as none:
        m.only_reader([])
    with pytest.raises(m.SeveralReadersError) as several:
        m.only_reader(listed(("A", True), ("B", True)))
    assert several.value.names == ["A", "B"]
    with pytest.raises(m.SeveralReadersError):
        m.only_reader(listed(("A", False), ("B", False)))
    # Both are the package's errors: a LinkFailed with its code and the holder's text, and a
    # LookupError.
    for e in (none.value, several.value):
        assert isinstance(e, m.MynaError.LinkFailed) and isinstance(e, m.ReaderError)
        assert isinstance(e, LookupError)
        assert e.code() == m.ErrorCode.LINK_FAILED
        assert str(e) == e.message_en() and str(e)
        assert repr(e).startswith("MynaError.{}(".format(type(e).__name__))


@pytest.mark.skipif("pcsc" in m.FEATURES, reason="this wheel has PC/SC")
def test_without_pcsc_reader_is_a_typed_error_and_nothing_is_sent(emulator):
    password = bytearray(emulator.signature_password())
    for call in (
        lambda: m.sign_consent(document=consent(), password=password, reader=True),
        lambda: m.sign_consent(document=consent(), password=password, reader="Virtual PCD 00 00"),
        lambda: m.read_pin_status(reader=True),
    ):
        with pytest.raises(m.ReaderError) as e:
            run(call())
        assert "no PC/SC support" in e.value.detail and e.value.code() == m.ErrorCode.LINK_FAILED
    assert password == bytearray(len(password))
    with pytest.raises(m.ReaderError):
        m.only_reader()


def test_the_verified_result_has_the_issuance_number_and_never_prints_it(emulator, link):
    signed = run(m.sign_consent(link, consent(), emulator.signature_password()))
    verified = m.Verifier(m.VerifierOptions(roots_der=emulator.root_certificates_der(),
                                            crls=[emulator.crl()])).verify(signed.cms(), m.ConsentCheck())
    number = verified.issuance_number
    assert isinstance(number, str) and number == signed.certificate().issuance_number()
    assert number not in "{!r} {} {!r}".format(verified, verified, verified.signer())
