"""A role that sees owners' phone and ID numbers (and a ticket's contact phone) masked
cannot recover them by searching, sorting, filtering or picking (P-REQ-5: owners' privacy).

Each attack is made through the web client as a supervisor, who sees these fields masked;
each is checked to work for a role that sees them in full, so the test would notice the
protection going away.
"""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from models import Owner, Ticket

from .helpers import scoped_ids, url, view_for

SUPERVISOR = "supervisor1"


def _listed(response) -> list[int]:
    """The ids of the rows a list page shows, in order."""
    assert response.status_code == 200
    found = re.findall(r"details/\?id=(\d+)", response.get_data(as_text=True))
    return list(dict.fromkeys(int(pk) for pk in found))


def _owner(app, username: str) -> Owner:
    """An owner of `username`'s scope whose name is shared by no other owner."""
    from extensions import db

    ids = scoped_ids(app, "owner", username)
    with app.app_context():
        for pk in ids:
            owner = db.session.get(Owner, pk)
            same = db.session.scalar(sa.select(sa.func.count()).where(Owner.name == owner.name))
            if same == 1 and owner.phone and owner.id_number:
                db.session.expunge(owner)
                return owner
    pytest.fail(f"no owner with a unique name in {username}'s scope")


def test_search_by_phone_digits_recovers_nothing_when_masked(app, db, as_role):
    """P-REQ-5: `<name> 1850` … `1859` reveals no hidden digit of a masked phone."""
    owner = _owner(app, SUPERVISOR)
    supervisor, admin = as_role(SUPERVISOR), as_role("admin")
    assert _listed(supervisor.get(url("owner", f"?search={owner.name}"))) == [owner.id]
    page = supervisor.get(url("owner", f"?search={owner.name}")).get_data(as_text=True)
    assert owner.phone not in page and owner.phone[:3] + "****" + owner.phone[-4:] in page
    placeholder = re.search(r'name="search"[^>]*placeholder="([^"]*)"', page)
    assert placeholder and placeholder.group(1) == "姓名", "the search box offers the phone"

    prefix = owner.phone[:4]
    answers = {d: _listed(supervisor.get(url("owner", f"?search={owner.name} {prefix}{d}")))
               for d in "0123456789"}
    assert answers == {d: [] for d in "0123456789"}, "a hidden digit answered the search"
    for term in (owner.phone, owner.phone[-4:], owner.id_number, owner.id_number[6:14]):
        assert _listed(supervisor.get(url("owner", f"?search={term}"))) == []

    # the same search by a role that sees the phone finds the owner by its fifth digit
    true_digit = owner.phone[4]
    assert _listed(admin.get(url("owner", f"?search={owner.name} {prefix}{true_digit}"))) == [
        owner.id]


def test_search_of_tickets_ignores_the_masked_contact_phone(app, db, as_role, monkeypatch):
    """The generic rule covers any searchable personal field, a ticket's contact phone too."""
    from extensions import db as database

    view = view_for(app, "ticket")
    ticket_id = scoped_ids(app, "ticket", SUPERVISOR)[0]
    with app.app_context():
        phone = database.session.get(Ticket, ticket_id).contact_phone
    all_fields = view.__dict__["_all_search_fields"]
    monkeypatch.setitem(view.__dict__, "_all_search_fields",
                        [*all_fields, (Ticket.contact_phone, [])])
    assert ticket_id not in _listed(as_role(SUPERVISOR).get(url("ticket", f"?search={phone}")))
    assert ticket_id in _listed(as_role("admin").get(url("ticket", f"?search={phone}")))


@pytest.mark.parametrize(("entity", "column"), [
    ("owner", "phone"), ("owner", "id_number"), ("ticket", "contact_phone")])
def test_sorting_by_a_masked_column_is_ignored(app, db, as_role, entity, column):
    """`?sort=` on a masked column keeps the list's usual order: no ordering by hidden values."""
    view = view_for(app, entity)
    index = [name for name, _label in view._list_columns].index(column)
    supervisor, admin = as_role(SUPERVISOR), as_role("admin")
    usual = _listed(supervisor.get(url(entity)))
    assert len(usual) > 1
    for query in (f"?sort={index}", f"?sort={index}&desc=1"):
        assert _listed(supervisor.get(url(entity, query))) == usual
    page = supervisor.get(url(entity)).get_data(as_text=True)
    assert f"sort={index}" not in page, "the masked column still offers sorting"

    # for the admin, who sees the values, the same sort orders by them
    with app.app_context():
        from extensions import db as database

        model = view.model
        expected = [pk for (pk,) in database.session.execute(
            sa.select(model.id).order_by(getattr(model, column), model.id).limit(5))]
    assert _listed(admin.get(url(entity, f"?sort={index}")))[:1] == expected[:1]


def test_a_filter_on_a_masked_column_is_ignored(app, db, as_role):
    """Had the owner list a phone filter, a supervisor's use of it filters nothing."""
    view = view_for(app, "owner")
    owner = _owner(app, SUPERVISOR)
    saved = view.column_filters
    view.column_filters = [*(saved or []), "phone"]
    view._refresh_filters_cache()
    try:
        key = next(key for key, (_i, flt) in view.__dict__["_all_filter_args"].items()
                   if getattr(flt, "column", None) is not None
                   and flt.column.key == "phone" and flt.operation() == "contains")
        query = f"?flt0_{key}={owner.phone[:7]}"
        supervisor = as_role(SUPERVISOR)
        assert _listed(supervisor.get(url("owner", query))) == _listed(
            supervisor.get(url("owner")))
        # for the admin, who sees the phone, the filter narrows the list to that owner
        narrowed = _listed(as_role("admin").get(url("owner", query)))
        assert owner.id in narrowed and len(narrowed) < 5
    finally:
        view.column_filters = saved
        view._refresh_filters_cache()


@pytest.mark.parametrize("entity", ["ticket", "return_visit"])
def test_owner_pickers_do_not_match_masked_digits(app, db, as_role, entity):
    """`ajax/lookup/?query=18551` on the owner pickers matches names only, for a supervisor;
    the labels offered carry no phone."""
    owner = _owner(app, SUPERVISOR)

    def lookup(client, query):
        response = client.get(url(entity, f"ajax/lookup/?name=owner&query={query}"))
        assert response.status_code == 200
        return json.loads(response.get_data(as_text=True))

    supervisor = as_role(SUPERVISOR)
    for query in (owner.phone[:5], owner.phone, owner.phone[-4:]):
        assert lookup(supervisor, query) == []
    by_name = lookup(supervisor, owner.name)
    assert [pk for pk, _label in by_name] == [owner.id]
    assert all(owner.phone[3:7] not in label for _pk, label in by_name)

    steward = as_role(_steward_of(app, owner.id))
    assert owner.id in [pk for pk, _label in lookup(steward, owner.phone)]


def _steward_of(app, owner_id: int) -> str:
    for n in range(1, 7):
        if owner_id in scoped_ids(app, "owner", f"steward{n}"):
            return f"steward{n}"
    pytest.fail("the owner has no steward")


def test_a_pickers_label_keeps_a_personal_value_masked(app, db, as_role, monkeypatch):
    """Were an owner's label to carry the phone, the picker would show it masked to a
    supervisor and in full to the owner's steward."""
    owner = _owner(app, SUPERVISOR)
    monkeypatch.setattr(Owner, "__str__", lambda self: f"{self.name} {self.phone}")
    query = url("ticket", f"ajax/lookup/?name=owner&query={owner.name}")
    labels = dict(json.loads(as_role(SUPERVISOR).get(query).get_data(as_text=True)))
    assert labels[owner.id] == f"{owner.name} {owner.phone[:3]}****{owner.phone[-4:]}"
    labels = dict(json.loads(as_role(_steward_of(app, owner.id)).get(query).get_data(
        as_text=True)))
    assert labels[owner.id] == f"{owner.name} {owner.phone}"
