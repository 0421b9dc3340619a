"""Issue 25: a small program written as a service or kiosk team would, with the documented
API, fully annotated: `mypy --strict` and pyright must accept it (tests/test_types.py), and
it runs against the emulator (its `main()` returns what it saw)."""

import asyncio
import dataclasses
import typing

import mynasign


def document(nonce: str) -> mynasign.ConsentDocument:
    terms = mynasign.terms_from_text("address-change-one-stop", "1", "terms")
    return mynasign.ConsentDocument.address_change(
        [mynasign.ConsentItem.ADDRESS], mynasign.HolderStatus.MY_NUMBER_LICENCE_ONLY, terms,
        mynasign.ConsentChannel.LICENCE_CENTRE_KIOSK, nonce)


async def sign(card: mynasign.Emulator, nonce: str) -> typing.Tuple[bytes, typing.List[mynasign.FlowStep]]:
    steps: typing.List[mynasign.FlowStep] = []
    result: typing.Optional[mynasign.SignedConsent] = None
    with card.link() as link:
        events = mynasign.sign_consent_events(link, document(nonce), bytearray(card.signature_password()))
        try:  # contextlib.aclosing(events) on Python 3.10 and later
            async for event in events:
                if isinstance(event, mynasign.ProgressEvent):
                    steps.append(event.progress.step)
                else:
                    result = event.result
        finally:
            await events.aclose()
    assert result is not None
    return result.cms(), steps


async def session(card: mynasign.Emulator) -> mynasign.PinState:
    password = bytearray(card.signature_password())
    async with mynasign.JpkiCard.open(card.link()) as jpki:
        state = await jpki.verify_pin(mynasign.PinType.SIGNATURE_PASSWORD, password)
    assert password == bytearray(len(password))  # wiped
    return state


def main() -> typing.Dict[str, typing.Any]:
    card = mynasign.Emulator(7, mynasign.CardProfile.MY_NUMBER_CARD)
    cms, steps = asyncio.run(sign(card, "probe-1"))
    verifier = mynasign.Verifier(mynasign.VerifierOptions(roots_der=card.root_certificates_der(),
                                                          crls=[card.crl()]))
    verified: mynasign.VerifiedConsent = verifier.verify(cms, mynasign.ConsentCheck(nonce="probe-1"))
    number: str = verified.issuance_number
    report: mynasign.PinStatusReport = mynasign.blocking.read_pin_status(card.link())
    fields = dataclasses.asdict(report)
    try:
        mynasign.consent_period("not a date", "2026-01-01", 30)
        raised: typing.Optional[str] = None
    except ValueError as e:  # MynaError.InvalidInput is a ValueError
        assert isinstance(e, mynasign.MynaError)
        raised = e.code().name
    state = asyncio.run(session(card))
    service = "https://login.example.jp"
    login = mynasign.LoginVerifier(
        mynasign.Verifier(mynasign.VerifierOptions(roots_der=card.root_certificates_der())), service)
    result: mynasign.LoginResult = asyncio.run(mynasign.login_on_card(
        card.link(), login.issue_challenge("probe"), service, bytearray(card.authentication_pin())))
    check = mynasign.LoginCheck(ocsp_response=mynasign.emulator_ocsp_response(result.certificate_der))
    who: mynasign.VerifiedLogin = login.verify("probe", result.response_json, check)
    challenge = mynasign.new_presence_challenge()
    read: mynasign.AuthenticBasicAttributes = mynasign.blocking.read_authentic_basic_attributes(
        card.link(), bytearray(card.card_info_pin()), mynasign.emulator_card_info_trust(), challenge)
    back = mynasign.verify_card_info_evidence(read.evidence_json(), mynasign.emulator_card_info_trust(), challenge)
    return {"steps": steps, "number": number, "fields": sorted(fields), "raised": raised,
            "remaining": state.remaining, "method": verified.revocation().method,
            "login": who.certificate_serial == result.certificate_serial, "present": back.card_present()}


if __name__ == "__main__":
    print(main())
