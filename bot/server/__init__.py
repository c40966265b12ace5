"""The webhook server: FastAPI app (`create_app`) and a uvicorn runner for threads and CLI."""

from bot.server.app import create_app

__all__ = ["create_app"]
