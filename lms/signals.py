"""Domain events the school layer sends upward (certificates listen)."""

import django.dispatch

# Sent inside the transaction that folds a quiz submit (or, for a module without
# a quiz, the last section read) into a learner's progress, whenever the module
# is completed or passed afterwards, with kwargs: ``user``, ``module`` (the
# Vietnamese source ModulePage), ``progress`` (ModuleProgress), ``attempt`` (the
# quizzes Attempt, or None), ``newly_completed`` and ``newly_passed`` (True only
# the first time). A resubmitted attempt never sends it again.
module_completed = django.dispatch.Signal()
