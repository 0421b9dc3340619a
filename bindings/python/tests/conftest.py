"""Shared fixtures: an emulated card and a transport written in Python that forwards APDUs."""

import pytest

import mynasign_ffi as m


class EmulatorLink(m.CardLink):
    """A CardLink implemented in Python: the callback path the bindings must carry."""

    def __init__(self, emulator, extended=True):
        self.emulator = emulator
        self.extended = extended
        self.sent = 0

    def transceive(self, command):
        self.sent += 1
        return self.emulator.transceive(command)

    def supports_extended_length(self):
        return self.extended

    def max_transceive_length(self):
        return 0


@pytest.fixture
def emulator():
    return m.Emulator(1, m.CardProfile.MY_NUMBER_CARD)


@pytest.fixture
def link(emulator):
    return EmulatorLink(emulator)


def consent(channel=m.ConsentChannel.LICENCE_CENTRE_KIOSK, items=None):
    return m.ConsentDocument.ADDRESS_CHANGE(
        items=items if items is not None else [m.ConsentItem.ADDRESS, m.ConsentItem.NAME],
        holder_status=m.HolderStatus.MY_NUMBER_LICENCE_ONLY,
        terms=m.terms_from_text("address-change-one-stop", "1", "利用規約の本文"),
        channel=channel,
        nonce="txn-0001",
        timestamp_unix=None,
    )
