"""The import workbench: owners, units and ownerships from an xlsx or csv file with Chinese
or English headers. Parse → plan (a dry run: each row create / update / unchanged / error
with the reason) → apply all or nothing, as one change set → undo as a whole.

One row describes a unit (project, building, number, floor, area, usage) and optionally its
owner (name, phone, ID number, WeChat) and since when they own it. Natural keys: a unit by
project (code or name) + building + number; an owner by phone, else by ID number.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import AuditEntry, Building, ImportBatch, Owner, Ownership, Project, Unit, audit
from models.base import Base, utcnow
from models.queries import company_today
from rules import ownership
from rules.formats import valid
from rules.refusal import N_, Refused

from . import cells

# column → the headers people write for it (compared without spaces, case-insensitively)
HEADERS = {
    "project": ("项目", "项目编号", "项目名称", "小区", "project", "projectcode"),
    "building": ("楼栋", "楼号", "栋", "building"),
    "unit": ("房号", "单元号", "房间号", "unit", "unitnumber", "number"),
    "floor": ("楼层", "floor"),
    "area": ("面积", "建筑面积", "面积(m²)", "面积（m²）", "area"),
    "usage": ("使用状态", "房屋状态", "用途", "usage"),
    "owner": ("业主", "业主姓名", "姓名", "owner", "ownername", "name"),
    "phone": ("手机", "手机号", "电话", "联系电话", "phone", "mobile"),
    "id_number": ("身份证号", "身份证", "证件号码", "idnumber", "id"),
    "wechat": ("微信", "微信号", "wechat", "wechatid"),
    "since": ("入住日期", "起始日期", "交房日期", "since"),
}
REQUIRED = ("project", "building", "unit")
USAGE = {"自住": "owner_occupied", "出租": "rented", "空置": "vacant", "装修中": "renovating",
         "装修": "renovating", "owner_occupied": "owner_occupied", "owner-occupied":
         "owner_occupied", "rented": "rented", "vacant": "vacant", "renovating": "renovating"}
MAX_ROWS = 20_000
PROGRESS_EVERY = 200  # rows between two reports of progress
TEMPLATE_HEADERS = ["项目", "楼栋", "房号", "楼层", "面积", "使用状态", "业主姓名", "手机",
                    "身份证号", "微信", "入住日期"]


# ---- reading the file -----------------------------------------------------------------------
def _key(header: str) -> str:
    return "".join(str(header or "").split()).lower()


LOOKUP = {_key(h): column for column, names in HEADERS.items() for h in names}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number Excel stored as a number
    if isinstance(value, datetime):
        value = value.date()
    return str(value).strip()


@dataclass(frozen=True)
class Limits:
    """What an upload may hold, checked before and while it is parsed (zip bombs): the
    workbook's expanded size, and cells (rows × columns as stored)."""

    max_expanded_bytes: int = 20 * 1024 * 1024
    max_cells: int = 250_000


def _refuse_zip_bomb(content: bytes, limits: Limits) -> None:
    """Refuse a workbook whose parts expand past the limit, before anything is inflated. The
    sizes are the zip's own; its reader stops at them, so a part cannot expand further."""
    import zipfile

    try:
        parts = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise Refused(N_("This file cannot be read as an Excel workbook (.xlsx).")) from None
    expanded = sum(part.file_size for part in parts)
    if expanded > limits.max_expanded_bytes:
        raise Refused(N_("The workbook expands to %(size)s MB, more than the %(limit)s MB an "
                         "import may have. Split it into smaller files."),
                      size=expanded // (1024 * 1024),
                      limit=limits.max_expanded_bytes // (1024 * 1024))


def _bounded(rows, limits: Limits) -> list[list[str]]:
    """The rows as text, refused as soon as they pass the cell or row limit."""
    table, cells_seen = [], 0
    for row in rows:
        cells_seen += len(row)
        if cells_seen > limits.max_cells:
            raise Refused(N_("The file has more than %(limit)s cells; an import may have at "
                             "most that many. Split it into smaller files."),
                          limit=limits.max_cells)
        values = [_text(v) for v in row]
        if not any(values):
            continue  # empty rows are skipped anyway
        if len(table) > MAX_ROWS:  # the headers and MAX_ROWS rows are in already
            raise Refused(N_("At most %(n)s rows per file."), n=MAX_ROWS)
        table.append(values)
    return table


def read_rows(filename: str, content: bytes, limits: Limits | None = None
              ) -> list[dict[str, str]]:
    """The file's rows as {column: text}, by its headers; refused with a reason when the
    file cannot be read, is larger than `limits` allow, or lacks a required column."""
    limits = limits or Limits()
    name = filename.lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        _refuse_zip_bomb(content, limits)
        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
            declared = (sheet.max_row or 0) * (sheet.max_column or 0)
            if declared > limits.max_cells:  # the sheet's own dimension says so: no parsing
                raise Refused(N_("The file has more than %(limit)s cells; an import may have "
                                 "at most that many. Split it into smaller files."),
                              limit=limits.max_cells)
            table = _bounded(sheet.iter_rows(values_only=True), limits)
        except Refused:
            raise
        except Exception:  # openpyxl raises many kinds for a damaged file
            raise Refused(N_("This file cannot be read as an Excel workbook (.xlsx).")) from None
    elif name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise Refused(N_("This CSV file is neither UTF-8 nor GBK text."))
        table = _bounded(csv.reader(io.StringIO(text)), limits)
    else:
        raise Refused(N_("Upload an .xlsx or .csv file."))
    table = [row for row in table if any(row)]
    if not table:
        raise Refused(N_("The file is empty."))
    columns = [LOOKUP.get(_key(h)) for h in table[0]]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise Refused(N_("Missing columns: %(columns)s. The first row must name the columns, "
                         "e.g. %(example)s."), columns=", ".join(missing),
                      example="、".join(TEMPLATE_HEADERS[:6]))
    if len(table) - 1 > MAX_ROWS:
        raise Refused(N_("At most %(n)s rows per file."), n=MAX_ROWS)
    return [{c: (row[i] if i < len(row) else "") for i, c in enumerate(columns) if c}
            for row in table[1:]]


# ---- the plan -------------------------------------------------------------------------------
@dataclass
class RowPlan:
    line: int  # the row's line in the file (headers are line 1)
    values: dict[str, str]
    outcome: str = "unchanged"  # create · update · unchanged · error
    reasons: list[tuple[str, dict]] = field(default_factory=list)  # (message id, params)
    unit_key: tuple | None = None
    unit_changes: dict = field(default_factory=dict)
    owner_key: str | None = None
    owner_changes: dict = field(default_factory=dict)
    new_unit: bool = False
    new_owner: bool = False
    new_ownership: bool = False
    since: date | None = None


@dataclass
class Plan:
    rows: list[RowPlan]

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    @property
    def errors(self) -> list[RowPlan]:
        return [r for r in self.rows if r.outcome == "error"]


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _date(text: str) -> date | None:
    for candidate in (text, text.replace("/", "-"), text.replace(".", "-")):
        try:
            return date.fromisoformat(candidate[:10])
        except ValueError:
            continue
    return None


def _chunks(values: list, size: int = 900):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def plan(session: Session, rows: list[dict[str, str]], progress=None) -> Plan:
    """What importing `rows` would do, row by row; writes nothing. `progress(done, total)`,
    when given, hears how far it got."""
    projects = {}
    for project in session.scalars(sa.select(Project)):
        projects[project.code.lower()] = projects[project.name.lower()] = project
    buildings = {(b.project_id, b.name): b for b in session.scalars(sa.select(Building))}
    named = {r.get("building", "") for r in rows}  # only the units of the file's buildings
    building_ids = sorted(b.id for b in buildings.values() if b.name in named)
    units = {(u.building_id, u.number): u for chunk in _chunks(building_ids)
             for u in session.scalars(sa.select(Unit).where(Unit.building_id.in_(chunk)))}
    phones = {r.get("phone", "") for r in rows} - {""}
    ids = {r.get("id_number", "").upper() for r in rows} - {""}
    owners_by_phone, owners_by_id = {}, {}
    for column, keys in ((Owner.phone, sorted(phones)), (Owner.id_number, sorted(ids))):
        for chunk in _chunks(keys):  # a database takes only so many values in one IN (…)
            for owner in session.scalars(sa.select(Owner).where(column.in_(chunk))):
                owners_by_phone[owner.phone] = owner
                if owner.id_number:
                    owners_by_id[owner.id_number.upper()] = owner
    owner_ids = sorted({o.id for o in owners_by_phone.values()})
    owned = {(owner_id, unit_id) for chunk in _chunks(owner_ids)
             for owner_id, unit_id in session.execute(
                 sa.select(Ownership.owner_id, Ownership.unit_id)
                 .where(Ownership.owner_id.in_(chunk)))}
    seen_units: dict[tuple, int] = {}
    seen_owners: dict[str, tuple[int, str]] = {}
    today = company_today()
    result = []
    for line, values in enumerate(rows, start=2):
        if progress and line % PROGRESS_EVERY == 0:
            progress(line - 2, len(rows))
        row = RowPlan(line, values)
        result.append(row)
        why = row.reasons
        # the unit
        project = projects.get(values.get("project", "").lower())
        building = None
        if not values.get("project"):
            why.append((N_("project missing"), {}))
        elif project is None:
            why.append((N_("unknown project %(name)s"), {"name": values["project"]}))
        else:
            building = buildings.get((project.id, values.get("building", "")))
            if building is None:
                why.append((N_("unknown building %(name)s in %(project)s"),
                            {"name": values.get("building", ""), "project": project.name}))
        number = values.get("unit", "")
        if not number:
            why.append((N_("unit number missing"), {}))
        elif building is not None:
            row.unit_key = (building.id, number)
            if row.unit_key in seen_units:
                why.append((N_("unit %(unit)s also on line %(line)s"), {
                    "unit": f"{building.name}-{number}", "line": seen_units[row.unit_key]}))
            else:
                seen_units[row.unit_key] = line
        wanted = {}
        if values.get("floor"):
            if values["floor"].lstrip("-").isdigit():
                wanted["floor"] = int(values["floor"])
            else:
                why.append((N_("floor %(value)s is not a whole number"),
                            {"value": values["floor"]}))
        if values.get("area"):
            area = _decimal(values["area"])
            if area is None or area <= 0 or area >= Decimal("100000000"):
                why.append((N_("area %(value)s is not a positive number"),
                            {"value": values["area"]}))
            else:
                wanted["area"] = area.quantize(Decimal("0.01"))
        if values.get("usage"):
            usage = USAGE.get(values["usage"].lower())
            if usage is None:
                why.append((N_("usage %(value)s is not one of 自住, 出租, 空置, 装修中"),
                            {"value": values["usage"]}))
            else:
                wanted["usage"] = usage
        unit = units.get(row.unit_key) if row.unit_key else None
        if row.unit_key and unit is None:
            row.new_unit = True
            if "area" not in wanted:
                why.append((N_("area missing for a new unit"), {}))
            row.unit_changes = wanted
        elif unit is not None:
            row.unit_changes = {k: v for k, v in wanted.items() if getattr(unit, k) != v}
        # the owner
        name, phone = values.get("owner", ""), values.get("phone", "")
        id_number = values.get("id_number", "").upper()
        if name or phone or id_number:
            if phone and not valid("phone", phone):
                why.append((N_("phone %(value)s is not a mobile or landline number"),
                            {"value": phone}))
            if id_number and not valid("id_number", id_number):
                why.append((N_("ID number %(value)s does not have 18 characters"),
                            {"value": id_number}))
            by_phone = owners_by_phone.get(phone) if phone else None
            by_id = owners_by_id.get(id_number) if id_number else None
            if by_phone and by_id and by_phone is not by_id:
                why.append((N_("the phone and the ID number belong to two different owners"),
                            {}))
            owner = by_phone or by_id
            row.owner_key = phone or id_number
            wanted_owner = {k: v for k, v in (("name", name), ("phone", phone),
                                              ("id_number", id_number or None),
                                              ("wechat_id", values.get("wechat") or None))
                            if v}
            if row.owner_key in seen_owners and seen_owners[row.owner_key][1] != name:
                why.append((N_("%(key)s is given for two names (also line %(line)s)"),
                            {"key": row.owner_key, "line": seen_owners[row.owner_key][0]}))
            seen_owners.setdefault(row.owner_key, (line, name))
            if owner is None:
                row.new_owner = row.owner_key not in {r.owner_key for r in result[:-1]
                                                      if r.new_owner}
                if not name or not phone:
                    why.append((N_("a new owner needs a name and a phone"), {}))
                row.owner_changes = wanted_owner
            else:
                row.owner_changes = {k: v for k, v in wanted_owner.items()
                                     if getattr(owner, k) != v}
                row.owner_key = owner.phone
            if values.get("since"):
                row.since = _date(values["since"])
                if row.since is None:
                    why.append((N_("since %(value)s is not a date (YYYY-MM-DD)"),
                                {"value": values["since"]}))
            row.since = row.since or today
            row.new_ownership = (owner is None or unit is None
                                 or (owner.id, unit.id) not in owned)
        if why:
            row.outcome = "error"
        elif row.new_unit or row.new_owner or row.new_ownership:
            row.outcome = "create"
        elif row.unit_changes or row.owner_changes:
            row.outcome = "update"
    return Plan(result)


# ---- apply and undo -------------------------------------------------------------------------
def apply(session: Session, plan_: Plan, filename: str, progress=None) -> ImportBatch:
    """Carry out a plan without errors, all in the caller's transaction, as one change set."""
    if plan_.errors:
        raise Refused(N_("%(n)s rows have errors; nothing was imported."),
                      n=len(plan_.errors))
    change_set = str(uuid.uuid4())
    token = audit.batch.set((change_set, "import"))
    try:
        units, owners, linked, primaries = {}, {}, set(), set()
        with session.no_autoflush:  # rows found earlier in the file come from the caches
            for done, row in enumerate(plan_.rows):
                if done and done % PROGRESS_EVERY == 0:
                    session.flush()  # in steps, so the progress shown is the writing's
                    if progress:
                        progress(done, len(plan_.rows))
                unit = None
                if row.unit_key:
                    unit = units.get(row.unit_key) or session.scalar(sa.select(Unit).where(
                        Unit.building_id == row.unit_key[0], Unit.number == row.unit_key[1]))
                    if unit is None:
                        unit = Unit(building_id=row.unit_key[0], number=row.unit_key[1])
                        session.add(unit)
                    for key, value in row.unit_changes.items():
                        setattr(unit, key, value)
                    units[row.unit_key] = unit
                if row.owner_key:
                    owner = owners.get(row.owner_key) or session.scalar(sa.select(Owner).where(
                        sa.or_(Owner.phone == row.owner_key, Owner.id_number == row.owner_key)))
                    if owner is None:
                        owner = Owner()
                        session.add(owner)
                    for key, value in row.owner_changes.items():
                        setattr(owner, key, value)
                    owners[row.owner_key] = owner
                    if row.new_ownership and unit is not None and (owner, unit) not in linked:
                        linked.add((owner, unit))
                        session.add(Ownership(owner=owner, unit=unit, since=row.since,
                                              is_primary=_first_primary(session, unit, primaries,
                                                                         row.since)))
        batch = ImportBatch(change_set=change_set, filename=filename[:200],
                            created=plan_.count("create"), updated=plan_.count("update"),
                            unchanged=plan_.count("unchanged"))
        session.add(batch)
        session.flush()
    finally:
        audit.batch.reset(token)
    return batch


def _first_primary(session: Session, unit: Unit, primaries: set, since) -> bool:
    """An imported owner is the unit's primary owner unless it has one from `since` on
    already (one primary owner at a time, rules/ownership.py)."""
    if unit in primaries:
        return False
    primaries.add(unit)
    if unit.id is None:
        return True
    return not any(ownership.overlap(since, None, other_since, other_until)
                   for other_since, other_until in session.execute(
                       sa.select(Ownership.since, Ownership.until).where(
                           Ownership.unit_id == unit.id, Ownership.is_primary)))


def _typed(column: sa.Column, value):
    """A value from the audit trail's JSON back in the column's type."""
    if value is None:
        return None
    kind = column.type.python_type if hasattr(column.type, "python_type") else str
    if kind is Decimal:
        return Decimal(value)
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    return value


def undo(session: Session, batch: ImportBatch, actor: str | None) -> int:
    """Reverse an import: delete what it created, restore what it changed — refused, with the
    records named, when any of them has changed since."""
    if batch.undone_at is not None:
        raise Refused(N_("This import was undone already."))
    classes = {m.local_table.name: m.class_ for m in Base.registry.mappers}
    entries = list(session.scalars(sa.select(AuditEntry).where(
        AuditEntry.change_set == batch.change_set,
        AuditEntry.entity != ImportBatch.__tablename__).order_by(AuditEntry.id.desc())))
    left_at: dict[tuple[str, int], int] = {}  # the version each record had after the import
    for entry in entries:
        key = (entry.entity, entry.entity_id)
        left_at[key] = max(left_at.get(key, 0), entry.entity_version or 0)
    changed = []
    for (entity, record_id), version in left_at.items():
        record = session.get(classes[entity], record_id)
        if record is None or record.version != version:
            changed.append(f"{record or entity} #{record_id}")
    if changed:
        raise Refused(N_("These records changed after the import, so it cannot be undone: "
                         "%(records)s."), records="、".join(changed[:10]))
    token = audit.batch.set((str(uuid.uuid4()), "undo"))
    try:
        for entry in entries:
            model = classes[entry.entity]
            record = session.get(model, entry.entity_id)
            if entry.action == "create":
                session.delete(record)
            else:
                for name, (old, _new) in json.loads(entry.changes or "{}").items():
                    setattr(record, name, _typed(model.__table__.c[name], old))
            session.flush()
        batch.undone_at, batch.undone_by = utcnow(), actor
        session.flush()
    finally:
        audit.batch.reset(token)
    return len(entries)


def error_report(plan_: Plan, translate) -> bytes:
    """The rows with errors, as they were, plus an error column: fix and upload again.
    `translate(message, **params)` words the reasons (gettext in a request). The file's own
    text goes back as text (services/cells.py), never as a formula."""
    columns = list(HEADERS)
    return cells.xlsx(
        [translate("Line"), *(HEADERS[c][0] for c in columns), translate(N_("What is wrong"))],
        ([row.line, *(row.values.get(c, "") for c in columns),
          translate(N_("; ")).join(translate(m, **p) for m, p in row.reasons)]
         for row in plan_.errors),
        title=translate(N_("Rows with errors")))


def template(translate) -> bytes:
    """A file to fill in: the headers, one example row; the sheet named by `translate`."""
    return cells.xlsx(TEMPLATE_HEADERS, [["JX", "1栋", "101", "1", "89.37", "自住", "王小明",
                                          "13812345678", "", "", "2020-01-01"]],
                      title=translate(N_("Units and owners")))
