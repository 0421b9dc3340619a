"""The generated records (``PinStatusReport``, ``SignOptions``, ...) as dataclasses: fields
declared (``dataclasses.fields``, ``asdict``, ``replace``), equality by value (``False``
against another type, where the generated ``__eq__`` raised), and a ``repr`` that shows each
field with bytes as their length only (a VERIFY command, a CRL or a root is never printed)."""

import dataclasses
import enum
import inspect
import typing

from . import ffi as _ffi


def _redacted(value: typing.Any) -> str:
    if isinstance(value, (bytes, bytearray)):
        return "<{} bytes>".format(len(value))
    if isinstance(value, enum.Enum):
        return "{}.{}".format(type(value).__name__, value.name)
    if isinstance(value, list):
        return "[" + ", ".join(_redacted(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join("{!r}: {}".format(k, _redacted(v)) for k, v in value.items()) + "}"
    # Strings (texts, codes, nonces), numbers, times, other records and the generated
    # objects, whose own repr is redacted.
    return repr(value)


def _repr(self) -> str:
    return "{}({})".format(
        type(self).__name__,
        ", ".join("{}={}".format(f.name, _redacted(getattr(self, f.name))) for f in dataclasses.fields(self)),
    )


def _eq(self, other: object) -> bool:
    if type(other) is not type(self):
        return NotImplemented
    return all(getattr(self, f.name) == getattr(other, f.name) for f in dataclasses.fields(self))


def records() -> typing.List[type]:
    """The generated record classes: plain classes constructed by keyword only."""
    found = []
    for name in _ffi.__all__:
        cls = getattr(_ffi, name)
        if not isinstance(cls, type) or issubclass(cls, (BaseException, enum.Enum)) or name.endswith("Protocol"):
            continue
        if "__eq__" not in vars(cls) or hasattr(cls, "_uniffi_clone_handle"):
            continue
        params = list(inspect.signature(cls.__init__).parameters.values())[1:]
        if params and all(p.kind is p.KEYWORD_ONLY for p in params):
            found.append(cls)
    return found


def install() -> None:
    for cls in records():
        hints = typing.get_type_hints(cls.__init__, vars(_ffi))
        params = list(inspect.signature(cls.__init__).parameters)[1:]
        cls.__annotations__ = {name: hints.get(name, typing.Any) for name in params}
        # Registers the fields only: the generated __init__ (with its defaults) stays.
        dataclasses.dataclass(init=False, repr=False, eq=False)(cls)
        cls.__repr__ = _repr
        cls.__str__ = _repr
        cls.__eq__ = _eq
        cls.__hash__ = None
