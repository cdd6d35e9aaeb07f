"""The public pages for service users outside Slack (SPEC §7): Flask with Jinja2 autoescaping.

A web handler is a listener by another door: it parses the form, calls a
service, and renders a template. `app` builds the Flask app and sets every
response's headers; `pages` holds the routes and is the one module here that
opens transactions; `forgery` signs the form's anti-forgery token; `form` is
what the feedback form asks and how its answers and problems are shown.
"""
