"""Issue 9, Python: progress as an async stream in order, PINs as bytes and bytearray, and
the README's Python snippet run against the emulator."""

import asyncio
import contextlib
import io
import pathlib
import re
import textwrap

import pytest

import mynasign as m
from conftest import SIG, EmulatorLink, Steps, consent, run, trusting

README = pathlib.Path(__file__).resolve().parent / ".." / ".." / ".." / "README.md"


async def collect(events):
    return [event async for event in events]


def steps_of(events):
    return [(e.progress.step, e.progress.index, e.progress.total) for e in events[:-1]]


def test_sign_events_arrive_in_order_then_the_result(emulator, link):
    events = run(collect(m.sign_consent_events(link, consent(), emulator.signature_password())))
    assert steps_of(events) == [
        (m.FlowStep.CONNECTING, 1, 5),
        (m.FlowStep.CHECKING_PIN, 2, 5),
        (m.FlowStep.VERIFYING_PIN, 3, 5),
        (m.FlowStep.READING_CERTIFICATE, 4, 5),
        (m.FlowStep.SIGNING, 5, 5),
    ]
    assert all(e.progress.message_ja and e.progress.message_en and e.result is None for e in events[:-1])
    last = events[-1]
    assert last.progress is None and last.is_result
    assert isinstance(last.result, m.SignedConsent)
    m.verify_consent(last.result.cms(), trusting(emulator))


def test_events_match_the_listener_of_the_coroutine(emulator, link):
    listener = Steps()
    run(m.sign_consent(link, consent(), emulator.signature_password(),
                       m.SignOptions(include_ca_certificate=True), listener=listener))
    events = run(collect(m.sign_consent_events(link, consent(), emulator.signature_password(),
                                               m.SignOptions(include_ca_certificate=True))))
    assert [(p.step, p.index, p.total) for p in listener.steps] == steps_of(events)
    assert m.FlowStep.READING_CA_CERTIFICATE in [s for s, _, _ in steps_of(events)]


def test_every_flow_has_an_event_stream(emulator, link):
    info, sig = emulator.card_info_pin(), emulator.signature_password()
    flows = {
        "attributes": (m.read_basic_attributes_events(link, info), m.BasicAttributes, 4),
        "status": (m.read_pin_status_events(link), m.PinStatusReport, 4),
        "linkage": (m.check_linkage_events(link, info, sig), m.LinkageResult, 6),
    }
    for name, (stream, kind, total) in flows.items():
        events = run(collect(stream))
        assert [e.progress.index for e in events[:-1]] == list(range(1, total + 1)), name
        assert all(e.progress.total == total for e in events[:-1]), name
        assert isinstance(events[-1].result, kind), name
    phone = m.Emulator(1, m.CardProfile.ANDROID_SMARTPHONE)
    from test_flows import EmulatedKeystore

    events = run(collect(m.sign_consent_with_signer_events(
        EmulatedKeystore(phone), m.CertificateSource.SMARTPHONE, consent(m.ConsentChannel.MYNAPORTAL))))
    assert steps_of(events) == [(m.FlowStep.KEYSTORE_SIGNING, 1, 1)]
    assert isinstance(events[-1].result, m.SignedConsent)


def test_a_failure_is_raised_from_the_iteration_after_the_steps(emulator, link):
    seen = []

    async def body():
        async for event in m.sign_consent_events(link, consent(), b"ZZZZZZ"):
            seen.append(event.progress.step)

    with pytest.raises(m.MynaError.WrongPin):
        run(body())
    assert seen == [m.FlowStep.CONNECTING, m.FlowStep.CHECKING_PIN, m.FlowStep.VERIFYING_PIN]


def test_the_loop_is_not_blocked_while_the_flow_runs(emulator):
    # The flow runs on the library's worker thread: other tasks run meanwhile.
    from conftest import BlockingLink

    link = BlockingLink(emulator)

    async def body():
        task = asyncio.ensure_future(m.sign_consent(link, consent(), emulator.signature_password(),
                                                    cancel=handle))
        ticks = 0
        while not link.blocked.is_set():
            ticks += 1
            await asyncio.sleep(0.001)
        await asyncio.sleep(0.05)
        handle.cancel()
        with pytest.raises(m.MynaError.Cancelled):
            await task
        return ticks

    handle = m.CancelHandle()
    assert run(body()) > 0, "no other task ran while the flow ran"


# PINs as bytes and bytearray.

def test_pins_as_bytes_are_left_alone(emulator, link):
    password = emulator.signature_password()
    assert isinstance(password, bytes)
    run(m.sign_consent(link, consent(), password))
    assert password == emulator.signature_password()


def test_a_bytearray_pin_is_wiped_after_the_call(emulator, link):
    password = bytearray(emulator.signature_password())
    n = len(password)
    signed = run(m.sign_consent(link, consent(), password))
    assert password == bytearray(n), "not wiped"
    m.verify_consent(signed.cms(), trusting(emulator))
    pin = bytearray(emulator.card_info_pin())
    run(m.read_basic_attributes(link, pin))
    assert pin == bytearray(len(pin))
    a, b = bytearray(emulator.card_info_pin()), bytearray(emulator.signature_password())
    run(m.check_linkage(link, a, b))
    assert not any(a) and not any(b)
    c = bytearray(emulator.signature_password())
    m.blocking.sign_consent(link, consent(), c)
    assert not any(c)


def test_a_bytearray_pin_is_wiped_when_the_call_fails(emulator, link):
    wrong = bytearray(b"ZZZZZZ")
    with pytest.raises(m.MynaError.WrongPin):
        run(m.sign_consent(link, consent(), wrong))
    assert wrong == bytearray(6)
    bad = bytearray(b"x")
    with pytest.raises(m.MynaError.InvalidPinFormat):
        run(m.sign_consent(link, consent(), bad))
    assert bad == bytearray(1)
    assert emulator.pin_attempts_left(SIG) == 4


def test_a_bytearray_pin_through_the_events_is_wiped(emulator, link):
    password = bytearray(emulator.signature_password())
    events = run(collect(m.sign_consent_events(link, consent(), password)))
    assert events[-1].result is not None and not any(password)


class RecordingPin(bytearray):
    """A bytearray PIN that records every way Python code could copy it out."""

    def __init__(self, value):
        super().__init__(value)
        self.copies = []

    def __bytes__(self):
        self.copies.append("bytes()")
        return bytes(memoryview(self))

    def __iter__(self):
        self.copies.append("iter")
        return super().__iter__()

    def __getitem__(self, index):
        self.copies.append("getitem")
        return super().__getitem__(index)

    def decode(self, *args, **kwargs):
        self.copies.append("decode")
        return super().decode(*args, **kwargs)


def test_a_bytearray_pin_is_read_in_place_never_copied_to_bytes(emulator, link):
    # Issue 25 item 7: the PIN crosses as a PinCode whose constructor takes the bytes by
    # reference; the bytearray is lowered as a pointer to its own memory.
    password = RecordingPin(emulator.signature_password())
    signed = run(m.sign_consent(link, consent(), password))
    assert password.copies == [], password.copies
    assert not any(bytearray(memoryview(password))), "not wiped"
    m.verify_consent(signed.cms(), trusting(emulator))
    pin = RecordingPin(emulator.card_info_pin())
    run(m.read_basic_attributes(link, pin))
    assert pin.copies == [] and not any(bytearray(memoryview(pin)))
    again = RecordingPin(emulator.signature_password())
    state = run(_verify(link, again))
    assert state.remaining == 5 and again.copies == [] and not any(bytearray(memoryview(again)))


async def _verify(link, password):
    async with await m.JpkiCard.open(link) as card:
        return await card.verify_pin(m.PinType.SIGNATURE_PASSWORD, password)


def test_the_pin_lowering_points_into_the_bytearray():
    # What the generator must keep for the above to hold (fails if uniffi changes it): the
    # PinCode constructor lowers its value through the by-reference converter, which the
    # package patched to take a bytearray, and a bytearray is lowered as its own address.
    import ctypes
    import inspect

    source = inspect.getsource(m.ffi.PinCode.__init__)
    assert "_UniffiFfiConverterByRefBytes.check_lower(value)" in source
    assert "_UniffiFfiConverterByRefBytes.lower(value)" in source
    converter = m.ffi._UniffiFfiConverterByRefBytes
    assert converter.lower.__module__ == "mynasign._pins"
    pin = bytearray(b"1234")
    lowered = converter.lower(pin)
    own = (ctypes.c_char * 4).from_buffer(pin)
    assert lowered.len == 4
    assert ctypes.addressof(lowered.data.contents) == ctypes.addressof(own), "a copy was passed"
    del lowered, own
    pin.clear()  # no export of the bytearray is left behind once the lowered value is gone


def test_a_pin_code_checks_its_format_is_used_once_and_prints_no_pin(emulator, link):
    for kind, bad in [
        (m.PinType.SIGNATURE_PASSWORD, b"ABC12"),
        (m.PinType.SIGNATURE_PASSWORD, bytearray(b"ABC12!")),
        (m.PinType.CARD_INFO_PIN, bytearray(b"12a4")),
        (m.PinType.AUTHENTICATION_PIN, b"12345"),
    ]:
        with pytest.raises(m.MynaError.InvalidPinFormat) as e:
            m.PinCode(kind, bad)
        assert e.value.pin == kind
    with pytest.raises(TypeError):
        m.PinCode(m.PinType.CARD_INFO_PIN, "1234")
    code = m.PinCode(m.PinType.SIGNATURE_PASSWORD, bytearray(b"pw4x9q2z"))
    assert repr(code) == str(code) == "PinCode(signature password, ***)"
    assert code.pin_type() == m.PinType.SIGNATURE_PASSWORD and not code.is_wiped()
    code.wipe()
    assert code.is_wiped()
    used = m.PinCode(m.PinType.SIGNATURE_PASSWORD, bytearray(emulator.signature_password()))
    run(m.ffi.sign_consent(link, consent(), used, m.SignOptions()))
    assert used.is_wiped()
    sent = link.sent
    for spent in (used, code):
        with pytest.raises(m.MynaError.InvalidInput):
            run(m.ffi.sign_consent(link, consent(), spent, m.SignOptions()))
    assert link.sent == sent, "a used or wiped PinCode sends nothing"


def test_other_pin_types_are_refused(emulator, link):
    with pytest.raises(TypeError):
        run(m.sign_consent(link, consent(), emulator.signature_password().decode()))
    with pytest.raises(TypeError):
        m.sign_consent_events(link, consent(), 123456)
    assert link.sent == 0


# The README's Python snippet.

def readme_snippet():
    text = README.resolve().read_text(encoding="utf-8")
    section = text.split("\n## In an app\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 1, "expected one Python snippet under '## In an app'"
    return blocks[0]


def test_the_readme_snippet_runs(emulator, link):
    """The snippet as written, with its free names (link, document, password, roots, crl) from
    the emulator: two signatures, the progress printed in order, and a receiving service's
    verification with a CRL."""
    source = "async def snippet(link, document, password, roots, crl):\n" + textwrap.indent(readme_snippet(), "    ")
    namespace = {"mynasign": m}
    exec(compile(source, str(README.resolve()) + ":python-snippet", "exec"), namespace)
    listener = Steps()
    run(m.sign_consent(EmulatorLink(emulator), consent(), emulator.signature_password(), listener=listener))
    out = io.StringIO()
    before = link.sent
    with contextlib.redirect_stdout(out):
        run(namespace["snippet"](link, consent(), emulator.signature_password(),
                                 emulator.root_certificates_der(), emulator.crl()))
    assert link.sent - before == 12, "two signatures of 6 exchanges each"
    lines = out.getvalue().splitlines()
    assert lines[:-2] == [p.message_en for p in listener.steps]
    assert lines[-2].startswith("SignedConsent(") and "redacted" in lines[-2]
    assert lines[-1] == str(m.RevocationMethod.CRL)
