"""Latin twins of look-alike letters inside tokens that mix scripts (a UTS #39 skeleton, narrowed).

``fold`` transliterates by sound (anyascii), which is right for a name written in one script
("Иван" → "ivan") but wrong for a spoof: a persona that writes ``раypal`` with a Cyrillic ``р``
means the *shape* p, and anyascii would read it as r. UTS #39 answers this with a skeleton:
every character mapped to the prototype it is confusable with. A full skeleton is too blunt for
matching names, though: it also rewrites Latin (``m`` → ``rn``, ``I`` → ``l``) and real names
written in one script. So the skeleton is applied only where spoofing is the sensible reading:

* only to a token (a run of word characters) that has Latin letters *and* letters of another
  script; a token in one script, whichever it is, is left alone and transliterated by sound,
  so no name is treated differently for the script it is written in;
* only to the non-Latin letters of that token, and only when the letter has an ASCII letter or
  digit with the same skeleton whose sound differs from anyascii's reading (Cyrillic ``а``
  already reads as ``a``; Cyrillic ``р`` becomes ``p``, Greek ``Ρ`` becomes ``P``).

The data is Unicode's confusables.txt and Scripts.txt as shipped by the ``confusable-homoglyphs``
package (no network at run time). Both files load lazily, on the first non-ASCII token that
needs them, and every per-character answer is cached: ASCII text never touches them.
"""

from __future__ import annotations

import bisect
import json
import re
import sys
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any

from anyascii import anyascii

_DATA_PACKAGE = "confusable_homoglyphs"
_WORD = re.compile(r"\w+")
# Scripts that are shared by many scripts (digits, punctuation, combining marks): they neither
# make a token mixed nor belong to one side of the mix.
_NEUTRAL = frozenset({"COMMON", "INHERITED", "Unknown"})
_LATIN = "LATIN"
_BMP_END = 0xFFFF
_LTR_MARKS = "\u200e\u200f"


def _load(name: str) -> Any:
    """A JSON file bundled with the data package, read from its installed location.

    Read directly rather than through the package's modules: they load both files at import
    time and honour a ``CONFUSABLE_DATA`` environment variable that could swap the data.
    """
    return json.loads(files(_DATA_PACKAGE).joinpath(name).read_text("utf-8"))


@cache
def _confusable_graph() -> dict[str, tuple[str, ...]]:
    """confusables.txt as an undirected graph: a source and its prototype are neighbours.

    The package stores each ``source → prototype`` line in both directions, so every source
    has its prototype as its only neighbour and a prototype has all its sources: two
    characters share a skeleton exactly when they are at most two steps apart. Right-to-left
    characters come wrapped in left-to-right marks (display aids of the source file): unwrapped.
    """
    raw = _load("confusables.json")
    return {
        key.strip(_LTR_MARKS): tuple(entry["c"].strip(_LTR_MARKS) for entry in entries)
        for key, entries in raw.items()
    }


@cache
def _script_ranges() -> tuple[list[int], list[int], list[str]]:
    """Scripts.txt as sorted code-point ranges (starts, ends, script name) for bisection."""
    raw = _load("categories.json")
    aliases: list[str] = raw["iso_15924_aliases"]
    ranges = raw["code_points_ranges"]
    return [r[0] for r in ranges], [r[1] for r in ranges], [aliases[r[2]] for r in ranges]


@lru_cache(maxsize=8192)
def script(char: str) -> str:
    """The Unicode script of one character (``LATIN``, ``CYRILLIC``, ``COMMON``…)."""
    if char.isascii():
        return _LATIN if char.isalpha() else "COMMON"
    starts, ends, names = _script_ranges()
    index = bisect.bisect_right(starts, ord(char)) - 1
    if index >= 0 and ord(char) <= ends[index]:
        return names[index]
    return "Unknown"


@lru_cache(maxsize=8192)
def latin_twin(char: str) -> str | None:
    """The ASCII letter or digit ``char`` looks like, when anyascii would read it differently.

    ``None`` when the character has no ASCII look-alike or when its sound and its shape agree
    (Cyrillic ``а``, Greek ``Ι``): then transliteration already gives the twin. Combining marks
    of a decomposed character are kept, so ``ё`` keeps its diaeresis until anyascii drops it.
    """
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = decomposed[0], decomposed[1:]
    if base.isascii():
        return None
    graph = _confusable_graph()
    neighbours = graph.get(base, ())
    same_skeleton = set(neighbours).union(*(graph.get(n, ()) for n in neighbours))
    candidates = sorted(
        (c for c in same_skeleton if len(c) == 1 and c.isascii() and c.isalnum()),
        key=lambda c: (c.isdigit(), c),
    )
    if not candidates:
        return None
    sound = anyascii(base).casefold()
    if any(c.casefold() == sound for c in candidates):
        return None
    # a source has exactly one neighbour, its prototype: prefer it when it is ASCII
    prototype = neighbours[0] if len(neighbours) == 1 else None
    twin = prototype if prototype in candidates else candidates[0]
    return twin + marks


def _char_class(ranges: Iterable[tuple[int, int]]) -> str:
    """A regex character class for code-point ranges, adjacent ranges merged."""
    merged: list[list[int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return "[" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in merged) + "]"


@cache
def _mix_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Patterns for "a Latin letter" and "maybe a letter of another script", from Scripts.txt.

    Two C-level scans tell whether a string can hold a mixed-script token at all, so text in
    one script (Latin with accents, Cyrillic, Hangul…) leaves after two regex searches. The
    second pattern takes every character beyond the BMP as a maybe: ``re`` tests a class of
    astral ranges one range at a time (10 µs a search), and such characters are rare in names.
    """
    starts, ends, names = _script_ranges()
    latin = [(a, b) for a, b, n in zip(starts, ends, names, strict=True) if n == _LATIN]
    other = [
        (a, min(b, _BMP_END))
        for a, b, n in zip(starts, ends, names, strict=True)
        if n not in _NEUTRAL and n != _LATIN and a <= _BMP_END
    ]
    other.append((_BMP_END + 1, sys.maxunicode))
    return re.compile(_char_class(latin)), re.compile(_char_class(other))


def _is_mixed(token: str) -> bool:
    """Latin letters and letters of another script in one token (exact, per character)."""
    present = {script(c) for c in token} - _NEUTRAL
    return _LATIN in present and len(present) > 1


def _twin_token(token: str) -> str:
    out = []
    for char in token:
        name = script(char)
        out.append(char if name == _LATIN or name in _NEUTRAL else (latin_twin(char) or char))
    return "".join(out)


def latin_lookalikes(text: str) -> str:
    """``text`` with the look-alike letters of mixed-script tokens replaced by their Latin twin.

    For matching only, never for display: the card must show the Cyrillic letter so that a
    reviewer can see it. Tokens in a single script come back unchanged. Not cached here:
    ``fold``, its only caller, caches whole values.
    """
    if text.isascii():
        return text
    latin, maybe_other = _mix_patterns()
    if not maybe_other.search(text) or not latin.search(text):
        return text
    parts: list[str] = []
    last = 0
    for match in _WORD.finditer(text):
        token = match.group()
        if token.isascii() or not _is_mixed(token):
            continue
        parts += (text[last : match.start()], _twin_token(token))
        last = match.end()
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)
