"""Canonical keys that make romanisation variants of one name compare equal.

``Kim Jong Un``, ``Gim Jeong-eun`` and ``Jong-un Kim`` must meet, because sanctions lists,
passports and résumés romanise the same name differently (RR, McCune-Reischauer, DPRK
usage, pinyin, Wade-Giles, Slavic transliterations: shared/design/matching-and-data.md §3).

Fairness: every rule here is applied to *every* token of *every* name, whatever its origin.
Nothing guesses where a name comes from; a rule that folds Korean ``eo``/``o`` folds it in
``Leon`` too, on both sides of a comparison, so no group of names is treated differently.
Phonetic codes (Soundex, Metaphone) are deliberately not used: they keep the first letter
and split exactly these families (Kim/Gim, Park/Bak, Lee/Ri/Yi).

The keys are for matching only and lossy by design; precision comes from scoring whole
names (``vetbot.matching.index``), never from one token.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import pairwise

from vetbot.normalize.text import fold

# Whole-token families whose spellings no letter rule can join (initial ㄹ/ㄴ kept in the
# North and dropped in the South; Park's silent r; Ukrainian vs Russian given names).
# Each member maps to the family's key; the key itself goes through the letter rules.
_FAMILIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ri", ("lee", "li", "yi", "i", "rhee", "rhie", "ree", "rie", "lih")),
    ("yu", ("ryu", "yoo", "you", "ryoo", "rew", "yew")),
    ("im", ("rim", "lim", "yim")),
    ("yang", ("ryang",)),
    ("no", ("ro", "roh", "noh", "rho")),
    ("pak", ("park", "bak", "pag", "bahk", "parck")),
    ("choe", ("choi", "chey", "choy", "chwe", "choei")),
    ("so", ("seo", "suh", "sur", "sea")),
    ("o", ("oh",)),
    ("an", ("ahn", "ann")),
    ("ko", ("go", "koh", "goh")),
    ("ha", ("hah",)),
    ("son", ("sohn",)),
    ("kim", ("gim", "ghim", "kym")),
    ("sonu", ("sunwoo", "seonu", "sunu", "sonwoo")),
    ("namkung", ("namgung", "namkoong", "namgoong")),
    ("nam", ("nahm",)),
    ("aleksandr", ("alexander", "aleksander", "oleksandr", "alexandr", "olexandr", "aleksandar")),
    ("aleksei", ("alexei", "alexey", "aleksey", "aleksej", "oleksii", "oleksiy", "olexiy", "alexej")),
    ("yuri", ("yuriy", "yurii", "yury", "iurii", "jurij", "juri", "yurij")),
    ("evgeni", ("yevgeniy", "yevgeny", "evgeny", "evgenii", "jevgenij", "yevhen", "ievgen", "evgenij")),
    ("elena", ("yelena", "jelena", "olena")),
    ("yulia", ("yuliya", "julia", "iuliia", "yuliia", "juliya", "julija", "ioulia")),
    ("mihail", ("mykhailo", "michail", "michal", "mikhail", "mychajlo")),
    ("vlatimir", ("volodymyr", "wladimir", "wlodzimierz", "volodimir")),
    ("tmitri", ("dmytro", "dimitri", "dimitry", "dmitrij")),
    ("serkei", ("serhii", "serhiy", "sergii", "sergey", "sergej")),
    ("nikolai", ("mykola", "nicolai", "nikolaj", "mikola")),
    ("ekaterina", ("yekaterina", "katerina", "kateryna", "jekaterina")),
)
_TABLE: dict[str, str] = {member: key for key, members in _FAMILIES for member in (key, *members)}

# Letter rules, in order. Consonant clusters first (they produce ``c``, ``s``, ``h``), then
# vowels, then single consonants. Each is (pattern, replacement).
_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"^rh", "r"),  # Rhee
        (r"ija$|iya$", "ia"),  # Sofija/Sofiya/Sofia, Natalija/Nataliya
        (r"(?<=[aeiouy])j$", "i"),  # Sergej, Andrej: a final j is a vowel glide
        (r"zh", "ch"),  # pinyin zh = Wade-Giles ch (Zhang/Chang, Zhou/Chou)
        (r"kh", "h"),  # Mikhail/Mihail, Khan/Han
        (r"tch|tsch", "ch"),
        (r"sch|sh", "s"),  # Shin/Sin, Shevchenko/Ševčenko (folded to s)
        (r"ph", "f"),
        (r"hs|x|ks|cs", "s"),  # pinyin x = Wade-Giles hs (Xu/Hsu); Maxim/Maksim
        (r"q", "ch"),  # pinyin q = Wade-Giles ch' (Qian/Ch'ien)
        (r"tz|ts|z", "c"),  # pinyin c/z = Wade-Giles ts (Cai/Tsai, Zeng/Tseng); Tsvetkov/Cvetkov
        (r"ch", "c"),
        (r"j", "c"),  # RR j = MR ch (Jong/Chong, Jeon/Chon); pinyin j = WG ch
        (r"w", "v"),  # Wladimir/Vladimir
        (r"eo", "o"),  # Jeong/Jong, Hyeok/Hyok
        (r"eu", "u"),  # Eun/Un
        (r"oo|ou(?=n)", "u"),  # Yoon/Yun, Moon/Mun
        (r"ee|ui", "i"),  # Hee/Hi, ŭi/ui
        (r"ian", "ien"),  # pinyin ian = Wade-Giles ien
        (r"u(?=[nlk])", "o"),  # Chul/Chol, Sung/Song, Hyuk/Hyok, Un/On: ㅓ is written u or o
        (r"(?<=[aeiouy])h(?=[^aeiouy]|$)", ""),  # Ahn/An, Oh/O, Hsieh/Xie
        (r"(?:iy|ii|yi|y)$", "i"),  # -iy/-y/-ii: Dmitriy/Dmitry/Dmitrii
        (r"ng", "N"),  # protect ng from g→k
        (r"g", "k"),  # Gim/Kim, Gang/Kang
        (r"N", "ng"),
        (r"d", "t"),  # Deng/Teng
        (r"b", "p"),  # Bae/Pae
        (r"(.)\1+", r"\1"),  # Anna/Ana, Smirnoff/Smirnof
        (r"(?<=[oe])f$", "v"),  # -off/-ov, -eff/-ev
    )
)
_APOSTROPHES = re.compile(r"['’‘`ʼʻ]")  # MR ch'oe, k'ang: the apostrophe is not a separator
_NON_ALPHA = re.compile(r"[^a-z]+")


@lru_cache(maxsize=262_144)
def canonical_token(token: str) -> str:
    """The key of one folded token (letters only). Same rules for every token."""
    key = _TABLE.get(token, token)
    for pattern, replacement in _RULES:
        key = pattern.sub(replacement, key)
    return key or token


@lru_cache(maxsize=131_072)
def name_tokens(name: str) -> tuple[str, ...]:
    """Folded alphabetic tokens in written order; apostrophes join, everything else splits.

    Digits are dropped (a name has none), so ``Kim2`` and ``Kim`` are one token.
    """
    text = _APOSTROPHES.sub("", fold(name))
    return tuple(t for t in _NON_ALPHA.split(text) if t)


@lru_cache(maxsize=131_072)
def canonical_tokens(name: str) -> tuple[str, ...]:
    """Canonical keys of a name's tokens, in written order."""
    return tuple(canonical_token(t) for t in name_tokens(name))


def compact(tokens: tuple[str, ...]) -> str:
    """Tokens joined without separators, so ``Jong Un``, ``Jong-un`` and ``Jongun`` agree."""
    return "".join(tokens)


def rotations(tokens: tuple[str, ...], limit: int = 6) -> list[str]:
    """Compact forms of every rotation: the family name first or last (``KIM, Jong Un`` as
    written by OFAC and ``Jong-un Kim`` on a résumé). Names longer than ``limit`` tokens are
    cut, keeping the scoring cost bounded for hostile input."""
    tokens = tokens[:limit]
    return list(dict.fromkeys(compact(tokens[i:] + tokens[:i]) for i in range(len(tokens))))


def block_keys(tokens: tuple[str, ...]) -> set[str]:
    """Blocking keys: each canonical token plus each adjacent pair joined, so a given name
    written as one word (``Jongun``) still shares a key with ``Jong Un``."""
    keys = set(tokens)
    keys.update(a + b for a, b in pairwise(tokens))
    if len(tokens) >= 3:
        keys.update(tokens[i] + tokens[i + 1] + tokens[i + 2] for i in range(len(tokens) - 2))
    return keys
