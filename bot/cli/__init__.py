"""The operator's command-line tools: the local shell, perm import/export, audit export, doctor."""
