"""The data's invariants (models/invariants.py), read in an app context of their own."""

from __future__ import annotations


def broken_invariants(app) -> list[str]:
    from extensions import db
    from models.invariants import broken

    with app.app_context():
        return broken(db.session)
