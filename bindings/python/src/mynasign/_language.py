"""Which language the holder's texts are shown in (``str(error)``)."""

import os
import typing

_explicit: typing.Optional[str] = None


def set_language(language: typing.Optional[str]) -> None:
    """Sets the language of ``str(MynaError)``: ``"ja"`` or ``"en"``.

    ``None`` goes back to the environment: Japanese when the first non-empty one of
    ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` starts with ``ja`` (``ja_JP.UTF-8``), English
    otherwise. The setting is process-wide.
    """
    global _explicit
    if language is None:
        _explicit = None
        return
    lang = language.strip().lower()
    if lang.startswith("ja"):
        _explicit = "ja"
    elif lang.startswith("en"):
        _explicit = "en"
    else:
        raise ValueError("language must be 'ja' or 'en'")


def language() -> str:
    """The language ``str(MynaError)`` uses now: ``"ja"`` or ``"en"`` (see :func:`set_language`)."""
    if _explicit is not None:
        return _explicit
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"
