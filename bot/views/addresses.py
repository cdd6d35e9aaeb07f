"""The public pages' addresses, as Slack messages and posters give them (SPEC §7).

bot/web serves these same paths; a test follows a link from a Slack reply to its page.
"""

from __future__ import annotations

from urllib.parse import quote


def feedback_page(base: str, token: str) -> str:
    return f"{base}/f/{quote(token, safe='')}"


def you_said_page(base: str, token: str) -> str:
    return f"{feedback_page(base, token)}/you-said-we-did"
