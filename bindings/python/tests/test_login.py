"""Login with the user-authentication certificate, in Python: the app side
(``mynasign.login_on_card`` on the emulated card) and the service side (``LoginVerifier``,
and the README's WSGI login service, extracted and run)."""

import asyncio
import dataclasses
import datetime
import io
import json
import pathlib
import re
import wsgiref.util

import pytest

import mynasign as m
from conftest import BlockingLink, EmulatorLink, consent, run, wait_for

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"
SERVICE = "https://login.example.jp"
AUTH = m.PinType.AUTHENTICATION_PIN


def verifier(emulator, **options):
    return m.LoginVerifier(m.Verifier(m.VerifierOptions(roots_der=emulator.root_certificates_der(), **options)), SERVICE)


def ocsp(result, revoked_at=None):
    return m.LoginCheck(ocsp_response=m.emulator_ocsp_response(result.certificate_der, revoked_at=revoked_at))


def log_in(emulator, link, challenge, service=SERVICE, pin=None):
    return run(m.login_on_card(link, challenge, service, pin if pin is not None else emulator.authentication_pin()))


def refused(reason, call):
    with pytest.raises(m.MynaError.VerificationFailed) as e:
        call()
    assert e.value.reason == reason, e.value.reason
    return e.value


@pytest.mark.parametrize("profile", [m.CardProfile.MY_NUMBER_CARD, m.CardProfile.ANDROID_SMARTPHONE])
def test_log_in_on_the_emulated_card_and_the_service_accepts_it(profile):
    emulator = m.Emulator(1, profile)
    link = EmulatorLink(emulator)
    login = verifier(emulator)
    challenge = login.issue_challenge("session-1")
    assert json.loads(challenge)["form"] == "bound"
    steps = []
    result = run(m.login_on_card(link, challenge, SERVICE, bytearray(emulator.authentication_pin()),
                                 listener=steps.append))
    assert result.exchanges == 6 and link.sent == 6
    assert result.pin_remaining_before == 3 and result.profile == profile
    assert [s.step for s in steps][-1] == m.FlowStep.SIGNING and len(steps) == 5
    v = login.verify("session-1", result.response_json, ocsp(result))
    assert v.certificate_serial == result.certificate_serial
    assert v.revocation.method == m.RevocationMethod.OCSP and not v.raw_form
    # The signature password was never touched.
    assert emulator.pin_attempts_left(m.PinType.SIGNATURE_PASSWORD) == 5


def test_the_blocking_form_for_scripts(emulator, link):
    import mynasign.blocking
    login = verifier(emulator)
    pin = bytearray(emulator.authentication_pin())
    result = mynasign.blocking.login_on_card(link, login.issue_challenge("s"), SERVICE, pin)
    assert pin == bytearray(len(pin))  # wiped
    assert login.verify("s", result.response_json, ocsp(result)).certificate_serial == result.certificate_serial


def test_replayed_expired_and_relayed_challenges_are_refused(emulator, link):
    login = verifier(emulator)
    result = log_in(emulator, link, login.issue_challenge("s"))
    login.verify("s", result.response_json, ocsp(result))
    refused(m.VerifyFailure.CHALLENGE_REPLAYED, lambda: login.verify("s", result.response_json, ocsp(result)))
    # Issued 10 minutes ago, 5-minute lifetime.
    old = login.issue_challenge_at("s", datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=10))
    late = log_in(emulator, link, old)
    refused(m.VerifyFailure.CHALLENGE_EXPIRED, lambda: login.verify("s", late.response_json, ocsp(late)))
    # Signed for the site that relayed the challenge.
    relayed = log_in(emulator, link, login.issue_challenge("s"), service="https://phish.example")
    refused(m.VerifyFailure.RELAYED_RESPONSE, lambda: login.verify("s", relayed.response_json, ocsp(relayed)))
    # Another session, another service's challenge.
    other = log_in(emulator, link, login.issue_challenge("s"))
    refused(m.VerifyFailure.SESSION_MISMATCH, lambda: login.verify("t", other.response_json, ocsp(other)))
    refused(m.VerifyFailure.UNKNOWN_CHALLENGE, lambda: verifier(emulator).verify("s", other.response_json, ocsp(other)))


def test_revoked_by_the_emulator_ocsp(emulator, link):
    login = verifier(emulator)
    result = log_in(emulator, link, login.issue_challenge("s"))
    yesterday = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1)
    refused(m.VerifyFailure.REVOKED, lambda: login.verify("s", result.response_json, ocsp(result, yesterday)))


def test_a_signature_certificate_never_logs_in_nor_an_authentication_certificate_consents(emulator, link):
    login = verifier(emulator, allow_unchecked_revocation=True)
    result = log_in(emulator, link, login.issue_challenge("s"))

    class SignatureKeystore(m.KeystoreSigner):
        """The phone's keystore holding the signature key (the emulator's), used to log in."""

        def certificate_der(self):
            return emulator.keystore_certificate_der()

        def algorithm(self):
            return m.KeyAlgorithm.RSA_PKCS1_SHA256

        def sign(self, message):
            return emulator.keystore_sign(message)

    forged = run(m.login_with_signer(SignatureKeystore(), login.issue_challenge("s"), SERVICE))
    refused(m.VerifyFailure.SIGNATURE_CERTIFICATE_FOR_LOGIN, lambda: login.verify("s", forged, m.LoginCheck()))
    # An authentication certificate never signs a consent: a "keystore" holding the card's
    # authentication key (signing by APDUs on the emulated card: SELECT, VERIFY of the
    # authentication PIN 0018, COMPUTE DIGITAL SIGNATURE with key 0017 over the SHA-256
    # DigestInfo, PROTOCOL.md section 4) is refused before it is asked to sign.
    class AuthenticationKeystore(m.KeystoreSigner):
        signed = 0

        def certificate_der(self):
            return result.certificate_der

        def algorithm(self):
            return m.KeyAlgorithm.RSA_PKCS1_SHA256

        def sign(self, message):
            import hashlib
            self.signed += 1
            prefix = bytes.fromhex("3031300d060960864801650304020105000420")
            digest_info = prefix + hashlib.sha256(message).digest()
            apdu = emulator.transceive
            assert apdu(bytes.fromhex("00a4040c0ad392f000260100000001"))[-2:] == b"\x90\x00"
            pin = emulator.authentication_pin()
            assert apdu(bytes([0x00, 0x20, 0x00, 0x98, len(pin)]) + pin)[-2:] == b"\x90\x00"
            answer = apdu(bytes([0x80, 0x2A, 0x00, 0x97, len(digest_info)]) + digest_info + b"\x00")
            assert answer[-2:] == b"\x90\x00"
            return answer[:-2]

    keystore = AuthenticationKeystore()
    with pytest.raises(m.MynaError.NotSignatureCertificate):
        run(m.sign_consent_with_signer(keystore, m.CertificateSource.CARD, consent()))
    assert keystore.signed == 0
    # The same key logs in (bound form): what it is for.
    response = run(m.login_with_signer(keystore, login.issue_challenge("s"), SERVICE))
    assert keystore.signed == 1
    assert login.verify("s", response, m.LoginCheck()).certificate_serial == result.certificate_serial


def test_wrong_pin_counts_down_and_a_link_lost_during_verify(emulator, link):
    login = verifier(emulator)
    challenge = login.issue_challenge("s")
    with pytest.raises(m.MynaError.InvalidPinFormat):
        log_in(emulator, link, challenge, pin=b"12a4")
    assert link.sent == 0
    wrong = b"9999" if emulator.authentication_pin() != b"9999" else b"1111"
    with pytest.raises(m.MynaError.WrongPin) as e:
        log_in(emulator, link, challenge, pin=wrong)
    assert e.value.pin == AUTH and e.value.remaining == 2
    assert emulator.pin_attempts_left(AUTH) == 2
    assert "9999" not in repr(e.value) and "9999" not in str(e.value)
    # The link drops during VERIFY: reported as such, the counter uncertain, not retried.
    class DropOnVerify(EmulatorLink):
        def transceive(self, command):
            if command[1] == 0x20 and len(command) > 5:
                self.commands.append(bytes(command))
                raise m.LinkError.TagLost()
            return super().transceive(command)

    dropping = DropOnVerify(emulator)
    with pytest.raises(m.MynaError.TagLost) as e:
        log_in(emulator, dropping, challenge)
    assert e.value.during_verify and e.value.pin_counter_uncertain()
    assert sum(1 for c in dropping.commands if c[1] == 0x20 and len(c) > 5) == 1


def load_service(emulator):
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- login-service-example[^>]*-->\n```python\n(.*?)```", text, re.S)
    assert match, "the README's login service example is gone"
    namespace = {
        "__name__": "login_service",
        "service_trust": lambda: {"roots_der": emulator.root_certificates_der()},
        "ocsp_for": lambda body: m.emulator_ocsp_response(
            bytes.fromhex(json.loads(body)["certificate"])),
    }
    exec(compile(match.group(1), str(README), "exec"), namespace)
    return namespace["application"]


def post(application, path, session, body=b""):
    environ = {}
    wsgiref.util.setup_testing_defaults(environ)
    environ.update(REQUEST_METHOD="POST", PATH_INFO=path, CONTENT_LENGTH=str(len(body)), HTTP_X_SESSION=session,
                   **{"wsgi.input": io.BytesIO(body)})
    seen = {}

    def start_response(status, headers):
        seen["status"] = status

    data = b"".join(application(environ, start_response))
    return seen["status"], json.loads(data)


def test_the_readme_login_service(emulator, link):
    application = load_service(emulator)
    status, challenge = post(application, "/challenge", "cookie-1")
    assert status == "200 OK" and challenge["service"] == SERVICE
    result = log_in(emulator, link, json.dumps(challenge))
    status, body = post(application, "/login", "cookie-1", result.response_json.encode())
    assert status == "200 OK", body
    assert body["serial"] == result.certificate_serial and body["revocation"] == "OCSP"
    status, body = post(application, "/login", "cookie-1", result.response_json.encode())
    assert status == "401 Unauthorized" and body == {"reason": "CHALLENGE_REPLAYED"}
    # Another session's challenge.
    _, challenge = post(application, "/challenge", "cookie-2")
    result = log_in(emulator, link, json.dumps(challenge))
    status, body = post(application, "/login", "cookie-1", result.response_json.encode())
    assert status == "401 Unauthorized" and body == {"reason": "SESSION_MISMATCH"}


def test_login_records_are_dataclasses_printing_no_bytes(emulator, link):
    login = verifier(emulator)
    result = log_in(emulator, link, login.issue_challenge("s"))
    assert dataclasses.is_dataclass(result) and dataclasses.asdict(result)["exchanges"] == 6
    shown = repr(result)
    assert ", certificate_der=<{} bytes>, certificate_serial=".format(len(result.certificate_der)) in shown
    assert str(result) == shown
    check = ocsp(result)
    assert "ocsp_response=<{} bytes>".format(len(check.ocsp_response)) in repr(check)
    v = login.verify("s", result.response_json, check)
    assert dataclasses.is_dataclass(v) and dataclasses.replace(v, raw_form=True) != v
    assert v == dataclasses.replace(v) and v != result


def test_cancelling_the_login_task_stops_the_card_flow_and_wipes_the_pin(emulator):
    # Blocked in COMPUTE DIGITAL SIGNATURE (the authentication key's signature), as
    # test_cancel.py's sign_consent: the task's cancellation closes the link.
    link = BlockingLink(emulator)
    pin = bytearray(emulator.authentication_pin())

    async def body():
        task = asyncio.ensure_future(m.login_on_card(link, verifier(emulator).issue_challenge("s"), SERVICE, pin))
        await wait_for(link.blocked)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run(body())
    assert link.closed.is_set() and link.returned.is_set() and link.after_return == []
    assert pin == bytearray(len(pin))
    assert emulator.pin_attempts_left(AUTH) == 3  # the VERIFY before it succeeded
