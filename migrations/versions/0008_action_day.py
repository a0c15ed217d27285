"""the action day: target packages, their subjects, status changes and conflicts; jurisdictions' time zones

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 16:40:00.000000

A target package is a marked record like the others (scoping columns, version, reference unique per
agency with its skeleton). Its status changes are append-only (the same triggers as custody events);
conflicts between packages of different agencies are rows the system writes. Each jurisdiction gets
its IANA time zone, in which H-hours are shown.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TIME_ZONES = {
    'GB-EAW': 'Europe/London', 'GB-SCT': 'Europe/London', 'GB-NIR': 'Europe/London', 'NL': 'Europe/Amsterdam',
    'US-CA': 'America/Los_Angeles', 'US-NY': 'America/New_York', 'IE': 'Europe/Dublin', 'ES': 'Europe/Madrid',
    'DE': 'Europe/Berlin', 'FR': 'Europe/Paris', 'BE': 'Europe/Brussels', 'PT': 'Europe/Lisbon', 'UA': 'Europe/Kyiv',
    'AU': 'Australia/Sydney',
}

STATUSES = ('planned', 'briefed', 'deployed', 'entered', 'arrest made', 'searched: items seized',
            'searched: nothing found', 'nil: subject not present', 'aborted', 'closed')

# frozen copies of what coordination/append_only.py makes for the new append-only table
APPEND_ONLY = {
    'sqlite': (
        "CREATE TRIGGER package_status_change_no_update BEFORE UPDATE ON package_status_change"
        " BEGIN SELECT RAISE(ABORT, 'package_status_change rows are append-only: UPDATE refused'); END",
        "CREATE TRIGGER package_status_change_no_delete BEFORE DELETE ON package_status_change"
        " BEGIN SELECT RAISE(ABORT, 'package_status_change rows are append-only: DELETE refused'); END",
    ),
    'postgresql': (
        "CREATE TRIGGER package_status_change_append_only BEFORE UPDATE OR DELETE ON package_status_change"
        " FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()",
    ),
}
DROP_APPEND_ONLY = {
    'sqlite': ("DROP TRIGGER IF EXISTS package_status_change_no_update",
               "DROP TRIGGER IF EXISTS package_status_change_no_delete"),
    'postgresql': ("DROP TRIGGER IF EXISTS package_status_change_append_only ON package_status_change",),
}


def _status(name: str, nullable: bool) -> sa.Column:
    return sa.Column(name, sa.Enum(*STATUSES, name='packagestatus', native_enum=False, length=32), nullable=nullable)


def upgrade() -> None:
    op.create_table('target_package',
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('address_normalised', sa.String(length=300), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('team_call_sign', sa.String(length=64), nullable=False),
    sa.Column('legal_authority', sa.String(length=300), nullable=False),
    sa.Column('h_hour', sa.DateTime(timezone=True), nullable=False),
    sa.Column('risk_notes', sa.Text(), nullable=False),
    _status('status', False),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reference_skeleton', sa.String(length=256), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tlp', sa.Enum('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED', name='tlp', native_enum=False, length=32), nullable=False),
    sa.Column('classification', sa.Enum('OFFICIAL', 'OFFICIAL-SENSITIVE', name='classification', native_enum=False, length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('operation_id', sa.Integer(), nullable=False),
    sa.Column('owning_agency_id', sa.Integer(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdiction.id'], name=op.f('fk_target_package_jurisdiction_id_jurisdiction')),
    sa.ForeignKeyConstraint(['operation_id'], ['operation.id'], name=op.f('fk_target_package_operation_id_operation')),
    sa.ForeignKeyConstraint(['owning_agency_id'], ['agency.id'], name=op.f('fk_target_package_owning_agency_id_agency')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_target_package_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_target_package')),
    sa.UniqueConstraint('reference', 'operation_id', 'owning_agency_id', name='uq_target_package_reference')
    )
    op.create_index('ix_target_package_address', 'target_package', ['address_normalised'], unique=False)
    op.create_index('ix_target_package_h_hour', 'target_package', ['operation_id', 'h_hour'], unique=False)
    op.create_index('ix_target_package_scope', 'target_package', ['operation_id', 'owning_agency_id', 'tlp'], unique=False)
    op.create_index('ix_target_package_skeleton', 'target_package', ['reference_skeleton', 'operation_id', 'owning_agency_id'], unique=False)
    op.create_index('ix_target_package_tlp', 'target_package', ['operation_id', 'tlp'], unique=False)
    op.create_table('package_conflict',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('operation_id', sa.Integer(), nullable=False),
    sa.Column('first_id', sa.Integer(), nullable=False),
    sa.Column('second_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('distance_m', sa.Integer(), nullable=True),
    sa.Column('found_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['first_id'], ['target_package.id'], name=op.f('fk_package_conflict_first_id_target_package')),
    sa.ForeignKeyConstraint(['operation_id'], ['operation.id'], name=op.f('fk_package_conflict_operation_id_operation')),
    sa.ForeignKeyConstraint(['second_id'], ['target_package.id'], name=op.f('fk_package_conflict_second_id_target_package')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_package_conflict')),
    sa.UniqueConstraint('first_id', 'second_id', name='uq_package_conflict_pair')
    )
    op.create_index(op.f('ix_package_conflict_first_id'), 'package_conflict', ['first_id'], unique=False)
    op.create_index(op.f('ix_package_conflict_second_id'), 'package_conflict', ['second_id'], unique=False)
    op.create_table('package_status_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('package_id', sa.Integer(), nullable=False),
    _status('status_from', True),
    _status('status_to', False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user_account.id'], name=op.f('fk_package_status_change_changed_by_id_user_account')),
    sa.ForeignKeyConstraint(['package_id'], ['target_package.id'], name=op.f('fk_package_status_change_package_id_target_package')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_package_status_change'))
    )
    op.create_index(op.f('ix_package_status_change_package_id'), 'package_status_change', ['package_id'], unique=False)
    op.create_table('package_subject',
    sa.Column('package_id', sa.Integer(), nullable=False),
    sa.Column('suspect_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['package_id'], ['target_package.id'], name=op.f('fk_package_subject_package_id_target_package')),
    sa.ForeignKeyConstraint(['suspect_id'], ['suspect.id'], name=op.f('fk_package_subject_suspect_id_suspect')),
    sa.PrimaryKeyConstraint('package_id', 'suspect_id', name=op.f('pk_package_subject'))
    )
    op.create_index(op.f('ix_package_subject_suspect_id'), 'package_subject', ['suspect_id'], unique=False)
    for statement in APPEND_ONLY.get(op.get_bind().dialect.name, ()):
        op.execute(statement)

    op.add_column('jurisdiction', sa.Column('time_zone', sa.String(length=64), nullable=False, server_default='UTC'))
    jurisdiction = sa.table('jurisdiction', sa.column('code', sa.String), sa.column('time_zone', sa.String))
    for code, zone in TIME_ZONES.items():
        op.execute(jurisdiction.update().where(jurisdiction.c.code == code).values(time_zone=zone))


def downgrade() -> None:
    # plain ALTER TABLE on both stores (SQLite >= 3.35): a batch copy of jurisdiction would trip the
    # foreign keys of the rows that name it
    op.execute("ALTER TABLE jurisdiction DROP COLUMN time_zone")
    for statement in DROP_APPEND_ONLY.get(op.get_bind().dialect.name, ()):
        op.execute(statement)
    op.drop_table('package_subject')
    op.drop_table('package_status_change')
    op.drop_table('package_conflict')
    op.drop_table('target_package')
