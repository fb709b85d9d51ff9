"""The candidate profile of interchange format 1 (``shared/spec/candidate-profile.md``).

Values are kept as the candidate gave them: normalisation for comparison lives in
``vetbot.normalize`` and never rewrites what a card displays. Only ``name`` is required;
a value of the wrong type or form is an input error naming the field, except phone
numbers and e-mail addresses, whose garbling is judged by the checks as evidence.

Error messages name the field and the problem and describe the rejected value only by its
shape (``describe``), never by quoting it: ``vetbot batch`` prints them to stderr, which is
the log stream on a server, and a mistyped field often holds another field's PII (an e-mail
pasted into a date).
"""

from __future__ import annotations

import ipaddress
import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    field_validator,
)

# Field-length limits: generous for real data, small enough that one hostile profile cannot
# exhaust memory or make a fuzzy matcher quadratic.
SHORT = 300
MEDIUM = 2_000
LONG = 200_000
MAX_ITEMS = 500

_YEAR_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_YEAR = re.compile(r"^\d{4}$")


def describe(value: Any) -> str:
    """What a rejected value looks like, never what it says: its type and size.

    Enough for a person to find the value in their file ("text of 17 characters" where a date
    was expected), nothing a log reader could learn the candidate from.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        if not value:
            return "empty text"
        return f"text of {len(value)} character{'s' if len(value) != 1 else ''}"
    if isinstance(value, list):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _year_month(value: str) -> str:
    if not _YEAR_MONTH.match(value):
        raise ValueError(f"not a YYYY-MM date such as 2024-03 (got {describe(value)})")
    return value


def _year_month_or_year(value: str) -> str:
    if not (_YEAR_MONTH.match(value) or _YEAR.match(value)):
        raise ValueError(f"not a YYYY-MM or YYYY date such as 2024-03 or 2024 (got {describe(value)})")
    return value


def _ip(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        raise ValueError(f"not an IP address (got {describe(value)})") from None


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("date-time without a UTC offset (add Z or +HH:MM, e.g. 2026-01-05T09:30:00Z)")
    return value


Short = Annotated[str, Field(max_length=SHORT)]
Medium = Annotated[str, Field(max_length=MEDIUM)]
YearMonth = Annotated[str, AfterValidator(_year_month)]
YearMonthOrYear = Annotated[str, AfterValidator(_year_month_or_year)]
AwareDatetime = Annotated[datetime, AfterValidator(_aware)]


class _Part(BaseModel):
    """Nested objects keep unknown keys (reported as warnings) and forbid nothing."""

    model_config = ConfigDict(extra="allow", frozen=True)


class Location(_Part):
    city: Short | None = None
    region: Short | None = None
    country: Short | None = None


class Address(_Part):
    line1: Medium | None = None
    line2: Medium | None = None
    city: Short | None = None
    postcode: Short | None = None
    region: Short | None = None
    country: Short | None = None


IpContext = Literal["application", "interview", "id_check", "first_login"]


class IpObservation(_Part):
    ip: Annotated[str, AfterValidator(_ip)]
    context: IpContext | None = None
    seen_at: AwareDatetime | None = None


def _ip_item(value: Any) -> Any:
    return {"ip": value} if isinstance(value, str) else value


class OnlineAccount(_Part):
    site: Short
    handle: Short | None = None
    created: date | None = None

    @field_validator("created", mode="before")
    @classmethod
    def _date_part(cls, value: Any) -> Any:
        # A full timestamp is accepted; only its calendar date matters.
        if isinstance(value, str) and len(value) > 10 and value[4:5] == "-":
            return value[:10]
        return value


class Job(_Part):
    company: Medium | None = None
    title: Medium | None = None
    start: YearMonth | None = None
    end: YearMonth | None = None
    country: Short | None = None
    remote: StrictBool | None = None


class Education(_Part):
    school: Medium | None = None
    degree: Medium | None = None
    start: YearMonthOrYear | None = None
    end: YearMonthOrYear | None = None
    country: Short | None = None


class Reference(_Part):
    name: Short | None = None
    email: Short | None = None
    phone: Short | None = None
    company: Medium | None = None
    relationship: Medium | None = None


class Payment(_Part):
    method: Literal["bank", "crypto", "payment_service", "other"] | None = None
    account_holder: Short | None = None
    bank_country: Short | None = None
    account_id: Short | None = None


class Interview(_Part):
    camera_off: StrictBool | None = None
    refused_live_id: StrictBool | None = None
    audio_video_mismatch: StrictBool | None = None
    answers_relayed: StrictBool | None = None
    different_person_suspected: StrictBool | None = None
    insisted_unusual_hours: StrictBool | None = None
    asked_ship_elsewhere: StrictBool | None = None
    asked_payment_change: StrictBool | None = None
    notes: Annotated[str, Field(max_length=LONG)] | None = None


class Role(_Part):
    title: Medium | None = None
    requisition: Short | None = None
    access_level: Literal["standard", "privileged"] | None = None


def _items(max_items: int = MAX_ITEMS) -> Any:
    return Field(default_factory=list, max_length=max_items)


class Profile(BaseModel):
    """One candidate as the caller describes them. Immutable once parsed."""

    model_config = ConfigDict(extra="allow", frozen=True)

    id: Short | None = None
    name: Annotated[str, Field(min_length=1, max_length=SHORT)]
    other_names: list[Short] = _items(50)
    email: Short | None = None
    phone: Short | None = None
    location: Location | None = None
    timezone: Short | None = None
    home_address: Address | Medium | None = None
    shipping_address: Address | Medium | None = None
    ip_addresses: list[Annotated[IpObservation, BeforeValidator(_ip_item)]] = _items()
    activity_times: list[AwareDatetime] = _items(5_000)
    github: Short | None = None
    linkedin: Short | None = None
    online_accounts: list[OnlineAccount] = _items(100)
    resume_text: Annotated[str, Field(max_length=LONG)] | None = None
    photo: Medium | None = None
    claimed_years_experience: Annotated[float, Field(ge=0, le=80)] | None = None
    work_history: list[Job] = _items(100)
    education: list[Education] = _items(50)
    references: list[Reference] = _items(50)
    payment: Payment | None = None
    interview: Interview | None = None
    role: Role | None = None

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is blank")
        return value

    @field_validator("claimed_years_experience", mode="before")
    @classmethod
    def _number_not_bool(cls, value: Any) -> Any:
        if isinstance(value, (bool, str)):
            raise ValueError(f"not a number (got {describe(value)})")
        return value

    @property
    def extra_fields(self) -> dict[str, Any]:
        """Top-level fields the spec does not define (``label``, ``cluster``, ATS extras)."""
        return dict(self.model_extra or {})
