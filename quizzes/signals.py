"""Domain events the quiz engine sends upward; it never knows who listens.

``attempt_submitted`` is sent with ``attempt=<Attempt>`` inside the transaction
of ``attempt_submit`` (a plain ``send``, not ``send_robust``): what receivers
write (progress, rollups) commits or rolls back together with the submit, and a
receiver's error fails the submit rather than leaving the two out of step. It is
sent once per attempt: submitting again returns the stored result silently.
"""

import django.dispatch

attempt_submitted = django.dispatch.Signal()
