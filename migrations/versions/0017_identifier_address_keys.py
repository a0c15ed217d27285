"""identifier addresses matched by the keys of their building, as target packages are

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 18:00:00.000000

An identifier of kind address now carries the country whose conventions read it and the keys of its
building and flat (coordination/places.py, `address_keys`), each an HMAC under the operation's
deconfliction key, kept outside the database; two address identifiers hit when any key agrees. A
revision has no key: the new columns start empty, and the application reads the country and keys
every address identifier whose country is empty the first time it uses the key (audited, its hits
found then), as 0014 left target packages to it.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0017'
down_revision: Union[str, Sequence[str], None] = '0016'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column('identifier', sa.Column('country', sa.String(length=2), nullable=True))
    op.add_column('identifier', sa.Column('postcode_keyed', sa.String(length=64), nullable=True))
    op.add_column('identifier', sa.Column('street_keyed', sa.String(length=64), nullable=True))
    op.add_column('identifier', sa.Column('unit_keyed', sa.String(length=64), nullable=True))
    for name, column in (('ix_identifier_postcode', 'postcode_keyed'), ('ix_identifier_street', 'street_keyed')):
        op.create_index(name, 'identifier', [column], sqlite_where=sa.text(f'{column} IS NOT NULL'),
                        postgresql_where=sa.text(f'{column} IS NOT NULL'))
    unread = "country IS NULL AND kind = 'address'"  # what the application keys at its first use of the key
    op.create_index('ix_identifier_unread_address', 'identifier', ['operation_id'], sqlite_where=sa.text(unread),
                    postgresql_where=sa.text(unread))


def downgrade() -> None:
    # hits found by building name a match the older code does not know; they are kept, with the contact
    # requests made about them, as the one match it knows (the two values are never the same normal
    # form, so no pair is then held twice; upgraded again, the application finds the pair by its
    # building once more, beside it)
    op.execute("UPDATE hit SET match = 'exact' WHERE match IN ('same address', 'same building')")
    op.drop_index('ix_identifier_unread_address', table_name='identifier')
    op.drop_index('ix_identifier_street', table_name='identifier')
    op.drop_index('ix_identifier_postcode', table_name='identifier')
    op.drop_column('identifier', 'unit_keyed')
    op.drop_column('identifier', 'street_keyed')
    op.drop_column('identifier', 'postcode_keyed')
    op.drop_column('identifier', 'country')
