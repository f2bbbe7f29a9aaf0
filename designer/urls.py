from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from designer import api, api_assessment, api_editor, api_simulations, views
from runs import api as runs_api
from runs import views as runs_views

router = DefaultRouter(trailing_slash=True)
router.register("flows", api.FlowViewSet, basename="flow")
simulations = api_simulations.SimulationViewSet

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/auth/token/", obtain_auth_token, name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/schema/flow-document/", api.flow_document_schema, name="flow-document-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path(
        "api/flows/<int:flow_pk>/simulations/",
        simulations.as_view({"get": "list", "post": "create"}),
        name="flow-simulations",
    ),
    path(
        "api/flows/<int:flow_pk>/simulations/preview/",
        simulations.as_view({"post": "preview"}),
        name="flow-simulations-preview",
    ),
    path(
        "api/flows/<int:flow_pk>/simulations/<int:pk>/",
        simulations.as_view({"get": "retrieve", "delete": "destroy"}),
        name="flow-simulation",
    ),
    path("api/analyse/", api_editor.analyse_document, name="analyse-document"),
    path("api/flows/<int:flow_id>/duplicate/", api_editor.duplicate_flow, name="flow-duplicate"),
    path("api/flows/<int:flow_id>/assessment/", api_assessment.assessment, name="flow-assessment"),
    path(
        "api/flows/<int:flow_id>/assessment/report.md",
        api_assessment.assessment_report,
        name="flow-assessment-report",
    ),
    path("api/flows/<int:flow_id>/runs/", runs_api.flow_runs, name="flow-runs"),
    path("api/runs/<int:run_id>/", runs_api.run_detail, name="run-detail"),
    path("api/runs/<int:run_id>/events/", runs_api.run_events, name="run-events"),
    re_path(
        r"^api/runs/(?P<run_id>\d+)/(?P<action>cancel|pause|resume)/$",
        runs_api.run_action,
        name="run-action",
    ),
    re_path(
        r"^api/runs/(?P<run_id>\d+)/tasks/(?P<key>[A-Za-z0-9][A-Za-z0-9_.-]{0,31})/"
        r"(?P<action>start|complete|fail)/$",
        runs_api.task_action,
        name="run-task-action",
    ),
    path("flows/<int:flow_id>/", views.editor, name="flow-editor"),
    path("flows/<int:flow_id>/runs/", runs_views.run_list, name="flow-runs-page"),
    path("flows/<int:flow_id>/runs/compare/", runs_views.compare, name="flow-runs-compare"),
    path("runs/<int:run_id>/", runs_views.run_page, name="run-page"),
    path("flows/<int:flow_id>/wizard/", views.wizard, name="flow-wizard"),
    path("flows/<int:flow_id>/wizard/report/", views.report, name="flow-report"),
    path("flows/<int:flow_id>/simulate/", views.simulate, name="flow-simulate"),
    path("api/", include(router.urls)),
]
