"""Online handles and e-mail local parts read as possible names.

``j.kowalski``, ``jan_kowalski90`` and ``linkedin.com/in/jan-kowalski-3f9a1b`` all say
"Jan Kowalski"; ``ninjamaple`` says nothing about a name at all. This module tells the two
apart so that only handles that *are* names can contradict one.
"""

from __future__ import annotations

import re
from functools import lru_cache

from vetbot.normalize.text import fold

# Words people add to handles that are not part of a name.
_FILLER = frozenset(
    {
        "dev",
        "developer",
        "jobs",
        "job",
        "hr",
        "work",
        "official",
        "real",
        "the",
        "me",
        "mail",
        "contact",
        "info",
        "pro",
        "cv",
        "career",
        "careers",
        "eng",
        "code",
        "tech",
        "it",
        "www",
        "in",
    }
)
_SEP = re.compile(r"[._\-\s/]+")
_PADDED_WORD = re.compile(r"\d*([a-z]+)\d*")
_HEXISH = re.compile(r"^(?=[a-z]*\d)[0-9a-f]{3,}$")


@lru_cache(maxsize=65_536)
def linkedin_slug(value: str) -> str:
    """``https://www.linkedin.com/in/jan-kowalski-3f9a1b/`` → ``jan-kowalski-3f9a1b``."""
    text = fold(value).strip().rstrip("/")
    if "/in/" in text:
        text = text.split("/in/", 1)[1]
    return text.split("?", 1)[0].strip("/")


@lru_cache(maxsize=65_536)
def handle_segments(handle: str) -> tuple[str, ...]:
    """Letter-only segments of a handle, filler words and LinkedIn's hex suffixes dropped."""
    out: list[str] = []
    for part in _SEP.split(fold(handle)):
        if not part or _HEXISH.match(part):
            continue
        # digits may pad a name (jan.kowalski90) but a part with digits woven into its letters
        # (xk7q2mzp) is machine-made, not a name
        match = _PADDED_WORD.fullmatch(part)
        if match and match.group(1) not in _FILLER:
            out.append(match.group(1))
    return tuple(out)


def is_name_shaped(segments: tuple[str, ...]) -> bool:
    """Two or more letter segments, one of three letters or more (``first.last``, ``f_last``)."""
    return len(segments) >= 2 and any(len(s) >= 3 for s in segments)
