"""The owner's own rating of a request (P-TKT-5, P-OWN-3, P-KPI-1): three dimensions, each
1–5, and the one rating the workflow judges (P-TKT-6) made from them."""

from __future__ import annotations

from .refusal import N_, Refused

# The policy's dimensions of satisfaction, in the order the owner's page asks them.
DIMENSIONS = {
    "attitude": N_("Service attitude"),
    "efficiency": N_("Efficiency"),
    "solving": N_("Problem solving"),
}
COMMENT_MAX = 1000


def combined_rating(ratings: dict[str, int | None]) -> int:
    """The ticket's rating: the **lowest** of the three dimensions.

    An owner unhappy on any one of them is not satisfied (P-TKT-6: handle again until
    satisfied), so a 1 on problem solving is not averaged away by a friendly manner; and the
    satisfaction KPI (P-KPI-1) counts what the owner was least satisfied with."""
    missing = [name for name in DIMENSIONS if ratings.get(name) is None]
    if missing:
        raise Refused(N_("Rate each of the three: service attitude, efficiency and problem "
                         "solving."))
    values = [ratings[name] for name in DIMENSIONS]
    if any(not isinstance(v, int) or not 1 <= v <= 5 for v in values):
        raise Refused(N_("The owner's rating must be 1 to 5."))
    return min(values)


def survey_rating(ratings: dict[str, int | None]) -> int | None:
    """A return visit's satisfaction from its survey (P-OWN-3, P-KPI-1): none while no
    dimension is rated (a visit only planned, or the owner not reached); once any is, all
    three and the lowest of them, as for a ticket (`combined_rating`)."""
    if all(ratings.get(name) is None for name in DIMENSIONS):
        return None
    return combined_rating(ratings)


def clean_comment(comment: str | None) -> str | None:
    text = (comment or "").strip()
    if len(text) > COMMENT_MAX:
        raise Refused(N_("The comment is longer than %(n)s characters."), n=COMMENT_MAX)
    return text or None
