"""Recording an export: who took how many rows of what, at which marking."""

from __future__ import annotations

from sqlalchemy.orm import Session

from coordination import audit
from coordination.exports import Export
from coordination.principal import Principal


def record_export(session: Session, principal: Principal, export: Export, file_format: str) -> None:
    audit.record(session, audit.NewEvent(principal, "export", export.kind.name, None, after={
        "rows": len(export.rows), "format": file_format, "tlp": export.tlp, "classification": export.classification}))
