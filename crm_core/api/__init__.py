"""The frontend's REST API: accounts, reads, the app inbox, errors, CORS and the generated OpenAPI document."""
