"""Account rules: what a password must be, and when sign-in is locked after failures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .refusal import N_

PASSWORD_MAX_LENGTH = 128


def password_problems(password: str, username: str, min_length: int) -> list[tuple[str, dict]]:
    """Why `password` may not be the account's password: (message id, params) each."""
    problems: list[tuple[str, dict]] = []
    if len(password) < min_length:
        problems.append((N_("At least %(n)s characters."), {"n": min_length}))
    if len(password) > PASSWORD_MAX_LENGTH:
        problems.append((N_("At most %(n)s characters."), {"n": PASSWORD_MAX_LENGTH}))
    if username and password.strip().lower() == username.strip().lower():
        problems.append((N_("The password may not be the username."), {}))
    return problems


@dataclass(frozen=True)
class Throttle:
    """`failures` failures within `window` lock sign-in for `lock` from the last of them."""

    failures: int
    window: timedelta
    lock: timedelta

    @property
    def lookback(self) -> timedelta:
        """How far back failures can still matter."""
        return self.window + self.lock


def locked_until(failures: list[datetime], now: datetime, throttle: Throttle) -> datetime | None:
    """The end of the lock these failures impose, if it is still running at `now`."""
    times = sorted(failures)
    n = throttle.failures
    ends = [times[i] + throttle.lock for i in range(n - 1, len(times))
            if times[i] - times[i - n + 1] <= throttle.window]
    end = max(ends, default=None)
    return end if end is not None and end > now else None
