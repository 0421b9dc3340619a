"""Issues 13 and 25: the README's receiving service (nonces issued and consumed once, the
check required, the body capped; WSGI and ASGI), extracted from bindings/python/README.md
and run, directly and behind a real HTTP server, against consents signed on the emulator."""

import asyncio
import io
import json
import pathlib
import sys
import threading
import urllib.error
import urllib.request
import wsgiref.simple_server
import wsgiref.util

import pytest

import mynasign as m
from conftest import consent, run

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent / "typecheck"))
import snippets  # noqa: E402

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


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
    exec(compile(snippets.service_code(), str(README), "exec"), namespace)
    return namespace, archived


def post(application, path, body, length=None):
    # A WSGI environ as PEP 3333 defines it (wsgiref.util.setup_testing_defaults fills the
    # required keys; CONTENT_LENGTH may be empty or absent, wsgi.input is read up to it).
    environ = {}
    wsgiref.util.setup_testing_defaults(environ)
    environ.update(REQUEST_METHOD="POST", PATH_INFO=path,
                   CONTENT_LENGTH=str(len(body)) if length is None else length,
                   **{"wsgi.input": io.BytesIO(body)})
    seen = {}

    def start_response(status, headers):
        seen["status"], seen["headers"] = status, dict(headers)

    data = b"".join(application(environ, start_response))
    assert seen["headers"]["Content-Length"] == str(len(data))
    return seen["status"], json.loads(data)


def asgi_post(app, path, body, length=None, chunk=1000):
    """Calls the ASGI application as a server would, the body in chunks: an `http` scope
    (`method`, `path`, `headers` as lower-case byte pairs) and `http.request` messages with
    `body` and `more_body`, answered by `http.response.start` then `http.response.body`, as
    the ASGI specification's HTTP message format says (asgi.readthedocs.io, specs/www.html,
    "HTTP Connection Scope", "Request - receive event", "Response Start/Body - send event")."""
    headers = [] if length == "" else [(b"content-length", str(len(body) if length is None else length).encode())]
    scope = {"type": "http", "method": "POST", "path": path, "headers": headers}
    chunks = [body[i:i + chunk] for i in range(0, len(body), chunk)] or [b""]
    sent, read = [], []

    async def receive():
        part = chunks[len(read)]
        read.append(part)
        return {"type": "http.request", "body": part, "more_body": len(read) < len(chunks)}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    assert sent[0]["type"] == "http.response.start" and sent[1]["type"] == "http.response.body"
    return sent[0]["status"], json.loads(sent[1]["body"]), sum(len(p) for p in read)


def signed(emulator, link, **kwargs):
    return run(m.sign_consent(link, consent(**kwargs), emulator.signature_password())).cms()


def issue(application):
    status, body = post(application, "/nonces", b"")
    assert status == "200 OK" and len(body["nonce"]) >= 32
    return body["nonce"]


def test_the_service_accepts_a_consent_for_a_nonce_it_issued(emulator, link):
    service, archived = load_service(emulator)
    application = service["application"]
    nonce = issue(application)
    cms = signed(emulator, link, nonce=nonce)
    status, body = post(application, "/consents/" + nonce, cms)
    assert status == "200 OK", body
    assert body["document"] == "ADDRESS_CHANGE"
    assert body["revocation"] == "CRL"
    verified = m.Verifier(m.VerifierOptions(roots_der=emulator.root_certificates_der(),
                                            crls=[emulator.crl()])).verify(cms, m.ConsentCheck(nonce=nonce))
    assert body["issuance_number"] == verified.issuance_number == verified.signer().issuance_number()
    # What was signed, to deduplicate on: 64 hex digits, the same from a verifier whose
    # signature root is given by family.
    consent_id = verified.consent_id()
    assert len(consent_id) == 64 and all(c in "0123456789abcdef" for c in consent_id)
    by_family = m.Verifier(m.VerifierOptions(signature_roots_der=emulator.root_certificates_der()[:1],
                                             crls=[emulator.crl()])).verify(cms, m.ConsentCheck(nonce=nonce))
    assert by_family.consent_id() == consent_id
    assert len(archived) == 1 and archived[0][0] == cms
    assert json.loads(archived[0][1])["nonce"] == nonce


def test_a_replay_is_refused_and_not_archived_again(emulator, link):
    service, archived = load_service(emulator)
    application = service["application"]
    nonce = issue(application)
    cms = signed(emulator, link, nonce=nonce)
    assert post(application, "/consents/" + nonce, cms)[0] == "200 OK"
    status, body = post(application, "/consents/" + nonce, cms)
    assert status.startswith("409") and body == {"code": "UNKNOWN_OR_USED_NONCE"}
    assert len(archived) == 1


def test_a_consent_for_another_nonce_or_one_never_issued_is_refused(emulator, link):
    service, archived = load_service(emulator)
    application = service["application"]
    mine, other = issue(application), issue(application)
    # Signed for `mine`, posted for `other` (issued too): the nonce in the consent differs.
    status, body = post(application, "/consents/" + other, signed(emulator, link, nonce=mine))
    assert status.startswith("422") and body["code"] == "VERIFICATION_FAILED" and body["message"]
    # A nonce this service never issued, with a consent that carries it: refused unverified.
    status, body = post(application, "/consents/txn-0042", signed(emulator, link, nonce="txn-0042"))
    assert status.startswith("409")
    # `other` was spent by the failed attempt: a consent for it now is refused too.
    status, _ = post(application, "/consents/" + other, signed(emulator, link, nonce=other))
    assert status.startswith("409")
    # `mine` is still open and accepts its own consent.
    assert post(application, "/consents/" + mine, signed(emulator, link, nonce=mine))[0] == "200 OK"
    assert len(archived) == 1


def test_another_channel_garbage_and_oversized_bodies_are_refused(emulator, link):
    service, archived = load_service(emulator)
    application = service["application"]
    nonce = issue(application)
    online = signed(emulator, link, nonce=nonce, channel=m.ConsentChannel.MYNAPORTAL)
    status, body = post(application, "/consents/" + nonce, online)
    assert status.startswith("422")
    nonce = issue(application)
    status, body = post(application, "/consents/" + nonce, b"not a CMS")
    assert status.startswith("422") and body["code"]
    # Too large: refused from the Content-Length, before reading (the body is never read).
    big = io.BytesIO(b"\0" * (service["MAX_BODY"] + 1))
    environ = {}
    wsgiref.util.setup_testing_defaults(environ)
    environ.update(REQUEST_METHOD="POST", PATH_INFO="/consents/" + issue(application),
                   CONTENT_LENGTH=str(service["MAX_BODY"] + 1), **{"wsgi.input": big})
    statuses = []
    b"".join(application(environ, lambda s, h: statuses.append(s)))
    assert statuses[0].startswith("413") and big.tell() == 0
    # No length: refused (a body of unknown size is not read).
    status, _ = post(application, "/consents/" + issue(application), b"x", length="")
    assert status.startswith("411")
    assert archived == []


def test_the_verifier_requires_the_check(emulator, link):
    verifier = m.Verifier(m.VerifierOptions(roots_der=emulator.root_certificates_der(), crls=[emulator.crl()]))
    cms = signed(emulator, link)
    with pytest.raises(TypeError):
        verifier.verify(cms)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        verifier.verify(cms, None)
    assert verifier.verify(cms, m.ConsentCheck(nonce="txn-0001")).document().nonce() == "txn-0001"


def test_the_service_with_the_production_roots_refuses_the_emulator(emulator, link):
    service, _ = load_service(emulator, trust={})
    application = service["application"]
    nonce = issue(application)
    status, body = post(application, "/consents/" + nonce, signed(emulator, link, nonce=nonce))
    assert status.startswith("422") and body["code"] == "VERIFICATION_FAILED"


def test_the_asgi_service_accepts_once_and_refuses_replays_other_nonces_garbage_and_big_bodies(emulator, link):
    service, archived = load_service(emulator)
    app, application = service["asgi_application"], service["application"]
    nonce = issue(application)
    cms = signed(emulator, link, nonce=nonce)
    status, body, _ = asgi_post(app, "/consents/" + nonce, cms)
    assert status == 200 and body["revocation"] == "CRL"
    assert asgi_post(app, "/consents/" + nonce, cms)[0] == 409  # the replay
    other = issue(application)
    assert asgi_post(app, "/consents/" + other, signed(emulator, link, nonce=issue(application)))[:2] == (
        422, {"code": "VERIFICATION_FAILED", "message": m.MynaError.VerificationFailed(
            m.VerifyFailure.NONCE_MISMATCH).message_en()})
    assert asgi_post(app, "/consents/" + issue(application), b"\x30\x03garbage")[0] == 422
    # Declared too large: refused unread. Declared small but sent large: reading stops past the cap.
    status, _, read = asgi_post(app, "/consents/" + issue(application), b"\0" * 200_000, length=200_000)
    assert status == 413 and read == 0
    status, _, read = asgi_post(app, "/consents/" + issue(application), b"\0" * 200_000, length=10)
    assert status == 413 and read <= service["MAX_BODY"] + 1000
    assert len(archived) == 1


def test_concurrent_submissions_of_one_consent_are_accepted_once(emulator, link):
    service, archived = load_service(emulator)
    application = service["application"]
    nonce = issue(application)
    cms = signed(emulator, link, nonce=nonce)
    statuses, start = [], threading.Barrier(8)

    def submit():
        start.wait()
        statuses.append(post(application, "/consents/" + nonce, cms)[0])

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(s[:3] for s in statuses) == ["200"] + ["409"] * 7
    assert len(archived) == 1


def test_the_service_behind_a_real_http_server(emulator, link):
    service, archived = load_service(emulator)
    server = wsgiref.simple_server.make_server("127.0.0.1", 0, service["application"],
                                               handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = "http://127.0.0.1:{}".format(server.server_port)
        with urllib.request.urlopen(urllib.request.Request(base + "/nonces", data=b"", method="POST"),
                                    timeout=30) as r:
            nonce = json.loads(r.read())["nonce"]
        cms = signed(emulator, link, nonce=nonce)
        url = base + "/consents/" + nonce
        with urllib.request.urlopen(urllib.request.Request(url, data=cms, method="POST"), timeout=30) as r:
            assert r.status == 200 and json.loads(r.read())["revocation"] == "CRL"
        try:  # the replay
            urllib.request.urlopen(urllib.request.Request(url, data=cms, method="POST"), timeout=30)
            raise AssertionError("a replay was accepted")
        except urllib.error.HTTPError as e:
            assert e.code == 409
    finally:
        server.shutdown()
        server.server_close()
    assert len(archived) == 1


class _QuietHandler(wsgiref.simple_server.WSGIRequestHandler):
    def log_message(self, *args):
        pass
