"""the decision log, and the index the operation's timeline pages along

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 16:25:21.837868

The decision log (`decision`) and its pins (`decision_pin`) are append-only: triggers refuse
UPDATE and DELETE on both, as 0001's do on the audit trail (a correction is a new decision naming
the one it corrects; pinning and unpinning are rows of their own). The timeline reads one kind's
audit events newest first: `ix_audit_event_entity_seq` lets it walk them in that order and stop
after a page; it carries the record's id and the outcome the walk checks, so that PostgreSQL
prefers it to walking the whole trail along the primary key (measured at 2,000,000 events: a week
without task events took 50-400 ms that way, 0.1 ms along this index).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0010'
down_revision: Union[str, Sequence[str], None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The append-only triggers for the two new tables, as coordination/append_only.py makes them, pasted
# as text so that this revision never changes (PostgreSQL's function is 0001's, already installed).
APPEND_ONLY = {
    "sqlite": tuple(
        f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only: {verb} refused'); END"
        for table in ("decision", "decision_pin") for verb in ("UPDATE", "DELETE")),
    "postgresql": tuple(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()"
        for table in ("decision", "decision_pin")),
}
DROP_APPEND_ONLY = {
    "sqlite": tuple(f"DROP TRIGGER IF EXISTS {table}_no_{verb}" for table in ("decision", "decision_pin")
                    for verb in ("update", "delete")),
    "postgresql": tuple(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"
                        for table in ("decision", "decision_pin")),
}

TLP = sa.Enum('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED', name='tlp', native_enum=False, length=32)
CLASSIFICATION = sa.Enum('OFFICIAL', 'OFFICIAL-SENSITIVE', name='classification', native_enum=False, length=32)


def upgrade() -> None:
    op.create_table('decision',
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('decision', sa.Text(), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('options', sa.Text(), nullable=False),
    sa.Column('decided_by', sa.String(length=200), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.Column('reference_skeleton', sa.String(length=256), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tlp', TLP, nullable=False),
    sa.Column('classification', CLASSIFICATION, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('operation_id', sa.Integer(), nullable=False),
    sa.Column('owning_agency_id', sa.Integer(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['corrects_id'], ['decision.id'], name=op.f('fk_decision_corrects_id_decision')),
    sa.ForeignKeyConstraint(['operation_id'], ['operation.id'], name=op.f('fk_decision_operation_id_operation')),
    sa.ForeignKeyConstraint(['owning_agency_id'], ['agency.id'], name=op.f('fk_decision_owning_agency_id_agency')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'],
                            name=op.f('fk_decision_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision')),
    sa.UniqueConstraint('corrects_id', name=op.f('uq_decision_corrects_id')),
    sa.UniqueConstraint('reference', 'operation_id', 'owning_agency_id', name='uq_decision_reference')
    )
    op.create_index('ix_decision_decided_at', 'decision', ['operation_id', 'decided_at'])
    op.create_index('ix_decision_scope', 'decision', ['operation_id', 'owning_agency_id', 'tlp'])
    op.create_index('ix_decision_skeleton', 'decision', ['reference_skeleton', 'operation_id', 'owning_agency_id'])
    op.create_index('ix_decision_tlp', 'decision', ['operation_id', 'tlp'])
    op.create_table('decision_pin',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('pinned', sa.Boolean(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['user_account.id'], name=op.f('fk_decision_pin_by_id_user_account')),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], name=op.f('fk_decision_pin_decision_id_decision')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_pin'))
    )
    op.create_index('ix_decision_pin_latest', 'decision_pin', ['decision_id', 'id'])
    op.create_index('ix_audit_event_entity_seq', 'audit_event', ['entity', 'seq', 'entity_id', 'outcome'])
    for statement in APPEND_ONLY.get(op.get_bind().dialect.name, ()):
        op.execute(statement)


def downgrade() -> None:
    for statement in DROP_APPEND_ONLY.get(op.get_bind().dialect.name, ()):
        op.execute(statement)
    op.drop_index('ix_audit_event_entity_seq', table_name='audit_event')
    op.drop_index('ix_decision_pin_latest', table_name='decision_pin')
    op.drop_table('decision_pin')
    op.drop_index('ix_decision_tlp', table_name='decision')
    op.drop_index('ix_decision_skeleton', table_name='decision')
    op.drop_index('ix_decision_scope', table_name='decision')
    op.drop_index('ix_decision_decided_at', table_name='decision')
    op.drop_table('decision')
