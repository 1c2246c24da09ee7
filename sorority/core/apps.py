from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sorority.core"
    label = "core"

    def ready(self) -> None:
        from sorority.core import account_state, realtime

        # Every open socket of hers re-checks its session and rule on any change.
        account_state.register("realtime.recheck", realtime.account_state_changed)
