from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from designer import views
from designer.api.auth import obtain_auth_token
from designer.api.flows import flow_document_schema
from designer.signin import SignInView

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/auth/token/", obtain_auth_token, name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/schema/flow-document/", flow_document_schema, name="flow-document-schema"),
    path("api/docs/", views.api_docs, name="api-docs"),
    path("flows/<int:flow_id>/", views.editor, name="flow-editor"),
    path("flows/<int:flow_id>/wizard/", views.wizard, name="flow-wizard"),
    path("flows/<int:flow_id>/wizard/report/", views.report, name="flow-report"),
    path("flows/<int:flow_id>/simulate/", views.simulate, name="flow-simulate"),
    path("", include("runs.urls")),
    path("api/", include("designer.api.routes")),
]
