"""A local GitHub: REST as GitHub answers it, real git over smart HTTP, signed webhooks, faults.

Start one in-process with ``bot.emulator.testing.start_emulator`` or from the command line
with ``issuebot emulator --port P``.
"""
