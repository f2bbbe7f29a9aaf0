from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from designer import api, api_assessment, api_editor, api_optimise, api_simulations, views
from designer.api_auth import obtain_auth_token
from designer.signin import SignInView

router = DefaultRouter(trailing_slash=True)
router.register("flows", api.FlowViewSet, basename="flow")
simulations = api_simulations.SimulationViewSet

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/auth/token/", obtain_auth_token, name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/schema/flow-document/", api.flow_document_schema, name="flow-document-schema"),
    path("api/docs/", views.api_docs, name="api-docs"),
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
        "api/flows/<int:flow_pk>/simulations/jobs/<int:pk>/",
        api_simulations.SimulationJobViewSet.as_view({"get": "retrieve", "delete": "destroy"}),
        name="flow-simulation-job",
    ),
    path(
        "api/flows/<int:flow_pk>/simulations/<int:pk>/",
        simulations.as_view({"get": "retrieve", "delete": "destroy"}),
        name="flow-simulation",
    ),
    path("api/analyse/", api_editor.analyse_document, name="analyse-document"),
    path("api/optimise/", api_optimise.optimise_document, name="optimise-document"),
    path("api/flows/<int:flow_id>/optimise/", api_optimise.optimise_flow, name="flow-optimise"),
    path("api/flows/<int:flow_id>/duplicate/", api_editor.duplicate_flow, name="flow-duplicate"),
    path("api/flows/<int:flow_id>/routes/", api_editor.route_document, name="flow-routes"),
    path("api/flows/<int:flow_id>/assessment/", api_assessment.assessment, name="flow-assessment"),
    path(
        "api/flows/<int:flow_id>/assessment/report.md",
        api_assessment.assessment_report,
        name="flow-assessment-report",
    ),
    path("flows/<int:flow_id>/", views.editor, name="flow-editor"),
    path("flows/<int:flow_id>/wizard/", views.wizard, name="flow-wizard"),
    path("flows/<int:flow_id>/wizard/report/", views.report, name="flow-report"),
    path("flows/<int:flow_id>/simulate/", views.simulate, name="flow-simulate"),
    path("", include("runs.urls")),
    path("api/", include(router.urls)),
]
