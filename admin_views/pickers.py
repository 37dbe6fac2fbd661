"""Pickers that need more than a search of one column: a unit is labelled and found by
"项目 楼栋-房号" (锦绣花园 8栋-801), in natural order, page after page."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from models import Building, Project, Unit
from models.property_files import building_order, room_order, unit_label

from .generated import ScopedAjaxLoader
from .lookup import contains


class UnitPicker(ScopedAjaxLoader):
    """Units in scope whose label holds every word typed ("锦绣 8栋-801", "8栋 801",
    "801"), ordered by project, building and room, each page after the one before (the
    picker asks for the next ten as the list is scrolled)."""

    def format(self, model):
        return None if model is None else (model.id, unit_label(model))

    def get_list(self, term: str, offset: int = 0, limit: int = 10):
        query = self.get_query().join(Unit.building).join(Building.project).options(
            contains_eager(Unit.building).contains_eager(Building.project))
        room = Building.name + "-" + Unit.number
        for word in term.split():
            query = query.filter(sa.or_(contains(Project.name, word), contains(room, word)))
        return query.order_by(Project.name, *building_order(), *room_order(), Unit.id) \
            .offset(offset).limit(limit).all()


PICKERS = {Unit: UnitPicker}
