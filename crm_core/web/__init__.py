"""The web dashboard's static files (built by `npm run build` into web/dist) as the local host serves them at `/`.

The dashboard itself is a static single-page app that talks only to the public REST API under /api; in Azure it is
served by Azure Static Web Apps (infra/app/web.bicep), so nothing here runs in the Function App.
"""
