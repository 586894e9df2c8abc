"""The organisation admin in Wagtail: units, schools, years, classes and staff, scoped.

``scoped`` gives each role its querysets and rights, ``views`` the Wagtail
viewsets, ``staff`` the staff accounts and their roles per school.
"""
