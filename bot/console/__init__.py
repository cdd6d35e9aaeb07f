"""A local Slack: the Web API stand-in, its Block Kit checks and signed requests to the app."""
