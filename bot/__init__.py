"""issuebot: turns approved GitHub entity requests into tested, linked pull requests."""
