"""Top-level URL map: product pages, API, CMS admin, then Wagtail's page tree."""

from django.conf import settings
from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from common.errors import api_not_found
from common.health import healthz
from common.pwa import manifest, offline_page, service_worker
from config.settings.base import env


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; send the site's icon."""
    return HttpResponsePermanentRedirect(static("common/favicon.svg"))


# A database with no connection to give answers 503 with Retry-After, not 500.
handler500 = "common.errors.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
    # The installable app (common/pwa.py): the worker at the root, scope "/".
    path("manifest.webmanifest", manifest, name="web_manifest"),
    path("sw.js", service_worker, name="service_worker"),
    path("ngoai-tuyen/", offline_page, name="offline_page"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
    path("api/catalogue/", include("content_cms.api_urls")),
    path("api/certificates/", include("certificates.api_urls")),
    path("api/", include("quizzes.api_urls")),
    path("api/", include("lms.api_urls")),
    # Any other /api/ address: a JSON 404, never a page of the site.
    re_path(r"^api/", api_not_found, name="api-not-found"),
    path("", include("lms.urls")),
    path("", include("content_cms.urls")),
    path("", include("quizzes.urls")),
    path("", include("certificates.urls")),
]

# A bare JSON view for bench/answer_submit.py, only when the benchmark asks for it
# (BENCH_ENDPOINTS=1 in the server's environment; docs/performance.md).
if env.bool("BENCH_ENDPOINTS", default=False):
    from devdata.bench_views import floor

    urlpatterns.append(path("bench/floor", floor, name="bench-floor"))

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
elif settings.SERVE_IMAGES:
    from django.views.static import serve

    def lesson_picture(request, path):
        """Lesson pictures only (config/settings/base.py, SERVE_IMAGES)."""
        return serve(request, path, document_root=settings.MEDIA_ROOT)

    # One file name inside Wagtail's two image folders, nothing else under media/.
    urlpatterns.append(
        re_path(r"^media/(?P<path>(?:original_images|images)/[^/]+)$", lesson_picture)
    )

# Wagtail serves the page tree (home, catalogue, modules) for every other path.
urlpatterns.append(path("", include(wagtail_urls)))
