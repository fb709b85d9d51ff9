"""Comparing two written names, or a name and a handle, the same way for every name.

Order-, initial-, accent- and transliteration-aware: ``Kowalski, J.`` fits ``Jan Kowalski``,
``Nikolić`` fits ``nikolic``, ``sungho`` fits ``Sung-ho``. Nothing here knows or guesses where
a name comes from; romanisation tables for sanctions matching live with the watchlist.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import pairwise

from rapidfuzz import fuzz

from vetbot.normalize.names import name_tokens

TOKEN_MATCH = 85.0  # rapidfuzz ratio above which two tokens are one spelling (Nikolic/Nikolič)


def _joins(tokens: tuple[str, ...]) -> set[str]:
    """Tokens plus adjacent pairs joined, so ``sung ho`` also offers ``sungho``."""
    out = set(tokens)
    out.update(a + b for a, b in pairwise(tokens))
    return out


def _token_fits(token: str, others: set[str]) -> bool:
    if token in others:
        return True
    if len(token) == 1:
        return any(o.startswith(token) for o in others)
    return any(len(o) > 1 and fuzz.ratio(token, o) >= TOKEN_MATCH for o in others)


@lru_cache(maxsize=65_536)
def names_compatible(a: str, b: str) -> tuple[bool, float]:
    """Do two full names plausibly name one person? Returns (verdict, similarity 0–100).

    Compatible when every token of the shorter name fits a token (or initial) of the longer,
    or when they share a whole token of two letters or more (preferred first name, married
    name): such differences are everyday life, not evidence.
    """
    ta, tb = name_tokens(a), name_tokens(b)
    if not ta or not tb:
        return True, 100.0
    similarity = fuzz.token_sort_ratio(" ".join(ta), " ".join(tb))
    short, long_ = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    long_set = _joins(long_)
    if all(_token_fits(t, long_set) for t in short):
        return True, max(similarity, 90.0)
    if "".join(short) in long_set or "".join(long_) in _joins(short):
        return True, max(similarity, 90.0)
    shared = [t for t in short if len(t) >= 2 and _token_fits(t, long_set)]
    return bool(shared), similarity


def handle_fits_name(segments: tuple[str, ...], name: str) -> tuple[bool, float]:
    """Does a handle's letter segments fit the name? (verdict, best token similarity)."""
    tokens = name_tokens(name)
    if not segments or not tokens:
        return True, 100.0
    pool = _joins(tokens)
    joined = "".join(segments)
    best = 0.0
    for segment in segments:
        if len(segment) >= 3 or segment in pool:
            for token in pool:
                best = max(best, fuzz.ratio(segment, token))
    # an unseparated handle such as "fnikolic" or "hyunjungkim" holds a token inside it, and a
    # name written without spaces (transliterated from a script that uses none) holds a segment
    for token in pool:
        if len(token) >= 3 and token in joined:
            best = max(best, 100.0)
        if any(len(seg) >= 3 and seg in token for seg in segments):
            best = max(best, 100.0)
    return best >= TOKEN_MATCH, best
