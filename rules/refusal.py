"""A rule's "no", with a message people can read in their own language.

Rules stay free of Flask, so a refusal carries an English message id and its parameters;
whoever shows it (a view, the CLI) translates it with gettext. `N_` marks the ids for the
message catalogue without translating them here.
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the conventional name for gettext_noop
    return message


class Refused(ValueError):
    """An operation the policy does not allow; `message % params` says why."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params
