from django.contrib.admin.apps import AdminConfig as StockAdminConfig


class AdminConfig(StockAdminConfig):
    """Django's admin with our site (config/admin.py): signed in by allauth, with MFA."""

    default_site = "config.admin.AdminSite"
