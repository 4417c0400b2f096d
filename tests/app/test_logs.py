import io
import logging

from bot.logs import REDACTED, setup_logging

TOKEN = "fake-bot-token-for-tests-only-0123456789abcdef"


def test_token_is_blanked_in_messages_args_and_tracebacks():
    stream = io.StringIO()
    handler = setup_logging("DEBUG", [TOKEN], stream)
    try:
        log = logging.getLogger("discord.http")
        log.debug("Authorization: Bot %s", TOKEN)
        log.info(f"plain {TOKEN} inline")
        try:
            raise RuntimeError(f"login failed for {TOKEN}")
        except RuntimeError:
            log.exception("boom")
    finally:
        logging.getLogger().removeHandler(handler)
    output = stream.getvalue()
    assert TOKEN not in output
    assert output.count(REDACTED) == 3
    assert "Authorization: Bot [redacted-token]" in output
