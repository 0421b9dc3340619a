"""The holder's text as ``str()`` of every ``MynaError``; a ``repr`` naming only the variant
and its (non-personal) fields; and the cases that are also a built-in exception."""

from . import ffi as _ffi

from ._language import language

MynaError = _ffi.MynaError

#: The cases that are also the matching built-in, so code written against the standard
#: exceptions handles them: ``except TimeoutError`` catches ``MynaError.Timeout``.
BUILTIN_BASES = {
    "Timeout": TimeoutError,
    "TagLost": ConnectionError,
    "LinkFailed": ConnectionError,
    "InvalidInput": ValueError,
    "InvalidPinFormat": ValueError,
    "Internal": RuntimeError,
}


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


def _with_builtin(generated: type, builtin: type) -> type:
    # A subclass of the generated case and the built-in, put in the case's place: the
    # generated converter looks the case up as ``MynaError.<Name>`` when it lifts an error
    # from Rust, so every error raised from now on is of this class (and still an instance of
    # the generated one, which lowering checks).
    cls = type(generated.__name__, (generated, builtin), {"__module__": generated.__module__})
    cls.__qualname__ = "MynaError." + generated.__name__
    cls.__doc__ = generated.__doc__
    return cls


def install() -> None:
    MynaError.__str__ = _str
    MynaError.__repr__ = _repr
    for name, builtin in BUILTIN_BASES.items():
        generated = getattr(MynaError, name)
        if not issubclass(generated, builtin):
            setattr(MynaError, name, _with_builtin(generated, builtin))
    for name in dir(MynaError):
        cls = getattr(MynaError, name)
        if isinstance(cls, type) and issubclass(cls, MynaError):
            # Each generated variant defines its own __repr__ (calling str()): replace it;
            # OSError's __str__ (the built-in bases) gives way to the holder's text.
            cls.__repr__ = _repr
            cls.__str__ = _str
