"""evidence items' key is `reference`, as every other kind's

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 14:30:00.000000

Issue 25 (one key name for every kind): evidence_item.exhibit_ref becomes evidence_item.reference, and
its unique constraint uq_evidence_item_exhibit_ref becomes uq_evidence_item_reference (same columns:
reference, operation_id, owning_agency_id). No index, trigger or view names the column otherwise: the
tally triggers watch item_type, status and holder_agency_id, and the skeleton index reads
reference_skeleton. People still read the label "Exhibit reference".

PostgreSQL renames the column and the constraint in place (its unique index follows). SQLite cannot
rename a constraint, so the table is rebuilt as in 0005: foreign keys off, every trigger saved from
sqlite_master and dropped first, re-created as it was afterwards.
"""
from typing import Sequence, Union

from alembic import op

import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0013'
down_revision: Union[str, Sequence[str], None] = '0012'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

COLUMNS = ['operation_id', 'owning_agency_id']  # after the key, in the unique constraint


def _saved_sqlite_triggers(bind) -> list:
    """SQLite only: foreign keys off and every trigger dropped for the rebuild (SQLite drops a rebuilt
    table's own triggers, and checks the others' bodies against tables that are briefly missing).

    Rebuilding a table that other rows point at is SQLite's documented 12-step procedure: foreign
    keys off (which takes effect only outside a transaction, so the revisions before this one are
    committed first), rebuild, `PRAGMA foreign_key_check`, foreign keys on again."""
    bind.exec_driver_sql('COMMIT')
    bind.exec_driver_sql('PRAGMA foreign_keys = OFF')
    bind.exec_driver_sql('BEGIN IMMEDIATE')
    triggers = bind.execute(sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                    "ORDER BY name")).all()
    for name, _ in triggers:
        bind.exec_driver_sql(f'DROP TRIGGER "{name}"')
    return triggers


def _restore(bind, triggers: list) -> None:
    for _, sql in triggers:
        bind.exec_driver_sql(sql)
    broken = bind.exec_driver_sql('PRAGMA foreign_key_check').all()
    if broken:
        raise RuntimeError(f'rows point at rows that are missing after the rebuild: {broken[:5]}')
    bind.exec_driver_sql('COMMIT')
    bind.exec_driver_sql('PRAGMA foreign_keys = ON')
    bind.exec_driver_sql('BEGIN IMMEDIATE')


def _rename(old: str, new: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.execute(f'ALTER TABLE evidence_item RENAME COLUMN {old} TO {new}')
        op.execute(f'ALTER TABLE evidence_item RENAME CONSTRAINT uq_evidence_item_{old} TO uq_evidence_item_{new}')
        return
    triggers = _saved_sqlite_triggers(bind)
    with op.batch_alter_table('evidence_item', schema=None) as batch_op:
        batch_op.drop_constraint(f'uq_evidence_item_{old}', type_='unique')
        batch_op.alter_column(old, new_column_name=new, existing_type=sa.String(length=64), existing_nullable=False)
        # named by the column's name before this batch: the batch copies the table under the old names
        batch_op.create_unique_constraint(f'uq_evidence_item_{new}', [old, *COLUMNS])
    _restore(bind, triggers)


def upgrade() -> None:
    _rename('exhibit_ref', 'reference')


def downgrade() -> None:
    _rename('reference', 'exhibit_ref')
