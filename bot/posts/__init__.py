"""What the team sees, one module per feature: the only code that writes to the outbox.

Listeners, scheduled runs and web handlers post only through these modules.
Each owns its outbox keys, built from ids, request ids and scheduled times,
never from the clock: a retried command, a second instance or a late job
writes the same key, which the outbox refuses to write twice.
"""
