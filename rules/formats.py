"""How the company writes phone numbers, ID numbers, e-mail addresses and months."""

from __future__ import annotations

import re

PATTERNS = {
    # mainland mobile (11 digits from 1[3-9]) or landline with area code (010-12345678)
    "phone": re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$"),
    "id_number": re.compile(r"^\d{17}[\dXx]$"),
    "email": re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
    # a month of the years 1900–2100 (rules.periods.FIRST_YEAR … LAST_YEAR)
    "period": re.compile(r"^(19\d\d|20\d\d|2100)-(0[1-9]|1[0-2])$"),
}


def valid(kind: str, text: str) -> bool:
    return bool(PATTERNS[kind].match(text))
