"""Bulk onboarding: a province's administrative units, schools and staff from
spreadsheets.

The same contract as the class-roster import (``lms.rosters.services``):

1. ``onboarding_parse`` reads an uploaded XLSX or CSV file (``common.sheets``:
   title rows, merged headings, Vietnamese headings with or without diacritics,
   Windows-1258) into plain rows with their line numbers; the file is not kept.
   The rows wait in the importer's session between preview and confirmation.
2. ``onboarding_preview`` is a dry run: every line will create, update or leave
   unchanged a record, or has an error with its line number and the reason.
3. ``onboarding_apply`` recomputes the plan inside one transaction and writes it,
   all or nothing; any error refuses the whole file.

Re-importing a file updates by code (units, schools) or username (staff) and
never duplicates. Staff without a username are matched by name at the same
school, else get a readable generated username (``lan.nguyen.tn``). New staff get
a random one-time password, returned once by ``onboarding_apply`` for the password
sheets and never stored in plain; ``User.must_change_password`` makes the first
sign-in ask for a new one. An existing account's password is never reset here.

Who may import what is decided by ``selectors.units_managed_by`` and
``selectors.schools_staffed_by``: a platform administrator anything, a province
officer their province's units, schools and staff, a school administrator the
staff of their own school.

The modules: ``parsing`` (the accepted headings and ``onboarding_parse``),
``plans`` (the kinds of import, ``ImportPlan`` and its lines, the checks the kinds
share), ``units``, ``schools`` and ``staff`` (each kind's preview, and for units
and schools their writes), ``staff_accounts`` (the writes of a staff import: new
accounts, one-time passwords, roles), ``services`` (``onboarding_preview`` and
``onboarding_apply``), ``password_sheets`` (the printed sheets), ``views`` and
``wagtail_hooks`` (the Wagtail admin pages).
"""
