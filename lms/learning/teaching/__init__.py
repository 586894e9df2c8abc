"""Lessons taught to a class and parents' meetings: the teaching evidence.

``services`` writes them, ``selectors`` reads them (scoped), ``views`` are the
class and school pages that record and confirm them.
"""
