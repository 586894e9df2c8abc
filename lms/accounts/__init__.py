"""Signing in: passwords, login cards, throttling, the second factor, profiles."""
