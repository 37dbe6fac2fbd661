"""The unit's and the owner's file on a steward's phone (390×844), the issue's journey step
"owner's file → call link": find the unit from the start page's box, open its file, go on to
the owner's file and find their number as a link to call. Every control of the files lies
within the screen's width (no horizontal scrolling) and is at least 40 px tall."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.screens

# The controls of a file a thumb taps: section links, "+ new", the list links, call links.
CONTROLS = ".file-page a, .file-page button, .file-page input"


def test_a_steward_finds_a_unit_opens_its_owners_file_and_can_call_them(app, phone):
    phone.sign_in("steward1")
    page = phone.page
    page.fill("#landing-find input[name=q]", "1栋-801")
    page.click("#landing-find button[type=submit]")
    page.wait_for_selector("#unit-file")
    assert "1栋-801" in page.inner_text("#file-title")
    assert phone.misfits(CONTROLS) == []
    assert page.evaluate(
        "document.querySelector('.file-page').scrollWidth <= window.innerWidth")
    phone.screenshot("unit-file-390")

    page.click("#file-people .list-group-item a")
    page.wait_for_selector("#owner-file")
    call = page.locator("#owner-phone a[href^='tel:']")
    assert call.count() == 1 and call.inner_text() in call.get_attribute("href")
    assert phone.misfits(CONTROLS) == []
    phone.screenshot("owner-file-390")
