"""Message Master: nurture sequences after a demo, and the daily digest."""
