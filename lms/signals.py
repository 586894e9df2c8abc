"""Domain events the school layer sends upward (certificates listen)."""

import django.dispatch

# Sent inside the transaction that folds a quiz submit (or, for a module without
# a quiz, the last section read) into a learner's progress, whenever the module
# is completed or passed afterwards, with kwargs: ``user``, ``module`` (the
# Vietnamese source ModulePage), ``progress`` (ModuleProgress), ``attempt`` (the
# quizzes Attempt, or None), ``newly_completed`` and ``newly_passed`` (True only
# the first time). A resubmitted attempt never sends it again.
module_completed = django.dispatch.Signal()

# Sent inside the transaction that records, changes, deletes or confirms a lesson
# taught to a class (lms/learning/teaching/services.py), with kwargs: ``session`` (the
# TeachingSession; after "delete" it is no longer in the database), ``action``
# ("record", "update", "delete" or "confirm") and ``previous`` (a dict of the
# class id, module id and date before an update or a delete, else None). The
# reports listen, so a status the lesson changes is written with it.
teaching_session_changed = django.dispatch.Signal()

# Sent inside the transaction that records or deletes a school's parents'
# meeting, with kwargs ``meeting`` (ParentMeeting) and ``action`` ("record" or
# "delete").
parent_meeting_changed = django.dispatch.Signal()
