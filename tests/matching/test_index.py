"""NameIndex: blocked search finds romanisation variants, never a shared surname alone, and
agrees with brute force over the same scorer."""

from __future__ import annotations

import random

import pytest

from vetbot.matching.index import NameIndex

LISTED = [
    "KIM, Jong Un",
    "Kim Jong Il",
    "RI Song Chol",
    "PAK, Chol Min",
    "Jon Chang Hyok",
    "Zhang Wei",
    "Aleksandr Kuznetsov",
    "Kim",  # one token: never indexed
]


@pytest.fixture(scope="module")
def index() -> NameIndex:
    rng = random.Random(7)
    names = [(i, n) for i, n in enumerate(LISTED)]
    # filler: many unrelated names sharing the common surnames, as in a real list
    parts = ["Min", "Seo", "Hana", "Jun", "Ji", "Woo", "Ana", "Piotr", "Nia", "Omar", "Li", "Tomas"]
    for i in range(100, 3_100):
        names.append(
            (i, f"{rng.choice(['Kim', 'Lee', 'Park', 'Nowak'])} {rng.choice(parts)} {rng.choice(parts)}")
        )
    return NameIndex.build(names)


def ids(index: NameIndex, query: str) -> set[int]:
    return {m.entry_id for m in index.search(query)}


@pytest.mark.parametrize("query", ["Kim Jong Un", "Gim Jeong-eun", "Jong-un Kim", "Kim Jongun", "kimjongun"])
def test_kim_jong_un_variants_match(index: NameIndex, query: str) -> None:
    assert 0 in ids(index, query)


def test_kim_jong_il_is_not_kim_jong_un(index: NameIndex) -> None:
    assert ids(index, "Kim Jong Il") == {1}
    assert 1 not in ids(index, "Gim Jeong-eun")


@pytest.mark.parametrize("query", ["Lee Sung Chul", "Yi Seong-cheol", "Ri Song-chol", "Song Chol Rhee"])
def test_lee_ri_yi_and_order_swaps(index: NameIndex, query: str) -> None:
    assert 2 in ids(index, query)


@pytest.mark.parametrize("query", ["Kim", "Kim Sarah", "Sarah Kim", "Lee", "Jennifer Lee", "Nowak"])
def test_a_shared_surname_alone_never_matches(index: NameIndex, query: str) -> None:
    assert ids(index, query) & set(range(len(LISTED))) == set()


def test_chinese_and_slavic_variants(index: NameIndex) -> None:
    assert 5 in ids(index, "Chang Wei") and 6 in ids(index, "Alexander Kuznecov")


def test_fairness_same_rules_for_every_name() -> None:
    """Swap the origin of listed and queried names: each pair behaves identically."""
    pairs = [
        ("Kim Jong Un", "Gim Jeong-eun", "Kim Jong Il"),
        ("Jan Kowalski", "Jan Kowalskiy", "Jan Kowalczyk"),
        ("Chidi Okafor", "Chidi Okafore", "Chidi Okonkwo"),
    ]
    for listed, variant, other in pairs:
        index = NameIndex.build([(1, listed)])
        assert [m.entry_id for m in index.search(variant)] == [1], listed
        assert index.search(other) == [], listed


def test_add_and_remove_update_incrementally() -> None:
    index = NameIndex.build([(1, "Han Song Il")])
    assert ids(index, "Han Seong-il") == {1}
    index.remove(1)
    assert ids(index, "Han Seong-il") == set()
    index.add(5, "Han Sung Il")
    assert ids(index, "Han Seong-il") == {5}
    assert len(index) == 1


def test_blocking_agrees_with_brute_force(index: NameIndex) -> None:
    for query in ["Gim Jeong-eun", "Park Chol-min", "Jeon Chang-hyeok", "Kim Min Seo", "Lee Ji Woo"]:
        assert ids(index, query) == {m.entry_id for m in index.brute_force(query)}, query
