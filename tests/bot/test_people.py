"""Names for the export come from users.info once an hour at most (the stand-in answers it)."""

from slack_sdk import WebClient

from bot.console.standin import SlackStandIn
from bot.people import NAME_LIFETIME, NameCache


def test_each_person_is_asked_once_until_their_name_expires():
    now = [0.0]
    cache = NameCache(clock=lambda: now[0])
    with SlackStandIn(team_id="T1") as standin:
        standin.add_user("UALEX", "alex", real_name="Alex Morgan")
        client = WebClient(token="xoxb-test", base_url=standin.api_url)
        names = cache.names_of(client, "T1", ["UALEX", "UALEX", "anonymous", "former-partner", ""])
        assert names == {"UALEX": "Alex Morgan"}
        assert cache.names_of(client, "T1", ["UALEX"]) == {"UALEX": "Alex Morgan"}
        assert len(standin.calls_to("users.info")) == 1
        now[0] += NAME_LIFETIME + 1
        cache.names_of(client, "T1", ["UALEX"])
        assert len(standin.calls_to("users.info")) == 2
