"""Field types of request bodies and parameters that several domains share.

Numbers and booleans are what JSON says they are: ``"2"`` or ``true`` is not a quantity, ``1``
is not ``true`` (``2.0`` is the integer 2, as JSON Schema has it). Timestamps are RFC 3339 and
days ``YYYY-MM-DD``, as the document's ``date-time`` and ``date`` say, not Unix seconds. A
currency is documented as the list the domains accept, so a client reading the document never
sends one that the domain refuses.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import BeforeValidator, Field, Strict
from pydantic.config import JsonDict

from domains.shared.money import ISO_4217

# Python's white space (str.isspace, str.strip, re's \s), spelled out: in a schema ``\s`` means
# something else to each regex engine (ECMA, Rust, Python), so a generator and the domain would
# disagree on whether "\x1c" is blank.
WHITE_SPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# Documents the domains' "not only white space" rule (``text.strip()`` is not empty).
NOT_BLANK: JsonDict = {"pattern": f"[^{WHITE_SPACE}]"}

_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII
)

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def _json_number(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("a JSON number is expected, not text or a boolean")
    return value


def _rfc3339(value: object) -> object:
    if isinstance(value, str) and not _RFC3339.fullmatch(value):
        raise ValueError("an RFC 3339 date-time is expected, e.g. 2026-11-26T09:00:00Z")
    return value


def _iso_date(value: object) -> object:
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise ValueError("a day is expected as YYYY-MM-DD, e.g. 2026-11-26")


# JSON_NUMBER goes last in an Annotated with Field constraints; Annotated[StrictInt, Field(...)]
# would document the constraints under names no schema reader knows (``ge`` for ``minimum``).
JSON_NUMBER = BeforeValidator(_json_number)
StrictInt = Annotated[int, JSON_NUMBER]
StrictBool = Annotated[bool, Strict()]
Timestamp = Annotated[datetime, BeforeValidator(_rfc3339)]
Day = Annotated[date, BeforeValidator(_iso_date)]
Currency = Annotated[
    str,
    Field(
        pattern=r"^[A-Z]{3}$",
        description="ISO 4217 code, e.g. EUR",
        json_schema_extra={"enum": sorted(ISO_4217)},
    ),
]
