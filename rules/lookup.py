"""Finding a unit or an owner by what a steward types: a room ("8栋-801", "8-801", "8栋801",
"801", "锦绣花园 8栋-801"), a name, or a phone number (or its last digits).

What is searched is decided here; the queries are built from the plan in
models/property_files.py. A role that sees phone numbers masked does not search by them:
digits it cannot see would otherwise tell it the hidden ones ("1385" finding an owner shown
as 138****5678 reveals the fourth digit). For such a role the digits are only a room
number, and a number that can only be a phone is refused with a message.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# The longest query looked at (a pasted paragraph is cut, not searched).
MAX_LENGTH = 100
# Digits from this many on may be (the end of) a phone number.
PHONE_DIGITS_FROM = 4
# From this many on they can only be a phone number (rooms have fewer).
PHONE_ONLY_FROM = 7
# What a building's name ends with when a steward leaves it off ("8-801" for 8栋-801).
BUILDING_SUFFIXES = ("栋", "幢", "号楼", "座", "楼")

_ROOM_NUMBER = r"[A-Za-z]?\d{1,6}[A-Za-z]?"
# "8栋-801", "A座-1201", "8-801", "8#801"
_DASHED = re.compile(rf"^(?P<building>[^\s-]+?)\s*[-#]\s*(?P<number>{_ROOM_NUMBER})$")
# "8栋801", "1号厂房201"
_JOINED = re.compile(rf"^(?P<building>\S*?(?:栋|幢|楼|座|厂房))(?P<number>{_ROOM_NUMBER})$")
_NUMBER = re.compile(rf"^{_ROOM_NUMBER}$")
_DIGITS = re.compile(r"^\d+$")


@dataclass(frozen=True)
class Room:
    number: str
    buildings: tuple[str, ...] = ()  # the building's possible names; empty: any building


@dataclass(frozen=True)
class Lookup:
    """What to search for: units by `room` (and `words` in their project or building
    names), owners by `words` in their names and `phone` digits in their phone numbers."""

    room: Room | None = None
    words: tuple[str, ...] = ()
    phone: str | None = None
    # digits the role may not search by were typed: say so rather than find nothing
    phone_refused: bool = False

    @property
    def finds_units(self) -> bool:
        return self.room is not None

    @property
    def finds_owners(self) -> bool:
        return self.phone is not None or (self.room is None and bool(self.words))

    @property
    def empty(self) -> bool:
        return not (self.finds_units or self.finds_owners)


def normalise(text: str) -> str:
    """Full-width letters, digits and dashes as their plain forms ("８栋－８０１" is 8栋-801),
    and no spaces around a dash ("8栋 - 801")."""
    text = unicodedata.normalize("NFKC", text or "")[:MAX_LENGTH]
    for dash in ("—", "–", "－", "―", "‐"):
        text = text.replace(dash, "-")
    return re.sub(r"\s*([-#])\s*", r"\1", " ".join(text.split()))


def building_names(typed: str) -> tuple[str, ...]:
    """The names a typed building may stand for: as typed, and with the usual endings when
    it has none ("8" → 8, 8栋, 8幢, 8号楼, 8座, 8楼)."""
    if typed.endswith(BUILDING_SUFFIXES) or typed.endswith("厂房"):
        return (typed,)
    return (typed, *(typed + suffix for suffix in BUILDING_SUFFIXES))


def room_of(word: str) -> Room | None:
    """The room a word names, if it names one."""
    for pattern in (_DASHED, _JOINED):
        found = pattern.match(word)
        if found:
            return Room(found["number"].upper(), building_names(found["building"]))
    if _NUMBER.match(word) and not (_DIGITS.match(word) and len(word) >= PHONE_ONLY_FROM):
        return Room(word.upper())
    return None


def plan(text: str, may_search_phone: bool) -> Lookup:
    """How to search for `text`, for a role that may (or may not) search by phone."""
    room, phone, refused, words = None, None, False, []
    for word in normalise(text).split():
        found = room_of(word) if room is None else None
        digits = word.replace("-", "") if _DIGITS.match(word.replace("-", "")) else None
        if found is not None and found.buildings:
            digits = None  # "8-801" is a room, not a phone number
        if digits is not None and len(digits) >= PHONE_DIGITS_FROM and phone is None:
            if may_search_phone:
                phone = digits
            elif found is None:
                refused = True
                continue
        if found is not None:
            room = found
        elif digits is None:
            words.append(word)
    return Lookup(room=room, words=tuple(words), phone=phone, phone_refused=refused)

