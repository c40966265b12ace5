"""The browser tests build and serve exactly as the demo does (bot/uibuild.py)."""

from bot.uibuild import CHROMIUM, build, generate, node_modules, serve

__all__ = ["CHROMIUM", "build", "generate", "node_modules", "serve"]
