"""Pure functions from domain objects to Block Kit; all user text passes `text.escape`."""
