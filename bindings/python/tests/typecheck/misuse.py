"""Issue 25: mistakes the typed surface must catch. Each line ending in `# wrong` must get
a `mypy --strict` error, and no other line (tests/test_types.py)."""

import typing

import mynasign


async def wrong(link: mynasign.CardLink, doc: mynasign.ConsentDocument, card: mynasign.Emulator) -> None:
    await mynasign.sign_consent(link, doc, "123456")  # wrong
    await mynasign.sign_consent(link, doc, b"123456", reader=True)  # wrong
    await mynasign.sign_consent(document=doc, password=b"123456")  # wrong
    verifier = mynasign.Verifier()
    verifier.verify(b"cms")  # wrong
    async for event in mynasign.read_pin_status_events(link):
        event.result.counts  # wrong
        if isinstance(event, mynasign.ResultEvent):
            event.result.signature_password.remaining
            event.result.cms()  # wrong
    signed = await mynasign.sign_consent(link, doc, b"123456")
    signed.cms().hex()
    x: int = verifier.verify(signed.cms(), mynasign.ConsentCheck()).issuance_number  # wrong
    typing.cast(None, x)
    await mynasign.login_on_card(link, "{}", "https://login.example.jp", "1234")  # wrong
    mynasign.verify_card_info_evidence(b"{}", mynasign.CardInfoTrust.production())  # wrong
