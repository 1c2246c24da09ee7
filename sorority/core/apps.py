from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sorority.core"
    label = "core"

    def ready(self) -> None:
        from allauth.account import signals

        from sorority.accounts.adapter import password_changed
        from sorority.core import account_state, realtime

        # Every open socket of hers re-checks its session and rule on any change.
        account_state.register("realtime.recheck", realtime.account_state_changed)
        for signal in (
            signals.password_changed,
            signals.password_set,
            signals.password_reset,
        ):
            signal.connect(password_changed, dispatch_uid=f"core.password.{id(signal)}")
