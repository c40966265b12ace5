"""Fixtures that start the local GitHub emulator (provided by bot/emulator)."""
