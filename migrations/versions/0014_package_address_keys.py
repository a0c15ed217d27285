"""target packages matched by the keys of their building, not one spelling of the address

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 14:30:00.000000

An address now yields the keys that identify its building by its country's conventions
(coordination/places.py, `address_keys`): postcode and building number, street and building number
and locality, and its flat set aside; two packages conflict when any key agrees. Each is an HMAC under
the operation's deconfliction key, kept outside the database, as `address_keyed` is (which keeps its
meaning: the folded address). A revision has no key: `address_keyed` is emptied so that the
application keys every package again, with all its keys, the first time a package is checked with
the key (or at `deconflict rotate-key`), as after 0012; until then they are matched by distance only.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0014'
down_revision: Union[str, Sequence[str], None] = '0013'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column('target_package', sa.Column('postcode_keyed', sa.String(length=64), nullable=True))
    op.add_column('target_package', sa.Column('street_keyed', sa.String(length=64), nullable=True))
    op.add_column('target_package', sa.Column('unit_keyed', sa.String(length=64), nullable=True))
    op.create_index('ix_target_package_postcode_keyed', 'target_package', ['operation_id', 'postcode_keyed'])
    op.create_index('ix_target_package_street_keyed', 'target_package', ['operation_id', 'street_keyed'])
    op.execute("UPDATE target_package SET address_keyed = NULL")


def downgrade() -> None:
    # `address_keyed` kept its meaning (the folded address, keyed): left as the application keyed it.
    # Dropped columns: SQLite drops a column in place (3.35+) when no index or constraint names it.
    op.drop_index('ix_target_package_street_keyed', table_name='target_package')
    op.drop_index('ix_target_package_postcode_keyed', table_name='target_package')
    op.drop_column('target_package', 'unit_keyed')
    op.drop_column('target_package', 'street_keyed')
    op.drop_column('target_package', 'postcode_keyed')
