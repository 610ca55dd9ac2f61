"""Voice notes and visiting cards: safe download, speech-to-text, and reading a card into a new-lead command.

The queue function (crm_core.pipeline.process) calls `read_media` outside any transaction and stores what it
returns on the inbound row (`inbound_messages.media`), so a retried message never downloads or pays twice. The
pieces are ports (crm_core.media.ports) with real adapters built lazily by crm_core.composition:

- fetch.HttpMediaFetcher: http(s) only, hosts from MEDIA_URL_HOSTS, the address pinned after checking it (no cloud
  metadata, no private address for a host name), no redirect to another host, connect/read timeouts, MEDIA_MAX_BYTES
  enforced while streaming, audio/image types only (declared and sniffed from the first bytes);
- transcribe.OpenAITranscriber: `audio.transcriptions.create` (TRANSCRIBE_MODEL; on Azure, that deployment, with
  the managed identity);
- cards.OpenAICardReader: GPT-4o with the image, answering the parse contract's command (new_lead and its fields).

Nothing here is imported by function_app at start-up.
"""
