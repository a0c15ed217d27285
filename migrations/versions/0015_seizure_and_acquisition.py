"""seizures as they happen: an exhibit collected and sealed at the door, its acquisition later

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 17:35:41.766190

An exhibit records where it was found in the place and who seized it (its seal and condition are its
first custody event's). A device's data is acquired later at the lab: an `acquisition` (method, tool
and version, examiner, time, the SHA-256 of the image) linked to its exhibit, versioned, with its own
append-only custody (`acquisition_custody_event`, the same triggers as custody events).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0015'
down_revision: Union[str, Sequence[str], None] = '0014'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# frozen copies of what coordination/append_only.py makes for the new append-only table
APPEND_ONLY = {
    'sqlite': (
        "CREATE TRIGGER acquisition_custody_event_no_update BEFORE UPDATE ON acquisition_custody_event"
        " BEGIN SELECT RAISE(ABORT, 'acquisition_custody_event rows are append-only: UPDATE refused'); END",
        "CREATE TRIGGER acquisition_custody_event_no_delete BEFORE DELETE ON acquisition_custody_event"
        " BEGIN SELECT RAISE(ABORT, 'acquisition_custody_event rows are append-only: DELETE refused'); END",
    ),
    'postgresql': (
        "CREATE TRIGGER acquisition_custody_event_append_only BEFORE UPDATE OR DELETE ON acquisition_custody_event"
        " FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()",
    ),
}
DROP_APPEND_ONLY = {
    'sqlite': ("DROP TRIGGER IF EXISTS acquisition_custody_event_no_update",
               "DROP TRIGGER IF EXISTS acquisition_custody_event_no_delete"),
    'postgresql': ("DROP TRIGGER IF EXISTS acquisition_custody_event_append_only ON acquisition_custody_event",),
}


def upgrade() -> None:
    op.create_table('acquisition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evidence_item_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=80), nullable=False),
    sa.Column('method', sa.Enum('physical image', 'logical image', 'full file system extraction', 'logical extraction', 'cloud extraction', name='acquisitionmethod', native_enum=False, length=32), nullable=False),
    sa.Column('tool', sa.String(length=200), nullable=False),
    sa.Column('tool_version', sa.String(length=64), nullable=False),
    sa.Column('examiner', sa.String(length=200), nullable=False),
    sa.Column('acquired_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('notes', sa.String(length=1000), nullable=True),
    sa.Column('holder_agency_id', sa.Integer(), nullable=False),
    sa.Column('holder_name', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['evidence_item_id'], ['evidence_item.id'], name=op.f('fk_acquisition_evidence_item_id_evidence_item')),
    sa.ForeignKeyConstraint(['holder_agency_id'], ['agency.id'], name=op.f('fk_acquisition_holder_agency_id_agency')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_acquisition_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_acquisition')),
    sa.UniqueConstraint('evidence_item_id', 'sequence', name='uq_acquisition_sequence')
    )
    with op.batch_alter_table('acquisition', schema=None) as batch_op:
        batch_op.create_index('ix_acquisition_reference', ['reference'], unique=False)

    op.create_table('acquisition_custody_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('acquisition_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('from_agency_id', sa.Integer(), nullable=True),
    sa.Column('from_holder', sa.String(length=200), nullable=True),
    sa.Column('to_agency_id', sa.Integer(), nullable=False),
    sa.Column('to_holder', sa.String(length=200), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('purpose', sa.String(length=300), nullable=False),
    sa.Column('seal_number', sa.String(length=64), nullable=True),
    sa.Column('condition', sa.String(length=300), nullable=False),
    sa.Column('hash_checked', sa.String(length=64), nullable=True),
    sa.Column('hash_matches', sa.Boolean(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['acquisition_id'], ['acquisition.id'], name=op.f('fk_acquisition_custody_event_acquisition_id_acquisition')),
    sa.ForeignKeyConstraint(['from_agency_id'], ['agency.id'], name=op.f('fk_acquisition_custody_event_from_agency_id_agency')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_acquisition_custody_event_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['to_agency_id'], ['agency.id'], name=op.f('fk_acquisition_custody_event_to_agency_id_agency')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_acquisition_custody_event')),
    sa.UniqueConstraint('acquisition_id', 'sequence', name='uq_acquisition_custody_event_sequence')
    )
    for statement in APPEND_ONLY.get(op.get_bind().dialect.name, ()):
        op.execute(statement)
    # plain ALTER TABLE on both stores: a batch copy of evidence_item would trip the foreign keys naming it
    op.add_column('evidence_item', sa.Column('where_found', sa.String(length=300), nullable=True))
    op.add_column('evidence_item', sa.Column('seized_by', sa.String(length=200), nullable=True))



def downgrade() -> None:
    # SQLite drops a column in place (3.35+) when no index or constraint names it
    op.drop_column('evidence_item', 'seized_by')
    op.drop_column('evidence_item', 'where_found')
    for statement in DROP_APPEND_ONLY.get(op.get_bind().dialect.name, ()):
        op.execute(statement)
    op.drop_table('acquisition_custody_event')
    with op.batch_alter_table('acquisition', schema=None) as batch_op:
        batch_op.drop_index('ix_acquisition_reference')

    op.drop_table('acquisition')
