"""Shared helpers: an emulated card, links written in Python that forward APDUs to it, and
consent documents."""

import asyncio
import json
import pathlib
import threading

import pytest

import mynasign as m

ROOT = pathlib.Path(__file__).resolve().parents[3]
PERSONAS = ROOT / "examples" / "personas"
SIG = m.PinType.SIGNATURE_PASSWORD
INS_SIGN = 0x2A  # PERFORM SECURITY OPERATION: COMPUTE DIGITAL SIGNATURE
INS_VERIFY = 0x20


def run(coro):
    """Runs a coroutine to completion on a fresh event loop (pytest-asyncio is not needed)."""
    return asyncio.run(coro)


class EmulatorLink(m.CardLink):
    """A CardLink implemented in Python: the callback path the bindings must carry."""

    def __init__(self, emulator, extended=True):
        self.emulator = emulator
        self.extended = extended
        self.commands = []
        self.closed = threading.Event()

    @property
    def sent(self):
        return len(self.commands)

    def transceive(self, command):
        self.commands.append(bytes(command))
        if self.closed.is_set():
            raise m.LinkError.TagLost()
        return self.emulator.transceive(command)

    def supports_extended_length(self):
        return self.extended

    def max_transceive_length(self):
        return 0

    def close(self):
        self.closed.set()


class BlockingLink(EmulatorLink):
    """Blocks in transceive on COMPUTE DIGITAL SIGNATURE until close() is called, as an NFC
    link blocks while the card computes; then fails as a closed IsoDep does."""

    def __init__(self, emulator, block_ins=INS_SIGN):
        super().__init__(emulator)
        self.block_ins = block_ins
        self.blocked = threading.Event()
        self.returned = threading.Event()
        self.after_return = []  # commands sent after the blocked transceive returned

    def transceive(self, command):
        if self.returned.is_set():
            self.after_return.append(bytes(command))
        if command[1] == self.block_ins:
            self.commands.append(bytes(command))
            self.blocked.set()
            self.closed.wait(30)
            self.returned.set()
            raise m.LinkError.TagLost()
        return super().transceive(command)


async def wait_for(event, timeout=30.0):
    """Waits for a threading.Event without blocking the loop."""
    for _ in range(int(timeout / 0.01)):
        if event.is_set():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out")


class Steps(m.ProgressListener):
    """Records the steps (called on the library's worker thread)."""

    def __init__(self, on_step=None):
        self.steps = []
        self.on_step = on_step

    def on_progress(self, progress):
        self.steps.append(progress)
        if self.on_step is not None:
            self.on_step(progress)


TERMS = m.terms_from_text("address-change-one-stop", "1", "利用規約の本文")


def consent(channel=m.ConsentChannel.LICENCE_CENTRE_KIOSK, items=None, nonce="txn-0001"):
    return m.ConsentDocument.address_change(
        items if items is not None else [m.ConsentItem.ADDRESS, m.ConsentItem.NAME],
        m.HolderStatus.MY_NUMBER_LICENCE_ONLY,
        TERMS,
        channel,
        nonce,
    )


def trusting(emulator, **overrides):
    """Verify options trusting the emulator's roots (an app checking its own consent)."""
    options = dict(roots_der=emulator.root_certificates_der(), allow_unchecked_revocation=True)
    options.update(overrides)
    return m.VerifyConsentOptions(**options)


def load_persona(name):
    text = (PERSONAS / name).read_text(encoding="utf-8")
    return json.loads(text), m.Emulator.from_persona_json(text)


@pytest.fixture
def emulator():
    return m.Emulator(1, m.CardProfile.MY_NUMBER_CARD)


@pytest.fixture
def link(emulator):
    return EmulatorLink(emulator)


@pytest.fixture(autouse=True)
def english_by_default(monkeypatch):
    """Each test starts in English with no explicit language."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    m.set_language(None)
    yield
    m.set_language(None)
