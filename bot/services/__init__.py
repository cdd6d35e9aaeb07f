"""The domain: plain functions over a session, with no Slack in them."""
