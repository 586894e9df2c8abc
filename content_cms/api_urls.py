"""Routes of the read-only catalogue API (mounted at /api/catalogue/)."""

from django.urls import path

from content_cms import apis

app_name = "catalogue-api"

urlpatterns = [
    path("age-bands/", apis.AgeBandListApi.as_view(), name="age-band-list"),
    path("topics/", apis.TopicListApi.as_view(), name="topic-list"),
    path("modules/", apis.ModuleListApi.as_view(), name="module-list"),
    path(
        "modules/<int:module_id>/",
        apis.ModuleDetailApi.as_view(),
        name="module-detail",
    ),
]
