from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sorority.core"
    label = "core"

    def ready(self) -> None:
        from allauth.account import signals
        from django_tasks.signals import task_finished

        from sorority.accounts.adapter import password_changed
        from sorority.core import account_state, realtime, tasking

        # Every open socket of hers re-checks its session and rule on any change.
        account_state.register("realtime.recheck", realtime.account_state_changed)
        for signal in (
            signals.password_changed,
            signals.password_set,
            signals.password_reset,
        ):
            signal.connect(password_changed, dispatch_uid=f"core.password.{id(signal)}")
        # In the worker: its heartbeat, and rows of tasks that must not stay stored.
        task_finished.connect(tasking.task_finished, dispatch_uid="core.task_finished")
