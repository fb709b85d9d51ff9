"""Romanisation keys: variants of one name fold together, distinct names stay apart, and the
rules are the same for every name (no rule depends on where a name comes from)."""

from __future__ import annotations

import pytest

from vetbot.matching.romanize import block_keys, canonical_token, canonical_tokens, compact, rotations

SAME = [
    ("Kim Jong Un", "Gim Jeong-eun"),
    ("Kim Jong Un", "KIM, Jong-un"),
    ("Lee Sung Chul", "Ri Song Chol"),
    ("Yi Seong-cheol", "Rhee Sŏng-chʼŏl"),
    ("Park Hyuk", "Bak Hyeok"),
    ("Pak Hyok", "Park Hyeok"),
    ("Choi Eun-hee", "Ch'oe Ŭn-hŭi"),
    ("Jon Chang Hyok", "Jeon Chang-hyeok"),
    ("Chun Chang Hyuk", "Jon Chang Hyok"),
    ("Jung Min", "Chong Min"),
    ("Yoon Moon", "Yun Mun"),
    ("Ryu Kyung", "Yu Kyeong"),
    ("Rim Song", "Lim Seong"),
    ("Zhang Wei", "Chang Wei"),
    ("Zhou Enlai", "Chou Enlai"),
    ("Xu Qian", "Hsu Chien"),
    ("Aleksandr Kuznetsov", "Alexander Kuznecov"),
    ("Oleksandr Tsvetkov", "Aleksandr Cvetkov"),
    ("Dmitriy Smirnoff", "Dmitry Smirnov"),
    ("Dmitrii Mikhailov", "Dmitry Mihailov"),
    ("Sergej Ivanov", "Sergey Ivanov"),
    ("Yuriy Petrov", "Jurij Petrov"),
]
APART = [("Kim Jong Un", "Kim Jong Il"), ("Kim Jong Un", "Kim Min Jun"), ("Zhang Wei", "Zhang Li")]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_variants_share_one_compact_form(a: str, b: str) -> None:
    assert compact(canonical_tokens(a)) == compact(canonical_tokens(b))


@pytest.mark.parametrize(("a", "b"), APART)
def test_distinct_names_stay_apart(a: str, b: str) -> None:
    assert compact(canonical_tokens(a)) != compact(canonical_tokens(b))


def test_given_name_syllables_join_whatever_the_separator() -> None:
    forms = {
        compact(canonical_tokens(n)) for n in ("Kim Jong Un", "Kim Jong-un", "Kim Jongun", "KIM Jong‐Un")
    }
    assert len(forms) == 1
    assert "congon" in block_keys(canonical_tokens("Kim Jong Un"))  # the join is a blocking key


def test_rotations_cover_family_name_first_or_last() -> None:
    assert compact(canonical_tokens("Kim Jong Un")) in rotations(canonical_tokens("Jong-un Kim"))


def test_keys_are_idempotent_on_their_own_output() -> None:
    for a, b in SAME + APART:
        for token in canonical_tokens(a) + canonical_tokens(b):
            assert canonical_token(token) == token


def test_the_same_rules_apply_to_every_name() -> None:
    """A syllable rule is a letter rule: it folds ``eo`` in a Latin name exactly as in a Korean one."""
    assert canonical_token("leon") == canonical_token("lon")
    assert canonical_token("jeong") == canonical_token("jong")
    assert canonical_token("gustav") == "kustav" and canonical_token("gim") == "kim"
