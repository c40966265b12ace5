"""The gate reads what a revision will do to a production database from its source."""

from __future__ import annotations

from bot.gates.migration_ops import revision_heads, revision_operations, summarize
from bot.pipeline.render import render

DROP = """
revision = "b"
down_revision = "a"


def upgrade() -> None:
    with op.batch_alter_table("widgets", schema=None) as batch_op:
        batch_op.drop_column("legacy")
        batch_op.alter_column(
            "name", existing_type=sa.VARCHAR(length=10), type_=sa.String(length=20)
        )
    op.drop_table("spares")


def downgrade() -> None:
    op.create_table("spares")
"""

ADD = """
revision = "c"
down_revision = "b"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute('ALTER TYPE "widgets_kind_enum" ADD VALUE IF NOT EXISTS \\'huge\\'')
    else:
        with op.batch_alter_table("widgets") as batch_op:
            batch_op.drop_column("anything_sqlite_only")
    op.add_column("widgets", sa.Column("notes", sa.Text(), nullable=True))
"""


def test_drops_are_destructive_and_name_the_data_lost() -> None:
    summary = summarize({"migrations/versions/b.py": DROP})
    assert summary.risk == "destructive"
    assert summary.data_lost == ("widgets.legacy", "spares")
    assert "widen widgets.name (additive)" in summary.as_data()["operations"]  # type: ignore[operator]


def test_the_postgresql_branch_is_the_one_judged() -> None:
    kinds = [(o.kind, o.risk) for o in revision_operations(ADD)]
    assert kinds == [("add enum value to", "additive"), ("add column", "additive")]


def test_heads_are_the_revisions_nobody_builds_on() -> None:
    files = {"v/b.py": DROP, "v/c.py": ADD}
    assert revision_heads(files) == ["c"]
    fork = ADD.replace('revision = "c"', 'revision = "d"')
    assert revision_heads({**files, "v/d.py": fork}) == ["c", "d"]


def test_the_pr_body_says_in_bold_which_data_a_migration_deletes() -> None:
    migration = summarize({"migrations/versions/b.py": DROP}).as_data()
    text = render(
        "pr_body.md.j2", issue=7, entity="Widget", spec_path="specs/entities.json",
        spec_action="replaced", files=["app/a.py"], committed=["app/a.py"],
        tests_summary="3 passed", coverage=None, run_id="r-1", sha="a" * 40,
        migration=migration,
    )  # fmt: skip
    assert "### Migration: destructive" in text
    assert "**This migration deletes data: widgets.legacy, spares." in text
    assert "| drop table spares | destructive |" in text  # each operation with its risk
