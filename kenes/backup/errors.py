class BackupProblem(Exception):
    """A sentence for the operator; whatever raised it changed nothing."""
