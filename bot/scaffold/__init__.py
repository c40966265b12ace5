"""`issuebot init`: make a repository ready for the bot, without clobbering what is there."""

from bot.scaffold.plan import Action, FileAction, plan_scaffold
from bot.scaffold.write import InitReport, init_repository, scaffold_files

__all__ = [
    "Action",
    "FileAction",
    "InitReport",
    "init_repository",
    "plan_scaffold",
    "scaffold_files",
]
