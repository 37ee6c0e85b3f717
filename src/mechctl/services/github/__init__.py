"""mechctl on GitHub: the REST API client (`api`), the pull-request review comment
(`review`), and the escalation intake from an issue form (docs/design.md §4)."""
