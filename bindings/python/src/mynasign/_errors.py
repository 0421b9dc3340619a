"""The holder's text as ``str()`` of every ``MynaError``; a ``repr`` naming only the variant
and its (non-personal) fields."""

from . import ffi as _ffi

from ._language import language

MynaError = _ffi.MynaError


def _str(self) -> str:
    # The holder's text (what happened and what to do) in the user's language.
    try:
        return self.message_ja() if language() == "ja" else self.message_en()
    except Exception:  # pragma: no cover - the texts are computed in Rust and never fail
        return type(self).__name__


def _repr(self) -> str:
    # The generated exception keeps its fields (codes, counts, field names: no personal data)
    # in args[0]; str() is now the holder's text, so repr is built from the fields.
    fields = self.args[0] if self.args else ""
    return "MynaError.{}({})".format(type(self).__name__, fields)


def install() -> None:
    MynaError.__str__ = _str
    MynaError.__repr__ = _repr
    for cls in MynaError.__subclasses__():
        # Each generated variant defines its own __repr__ (calling str()): replace it.
        cls.__repr__ = _repr
