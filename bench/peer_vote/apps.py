from django.apps import AppConfig


class PeerVoteConfig(AppConfig):
    name = "bench.peer_vote"
    label = "peer_vote"
    default_auto_field = "django.db.models.BigAutoField"
