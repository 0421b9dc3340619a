"""Issue 25, idiom: records are dataclasses (fields, equality, a repr with bytes as their
length), errors are also the matching built-ins, `JpkiCard.verify_pin` wipes a bytearray, and
the event types are distinct."""

import dataclasses

import pytest

import mynasign as m
from conftest import SIG, consent, run


def test_records_have_fields_equality_and_a_redacted_repr(emulator, link):
    report = run(m.read_pin_status(link))
    assert [f.name for f in dataclasses.fields(report)] == [
        "profile", "signature_password", "authentication_pin", "card_info_pin", "counts"]
    assert dataclasses.asdict(report)["signature_password"]["remaining"] == 5
    assert report == run(m.read_pin_status(link)) and report != "a report" and report != None  # noqa: E711
    assert repr(report).startswith("PinStatusReport(profile=CardProfile.MY_NUMBER_CARD, signature_password=PinState(")
    assert dataclasses.replace(m.SignOptions(), allow_last_attempt=True) == m.SignOptions(allow_last_attempt=True)
    # Bytes print as their length: a CRL, a root, an OCSP response, a VERIFY command.
    options = m.VerifierOptions(roots_der=emulator.root_certificates_der(), crls=[emulator.crl()])
    crl = emulator.crl()
    assert "<{} bytes>".format(len(crl)) in repr(options) and repr(crl)[2:40] not in repr(options)
    with pytest.raises(TypeError):
        hash(report)


def test_errors_are_also_the_matching_builtins(emulator, link):
    with pytest.raises(ValueError) as raised:
        m.consent_period("not a date", "2026-01-01", 30)
    assert isinstance(raised.value, m.MynaError.InvalidInput) and raised.value.field == "consent_date"
    assert raised.value.code() == m.ErrorCode.INVALID_INPUT and str(raised.value) == raised.value.message_en()
    with pytest.raises(ValueError):
        run(m.sign_consent(link, consent(), b"\xff\xfe"))  # not UTF-8: InvalidPinFormat
    assert issubclass(m.MynaError.Timeout, TimeoutError) and issubclass(m.MynaError.TagLost, ConnectionError)
    assert issubclass(m.MynaError.LinkFailed, ConnectionError) and issubclass(m.MynaError.Internal, RuntimeError)
    assert issubclass(m.NoReaderError, LookupError) and issubclass(m.NoReaderError, ConnectionError)
    timeout = m.MynaError.Timeout()
    assert repr(timeout) == "MynaError.Timeout()" and str(timeout) == timeout.message_en()
    assert not issubclass(m.MynaError.WrongPin, (ValueError, OSError))


def test_verify_pin_wipes_a_bytearray_on_success_and_failure(emulator, link):
    async def body():
        async with m.JpkiCard.open(link) as card:
            good = bytearray(emulator.signature_password())
            state = await card.verify_pin(SIG, good)
            assert state.remaining == 5 and good == bytearray(len(good))
            wrong = bytearray(b"ZZZ999")
            with pytest.raises(m.MynaError.WrongPin):
                await card.verify_pin(SIG, wrong)
            assert wrong == bytearray(6)
            with pytest.raises(TypeError):
                await card.verify_pin(SIG, "ABC123")

    run(body())


def test_progress_and_result_events_are_distinct_types(emulator, link):
    async def collect():
        return [e async for e in m.read_pin_status_events(link)]

    events = run(collect())
    assert all(isinstance(e, m.ProgressEvent) and e.result is None for e in events[:-1])
    last = events[-1]
    assert isinstance(last, m.ResultEvent) and last.progress is None and last.is_result
    assert isinstance(last, m.CardFlowEvent) and isinstance(last.result, m.PinStatusReport)
    assert repr(events[0]) == "ProgressEvent(progress=CONNECTING 1/4)"
