"""Look-alike letters and invisible characters meet their Latin twin in ``fold`` (matching),
while ``clean`` keeps what the candidate wrote readable for the card (display).

Why it matters: a persona reused with a Cyrillic ``а`` in ``Jаn`` or a zero-width space in
the e-mail must still hit the identifier index; but the card must show the text as given, so
a reviewer sees the odd script rather than a silently "corrected" name.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vetbot.normalize.text import clean, fold

# (written with look-alikes, Latin twin) — the look-alike letters are Cyrillic or Greek
LOOKALIKES = [
    ("J\u0430n Kow\u0430lski", "jan kowalski"),  # Cyrillic а
    ("\u041c\u0430rk", "mark"),  # Cyrillic М, а
    ("\u041el\u0435g", "oleg"),  # Cyrillic О, е
    ("Al\u0435x\u0435j", "alexej"),  # Cyrillic е
    ("P\u0430yp\u0430l", "paypal"),  # Cyrillic а
    ("j\u0430n.k\u043ew@ex\u0430mple.com", "jan.kow@example.com"),  # e-mail with Cyrillic а, о
    ("\u0399van", "ivan"),  # Greek Ι
    ("\u039aim", "kim"),  # Greek Κ
    ("\u0399\u03bf\u0430nnis", "ioannis"),  # Greek Ι, ο and Cyrillic а
    ("\u0408\u0430n", "jan"),  # Cyrillic Ј
    ("\uff2a\uff41\uff4e", "jan"),  # fullwidth
    ("\U0001d409\U0001d41a\U0001d427", "jan"),  # mathematical bold
]

INVISIBLES = [
    ("jan\u200b@example.com", "jan@example.com"),  # zero-width space
    ("Jan\u200dKowalski", "jankowalski"),  # zero-width joiner
    ("Jan\u00adek", "janek"),  # soft hyphen
    ("\u2066Jan\u2069 Kowalski", "jan kowalski"),  # bidi isolates
    ("Jan \u202eikslawoK", "jan ikslawok"),  # right-to-left override
    ("\ufeffJan", "jan"),  # BOM
]


@pytest.mark.parametrize(("written", "twin"), LOOKALIKES)
def test_lookalikes_fold_to_latin(written: str, twin: str) -> None:
    assert fold(written) == twin == fold(twin)


@pytest.mark.parametrize(("written", "twin"), INVISIBLES)
def test_invisible_and_bidi_controls_fold_away(written: str, twin: str) -> None:
    assert fold(written) == twin


@pytest.mark.parametrize(("written", "_twin"), LOOKALIKES[:10])
def test_clean_keeps_the_script_for_display(written: str, _twin: str) -> None:
    """The card shows the Cyrillic/Greek letter: a reviewer must be able to see it."""
    assert clean(written) == written


@pytest.mark.parametrize(("written", "_twin"), INVISIBLES)
def test_clean_strips_invisibles_but_keeps_text(written: str, _twin: str) -> None:
    shown = clean(written)
    assert not any(ch in shown for ch in "\u200b\u200d\u00ad\u2066\u2069\u202e\ufeff")
    assert shown.replace(" ", "").casefold() == _twin.replace(" ", "")


def test_real_names_in_other_scripts_stay_readable_and_transliterate() -> None:
    assert clean("Иван Петров") == "Иван Петров" and fold("Иван Петров") == "ivan petrov"
    assert clean("Κώστας") == "Κώστας" and fold("Κώστας") == "kostas"


# Known gap: ``fold`` transliterates (anyascii), it does not map to the *look-alike*. Letters
# whose sound differs from their shape fold to the sound: Cyrillic р→r, с→s, у→u, х→kh and
# Greek Ρ→R, Β→V, Η→I, ν→n. A UTS #39 skeleton for mixed-script tokens would close it.
@pytest.mark.xfail(strict=True, reason="fold transliterates; no confusable skeleton yet (see module)")
@pytest.mark.parametrize(
    ("written", "twin"),
    [
        ("\u0440aypal", "paypal"),  # Cyrillic р looks like p
        ("\u0441arl", "carl"),  # Cyrillic с looks like c
        ("\u0443oung", "young"),  # Cyrillic у looks like y
        ("ma\u0445", "max"),  # Cyrillic х looks like x
        ("\u03a1eter", "peter"),  # Greek Ρ looks like P
        ("\u0392ob", "bob"),  # Greek Β looks like B
    ],
)
def test_shape_lookalikes_gap(written: str, twin: str) -> None:
    assert fold(written) == twin


@given(st.text(max_size=60))
def test_fold_is_idempotent_ascii_and_invisible_free(value: str) -> None:
    folded = fold(value)
    assert fold(folded) == folded
    assert folded.isascii()
    assert clean(clean(value)) == clean(value)
