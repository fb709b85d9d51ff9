"""Near-duplicate fingerprints that fit an exact, indexed lookup: résumé LSH bands, photo chunks.

Résumés: MinHash over 5-word shingles, 96 permutations cut into 32 bands of 3 rows. Each
band is one identifier row (``resume_lsh`` / ``band{i}:{hash}``), so finding candidates is
the same indexed equality lookup as for e-mails. Why these numbers (measured on the dev
set's 300 résumés): persona templates reused with the name, contact and a job block swapped
have Jaccard 0.32–0.87 on 5-shingles, unrelated résumés ≤ 0.10 (median 0.017). A band
matches with probability J³, so a template at J=0.35 shares ≥ 2 of 32 bands ~78 % of the
time and at J=0.5 ~99 %; an unrelated pair at J=0.1 shares ≥ 2 bands with probability
~4·10⁻⁴ and at the median ~10⁻⁸. The check requires two bands, and the number shared
gives the similarity estimate (``(m/32)^(1/3)``). r=2 bands caught more templates but linked
genuine pairs at J≈0.05; r=4 missed a third of the templates.

Photos: a 64-bit perceptual hash cut into four 16-bit chunks (``photo_chunk`` /
``chunk{i}:{hex}``). By pigeonhole, two hashes within Hamming distance 3 share a chunk.
The lookup also asks for every chunk one bit away from ours (4 × 17 keys), so for each
candidate found we learn the exact distance of every chunk within one bit — exact total
distance when all four come back, a lower bound (2 per missing chunk) otherwise. A random
single-chunk coincidence therefore verifies to a distance of at least 6 and is dropped.
"""

from __future__ import annotations

import re
import zlib
from functools import lru_cache
from pathlib import Path

import numpy as np

SHINGLE = 5
PERMUTATIONS = 96
ROWS = 3
BANDS = PERMUTATIONS // ROWS
MIN_SHINGLES = 20  # a résumé of a few lines says nothing about templates

# bytes → lower-case ASCII letters and digits, everything else ASCII a separator; UTF-8
# continuation bytes are kept so accented words stay whole (the same on every profile).
_WORD_BYTES = bytes(
    (b | 0x20) if chr(b).isalpha() and b < 128 else b if chr(b).isdigit() or b >= 128 else 0x20
    for b in range(256)
)
_RNG = np.random.default_rng(0x5EED_0F_B0B)  # fixed: stored band keys must be stable forever
_A = _RNG.integers(0, 2**63, size=PERMUTATIONS, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_B = _RNG.integers(0, 2**63, size=PERMUTATIONS, dtype=np.uint64)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)

_BAND_PREFIX = tuple(f"band{i}:" for i in range(BANDS))

PHASH = re.compile(r"^phash:([0-9a-fA-F]{16})$")
CHUNKS = 4
CHUNK_BITS = 16


def _shingle_hashes(text: str) -> np.ndarray:
    """Distinct 64-bit hashes of the word 5-grams of the folded text.

    Words are CRC-hashed once each and combined position-wise in numpy, which is several
    times faster than building and hashing shingle strings (this runs for every profile).
    """
    words = text.encode("utf-8", "ignore").translate(_WORD_BYTES).split()
    n = len(words) - SHINGLE + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint64)
    w = np.array(list(map(zlib.crc32, words)), dtype=np.uint64)
    with np.errstate(over="ignore"):
        w = _mix(w)
        h = w[:n].copy()
        for j in range(1, SHINGLE):
            h = (h * _M1) ^ w[j : j + n]
        h = _mix(h)
    return np.unique(h)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads CRC values over all 64 bits."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> _S30)) * _M1
        x = (x ^ (x >> _S27)) * _M2
        result: np.ndarray = x ^ (x >> _S31)
    return result


def minhash(hashes: np.ndarray) -> np.ndarray:
    """MinHash signature: per permutation ``a·x + b (mod 2^64)`` with odd ``a``, minimum over items.

    Multiply-add is a universal family on already well-mixed 64-bit items, and the high bits
    dominate the comparison; one numpy pass over items × permutations.
    """
    with np.errstate(over="ignore"):
        values = hashes[None, :] * _A[:, None] + _B[:, None]
    result: np.ndarray = values.min(axis=1)
    return result


def resume_bands(text: str) -> list[str]:
    """LSH band keys ``band{i}:{hash}`` of a résumé, or none when it is too short to judge."""
    items = _shingle_hashes(text)
    if len(items) < MIN_SHINGLES:
        return []
    signature = minhash(items).reshape(BANDS, ROWS)
    with np.errstate(over="ignore"):
        band = signature[:, 0]
        for j in range(1, ROWS):
            band = (band * _M1) ^ signature[:, j]
        band = _mix(band) >> np.uint64(16)  # 48 bits: collisions ~10⁻¹⁴ per band and pair
    return [prefix + format(v, "012x") for prefix, v in zip(_BAND_PREFIX, band.tolist(), strict=True)]


def estimated_similarity(shared_bands: int) -> float:
    """Jaccard estimate from the share of bands two résumés have in common."""
    if shared_bands <= 0:
        return 0.0
    return float(min(1.0, (shared_bands / BANDS) ** (1.0 / ROWS)))


# --- photos ------------------------------------------------------------------------------------


def parse_phash(value: str) -> int | None:
    """``phash:8f3a…`` (16 hex digits) as an int, or ``None``."""
    match = PHASH.match(value.strip())
    return int(match.group(1), 16) if match else None


@lru_cache(maxsize=4_096)
def image_phash(path: str) -> int | None:
    """pHash of an image file with ``imagehash`` when it is installed; ``None`` otherwise.

    Optional on purpose: most profiles carry ``phash:`` values, and vetbot must run where
    Pillow is not installed. A missing, unreadable or non-image file is simply no photo.
    """
    try:
        import imagehash  # type: ignore[import-not-found, unused-ignore]
        from PIL import Image  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return None
    file = Path(path).expanduser()
    if not file.is_file() or file.stat().st_size > 20_000_000:
        return None
    try:
        with Image.open(file) as image:
            return int(str(imagehash.phash(image)), 16)
    except Exception:  # noqa: BLE001 - any decoding failure means "no usable photo"
        return None


def photo_hash(value: str) -> int | None:
    """The 64-bit pHash a profile's ``photo`` names: a ``phash:`` value or an image file."""
    parsed = parse_phash(value)
    if parsed is not None:
        return parsed
    if value.startswith("phash:") or len(value) > 1_000:
        return None
    return image_phash(value)


def chunk(value: int, index: int) -> int:
    return (value >> (CHUNK_BITS * (CHUNKS - 1 - index))) & 0xFFFF


_CHUNK_PREFIX = tuple(f"chunk{i}:" for i in range(CHUNKS))


def chunk_key(index: int, part: int) -> str:
    return _CHUNK_PREFIX[index] + format(part, "04x")


def photo_chunks(value: int) -> list[str]:
    """The stored chunk keys of a pHash."""
    return [chunk_key(i, chunk(value, i)) for i in range(CHUNKS)]


@lru_cache(maxsize=1_024)
def photo_probe_keys(value: int) -> tuple[tuple[str, int, int], ...]:
    """(key, chunk index, bit distance) for each chunk and every chunk one bit away.

    Asked twice per vetting with a photo (the lookup's keys, then the check reading the
    answers) and once per frontier photo of the graph: 68 keys each time, so they are
    made once per hash. 1,024 hashes (~18 MB) span a batch chunk (1,000 profiles): its keys
    are made before its checks run."""
    probes: list[tuple[str, int, int]] = []
    for i in range(CHUNKS):
        part = chunk(value, i)
        probes.append((chunk_key(i, part), i, 0))
        probes.extend((chunk_key(i, part ^ (1 << bit)), i, 1) for bit in range(CHUNK_BITS))
    return tuple(probes)


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()
