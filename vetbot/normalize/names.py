"""Names folded for matching: order-, case-, accent- and script-insensitive tokens.

This never looks at where a name comes from; every name goes through the same steps.
Romanisation variants (Kim/Gim, Lee/Ri) are handled by the matching layer that compares
two names, not here, so that normalisation stays idempotent and explainable.
"""

from __future__ import annotations

import re
from functools import lru_cache

from vetbot.normalize.text import fold

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "jr", "sr", "ii", "iii", "phd"})


@lru_cache(maxsize=65_536)
def name_tokens(name: str) -> tuple[str, ...]:
    """Folded tokens of a name, honorifics dropped; hyphens and apostrophes split tokens."""
    tokens = _NON_ALNUM.sub(" ", fold(name)).split()
    return tuple(t for t in tokens if t not in _HONORIFICS)


def normalize_name(name: str) -> str:
    """Space-joined folded tokens in their given order (idempotent)."""
    return " ".join(name_tokens(name))


def sorted_name_key(name: str) -> str:
    """Order-free key: ``"Kowalski, Jan"`` and ``"jan KOWALSKI"`` share it."""
    return " ".join(sorted(name_tokens(name)))
