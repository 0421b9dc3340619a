"""Issue 13: the README's receiving service (a WSGI application with one Verifier built at
start-up), extracted from bindings/python/README.md and run, directly and behind a real HTTP
server, against consents signed on the emulator."""

import io
import json
import pathlib
import re
import threading
import urllib.error
import urllib.request
import wsgiref.simple_server
import wsgiref.util

import mynasign as m
from conftest import consent, run

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


def service_code():
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- service-example[^>]*-->\n```python\n(.*?)```", text, re.S)
    assert match, "the README's service example is gone"
    return match.group(1)


def load_service(emulator, trust=None):
    """Runs the README's code, providing the service's own `service_trust` and `archive`."""
    archived = []
    namespace = {
        "__name__": "service",
        "service_trust": lambda: trust if trust is not None else {
            "roots_der": emulator.root_certificates_der(),
            "crls": [emulator.crl()],
        },
        "archive": lambda cms, document_json, received_at: archived.append((cms, document_json, received_at)),
    }
    exec(compile(service_code(), str(README), "exec"), namespace)
    return namespace["application"], archived


def post(application, path, body):
    environ = {}
    wsgiref.util.setup_testing_defaults(environ)
    environ.update(REQUEST_METHOD="POST", PATH_INFO=path, CONTENT_LENGTH=str(len(body)),
                   **{"wsgi.input": io.BytesIO(body)})
    seen = {}

    def start_response(status, headers):
        seen["status"], seen["headers"] = status, dict(headers)

    data = b"".join(application(environ, start_response))
    assert seen["headers"]["Content-Length"] == str(len(data))
    return seen["status"], json.loads(data)


def signed(emulator, link, **kwargs):
    return run(m.sign_consent(link, consent(**kwargs), emulator.signature_password())).cms()


def test_the_service_accepts_a_consent_with_its_nonce_and_establishes_revocation_by_crl(emulator, link):
    application, archived = load_service(emulator)
    cms = signed(emulator, link, nonce="txn-0042")
    status, body = post(application, "/consents/txn-0042", cms)
    assert status == "200 OK"
    assert body["document"] == "ADDRESS_CHANGE"
    assert body["revocation"] == "CRL"
    verified = m.Verifier(m.VerifierOptions(roots_der=emulator.root_certificates_der(),
                                            crls=[emulator.crl()])).verify(cms, m.ConsentCheck())
    assert body["issuance_number"] == verified.issuance_number == verified.signer().issuance_number()
    # What was signed, to deduplicate on: 64 hex digits, the same from a verifier whose
    # signature root is given by family.
    consent_id = verified.consent_id()
    assert len(consent_id) == 64 and all(c in "0123456789abcdef" for c in consent_id)
    by_family = m.Verifier(m.VerifierOptions(signature_roots_der=emulator.root_certificates_der()[:1],
                                             crls=[emulator.crl()])).verify(cms, m.ConsentCheck())
    assert by_family.consent_id() == consent_id
    assert len(archived) == 1 and archived[0][0] == cms
    assert json.loads(archived[0][1])["nonce"] == "txn-0042"


def test_the_service_refuses_another_nonce_channel_or_garbage(emulator, link):
    application, archived = load_service(emulator)
    cms = signed(emulator, link, nonce="txn-0042")
    status, body = post(application, "/consents/txn-9999", cms)
    assert status.startswith("422") and body["code"] == "VERIFICATION_FAILED"
    assert body["message"]
    online = signed(emulator, link, nonce="txn-7", channel=m.ConsentChannel.MYNAPORTAL)
    status, body = post(application, "/consents/txn-7", online)
    assert status.startswith("422")
    status, body = post(application, "/consents/txn-1", b"not a CMS")
    assert status.startswith("422")
    assert archived == []


def test_the_service_with_the_production_roots_refuses_the_emulator(emulator, link):
    application, _ = load_service(emulator, trust={})
    status, body = post(application, "/consents/txn-0001", signed(emulator, link))
    assert status.startswith("422") and body["code"] == "VERIFICATION_FAILED"


def test_the_service_behind_a_real_http_server(emulator, link):
    application, archived = load_service(emulator)
    server = wsgiref.simple_server.make_server("127.0.0.1", 0, application,
                                               handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = "http://127.0.0.1:{}/consents/txn-0001".format(server.server_port)
        cms = signed(emulator, link)
        with urllib.request.urlopen(urllib.request.Request(url, data=cms, method="POST"), timeout=30) as r:
            assert r.status == 200 and json.loads(r.read())["revocation"] == "CRL"
        try:
            urllib.request.urlopen(urllib.request.Request(url, data=cms[:-1], method="POST"), timeout=30)
            raise AssertionError("a truncated consent was accepted")
        except urllib.error.HTTPError as e:
            assert e.code == 422
    finally:
        server.shutdown()
        server.server_close()
    assert len(archived) == 1


class _QuietHandler(wsgiref.simple_server.WSGIRequestHandler):
    def log_message(self, *args):
        pass
