"""What the lookup by room, name or phone searches (rules/lookup.py), as the policy reads it:
a steward finds an owner by their room as well as by name (P-OWN-1, the owner archive), and a
role that sees phones masked cannot search by their digits (P-REQ-5, owners' privacy)."""

from __future__ import annotations

from rules.lookup import Room, building_names, plan


def test_a_room_with_its_building_is_one_room():
    found = plan("8栋-801", may_search_phone=True)
    assert found.room == Room("801", ("8栋",)) and found.phone is None
    assert found.finds_units and not found.finds_owners


def test_a_room_written_other_ways_is_the_same_room():
    for typed in ("8栋801", "8栋 - 801", "８栋－８０１", "8#801"):
        assert plan(typed, True).room.number == "801", typed
        assert "8栋" in plan(typed, True).room.buildings, typed
    assert plan("8-801", True).room.buildings == building_names("8")
    assert plan("8-801", True).phone is None, "a building and room is not a phone number"


def test_a_bare_number_is_a_room_in_any_building():
    found = plan("801", may_search_phone=True)
    assert found.room == Room("801") and found.phone is None


def test_a_project_name_narrows_the_room():
    found = plan("锦绣花园 8栋-801", may_search_phone=False)
    assert found.room == Room("801", ("8栋",)) and found.words == ("锦绣花园",)
    assert not found.finds_owners


def test_a_name_finds_owners():
    found = plan("王芳", may_search_phone=True)
    assert found.finds_owners and not found.finds_units and found.words == ("王芳",)


def test_a_phone_is_searched_only_by_a_role_that_sees_phones_P_REQ_5():
    shown = plan("13812345678", may_search_phone=True)
    assert shown.phone == "13812345678" and shown.finds_owners and not shown.phone_refused
    masked = plan("13812345678", may_search_phone=False)
    assert masked.phone is None and masked.phone_refused and masked.empty
    assert plan("138-1234-5678", may_search_phone=True).phone == "13812345678"


def test_four_digits_are_a_room_and_for_a_role_that_sees_phones_also_a_phones_end_P_REQ_5():
    shown = plan("5678", may_search_phone=True)
    assert shown.room == Room("5678") and shown.phone == "5678"
    masked = plan("5678", may_search_phone=False)
    assert masked.room == Room("5678") and masked.phone is None
    assert not masked.phone_refused, "a room number is no refusal"


def test_nothing_typed_searches_nothing():
    assert plan("", True).empty and plan("   ", False).empty


def test_a_building_without_its_ending_stands_for_the_usual_ones():
    assert building_names("8") == ("8", "8栋", "8幢", "8号楼", "8座", "8楼")
    assert building_names("A座") == ("A座",)
