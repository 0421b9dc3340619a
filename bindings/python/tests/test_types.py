"""Issue 25: the typed surface. `mypy --strict` (and pyright, when installed) accept the
README's Python snippets, its receiving service, its login service and a small program using
the documented API (tests/typecheck/), and catch the mistakes in typecheck/misuse.py; the
stub's names are the package's (no more, no fewer, for this build's features)."""

import ast
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

import mynasign as m

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "typecheck"))
import probe  # noqa: E402
import snippets  # noqa: E402

STUB = pathlib.Path(m.__file__).resolve().parent / "__init__.pyi"


def sources(tmp_path):
    files = snippets.write(tmp_path)
    for name in ("probe.py", "misuse.py"):
        shutil.copy(HERE / "typecheck" / name, tmp_path / name)
    return files + [tmp_path / "probe.py"]


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """One mypy cache for the module: the installed package is analysed once."""
    return tmp_path_factory.mktemp("mypy-cache")


def mypy(tmp_path, cache, *files):
    # The README's `contextlib.aclosing` is Python 3.10's: checked as 3.10 on 3.9.
    version = ["--python-version", "3.10"] if sys.version_info < (3, 10) else []
    done = subprocess.run([sys.executable, "-m", "mypy", "--strict", *version, "--cache-dir", str(cache),
                           *map(str, files)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    return done.returncode, done.stdout + done.stderr


def test_mypy_strict_accepts_the_readme_the_service_and_the_probe(tmp_path, cache):
    code, out = mypy(tmp_path, cache, *sources(tmp_path))
    assert code == 0 and "Success: no issues found in 4 source files" in out, out


def test_mypy_strict_catches_the_misuses(tmp_path, cache):
    sources(tmp_path)
    code, out = mypy(tmp_path, cache, tmp_path / "misuse.py")
    lines = (HERE / "typecheck" / "misuse.py").read_text(encoding="utf-8").splitlines()
    wrong = {n for n, line in enumerate(lines, 1) if line.endswith("# wrong")}
    flagged = {int(n) for n in re.findall(r"^misuse\.py:(\d+): error", out, re.M)}
    assert code == 1 and flagged == wrong, out


def test_pyright_accepts_the_readme_the_service_and_the_probe(tmp_path):
    pyright = shutil.which("pyright", path=str(pathlib.Path(sys.executable).parent))
    if pyright is None:
        pytest.skip("pyright is not installed (test.sh installs it when PyPI and npm answer)")
    files = sources(tmp_path)
    done = subprocess.run([pyright, "--pythonpath", sys.executable, *map(str, files)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "0 errors" in done.stdout, done.stdout + done.stderr


def test_the_probe_runs_as_typed():
    seen = probe.main()
    assert seen["steps"] == [m.FlowStep.CONNECTING, m.FlowStep.CHECKING_PIN, m.FlowStep.VERIFYING_PIN,
                             m.FlowStep.READING_CERTIFICATE, m.FlowStep.SIGNING]
    assert seen["number"] and seen["raised"] == "INVALID_INPUT" and seen["remaining"] == 5
    assert seen["fields"] == ["authentication_pin", "card_info_pin", "counts", "profile", "signature_password"]
    assert seen["method"] == m.RevocationMethod.CRL
    assert seen["login"] and seen["present"]


def stub_names():
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    (names,) = [node.value for node in tree.body
                if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "__all__"]
    return [ast.literal_eval(e) for e in names.elts]


def test_the_stub_names_what_the_package_exports():
    assert STUB.is_file() and "# feature:" not in STUB.read_text(encoding="utf-8")
    assert stub_names() == m.__all__
    assert all(hasattr(m, name) for name in m.__all__)
    # What a build without a feature lacks is absent from both.
    for feature, name in (("emulator", "Emulator"), ("verify", "Verifier"), ("pcsc", "PcscReader")):
        assert (name in m.__all__) == (feature in m.FEATURES) == (name in stub_names())
    # The foreign-async link is not offered to Python (asyncio cannot serve it).
    assert not hasattr(m, "AsyncCardLink") and not hasattr(m, "card_link_from_async")
