"""The curriculum as files: loading them into Wagtail, exporting, coverage tables."""
