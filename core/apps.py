from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from core.middleware import profile_flag_on_login

        user_logged_in.connect(profile_flag_on_login, dispatch_uid="pkimm-profile-flag")
