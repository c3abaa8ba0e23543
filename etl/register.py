"""Add units to the register from a file: check it whole, then register it whole, or nothing.

The one path for ``target-monitor units add FILE`` and the admin page.  The file is checked
(:func:`model.unit_file.read_unit_file`) against the region list, the unit kinds and the units the
warehouse already holds; any problem refuses the whole file.  Only an active admin may add units;
every attempt, refusals included, is in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from etl.load import Reference, reference
from model import clock
from model.issues import Issue
from model.unit_file import read_unit_file
from warehouse.accounts import User, require_admin
from warehouse.audit import audit
from warehouse.connect import connect
from warehouse.units import Registered, register_units, registered_units


@dataclass(frozen=True)
class UnitsAdded:
    file_name: str
    issues: tuple[Issue, ...] = ()
    counts: Registered | None = None
    codes: tuple[str, ...] = field(default=())

    @property
    def accepted(self) -> bool:
        return self.counts is not None


def add_units(
    data: bytes, name: str, *, db: Path, actor: User, ref: Reference | None = None
) -> UnitsAdded:
    """Check ``data`` (a CSV of units) and register its units as one transaction, or nothing.
    Raises :class:`warehouse.accounts.AccountError` unless ``actor`` is an active admin."""
    ref = ref or reference()
    with connect(db, write=True) as con:
        admin = require_admin(con, actor, "只有管理员可以登记单位 / only an admin can add units")
        checked = read_unit_file(
            data, name, regions=ref.regions, registered=registered_units(con), origin="admin"
        )
        now = clock.utc_now()
        if not checked.accepted:
            errors = [f"{i.row} {i.rule}" for i in checked.issues][:20]
            audit(con, at=now, actor=admin.username, action="units_rejected", target=name,
                  detail={"errors": errors})  # fmt: skip
            return UnitsAdded(name, checked.issues)
        counts = register_units(
            con, checked.units, actor=admin.username, file_name=name, at=now, origin="admin"
        )
    return UnitsAdded(name, (), counts, tuple(u.code for u in checked.units))
