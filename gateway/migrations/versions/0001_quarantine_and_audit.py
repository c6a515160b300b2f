"""Quarantine, audit log and its chain head.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("reference", sa.String(32), unique=True, index=True),
        sa.Column("fingerprint", sa.String(64), nullable=False, unique=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("sender", sa.String(320), nullable=False, index=True),
        sa.Column("held_recipients", sa.JSON, nullable=False),
        sa.Column("all_recipients", sa.JSON, nullable=False),
        sa.Column("recipient_domains", sa.String(2000), nullable=False, server_default=""),
        sa.Column("risk", sa.String(16), nullable=False, index=True),
        sa.Column("findings", sa.JSON, nullable=False),
        sa.Column("finding_types", sa.String(500), nullable=False, server_default=""),
        sa.Column("urgent", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("status", sa.String(24), nullable=False, server_default="held", index=True),
        sa.Column("subject", sa.LargeBinary, nullable=False),
        sa.Column("message", sa.LargeBinary, nullable=False),
        sa.Column("release_request", sa.JSON, nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("seq", sa.Integer, nullable=False, unique=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(40), nullable=False, index=True),
        sa.Column("reference", sa.String(32), nullable=True, index=True),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
    )
    op.execute("INSERT INTO audit_head (id, seq, last_hash) VALUES (1, 0, '" + "0" * 64 + "')")


def downgrade() -> None:
    op.drop_table("audit_head")
    op.drop_table("audit_log")
    op.drop_table("quarantine")
