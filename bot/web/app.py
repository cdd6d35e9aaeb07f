"""The Flask app of the public pages: templates, the stylesheet, and every response's headers.

Every response gets a strict Content-Security-Policy (nothing inline,
nothing from another site), and `Referrer-Policy: no-referrer`, since the
link's token is in the address and must not reach another site's logs, and
`X-Robots-Tag: noindex, nofollow`, so that a link pasted somewhere public is
not listed by a search engine for robots to find and fill in.
Pages are not cached: a shared computer's browser keeps no one's answers.

Nothing about a visitor is logged: no address, no browser, nothing typed,
and not the path either, which holds the token. gunicorn writes no access
log (bot/server.py), and an unexpected failure is logged as one line with
its traceback but without the request.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

from bot.runtime import Runtime
from bot.web import pages

log = logging.getLogger(__name__)

STATIC_PATH = "/static"
# The paths the public pages answer, for the WSGI routing in front of them.
PUBLIC_PREFIXES = ("/f/", f"{STATIC_PATH}/")
# Two answers well past 2,000 characters in any script (a CJK character is 9 bytes
# percent-encoded) fit, so that a too-long answer comes back with its error and what was
# typed rather than as a bare 413; still under the 1 MB any request may have (SPEC §6).
MAX_FORM_BYTES = 512 * 1024
STATIC_MAX_AGE_SECONDS = 3600

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "X-Robots-Tag": "noindex, nofollow",
}


class PublicPages(Flask):
    """Flask, logging a failure without the request line (the path holds the link's token)."""

    def log_exception(self, exc_info: Any) -> None:
        log.error("a public page failed", exc_info=exc_info)


def create_public_app(runtime: Runtime) -> Flask:
    app = PublicPages(__name__, static_url_path=STATIC_PATH)
    app.config.update(
        MAX_CONTENT_LENGTH=MAX_FORM_BYTES, SEND_FILE_MAX_AGE_DEFAULT=STATIC_MAX_AGE_SECONDS
    )
    # A link typed by hand from a poster may gain a slash at the end: it is the same page.
    app.url_map.strict_slashes = False
    app.jinja_env.autoescape = True
    app.jinja_env.filters["long_date"] = long_date
    pages.register(app, runtime)
    app.after_request(_secure)
    proxies = runtime.settings.changebot_trusted_proxies
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)  # type: ignore[method-assign]
    return app


def long_date(day: date) -> str:
    """A date as people write it: 1 December 2026."""
    return f"{day.day} {day:%B %Y}"


def _secure(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    if not request.path.startswith(f"{STATIC_PATH}/"):
        response.headers["Cache-Control"] = "no-store"
    return response
