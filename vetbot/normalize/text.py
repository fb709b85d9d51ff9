"""Unicode hygiene: NFKC, invisible and bidi-control characters stripped, ASCII folding.

Zero-width and bidi controls are how a persona hides that two strings are the same
(``jan\u200b@example.com``) or makes a card lie about its text; they never carry meaning
in the fields vetbot compares. Look-alike letters slipped into a Latin word (Cyrillic ``р``
for ``p``) are the other way to hide a match: ``fold`` maps them to their Latin twin
(``vetbot.normalize.confusables``) before transliterating.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

from vetbot.normalize.confusables import latin_lookalikes

# Zero-width, bidi embedding/override/isolate marks, BOM, soft hyphen, word joiner, etc.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]"
)
_SPACES = re.compile(r"\s+")


def strip_invisible(value: str) -> str:
    """Remove characters that render as nothing but change comparisons."""
    return _INVISIBLE.sub("", value)


@lru_cache(maxsize=65_536)
def clean(value: str) -> str:
    """NFKC, invisibles removed, whitespace collapsed. Safe for display as well as matching."""
    value = strip_invisible(unicodedata.normalize("NFKC", value))
    return _SPACES.sub(" ", value).strip()


@lru_cache(maxsize=65_536)
def fold(value: str) -> str:
    """Casefolded ASCII for matching: confusables (Cyrillic ``а`` vs Latin ``a``) meet here.

    A word that mixes Latin with look-alikes from another script is read by shape (``раypal``
    → ``paypal``), because that mix is how a persona hides a reused name or handle; a word in
    one script is read by sound (``Иван`` → ``ivan``), so a real name in any script folds the
    same way it always did. Never for display: ``clean`` keeps what was written.
    """
    text = clean(value)
    if not text.isascii():
        text = latin_lookalikes(text)
    return clean(anyascii(text)).casefold()
