"""Turn untrusted input (JSON, JSONL, YAML, CSV, dicts) into profiles or field-naming errors.

Everything here is pure: no files are opened except through ``iter_records``, which reads
the path it is given. Errors never carry a traceback and always name the field
(``work_history[0].start: not a YYYY-MM date such as 2024-03 (got text of 9 characters)``),
so a batch can report the line and go on. They never quote the value: a batch prints them to
stderr, a server's log stream, so a value is described by its shape only
(``vetbot.models.profile.describe``), and the decoders' own messages are reduced to the
problem and its position.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO, get_args

import yaml
from pydantic import BaseModel, ValidationError

from vetbot.models.profile import Profile, describe

MAX_DEPTH = 12
MAX_RECORD_BYTES = 1_048_576
# A quoted piece of a YAML error (a tag, an alias, a scalar) comes from the file; parser token
# names (``'<block end>'``) and single characters (``'\t'``) do not identify anyone.
_YAML_QUOTED = re.compile(r"\s*'(?!<)[^']{3,}'")
# Only our own validators' messages (pydantic's "Value error, …") are free text; pydantic's
# built-in messages are templates that never include the input.
_FREE_TEXT_ERRORS = frozenset({"value_error", "assertion_error"})


class ProfileError(ValueError):
    """Bad input: ``problems`` lists ``field: problem`` strings, first the most useful."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems or ["invalid profile"]
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True, slots=True)
class ParsedProfile:
    profile: Profile
    warnings: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Record:
    """One input record: ``line`` is 1-based (file line for JSONL/CSV, 1 otherwise)."""

    line: int
    data: dict[str, Any] | None
    error: str | None = None


def _loc(parts: tuple[int | str, ...]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            # pydantic names union branches ("Address", "str") and validator wrappers; skip them
            if part[:1].isupper() or part.startswith(("function-", "str", "nullable")):
                continue
            out += f".{part}" if out else part
    return out or "profile"


def _quotes(msg: str, value: Any) -> bool:
    """Whether ``msg`` repeats ``value`` (4 characters or more, so words of the message itself
    do not count as a quote by coincidence)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return False
    text = str(value).strip().casefold()
    return len(text) >= 4 and text in msg.casefold()


def _message(err: dict[str, Any]) -> str:
    msg = str(err.get("msg", "invalid"))
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
    if err.get("type") == "missing":
        msg = "is required"
    elif err.get("type") == "extra_forbidden":
        msg = "is not allowed"
    elif err.get("type") in _FREE_TEXT_ERRORS and _quotes(msg, err.get("input")):
        # a validator that quotes its input is a bug; the net keeps the value out of the logs
        msg = f"invalid value (got {describe(err.get('input'))})"
    return msg


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """The YAML parser's problem and position, its quotes of the file's text removed."""
    problem = getattr(exc, "problem", None) or getattr(exc, "context", None) or "syntax error"
    text = _YAML_QUOTED.sub("", str(problem))
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        text += f" at line {mark.line + 1}, column {mark.column + 1}"
    return text


def depth(value: Any, limit: int = MAX_DEPTH) -> int:
    """Nesting depth of a decoded JSON value (a scalar is 1, ``{"a": 1}`` is 2), stopping
    early once ``limit`` is passed. Only containers are walked: scalars add their level
    without being pushed, which keeps this cheap on every profile of a batch."""
    if not isinstance(value, _CONTAINERS):
        return 1
    stack: list[tuple[dict[Any, Any] | list[Any], int]] = [(value, 1)]
    deepest = 1
    while stack:
        node, level = stack.pop()
        children = node.values() if isinstance(node, dict) else node
        below = level + 1
        if children and below > deepest:
            deepest = below
            if deepest > limit:
                return deepest
        stack += [(child, below) for child in children if isinstance(child, _CONTAINERS)]
    return deepest


_CONTAINERS = (dict, list)  # a tuple: isinstance with a ``dict | list`` union is slower


def _unknown_fields(model: BaseModel, path: str = "") -> Iterator[str]:
    for key in model.model_extra or {}:
        yield f"{path}{key}"
    for name in _nested_fields(type(model)):
        value = getattr(model, name)
        if isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from _unknown_fields(item, f"{path}{name}[{index}].")
        elif isinstance(value, BaseModel):
            yield from _unknown_fields(value, f"{path}{name}.")


@lru_cache(maxsize=64)
def _nested_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """Fields of ``model`` whose type can hold another model (directly, in a list or a union):
    the only ones the unknown-field walk must enter. Worked out once per class, because the
    walk runs on every profile of a batch and most fields are plain strings."""
    return tuple(
        name
        for name, info in model.model_fields.items()
        if any(isinstance(t, type) and issubclass(t, BaseModel) for t in _types_in(info.annotation))
    )


def _types_in(annotation: Any) -> Iterator[Any]:
    yield annotation
    for arg in get_args(annotation):
        yield from _types_in(arg)


def parse_profile(data: Any) -> ParsedProfile:
    """Validate one decoded profile; raise ``ProfileError`` naming every bad field."""
    if not isinstance(data, dict):
        raise ProfileError([f"profile: expected a JSON object, got {type(data).__name__}"])
    if depth(data) > MAX_DEPTH:
        raise ProfileError([f"profile: nested deeper than {MAX_DEPTH} levels"])
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False, include_input=True):
            problem = f"{_loc(tuple(err['loc']))}: {_message(dict(err))}"
            if problem not in problems:
                problems.append(problem)
        raise ProfileError(problems[:20]) from None
    warnings = [f"unknown field kept: {name}" for name in _unknown_fields(profile)]
    return ParsedProfile(profile=profile, warnings=warnings, raw=data)


def parse_json_text(text: str | bytes) -> Any:
    """Decode JSON with a clear message for invalid UTF-8, bad syntax and runaway nesting."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProfileError([f"input: not valid UTF-8 (byte {exc.start})"]) from None
    try:
        value = json.loads(text)
    except RecursionError:
        raise ProfileError([f"input: nested deeper than {MAX_DEPTH} levels"]) from None
    except json.JSONDecodeError as exc:
        raise ProfileError([f"input: not valid JSON ({exc.msg} at column {exc.colno})"]) from None
    if depth(value) > MAX_DEPTH:
        raise ProfileError([f"input: nested deeper than {MAX_DEPTH} levels"])
    return value


def _unflatten(row: dict[str, str]) -> dict[str, Any]:
    """CSV headers use dotted names (``location.country``); list-valued cells hold JSON or ``;``."""
    out: dict[str, Any] = {}
    for header, cell in row.items():
        if header is None or cell is None or cell == "":
            continue
        value: Any = cell
        stripped = cell.strip()
        if stripped[:1] in "[{":
            try:
                value = json.loads(stripped)
            except json.JSONDecodeError:
                value = cell
        elif header in {"other_names", "ip_addresses", "activity_times"}:
            value = [part.strip() for part in cell.split(";") if part.strip()]
        elif header == "claimed_years_experience":
            try:
                value = float(stripped)
            except ValueError:
                value = cell
        target = out
        *parents, leaf = header.strip().split(".")
        for parent in parents:
            nxt = target.setdefault(parent, {})
            if not isinstance(nxt, dict):
                break
            target = nxt
        else:
            target[leaf] = value
    return out


def jsonl_records(handle: BinaryIO) -> Iterator[Record]:
    """JSON lines read one at a time, so memory stays flat for input of any size.

    Lines are split on ``\n`` only: a JSON string may hold U+2028 and the other characters
    ``str.splitlines`` also breaks on, and splitting there turned one good record into two
    bad ones. Each line is decoded on its own, so an invalid byte costs only its line."""
    for number, raw in enumerate(_bounded_lines(handle), start=1):
        if raw is None:
            yield Record(number, None, f"input: record larger than {MAX_RECORD_BYTES} bytes")
            continue
        if number == 1:
            raw = raw.removeprefix(codecs.BOM_UTF8)
        if not raw.strip():
            continue
        try:
            yield _record(number, parse_json_text(raw))
        except ProfileError as exc:
            yield Record(number, None, str(exc))


def records_from_bytes(data: bytes) -> Iterator[Record]:
    """Records of input read whole (stdin): one JSON document — an object, or an array of
    them, pretty-printed or not — else, when it spans several lines, JSON lines."""
    try:
        value = parse_json_text(data.removeprefix(codecs.BOM_UTF8))
    except ProfileError as exc:
        if len([line for line in data.splitlines() if line.strip()]) > 1:
            yield from jsonl_records(io.BytesIO(data))
        else:
            yield Record(1, None, str(exc))
        return
    yield from _records_from_value(value)


def _record(number: int, value: Any) -> Record:
    """A decoded record; anything but a JSON object is an error naming what it is."""
    if isinstance(value, dict):
        return Record(number, value)
    return Record(number, None, f"profile: expected a JSON object, got {type(value).__name__}")


def _bounded_lines(handle: BinaryIO) -> Iterator[bytes | None]:
    """The file's lines; ``None`` for a line over ``MAX_RECORD_BYTES``, which is skipped
    without ever being held whole in memory."""
    while line := handle.readline(MAX_RECORD_BYTES + 1):
        if len(line) > MAX_RECORD_BYTES and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = handle.readline(1 << 20)
            yield None
        else:
            yield line


def _records_from_text(text: str, suffix: str) -> Iterator[Record]:
    if suffix == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        for row in reader:
            yield Record(reader.line_num, _unflatten(row))
    elif suffix in {".yaml", ".yml"}:
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            yield Record(1, None, f"input: not valid YAML ({_yaml_problem(exc)})")
            return
        yield from _records_from_value(value)
    else:
        try:
            value = parse_json_text(text)
        except ProfileError as exc:
            yield Record(1, None, str(exc))
            return
        yield from _records_from_value(value)


def _records_from_value(value: Any) -> Iterator[Record]:
    # A JSON array of profiles is accepted as a batch; record numbers are then 1-based indexes.
    if isinstance(value, list):
        for index, item in enumerate(value, start=1):
            yield _record(index, item)
    else:
        yield _record(1, value)


def iter_records(path: Path) -> Iterator[Record]:
    """Read a ``.json``/``.jsonl``/``.yaml``/``.csv`` file; JSON lines are streamed (see
    ``jsonl_records``), the other formats are parsed whole."""
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        with path.open("rb") as handle:
            yield from jsonl_records(handle)
        return
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield Record(1, None, f"input: not valid UTF-8 (byte {exc.start})")
        return
    yield from _records_from_text(text, suffix)
