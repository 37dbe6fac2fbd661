"""A complete Chinese interface: every page each role may open, in zh_Hans_CN, shows no
untranslated English; the switch to English shows English on the same pages."""

from __future__ import annotations

import html
import re

import pytest

from access import ENTITIES, ROLES
from admin_views import VIEW_CLASSES

from .conftest import login
from .helpers import ACCOUNT, row, scoped_ids, url

# Words that are the same in both languages: file formats, a few proper nouns and units.
ALLOWED = {"CSV", "XLSX", "csv", "xlsx", "KPI", "Excel", "ID", "m"}  # m as in m²
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_'’-]*")


def visible_text(page: str) -> str:
    """What a reader sees: the text, tooltips and placeholders (an empty picker's too), and
    the list filters' names, operations and options (data the page's script shows); no
    scripts, no other hidden data blocks (class d-none), not the language switch."""
    filters = re.search(r'<div[^>]*id="filter-groups-data"[^>]*>(.*?)</div>', page, re.S)
    words = filter_words(filters.group(1)) if filters else []
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r'<div[^>]*class="d-none"[^>]*>.*?</div>', " ", page, flags=re.S)
    # the language switch names each language in itself: 中文 | English
    page = re.sub(r'<span[^>]*id="language-switch".*?</span>', " ", page, flags=re.S)
    words += re.findall(r'\b(?:title|placeholder|data-placeholder)="([^"]*)"', page)
    page = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(" ".join([page, *words]))


def filter_words(data: str) -> list[str]:
    """A list's filters as its filter menu shows them: names, operations, option labels."""
    import json

    groups = json.loads(html.unescape(data))
    return [*groups, *(op["operation"] for ops in groups.values() for op in ops),
            *(label for ops in groups.values() for op in ops for _, label in op["options"] or ())]


def english_words(text: str, usernames: set[str]) -> set[str]:
    """Words in Latin letters that are neither codes (with digits, or two or three capitals),
    nor account names, nor allowed."""
    found = set()
    for word in WORD.findall(text):
        if any(ch.isdigit() for ch in word) or word in ALLOWED or word in usernames:
            continue
        if word.isupper() and len(word) <= 3:  # project codes: JX, GM, KJ
            continue
        found.add(word)
    return found


def pages_for(app, role: str) -> list[str]:
    """Every page `role` may open: lists, forms, a details page, and the work pages."""
    username = ACCOUNT[role]
    pages = ["/admin/"]
    for name, entity in ENTITIES.items():
        grant = entity.grant(role)
        if not grant.allows("R"):
            continue
        pages.append(url(name))
        ids = scoped_ids(app, name, username)
        if ids:
            pages.append(url(name, f"details/?id={ids[0]}"))
            editable = drafts(app, name, ids) if name.endswith("assessment") else ids
            if grant.allows("U") and editable:
                pages.append(url(name, f"edit/?id={editable[-1]}"))
        if grant.allows("C"):
            pages.append(url(name, "new/"))
        view_class = VIEW_CLASSES.get(name)
        for endpoint, letter in getattr(view_class, "endpoint_letters", {}).items():
            roles = getattr(view_class, "endpoint_roles", {}).get(endpoint, ROLES)
            if not grant.allows(letter) or role not in roles:
                continue
            if endpoint in getattr(view_class, "download_endpoints", ()):
                continue  # a file, not a page
            if endpoint in getattr(view_class, "data_endpoints", ()):
                continue  # data a form's script asks for, not a page
            path = url(name, endpoint.removesuffix("_view") + "/")
            if endpoint in ("step_view", "sheet_view", "correct_view", "handover_view",
                            "done_view", "file_view"):
                if not ids:
                    continue
                # the handover of the demo's planned move (the latest) shows its form
                path += f"?id={ids[-1] if endpoint == 'handover_view' else ids[0]}"
            pages.append(path)
    if role == "admin":
        pages.append("/admin/import/")
    return pages


def drafts(app, name: str, ids: list[int]) -> list[int]:
    """Assessments that can be edited: confirmed ones are frozen (their edit page redirects)."""
    return [pk for pk in ids if row(app, name, pk)["status"] == "draft"]


USERNAMES = {"admin", "hr", "supervisor", "steward", "seed-demo", "bill-run"}


@pytest.mark.screens
@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_opens_is_in_chinese(app, db, role):
    client = login(app.test_client(), ACCOUNT[role])
    untranslated = {}
    for page in pages_for(app, role):
        response = client.get(page)
        assert response.status_code == 200, page
        words = english_words(visible_text(response.get_data(as_text=True)), USERNAMES)
        if words:
            untranslated[page] = sorted(words)
    assert untranslated == {}


CHROME = re.compile(
    r"<(th|label|button|h5|option)\b[^>]*>(.*?)</\1>"
    r"|<a class=\"(?:nav-link|dropdown-item)[^\"]*\"[^>]*>(.*?)</a>", re.S)
CJK = re.compile(r"[\u4e00-\u9fff]")


def chrome_text(page: str) -> list[str]:
    """The interface's own words on a page — headers, labels, buttons, menus, options —
    without the records' data (names and addresses stay Chinese in English)."""
    page = re.sub(r'<span[^>]*id="language-switch".*?</span>', " ", page, flags=re.S)
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    found = []
    for match in CHROME.finditer(page):
        text = html.unescape(re.sub(r"<[^>]+>", " ", match.group(2) or match.group(3) or ""))
        if text.strip():
            found.append(" ".join(text.split()))
    return found


@pytest.mark.screens
@pytest.mark.parametrize("role", ROLES)
def test_switching_to_english_shows_english(app, db, role):
    """Every page of the role in English: headers, labels, buttons, menus and choice options
    carry no Chinese (options naming records, like a unit or a person, are data)."""
    client = login(app.test_client(), ACCOUNT[role])
    client.get("/admin/?lang=en")
    data = record_names(app)
    chinese = {}
    for page in pages_for(app, role):
        response = client.get(page)
        words = [t for t in chrome_text(response.get_data(as_text=True))
                 if CJK.search(t) and t not in data and not _is_data(t)]
        if words:
            chinese[page] = words[:5]
    assert chinese == {}


def record_names(app) -> set[str]:
    """How the records offered in pickers are named: their names are data, not interface."""
    import sqlalchemy as sa

    from extensions import db as database
    from models import (
        Building,
        ExternalBody,
        FeeStandard,
        Meeting,
        Owner,
        Project,
        Staff,
        TrainingProgram,
        TrainingSession,
        Unit,
    )

    with app.app_context():
        return {str(row) for model in (Building, ExternalBody, FeeStandard, Meeting, Owner,
                                       Project, Staff, TrainingProgram, TrainingSession, Unit)
                for row in database.session.scalars(sa.select(model))}


def _is_data(text: str) -> bool:
    """A record in a list cell or a heading: it carries a number or a "·" between parts."""
    return bool(re.search(r"\d|·", text))


def test_the_language_choice_is_remembered_for_the_user(app, db):
    client = login(app.test_client(), "steward1")
    assert "退出登录" in client.get("/admin/").get_data(as_text=True)
    client.get("/admin/?lang=en")
    fresh = login(app.test_client(), "steward1")  # another browser, same account
    assert "Sign out" in fresh.get("/admin/").get_data(as_text=True)
    other = login(app.test_client(), "steward2")
    assert "退出登录" in other.get("/admin/").get_data(as_text=True)


def test_the_catalogue_translates_every_message_and_is_compiled():
    """Every message the code and templates use has a Chinese translation, and the compiled
    catalogue (.mo) says the same as its source (.po)."""
    from pathlib import Path

    from babel.messages.extract import extract_from_dir
    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[1]
    folder = root / "translations" / "zh_Hans_CN" / "LC_MESSAGES"
    po = read_po((folder / "messages.po").open("rb"))
    mo = read_mo((folder / "messages.mo").open("rb"))
    method_map = [("**/.venv/**", "ignore"), ("**/tests/**", "ignore"),
                  ("**/migrations/**", "ignore"), ("**/bench/**", "ignore"),
                  ("**.py", "python"), ("**/templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "N_": None,
                "lazy_gettext": None}
    used = {message for _, _, message, _, _ in extract_from_dir(
        str(root), method_map=method_map, keywords=keywords)
        if isinstance(message, str)}
    untranslated = sorted(m for m in used if not (po.get(m) and po.get(m).string))
    assert untranslated == []
    assert {m.id: m.string for m in po if m.id} == {m.id: m.string for m in mo if m.id}
