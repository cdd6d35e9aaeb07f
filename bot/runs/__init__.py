"""What scheduled runs do, one module per feature: services, views and delivery, like listeners.

`bot.jobs` holds the APScheduler entry points and calls these with the
runtime; nothing here imports `bot.jobs`, so the two never import each other.
"""
