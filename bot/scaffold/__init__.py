"""`issuebot init`: make a repository ready for the bot, without clobbering what is there."""

from bot.scaffold.plan import Action, FileAction, plan_scaffold
from bot.scaffold.source import BotPin, parse_bot_source, running_version
from bot.scaffold.upgrade import UpgradeReport, upgrade_repository
from bot.scaffold.write import InitReport, init_repository, initialised_files, scaffold_files

__all__ = [
    "Action",
    "BotPin",
    "FileAction",
    "InitReport",
    "UpgradeReport",
    "init_repository",
    "initialised_files",
    "parse_bot_source",
    "plan_scaffold",
    "running_version",
    "scaffold_files",
    "upgrade_repository",
]
