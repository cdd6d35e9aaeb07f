"""Slash-command text into typed requests; bad text raises a `UsageError` naming the right form."""
