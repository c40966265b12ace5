"""Review requests go to configured reviewers, else to the CODEOWNERS of the changed files."""

from __future__ import annotations

from bot.gates.owners import owners_for, reviewers

CODEOWNERS = """\
# comments are ignored
*                 @acme/maintainers
/.github/         @platform-lead @acme/platform
specs/            @api-owner
*.md              @docs-writer   # trailing comment
app/hooks/billing.py @billing-dev
"""


def test_the_last_matching_rule_wins_per_file() -> None:
    owners = owners_for(CODEOWNERS, [".github/workflows/ci.yml"])
    assert owners.users == ("platform-lead",)
    assert owners.teams == ("acme/platform",)


def test_unanchored_patterns_match_at_any_depth() -> None:
    assert owners_for(CODEOWNERS, ["docs/guide/intro.md"]).users == ("docs-writer",)
    assert owners_for(CODEOWNERS, ["app/specs/x.json"]).users == ("api-owner",)


def test_a_file_without_a_specific_rule_falls_back_to_the_catch_all() -> None:
    owners = owners_for(CODEOWNERS, ["app/models/thing.py"])
    assert owners.users == () and owners.teams == ("acme/maintainers",)


def test_owners_of_several_files_are_merged_without_duplicates() -> None:
    owners = owners_for(
        CODEOWNERS, ["specs/entities.json", "specs/other.json", "app/hooks/billing.py"]
    )
    assert owners.users == ("api-owner", "billing-dev")


def test_configured_reviewers_win_over_codeowners_and_the_author_is_never_asked() -> None:
    chosen = reviewers(
        ("maintainer", "issuebot[bot]"), (), CODEOWNERS, ["specs/x.json"], exclude="issuebot[bot]"
    )
    assert chosen.users == ("maintainer",)
    fallback = reviewers((), (), CODEOWNERS, ["specs/x.json"], exclude="api-owner")
    assert fallback.users == ()
    assert not reviewers((), (), None, ["specs/x.json"], exclude="x")
