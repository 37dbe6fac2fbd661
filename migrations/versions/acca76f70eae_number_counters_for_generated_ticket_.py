"""number counters for generated ticket and receipt numbers (T202611-0001, R202611-000001)

Revision ID: acca76f70eae
Revises: e8db5cb33bdd
Create Date: 2026-12-02 05:14:56.819305

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'acca76f70eae'
down_revision = 'e8db5cb33bdd'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('number_counter',
    sa.Column('series', sa.String(length=20), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('series', 'period', name=op.f('pk_number_counter'))
    )


def downgrade():
    op.drop_table('number_counter')
