"""What scheduled runs do, one module per feature: services, views and posts, like listeners.

`bot.scheduling.jobs` holds the APScheduler entry points and calls these with
the runtime; nothing here imports `bot.scheduling.jobs`.
"""
