"""Delivery: WhatsApp channels (Maytapi, console) and the outbox claim/send/retry machinery."""
