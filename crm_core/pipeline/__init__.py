"""The message pipeline: the webhook that enqueues, and the queue function that applies each message once, in order."""
