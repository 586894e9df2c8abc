"""A bare JSON view for benchmarks: the floor any endpoint is measured against.

Wired at ``/bench/floor`` only when the environment sets ``BENCH_ENDPOINTS=1``
(see config/urls.py and docs/performance.md); production never exposes it. It
goes through the whole middleware stack but does no authentication and no
query, so "endpoint req/s / floor req/s" says what the endpoint itself costs.
"""

from django.http import JsonResponse


def floor(request):
    """Answer ``{"ok": true}``: middleware, routing and JSON, nothing else."""
    return JsonResponse({"ok": True})
