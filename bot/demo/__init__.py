"""`issuebot demo`: the whole story on one machine, against the local GitHub emulator."""

from bot.demo.story import DemoFailedError, DemoReport, run_demo

__all__ = ["DemoFailedError", "DemoReport", "run_demo"]
