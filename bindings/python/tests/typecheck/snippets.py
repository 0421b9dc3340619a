"""Issue 25: the README's Python snippets as a module a type checker reads.

Each fenced ``python`` block of ``README.md`` and ``bindings/python/README.md`` becomes the
body of its own ``async def`` (its imports hoisted), after a prelude that declares, with
their types, the names the snippets take as given (``link``, ``document``, ``password``,
...). The blocks marked ``<!-- service-example ... -->`` are, in order, one module (the
receiving service), written to a file of its own (with ``service_trust`` and ``archive``
declared); the block marked ``<!-- login-service-example ... -->`` (the WSGI login service)
is another (with ``service_trust`` and ``ocsp_for`` declared)."""

import pathlib
import re
import textwrap

HERE = pathlib.Path(__file__).resolve().parent
PYTHON = HERE.parent.parent
READMES = (PYTHON.parent.parent / "README.md", PYTHON / "README.md")

PRELUDE = '''\
import typing

import mynasign

link: mynasign.CardLink
document: mynasign.ConsentDocument
password: bytearray
card_info_pin: bytearray
roots: typing.List[bytes]
crl: bytes


def show(text: str) -> None:
    raise NotImplementedError


def submit(cms: bytes) -> None:
    raise NotImplementedError


class _Ui:
    text: str


ui: _Ui
'''

SERVICE_PRELUDE = '''\
import datetime
import typing


def service_trust() -> typing.Dict[str, typing.Any]:
    raise NotImplementedError


def archive(cms: bytes, document_json: str, received_at: datetime.datetime) -> None:
    raise NotImplementedError
'''

LOGIN_SERVICE_PRELUDE = '''\
import typing


def service_trust() -> typing.Dict[str, typing.Any]:
    raise NotImplementedError


def ocsp_for(response_json: bytes) -> bytes:
    raise NotImplementedError
'''

BLOCK = re.compile(r"(?:<!-- (service|login-service)-example[^>]*-->\n)?```python\n(.*?)```", re.S)


def blocks():
    """(readme, marker, code) of every python block: marker is ``service``,
    ``login-service`` or None."""
    for readme in READMES:
        for match in BLOCK.finditer(readme.read_text(encoding="utf-8")):
            yield readme, match.group(1), match.group(2)


def write(folder: pathlib.Path):
    """Writes the snippets module and the service modules into ``folder``; returns their paths."""
    imports, bodies, services = [], [], []
    for n, (readme, marker, code) in enumerate(blocks()):
        if marker:
            services.append(code)
            continue
        body = []
        for line in code.splitlines():
            if re.match(r"(import|from) \S", line):
                imports.append(line)
            else:
                body.append(line)
        text = textwrap.dedent("\n".join(body)).strip("\n")
        # A snippet defining functions keeps them nested: still checked, with its names local.
        bodies.append("async def snippet_{}() -> None:  # {}\n{}\n    return None\n".format(
            n, readme.relative_to(PYTHON.parent.parent), textwrap.indent(text, "    ")))
    snippets = folder / "readme_snippets.py"
    snippets.write_text(PRELUDE + "\n".join(sorted(set(imports))) + "\n\n\n" + "\n\n".join(bodies),
                        encoding="utf-8")
    service = folder / "service.py"
    service.write_text(SERVICE_PRELUDE + "\n" + service_code(), encoding="utf-8")
    login = folder / "login_service.py"
    login.write_text(LOGIN_SERVICE_PRELUDE + "\n" + service_code("login-service"), encoding="utf-8")
    return [snippets, service, login]


def service_code(marker: str = "service") -> str:
    """The service example (or, with ``login-service``, the login service): the blocks of
    bindings/python/README.md marked so, in order."""
    return "\n".join(code for readme, found, code in blocks() if found == marker)


if __name__ == "__main__":
    import sys

    for p in write(pathlib.Path(sys.argv[1])):
        print(p)
