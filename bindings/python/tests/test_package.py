"""Issue 13: the tests run against the installed wheel, which holds the generated module and
the native library, a py.typed marker, the licences and the project's one version."""

import importlib.metadata
import os
import pathlib
import re
import subprocess
import sys

import mynasign as m
from conftest import ROOT, consent, run

PACKAGE = pathlib.Path(m.__file__).resolve().parent


def test_the_installed_package_is_imported_not_the_source_tree():
    source = os.environ.get("MYNASIGN_SOURCE_TREE")
    assert source, "run by test.sh, against the installed wheel"
    assert not str(PACKAGE).startswith(str(pathlib.Path(source).resolve()))
    assert "site-packages" in PACKAGE.parts
    # The generated module is inside the package and loads the library from its folder.
    assert pathlib.Path(m.ffi.__file__).resolve().parent == PACKAGE
    assert m.ffi.__name__ == "mynasign.ffi"
    assert (PACKAGE / "libmynasign_ffi.so").is_file()
    assert (PACKAGE / "py.typed").is_file()


def test_one_version_and_the_licences():
    cargo = (ROOT / "Cargo.toml").read_text(encoding="utf-8")
    want = re.search(r'\[workspace\.package\][^\[]*?\nversion = "([^"]+)"', cargo).group(1)
    assert m.__version__ == want
    # The testing distribution (the emulator): a name of its own, so pip never takes it for
    # the service distribution `mynasign`, nor its wheel for that one's.
    assert importlib.metadata.version("mynasign-testing") == want
    dist = importlib.metadata.distribution("mynasign-testing")
    names = {pathlib.PurePath(str(f)).name for f in dist.files}
    assert {"LICENSE-MIT", "LICENSE-APACHE", "py.typed", "ffi.py", "libmynasign_ffi.so"} <= names
    assert dist.metadata["License-Expression"] == "Apache-2.0 OR MIT"
    # A platform wheel: it holds a native library.
    wheel = dist.read_text("WHEEL")
    assert "Root-Is-Purelib: false" in wheel
    tag = re.search(r"^Tag: (\S+)", wheel, re.M).group(1)
    assert tag.startswith("py3-none-") and not tag.endswith("-any")
    # auditwheel's tag: the glibc the library needs, not this machine's "linux_x86_64".
    assert tag.startswith("py3-none-manylinux_"), tag
    assert os.path.basename(os.environ["MYNASIGN_WHEEL"]).startswith("mynasign_testing-{}-py3-none-manylinux_".format(want))


def test_the_testing_wheel_has_the_emulator_and_the_verifier():
    assert set(m.FEATURES) >= {"emulator", "verify"}
    assert hasattr(m, "Emulator") and hasattr(m, "Verifier")


def test_the_emulator_is_never_trusted_implicitly(emulator, link):
    signed = run(m.sign_consent(link, consent(), emulator.signature_password()))
    for options in (m.VerifierOptions(), m.VerifierOptions(trust=m.TrustAnchors.JPKI_TEST)):
        verifier = m.Verifier(options)
        try:
            verifier.verify(signed.cms(), m.ConsentCheck(nonce="txn-0001"))
        except m.MynaError.VerificationFailed:
            pass
        else:
            raise AssertionError("a consent signed on the emulator verified without its roots")
    verifier = m.Verifier(m.VerifierOptions(roots_der=emulator.root_certificates_der(),
                                            allow_unchecked_revocation=True))
    assert verifier.verify(signed.cms(), m.ConsentCheck(nonce="txn-0001")).document().nonce() == "txn-0001"


README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


def readme_one_liner():
    """The `python -c "..."` of the README's install section: sign on the emulator, verify."""
    text = README.read_text(encoding="utf-8")
    match = re.search(r'venv/bin/python -c "\n(.*?)"\n```', text, re.S)
    assert match, "the README's install check is gone"
    return match.group(1)


def test_the_readme_install_check_signs_verifies_and_exits_cleanly(tmp_path):
    # Run several times: a script exiting right after a flow used to abort (a worker thread
    # calling into the finalizing interpreter) about two times in three.
    code = readme_one_liner()
    for _ in range(8):
        done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "RevocationMethod.CRL"


ABANDONED = """
import asyncio, threading, mynasign as m
card = m.Emulator(1, m.CardProfile.MY_NUMBER_CARD)
class Slow(m.CardLink):
    def __init__(self): self.closed = threading.Event()
    def transceive(self, c):
        if c[1] == 0x2A:  # COMPUTE DIGITAL SIGNATURE: blocks until closed
            self.closed.wait(20); raise m.LinkError.TagLost()
        return card.transceive(c)
    def supports_extended_length(self): return True
    def max_transceive_length(self): return 0
    def close(self): self.closed.set()
doc = m.ConsentDocument.address_change([m.ConsentItem.ADDRESS], m.HolderStatus.MY_NUMBER_LICENCE_ONLY,
    m.terms_from_text("t", "1", "terms"), m.ConsentChannel.LICENCE_CENTRE_KIOSK, "n")
async def main():
    task = asyncio.ensure_future(m.sign_consent(Slow(), doc, card.signature_password()))
    await asyncio.sleep(0.3)
    print("exiting with the flow", "running" if m.ffi.active_workers() else "done")
asyncio.run(main())
"""


def test_exiting_with_a_flow_still_running_waits_for_its_worker(tmp_path):
    for _ in range(3):
        done = subprocess.run([sys.executable, "-c", ABANDONED], cwd=tmp_path, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert "exiting with the flow running" in done.stdout
