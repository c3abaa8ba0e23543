"""The domain model: pure Python, no database, no user interface (the bottom layer)."""
