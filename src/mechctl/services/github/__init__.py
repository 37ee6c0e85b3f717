"""mechctl on GitHub: the API client, the issue form, intake, and the review comment."""
