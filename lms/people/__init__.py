"""People and organisation: who belongs where, what each role may do and see.

The scoping selectors (``selectors``) are the one place that decides what a user may
see; the roles table (``roles``), the audit log and consent records live here too.
"""
