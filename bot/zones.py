"""Time zone names as people type them: which exist, and which lose an hour every UK summer.

Shared by the project settings (bot/services/projects.py) and the deployment's default
zone (bot/config.py), so that neither accepts what the other refuses.
"""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# Why GMT and UTC are refused, after the zone's name.
NO_SUMMER_TIME = (
    "has no summer time: from March to October every reminder and check-in would come an hour"
    " late by the ward's clock. For UK time use Europe/London."
)


def greenwich_time(name: str) -> bool:
    """GMT or UTC by any of its names (`GMT0`, `Etc/UTC`...): chosen for "UK time", they
    lose an hour every summer."""
    bare = name.removeprefix("Etc/").rstrip("+-0")
    return bare in {"GMT", "UTC", "UCT", "Greenwich", "Universal", "Zulu"}


def zone_named(typed: str) -> str:
    """The time zone as its name is spelt (`Europe/London` for `europe/london `), or what was
    typed, stripped, when no zone has that name."""
    name = typed.strip()
    return _zones_by_folded_name().get(name.casefold(), name)


@cache
def _zones_by_folded_name() -> dict[str, str]:
    return {zone.casefold(): zone for zone in available_timezones()}


def valid_timezone(name: str) -> bool:
    """An IANA time zone name the system knows (`Europe/London`), not a path or a typo."""
    if not name or name.startswith("/") or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
