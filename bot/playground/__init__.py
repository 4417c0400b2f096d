"""``watch-companion try``: the sandbox Discord and the real bot in one process, driven from a terminal prompt.

The only part of the project that joins the two: ``bot.sandbox`` knows nothing of the bot.
"""
