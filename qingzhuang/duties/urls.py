from django.urls import URLPattern, URLResolver, path
from django.views.generic import RedirectView

from qingzhuang.duties import views

app_name = "duties"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", RedirectView.as_view(pattern_name="duties:tasks", permanent=False), name="index"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("check/", views.check, name="check"),
    path("lists/", views.lists, name="lists"),
    path("lists/new/", views.work_item_edit, name="work_item_new"),
    path("lists/<int:pk>/", views.work_item_edit, name="work_item_edit"),
    path("lists/certificates/new/", views.certificate_edit, name="certificate_new"),
    path("lists/certificates/<int:pk>/", views.certificate_edit, name="certificate_edit"),
    path("certificates/", views.certificate_lookup, name="certificate_lookup"),
    path("feedback/", views.feedback, name="feedback"),
    path("inbox/", views.feedback_inbox, name="feedback_inbox"),
    path("answer/", views.feedback_answer, name="feedback_answer"),
    path("feedback/<int:pk>/", views.feedback_detail, name="feedback_detail"),
    path("feedback/<int:pk>/evidence/", views.feedback_evidence, name="feedback_evidence"),
    path("help/", views.help_index, name="help"),
    path("help/voice/", views.voice_practice, name="voice_practice"),
    path("help/walkthrough/done/", views.walkthrough_done, name="walkthrough_done"),
    path("help/walkthrough/again/", views.walkthrough_again, name="walkthrough_again"),
    path("practice/", views.practice_page, name="practice"),
]
