from django.urls import path

from checklists import api

urlpatterns = [
    path("checklists/", api.ChecklistListApi.as_view(), name="checklist-list"),
    path("checklists/<int:pk>/", api.ChecklistDetailApi.as_view(), name="checklist-detail"),
    path(
        "checklists/<int:pk>/publish/", api.ChecklistPublishApi.as_view(), name="checklist-publish"
    ),
    path(
        "checklists/<int:pk>/drafts/",
        api.ChecklistNewDraftApi.as_view(),
        name="checklist-new-draft",
    ),
    path(
        "checklists/<int:pk>/items/<slug:code>/",
        api.ChecklistItemApi.as_view(),
        name="checklist-item",
    ),
]
