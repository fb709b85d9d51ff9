"""``/vet`` text and submitted forms → a validated profile, help, status or the form to fill.

Pure functions, no storage: every platform (and the fuzzers of issue 7) call ``parse_vet``.
Whatever the input, the answer is a value — never an exception — and a bad input is an
``ErrorReply`` naming the field and the problem.

Unknown field names are an **error**, not a warning: in chat a person is there to fix the
typo, and ``emial=…`` silently kept as an unknown field would hide the e-mail from every
check. A pasted JSON profile follows the spec instead (unknown fields kept as warnings),
because it usually comes from an ATS export that carries extra columns.
"""

from __future__ import annotations

import difflib
import re
import shlex
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from vetbot.handlers.api import Command, ErrorReply, FormField, FormReply
from vetbot.models.parsing import ParsedProfile, ProfileError, parse_json_text, parse_profile
from vetbot.models.profile import Address, Interview, Location, Payment, Profile, Role

MAX_INPUT = 40_000  # characters of command text or form values, before any parsing

_NESTED: dict[str, type[BaseModel]] = {
    "location": Location,
    "home_address": Address,
    "shipping_address": Address,
    "payment": Payment,
    "interview": Interview,
    "role": Role,
}
_LISTS = frozenset({"other_names", "ip_addresses", "activity_times"})  # comma-separated values
_JSON_LISTS = frozenset({"online_accounts", "work_history", "education", "references"})
_FREE_TEXT_OK = frozenset({"home_address", "shipping_address"})  # address object or one string
_BOOLS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)
_SMART_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})

FIELD_NAMES: tuple[str, ...] = tuple(
    sorted(
        [n for n in Profile.model_fields if n not in _NESTED or n in _FREE_TEXT_OK]
        + [f"{p}.{c}" for p, m in _NESTED.items() for c in m.model_fields]
    )
)

VET_FORM = FormReply(
    title="Vet a candidate",
    fields=(
        FormField("name", "Full name", required=True),
        FormField("email", "E-mail"),
        FormField("phone", "Phone", placeholder="+48 601 234 567"),
        FormField("location.city", "City"),
        FormField("location.country", "Country", placeholder="PL or Poland"),
        FormField("timezone", "Time zone", placeholder="Europe/Warsaw"),
        FormField("github", "GitHub username"),
        FormField("linkedin", "LinkedIn URL or slug"),
        FormField("other_names", "Other names (comma-separated)"),
        FormField("resume_text", "Résumé text", multiline=True),
    ),
)

HELP_TEXT = """\
/vet name="Jan Kowalski" email=jan@example.com phone=+48601234567 location.country=PL
    vet a candidate; fields as in the candidate-profile spec, dotted for nested fields,
    quotes around values with spaces, lists comma-separated (other_names="A B,C D")
/vet {"name": "Jan Kowalski", …}   vet a pasted JSON profile
/vet                               open a form
/vet status ID                     the card and case status of a vetting (or a job id)
/vet notice JOB                    confirm the candidate received the privacy notice (when required)
/vet help                          this text
The card follows in a moment. Decision support only: a person decides."""


@dataclass(frozen=True, slots=True)
class VetProfile:
    parsed: ParsedProfile


@dataclass(frozen=True, slots=True)
class ShowHelp:
    pass


@dataclass(frozen=True, slots=True)
class ConfirmNotice:
    """The requester confirms the candidate received the privacy notice; a held job may run."""

    job_id: str


@dataclass(frozen=True, slots=True)
class ShowStatus:
    ref: str


@dataclass(frozen=True, slots=True)
class OpenForm:
    pass


Parsed = VetProfile | ShowHelp | ShowStatus | ConfirmNotice | OpenForm | ErrorReply


def parse_vet(command: Command) -> Parsed:
    """What a ``/vet`` command asks for; the one entry point of this module."""
    if command.form is not None:
        return _validate(profile_from_form(command.form))
    text = command.text.strip()
    if len(text) > MAX_INPUT:
        return ErrorReply(f"input too long: {len(text):,} characters (at most {MAX_INPUT:,})")
    if not text:
        return OpenForm()
    word, _, rest = text.partition(" ")
    if word.lower() == "help":
        return ShowHelp()
    if word.lower() == "status":
        ref = rest.strip()
        if not _ID.match(ref):
            return ErrorReply("status: give the vetting id from the card, e.g. /vet status 3f2a…", field="id")
        return ShowStatus(ref)
    if word.lower() == "notice":
        ref = rest.strip()
        if not _ID.match(ref):
            return ErrorReply("notice: give the job id from the reply, e.g. /vet notice 3f2a…", field="id")
        return ConfirmNotice(ref)
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    if text.startswith("["):
        return ErrorReply("profile: paste one JSON object {…}, not a list", field="profile")
    if text.startswith("{"):
        try:
            return _validate(parse_json_text(text))
        except ProfileError as exc:
            return ErrorReply(exc.problems[0], field="profile")
    return _validate(profile_from_pairs(text))


def profile_from_pairs(text: str) -> dict[str, Any] | ErrorReply:
    """``field=value …`` (shell quoting) → a profile dict; smart quotes from chat clients count."""
    try:
        tokens = shlex.split(text.translate(_SMART_QUOTES), posix=True)
    except ValueError as exc:
        problem = "a quote is not closed" if "quotation" in str(exc) else "a trailing backslash"
        return ErrorReply(
            f'cannot read the command: {problem}; put values with spaces in quotes: name="Jan Kowalski"'
        )
    data: dict[str, Any] = {}
    for token in tokens:
        key, sep, value = token.partition("=")
        if not sep or not key:
            shown = token if len(token) <= 40 else token[:40] + "…"
            return ErrorReply(
                f'expected field=value, got "{shown}"; put values with spaces in quotes: name="Jan Kowalski"'
            )
        error = _assign(data, key.strip(), value.strip(), repeatable=True)
        if error:
            return error
    return data


def profile_from_form(form: dict[str, Any]) -> dict[str, Any] | ErrorReply:
    """A submitted form keyed by spec field names (Slack modal, Adaptive Card, shell prompts)."""
    size = sum(len(str(v)) for v in form.values() if v is not None)
    if size > MAX_INPUT:
        return ErrorReply(f"form too long: {size:,} characters (at most {MAX_INPUT:,})")
    data: dict[str, Any] = {}
    for key, raw in form.items():
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        value = ",".join(str(v) for v in raw) if isinstance(raw, list) else raw
        error = _assign(data, str(key), value.strip() if isinstance(value, str) else value, repeatable=False)
        if error:
            return error
    return data


def _validate(data: Any) -> VetProfile | ErrorReply:
    if isinstance(data, ErrorReply):
        return data
    try:
        return VetProfile(parse_profile(data))
    except ProfileError as exc:
        first = exc.problems[0]
        field = first.split(":", 1)[0] if ":" in first else None
        return ErrorReply("; ".join(exc.problems[:5]), field=field)


def _unknown(key: str) -> ErrorReply:
    close = difflib.get_close_matches(key, FIELD_NAMES, n=1)
    hint = f' (did you mean "{close[0]}"?)' if close else ""
    return ErrorReply(f'unknown field "{key[:60]}"{hint}; see /vet help', field=key[:60])


def _assign(data: dict[str, Any], key: str, value: Any, *, repeatable: bool) -> ErrorReply | None:
    """Put one field into ``data``, converting the value to what the spec expects."""
    parent, dot, child = key.partition(".")
    if dot:
        model = _NESTED.get(parent)
        if model is None or child not in model.model_fields or "." in child:
            return _unknown(key)
        if parent in data and not isinstance(data[parent], dict):  # text, a number, a list …
            return ErrorReply(f"{parent}: given both as a value and as fields", field=parent)
        target = data.setdefault(parent, {})
        if child in target:
            return ErrorReply(f"{key}: given twice", field=key)
        converted = _to_bool(key, value) if model is Interview and child != "notes" else value
        if isinstance(converted, ErrorReply):
            return converted
        target[child] = converted
        return None
    if key not in Profile.model_fields or (key in _NESTED and key not in _FREE_TEXT_OK):
        if key in _NESTED:
            return ErrorReply(
                f"{key}: give its fields with dots, e.g. {key}.{next(iter(_NESTED[key].model_fields))}=…",
                field=key,
            )
        return _unknown(key)
    if key in _LISTS:
        items = [part.strip() for part in str(value).split(",") if part.strip()]
        data.setdefault(key, []).extend(items) if repeatable else data.__setitem__(key, items)
        return None
    if key in data:
        return ErrorReply(
            f"{key}: given {'twice' if isinstance(data[key], str) else 'as text and as fields'}", field=key
        )
    if key in _JSON_LISTS:
        return _json_list(data, key, value)
    if key == "claimed_years_experience":
        try:
            data[key] = float(value)
        except (TypeError, ValueError):
            return ErrorReply(f'{key}: not a number: "{str(value)[:40]}"', field=key)
        return None
    data[key] = value
    return None


def _json_list(data: dict[str, Any], key: str, value: Any) -> ErrorReply | None:
    if isinstance(value, list):
        data[key] = value
        return None
    try:
        decoded = parse_json_text(str(value))
    except ProfileError as exc:
        return ErrorReply(f"{key}: give a JSON list of objects ({exc.problems[0]})", field=key)
    data[key] = decoded
    return None


def _to_bool(key: str, value: Any) -> bool | ErrorReply:
    if isinstance(value, bool):
        return value
    flag = _BOOLS.get(str(value).strip().lower())
    if flag is None:
        return ErrorReply(f'{key}: expected yes or no, got "{str(value)[:20]}"', field=key)
    return flag
